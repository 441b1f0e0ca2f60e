"""The IMM family (0-1 scores): OSS image/faces, IMM DetectImageFaces and the legacy DetectFace."""

from __future__ import annotations

import copy

from facecurator.domain.face import (
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
    _Obj,
    _pose,
    _request_id,
    _short,
)


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
        where = face if attributes is None or flattened else attributes
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
