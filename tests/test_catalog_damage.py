"""A damaged catalog (issue 19, item 2): found when opened, never written, and the way back.

Damage is made as it happens on disk: 4 KiB of garbage in the middle of the
file, a garbage page in an index, and a single flipped byte in an index leaf
(structurally valid: only a full ``integrity_check`` sees it). The commands
run as real processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from helpers.damage import flip_index_key, garbage_index_page, overwrite_4k_mid_file

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
CHILD = Path(__file__).resolve().parent / "helpers" / "decide_child.py"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facecurator", *args], capture_output=True, text=True, timeout=timeout, env=ENV
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


DAMAGES = {"mid-file": overwrite_4k_mid_file, "index page": garbage_index_page, "index key": flip_index_key}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite3"
    seed_catalog(path, "/virtual", n_images=6000, faces_per_image=2, varied=True)
    assert not Path(f"{path}-wal").exists()
    return path


def copy_of(seeded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "catalog.sqlite3"
    path.write_bytes(seeded.read_bytes())
    return path


def kill_while_deciding(catalog: Path) -> None:
    """An unclean shutdown: the decide child (helpers/decide_child.py) is SIGKILLed mid-write."""
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(catalog)], stdout=subprocess.PIPE, text=True, env=ENV
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        child.stdout.readline()
        child.send_signal(signal.SIGKILL)
        child.wait(30)


def counts(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return dict(db.execute("SELECT state, count(*) FROM decisions GROUP BY state").fetchall())


# --------------------------------------------------------------------------- refusing


@pytest.mark.parametrize("damage", ["mid-file", "index page"])
def test_scan_refuses_to_write_into_a_damaged_catalog(damage: str, seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    DAMAGES[damage](catalog)
    before = digest(catalog)
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an image")
    proc = run_cli("scan", str(folder), "--catalog", str(catalog))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{catalog}: the catalog is damaged" in proc.stderr, proc.stderr
    assert "facecurator catalog restore" in proc.stderr
    assert digest(catalog) == before  # not one byte written


@pytest.mark.parametrize("damage", ["mid-file", "index page", "index key"])
def test_decide_refuses_a_damaged_catalog(damage: str, seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    DAMAGES[damage](catalog)
    before = digest(catalog)
    proc = run_cli("decide", "--accept-qualified", "--catalog", str(catalog))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "the catalog is damaged" in proc.stderr, proc.stderr
    assert "accepted" not in proc.stdout
    assert digest(catalog) == before


def test_a_bulk_decision_refuses_a_wrong_key_in_an_index_it_writes(seeded: Path, tmp_path: Path) -> None:
    """No backup due (one was taken today): the check before the bulk change is of the tables it
    writes, and a key of ``decisions_by_state`` gone wrong (only ``integrity_check`` sees it: the
    open's quick check passes) refuses it, not one byte written."""
    catalog = copy_of(seeded, tmp_path)
    assert run_cli("decide", "--accept-qualified", "--catalog", str(catalog)).returncode == 0  # backup
    flip_index_key(catalog, "decisions_by_state", b"accepted")
    before = digest(catalog)
    proc = run_cli("decide", "--reject-unqualified", "--catalog", str(catalog))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "the catalog is damaged (found by the full integrity check" in proc.stderr, proc.stderr
    assert "decisions_by_state" in proc.stderr
    assert "rejected" not in proc.stdout
    assert digest(catalog) == before
    backups = json.loads(run_cli("catalog", "backups", "--json", "--catalog", str(catalog)).stdout)
    assert len(backups["backups"]) == 1  # no backup was due: the check was the tables' own


@pytest.mark.parametrize("damage", ["mid-file", "index page", "index key"])
def test_catalog_check_finds_the_damage(damage: str, seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    assert run_cli("catalog", "check", "--catalog", str(catalog)).returncode == 0
    DAMAGES[damage](catalog)
    proc = run_cli("catalog", "check", "--catalog", str(catalog))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "damaged" in proc.stdout + proc.stderr
    proc = run_cli("catalog", "check", "--json", "--catalog", str(catalog))
    data = json.loads(proc.stdout)
    assert data["ok"] is False and data["problems"]


def test_report_refuses_a_catalog_whose_quick_check_fails(seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    garbage_index_page(catalog)
    proc = run_cli("report", "--catalog", str(catalog))
    assert proc.returncode == 1
    assert "the catalog is damaged" in proc.stderr and "catalog restore" in proc.stderr
    assert proc.stdout == ""


def test_the_quick_check_on_open_refuses_damage_no_query_would_touch(seeded: Path, tmp_path: Path) -> None:
    """Garbage in an index ``report`` never reads: only the check on open can find it."""
    catalog = copy_of(seeded, tmp_path)
    garbage_index_page(catalog, "sqlite_autoindex_detections_1")
    before = digest(catalog)
    proc = run_cli("report", "--catalog", str(catalog))
    assert proc.returncode == 1, proc.stdout[-500:] + proc.stderr
    assert "the catalog is damaged (found by the quick check" in proc.stderr, proc.stderr
    assert proc.stdout == ""
    assert digest(catalog) == before


# --------------------------------------------------------------------------- unclean shutdown


def test_an_unclean_shutdown_makes_the_next_open_run_the_full_check(seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    kill_while_deciding(catalog)
    # Damage only the full check sees, while nobody has the file open.
    with contextlib.closing(sqlite3.connect(catalog)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    flip_index_key(catalog)
    proc = run_cli("report", "--catalog", str(catalog))
    assert proc.returncode == 1, proc.stderr
    assert "not shut down cleanly" in proc.stderr and "the catalog is damaged" in proc.stderr, proc.stderr
    # A clean shutdown since then does not hide it: the catalog stays damaged.
    assert run_cli("report", "--catalog", str(catalog)).returncode == 1


def test_a_clean_catalog_after_an_unclean_shutdown_opens(seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    kill_while_deciding(catalog)
    proc = run_cli("report", "--catalog", str(catalog))
    assert proc.returncode == 0, proc.stderr
    assert "not shut down cleanly" in proc.stderr and "full check passed" in proc.stderr
    again = run_cli("report", "--catalog", str(catalog))
    assert "not shut down cleanly" not in again.stderr


# --------------------------------------------------------------------------- backups and restore


def test_bulk_changes_take_a_verified_backup_at_most_daily(seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    assert json.loads(run_cli("catalog", "backups", "--json", "--catalog", str(catalog)).stdout) == {
        "catalog": str(catalog),
        "backups": [],
    }
    assert run_cli("decide", "--accept-qualified", "--catalog", str(catalog)).returncode == 0
    assert run_cli("decide", "--reject-unqualified", "--catalog", str(catalog)).returncode == 0
    data = json.loads(run_cli("catalog", "backups", "--json", "--catalog", str(catalog)).stdout)
    (backup,) = data["backups"]  # one a day, not one per bulk change
    assert backup["ok"] is True and backup["decisions"] == 0
    with contextlib.closing(sqlite3.connect(backup["path"])) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM images").fetchone() == (6000,)
    listing = run_cli("catalog", "backups", "--catalog", str(catalog)).stdout
    assert Path(backup["path"]).name in listing


@pytest.mark.parametrize("damage", ["index page", "index key"])
def test_restore_brings_back_the_backup_and_every_decision_since(
    damage: str, seeded: Path, tmp_path: Path
) -> None:
    catalog = copy_of(seeded, tmp_path)
    assert run_cli("decide", "--accept-qualified", "--catalog", str(catalog)).returncode == 0  # backup first
    assert run_cli("decide", "--reject-unqualified", "--catalog", str(catalog)).returncode == 0
    assert run_cli("decide", "--undo", "--catalog", str(catalog)).returncode == 0  # undo the rejections
    expected = counts(catalog)
    assert expected["accepted"] > 0 and expected["pending"] > 0
    with contextlib.closing(sqlite3.connect(catalog)) as db:
        audit_before = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    DAMAGES[damage](catalog)
    proc = run_cli("catalog", "restore", "--catalog", str(catalog))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "re-applied" in proc.stdout
    damaged = [p for p in tmp_path.glob("catalog.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(damaged) == 1  # the damaged file is kept aside, never deleted
    assert run_cli("catalog", "check", "--catalog", str(catalog)).returncode == 0
    assert counts(catalog) == expected
    with contextlib.closing(sqlite3.connect(catalog)) as db:
        assert db.execute("SELECT count(*) FROM audit").fetchone()[0] >= audit_before
    # and the catalog is usable again
    assert run_cli("decide", "--undo", "--catalog", str(catalog)).returncode == 0


def test_restore_after_4k_overwritten_keeps_what_the_audit_trail_still_tells(
    seeded: Path, tmp_path: Path
) -> None:
    catalog = copy_of(seeded, tmp_path)
    assert run_cli("decide", "--accept-qualified", "--catalog", str(catalog)).returncode == 0
    overwrite_4k_mid_file(catalog)
    proc = run_cli("catalog", "restore", "--catalog", str(catalog))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "re-applied" in proc.stdout
    assert run_cli("catalog", "check", "--catalog", str(catalog)).returncode == 0
    assert run_cli("report", "--json", "--catalog", str(catalog)).returncode == 0


def test_restore_without_a_backup_says_so(seeded: Path, tmp_path: Path) -> None:
    catalog = copy_of(seeded, tmp_path)
    garbage_index_page(catalog)
    proc = run_cli("catalog", "restore", "--catalog", str(catalog))
    assert proc.returncode == 1
    assert "no backup" in proc.stderr
