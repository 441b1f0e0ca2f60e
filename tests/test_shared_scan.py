"""A scan spread over machines through a server catalog (issue 17, item 3), with real
processes: three workers on one folder, one killed with SIGKILL mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from emulator import make_test_image

from facecurator.services.catalog import Catalog

WORKER = Path(__file__).resolve().parent / "helpers" / "scan_worker.py"
N_IMAGES = 60
#: Short, so the test does not wait long for the killed worker's claims to run out.
LEASE_S = 2.0
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "gallery"
    for i in range(N_IMAGES):
        person = root / f"person{i % 6}"
        person.mkdir(parents=True, exist_ok=True)
        (person / f"{i:03d}.jpg").write_bytes(make_test_image(96, 72, seed=i))
    return root


def _worker(url: str, folder: Path, calls: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(folder), str(calls), str(LEASE_S)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip


def _status(url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "facecurator", "status", "--json", "--catalog", url],
        capture_output=True, text=True, timeout=120, env=ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_three_machines_one_killed_every_image_detected_and_stored_once(
    pg_url: str, folder: Path, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.log"
    victim = _worker(pg_url, folder, calls)
    assert victim.stdout is not None
    first = victim.stdout.readline()
    assert first.startswith("stored "), victim.stderr.read() if victim.stderr else first
    # It holds a claim of several images (one stored, a few in flight): kill it now.
    survivors = [_worker(pg_url, folder, calls), _worker(pg_url, folder, calls)]
    victim.send_signal(signal.SIGKILL)
    rest, _ = victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    stored_by_victim = {
        line.split(" ", 1)[1].strip() for line in [first, *rest.splitlines()] if line.startswith("stored ")
    }
    killed_status = _status(pg_url)
    assert killed_status["left"] > 0  # the victim's claims are still out
    for proc in survivors:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out.strip().splitlines()[-1].startswith("done "), out
    by_pid = [line.split(" ", 1) for line in calls.read_text().splitlines()]
    per_uri = Counter(uri for _, uri in by_pid)
    victim_calls = {uri for pid, uri in by_pid if int(pid) == victim.pid}
    survivor_calls = Counter(uri for pid, uri in by_pid if int(pid) != victim.pid)
    # Every image was detected; none by two survivors, none again once the victim had stored it.
    assert len(per_uri) == N_IMAGES
    assert max(survivor_calls.values()) == 1
    assert not stored_by_victim & set(survivor_calls)
    # Only the images the victim had in flight when it died were detected twice (jobs=1: <= 3).
    assert len(victim_calls & set(survivor_calls)) <= 3
    with Catalog(pg_url) as cat:
        images = cat.images()
        detections = cat._db.execute("SELECT count(*) FROM detections").fetchone()[0]
        taken_over = cat._db.execute("SELECT count(*) FROM scan_queue WHERE claims > 1").fetchone()[0]
    assert len(images) == N_IMAGES and {image.status for image in images} == {"ok"}
    assert detections == N_IMAGES  # one stored detection per image, no duplicate
    assert taken_over >= 1  # the victim's expired claims were claimed again
    status = _status(pg_url)
    assert status["left"] == 0
    workers = {w["pid"]: w for w in status["workers"]}
    assert workers[victim.pid]["working"] is False and workers[victim.pid]["state"] == "scanning"
    assert {workers[p.pid]["state"] for p in survivors} == {"done"}
    assert sum(workers[p.pid]["done"] for p in survivors) + len(stored_by_victim) >= N_IMAGES


def test_status_on_a_local_catalog_says_it_shares_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "facecurator", "status", "--catalog", str(tmp_path / "c.sqlite3")],
        capture_output=True, text=True, timeout=120, env=ENV,
    )  # fmt: skip
    assert done.returncode == 1
    assert "needs a server catalog" in done.stderr


def test_a_shared_rescan_detects_nothing_again_and_loads_no_whole_source(
    pg_url: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facecurator.detect.local import LocalDetector
    from facecurator.services.shared_scan import scan_shared
    from facecurator.sources.local import LocalFolderSource

    source = LocalFolderSource(folder)
    with Catalog(pg_url) as catalog:
        first = scan_shared(source, LocalDetector(), catalog, jobs=1)
        assert (first.total, first.detected) == (N_IMAGES, N_IMAGES)

        def whole_source(*args: object, **kwargs: object) -> None:
            raise AssertionError("a shared scan looks its claimed images up one by one")

        monkeypatch.setattr(catalog, "images", whole_source)
        monkeypatch.setattr(catalog, "detected_identities", whole_source)  # nor every identity
        changed, other = sorted(folder.rglob("*.jpg"))[:2]
        changed.write_bytes(make_test_image(96, 72, seed=999))
        (folder / "copy.jpg").write_bytes(other.read_bytes())  # a plain cp: new mtime, same bytes
        again = scan_shared(source, LocalDetector(), catalog, jobs=1)
    # A new pass over the finished job: every image checked, the unchanged ones from the cache,
    # the copy found by its bytes in the catalog (never detected again).
    assert (again.total, again.cached, again.detected, again.failed) == (N_IMAGES + 1, N_IMAGES, 1, 0)
