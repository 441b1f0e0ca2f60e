"""The app opens its catalog with the check on open in the background (issue 11): the window
is built while it runs, and damage it finds reaches the GUI thread."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from helpers.damage import garbage_index_page

from facecurator.errors import CatalogDamagedError
from facecurator.gui.catalog_repair import CheckWatch
from facecurator.services.catalog import Catalog, health


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The check on open waits for this event (at most 10 s)."""
    event = threading.Event()
    real = health.run_check

    def held(conn: sqlite3.Connection, *, full: bool, limit: int = health.MAX_PROBLEMS) -> health.CheckResult:
        event.wait(10)
        return real(conn, full=full, limit=limit)

    monkeypatch.setattr(health, "run_check", held)
    health.forget_checks()
    yield event
    event.set()
    health.forget_checks()


def test_the_window_is_built_while_the_check_runs(qtbot, tmp_path: Path, release: threading.Event) -> None:
    from facecurator.gui.main_window import MainWindow

    path = tmp_path / "catalog.sqlite3"
    seed_catalog(path, tmp_path, n_images=50, faces_per_image=1, varied=False)  # no rule set recorded yet
    with contextlib.closing(sqlite3.connect(path)) as db:  # another program writes: the next open checks
        db.execute("UPDATE images SET name = name WHERE id = 1")
        db.commit()
    health.forget_checks()
    catalog = Catalog(path, check_later=True)
    check = catalog.pending_check
    assert check is not None
    window = MainWindow(catalog, auto_scan=False)  # nothing in it waits for the check
    qtbot.addWidget(window)
    try:
        assert not check.done
        release.set()
        assert check.wait(30) is not None
    finally:
        window.shutdown()
        window.close()
        catalog.close()


def test_damage_found_in_the_background_reaches_the_gui_thread(
    qtbot, tmp_path: Path, release: threading.Event
) -> None:
    path = tmp_path / "catalog.sqlite3"
    seed_catalog(path, tmp_path, n_images=3000, faces_per_image=1, varied=False)
    garbage_index_page(path)
    health.forget_checks()
    catalog = Catalog(path, check_later=True)
    assert catalog.pending_check is not None
    found: list[tuple[CatalogDamagedError, bool]] = []
    gui_thread = threading.get_ident()
    watch = CheckWatch(
        catalog.pending_check,
        lambda error: found.append((error, threading.get_ident() == gui_thread)),
        parent=None,
    )
    try:
        release.set()
        qtbot.waitUntil(lambda: bool(found), timeout=30_000)
        ((error, on_gui_thread),) = found
        assert on_gui_thread and "the catalog is damaged" in str(error)
    finally:
        catalog.close()
        del watch
