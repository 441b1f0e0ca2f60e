"""Failures reach the operator non-modally (status bar + log dock) and the rotating log file."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import qWarning

from facecurator.gui.gallery import thumb_key
from facecurator.gui.logs import LOG_FILE_NAME, log_dir, setup_logging, teardown_logging


def test_a_vanished_image_is_named_in_the_status_bar_log_dock_and_log_file(
    qtbot, make_window, catalog_path: Path, photo_dir: Path, tmp_path: Path
) -> None:
    log_path = setup_logging()
    try:
        assert log_path == log_dir() / LOG_FILE_NAME
        # An image that was scanned, then disappeared from disk before the window shows it.
        window = make_window(catalog_path)
        victim = max((p for p in photo_dir.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
        moved = tmp_path / "moved-away"
        victim.rename(moved)
        try:
            # The open ends with its own "Opened …" status line (the faces are listed after the
            # gallery paints): wait for it, so the failure below is the latest message.
            with qtbot.waitSignal(window.sourceOpened, timeout=10_000):
                assert window.open_source(str(photo_dir), scan=False)
            assert window.store.wait_until_idle()
            image_id = next(
                i for i in window.store.image_ids() if window.store.image(i).row.uri == str(victim)
            )
            row = window.store.image(image_id).row
            window.gallery_model.thumbnail(window.gallery_model.row_of(image_id))
            qtbot.waitUntil(lambda: window.thumbnails.error(thumb_key(image_id)) is not None, timeout=10_000)
        finally:
            moved.rename(victim)
        message = window.statusBar().currentMessage()
        assert row.uri in message and "cannot read" in message
        assert row.uri in window.log_dock.list.item(window.log_dock.list.count() - 1).text()
        qWarning("a Qt warning routed into our log")
        for handler in logging.getLogger("facecurator").handlers:
            handler.flush()
        text = log_path.read_text(encoding="utf-8")
        assert row.uri in text
        assert "a Qt warning routed into our log" in text
    finally:
        teardown_logging()


def test_unopenable_source_is_reported_not_raised(make_window, catalog_path: Path, tmp_path: Path) -> None:
    window = make_window(catalog_path)
    missing = tmp_path / "no-such-folder"
    assert not window.open_source(str(missing))
    assert str(missing) in window.statusBar().currentMessage()
    assert window.notifier.history[-1].level == logging.ERROR


def test_a_missing_file_is_said_once_not_once_a_face_crop(make_window, catalog_path: Path) -> None:
    """Each face crop of a photo fails apart when its file is gone (Triage's page of a moved folder:
    three lines a photo of three faces, each a Log-dock line on the GUI thread): one line a file."""
    window = make_window(catalog_path)
    before = len(window.notifier.history)
    gone = "cannot read file: it was deleted or moved (no such file): /photos/p7/img42.jpg"
    for key in ("c101", "c102", "c103"):  # the three faces of one photo, as the crop cache says
        window.crops.failed.emit(key, gone)
    window.thumbnails.failed.emit("t42", gone)  # and its thumbnail in the gallery
    window.crops.failed.emit("c104", gone.replace("img42", "img43"))  # another photo
    window.crops.failed.emit("c101", gone)  # the same crop again: as before, nothing new
    posted = [n.text for n in window.notifier.history[before:]]
    assert len(posted) == 2, posted
    assert "img42.jpg" in posted[0] and "img43.jpg" in posted[1]
