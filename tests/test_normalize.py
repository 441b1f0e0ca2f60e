"""Provider responses -> canonical faces, on the seed documents' own samples.

The fixtures in ``tests/fixtures/seeds/`` are the seeds' sample responses
copied byte for byte (the legacy ``imm/detectface`` one keeps its trailing
commas); ``test_fixtures_are_verbatim_copies_of_the_seeds`` proves it when
``../shared/seeds`` is present.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from facecurator.domain.face import Face
from facecurator.domain.normalize import (
    SHAPES,
    NormalizedResult,
    ProviderError,
    detect_shape,
    load_result_file,
    load_result_text,
    normalize,
)
from facecurator.errors import (
    ConfigError,
    DetectorError,
    FacecuratorError,
    MalformedResultError,
    SourceError,
)

FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

#: fixture file -> (seed document it was copied from, expected shape)
FIXTURE_SOURCES = {
    "oss-faces.json": ("oss-image-faces.zh-Hant.txt", "oss-faces"),
    "imm.json": ("imm-detect-image-faces.en.txt", "imm"),
    "imm-detectface-legacy.json": ("oss-imm-detectface-legacy.zh-Hans.txt", "imm-detectface-legacy"),
    "green-1.0.json": ("green-1.0-face-detect.en.txt", "green-1.0"),
    "green-2.0-standard.json": ("green-2.0-facedetect-global.en.txt", "green-2.0"),
    "green-2.0-pro.json": ("green-2.0-facedetect-global.en.txt", "green-2.0"),
}


def sample(name: str) -> Any:
    return load_result_file(FIXTURES / name)


def sample_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ the fixtures themselves


def test_fixtures_are_verbatim_copies_of_the_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not available at {SEEDS} (../shared exists only on our machines)")
    for fixture, (seed, _shape) in FIXTURE_SOURCES.items():
        seed_text = (SEEDS / seed).read_text(encoding="utf-8")
        assert sample_text(fixture) in seed_text, f"{fixture} is not a verbatim excerpt of {seed}"


def test_every_shape_has_a_fixture() -> None:
    assert {shape for _seed, shape in FIXTURE_SOURCES.values()} == set(SHAPES)


@pytest.mark.parametrize(("fixture", "expected"), [(k, v[1]) for k, v in FIXTURE_SOURCES.items()])
def test_detect_shape_on_every_seed_sample(fixture: str, expected: str) -> None:
    assert detect_shape(sample(fixture)) == expected
    # text and bytes are parsed on the way in
    assert detect_shape(sample_text(fixture)) == expected
    assert detect_shape((FIXTURES / fixture).read_bytes()) == expected


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


# --------------------------------------------------------------------- cross-cutting rules


@pytest.mark.parametrize("spelling", ["none", "NONE", "None", " nOnE "])
def test_enums_are_case_insensitive(spelling: str) -> None:
    data = sample("oss-faces.json")
    data["Figures"][0].update(Glasses=spelling, Mask=spelling, Hat=spelling, Beard=spelling)
    [face] = normalize(data).faces
    assert (face.glasses, face.mask, face.hat, face.beard) == ("none", False, False, False)


def test_unknown_enum_values_become_not_measured_and_are_reported() -> None:
    data = sample("oss-faces.json")
    data["Figures"][0].update(Glasses="monocle", Gender="", Hat="helmet")
    result = normalize(data)
    [face] = result.faces
    assert (face.glasses, face.gender, face.hat) == (None, None, None)
    assert face.mask is False  # the rest still maps
    assert result.extra["unrecognised"] == [
        "Figures[0].Glasses=monocle",
        "Figures[0].Hat=helmet",
        "Figures[0].Gender=",
    ]


@pytest.mark.parametrize("fixture", sorted(FIXTURE_SOURCES))
def test_raw_is_the_providers_face_object_untouched(fixture: str) -> None:
    data = sample(fixture)
    pristine = copy.deepcopy(data)
    result = normalize(data)
    assert data == pristine  # normalising never mutates the payload
    provider_faces = {
        "oss-faces": lambda d: d["Figures"],
        "imm": lambda d: d["Faces"],
        "imm-detectface-legacy": lambda d: d["Faces"],
        "green-1.0": lambda d: d["faces"],
        "green-2.0": lambda d: d["Data"]["Ext"]["FaceData"],
    }[result.shape]
    assert [f.raw for f in result.faces] == provider_faces(pristine)
    provider_faces(data)[0]["injected"] = True  # raw is a copy: later edits of the payload do not leak in
    assert "injected" not in (result.faces[0].raw or {})


@pytest.mark.parametrize("fixture", sorted(FIXTURE_SOURCES))
def test_round_trip_through_contract_json(fixture: str) -> None:
    result = normalize(sample(fixture))
    json.dumps(result.extra)  # extra is JSON-serialisable (stored in the catalog)
    for face in result.faces:
        text = json.dumps(face.to_json(), allow_nan=False)
        again = Face.from_json(json.loads(text))
        assert again == face
        assert again.raw == face.raw


def test_zero_faces_everywhere() -> None:
    assert normalize({"RequestId": "r", "Figures": []}).faces == []
    assert normalize({"RequestId": "r", "Faces": []}) == NormalizedResult(
        [], "imm", extra={"request_id": "r"}
    )
    empty_legacy = {"Faces": [], "ImageUri": "oss://b/k", "success": True, "httpStatusCode": 200}
    assert normalize(empty_legacy).shape == "imm-detectface-legacy"


def test_forced_shape_and_unknown_shape_name() -> None:
    assert normalize(sample("imm.json"), shape="imm").shape == "imm"
    with pytest.raises(MalformedResultError, match=r"imm result: Faces is missing"):
        normalize(sample("green-2.0-standard.json"), shape="imm")
    with pytest.raises(ConfigError, match="unknown result shape 'rekognition'"):
        normalize(sample("imm.json"), shape="rekognition")


def test_values_are_clamped_only_within_float_noise() -> None:
    data = sample("oss-faces.json")
    data["Figures"][0]["Sharpness"] = 1.0000000001  # float32 round-off
    assert normalize(data).faces[0].sharpness == 1.0


# ------------------------------------------------------------------- hostile payloads

_OSS = "oss-faces.json"


def _oss(**changes: Any) -> dict:
    data = sample(_OSS)
    data["Figures"][0].update(changes)
    return data


def _edit(fixture: str, path: tuple, value: Any) -> dict:
    data = sample(fixture)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


HOSTILE: list[tuple[str, Any, type[FacecuratorError], str]] = [
    (
        "top-level list",
        [{"Figures": []}],
        MalformedResultError,
        "unrecognised result shape: expected a JSON object",
    ),
    ("top-level number", 12345, MalformedResultError, "got a number"),
    ("null", None, MalformedResultError, "got null"),
    (
        "unknown object",
        {"foo": 1, "bar": 2},
        MalformedResultError,
        "unrecognised result shape: object with bar, foo",
    ),
    (
        "Figures not a list",
        {"Figures": {"a": 1}},
        MalformedResultError,
        "Figures must be a list, got an object",
    ),
    (
        "face is a string",
        {"Figures": ["face"]},
        MalformedResultError,
        "Figures[0] must be an object, got a string",
    ),
    ("missing Boundary", _oss(Boundary=None), MalformedResultError, "Figures[0].Boundary is missing"),
    (
        "Boundary is a list",
        _oss(Boundary=[1, 2, 3, 4]),
        MalformedResultError,
        "Figures[0].Boundary must be an object",
    ),
    (
        "non-numeric Left",
        _edit(_OSS, ("Figures", 0, "Boundary", "Left"), "abc"),
        MalformedResultError,
        "Figures[0].Boundary.Left is not a number: 'abc'",
    ),
    (
        "NaN Width",
        _edit(_OSS, ("Figures", 0, "Boundary", "Width"), math.nan),
        MalformedResultError,
        "Figures[0].Boundary.Width is not finite",
    ),
    (
        "missing Height",
        _edit(_OSS, ("Figures", 0, "Boundary", "Height"), None),
        MalformedResultError,
        "Figures[0].Boundary.Height is missing",
    ),
    (
        "empty box",
        _edit(_OSS, ("Figures", 0, "Boundary", "Width"), 0),
        MalformedResultError,
        "Figures[0].Boundary has an empty box",
    ),
    (
        "bool confidence",
        _oss(FigureConfidence=True),
        MalformedResultError,
        "Figures[0].FigureConfidence is not a number",
    ),
    ("sharpness above 1", _oss(Sharpness=1.5), MalformedResultError, "Figures[0].Sharpness 1.5 is above 1"),
    ("negative age", _oss(Age=-3), MalformedResultError, "Figures[0].Age -3 is below 0"),
    (
        "numeric enum",
        _oss(Glasses=5),
        MalformedResultError,
        "Figures[0].Glasses must be a string, got a number",
    ),
    (
        "infinite yaw",
        _edit(_OSS, ("Figures", 0, "HeadPose", "Yaw"), math.inf),
        MalformedResultError,
        "Figures[0].HeadPose.Yaw is not finite",
    ),
    (
        "HeadPose a string",
        _oss(HeadPose="frontal"),
        MalformedResultError,
        "Figures[0].HeadPose must be an object",
    ),
    (
        "legacy without FaceBoundary",
        _edit("imm-detectface-legacy.json", ("Faces", 0, "FaceAttributes", "FaceBoundary"), None),
        MalformedResultError,
        "Faces[0].FaceAttributes.FaceBoundary is missing",
    ),
    (
        "green-1.0 location.w text",
        _edit("green-1.0.json", ("faces", 0, "location", "w"), "wide"),
        MalformedResultError,
        "faces[0].location.w is not a number: 'wide'",
    ),
    (
        "green-1.0 extras.width text",
        _edit("green-1.0.json", ("extras", "width"), "328px"),
        MalformedResultError,
        "extras.width is not a number",
    ),
    (
        "green-1.0 blur off its 0-20 scale",
        _edit("green-1.0.json", ("faces", 0, "quality", "blur"), 64.4),
        MalformedResultError,
        "faces[0].quality.blur 64.4 is above 20",
    ),
    (
        "green-1.0 qualified a string",
        _edit("green-1.0.json", ("faces", 0, "qualified"), "no"),
        MalformedResultError,
        "faces[0].qualified must be true or false",
    ),
    (
        "green-2.0 without Data",
        {"Code": 200, "Msg": "success", "RequestId": "r"},
        MalformedResultError,
        "green-2.0 result: Data is missing",
    ),
    (
        "green-2.0 negative blur",
        _edit("green-2.0-standard.json", ("Data", "Ext", "FaceData", 0, "Quality", "Blur"), -1),
        MalformedResultError,
        "Data.Ext.FaceData[0].Quality.Blur -1 is below 0",
    ),
    (
        "green-2.0 Result of strings",
        _edit("green-2.0-pro.json", ("Data", "Result"), ["face_eyesClosed"]),
        MalformedResultError,
        "Data.Result[0] must be an object",
    ),
    (
        "green-2.0 Location a list",
        _edit("green-2.0-pro.json", ("Data", "Ext", "FaceData", 0, "Location"), [550, 251, 98, 98]),
        MalformedResultError,
        "Data.Ext.FaceData[0].Location must be an object, got a list",
    ),
    ("green-2.0 throttled", {"Code": 403, "Msg": "too many"}, ProviderError, "Code 403 (QPS limit exceeded"),
    ("green-1.0 code 400", {"code": 400, "msg": "bad url"}, ProviderError, "code 400 (BAD_REQUEST): bad url"),
    (
        "green-1.0 code not a number",
        {"code": "OK?", "msg": "x", "faces": []},
        MalformedResultError,
        "code is not",
    ),
    (
        "IMM error document",
        {"RequestId": "r", "HostId": "imm.aliyuncs.com", "Code": "ResourceNotFound", "Message": "no project"},
        ProviderError,
        "provider error ResourceNotFound: no project",
    ),
    ("empty text", "", MalformedResultError, "result is empty"),
    ("whitespace text", " \n\t ", MalformedResultError, "result is empty"),
    (
        "HTML error page",
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        MalformedResultError,
        "result is an HTML page (502 Bad Gateway), not JSON",
    ),
    (
        "OSS XML error",
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        "<Message>The specified key does not exist.</Message><RequestId>5C3D</RequestId></Error>",
        ProviderError,
        "provider error NoSuchKey: The specified key does not exist. [RequestId 5C3D]",
    ),
    (
        "truncated JSON",
        '{"Figures": [{"Boundary": {"Left": 280,',
        MalformedResultError,
        "result is not valid JSON",
    ),
    ("NaN literal", '{"Figures": [], "x": NaN}', MalformedResultError, "NaN is not a JSON number"),
    ("not UTF-8", b'{"Figures": []}\xff\xfe\x80', MalformedResultError, "not UTF-8 text"),
    ("nested too deeply", "[" * 200_000 + "]" * 200_000, MalformedResultError, "nested too deeply"),
    ("envelope with bad status", {"statusCode": 404, "body": "{}"}, ProviderError, "HTTP status 404"),
]


@pytest.mark.parametrize(
    ("payload", "error", "message"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_payloads_give_clear_errors(payload: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        normalize(payload)
    assert type(info.value) is error  # never a KeyError/TypeError, never a bare DetectorError
    assert message in str(info.value)
    assert "\n" not in str(info.value)  # one-line messages


def test_hostile_table_is_large_enough() -> None:
    assert len(HOSTILE) >= 12
    assert {h[2] for h in HOSTILE} == {MalformedResultError, ProviderError}


# ----------------------------------------------------------------------------- loading


def test_lenient_parse_keeps_commas_inside_strings_and_strips_bom() -> None:
    text = '\ufeff{"a": "x,}", "b": [1, 2, ], "c": {"d": ",]",},}'
    assert load_result_text(text) == {"a": "x,}", "b": [1, 2], "c": {"d": ",]"}}
    assert load_result_text(b"\xef\xbb\xbf" + b'{"Figures": []}') == {"Figures": []}
    assert load_result_text('{"Figures": []}'.encode("utf-16")) == {"Figures": []}


@pytest.mark.parametrize("text", ["[,]", '{"a": 1,,}', '{,"a": 1}', '{"a": 1 "b": 2}'])
def test_lenient_parse_still_refuses_real_syntax_errors(text: str) -> None:
    with pytest.raises(MalformedResultError, match="result is not valid JSON"):
        load_result_text(text)


def test_load_result_file_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(MalformedResultError, match=r"empty\.json: result is empty"):
        load_result_file(empty)
    with pytest.raises(SourceError, match=r"missing\.json: cannot read result file"):
        load_result_file(tmp_path / "missing.json")
    with pytest.raises(SourceError, match="cannot read result file"):
        load_result_file(tmp_path)  # a directory
    xml = tmp_path / "error.json"
    xml.write_text("<Error><Code>AccessDenied</Code><Message>no</Message></Error>", encoding="utf-8")
    with pytest.raises(ProviderError, match=r"error\.json: provider error AccessDenied") as info:
        load_result_file(xml)
    assert info.value.code == "AccessDenied"
    monkeypatch.setattr("facecurator.domain.normalize.MAX_RESULT_BYTES", 100)
    with pytest.raises(MalformedResultError, match="too large"):
        load_result_file(FIXTURES / "imm.json")


def test_import_a_stored_legacy_file_end_to_end(tmp_path: Path) -> None:
    stored = tmp_path / "person.json"
    stored.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "imm-detectface-legacy.json").read_bytes())
    result = normalize(load_result_file(stored))
    assert result.shape == "imm-detectface-legacy"
    assert result.faces[0].box.w == 894
