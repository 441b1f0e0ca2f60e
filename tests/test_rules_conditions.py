"""The conditions one by one: enrollment-strict's, integrity, glasses, the other reasons,
named measures, immutable editing and conditions refused as configuration errors."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from helpers.rules import ONE, good_face, reason_of

from facecurator.domain.face import Box, Face, Measure, MeasureSet, Pose
from facecurator.domain.rules import (
    AgeRange,
    BlurCondition,
    FaceCount,
    ImageContext,
    MeasureCondition,
    MinConfidence,
    MinIntegrity,
    MinQuality,
    MinSharpness,
    NoGlasses,
    NoHat,
    NoMask,
    NoSunglasses,
    PoseCondition,
    RuleSet,
    load_rules,
    make_condition,
)
from facecurator.errors import ConfigError


def test_enrollment_strict_conditions() -> None:
    rules = load_rules("enrollment-strict")
    assert reason_of(rules, good_face(), "face_count", ImageContext(2)) == (
        "fail",
        "2 faces in the image, need exactly 1",
    )
    assert reason_of(rules, good_face(), "face_count") == ("pass", "1 face in the image")
    assert not rules.evaluate(good_face(), ImageContext(2)).qualified
    assert reason_of(rules, good_face(box=Box(0, 0, 98, 300)), "min_face_size") == (
        "fail",
        "face 98 px < 112 px",
    )
    assert reason_of(rules, good_face(box=Box(0, 0, 300, 112)), "min_face_size") == (
        "pass",
        "face 112 px ≥ 112 px",
    )
    assert reason_of(rules, good_face(box=Box(0, 0, 111.99, 300)), "min_face_size") == (
        "fail",
        "face 111.99 px < 112 px",
    )
    assert reason_of(rules, good_face(mask=True), "no_mask") == ("fail", "mask")
    assert reason_of(rules, good_face(eyes_closed=True), "eyes_open") == ("fail", "eyes closed")
    assert reason_of(rules, good_face(eyes_closed=False), "eyes_open") == ("pass", "eyes open")
    assert reason_of(rules, good_face(integrity=79.9), "min_integrity") == ("fail", "integrity 79.9 < 80")
    assert reason_of(rules, good_face(integrity=80.0), "min_integrity") == ("pass", "integrity 80.0 ≥ 80")
    assert reason_of(rules, good_face(integrity=None), "min_integrity") == ("pass", "integrity not measured")
    assert rules.evaluate(good_face(integrity=None), ONE).qualified
    assert not rules.evaluate(good_face(integrity=79.99), ONE).qualified


def test_integrity_required_makes_unmeasured_unknown() -> None:
    rules = RuleSet("r", (MinIntegrity(min=80, required=True),))
    assert reason_of(rules, good_face(integrity=None), "min_integrity") == (
        "unknown",
        "integrity not measured",
    )
    assert not rules.evaluate(good_face(integrity=None), ONE).qualified


def test_sunglasses_and_glasses() -> None:
    rules = RuleSet("r", (NoSunglasses(), NoGlasses()))
    assert [r.reason for r in rules.evaluate(good_face(glasses="sunglasses"), ONE).results] == [
        "sunglasses",
        "sunglasses",
    ]
    verdict = rules.evaluate(good_face(glasses="glasses"), ONE)
    assert [(r.outcome, r.reason) for r in verdict.results] == [
        ("pass", "glasses, not sunglasses"),
        ("fail", "glasses"),
    ]
    assert [r.reason for r in rules.evaluate(good_face(glasses="none"), ONE).results] == [
        "no sunglasses",
        "no glasses",
    ]
    assert [r.reason for r in rules.evaluate(good_face(glasses=None), ONE).results] == [
        "glasses not measured",
        "glasses not measured",
    ]


def test_other_conditions_reasons() -> None:
    rules = RuleSet(
        "r",
        (
            MinConfidence(min=0.95),
            MinQuality(min=0.5),
            MinSharpness(min=0.3),
            NoHat(),
            AgeRange(min=18, max=60),
            AgeRange(id="adult", min=18, max=None),
            AgeRange(id="young", min=None, max=40),
        ),
    )
    face = good_face(confidence=0.949, quality=0.3, sharpness=0.389, hat=True, age=70)
    assert [(r.outcome, r.reason) for r in rules.evaluate(face, ONE).results] == [
        ("fail", "confidence 0.949 < 0.95"),
        ("fail", "quality 0.30 < 0.5"),
        ("pass", "sharpness 0.39 ≥ 0.3"),
        ("fail", "hat"),
        ("fail", "age 70 > 60"),
        ("pass", "age 70 ≥ 18"),
        ("fail", "age 70 > 40"),
    ]
    young = good_face(age=12)
    assert [r.reason for r in rules.evaluate(young, ONE).results][4:] == [
        "age 12 < 18",
        "age 12 < 18",
        "age 12 ≤ 40",
    ]
    assert reason_of(rules, good_face(age=30), "age_range") == ("pass", "age 30 in 18–60")


# --------------------------------------------------------------------------- named measures


def test_measure_condition_reasons_and_unknowns() -> None:
    rules = load_rules("enrollment-strict")
    sunglasses = good_face(
        measures=MeasureSet(
            {
                "eyes_visible": Measure(0.21, "sunglasses?"),
                "eyes_open": Measure(None, "right eye: sunglasses?"),
            }
        )
    )
    assert reason_of(rules, sunglasses, "measure_eyes_visible") == (
        "fail",
        "eyes not visible (sunglasses?) 0.21 < 0.5",
    )
    # an eye that cannot be seen is never "open": unknown, with the reason, and not qualified
    assert reason_of(rules, sunglasses, "measure_eyes_open") == (
        "unknown",
        "eyes open not measured (right eye: sunglasses?)",
    )
    assert reason_of(rules, sunglasses, "measure_nose_mouth_visible") == (
        "unknown",
        "nose and mouth visible not measured",
    )
    assert not rules.evaluate(sunglasses, ONE).qualified
    assert reason_of(rules, good_face(), "measure_eyes_visible") == ("pass", "eyes visible 0.90 ≥ 0.5")
    closed = good_face(measures=MeasureSet({**good_face().measures, "eyes_open": Measure(0.3, "")}))
    assert reason_of(rules, closed, "measure_eyes_open") == ("fail", "eye closed 0.30 < 0.5")
    # on the boundary: 0.5 passes, just below fails and never prints as "0.50"
    at = good_face(measures=MeasureSet({**good_face().measures, "eyes_visible": Measure(0.4999)}))
    assert reason_of(rules, at, "measure_eyes_visible") == ("fail", "eyes not visible 0.4999 < 0.5")
    # unknown under a pass policy is ignored, never counted as a pass of the measure itself
    lenient = replace(rules, unknown="pass")
    result = next(r for r in lenient.evaluate(sunglasses, ONE).results if r.condition == "measure_eyes_open")
    assert result.outcome == "unknown"
    assert not lenient.evaluate(sunglasses, ONE).qualified  # eyes_visible still fails


def test_measure_condition_toml_and_validation() -> None:
    rules = RuleSet.from_toml(
        'name = "x"\n[[conditions]]\nkind = "measure"\nmeasure = "face_visible"\nmin = 0.7\n'
    )
    assert rules.conditions == (MeasureCondition(measure="face_visible", min=0.7),)
    assert RuleSet.from_toml(rules.to_toml()) == rules
    with pytest.raises(ConfigError, match="measure must be one of"):
        make_condition("measure", measure="aura")
    with pytest.raises(ConfigError, match="min must be between 0 and 1"):
        make_condition("measure", measure="eyes_visible", min=1.5)


def test_faces_keep_their_measures_through_json() -> None:
    face = good_face(
        measures=MeasureSet({"eyes_visible": Measure(0.21, "sunglasses?"), "eyes_open": Measure(None, "x")})
    )
    again = Face.from_json(json.loads(json.dumps(face.to_json())))
    assert again.measures == face.measures and again == face
    old = face.to_json()
    del old["measures"]  # results and catalogs written before the measures existed
    assert Face.from_json(old).measures == {}


def test_binary_measures_read_as_words() -> None:
    rules = load_rules("enrollment-strict")
    blurred = good_face(
        measures=MeasureSet(
            {**good_face().measures, "sharp": Measure(0.0, "little detail (out of focus or enlarged)")}
        )
    )
    assert reason_of(rules, blurred, "measure_sharp") == (
        "fail",
        "blurred (little detail (out of focus or enlarged))",
    )
    assert reason_of(rules, good_face(), "measure_sharp") == ("pass", "sharp")
    unknown = good_face(
        measures=MeasureSet({**good_face().measures, "photograph": Measure(None, "not measured")})
    )
    assert reason_of(rules, unknown, "measure_photograph") == (
        "unknown",
        "a photograph not measured (not measured)",
    )
    assert not rules.evaluate(unknown, ONE).qualified


# --------------------------------------------------------------------------- editing


def test_immutable_editing_helpers() -> None:
    base = load_rules("moderation-2.0")
    added = base.with_condition(NoMask())
    assert [c.id for c in added.conditions][-1] == "no_mask"
    assert len(base.conditions) == 5
    first = base.with_condition(FaceCount(), index=0)
    assert first.conditions[0] == FaceCount()
    with pytest.raises(ConfigError, match="pose_yaw"):
        base.with_condition(PoseCondition(axis="yaw", max_degrees=20))
    looser = base.replace_condition("pose_yaw", PoseCondition(axis="yaw", max_degrees=45))
    assert looser.condition("pose_yaw").max_degrees == 45  # type: ignore[attr-defined]
    assert looser.evaluate(good_face(pose=Pose(0, 40, 0)), ONE).qualified
    assert not base.evaluate(good_face(pose=Pose(0, 40, 0)), ONE).qualified
    fewer = base.without_condition("no_sunglasses")
    assert fewer.evaluate(good_face(glasses="sunglasses"), ONE).qualified
    with pytest.raises(KeyError):
        base.without_condition("nope")
    with pytest.raises(KeyError):
        base.replace_condition("nope", NoMask())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BlurCondition(max=25, scale="0-20"), "at most 20 on the 0-20 scale"),
        (lambda: BlurCondition(max=0, scale="0-100"), "above 0"),
        (lambda: BlurCondition(max=5, scale="0-10"), "scale must be one of"),
        (lambda: PoseCondition(axis="tilt"), "axis must be one of pitch, yaw, roll"),
        (lambda: PoseCondition(axis="yaw", max_degrees=500), "max_degrees must be between 0 and 180"),
        (lambda: make_condition("pose", axis="yaw", max_degrees=True), "max_degrees must be a number"),
        (lambda: make_condition("pose", max_degrees=20), "missing parameter 'axis'"),
        (lambda: make_condition("face_count", count=1.5), "whole number"),
        (lambda: make_condition("min_confidence", min=float("nan")), "finite"),
        (lambda: make_condition("min_quality", min=1.5), "between 0 and 1"),
        (lambda: make_condition("age_range", min=None, max=None), "give min, max or both"),
        (lambda: make_condition("age_range", min=60, max=18), "above max"),
        (lambda: make_condition("no_mask", id="bad id!"), "id must be"),
        (lambda: make_condition("teleport"), "unknown condition kind 'teleport'"),
        (lambda: make_condition("no_mask", strict=True), "unknown parameter 'strict'"),
    ],
)
def test_bad_conditions_are_config_errors(make: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        make()  # type: ignore[operator]
