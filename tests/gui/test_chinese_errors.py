"""Real failures in the zh_CN UI show no English: an unreadable file, a read-only and a locked
catalog, a damaged catalog, a cloud call the emulator refuses. Each is driven for real, then the
texts the operator sees (status bar, notices, problems, tooltips, dialogs) are walked."""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    ACCESS_KEY_ID,
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
)
from helpers.scans import scan_without_file_privileges

from facecurator.gui import i18n
from facecurator.services.catalog import Catalog
from tests.gui.test_chinese_ui import english_words, visible_texts

REPO = Path(__file__).resolve().parents[2]


def _english(texts: list[tuple[str, str]], data: set[str]) -> list[tuple[str, str]]:
    """(where, text) of every text that still holds English words once ``data`` (paths, names,
    the service's own words) is taken out."""
    return [(where, text) for where, text in texts if english_words(text, data)]


def _window(qtbot, path: Path, *, timeout: float = 30.0):
    from facecurator.gui.main_window import MainWindow

    catalog = Catalog(path, timeout=timeout)
    window = MainWindow(catalog, auto_scan=False)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window, catalog


def _close(window, catalog) -> None:
    window.shutdown()
    window.close()
    catalog.close()


def _notices(window, since: int) -> list[tuple[str, str]]:
    return [("notice", notice.text) for notice in window.notifier.history[since:]]


def _checkpointed(path: Path) -> None:
    """The catalog in its main file alone (a clean close leaves no -wal/-shm beside it)."""
    Catalog(path).close()
    assert not Path(f"{path}-wal").exists()


def _chattr(flag: str, path: Path) -> bool:
    tool = shutil.which("chattr")
    if tool is None:
        return False
    return subprocess.run([tool, flag, str(path)], capture_output=True, check=False).returncode == 0


def test_a_read_only_and_a_locked_catalog_say_so_in_chinese(
    qtbot, zh, catalog_path: Path, photo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from facecurator.gui.app import run_gui
    from facecurator.gui.logs import teardown_logging

    data = {str(catalog_path), str(photo_dir), catalog_path.name}
    found: list[tuple[str, str]] = []
    # read-only: the file cannot be written (immutable: this holds for root too); the app
    # starts in the saved language and refuses the catalog with a message box
    _checkpointed(catalog_path)
    if not _chattr("+i", catalog_path):
        pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)")
    boxes: list[list[tuple[str, str]]] = []
    monkeypatch.setattr(
        QMessageBox,
        "exec",
        lambda box: boxes.append([("box", box.text()), ("title", box.windowTitle())]) or 0,
    )
    i18n.save_language("zh_CN")
    try:
        assert run_gui(None, str(catalog_path)) == 2
    finally:
        _chattr("-i", catalog_path)
        i18n.save_language(None)
        teardown_logging()
    assert len(boxes) == 1
    assert any("目录库为只读" in text for _w, text in boxes[0]), boxes
    found += _english(boxes[0], data)
    # locked: another program holds the write lock longer than the catalog waits
    window, catalog = _window(qtbot, catalog_path, timeout=0.1)
    lock = sqlite3.connect(catalog_path, isolation_level=None)
    try:
        assert window.open_source(str(photo_dir), scan=False)
        assert window.store.wait_until_idle()
        face_id = window.store.face_ids()[0]
        lock.execute("BEGIN EXCLUSIVE")
        since = len(window.notifier.history)
        assert not window.decide_faces([face_id], "accepted")
        window.undo()
        texts = [*_notices(window, since), ("status", window.statusBar().currentMessage())]
        assert sum("目录库被另一个程序锁定" in text for _w, text in texts) >= 2, texts
        found += _english(texts, data)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        _close(window, catalog)
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_a_missing_folder_and_a_bad_bucket_say_so_in_chinese(
    qtbot, zh, make_window, catalog_path: Path, tmp_path: Path
) -> None:
    window = make_window(catalog_path)
    since = len(window.notifier.history)
    missing = tmp_path / "moved away"
    assert not window.open_source(str(missing))
    assert not window.open_source("oss://No_Such_Bucket/people")
    texts = [*_notices(window, since), ("status", window.statusBar().currentMessage())]
    assert any("文件或文件夹不存在" in text for _w, text in texts), texts
    assert any("存储桶名称" in text for _w, text in texts), texts
    found = _english(texts, {str(missing), "oss://No_Such_Bucket/people", "people", "oss://BUCKET/PREFIX"})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_a_damaged_catalog_says_so_in_chinese(qtbot, zh, tmp_path: Path) -> None:
    from helpers.catalogs import seed_catalog
    from helpers.damage import garbage_index_page

    from facecurator.errors import CatalogDamagedError
    from facecurator.gui.catalog_repair import CatalogRepairDialog

    path = tmp_path / "catalog.sqlite3"
    seed_catalog(path, "/virtual", n_images=3000, faces_per_image=1, varied=False)
    garbage_index_page(path)
    with pytest.raises(CatalogDamagedError) as caught:
        Catalog(path)
    dialog = CatalogRepairDialog(caught.value, path)
    qtbot.addWidget(dialog)
    dialog.show()
    details = dialog.details.toPlainText()
    assert "目录库已损坏" in details and "`facecurator catalog check`" in details, details
    # SQLite's own description of the damage (a page number, a tree) is the database's words
    problem = caught.value.problems[0]
    data = {str(path), "`facecurator catalog restore --catalog", "`facecurator catalog check`", problem}
    texts = [*visible_texts(dialog), ("details", details)]
    found = _english(texts, data)
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_a_failed_export_says_so_in_chinese(qtbot, zh, catalog_path: Path, tmp_path: Path) -> None:
    from facecurator.domain.rules import DEFAULT_PRESET, load_rules
    from facecurator.gui.export_dialog import ExportDialog

    with Catalog(catalog_path) as catalog:  # something to export
        catalog.decide([face.id for face in catalog.faces()], "accepted", who="test")
    parent = tmp_path / "exports"
    parent.mkdir()
    if not _chattr("+i", parent):  # nothing can be created in it (root included)
        pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)")
    try:
        dialog = ExportDialog(catalog_path=catalog_path, rules=load_rules(DEFAULT_PRESET))
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.dest_edit.setText(str(parent / "enrollment"))
        with qtbot.waitSignal(dialog.exportFailed, timeout=30_000):
            dialog.start()
        qtbot.waitUntil(lambda: not dialog.running, timeout=5000)
    finally:
        _chattr("-i", parent)
    status = dialog.status.text()
    assert "无法创建暂存文件夹：不允许此操作" in status, status
    found = _english([*visible_texts(dialog), ("status", status)], {str(parent), str(parent / "enrollment")})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_an_unreadable_file_says_so_in_chinese(qtbot, zh, tmp_path: Path, astronaut_png: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy2(astronaut_png, folder / "readable.png")
    locked = folder / "locked.png"
    shutil.copy2(astronaut_png, locked)
    locked.chmod(0)
    path = tmp_path / "catalog.sqlite3"
    try:
        scan_without_file_privileges(folder, path)
    finally:
        locked.chmod(0o644)
    with Catalog(path) as catalog:
        errors = [row.error for row in catalog.images() if row.status == "error"]
    assert errors and "Permission denied" in errors[0], errors  # the core's English, as stored
    window, catalog = _window(qtbot, path)
    try:
        assert window.open_source(str(folder), scan=False)
        assert window.store.wait_until_idle()
        texts = [
            ("problems", window.problems.list.item(r).text()) for r in range(window.problems.list.count())
        ]
        image_id = next(i for i in window.store.image_ids() if window.store.image(i).row.status == "error")
        texts.append(("tooltip", window.gallery_model._tooltip(image_id)))
        window.show_image(image_id)
        message = window.image_view._message_item
        texts.append(("view", message.text() if message is not None else ""))
        assert any("没有权限：权限不足" in text for _w, text in texts), texts
        found = _english(texts, {str(folder), "locked.png", str(locked)})
        assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)
    finally:
        _close(window, catalog)


def test_a_refused_cloud_call_says_so_in_chinese(
    qtbot, zh, monkeypatch: pytest.MonkeyPatch, cloud_emulator: CloudEmulator, cloud_profile: str
) -> None:
    from facecurator.gui.background import wait_for_background
    from facecurator.gui.cloud_dialog import CloudProfilesDialog
    from facecurator.gui.oss_browser import OssBrowser

    cloud_emulator.create_bucket(BUCKET)
    dialog = CloudProfilesDialog(confirm=lambda *_a: True, profile=cloud_profile)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.key_id_edit.setText(ACCESS_KEY_ID)
    dialog.secret_edit.setText("not-the-right-secret-at-all-42")
    with qtbot.waitSignal(dialog.testFinished, timeout=30_000):
        dialog.test_button.click()
    lines = [(f"test {s}", dialog.test_labels[s].text()) for s in ("oss", "imm", "green")]
    assert all("AccessKey Secret 不正确" in text for _w, text in lines), lines
    # names and commands: the service's, its error code, the product's command line
    names = {"SignatureDoesNotMatch", "ListObjectsV2", "Content Moderation", "AccessKey", "Secret"}
    data = {cloud_profile, cloud_emulator.url, BUCKET, "`facecurator credentials set`", *names}
    found = _english([*lines, ("message", dialog.message.text())], data)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "wrong-secret-for-the-browser")
    browser = OssBrowser(profile=cloud_profile)
    qtbot.addWidget(browser)
    browser.bucket_edit.setText(BUCKET)
    with qtbot.waitSignal(browser.model.failed, timeout=15_000):
        browser.navigate("")
    status = browser.status.text()
    assert "AccessKey Secret" in status and "Listing failed" not in status, status
    found += _english([("browser", status)], data)
    assert wait_for_background(30_000)
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)
