"""The rules editor, statistics dock and export dialog opened from the real main window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facecurator.domain.rules import DEFAULT_PRESET
from facecurator.gui.export_dialog import ExportDialog, open_export_dialog
from facecurator.gui.rules_editor import MODIFIED_SUFFIX, RulesEditor, open_rules_editor
from facecurator.gui.stats import StatsDock, open_statistics

pytestmark = pytest.mark.gui


def _qualified(window) -> int:
    return sum(face.verdict.qualified for face in window.store.faces())


def test_rules_editor_edits_recolour_the_window_without_detection(qtbot, opened_window) -> None:
    window = opened_window
    editor = open_rules_editor(window)
    assert open_rules_editor(window) is editor  # one editor per window
    assert isinstance(editor, RulesEditor) and editor.isVisible()
    faces = window.store.faces()
    assert faces, "the test folder should hold detected faces"
    total = len(faces)
    assert editor.preview.text() == f"{_qualified(window)} of {total} faces qualified"

    # the strictest yaw limit: only perfectly frontal faces stay qualified
    with qtbot.waitSignal(window.store.rulesChanged, timeout=5000) as blocker:
        editor.set_param("pose_yaw", "max_degrees", 0.0)
    rules = blocker.args[0]
    assert rules.condition("pose_yaw").max_degrees == 0.0
    assert window.store.ruleset is rules
    yaw_results = [
        r for face in window.store.faces() for r in face.verdict.results if r.condition == "pose_yaw"
    ]
    assert yaw_results and all(r.outcome != "pass" for r in yaw_results)
    assert _qualified(window) == 0
    assert editor.preview.text() == f"0 of {total} faces qualified"
    assert window.rules_combo.currentData() == DEFAULT_PRESET + MODIFIED_SUFFIX

    # saving names the rules and the toolbar lists the new preset
    assert editor.save_as("Frontal only")
    qtbot.waitUntil(lambda: window.rules_combo.findData("Frontal only") >= 0, timeout=5000)
    assert window.store.wait_until_idle()
    assert window.store.ruleset.name == "Frontal only"

    # a preset chosen in the toolbar shows up in the editor
    assert window.set_rules(DEFAULT_PRESET)
    assert window.store.wait_until_idle()
    assert editor.rules().name == DEFAULT_PRESET
    assert editor.row("pose_yaw").fields["max_degrees"].get() == 30.0


def test_statistics_dock_follows_the_scope_and_the_rules(qtbot, opened_window) -> None:
    window = opened_window
    dock = open_statistics(window)
    assert isinstance(dock, StatsDock) and dock.isVisible()
    assert open_statistics(window) is dock
    scope = window.scope_faces()
    qtbot.waitUntil(lambda: dock.panel.stats.faces == len(scope), timeout=5000)
    assert set(dock.panel.stats.conditions) == {c.id for c in window.store.ruleset.conditions}

    window.set_rules("enrollment-strict")
    assert window.store.wait_until_idle()
    qtbot.waitUntil(lambda: "face_count" in dock.panel.stats.conditions, timeout=5000)
    counts = dock.panel.stats.conditions["face_count"]
    assert counts.passed + counts.failed + counts.unknown == len(window.scope_faces())


def test_export_dialog_exports_the_windows_accepted_faces(qtbot, opened_window, tmp_path: Path) -> None:
    window = opened_window
    face_ids = [face.id for face in window.store.faces()]
    window.store.decide(face_ids, "accepted")
    dialog = open_export_dialog(window)
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    assert open_export_dialog(window) is dialog
    assert dialog.source_root == window.store.source_root
    dest = tmp_path / "from-window"
    dialog.dest_edit.setText(str(dest))
    notices: list[str] = []
    window.notifier.posted.connect(lambda notice: notices.append(notice.text))
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000) as blocker:
        dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert blocker.args[0].exported == len(face_ids)
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["exported"] == len(face_ids)
    assert manifest["rules"] == window.store.ruleset.name
    assert any(f"Exported {len(face_ids)} faces" in text for text in notices)
