"""Catalog concurrency and durability: other catalogs and threads see committed
decisions, a locked catalog waits then names its path, every returned decision survives
SIGKILL."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers.catalog_images import add_image, face_ids
from helpers.killed_decider import decide_until_killed

from facecurator.errors import CatalogError
from facecurator.services.catalog import Catalog, Decision, DecisionState

# --------------------------------------------------------------------------- concurrency and durability


def test_a_second_catalog_sees_committed_decisions_at_once(catalog_target: str) -> None:
    path = catalog_target
    with Catalog(path) as gui, Catalog(path) as cli:
        image_id = add_image(gui, "a.jpg", 2)
        ids = face_ids(cli, image_id)
        gui.decide(ids[:1], "accepted", who="gui")
        assert cli.face(ids[0]).decision.state == "accepted"
        cli.decide(ids[1:], "rejected", who="cli")
        assert gui.face_counts() == {"pending": 0, "accepted": 1, "rejected": 1}
        assert gui.undo() == ids[1:]  # undo is catalog-wide: the newest batch, whoever made it
        assert cli.face(ids[1]).decision.state == "pending"


def test_threads_with_their_own_catalog_write_concurrently(catalog_target: str) -> None:
    path = catalog_target
    with Catalog(path) as cat:
        image_id = add_image(cat, "a.jpg", 40)
        ids = face_ids(cat, image_id)

    def worker(chunk: list[int], state: DecisionState) -> None:
        with Catalog(path) as mine:  # one Catalog per thread
            for face_id in chunk:
                mine.decide([face_id], state, who=state)

    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(worker, ids[:20], "accepted"), pool.submit(worker, ids[20:], "rejected")]
        for job in jobs:
            job.result(timeout=30)  # re-raises a worker's error
    with Catalog(path) as cat:
        assert cat.face_counts() == {"pending": 0, "accepted": 20, "rejected": 20}
        assert len(cat.audit()) == 40


def test_a_locked_catalog_waits_then_reports_the_path(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with Catalog(path) as cat:
        ids = face_ids(cat, add_image(cat, "a.jpg", 1))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    with Catalog(path, timeout=0.3) as cat:
        started = time.monotonic()
        with pytest.raises(CatalogError, match="locked") as info:
            cat.decide(ids, "accepted", who="op")
        assert time.monotonic() - started >= 0.25  # it waited for the busy timeout
        assert str(path) in str(info.value)
        assert cat.face(ids[0]).decision.state == "pending"  # readers are not blocked (WAL)
        other.execute("COMMIT")
        assert cat.decide(ids, "accepted", who="op") > 0
    other.close()


def test_a_catalog_belongs_to_the_thread_that_opened_it(cat: Catalog) -> None:
    with ThreadPoolExecutor(1) as pool, pytest.raises(CatalogError, match="thread"):
        pool.submit(cat.images).result()


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 9, 40])
def test_every_returned_decision_survives_sigkill(tmp_path: Path, kill_after: int) -> None:
    path = tmp_path / "c.sqlite3"
    with Catalog(path) as cat, cat.transaction():
        for i in range(50):
            add_image(cat, f"p{i}.jpg", 10)  # 500 faces: more than the child gets through
    printed = decide_until_killed(str(path), kill_after)
    with Catalog(path) as cat:
        decided = {row.id: row.decision for row in cat.faces() if row.decision.state != "pending"}
        audited = {entry.face_id for entry in cat.audit()}
    for face_id in printed:
        assert decided[face_id] == Decision("accepted", f"child {face_id}", "child", decided[face_id].at)
        assert face_id in audited
    # At most the one decision in flight when the signal landed may be extra.
    assert len(printed) <= len(decided) <= len(printed) + 1
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
