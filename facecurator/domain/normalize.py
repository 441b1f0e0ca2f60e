"""Provider JSON -> canonical faces, for every shape the product reads.

Five shapes (names in :data:`SHAPES`), each documented by a seed in
``../shared/seeds``:

``oss-faces``
    OSS ``GetObject`` with ``x-oss-process=image/faces``: ``Figures[]``.
``imm``
    IMM 2020-09-30 ``DetectImageFaces``: ``Faces[]`` with the same per-face
    fields as ``Figures[]``. The SDK's ``to_map()`` gives the same PascalCase
    keys; the whole-response form ``{"headers", "statusCode", "body"}`` is
    unwrapped.
``imm-detectface-legacy``
    Legacy OSS ``imm/detectface``: ``Faces[].FaceAttributes.FaceBoundary``,
    upper-case enums (``"NONE"``, ``"MALE"``), ``FaceConfidence``.
``green-1.0``
    Content Moderation 1.0 ``/green/face/detect``: ``faces[].location``,
    ``quality.blur`` on 0-20, the provider's own ``qualified`` flag.
``green-2.0``
    Content Moderation 2.0 ``ImageModeration`` (``faceDetect_global`` /
    ``faceDetect_pro_global``): ``Data.Ext.FaceData[]``, blur and integrity
    on 0-100, image-level ``Data.Result[].Label`` (``face_eyesClosed``).

Rules every normaliser follows:

* The provider's face object is kept, unmodified (a deep copy), in ``Face.raw``.
* ``None`` means *not measured*: an absent attribute, or an enum value this
  module does not know, becomes ``None`` -- never a guess. Unknown enum values
  are listed in ``NormalizedResult.extra["unrecognised"]``.
* Anything that does not have the documented shape (wrong type, missing box,
  non-numeric or non-finite number, value outside its documented range) raises
  :class:`MalformedResultError` naming the field, e.g.
  ``oss-faces result: Figures[0].Boundary.Width is not a number: 'abc'``.
* A provider-reported failure (Moderation ``Code`` != 200, IMM/OSS error
  documents, ``success: false``) raises :class:`ProviderError`, a
  :class:`DetectorError` carrying the code and whether a retry may help.
* Zero faces is a valid, empty result.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from facecurator.domain.face import (
    BLUR_SCALE_MODERATION_1,
    BLUR_SCALE_MODERATION_2,
    Blur,
    Box,
    Face,
    Gender,
    Glasses,
    Pose,
)
from facecurator.errors import ConfigError, DetectorError, MalformedResultError, SourceError

log = logging.getLogger("facecurator.normalize")

SHAPES: Final = ("oss-faces", "imm", "imm-detectface-legacy", "green-1.0", "green-2.0")

#: Stored result files larger than this are refused (a face result is a few KiB).
MAX_RESULT_BYTES: Final = 64 * 1024 * 1024

#: Enum spellings, compared case-insensitively. Anything else -> None (not measured).
_GLASSES_VALUES: Final[dict[str, Glasses]] = {
    "none": "none",
    "glasses": "glasses",  # IMM / OSS
    "common": "glasses",  # Moderation 2.0
    "wear": "glasses",  # Moderation 1.0
    "sunglass": "sunglasses",  # Moderation 1.0 / 2.0
    "sunglasses": "sunglasses",
}
_MASK_VALUES: Final = {"none": False, "mask": True, "wear": True}
_HAT_VALUES: Final = {"none": False, "hat": True, "wear": True}
_BEARD_VALUES: Final = {"none": False, "beard": True, "has": True}
_GENDER_VALUES: Final[dict[str, Gender]] = {"male": "male", "female": "female"}

#: Moderation 2.0 response codes (seed green-2.0-facedetect-global, "Code Description").
_GREEN2_CODES: Final = {
    400: "not all request parameters are configured",
    401: "a request parameter is invalid",
    402: "invalid request parameters",
    403: "QPS limit exceeded (throttled)",
    404: "the image could not be downloaded",
    405: "downloading the image timed out",
    406: "the image is too large",
    407: "the image format is not supported",
    408: "no permission (service not activated, overdue payment or not authorised)",
    500: "system exception",
}
_GREEN2_RETRYABLE: Final = frozenset({403, 405, 500})
_GREEN2_THROTTLED: Final = frozenset({403})

#: Moderation 1.0 common error codes (Content Moderation "Returned results", common error codes).
_GREEN1_CODES: Final = {
    280: "PROCESSING",
    400: "BAD_REQUEST",
    401: "NOT_ALLOWED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    480: "DOWNLOAD_FAILED",
    500: "GENERAL_ERROR",
    503: "ServiceUnavailable",
    580: "DB_FAILED",
    581: "TIMEOUT",
    585: "CACHE_FAILED",
    586: "ALGO_FAILED",
    587: "MQ_FAILED",
    588: "EXCEED_QUOTA",
    589: "TOO_LARGE",
    590: "BAD_FORMAT",
    591: "CONNECTION_POOL_FULL",
    592: "DOWNLOAD_TIMEOUT",
    594: "EXPIRED",
}
#: The codes whose documentation says "try again" (or wait, for 280 / 588).
_GREEN1_RETRYABLE: Final = frozenset({280, 500, 503, 580, 581, 585, 588, 591, 592})
_GREEN1_THROTTLED: Final = frozenset({588})


class ProviderError(DetectorError):
    """The provider answered, but with a business error instead of faces.

    Attributes:
        shape: the result shape (``None`` for a generic Alibaba Cloud error document).
        code: the provider's error code (int for Moderation, str for IMM/OSS).
        request_id: the provider's request id, for support tickets.
        retryable: a later retry may succeed (throttling, timeouts, server errors).
        throttled: the call was refused for exceeding the QPS limit.
    """

    def __init__(
        self,
        message: str,
        *,
        shape: str | None,
        code: int | str | None,
        request_id: str | None = None,
        retryable: bool = False,
        throttled: bool = False,
    ) -> None:
        super().__init__(message)
        self.shape = shape
        self.code = code
        self.request_id = request_id
        self.retryable = retryable
        self.throttled = throttled


@dataclass(frozen=True)
class NormalizedResult:
    """Canonical faces of one provider response.

    ``width``/``height`` are the image size when the payload tells it
    (Moderation 1.0 ``extras``), else ``None``. ``extra`` holds what the
    canonical face has no field for but an operator may want to see
    (request id, Moderation 1.0 ``qualified`` flags, Moderation 2.0 labels,
    unrecognised enum values); it is JSON-serialisable.
    """

    faces: list[Face]
    shape: str
    width: int | None = None
    height: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- loading


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
        raise SourceError(f"{path}: cannot read result file: {exc.strerror or exc}") from None
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


# --------------------------------------------------------------------------- shape detection


def detect_shape(payload: Any) -> str:
    """Name the shape of a provider response (one of :data:`SHAPES`).

    Accepts what :func:`normalize` accepts (parsed JSON, JSON text, an SDK
    model with ``to_map()``, the SDK's ``{"headers", "statusCode", "body"}``).

    Raises:
        MalformedResultError: ``unrecognised result shape: ...``.
        ProviderError: the payload is an error document, not a result.
    """
    return _detect(_unwrap(payload))


def _looks_like_green2(data: dict[str, Any]) -> bool:
    """Moderation 2.0 in any key casing (``Data``/``data`` holding ``Ext`` or ``Result``)."""
    inner = next((v for k, v in data.items() if isinstance(k, str) and k.lower() == "data"), None)
    return isinstance(inner, dict) and any(
        isinstance(k, str) and k.lower() in ("ext", "result") for k in inner
    )


def _detect(data: Any) -> str:
    if not isinstance(data, dict):
        raise MalformedResultError(f"unrecognised result shape: expected a JSON object, got {_kind(data)}")
    if "Figures" in data:
        return "oss-faces"
    if "Faces" in data:
        faces = data["Faces"]
        legacy_top = any(k in data for k in ("ImageUri", "httpStatusCode", "success"))
        legacy_face = isinstance(faces, list) and any(
            isinstance(f, dict) and ("FaceAttributes" in f or "FaceConfidence" in f) for f in faces
        )
        return "imm-detectface-legacy" if legacy_top or legacy_face else "imm"
    if "Data" in data or ("Code" in data and "Msg" in data) or _looks_like_green2(data):
        return "green-2.0"
    if "faces" in data or ("code" in data and ("msg" in data or "extras" in data)):
        return "green-1.0"
    _raise_for_generic_error(data)
    keys = ", ".join(sorted(str(k) for k in data)[:8]) or "no keys"
    raise MalformedResultError(f"unrecognised result shape: object with {keys}")


def _unwrap(payload: Any, shape: str | None = None) -> Any:
    """Peel transport wrappers: text, SDK models, ``{statusCode, body}``, 1.0 ``data[]``."""
    for _ in range(6):
        if isinstance(payload, (str, bytes, bytearray)):
            payload = load_result_text(payload)
            continue
        to_map = getattr(payload, "to_map", None)
        if callable(to_map) and not isinstance(payload, dict):
            payload = to_map()
            continue
        if isinstance(payload, dict) and "body" in payload and not _has_shape_keys(payload):
            status = payload.get("statusCode")
            if status is not None and not (isinstance(status, int) and 200 <= status < 300):
                raise ProviderError(
                    f"provider call failed with HTTP status {status!r}",
                    shape=None,
                    code=status if isinstance(status, (int, str)) else None,
                    retryable=isinstance(status, int) and (status == 429 or status >= 500),
                    throttled=status == 429,
                )
            payload = payload["body"]
            continue
        if (
            isinstance(payload, dict)
            and shape in (None, "green-1.0")
            and "data" in payload
            and "faces" not in payload
            and not _looks_like_green2(payload)
        ):
            payload = _unwrap_green1_envelope(payload)
            continue
        return payload
    raise MalformedResultError("result is wrapped too deeply (body/data envelopes)")


def _has_shape_keys(data: dict[str, Any]) -> bool:
    return any(k in data for k in ("Figures", "Faces", "faces", "Data", "Code", "code"))


def _unwrap_green1_envelope(envelope: dict[str, Any]) -> Any:
    try:
        return _green1_task(envelope)
    except MalformedResultError as exc:
        if str(exc).startswith("green-1.0 result:"):
            raise
        raise MalformedResultError(f"green-1.0 result: {exc}") from None


def _green1_task(envelope: dict[str, Any]) -> Any:
    """Moderation 1.0 common envelope: ``{code, msg, requestId, data: [task]}``.

    One normalise call describes one image, so the envelope must hold exactly
    one task (``data`` an object or a one-element list); a task may carry its
    faces directly or in its single ``results[]`` entry.
    """
    _check_green1_code(envelope, "")
    data = envelope["data"]
    if isinstance(data, list):
        if len(data) != 1:
            raise MalformedResultError(
                f"green-1.0 result: data holds {len(data)} tasks; normalise one image's task at a time"
            )
        task, path = data[0], "data[0]"
    else:
        task, path = data, "data"
    if not isinstance(task, dict):
        raise MalformedResultError(f"green-1.0 result: {path} must be an object, got {_kind(task)}")
    _check_green1_code(task, path + ".")
    results = task.get("results")
    if "faces" not in task and isinstance(results, list):
        with_faces = [r for r in results if isinstance(r, dict) and "faces" in r]
        if len(with_faces) != 1:
            raise MalformedResultError(
                f"green-1.0 result: {path}.results has {len(with_faces)} entries with faces, expected 1"
            )
        merged = {k: v for k, v in task.items() if k != "results"}
        merged.update(with_faces[0])
        task = merged
    if "faces" not in task and "code" not in task:
        raise MalformedResultError(f"green-1.0 result: {path} has no faces")
    if "requestId" in envelope and "requestId" not in task:
        task = {**task, "requestId": envelope["requestId"]}
    return task


def _raise_for_generic_error(data: dict[str, Any]) -> None:
    """Alibaba Cloud POP error document: ``{"Code": "...", "Message": "...", "RequestId": ...}``."""
    if any(k in data for k in ("Figures", "Faces", "faces", "Data")):
        return
    code = data.get("Code")
    if isinstance(code, str) and not code.strip().isdigit() and "Message" in data:
        request_id = data.get("RequestId")
        raise ProviderError(
            f"provider error {code}: {_short(data.get('Message'))}"
            + (f" [RequestId {request_id}]" if request_id else ""),
            shape=None,
            code=code,
            request_id=request_id if isinstance(request_id, str) else None,
            retryable=code.startswith(("Throttling", "ServiceUnavailable", "InternalError")),
            throttled=code.startswith("Throttling"),
        )


# --------------------------------------------------------------------------- normalise


def normalize(payload: Any, *, shape: str | None = None, pro: bool | None = None) -> NormalizedResult:
    """Normalise one provider response to canonical faces.

    Args:
        payload: parsed JSON (dict), JSON text/bytes, an SDK response model
            (anything with ``to_map()``), or the SDK's whole-response map.
        shape: force a shape (one of :data:`SHAPES`); detected when ``None``.
        pro: Moderation 2.0 only -- whether ``faceDetect_pro_global`` was
            called. ``None`` infers it from the presence of ``face_*`` labels.

    Raises:
        MalformedResultError: the payload does not have the shape's documented form.
        ProviderError: the provider reported a business error.
        ConfigError: ``shape`` is not a known shape name.
    """
    if shape is not None and shape not in SHAPES:
        raise ConfigError(f"unknown result shape {shape!r}; expected one of {', '.join(SHAPES)}")
    data = _unwrap(payload, shape)
    if isinstance(data, dict):
        _raise_for_generic_error(data)
    resolved = shape or _detect(data)
    ctx = _Context(resolved)
    try:
        root = _Obj(data, "", ctx)
        result = _PARSERS[resolved](root, ctx, pro)
    except MalformedResultError as exc:
        raise MalformedResultError(f"{resolved} result: {exc}") from None
    except RecursionError:
        raise MalformedResultError(f"{resolved} result: nested too deeply") from None
    if ctx.unrecognised:
        result.extra["unrecognised"] = ctx.unrecognised
        log.warning("%s result: treated as not measured: %s", resolved, "; ".join(ctx.unrecognised))
    return result


class _Context:
    """Per-call state: the shape name and the enum values we did not recognise."""

    def __init__(self, shape: str) -> None:
        self.shape = shape
        self.unrecognised: list[str] = []


class _Obj:
    """A JSON object with its path, for field access that explains failures.

    Keys are looked up exactly first, then case-insensitively (SDK maps and
    hand-edited files vary in casing); a missing key reads as ``None``.
    """

    __slots__ = ("ctx", "data", "path")

    def __init__(self, data: Any, path: str, ctx: _Context) -> None:
        if not isinstance(data, dict):
            where = path or "result"
            raise MalformedResultError(f"{where} must be an object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        self.path = path
        self.ctx = ctx

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        lowered = key.lower()
        for k, v in self.data.items():
            if isinstance(k, str) and k.lower() == lowered:
                return v
        return None

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def obj(self, key: str) -> _Obj | None:
        value = self.get(key)
        return None if value is None else _Obj(value, self.at(key), self.ctx)

    def need(self, key: str) -> _Obj:
        value = self.get(key)
        if value is None:
            raise MalformedResultError(f"{self.at(key)} is missing")
        return _Obj(value, self.at(key), self.ctx)

    def items(self, key: str, *, required: bool) -> Iterator[_Obj]:
        value = self.get(key)
        if value is None:
            if required:
                raise MalformedResultError(f"{self.at(key)} is missing")
            return
        if not isinstance(value, list):
            raise MalformedResultError(f"{self.at(key)} must be a list, got {_kind(value)}")
        for index, item in enumerate(value):
            yield _Obj(item, f"{self.at(key)}[{index}]", self.ctx)

    def num(self, key: str, *, low: float | None = None, high: float | None = None) -> float | None:
        value = self.get(key)
        return None if value is None else _number(value, self.at(key), low, high)

    def need_num(self, key: str) -> float:
        value = self.get(key)
        if value is None:
            raise MalformedResultError(f"{self.at(key)} is missing")
        return _number(value, self.at(key))

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if value is None or isinstance(value, str):
            return value
        raise MalformedResultError(f"{self.at(key)} must be a string, got {_kind(value)}")

    def enum(self, key: str, table: dict[str, Any]) -> Any:
        """Map an enum (a string, or a ``{"Value": ...}`` object) through ``table``."""
        value = self.get(key)
        path = self.at(key)
        if isinstance(value, dict):
            inner = _Obj(value, path, self.ctx)
            value, path = inner.get("Value"), inner.at("Value")
        if value is None:
            return None
        if not isinstance(value, str):
            raise MalformedResultError(f"{path} must be a string, got {_kind(value)}")
        mapped = table.get(value.strip().lower())
        if mapped is None:
            self.ctx.unrecognised.append(f"{path}={_short(value)}")
        return mapped


def _number(value: Any, path: str, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedResultError(f"{path} is not a number: {_short(value)}")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise MalformedResultError(f"{path} is not a number: {_short(repr(value))}") from None
    else:
        try:
            number = float(value)
        except OverflowError:
            raise MalformedResultError(f"{path} is too large: {_short(value)}") from None
    if not math.isfinite(number):
        raise MalformedResultError(f"{path} is not finite: {_short(value)}")
    # float32 artefacts (0.9990000128746033) may overshoot a bound by a hair: clamp those.
    slack = 1e-6 * max(1.0, abs(low or 0.0), abs(high or 0.0))
    if low is not None and number < low:
        if number < low - slack:
            raise MalformedResultError(f"{path} {number:g} is below {low:g}")
        number = low
    if high is not None and number > high:
        if number > high + slack:
            raise MalformedResultError(f"{path} {number:g} is above {high:g}")
        number = high
    return number


def _box(obj: _Obj, x: str, y: str, w: str, h: str) -> Box:
    left, top, width, height = (obj.need_num(k) for k in (x, y, w, h))
    if width <= 0 or height <= 0:
        raise MalformedResultError(f"{obj.path} has an empty box ({w} {width:g}, {h} {height:g})")
    return Box(left, top, width, height)


def _pose(obj: _Obj | None, pitch: str, yaw: str, roll: str) -> Pose | None:
    """A pose needs all three angles; any one missing means the pose was not measured."""
    if obj is None:
        return None
    angles = [obj.num(k, low=-180.0, high=180.0) for k in (pitch, yaw, roll)]
    if any(a is None for a in angles):
        return None
    return Pose(*angles)  # type: ignore[arg-type]


def _age(obj: _Obj, key: str = "Age") -> int | None:
    value = obj.num(key, low=0.0, high=150.0)
    return None if value is None else round(value)


def _request_id(obj: _Obj, key: str = "RequestId") -> dict[str, Any]:
    request_id = obj.text(key)
    return {"request_id": request_id} if request_id else {}


# ----------------------------------------------------------------- IMM family (0-1 scores)


def _imm_figure(face: _Obj, confidence_key: str = "FigureConfidence") -> Face:
    """One ``Figures[]`` / ``Faces[]`` element of OSS image/faces or IMM DetectImageFaces."""
    return Face(
        box=_box(face.need("Boundary"), "Left", "Top", "Width", "Height"),
        confidence=face.num(confidence_key, low=0.0, high=1.0),
        pose=_pose(face.obj("HeadPose"), "Pitch", "Yaw", "Roll"),
        sharpness=face.num("Sharpness", low=0.0, high=1.0),
        quality=face.num("FaceQuality", low=0.0, high=1.0),
        glasses=face.enum("Glasses", _GLASSES_VALUES),
        mask=face.enum("Mask", _MASK_VALUES),
        hat=face.enum("Hat", _HAT_VALUES),
        beard=face.enum("Beard", _BEARD_VALUES),
        age=_age(face),
        gender=face.enum("Gender", _GENDER_VALUES),
        raw=copy.deepcopy(face.data),
    )


def _parse_oss_faces(root: _Obj, ctx: _Context, pro: bool | None) -> NormalizedResult:
    faces = [_imm_figure(f) for f in root.items("Figures", required=True)]
    return NormalizedResult(faces, ctx.shape, extra=_request_id(root))


def _parse_imm(root: _Obj, ctx: _Context, pro: bool | None) -> NormalizedResult:
    faces = [_imm_figure(f) for f in root.items("Faces", required=True)]
    return NormalizedResult(faces, ctx.shape, extra=_request_id(root))


def _parse_imm_legacy(root: _Obj, ctx: _Context, pro: bool | None) -> NormalizedResult:
    extra = _request_id(root)
    success = root.get("success")
    status = root.get("httpStatusCode")
    if success is False or (status is not None and status not in (200, "200")):
        code = root.get("Code") or root.get("code") or status
        raise ProviderError(
            f"imm/detectface failed: {_short(code)}: {_short(root.get('Message') or root.get('message'))}"
            + (f" [RequestId {extra['request_id']}]" if extra else ""),
            shape=ctx.shape,
            code=code if isinstance(code, (int, str)) else None,
            request_id=extra.get("request_id"),
            retryable=status in (429, 500, 502, 503, 504),
            throttled=status == 429,
        )
    image_uri = root.text("ImageUri")
    if image_uri:
        extra["image_uri"] = image_uri
    faces = []
    for face in root.items("Faces", required=True):
        attributes = face.obj("FaceAttributes")
        # Boundary, pose and the attribute enums live in FaceAttributes; tolerate
        # them at face level too (some stored copies are flattened).
        flattened = attributes is None or (face.has("FaceBoundary") and not attributes.has("FaceBoundary"))
        where = face if flattened else attributes
        boundary = where.need("FaceBoundary")
        attr = attributes or face

        def pick(key: str, attr: _Obj = attr, face: _Obj = face) -> _Obj:
            return attr if attr.has(key) else face

        faces.append(
            Face(
                box=_box(boundary, "Left", "Top", "Width", "Height"),
                confidence=face.num("FaceConfidence", low=0.0, high=1.0),
                pose=_pose(pick("HeadPose").obj("HeadPose"), "Pitch", "Yaw", "Roll"),
                sharpness=pick("Sharpness").num("Sharpness", low=0.0, high=1.0),
                quality=pick("FaceQuality").num("FaceQuality", low=0.0, high=1.0),
                glasses=pick("Glasses").enum("Glasses", _GLASSES_VALUES),
                mask=pick("Mask").enum("Mask", _MASK_VALUES),
                hat=pick("Hat").enum("Hat", _HAT_VALUES),
                beard=pick("Beard").enum("Beard", _BEARD_VALUES),
                age=_age(face),
                gender=face.enum("Gender", _GENDER_VALUES),
                raw=copy.deepcopy(face.data),
            )
        )
    return NormalizedResult(faces, ctx.shape, extra=extra)


# ------------------------------------------------------------------------- Moderation 1.0


def _check_green1_code(data: dict[str, Any], path: str) -> None:
    code = data.get("code")
    if code is None:
        return
    numeric = int(_number(code, f"{path}code"))
    if numeric != 200:
        request_id = data.get("requestId") or data.get("taskId")
        name = _GREEN1_CODES.get(numeric, "unknown code")
        raise ProviderError(
            f"green /green/face/detect failed: code {numeric} ({name}): {_short(data.get('msg'))}"
            + (f" [{request_id}]" if isinstance(request_id, str) else ""),
            shape="green-1.0",
            code=numeric,
            request_id=request_id if isinstance(request_id, str) else None,
            retryable=numeric in _GREEN1_RETRYABLE,
            throttled=numeric in _GREEN1_THROTTLED,
        )


def _parse_green1(root: _Obj, ctx: _Context, pro: bool | None) -> NormalizedResult:
    _check_green1_code(root.data, root.path)
    extra: dict[str, Any] = {}
    for key, name in (
        ("requestId", "request_id"),
        ("taskId", "task_id"),
        ("dataId", "data_id"),
        ("url", "url"),
    ):
        value = root.text(key)
        if value:
            extra[name] = value
    width = height = None
    extras = root.obj("extras")
    if extras is not None:
        width = _dimension(extras, "width")
        height = _dimension(extras, "height")
    faces = []
    qualified: list[bool | None] = []
    for face in root.items("faces", required=False):
        quality = face.obj("quality")
        blur = quality.num("blur", low=0.0, high=20.0) if quality is not None else None
        provider_qualified = face.get("qualified")
        if provider_qualified is not None and not isinstance(provider_qualified, bool):
            raise MalformedResultError(
                f"{face.at('qualified')} must be true or false, got {_kind(provider_qualified)}"
            )
        qualified.append(provider_qualified)
        faces.append(
            Face(
                box=_box(face.need("location"), "x", "y", "w", "h"),
                pose=_pose(quality, "pitch", "yaw", "roll"),
                blur=Blur(blur, BLUR_SCALE_MODERATION_1) if blur is not None else None,
                glasses=face.enum("glasses", _GLASSES_VALUES),
                mask=face.enum("respirator", _MASK_VALUES),
                hat=face.enum("hat", _HAT_VALUES),
                beard=face.enum("mustache", _BEARD_VALUES),
                raw=copy.deepcopy(face.data),
            )
        )
    # The provider's own verdict (blur < 5, no sunglasses, |angles| <= 30), per face.
    extra["provider_qualified"] = qualified
    return NormalizedResult(faces, ctx.shape, width, height, extra)


def _dimension(obj: _Obj, key: str) -> int | None:
    value = obj.num(key, low=1.0, high=1_000_000.0)
    if value is None:
        return None
    if value != int(value):
        raise MalformedResultError(f"{obj.at(key)} is not a whole number of pixels: {value:g}")
    return int(value)


# ------------------------------------------------------------------------- Moderation 2.0


def _parse_green2(root: _Obj, ctx: _Context, pro: bool | None) -> NormalizedResult:
    extra = _request_id(root)
    code_value = root.get("Code")
    if code_value is None:
        raise MalformedResultError(f"{root.at('Code')} is missing")
    code = _number(code_value, root.at("Code"))
    if code != 200:
        icode = int(code)
        meaning = _GREEN2_CODES.get(icode, "unknown code")
        raise ProviderError(
            f"green ImageModeration failed: Code {icode} ({meaning}): {_short(root.get('Msg'))}"
            + (f" [RequestId {extra['request_id']}]" if extra else ""),
            shape=ctx.shape,
            code=icode,
            request_id=extra.get("request_id"),
            retryable=icode in _GREEN2_RETRYABLE,
            throttled=icode in _GREEN2_THROTTLED,
        )
    data = root.need("Data")
    for key, name in (("DataId", "data_id"), ("RiskLevel", "risk_level")):
        value = data.text(key)
        if value:
            extra[name] = value
    ext = data.obj("Ext")
    faces = []
    for face in ext.items("FaceData", required=False) if ext is not None else ():
        quality = face.obj("Quality")
        blur = quality.num("Blur", low=0.0, high=100.0) if quality is not None else None
        faces.append(
            Face(
                box=_box(face.need("Location"), "X", "Y", "W", "H"),
                pose=_pose(quality, "Pitch", "Yaw", "Roll"),
                blur=Blur(blur, BLUR_SCALE_MODERATION_2) if blur is not None else None,
                integrity=quality.num("Integrity", low=0.0, high=100.0) if quality is not None else None,
                glasses=face.enum("Glasses", _GLASSES_VALUES),
                mask=face.enum("Mask", _MASK_VALUES),
                hat=face.enum("Hat", _HAT_VALUES),
                beard=face.enum("Mustache", _BEARD_VALUES),
                age=_age(face),
                gender=face.enum("Gender", _GENDER_VALUES),
                raw=copy.deepcopy(face.data),
            )
        )
    labels = _green2_labels(data)
    extra["labels"] = labels
    eyes_closed, is_pro = _green2_eyes_closed(labels, len(faces), pro)
    extra["pro"] = is_pro
    if eyes_closed is not None:
        faces = [f.with_changes(eyes_closed=eyes_closed) for f in faces]
    return NormalizedResult(faces, ctx.shape, extra=extra)


def _green2_labels(data: _Obj) -> list[dict[str, Any]]:
    labels = []
    for item in data.items("Result", required=False):
        label = item.text("Label")
        if not label:
            raise MalformedResultError(f"{item.at('Label')} is missing")
        labels.append(
            {
                "label": label,
                "confidence": item.num("Confidence", low=0.0, high=100.0),
                "description": item.text("Description"),
            }
        )
    return labels


def _green2_eyes_closed(
    labels: list[dict[str, Any]], face_count: int, pro: bool | None
) -> tuple[bool | None, bool | None]:
    """Attribute the image-level ``face_eyesClosed`` label to a face, where that is sound.

    The professional edition judges closed eyes for the whole image ("we
    recommend single-face scenarios"), so the label is only attributed when
    exactly one face was found. The standard edition does not measure it.

    Returns:
        (eyes_closed for every face or None, whether the pro service answered or None).
    """
    names = {str(item["label"]).lower() for item in labels}
    is_pro = pro if pro is not None else (True if any(n.startswith("face_") for n in names) else None)
    if not is_pro or face_count != 1 or not names:
        return None, is_pro
    return "face_eyesclosed" in names, is_pro


_PARSERS: Final[dict[str, Callable[[_Obj, _Context, bool | None], NormalizedResult]]] = {
    "oss-faces": _parse_oss_faces,
    "imm": _parse_imm,
    "imm-detectface-legacy": _parse_imm_legacy,
    "green-1.0": _parse_green1,
    "green-2.0": _parse_green2,
}


# --------------------------------------------------------------------------- helpers


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preview(text: str) -> str:
    return _short(text, 60)
