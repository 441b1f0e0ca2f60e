"""The rules editor: live edits re-evaluate verdicts, presets are saved and deleted."""

from __future__ import annotations

import pytest

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.rules import (
    BUILTIN_PRESETS,
    CONDITION_TYPES,
    DEFAULT_PRESET,
    ImageContext,
    RuleSet,
    list_presets,
    load_rules,
    make_condition,
    user_preset_path,
)
from facecurator.gui.rule_words import PARAM_LABELS, TERMS
from facecurator.gui.rules_editor import MODIFIED_SUFFIX, RulesEditor

pytestmark = pytest.mark.gui

#: A sharp face turned 35° to the side: fails moderation-2.0's |yaw| ≤ 30° only.
TURNED_FACE = Face(
    box=Box(10, 10, 200, 220),
    confidence=0.98,
    pose=Pose(pitch=2.0, yaw=35.0, roll=-1.0),
    blur=Blur(8.0, "0-100"),
    glasses="none",
)
CONTEXT = ImageContext(face_count=1)


def _never(*_args: object) -> bool:
    raise AssertionError("no question expected here")


def _editor(qtbot, **kwargs) -> RulesEditor:
    kwargs.setdefault("confirm", _never)
    editor = RulesEditor(load_rules(DEFAULT_PRESET), debounce_ms=20, **kwargs)
    qtbot.addWidget(editor)
    return editor


def test_editing_the_yaw_limit_emits_new_rules_and_changes_the_verdict(qtbot) -> None:
    counted: list[RuleSet] = []

    def count(rules: RuleSet) -> tuple[int, int]:
        counted.append(rules)
        return int(rules.evaluate(TURNED_FACE, CONTEXT).qualified), 1

    editor = _editor(qtbot, count_qualified=count)
    assert not editor.rules().evaluate(TURNED_FACE, CONTEXT).qualified
    assert editor.preview.text() == "0 of 1 faces qualified"

    spin = editor.row("pose_yaw").fields["max_degrees"].widget
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        spin.setValue(40.0)  # what typing into the spin box does
    rules = blocker.args[0]
    assert isinstance(rules, RuleSet)
    assert rules.condition("pose_yaw").max_degrees == 40.0
    assert rules.name == DEFAULT_PRESET + MODIFIED_SUFFIX
    verdict = rules.evaluate(TURNED_FACE, CONTEXT)
    assert verdict.qualified, verdict.reasons
    assert editor.preview.text() == "1 of 1 faces qualified"
    assert counted[-1] is rules
    # the other conditions are untouched
    assert rules.condition("pose_pitch").max_degrees == 30.0
    assert rules.condition("blur").max == 25.0


def test_rapid_edits_are_debounced_into_one_emission(qtbot) -> None:
    editor = _editor(qtbot)
    seen: list[RuleSet] = []
    editor.rulesChanged.connect(seen.append)
    spin = editor.row("blur").fields["max"].widget
    for value in (20.0, 15.0, 10.0):
        spin.setValue(value)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    assert seen[0].condition("blur").max == 10.0
    with pytest.raises(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: len(seen) > 1, timeout=200)


def test_a_refused_edit_is_shown_and_not_emitted(qtbot) -> None:
    editor = _editor(qtbot)
    editor.add_condition("age_range")
    editor.flush()
    seen: list[RuleSet] = []
    editor.rulesChanged.connect(seen.append)
    editor.set_param("age_range", "max", 10)  # below the default minimum of 18
    row = editor.row("age_range")
    assert not row.problem.isHidden()
    assert "min (18) is above max (10)" in row.problem.text()
    with pytest.raises(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: bool(seen), timeout=200)
    # an optional bound can be cleared ("no limit")
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.set_param("age_range", "min", None)
    assert blocker.args[0].condition("age_range").min is None
    assert blocker.args[0].condition("age_range").max == 10
    assert row.problem.isHidden()


def test_add_and_remove_conditions_and_the_unknown_policy(qtbot) -> None:
    editor = _editor(qtbot)
    face_without_pose = Face(box=Box(0, 0, 150, 150), blur=Blur(3.0, "0-100"), glasses="none")
    assert not editor.rules().evaluate(face_without_pose, CONTEXT).qualified  # pose unknown -> fails

    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.set_unknown_policy("pass")
    assert blocker.args[0].unknown == "pass"
    assert blocker.args[0].evaluate(face_without_pose, CONTEXT).qualified

    added = editor.add_condition("pose")  # all three axes exist: a second, uniquely named one
    assert added.id not in {"pose_pitch", "pose_yaw", "pose_roll"}
    mask = editor.add_condition("no_mask")
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.remove_condition("pose_roll")
    ids = [c.id for c in blocker.args[0].conditions]
    assert "pose_roll" not in ids
    assert added.id in ids and mask.id in ids
    assert ids[-1] == mask.id
    # one row per condition, generated from its parameters
    assert set(editor._rows) == set(ids)
    assert set(editor.row("blur").fields) == {"max", "scale", "convert"}


def test_every_condition_kind_can_be_added_and_edited(qtbot) -> None:
    editor = _editor(qtbot)
    for kind in CONDITION_TYPES:
        condition = editor.add_condition(kind)
        assert editor.rules().condition(condition.id).kind == kind
    editor.flush()
    # the declarative vocabulary the editor shows is all in the translation catalogue
    for cls in CONDITION_TYPES.values():
        assert cls.label in TERMS, cls.label
        for spec in cls.param_specs:
            assert spec.name in PARAM_LABELS and spec.help in TERMS, (cls.kind, spec.name)


def test_changing_the_pose_axis_keeps_ids_unique(qtbot) -> None:
    editor = _editor(qtbot)
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.set_param("pose_roll", "axis", "yaw")  # pose_yaw exists: the row keeps its id
    rules = blocker.args[0]
    assert rules.condition("pose_roll").axis == "yaw"
    assert rules.condition("pose_yaw").axis == "yaw"


def test_save_as_and_delete_a_user_preset(qtbot) -> None:
    answers = iter(["Strict yaw"])
    questions: list[str] = []

    def confirm(_parent, _title, question) -> bool:
        questions.append(question)
        return True

    editor = _editor(qtbot, ask_name=lambda *_a: next(answers), confirm=confirm)
    editor.set_param("pose_yaw", "max_degrees", 15.0)
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        assert editor.save_as()
    assert blocker.args[0].name == "Strict yaw"
    assert not editor.modified
    assert "Strict yaw" in list_presets()
    assert load_rules("Strict yaw").condition("pose_yaw").max_degrees == 15.0
    assert editor.preset_combo.currentData() == "Strict yaw"
    assert editor.delete_button.isEnabled()

    # built-in names are refused, whatever their case, and nothing is written
    for name in (DEFAULT_PRESET, BUILTIN_PRESETS[0].upper()):
        assert not editor.save_as(name)
        assert "built-in preset" in editor.message.text()
    assert not editor.save_as("Strict yaw (modified)")  # would read as an unsaved edit
    assert list_presets() == [*BUILTIN_PRESETS, "Strict yaw"]

    # saving over an existing user preset asks first
    assert editor.save_as("Strict yaw")
    assert questions and "exists" in questions[-1]

    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        assert editor.delete_preset()
    assert not user_preset_path("Strict yaw").exists()
    assert list_presets() == list(BUILTIN_PRESETS)
    assert blocker.args[0].name == DEFAULT_PRESET  # the editor fell back to the default
    assert not editor.delete_button.isEnabled()
    assert not editor.delete_preset(DEFAULT_PRESET)


def test_choosing_a_preset_with_unsaved_changes_asks_first(qtbot) -> None:
    answers = [False, True]
    editor = _editor(qtbot, confirm=lambda *_a: answers.pop(0))
    editor.set_param("blur", "max", 12.0)
    editor.flush()
    strict = editor.preset_combo.findData("enrollment-strict")
    editor.preset_combo.activated.emit(strict)  # declined: nothing changes
    assert editor.rules().condition("blur").max == 12.0
    assert editor.preset_combo.currentData() == DEFAULT_PRESET
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.preset_combo.activated.emit(strict)
    assert blocker.args[0] == load_rules("enrollment-strict")
    assert [c.id for c in editor.rules().conditions] == list(editor._rows)


def test_changing_the_blur_scale_carries_the_limit_over(qtbot) -> None:
    editor = _editor(qtbot)
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.set_param("blur", "scale", "0-20")
    blur = blocker.args[0].condition("blur")
    assert (blur.scale, blur.max) == ("0-20", 5.0)  # 25 on 0-100 is 5 on 0-20
    assert editor.row("blur").fields["max"].get() == 5.0
    assert editor.row("blur").problem.isHidden()


def test_hiding_the_editor_emits_the_pending_edit_at_once(qtbot) -> None:
    editor = RulesEditor(load_rules(DEFAULT_PRESET), debounce_ms=60_000, confirm=_never)
    qtbot.addWidget(editor)
    editor.show()
    editor.set_param("pose_pitch", "max_degrees", 20.0)
    with qtbot.waitSignal(editor.rulesChanged, timeout=1000) as blocker:
        editor.reject()  # Escape
    assert blocker.args[0].condition("pose_pitch").max_degrees == 20.0


def test_precise_limits_are_shown_exactly_and_kept(qtbot) -> None:
    rules = RuleSet(
        "precise",
        (make_condition("min_confidence", min=0.955), make_condition("pose", axis="yaw", max_degrees=12.25)),
    )
    editor = RulesEditor(rules, debounce_ms=20, confirm=_never)
    qtbot.addWidget(editor)
    assert editor.row("min_confidence").fields["min"].get() == 0.955
    assert editor.row("pose_yaw").fields["max_degrees"].get() == 12.25
    with qtbot.waitSignal(editor.rulesChanged, timeout=2000) as blocker:
        editor.set_param("pose_yaw", "axis", "roll")  # another field of the same row
    assert blocker.args[0].condition("pose_roll").max_degrees == 12.25
