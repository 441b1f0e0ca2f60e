"""The export dialog runs a real export of really detected faces, with progress, cancel and errors."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

from facecurator.detect.local import LocalDetector
from facecurator.domain.rules import DEFAULT_PRESET, load_rules
from facecurator.gui.export_dialog import ExportDialog
from facecurator.services.catalog import Catalog
from facecurator.services.export import ExportItem
from facecurator.services.jobs import scan
from facecurator.sources import read_image_bytes
from facecurator.sources.local import LocalFolderSource

pytestmark = pytest.mark.gui

PEOPLE = ("eileen", "sally", "mae")


@pytest.fixture(scope="module")
def gallery_catalog(tmp_path_factory: pytest.TempPathFactory, astronaut_png: Path) -> Path:
    """Three persons' folders holding the astronaut, scanned by the real local detector, all accepted."""
    root = tmp_path_factory.mktemp("gallery")
    for person in PEOPLE:
        (root / person).mkdir()
        shutil.copy(astronaut_png, root / person / "portrait.png")
    path = tmp_path_factory.mktemp("catalog") / "catalog.sqlite3"
    with Catalog(path) as catalog:
        report = scan(LocalFolderSource(root), LocalDetector(), catalog, jobs=1)
        assert report.failed == 0, report.errors
        faces = catalog.faces()
        assert len(faces) >= len(PEOPLE), "the local detector should find the astronaut's face"
        catalog.decide([face.id for face in faces], "accepted", who="test")
    return path


@pytest.fixture
def accepted_catalog(gallery_catalog: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "catalog.sqlite3"
    shutil.copy(gallery_catalog, copy)
    return copy


def _dialog(qtbot, catalog: Path, **kwargs) -> ExportDialog:
    dialog = ExportDialog(catalog_path=catalog, rules=load_rules(DEFAULT_PRESET), **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_export_runs_shows_progress_and_opens_the_folder(
    qtbot, accepted_catalog: Path, tmp_path: Path
) -> None:
    opened: list[QUrl] = []
    dest = tmp_path / "enrollment"
    dialog = _dialog(
        qtbot,
        accepted_catalog,
        choose_folder=lambda _parent, _title, _start: str(dest),
        open_url=lambda url: opened.append(url) or True,
    )
    dialog.browse_button.click()
    assert dialog.dest_edit.text() == str(dest)
    assert not dialog.open_button.isVisibleTo(dialog)
    seen_progress: list[tuple[int, int]] = []
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000) as blocker:
        dialog.export_button.click()
        assert dialog.running
        assert not dialog.export_button.isEnabled() and dialog.cancel_button.isEnabled()
        dialog.thread_.progress.connect(lambda d, t: seen_progress.append((d, t)))
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)

    summary = blocker.args[0]
    assert summary.exported == len(PEOPLE)
    assert summary.failed == []
    assert seen_progress and seen_progress[-1] == (len(PEOPLE), len(PEOPLE))
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == len(PEOPLE)
    assert f"Exported {len(PEOPLE)} faces" in dialog.status.text()
    assert dialog.open_button.isVisibleTo(dialog)
    assert dialog.export_button.isEnabled()

    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["exported"] == len(PEOPLE)
    assert manifest["rules"] == DEFAULT_PRESET
    for person in PEOPLE:
        crops = list((dest / "faces" / person).glob("*.jpg"))
        assert len(crops) == 1
        assert crops[0].stat().st_size > 1000

    dialog.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(dest))]


def test_format_margin_and_choices_are_remembered(qtbot, accepted_catalog: Path, tmp_path: Path) -> None:
    dest = tmp_path / "vgg"
    dialog = _dialog(qtbot, accepted_catalog)
    dialog.dest_edit.setText(str(dest))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("vggface2"))
    dialog.margin_spin.setValue(0.25)
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000):
        dialog.start()
    dialog.wait()
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "vggface2" and manifest["margin"] == 0.25
    assert (dest / "bb_landmark" / "loose_bb.csv").is_file()

    again = _dialog(qtbot, accepted_catalog)
    assert again.dest_edit.text() == str(dest)
    assert again.format_combo.currentData() == "vggface2"
    assert again.margin_spin.value() == 0.25


def test_cancel_leaves_the_destination_unchanged(qtbot, accepted_catalog: Path, tmp_path: Path) -> None:
    first_read = threading.Event()
    release = threading.Event()

    def read_bytes(item: ExportItem) -> bytes:
        # hold the export on its first image until the test has pressed cancel
        first_read.set()
        release.wait(10)
        return read_image_bytes(item.image_uri)

    dest = tmp_path / "cancelled"
    dialog = _dialog(qtbot, accepted_catalog, read_bytes=read_bytes)
    dialog.dest_edit.setText(str(dest))
    assert dialog.start()
    qtbot.waitUntil(first_read.is_set, timeout=10_000)
    with qtbot.waitSignal(dialog.exportCancelled, timeout=30_000):
        dialog.cancel_button.click()
        assert dialog.status.text() == "Cancelling…"
        release.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert not dest.exists()
    assert list(tmp_path.glob(".*staging*")) == []
    assert "cancelled" in dialog.status.text()
    assert not dialog.open_button.isVisibleTo(dialog)
    assert dialog.export_button.isEnabled()


def test_a_foreign_destination_is_refused_with_a_clear_message(
    qtbot, accepted_catalog: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "holiday photos"
    dest.mkdir()
    (dest / "beach.jpg").write_bytes(b"not ours")
    dialog = _dialog(qtbot, accepted_catalog)
    dialog.dest_edit.setText(str(dest))
    with qtbot.waitSignal(dialog.exportFailed, timeout=30_000) as blocker:
        dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    step, message = blocker.args
    assert step == "export"
    assert str(dest) in message
    assert dialog.status.text().startswith("Export failed while writing the export: ")
    assert dialog.status.property("error") is True
    assert (dest / "beach.jpg").read_bytes() == b"not ours"
    assert sorted(p.name for p in dest.iterdir()) == ["beach.jpg"]


def test_empty_destination_and_missing_oss_support_are_explained(qtbot, accepted_catalog: Path) -> None:
    dialog = _dialog(qtbot, accepted_catalog)
    dialog.dest_edit.setText("  ")
    assert not dialog.start()
    assert "Choose a destination" in dialog.status.text()
    dialog.dest_edit.setText("oss://bucket/enrollment")
    with qtbot.waitSignal(dialog.exportFailed, timeout=30_000) as blocker:
        dialog.start()
    dialog.wait()
    assert blocker.args[0] in ("destination", "export")
    assert blocker.args[1]


def test_closing_while_running_cancels_first(qtbot, accepted_catalog: Path, tmp_path: Path) -> None:
    release = threading.Event()

    def read_bytes(item: ExportItem) -> bytes:
        release.wait(10)
        return read_image_bytes(item.image_uri)

    dialog = _dialog(qtbot, accepted_catalog, read_bytes=read_bytes)
    dialog.dest_edit.setText(str(tmp_path / "closing"))
    dialog.start()
    dialog.close()
    assert dialog.isVisible()  # not closed under a running export
    release.set()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert not (tmp_path / "closing").exists()


def test_shutdown_cancels_and_waits(qtbot, accepted_catalog: Path, tmp_path: Path) -> None:
    release = threading.Event()

    def read_bytes(item: ExportItem) -> bytes:
        release.wait(10)
        return read_image_bytes(item.image_uri)

    dialog = _dialog(qtbot, accepted_catalog, read_bytes=read_bytes)
    dialog.dest_edit.setText(str(tmp_path / "quitting"))
    dialog.start()
    dialog.thread_.requestInterruption()  # what shutdown() does first; then the reader returns
    release.set()
    assert dialog.shutdown(timeout_ms=20_000)
    assert not (tmp_path / "quitting").exists()
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)


def test_exporting_over_an_earlier_export_asks_first(qtbot, accepted_catalog: Path, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    dest = tmp_path / "enrollment"
    dialog = _dialog(qtbot, accepted_catalog)
    dialog.dest_edit.setText(str(dest))
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000):
        dialog.export_button.click()  # a fresh folder: no question
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    first = (dest / "manifest.json").stat().st_mtime_ns

    def question() -> QMessageBox:
        (box,) = [b for b in dialog.findChildren(QMessageBox, "replaceExport") if b.isVisible()]
        return box

    dialog.export_button.click()
    box = question()
    assert str(dest) in box.text() and f"{len(PEOPLE)} faces" in box.text()
    assert not dialog.running
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not dialog.running
    assert (dest / "manifest.json").stat().st_mtime_ns == first  # untouched

    dialog.export_button.click()
    box = question()
    replace = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000):
        replace.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    assert (dest / "manifest.json").stat().st_mtime_ns != first
