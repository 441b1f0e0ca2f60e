"""A second operator's decision shows in this window within seconds (issue 17, item 2)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.gui.decision_watch import DecisionWatcher
from facecurator.gui.store import CurationStore
from facecurator.services.catalog import Catalog

CHILD = Path(__file__).resolve().parents[1] / "helpers" / "operator_child.py"


@contextmanager
def _watched(url: str, n_images: int) -> Iterator[tuple[CurationStore, DecisionWatcher]]:
    """A window's store of a seeded catalog with its decision watch, the source open."""
    seed_catalog(url, "/team", n_images=n_images, faces_per_image=1, varied=False)
    catalog = Catalog(url)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    watch = DecisionWatcher(store)
    try:
        store.open_source("/team")
        assert store.wait_until_idle()
        yield store, watch
    finally:
        watch.stop()
        store.shutdown()
        catalog.close()
    assert not watch.running


def test_another_operators_decision_refreshes_only_those_faces(qtbot, pg_url: str) -> None:
    with _watched(pg_url, 6) as (store, watch):
        assert watch.running
        ids = sorted(store.face_ids())
        store.decide([ids[0]], "accepted")  # our own: shown at once, not announced back to us
        other = subprocess.Popen(
            [sys.executable, str(CHILD), pg_url, "bob", "rejected", f"{ids[1]},{ids[2]}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )  # fmt: skip
        assert other.stdout is not None and other.stdout.readline().strip() == "ready"
        changed: list[int] = []
        store.facesChanged.connect(changed.extend)
        other.communicate("go\n", timeout=60)  # bob decides them one by one, then exits
        qtbot.waitUntil(lambda: sorted(changed) == [ids[1], ids[2]], timeout=5000)  # "within seconds"
        assert store.face(ids[1]).row.decision.state == "rejected"
        assert store.face(ids[1]).row.decision.who == "bob"
        assert store.face(ids[0]).row.decision.state == "accepted"


def test_other_operators_decisions_still_show_after_the_server_restarted(qtbot, own_cluster: Any) -> None:
    """review19: the watch stopped for good at the first look that found the server gone ("stopped
    following other operators' decisions"), its LISTEN connection stayed dead, and the store's
    re-read of the decided faces raised into Qt on the window's dropped connection -- after a
    server restart a window no longer showed the other operators' decisions until reopened."""
    url = own_cluster.new_database()
    with _watched(url, 4) as (store, watch):
        ids = sorted(store.face_ids())
        own_cluster.stop_server()
        try:
            time.sleep(2.5)  # the watch looks (at least once a second) and finds the server gone
        finally:
            own_cluster.start_server()
        changed: list[int] = []
        store.facesChanged.connect(changed.extend)
        for face_id, state in ((ids[1], "rejected"), (ids[2], "accepted")):  # one at a time
            other = subprocess.run(
                [sys.executable, str(CHILD), url, "bob", state, str(face_id)],
                input="go\n", capture_output=True, text=True, timeout=60,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )  # fmt: skip
            assert other.returncode == 0, other.stderr
            qtbot.waitUntil(lambda face_id=face_id: face_id in changed, timeout=15000)
        assert watch.running
        assert store.face(ids[1]).row.decision.state == "rejected"
        assert store.face(ids[2]).row.decision.who == "bob"


def test_a_sqlite_catalog_has_no_watcher(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite3")
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    try:
        assert not DecisionWatcher(store).running
    finally:
        store.shutdown()
        catalog.close()


def test_the_status_bar_shows_the_machines_of_a_shared_scan(
    qtbot, pg_url: str, ui_language: str, monkeypatch
) -> None:
    """The count, the combined rate and what is left; the tooltip names each machine with its
    rate and count (issue 17: "which machines are working, their rate and the total left")."""
    from facecurator.domain.protocols import ImageRef
    from facecurator.gui import decision_watch
    from facecurator.gui.decision_watch import TeamStatusLabel
    from facecurator.services.catalog.claims import WorkQueue

    monkeypatch.setattr(decision_watch, "TEAM_STATUS_EVERY", 0.5)
    catalog = Catalog(pg_url)
    queue = WorkQueue(catalog, "/team | local | k", worker="elsewhere:1")
    queue.enqueue([ImageRef(f"/team/{i}.jpg", f"{i}.jpg", "team", 1, 1) for i in range(7)])
    queue.register()
    with catalog._write("beat") as db:
        queue.beat(db, done=12, rate=3.5)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    watch = DecisionWatcher(store)
    try:
        label: TeamStatusLabel = watch.team_label
        qtbot.waitUntil(lambda: label.summary is not None, timeout=5000)
        assert label.summary == (1, 3.5, 7)
        tip = f"{socket.gethostname()} ({{}} {os.getpid()}): 3.5 {{}} 12 {{}}"
        if ui_language == "en":
            assert label.text() == "1 machine scanning · 3.5 images/s · 7 images left"
            assert label.toolTip() == tip.format("process", "images/s,", "images done")
        else:
            assert label.text() == "1 台机器正在扫描 · 每秒 3.5 张 · 剩余 7 张"
            assert (
                label.toolTip() == f"{socket.gethostname()}（进程 {os.getpid()}）：每秒 3.5 张，已完成 12 张"
            )
        assert not label.isHidden()
        # A second machine: counted in the plural, its rate added, both named in the tooltip.
        second = WorkQueue(catalog, "/team | local | k", worker="other:2")
        second.register()
        with catalog._write("beat") as db:
            second.beat(db, done=30, rate=4.0)
        qtbot.waitUntil(lambda: label.summary == (2, 7.5, 7), timeout=15000)
        lines = label.toolTip().splitlines()
        assert len(lines) == 2 and all(socket.gethostname() in line for line in lines)
        # the done count at the line's end (the process id before it may hold "12" too)
        assert sorted(line.endswith(("12 images done", "已完成 12 张")) for line in lines) == [False, True]
        if ui_language == "en":
            assert label.text() == "2 machines scanning · 7.5 images/s · 7 images left"
            assert any("4.0 images/s, 30 images done" in line for line in lines)
        else:
            assert label.text() == "2 台机器正在扫描 · 每秒 7.5 张 · 剩余 7 张"
            assert any("每秒 4.0 张，已完成 30 张" in line for line in lines)
    finally:
        watch.stop()
        store.shutdown()
        catalog.close()


def test_a_failed_reload_of_decisions_stops_once_the_window_closed(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-read of other operators' decisions that failed is asked again (see the restart test
    above) -- but not once the window closed: its retry read the closed catalog, failed and asked
    again every 10 s for as long as the store lived (review19)."""
    from facecurator.errors import CatalogError
    from facecurator.gui import store_decisions
    from facecurator.services.catalog import queries as q

    monkeypatch.setattr(store_decisions, "RELOAD_RETRY_MAX_MS", 200)
    target = tmp_path / "c.sqlite3"
    seed_catalog(target, "/team", n_images=3, faces_per_image=1, varied=False)
    catalog = Catalog(target)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    store.open_source("/team")
    assert store.wait_until_idle()
    reads: list[bool] = []  # each re-read: whether it failed on purpose
    image_of_faces = q.image_of_faces

    def gone(*args: Any) -> Any:
        reads.append(True)
        raise CatalogError("the server is gone")

    monkeypatch.setattr(q, "image_of_faces", gone)
    store.reload_decisions(sorted(store.face_ids())[:1])
    assert reads and store._reload_waiting
    monkeypatch.setattr(q, "image_of_faces", lambda *a: (reads.append(False), image_of_faces(*a))[1])
    store.shutdown()
    catalog.close()
    qtbot.waitUntil(lambda: not store._reload_waiting, timeout=5000)
    qtbot.wait(1000)  # (retries would come every 200 ms)
    assert not store._reload_waiting and reads == [True]
