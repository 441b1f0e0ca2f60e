"""Per-image error reasons: English templates with message ids, and the way back from a stored text.

A scan stores an image's error as one line of text ("<image>: <reason>") in the
catalog. The reasons are built here from templates (one owner), so a front end
can recover the message id and arguments from a stored line
(:func:`parse_error_text`) and show the reason in the user's language, also for
catalogs written before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from facecurator.domain.messages import Messages

#: English templates of the per-image reasons, by message id. Placeholders are the params.
ERROR_MESSAGES: Final[Mapping[str, str]] = {
    "file.no_such": "cannot read file: it was deleted or moved (no such file)",
    "file.loop": "symbolic link loop; not followed",
    "file.loop_to_source": "symbolic link loop: leads back to the source folder; not followed",
    "file.loop_to": "symbolic link loop: leads back to {target}; not followed",
    "file.dangling": "dangling symbolic link (its target {target} does not exist)",
    "file.permission": "permission denied: {detail}",
    "file.unreadable": "cannot read file: {detail}",
    "file.fifo": "not a regular file (a named pipe, FIFO); not read",
    "file.socket": "not a regular file (a socket); not read",
    "file.device": "not a regular file (a device); not read",
    "file.folder": "a folder, not a file",
    "file.irregular": "not a regular file; not read",
    "file.cannot_list": "cannot list folder: {detail}",
    "scan.stopped": "not detected: the scan stopped",
    "image.empty": "empty file (0 bytes)",
    "image.too_large": (
        "image is {width}x{height} ({megapixels} MP), over the {limit} MP limit (possible decompression bomb)"
    ),
    "image.bomb": "refused as a decompression bomb ({detail})",
    "image.not_image": "not an image or an unsupported format",
    "image.truncated": "truncated or damaged file ({detail})",
    "image.cannot_decode": "cannot decode: {detail}",
    "image.unsupported_type": "not a supported image type {suffix}",
    "internal.error": "internal error: {kind}: {error}",
    "internal.embedding": "internal error while embedding: {kind}: {error}",
    "result.unreadable": "cannot read result file: {detail}",
    # Pillow's own words inside "image.bomb" (its DecompressionBombError/Warning text)
    "pillow.bomb": (
        "Image size ({pixels} pixels) exceeds limit of {limit} pixels, could be decompression bomb DOS "
        "attack."
    ),
    # Pillow's own words inside "image.truncated" / "image.cannot_decode" (its decoders' OSError texts)
    "pillow.truncated_bytes": "image file is truncated ({count} bytes not processed)",
    "pillow.truncated": "image file is truncated",
    "pillow.broken_stream": "broken data stream when reading image file",
    "pillow.no_decoder": "could not create decoder object",
    "pillow.decoder_error": "decoder error {code}",
}
#: Params that hold another reason (translated in turn).
NESTED_PARAMS: Final = frozenset({"detail"})


ERRORS: Final = Messages(ERROR_MESSAGES)


def error_text(message_id: str, **params: Any) -> str:
    """The English reason of ``message_id`` with ``params``."""
    return ERRORS.text(message_id, **params)


def internal_error(exc: BaseException, *, embedding: bool = False) -> str:
    """The English reason of an unexpected exception (its type and its own words)."""
    message_id = "internal.embedding" if embedding else "internal.error"
    return error_text(message_id, kind=type(exc).__name__, error=exc)


def parse_reason(reason: str) -> tuple[str, dict[str, str]] | None:
    """``(message id, params)`` of a reason built from :data:`ERROR_MESSAGES`, else None."""
    return ERRORS.parse(reason)


def parse_error_text(text: str) -> tuple[str, str, dict[str, str]] | None:
    """A stored error line as ``(label, message id, params)``; the label (the image) may be "".

    The label is what comes before the first ``": "`` after which the rest is a known reason
    (an OSS URI or a Windows path holds ``:`` but not ``": "`` before the reason).
    """
    parsed = parse_reason(text)
    if parsed is not None:
        return "", *parsed
    start = 0
    while (cut := text.find(": ", start)) >= 0:
        parsed = parse_reason(text[cut + 2 :])
        if parsed is not None:
            return text[:cut], *parsed
        start = cut + 1
    return None
