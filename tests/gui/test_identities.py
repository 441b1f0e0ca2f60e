"""The Identities dock on real photos: outliers first, compare, "not this person".

Needs ../shared/corpus (a gallery of one person with somebody else filed in it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.held import HeldAnswers, assert_held_question
from PySide6.QtCore import Qt

from facecurator.detect.embed import FaceEmbedder
from facecurator.detect.local import LocalDetector
from facecurator.domain.rules import RuleSet, make_condition
from facecurator.gui.identities import NOT_THIS_PERSON, IdentitiesDock, open_identities
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.assign import take
from facecurator.services.jobs import scan
from facecurator.sources.local import LocalFolderSource

pytestmark = [pytest.mark.gui, pytest.mark.corpus]


@pytest.fixture(scope="module")
def identity_gallery(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """obama/ (3 photos + someone else) and kit/ (3 photos), scanned with embeddings."""
    root = tmp_path_factory.mktemp("identities") / "gallery"
    people = corpus_dir / "people"
    (root / "obama").mkdir(parents=True)
    (root / "kit").mkdir()
    for f in sorted((people / "obama").glob("*")):
        shutil.copy(f, root / "obama" / f.name)
    shutil.copy(people / "deepface_p03" / "img13.jpg", root / "obama" / "zz_wrong.jpg")
    for f in sorted((people / "kit_harington").glob("*")):
        shutil.copy(f, root / "kit" / f.name)
    catalog_path = root.parent / "catalog.sqlite3"
    with Catalog(catalog_path) as catalog:
        report = scan(LocalFolderSource(root), LocalDetector(), catalog, jobs=2, embedder=FaceEmbedder())
    assert report.embedded == 7
    return root, catalog_path


def test_identities_dock_shows_outliers_first_compares_and_rejects(
    qtbot, make_window, identity_gallery
) -> None:
    root, catalog_path = identity_gallery
    window = make_window(catalog_path)
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    dock = open_identities(window)
    assert isinstance(dock, IdentitiesDock) and open_identities(window) is dock
    # a tab over the other bottom panels (the strip and the compare pane need the width)
    assert window.tabifiedDockWidgets(dock)
    panel = dock.panel
    # one grid cell per face: crops of different shapes never overlap
    assert panel.strip.gridSize().width() > panel.strip.iconSize().width()
    qtbot.waitUntil(lambda: panel._found is not None and panel.persons.rowCount() == 2, timeout=30_000)
    assert "7 of 7 faces embedded" in panel.summary.text() and "1 outliers" in panel.summary.text()

    # the folder with an outlier comes first, and its outlier leads the strip
    assert panel.persons.item(0, 0).text() == "obama"
    assert panel.persons.item(0, 3).text() == "1"
    assert panel.strip.count() == 4
    first = panel.strip.item(0)
    wrong_id = int(first.data(0x0100))
    assert window.store.face(wrong_id).image.name == "obama/zz_wrong.jpg"
    assert float(first.text()) > 0.6 and "most like" in first.toolTip()
    assert [float(panel.strip.item(i).text()) <= 0.6 for i in range(1, 4)] == [True, True, True]

    # side by side: the outlier against a real photo of the folder
    panel._add_to_compare(panel.strip.item(0))
    panel._add_to_compare(panel.strip.item(1))
    assert "different people" in panel.compare_text.text()
    panel._add_to_compare(panel.strip.item(2))
    assert "same person" in panel.compare_text.text()

    # N moves the selected face out of the person
    panel.strip.setCurrentRow(0)
    panel.strip.setFocus()
    qtbot.keyClick(panel.strip, "N")
    decision = window.store.face(wrong_id).row.decision
    assert (decision.state, decision.reason) == ("rejected", NOT_THIS_PERSON)
    assert window.store.catalog.audit(face_id=wrong_id)[-1].reason == NOT_THIS_PERSON


def test_not_this_person_on_a_face_another_operator_holds_asks_first(
    qtbot, make_window, identity_gallery, tmp_path: Path, ui_language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 through the Identities panel: "not this person" (N, or the button) on a face
    bob holds asks "held by bob until … — decide anyway?"; no leaves it pending with the audit
    unchanged, yes rejects it and the audit names this operator."""
    root, gallery_catalog = identity_gallery
    catalog_path = tmp_path / "catalog.sqlite3"  # a private copy: the hold and decisions stay here
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{gallery_catalog}{suffix}").exists():
            shutil.copy2(f"{gallery_catalog}{suffix}", f"{catalog_path}{suffix}")
    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    window = make_window(catalog_path)
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    panel = open_identities(window).panel
    qtbot.waitUntil(lambda: panel._found is not None and panel.strip.count() > 0, timeout=30_000)
    panel.persons.selectRow(0)
    qtbot.waitUntil(lambda: panel.strip.count() == 4, timeout=30_000)
    # a face still pending (the first test of this module rejects the outlier in the shared gallery)
    row = next(
        i
        for i in range(panel.strip.count())
        if window.store.face(int(panel.strip.item(i).data(0x0100))).decision == "pending"
    )
    item = panel.strip.item(row)
    held = int(item.data(0x0100))
    with Catalog(catalog_path) as other:
        assert take(other, "bob", 1, among=[held]) == [held]
    audit_before = [(entry.who, entry.reason) for entry in window.store.catalog.audit(face_id=held)]
    label_before = item.text()
    answers = HeldAnswers(window, answer=False)
    asked = answers.asked
    panel.strip.setCurrentRow(row)
    panel.strip.setFocus()
    qtbot.keyClick(panel.strip, "N")  # answered no: nothing decided, nothing audited
    ((title, question),) = asked
    assert_held_question(title, question, ui_language)
    assert window.store.face(held).decision == "pending"
    assert [(entry.who, entry.reason) for entry in window.store.catalog.audit(face_id=held)] == audit_before
    assert panel.strip.item(row).text() == label_before  # no ✗ on a face left as it was

    answers.answer = True
    qtbot.mouseClick(panel.reject_button, Qt.MouseButton.LeftButton)  # answered yes
    assert len(asked) == 2
    decision = window.store.face(held).row.decision
    assert (decision.state, decision.reason) == ("rejected", NOT_THIS_PERSON)
    with Catalog(catalog_path) as check:
        audit = [(entry.who, entry.reason) for entry in check.audit(face_id=held)]
    assert audit == [*audit_before, ("alice", NOT_THIS_PERSON)]  # the audit says who decided
    assert panel.strip.item(row).text() == label_before + " ✗"


def test_identities_dock_without_embeddings_offers_to_compute_them(qtbot, opened_window) -> None:
    dock = open_identities(opened_window)
    qtbot.waitUntil(lambda: dock.panel._found is not None, timeout=30_000)
    assert "No face embeddings yet" in dock.panel.summary.text()
    assert dock.panel.compute_button.isEnabled()


def test_compute_button_embeds_and_the_window_reloads_with_identities(
    qtbot, make_window, identity_gallery, tmp_path: Path
) -> None:
    root, _ = identity_gallery
    window = make_window(tmp_path / "fresh.sqlite3")
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    dock = open_identities(window)
    qtbot.waitUntil(lambda: "No face embeddings yet" in dock.panel.summary.text(), timeout=30_000)
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000) as blocker:
        dock.panel.compute_button.click()
    assert blocker.args[0].embedded == 7
    qtbot.waitUntil(lambda: "7 of 7 faces embedded" in dock.panel.summary.text(), timeout=30_000)
    # rules with an identity condition: the store reloads with the checks
    assert window.store.wait_until_idle()
    rules = RuleSet(
        "with-identity", (*window.store.ruleset.conditions, make_condition("identity_consistent"))
    )
    with qtbot.waitSignal(window.store.sourceChanged, timeout=60_000):
        window.store.set_ruleset(rules)
    assert window.store.wait_until_idle()
    outcomes = {
        f.image.name: next(r.outcome for r in f.verdict.results if r.condition == "identity_consistent")
        for f in window.store.faces()
    }
    assert outcomes["obama/zz_wrong.jpg"] == "fail"
    assert sum(o == "pass" for o in outcomes.values()) == 6


def test_the_detect_menu_switch_turns_identity_embeddings_off_and_is_remembered(
    qtbot, make_window, identity_gallery, tmp_path: Path
) -> None:
    """Detect ▸ "Compute face embeddings…" off: a local scan of a folder per person embeds
    nothing (as ``scan --no-identities``); the choice is kept for the next window."""
    root, _ = identity_gallery
    window = make_window(tmp_path / "off.sqlite3")
    action = window.identity_embeddings_action
    assert action in window.scan_menu.actions()
    assert action.isCheckable() and action.isChecked()  # on by default (issue 14)
    action.trigger()
    assert not action.isChecked() and window.identity_embeddings is False
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000) as blocker:
        assert window.start_scan("local")
    assert blocker.args[0].embedded == 0
    later = make_window(tmp_path / "on.sqlite3")
    assert not later.identity_embeddings_action.isChecked()  # remembered in the settings
    later.identity_embeddings_action.trigger()
    assert later.identity_embeddings
    assert later.open_source(str(root), scan=False)
    assert later.store.wait_until_idle()
    with qtbot.waitSignal(later.scanner.finished, timeout=120_000) as blocker:
        assert later.start_scan("local")
    assert blocker.args[0].embedded == 7  # on again: the default embeddings are computed
