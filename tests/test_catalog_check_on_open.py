"""The check on open (issue 11): not repeated for a file left sound, run beside the app when needed.

A file a process closed cleanly after it was found sound is recorded (size, mtime,
ctime, inode); the next open of exactly that file skips the check. Any change by
another program, even one that puts the mtime back, makes it check again. With
``check_later`` the check runs in a thread: the open returns at once, and the
first write waits for it, so a damaged catalog is still never written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from helpers.damage import garbage_index_page

from facecurator.errors import CatalogDamagedError
from facecurator.services.catalog import Catalog, health


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite3"
    seed_catalog(path, "/virtual", n_images=3000, faces_per_image=1, varied=False)
    return path


@pytest.fixture
def catalog_file(seeded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "catalog.sqlite3"
    path.write_bytes(seeded.read_bytes())
    return path


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """The checks run (``full`` of each), counted; this process's memory of passed checks is
    forgotten first (each open below is as in a new process)."""
    runs: list[bool] = []
    real = health.run_check

    def counting(
        conn: sqlite3.Connection, *, full: bool, limit: int = health.MAX_PROBLEMS
    ) -> health.CheckResult:
        runs.append(full)
        return real(conn, full=full, limit=limit)

    monkeypatch.setattr(health, "run_check", counting)
    health.forget_checks()
    yield runs
    health.forget_checks()


def new_process() -> None:
    health.forget_checks()  # what a new process does not know


def test_a_catalog_left_sound_is_not_checked_again(catalog_file: Path, checks: list[bool]) -> None:
    Catalog(catalog_file).close()
    assert checks == [False]  # the first open: the quick check
    new_process()
    with Catalog(catalog_file) as catalog:
        catalog.decide([1], "accepted")  # its own writes do not make the next open check
    new_process()
    Catalog(catalog_file).close()
    assert checks == [False]


def test_damage_after_a_clean_close_is_found(catalog_file: Path, checks: list[bool]) -> None:
    Catalog(catalog_file).close()
    new_process()
    garbage_index_page(catalog_file)  # at once: within the same clock tick as the close, maybe
    with pytest.raises(CatalogDamagedError, match="found by the quick check"):
        Catalog(catalog_file)
    assert checks == [False, False]
    new_process()
    with pytest.raises(CatalogDamagedError):  # the failed check is not forgotten
        Catalog(catalog_file)


def test_damage_whose_writer_put_the_mtime_back_is_found(catalog_file: Path, checks: list[bool]) -> None:
    Catalog(catalog_file).close()
    new_process()
    before = catalog_file.stat()
    garbage_index_page(catalog_file)
    os.utime(catalog_file, ns=(before.st_atime_ns, before.st_mtime_ns))  # the ctime still tells
    with pytest.raises(CatalogDamagedError):
        Catalog(catalog_file)


def test_a_write_by_another_program_makes_the_next_open_check(catalog_file: Path, checks: list[bool]) -> None:
    Catalog(catalog_file).close()
    with contextlib.closing(sqlite3.connect(catalog_file)) as db:
        db.execute("UPDATE images SET name = name || '' WHERE id = 1")
        db.commit()
    new_process()
    Catalog(catalog_file).close()
    assert checks == [False, False]


def test_an_unclean_shutdown_still_makes_the_next_open_run_the_full_check(
    catalog_file: Path, checks: list[bool]
) -> None:
    Catalog(catalog_file).close()
    stale = catalog_file.with_name(f".{catalog_file.name}.open-999999-{health._host_key()}")
    stale.write_text(json.dumps({"owner": f"{health._host_key()}:999999:1"}), encoding="utf-8")
    new_process()
    Catalog(catalog_file).close()
    assert checks == [False, True]
    assert not stale.exists()


# --------------------------------------------------------------------------- in the background


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, threading.Event]]:
    """The check waits for ``release``; ``writer_waits`` is set when a write waits for the check."""
    events = {"release": threading.Event(), "writer_waits": threading.Event(), "returned": threading.Event()}
    real_check, real_wait = health.run_check, health.BackgroundCheck.wait

    def slow(conn: sqlite3.Connection, *, full: bool, limit: int = health.MAX_PROBLEMS) -> health.CheckResult:
        events["release"].wait(30)
        return real_check(conn, full=full, limit=limit)

    def wait(self: health.BackgroundCheck, timeout: float | None = None) -> health.CheckResult | None:
        if timeout is None:
            events["writer_waits"].set()
        return real_wait(self, timeout)

    monkeypatch.setattr(health, "run_check", slow)
    monkeypatch.setattr(health.BackgroundCheck, "wait", wait)
    health.forget_checks()
    yield events
    events["release"].set()
    health.forget_checks()


def test_check_later_opens_at_once_and_refuses_to_write_a_damaged_catalog(
    catalog_file: Path, gated: dict[str, threading.Event]
) -> None:
    garbage_index_page(catalog_file)
    before = digest(catalog_file)
    catalog = Catalog(catalog_file, check_later=True)  # returns while the check is held
    try:
        check = catalog.pending_check
        assert check is not None and not check.done
        assert catalog.face_counts()["pending"] == 3000  # reads go on meanwhile
        releaser = threading.Thread(target=lambda: (gated["writer_waits"].wait(30), gated["release"].set()))
        releaser.start()
        with pytest.raises(CatalogDamagedError, match="found by the quick check"):
            catalog.decide([1], "accepted")  # waits for the check, which finds the damage
        releaser.join()
        with pytest.raises(CatalogDamagedError):  # and every later use is refused
            catalog.face_counts()
    finally:
        catalog.close()
    assert digest(catalog_file) == before  # not one byte written


def test_check_later_on_a_sound_catalog_writes_once_it_passed(
    catalog_file: Path, gated: dict[str, threading.Event]
) -> None:
    seen: list[object] = []
    with Catalog(catalog_file, check_later=True) as catalog:
        assert catalog.pending_check is not None
        catalog.pending_check.when_done(seen.append)
        gated["release"].set()
        assert catalog.decide([1, 2], "accepted")
        assert catalog.pending_check.done and seen == [None]
    new_process()
    with Catalog(catalog_file, check_later=True) as catalog:  # left sound: nothing to check
        assert catalog.pending_check is None


def test_an_immutable_catalog_is_refused_before_its_first_write(tmp_path: Path) -> None:
    """run_gui asks this at once: with the check on open in the background, the first write
    (and the read-only error it would meet) can come late or not at all."""
    import shutil
    import subprocess

    from facecurator.errors import CatalogError
    from facecurator.services.catalog import Catalog

    path = tmp_path / "frozen.sqlite3"
    Catalog(path).close()
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode != 0:
        pytest.skip("chattr +i is not available here (needs CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)")
    try:
        catalog = Catalog(path, check_later=True)
        try:
            with pytest.raises(CatalogError, match="readonly"):
                catalog.ensure_writable()
        finally:
            catalog.close()
    finally:
        subprocess.run([chattr, "-i", str(path)], check=False)
    writable = Catalog(path)
    try:
        writable.ensure_writable()  # a writable file passes
    finally:
        writable.close()
