"""Provider responses -> canonical faces, IMM family, on the seed documents' own samples:
OSS image/faces, IMM DetectImageFaces (plain, SDK map, SDK models) and the legacy
imm/detectface."""

from __future__ import annotations

import json

import pytest
from helpers.seed_samples import sample, sample_text

from facecurator.domain.normalize import (
    ProviderError,
    detect_shape,
    load_result_text,
    normalize,
)

# --------------------------------------------------------------------------- oss-faces


def test_oss_faces_seed_sample() -> None:
    result = normalize(sample("oss-faces.json"))
    assert result.shape == "oss-faces"
    assert (result.width, result.height) == (None, None)
    assert result.extra["request_id"] == "5F2389FE-A5E3-076F-B071-43A33DB0D716"
    [face] = result.faces
    assert (face.box.x, face.box.y, face.box.w, face.box.h) == (280, 36, 70, 87)
    assert face.confidence == pytest.approx(0.999)
    assert face.pose is not None
    assert face.pose.pitch == pytest.approx(-12.309)
    assert face.pose.yaw == pytest.approx(3.443)
    assert face.pose.roll == pytest.approx(-11.362)
    assert face.sharpness == pytest.approx(0.887)
    assert face.quality == pytest.approx(0.829)
    assert face.blur is None and face.integrity is None and face.landmarks is None
    assert face.glasses == "none"
    assert face.mask is False
    assert face.hat is True  # "Hat": "hat"
    assert face.beard is False
    assert face.eyes_closed is None
    assert face.age == 12
    assert face.gender == "male"
    assert face.raw is not None and face.raw["FigureId"] == "d39651db-9dc4-469f-8834-d2fcf30e179e"


# --------------------------------------------------------------------------------- imm


IMM_EXPECTED = [
    # box x, y, w, h; pitch, yaw, roll; sharpness; confidence; mask; age; gender
    ((138, 102, 17, 19), (-9.386, 14.624, -3.478), 0.025, 0.998, False, 36, "male"),
    ((85, 108, 14, 18), (-0.946, -39.264, -1.785), 0.095, 0.998, True, 34, "male"),
    ((245, 128, 13, 16), (21.686, 50.348, 16.806), 0.389, 0.991, True, 6, "female"),
    ((210, 130, 15, 18), (-3.356, 12.431, 1.734), 0.449, 0.985, False, 24, "male"),
]


def test_imm_seed_sample_four_faces() -> None:
    result = normalize(sample("imm.json"))
    assert result.shape == "imm"
    assert result.extra["request_id"] == "47449201-245D-58A7-B56B-BDA483874B20"
    assert len(result.faces) == 4
    for face, (box, pose, sharpness, confidence, mask, age, gender) in zip(
        result.faces, IMM_EXPECTED, strict=True
    ):
        assert (face.box.x, face.box.y, face.box.w, face.box.h) == box
        assert face.pose is not None
        assert (face.pose.pitch, face.pose.yaw, face.pose.roll) == pytest.approx(pose)
        assert face.sharpness == pytest.approx(sharpness)
        assert face.quality == pytest.approx(0.3)
        assert face.confidence == pytest.approx(confidence)
        assert face.mask is mask
        assert (face.glasses, face.hat, face.beard) == ("none", False, False)
        assert (face.age, face.gender) == (age, gender)
        assert face.blur is None and face.integrity is None and face.eyes_closed is None


def test_imm_wrapped_as_the_sdk_full_response_map() -> None:
    body = sample("imm.json")
    plain = normalize(body)
    for wrapped in ({"body": body}, {"headers": {"x-acs-request-id": "r"}, "statusCode": 200, "body": body}):
        assert detect_shape(wrapped) == "imm"
        assert normalize(wrapped) == plain


def test_imm_through_the_real_sdk_models() -> None:
    models = pytest.importorskip("alibabacloud_imm20200930.models")
    body = sample("imm.json")
    response = models.DetectImageFacesResponse().from_map({"headers": {}, "statusCode": 200, "body": body})
    assert response.to_map()["body"]["Faces"][0]["Boundary"]["Left"] == 138  # SDK keeps PascalCase
    from_model = normalize(response)  # an SDK model: normalize() calls to_map()
    assert from_model.shape == "imm"
    assert from_model.faces == normalize(body).faces
    assert normalize(response.body).faces == normalize(body).faces


def test_imm_error_status_in_sdk_map_is_a_provider_error() -> None:
    with pytest.raises(ProviderError, match="HTTP status 503") as info:
        normalize({"headers": {}, "statusCode": 503, "body": sample("imm.json")})
    assert info.value.retryable


# ---------------------------------------------------------------- imm-detectface-legacy


def test_legacy_sample_is_not_strict_json_but_loads() -> None:
    text = sample_text("imm-detectface-legacy.json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)  # the seed's trailing commas
    data = load_result_text(text)
    assert data["Faces"][0]["FaceAttributes"]["MaskConfidence"] == pytest.approx(0.9999999403953552)


def test_legacy_seed_sample() -> None:
    result = normalize(sample("imm-detectface-legacy.json"))
    assert result.shape == "imm-detectface-legacy"
    assert result.extra == {
        "request_id": "5C3D854A3243A93A275E9C99",
        "image_uri": "oss://image-demo/person.jpg",
    }
    [face] = result.faces
    assert (face.box.x, face.box.y, face.box.w, face.box.h) == (607, 628, 894, 928)
    assert face.confidence == pytest.approx(0.9704222083091736)
    assert face.gender == "male"  # "MALE"
    assert face.age == 29
    assert (face.glasses, face.mask, face.beard) == ("none", False, False)  # "NONE"
    assert face.hat is None  # the legacy API does not report hats: not measured
    assert face.pose is None and face.sharpness is None and face.quality is None
    assert face.raw is not None and face.raw["EmotionDetails"]["HAPPY"] == pytest.approx(0.9875330924987793)


def test_legacy_optional_head_pose_and_quality() -> None:
    data = sample("imm-detectface-legacy.json")
    data["Faces"][0]["FaceAttributes"]["HeadPose"] = {"Pitch": 1.5, "Roll": -2, "Yaw": 33}
    data["Faces"][0]["FaceQuality"] = 0.75
    [face] = normalize(data).faces
    assert face.pose is not None and (face.pose.pitch, face.pose.yaw, face.pose.roll) == (1.5, 33, -2)
    assert face.quality == 0.75


def test_legacy_failure_flag_is_a_provider_error() -> None:
    data = sample("imm-detectface-legacy.json")
    data.update(success=False, httpStatusCode=400, Code="InvalidParameter", Message="bad uri", Faces=[])
    with pytest.raises(ProviderError, match="InvalidParameter"):
        normalize(data)
