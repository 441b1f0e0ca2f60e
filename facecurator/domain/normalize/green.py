"""Content Moderation 1.0 and 2.0 (face detection / image moderation results), with their
business codes."""

from __future__ import annotations

import copy
from typing import Any, Final

from facecurator.domain.face import (
    BLUR_SCALE_MODERATION_1,
    BLUR_SCALE_MODERATION_2,
    Blur,
    Face,
)
from facecurator.domain.normalize.common import (
    _BEARD_VALUES,
    _GENDER_VALUES,
    _GLASSES_VALUES,
    _HAT_VALUES,
    _MASK_VALUES,
    NormalizedResult,
    ProviderError,
    _age,
    _box,
    _Context,
    _kind,
    _number,
    _Obj,
    _pose,
    _request_id,
    _short,
)
from facecurator.errors import MalformedResultError

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
#: The account is refused (not activated, overdue, not authorised): every call fails alike.
_GREEN2_REFUSED: Final = frozenset({408})

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
_GREEN1_REFUSED: Final = frozenset({401, 403})


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
            refused=numeric in _GREEN1_REFUSED,
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
            refused=icode in _GREEN2_REFUSED,
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
