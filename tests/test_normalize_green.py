"""Provider responses -> canonical faces, Content Moderation, on the seed documents' own
samples: Green 1.0 and 2.0 (standard and pro), enums, eyes-closed labels, envelopes,
business codes as provider errors, key casings, zero faces."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.seed_samples import sample

from facecurator.domain.normalize import (
    ProviderError,
    detect_shape,
    normalize,
)
from facecurator.errors import (
    DetectorError,
    MalformedResultError,
)

# --------------------------------------------------------------------------- green-1.0


def test_green1_seed_sample() -> None:
    result = normalize(sample("green-1.0.json"))
    assert result.shape == "green-1.0"
    assert (result.width, result.height) == (328, 390)  # extras are strings
    assert result.extra["provider_qualified"] == [False]
    assert result.extra["task_id"] == "img1uJtIrlwH$F4FA3h$Sxe2F-1tbWWx"
    [face] = result.faces
    assert (face.box.x, face.box.y, face.box.w, face.box.h) == (134, 135, 116, 116)
    assert face.blur is not None and (face.blur.value, face.blur.scale) == (6.44, "0-20")
    assert face.pose is not None and (face.pose.pitch, face.pose.yaw, face.pose.roll) == (21.21, 21.12, 0.38)
    assert (face.glasses, face.mask, face.hat, face.beard) == ("none", False, False, False)
    assert face.confidence is None  # Moderation reports no detection confidence
    assert (face.age, face.gender, face.eyes_closed, face.sharpness, face.integrity) == (None,) * 5
    assert face.raw is not None and face.raw["qualified"] is False  # kept in raw too


@pytest.mark.parametrize(
    ("glasses", "respirator", "mustache", "expected"),
    [
        ("Wear", "Wear", "Has", ("glasses", True, True)),
        ("Sunglass", "None", "None", ("sunglasses", False, False)),
        ("SUNGLASS", "wear", "has", ("sunglasses", True, True)),
    ],
)
def test_green1_enum_values(glasses: str, respirator: str, mustache: str, expected: tuple) -> None:
    data = sample("green-1.0.json")
    face_data = data["faces"][0]
    face_data["glasses"]["value"] = glasses
    face_data["respirator"]["value"] = respirator
    face_data["mustache"]["value"] = mustache
    [face] = normalize(data).faces
    assert (face.glasses, face.mask, face.beard) == expected


def test_green1_common_envelope() -> None:
    task = sample("green-1.0.json")
    plain = normalize(task)
    listed = {"code": 200, "msg": "OK", "requestId": "REQ-1", "data": [task]}
    assert detect_shape(listed) == "green-1.0"
    result = normalize(listed)
    assert result.faces == plain.faces and (result.width, result.height) == (328, 390)
    assert result.extra["request_id"] == "REQ-1"
    results_wrapped = {
        "code": 200,
        "data": [{"code": 200, "taskId": "t", "results": [{k: v for k, v in task.items() if k != "code"}]}],
    }
    assert normalize(results_wrapped).faces == plain.faces


def test_green1_envelope_with_several_images_is_refused() -> None:
    task = sample("green-1.0.json")
    with pytest.raises(MalformedResultError, match="data holds 2 tasks"):
        normalize({"code": 200, "data": [task, task]})


def test_green1_zero_faces_is_a_valid_empty_result() -> None:
    data = sample("green-1.0.json")
    data["faces"] = []
    result = normalize(data)
    assert result.faces == [] and result.extra["provider_qualified"] == []


# --------------------------------------------------------------------------- green-2.0


def test_green2_standard_seed_sample() -> None:
    result = normalize(sample("green-2.0-standard.json"))
    assert result.shape == "green-2.0"
    assert result.extra["request_id"] == "TEST001-2024-0307-0728-5201314YHX"
    assert result.extra["labels"] == [
        {"label": "nonLabel", "confidence": None, "description": "No risk detected"}
    ]
    assert result.extra["pro"] is None  # no face_* label: cannot tell which edition answered
    [face] = result.faces
    assert (face.box.x, face.box.y, face.box.w, face.box.h) == (550, 251, 98, 98)
    assert face.blur is not None and (face.blur.value, face.blur.scale) == (13.72, "0-100")
    assert face.integrity == 100
    assert face.pose is not None and (face.pose.pitch, face.pose.yaw, face.pose.roll) == (5.84, 21.22, 3.66)
    assert (face.glasses, face.mask, face.hat, face.beard) == ("none", False, False, False)
    assert (face.age, face.gender) == (24, "male")
    assert face.confidence is None
    assert face.eyes_closed is None  # standard edition: not measured


def test_green2_pro_seed_sample_single_face_exaggerated_means_eyes_open() -> None:
    result = normalize(sample("green-2.0-pro.json"))
    assert result.extra["pro"] is True  # inferred from the face_* label
    assert result.extra["labels"][0]["label"] == "face_exaggerated"
    assert result.extra["labels"][0]["confidence"] == 80.0
    [face] = result.faces
    assert face.eyes_closed is False
    assert face.blur is not None and face.blur.value == 13.72 and face.integrity == 100


def _with_labels(data: dict, *labels: str) -> dict:
    data["Data"]["Result"] = [{"Label": label, "Confidence": 90.0} for label in labels]
    return data


@pytest.mark.parametrize(
    ("fixture", "labels", "pro", "faces", "expected"),
    [
        ("green-2.0-pro.json", ("face_eyesClosed",), None, 1, True),
        ("green-2.0-pro.json", ("face_exaggerated", "face_eyesClosed"), None, 1, True),
        ("green-2.0-pro.json", ("FACE_EYESCLOSED",), True, 1, True),
        ("green-2.0-pro.json", ("nonLabel",), True, 1, False),  # the caller says pro: nonLabel = open
        ("green-2.0-pro.json", ("nonLabel",), None, 1, None),  # could be the standard edition
        ("green-2.0-pro.json", ("face_eyesClosed",), None, 2, None),  # whose eyes? not attributable
        ("green-2.0-pro.json", ("face_eyesClosed",), False, 1, None),  # caller: standard edition
        ("green-2.0-pro.json", (), True, 1, None),  # pro, but no label at all: not measured
        ("green-2.0-standard.json", ("nonLabel",), False, 1, None),
    ],
)
def test_green2_eyes_closed_semantics(
    fixture: str, labels: tuple[str, ...], pro: bool | None, faces: int, expected: bool | None
) -> None:
    data = _with_labels(sample(fixture), *labels)
    data["Data"]["Ext"]["FaceData"] = data["Data"]["Ext"]["FaceData"] * faces
    result = normalize(data, pro=pro)
    assert len(result.faces) == faces
    assert [f.eyes_closed for f in result.faces] == [expected] * faces
    assert [item["label"] for item in result.extra["labels"]] == list(labels)  # always kept


def test_green2_glasses_and_attribute_enums() -> None:
    data = sample("green-2.0-standard.json")
    face_data = data["Data"]["Ext"]["FaceData"][0]
    face_data["Glasses"] = "Common"
    face_data["Mask"]["Value"] = "Wear"
    face_data["Hat"]["Value"] = "WEAR"
    face_data["Mustache"]["Value"] = "Has"
    face_data["Gender"]["Value"] = "Female"
    [face] = normalize(data).faces
    assert (face.glasses, face.mask, face.hat, face.beard, face.gender) == (
        "glasses",
        True,
        True,
        True,
        "female",
    )
    face_data["Glasses"] = "Sunglass"
    assert normalize(data).faces[0].glasses == "sunglasses"


def test_green2_through_the_real_sdk_models() -> None:
    models = pytest.importorskip("alibabacloud_green20220302.models")
    body = sample("green-2.0-pro.json")
    response = models.ImageModerationResponse().from_map({"headers": {}, "statusCode": 200, "body": body})
    result = normalize(response)
    assert result.shape == "green-2.0"
    assert result.faces == normalize(body).faces
    assert result.faces[0].eyes_closed is False
    assert normalize(response.to_map()).faces == result.faces


@pytest.mark.parametrize(
    ("code", "retryable", "throttled"), [(403, True, True), (500, True, False), (407, False, False)]
)
def test_green2_business_codes_are_provider_errors(code: int, retryable: bool, throttled: bool) -> None:
    payload = {"Code": code, "Msg": "refused", "RequestId": "REQ-9"}  # HTTP 200 with its own Code
    assert detect_shape(payload) == "green-2.0"
    with pytest.raises(ProviderError, match=f"Code {code}") as info:
        normalize(payload)
    assert isinstance(info.value, DetectorError)
    assert (info.value.code, info.value.retryable, info.value.throttled) == (code, retryable, throttled)
    assert info.value.request_id == "REQ-9" and "REQ-9" in str(info.value)


def _recase(value: Any, recase: Any) -> Any:
    if isinstance(value, dict):
        return {recase(k): _recase(v, recase) for k, v in value.items()}
    if isinstance(value, list):
        return [_recase(v, recase) for v in value]
    return value


@pytest.mark.parametrize("recase", [str.lower, lambda k: k[:1].lower() + k[1:]], ids=["lower", "camel"])
def test_green2_other_key_casings(recase: Any) -> None:
    body = sample("green-2.0-pro.json")
    variant = _recase(body, recase)
    assert detect_shape(variant) == "green-2.0"
    assert normalize(variant).faces == normalize(body).faces
    assert normalize(variant).faces[0].eyes_closed is False


@pytest.mark.parametrize(
    ("code", "retryable", "throttled"), [(588, True, True), ("581", True, False), (590, False, False)]
)
def test_green1_business_codes_are_provider_errors(code: int | str, retryable: bool, throttled: bool) -> None:
    data = sample("green-1.0.json")
    data.update(code=code, msg="refused")
    with pytest.raises(ProviderError, match=f"code {code} ") as info:
        normalize(data)
    assert (info.value.code, info.value.retryable, info.value.throttled) == (int(code), retryable, throttled)
    assert info.value.request_id == "img1uJtIrlwH$F4FA3h$Sxe2F-1tbWWx"  # the taskId, for support


def test_green2_zero_faces_is_a_valid_empty_result() -> None:
    data = sample("green-2.0-standard.json")
    data["Data"]["Ext"]["FaceData"] = []
    assert normalize(data).faces == []
    del data["Data"]["Ext"]
    assert normalize(data).faces == []
