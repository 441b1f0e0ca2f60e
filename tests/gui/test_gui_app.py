"""The entry point the CLI calls: ``facecurator`` / ``facecurator gui SOURCE``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from facecurator.gui.app import run_gui
from facecurator.gui.logs import LOG_FILE_NAME, log_dir, teardown_logging
from facecurator.gui.main_window import MainWindow


def test_run_gui_opens_the_source_and_exits_cleanly(
    qapp, catalog_path: Path, photo_dir: Path, monkeypatch
) -> None:
    seen: dict[str, object] = {}
    hook = sys.excepthook
    # QApplication.exec() -> quit() leaves Qt's "quit now" flag set for the rest of
    # the process (every later event loop would return at once): run_gui's loop
    # is a local QEventLoop here instead.
    loop = QEventLoop()
    monkeypatch.setattr(type(qapp), "exec", lambda _app: loop.exec())

    give_up = time.monotonic() + 120

    def close_when_loaded() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        # The source opens after the window's first paint and its automatic re-scan
        # (all cached) runs after that: wait for both, under load too.
        pending = not windows or windows[0].scanner.running or windows[0].store.source_root is None
        if pending and time.monotonic() < give_up:
            QTimer.singleShot(100, close_when_loaded)
            return
        if not windows:
            loop.quit()
            return
        window = windows[0]
        seen.update(root=window.store.source_root, rows=window.gallery_model.rowCount())
        window.close()
        loop.quit()

    QTimer.singleShot(200, close_when_loaded)
    try:
        assert run_gui(str(photo_dir), str(catalog_path)) == 0
    finally:
        teardown_logging()
    assert seen["root"] == str(photo_dir.resolve())
    assert seen["rows"] == sum(1 for p in photo_dir.rglob("*") if p.is_file())
    assert sys.excepthook is hook
    assert "starting the desktop app" in (log_dir() / LOG_FILE_NAME).read_text(encoding="utf-8")


def test_run_gui_reports_an_unusable_catalog(qapp, tmp_path: Path, capsys, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)  # modal: not here
    bad = tmp_path / "not-a-catalog.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    try:
        assert run_gui(None, str(bad)) == 2
    finally:
        teardown_logging()
    assert str(bad) in capsys.readouterr().err
    assert len(shown) == 1 and str(bad) in shown[0]  # the operator is told too, not only stderr
