"""Shape detection, envelope unwrapping and :func:`normalize`, the one entry point."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from facecurator.domain.normalize.common import (
    SHAPES,
    NormalizedResult,
    ProviderError,
    _Context,
    _kind,
    _Obj,
    _short,
)
from facecurator.domain.normalize.green import _check_green1_code, _parse_green1, _parse_green2
from facecurator.domain.normalize.imm import _parse_imm, _parse_imm_legacy, _parse_oss_faces
from facecurator.domain.normalize.loading import load_result_text
from facecurator.errors import ConfigError, MalformedResultError

log = logging.getLogger("facecurator.normalize")


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


_PARSERS: Final[dict[str, Callable[[_Obj, _Context, bool | None], NormalizedResult]]] = {
    "oss-faces": _parse_oss_faces,
    "imm": _parse_imm,
    "imm-detectface-legacy": _parse_imm_legacy,
    "green-1.0": _parse_green1,
    "green-2.0": _parse_green2,
}
