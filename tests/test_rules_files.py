"""Rule sets as files: TOML round trips, defaults and errors naming the file and
condition, and user presets saved, listed, loaded and deleted (hostile names refused)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from facecurator import paths
from facecurator.domain.rules import (
    BUILTIN_PRESETS,
    CONDITION_TYPES,
    AgeRange,
    BlurCondition,
    EyesOpen,
    FaceCount,
    MeasureCondition,
    MinConfidence,
    MinFaceSize,
    MinIntegrity,
    MinQuality,
    MinSharpness,
    NoGlasses,
    NoHat,
    NoMask,
    NoSunglasses,
    PoseCondition,
    RuleSet,
    delete_user_preset,
    list_presets,
    load_rules,
    save_user_preset,
)
from facecurator.domain.rules.identity import EnrolledFace, IdentityConsistent, NoDuplicate
from facecurator.errors import ConfigError

# --------------------------------------------------------------------------- TOML


@pytest.mark.parametrize("name", BUILTIN_PRESETS)
def test_presets_round_trip_through_toml(name: str) -> None:
    rules = load_rules(name)
    text = rules.to_toml()
    assert "[[conditions]]" in text
    assert RuleSet.from_toml(text) == rules
    assert RuleSet.from_toml(text).description == rules.description


def full_user_rules() -> RuleSet:
    return RuleSet(
        "Door access — lobby 门禁",
        (
            BlurCondition(max=4.5, scale="0-20", convert=False),
            PoseCondition(axis="pitch", max_degrees=20),
            PoseCondition(axis="yaw", max_degrees=25.5),
            PoseCondition(id="roll_tight", axis="roll", max_degrees=10),
            NoSunglasses(),
            NoGlasses(),
            NoMask(),
            NoHat(),
            EyesOpen(),
            FaceCount(count=2),
            MinFaceSize(min_px=150.5),
            MinConfidence(min=0.97),
            MinQuality(min=0.6),
            MinSharpness(min=0.25),
            MinIntegrity(min=90, required=True),
            AgeRange(min=16, max=None),
            AgeRange(id="age_cap", min=None, max=70),
            IdentityConsistent(max_distance=0.55),
            EnrolledFace(),
            NoDuplicate(),
            MeasureCondition(measure="nose_mouth_visible", min=0.65),
        ),
        unknown="pass",
        description='Lobby turnstiles: strict "no glasses"\nsecond line',
    )


def test_user_rules_with_every_kind_round_trip() -> None:
    rules = full_user_rules()
    assert {c.kind for c in rules.conditions} == set(CONDITION_TYPES)
    again = RuleSet.from_toml(rules.to_toml())
    assert again == rules
    assert again.description == rules.description
    assert again.to_toml() == rules.to_toml()
    assert RuleSet.from_toml(rules.to_toml(), name="renamed").name == "renamed"


def test_hand_written_toml_defaults() -> None:
    text = """
name = "mine"

[[conditions]]
kind = "pose"
axis = "yaw"

[[conditions]]
kind = "blur"
max = 20
"""
    rules = RuleSet.from_toml(text)
    assert rules.unknown == "fail"
    assert rules.conditions == (
        PoseCondition(axis="yaw", max_degrees=30),
        BlurCondition(max=20, scale="0-100"),
    )
    assert [c.id for c in rules.conditions] == ["pose_yaw", "blur"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n[[conditions]\nkind = "blur"', "invalid TOML"),
        ('name = "x"\n[[conditions]]\nkind = "blur"\n[[conditions]]\nkind = "warp"', r"condition #2.*'warp'"),
        (
            'name = "x"\n[[conditions]]\nkind = "pose"\naxis = "yaw"\nmax_degrees = "thirty"',
            r"condition #1.*'pose_yaw' \(pose\): max_degrees must be a number",
        ),
        (
            'name = "x"\n[[conditions]]\nkind = "pose"\naxis = "yaw"\nmaxdegrees = 3',
            "unknown parameter 'maxdegrees'",
        ),
        ('name = "x"\n[[conditions]]\naxis = "yaw"', "no 'kind'"),
        (
            'name = "x"\n[[conditions]]\nkind = "pose"\naxis = "yaw"\n'
            '[[conditions]]\nkind = "pose"\naxis = "yaw"',
            "two conditions have the id 'pose_yaw'",
        ),
        ('name = "x"\nunknown = "maybe"', "unknown must be 'fail' or 'pass'"),
        ('name = "x"\nschema_version = 2', "newer than this facecurator"),
        ('name = "x"\nunkown = "pass"', "unknown key 'unkown'"),
        ('name = "x"\nconditions = 3', "array of tables"),
        ("description = 'no name'", "no 'name'"),
    ],
)
def test_bad_toml_names_the_file_and_condition(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        RuleSet.from_toml(text, source="mine.toml")
    assert str(info.value).startswith("mine.toml: ")
    assert "\n" not in str(info.value)


def test_bad_rules_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[[conditions]]\nkind = "pose"\naxis = "sideways"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: condition #1.*axis must be one of"):
        load_rules(str(bad))
    with pytest.raises(ConfigError, match="rules file not found"):
        load_rules(str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"unknown rules preset 'nonesuch'.*moderation-2\.0"):
        load_rules("nonesuch")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        load_rules(str(folder))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match=r"binary\.toml"):
        load_rules(str(binary))


def test_load_rules_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "site-rules.toml"
    path.write_text('[[conditions]]\nkind = "no_mask"\n', encoding="utf-8")
    rules = load_rules(str(path))
    assert rules.name == "site-rules"  # no name in the file: named after it
    assert rules.conditions == (NoMask(),)
    assert load_rules(path) == rules


# --------------------------------------------------------------------------- user presets


def test_save_list_load_delete_user_presets() -> None:
    rules = full_user_rules()
    path = save_user_preset(rules)
    assert path == paths.config_dir() / "presets" / f"{rules.name}.toml"
    assert path.is_file()
    assert load_rules(rules.name) == rules
    other = RuleSet("alpha", (NoMask(),))
    save_user_preset(other)
    assert list_presets() == [*BUILTIN_PRESETS, "alpha", rules.name]
    # saving again overwrites, atomically (no temp files left behind)
    save_user_preset(replace(other, conditions=(NoHat(),)))
    assert load_rules("alpha").conditions == (NoHat(),)
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(["alpha.toml", f"{rules.name}.toml"])
    delete_user_preset("alpha")
    assert list_presets() == [*BUILTIN_PRESETS, rules.name]
    with pytest.raises(ConfigError, match="no user preset named 'alpha'"):
        delete_user_preset("alpha")
    with pytest.raises(ConfigError, match="unknown rules preset 'alpha'"):
        load_rules("alpha")


def test_builtin_presets_cannot_be_overwritten_or_deleted() -> None:
    for name in (*BUILTIN_PRESETS, "Moderation-2.0", "ENROLLMENT-STRICT"):
        with pytest.raises(ConfigError, match="built-in"):
            save_user_preset(load_rules("moderation-2.0").renamed(name))
        with pytest.raises(ConfigError, match="built-in"):
            delete_user_preset(name)
    assert load_rules("moderation-2.0").name == "moderation-2.0"
    assert not (paths.config_dir() / "presets").exists() or not any(
        (paths.config_dir() / "presets").iterdir()
    )


def test_stray_files_in_the_presets_folder_are_not_presets() -> None:
    folder = paths.config_dir() / "presets"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    (folder / ".hidden.toml").write_text('name = "x"', encoding="utf-8")
    (folder / "moderation-2.0.toml").write_text('name = "shadow"', encoding="utf-8")
    assert list_presets() == list(BUILTIN_PRESETS)
    assert load_rules("moderation-2.0") == RuleSet.from_toml(
        paths.resource_path("presets", "moderation-2.0.toml").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../evil",
        "a/b",
        "a\\b",
        "/etc/passwd",
        "C:evil",
        "..",
        ".hidden",
        "trailing.",
        " padded",
        "padded ",
        "CON",
        "nul",
        "com1.backup",
        "LPT9",
        "x" * 500,
        "nul\x00byte",
        "tab\tname",
        "new\nline",
        "mine.toml",
        "star*",
        "what?",
        "pipe|",
        'quote"d',
        "<angle>",
        "bidi\u202eevil",
    ],
)
def test_hostile_preset_names_are_refused(name: str, tmp_path: Path) -> None:
    config = paths.config_dir()
    with pytest.raises(ConfigError, match=r"preset name|needs a name"):
        save_user_preset(RuleSet("placeholder", (NoMask(),)).renamed(name) if name.strip() else _named(name))
    with pytest.raises(ConfigError):
        delete_user_preset(name)
    written = [p for p in config.parent.rglob("*") if p.is_file()]
    assert written == [], written


def _named(name: str) -> RuleSet:
    """A rule set cannot even be built with a blank name; simulate one to reach save_user_preset."""
    rules = RuleSet("placeholder", (NoMask(),))
    object.__setattr__(rules, "name", name)
    return rules


def test_blank_rule_set_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="needs a name"):
        RuleSet("  ", ())


def test_unicode_preset_names_are_fine() -> None:
    rules = RuleSet("门禁 – 严格 (v2)", (NoMask(),))
    path = save_user_preset(rules)
    assert path.name == "门禁 – 严格 (v2).toml"
    assert load_rules("门禁 – 严格 (v2)") == rules
