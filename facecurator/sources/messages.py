"""The sources' user-visible errors: English templates by message id (one owner; the GUI shows
them translated through :mod:`facecurator.gui.core_errors`)."""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.messages import Messages

SOURCE_MESSAGES: Final = {
    "source.no_such": "{path}: no such file or folder",
    "source.irregular": "{path}: neither a folder nor a regular file",
    "source.not_oss": "{path}: not an OSS location (expected oss://BUCKET/PREFIX)",
    "source.bad_bucket": "{path}: invalid bucket name {bucket} (3-63 lower-case letters, digits and '-')",
    "source.other_bucket": "{path}: not in bucket {bucket}",
}
SOURCES: Final = Messages(SOURCE_MESSAGES)


def source_text(message_id: str, **params: Any) -> str:
    """The English text of the source message ``message_id`` with ``params``."""
    return SOURCES.text(message_id, **params)
