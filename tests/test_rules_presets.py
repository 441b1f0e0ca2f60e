"""Built-in presets: listed first and loaded from the resources tree, their conditions
match the contract, the vendor examples, and each preset's pose and blur boundaries
(blur on a foreign or unknown scale)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers.rules import ONE, good_face, reason_of

from facecurator import paths
from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.rules import (
    BLUR_SCALE_MAPPING,
    BUILTIN_PRESETS,
    DEFAULT_PRESET,
    BlurCondition,
    EyesOpen,
    FaceCount,
    MeasureCondition,
    MinFaceSize,
    MinIntegrity,
    NoMask,
    NoSunglasses,
    PoseCondition,
    RuleSet,
    convert_blur,
    list_presets,
    load_rules,
)


def test_builtin_presets_are_listed_first_and_load() -> None:
    assert DEFAULT_PRESET == "moderation-2.0"
    assert list_presets()[: len(BUILTIN_PRESETS)] == list(BUILTIN_PRESETS)
    for name in BUILTIN_PRESETS:
        rules = load_rules(name)
        assert rules.name == name
        assert rules.unknown == "fail"
        assert rules.description
        assert rules.evaluate(good_face(), ONE).qualified, name
        assert load_rules(name.upper()) == rules


def test_presets_are_read_from_the_resources_tree() -> None:
    for name in BUILTIN_PRESETS:
        path = paths.resource_path("presets", f"{name}.toml")
        assert path.is_file()
        assert RuleSet.from_toml(path.read_text(encoding="utf-8")) == load_rules(name)


def test_preset_conditions_match_the_contract() -> None:
    poses = tuple(PoseCondition(axis=axis, max_degrees=30) for axis in ("pitch", "yaw", "roll"))
    assert load_rules("moderation-1.0").conditions == (
        BlurCondition(max=5, scale="0-20"),
        *poses,
        NoSunglasses(),
    )
    moderation2 = (BlurCondition(max=25, scale="0-100"), *poses, NoSunglasses())
    assert load_rules("moderation-2.0").conditions == moderation2
    assert load_rules("enrollment-strict").conditions == (
        *moderation2,
        FaceCount(count=1),
        MinFaceSize(min_px=112),
        NoMask(),
        EyesOpen(),
        MinIntegrity(min=80, required=False),
        MeasureCondition(measure="eyes_visible", min=0.5),
        MeasureCondition(measure="eyes_open", min=0.5),
        MeasureCondition(measure="nose_mouth_visible", min=0.5),
        *(
            MeasureCondition(measure=name, min=0.5)
            for name in (
                "sharp",
                "no_compression_artefacts",
                "full_resolution",
                "not_underexposed",
                "not_overexposed",
                "photograph",
            )
        ),
    )
    assert load_rules("enrollment-iso").conditions == (
        *load_rules("enrollment-strict").conditions,
        MeasureCondition(measure="face_visible", min=0.5),
    )


def test_moderation_1_agrees_with_the_vendor_example() -> None:
    """seeds/green-1.0-face-detect: blur 6.44 > 5 makes the vendor say qualified=false."""
    face = Face(
        box=Box(134, 135, 116, 116),
        pose=Pose(pitch=21.21, yaw=21.12, roll=0.38),
        blur=Blur(6.44, "0-20"),
        glasses="none",
        mask=False,
        hat=False,
    )
    verdict = load_rules("moderation-1.0").evaluate(face, ONE)
    assert not verdict.qualified
    assert verdict.reasons == ["blur 6.4 ≥ 5 (0-20)"]
    assert [r.outcome for r in verdict.results] == ["fail", "pass", "pass", "pass", "pass"]


def test_moderation_2_and_strict_on_the_vendor_example() -> None:
    """seeds/green-2.0-facedetect-global example face: 98x98 box, Blur 13.72, Integrity 100."""
    face = Face(
        box=Box(550, 251, 98, 98),
        pose=Pose(pitch=5.84, yaw=21.22, roll=3.66),
        blur=Blur(13.72, "0-100"),
        integrity=100.0,
        glasses="none",
        mask=False,
        hat=False,
    )
    assert load_rules("moderation-2.0").evaluate(face, ONE).qualified
    strict = load_rules("enrollment-strict").evaluate(face, ONE)
    assert not strict.qualified
    # a cloud detector measures no visibility: unknown, and unknown fails in enrollment presets
    assert strict.reasons == [
        "face 98 px < 112 px",
        "eyes not measured",
        "eyes visible not measured",
        "eyes open not measured",
        "nose and mouth visible not measured",
        "sharp not measured",
        "no compression artefacts not measured",
        "full resolution not measured",
        "not underexposed not measured",
        "not overexposed not measured",
        "a photograph not measured",
    ]
    assert reason_of(load_rules("enrollment-strict"), face, "min_integrity") == (
        "pass",
        "integrity 100.0 ≥ 80",
    )


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize("preset", BUILTIN_PRESETS)
@pytest.mark.parametrize("axis", ["pitch", "yaw", "roll"])
@pytest.mark.parametrize(
    ("angle", "outcome", "reason"),
    [
        (30.0, "pass", "{axis} 30.0° ≤ 30°"),
        (-30.0, "pass", "{axis} -30.0° ≥ -30°"),
        (30.01, "fail", "{axis} 30.01° > 30°"),
        (-30.01, "fail", "{axis} -30.01° < -30°"),
        (41.23, "fail", "{axis} 41.2° > 30°"),
        (3.2, "pass", "{axis} 3.2° ≤ 30°"),
    ],
)
def test_pose_boundaries(preset: str, axis: str, angle: float, outcome: str, reason: str) -> None:
    rules = load_rules(preset)
    pose = replace(Pose(1.0, 2.0, 3.0), **{axis: angle})
    face = good_face(pose=pose)
    assert reason_of(rules, face, f"pose_{axis}") == (outcome, reason.format(axis=axis))
    assert rules.evaluate(face, ONE).qualified is (outcome == "pass")


@pytest.mark.parametrize(
    ("value", "outcome", "reason"),
    [
        (4.99, "pass", "blur 4.99 < 5 (0-20)"),
        (5.0, "fail", "blur 5.0 ≥ 5 (0-20)"),
        (6.44, "fail", "blur 6.4 ≥ 5 (0-20)"),
        (0.0, "pass", "blur 0.0 < 5 (0-20)"),
    ],
)
def test_moderation_1_blur_boundary(value: float, outcome: str, reason: str) -> None:
    rules = load_rules("moderation-1.0")
    face = good_face(blur=Blur(value, "0-20"))
    assert reason_of(rules, face, "blur") == (outcome, reason)
    assert rules.evaluate(face, ONE).qualified is (outcome == "pass")


@pytest.mark.parametrize(
    ("value", "outcome", "reason"),
    [
        (24.99, "pass", "blur 24.99 < 25 (0-100)"),
        (25.0, "fail", "blur 25.0 ≥ 25 (0-100)"),
    ],
)
def test_moderation_2_blur_boundary(value: float, outcome: str, reason: str) -> None:
    assert reason_of(load_rules("moderation-2.0"), good_face(blur=Blur(value, "0-100")), "blur") == (
        outcome,
        reason,
    )


@pytest.mark.parametrize(
    ("preset", "blur", "outcome", "reason"),
    [
        (
            "moderation-2.0",
            Blur(31.0, "local-0-100"),
            "fail",
            "blur 31.0 (local-0-100, as 31.0 on 0-100) ≥ 25",
        ),
        (
            "moderation-2.0",
            Blur(24.9, "local-0-100"),
            "pass",
            "blur 24.9 (local-0-100, as 24.9 on 0-100) < 25",
        ),
        ("moderation-2.0", Blur(4.99, "0-20"), "pass", "blur 4.99 (0-20, as 24.95 on 0-100) < 25"),
        ("moderation-2.0", Blur(5.0, "0-20"), "fail", "blur 5.0 (0-20, as 25.0 on 0-100) ≥ 25"),
        ("moderation-1.0", Blur(25.0, "0-100"), "fail", "blur 25.0 (0-100, as 5.0 on 0-20) ≥ 5"),
        ("moderation-1.0", Blur(24.9, "0-100"), "pass", "blur 24.9 (0-100, as 4.98 on 0-20) < 5"),
        ("moderation-1.0", Blur(31.0, "local-0-100"), "fail", "blur 31.0 (local-0-100, as 6.2 on 0-20) ≥ 5"),
    ],
)
def test_blur_on_a_foreign_scale_is_converted(preset: str, blur: Blur, outcome: str, reason: str) -> None:
    assert reason_of(load_rules(preset), good_face(blur=blur), "blur") == (outcome, reason)


def test_blur_on_a_foreign_scale_without_conversion_is_unknown() -> None:
    rules = RuleSet("no-convert", (BlurCondition(max=25, scale="0-100", convert=False),))
    assert reason_of(rules, good_face(blur=Blur(1.0, "0-20")), "blur") == (
        "unknown",
        "blur on 0-20 scale, rule needs 0-100",
    )
    assert not rules.evaluate(good_face(blur=Blur(1.0, "0-20")), ONE).qualified
    assert reason_of(rules, good_face(blur=Blur(1.0, "0-100")), "blur") == ("pass", "blur 1.0 < 25 (0-100)")


@pytest.mark.parametrize("convert", [True, False])
def test_blur_on_an_unknown_scale_is_unknown(convert: bool) -> None:
    rules = RuleSet("r", (BlurCondition(max=25, scale="0-100", convert=convert),))
    assert reason_of(rules, good_face(blur=Blur(1.0, "0-10")), "blur") == (
        "unknown",
        "blur on unknown scale '0-10'",
    )


def test_blur_mapping_is_documented_and_consistent() -> None:
    assert BLUR_SCALE_MAPPING[("0-20", "0-100")] == (5, 1)
    assert BLUR_SCALE_MAPPING[("local-0-100", "0-100")] == (1, 1)
    assert convert_blur(5.0, "0-20", "0-100") == 25.0
    assert convert_blur(25.0, "0-100", "0-20") == 5.0
    assert convert_blur(25.0, "local-0-100", "0-20") == 5.0
    assert convert_blur(7.0, "0-20", "0-20") == 7.0
    assert convert_blur(7.0, "0-20", "furlongs") is None
    # every mapping has its inverse, so converting there and back is the identity
    for (source, target), (mul, div) in BLUR_SCALE_MAPPING.items():
        assert BLUR_SCALE_MAPPING[(target, source)] == (div, mul)
    import facecurator.domain.rules as rules_module

    assert "BLUR_SCALE_MAPPING" in rules_module.__doc__ or "× 5" in rules_module.__doc__
