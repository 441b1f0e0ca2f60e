"""Reading stored results: size limit, encodings, strict then lenient JSON, and markup
(an XML or HTML error page where JSON was expected) turned into a clear error."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Final

from facecurator.domain.error_texts import error_text
from facecurator.domain.normalize.common import ProviderError, _kind, _preview
from facecurator.errors import MalformedResultError, SourceError

log = logging.getLogger("facecurator.normalize")


#: Stored result files larger than this are refused (a face result is a few KiB).
MAX_RESULT_BYTES: Final = 64 * 1024 * 1024


def load_result_text(text: str | bytes) -> Any:
    """Parse a stored provider response.

    Strict JSON first; when that fails, a lenient pass that drops a leading
    BOM and trailing commas (the legacy ``imm/detectface`` sample has them).
    ``NaN``/``Infinity`` literals are refused.

    Raises:
        MalformedResultError: empty text, an HTML page, or text that is not JSON
            even leniently.
        ProviderError: the text is an OSS/IMM XML error document
            (``<Error><Code>...``), i.e. the provider refused the call.
    """
    if isinstance(text, (bytes, bytearray)):
        text = _decode(bytes(text))
    if not isinstance(text, str):
        raise MalformedResultError(f"result must be text, got {_kind(text)}")
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise MalformedResultError("result is empty")
    if stripped.startswith("<"):
        _raise_for_markup(stripped)
    try:
        return _strict_json(text)
    except (ValueError, RecursionError) as strict_exc:
        try:
            value = _strict_json(_lenient_json_text(stripped))
        except (ValueError, RecursionError):
            raise MalformedResultError(f"result is not valid JSON: {_json_reason(strict_exc)}") from None
        log.debug("result parsed leniently (BOM / trailing commas): %s", _json_reason(strict_exc))
        return value


def load_result_file(path: str | Path) -> Any:
    """Read and parse one stored provider response file (see :func:`load_result_text`).

    Raises:
        SourceError: the file cannot be read.
        MalformedResultError / ProviderError: as :func:`load_result_text`, with
            the file name in the message.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_RESULT_BYTES:
            raise MalformedResultError(f"{path}: {size} bytes is too large for a face result")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: {error_text('result.unreadable', detail=exc.strerror or exc)}") from None
    try:
        return load_result_text(data)
    except ProviderError as exc:
        raise ProviderError(
            f"{path}: {exc}",
            shape=exc.shape,
            code=exc.code,
            request_id=exc.request_id,
            retryable=exc.retryable,
            throttled=exc.throttled,
        ) from None
    except MalformedResultError as exc:
        raise MalformedResultError(f"{path}: {exc}") from None


def _decode(data: bytes) -> str:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise MalformedResultError(f"result is not UTF-8 text (byte {exc.start})") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _strict_json(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def _json_reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _lenient_json_text(text: str) -> str:
    """Drop a comma that follows a value and directly precedes ``}`` or ``]`` (outside strings)."""
    out: list[str] = []
    in_string = escaped = False
    pending_comma: int | None = None  # index in ``out`` of a comma that may be trailing
    previous = ""  # last significant character before the current one
    for char in text:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                previous = '"'
            continue
        if char.isspace():
            out.append(char)
            continue
        if char in "}]" and pending_comma is not None:
            out[pending_comma] = ""
        after_value = previous not in ("", "[", "{", ",", ":")
        pending_comma = len(out) if char == "," and after_value else None
        if char == '"':
            in_string = True
        out.append(char)
        previous = char
    return "".join(out)


_XML_CODE = re.compile(r"<Code>\s*([^<]{1,200}?)\s*</Code>", re.IGNORECASE)
_XML_MESSAGE = re.compile(r"<Message>\s*([^<]{1,500}?)\s*</Message>", re.IGNORECASE)
_XML_REQUEST_ID = re.compile(r"<RequestId>\s*([^<]{1,200}?)\s*</RequestId>", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>\s*([^<]{1,200}?)\s*</title>", re.IGNORECASE)


def _raise_for_markup(text: str) -> None:
    """Explain an XML/HTML body where JSON was expected (always raises)."""
    head = text[:20000]
    code = _XML_CODE.search(head)
    if code and re.search(r"<Error\b", head):
        message = _XML_MESSAGE.search(head)
        request_id = _XML_REQUEST_ID.search(head)
        raise ProviderError(
            f"provider error {code.group(1)}: {message.group(1) if message else 'no message'}"
            + (f" [RequestId {request_id.group(1)}]" if request_id else ""),
            shape=None,
            code=code.group(1),
            request_id=request_id.group(1) if request_id else None,
            retryable=code.group(1) in {"InternalError", "ServiceUnavailable", "RequestTimeout"},
            throttled=code.group(1) in {"Throttling", "TooManyRequests", "QpsLimitExceeded"},
        )
    title = _HTML_TITLE.search(head)
    if title or re.match(r"<(!doctype\s+html|html)\b", head, re.IGNORECASE):
        what = f" ({title.group(1)})" if title else ""
        raise MalformedResultError(f"result is an HTML page{what}, not JSON")
    raise MalformedResultError(f"result is XML/markup, not JSON: {_preview(head)}")
