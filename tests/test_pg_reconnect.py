"""A server catalog whose connection the server dropped (a restart, a terminated backend) opens it
again at its next use outside a transaction (database.Catalog._reconnect): the window's own
connection stayed dead after a restart -- every read on the GUI thread failed with "the connection
is closed" once the server was back (seen testing review15's row reads). Inside a transaction
nothing is reopened: its writes went with the connection, and the block fails whole.
PostgreSQL only: a SQLite catalog is a file, not a connection to a server."""

from __future__ import annotations

import threading
import time

import pytest
from helpers.catalogs import seed_catalog
from helpers.pgcluster import Cluster

from facecurator.errors import CatalogError
from facecurator.services.catalog import Catalog


def _decided(url: str) -> dict[int, str]:
    with Catalog(url) as catalog:
        rows = catalog._db.execute("SELECT face_id, state FROM decisions").fetchall()
    return {face: state for face, state in rows}


def test_a_server_catalog_reconnects_once_the_server_is_back(own_cluster: Cluster) -> None:
    url = own_cluster.new_database()
    seed_catalog(url, "/g", 3, 2)
    with Catalog(url) as catalog:
        faces = [face.id for face in catalog.faces()]
        own_cluster.stop_server()
        try:
            with pytest.raises(CatalogError):  # the server gone: the read fails, the catalog says so
                catalog.faces()
            with pytest.raises(CatalogError, match="cannot open catalog"):  # still gone: asked again
                catalog.faces()
        finally:
            own_cluster.start_server()
        assert [face.id for face in catalog.faces()] == faces  # back: opened again by itself
        catalog.decide(faces[:2], "accepted")
        assert catalog.audit(face_id=faces[0])[0].new_state == "accepted"


def test_a_transaction_cut_by_a_dropped_connection_is_not_carried_on(own_cluster: Cluster) -> None:
    url = own_cluster.new_database()
    seed_catalog(url, "/g", 3, 2)
    with Catalog(url) as catalog:
        faces = [face.id for face in catalog.faces()]
        pid = catalog._db.raw.info.backend_pid
        with pytest.raises(CatalogError), catalog.transaction():
            catalog.decide(faces[:1], "rejected")
            own_cluster.admin(f"SELECT pg_terminate_backend({pid})")
            catalog.decide(faces[1:2], "rejected")  # the connection is gone: not reopened here
        assert _decided(url).get(faces[1]) != "rejected" and _decided(url).get(faces[0]) != "rejected"
        catalog.decide(faces[2:3], "accepted")  # after the block: opened again
        assert _decided(url).get(faces[2]) == "accepted"


def test_a_decision_feed_listens_again_after_the_server_restarted(own_cluster: Cluster) -> None:
    """review19: the feed's LISTEN connection stayed dead after a restart (its wait raised the
    server's error for good); now it is opened again once the audit trail reads, and a decision
    wakes the wait at once -- not after the poll interval."""
    from facecurator.services.catalog.feed import DecisionFeed

    url = own_cluster.new_database()
    seed_catalog(url, "/g", 3, 1)
    with Catalog(url) as catalog:
        faces = [face.id for face in catalog.faces()]

    def decide_elsewhere() -> None:
        with Catalog(url) as other:
            other.decide(faces[:1], "rejected", who="bob")

    with DecisionFeed(url, poll_interval=60.0) as feed:
        own_cluster.stop_server()
        try:
            with pytest.raises(CatalogError):  # gone: said, not hidden
                feed.wait(timeout=1.0)
        finally:
            own_cluster.start_server()
        assert feed.wait(timeout=1.0) == []  # back: nothing was decided meanwhile
        later = threading.Timer(1.0, decide_elsewhere)
        later.start()
        started, entries = time.monotonic(), []
        while not entries and time.monotonic() - started < 30:
            entries = feed.wait(timeout=30.0)
        later.join()
        assert [(entry.face_id, entry.who) for entry in entries] == [(faces[0], "bob")]
        assert time.monotonic() - started < 10  # woken by its NOTIFY, not the 30 s wait


def test_the_first_decision_after_a_restart_is_kept(own_cluster: Cluster) -> None:
    """review19: the server stopped and started while the catalog was idle, the catalog's first
    statement after it ran on the dropped connection and failed ("terminating connection due to
    administrator command"): the operator's first decision after any restart was refused. The
    dropped connection is now seen before a transaction starts (the server's goodbye waiting on
    its socket) and opened again first."""
    url = own_cluster.new_database()
    seed_catalog(url, "/g", 3, 1)
    with Catalog(url) as catalog:
        faces = [face.id for face in catalog.faces()]
        own_cluster.stop_server()
        own_cluster.start_server()
        assert catalog.decide(faces[:1], "accepted")  # the server back: kept at once
        assert _decided(url)[faces[0]] == "accepted"
        own_cluster.stop_server()
        own_cluster.start_server()
        assert [face.id for face in catalog.faces()] == faces  # a read alike


def _unreasoned(url: str) -> int:
    with Catalog(url) as catalog:
        sql = "SELECT count(*) FROM verdicts WHERE status <> 1 AND reasons IS NULL"
        return int(catalog._db.execute(sql).fetchone()[0])


def test_reasons_stored_while_the_server_is_down_are_stored_once_it_is_back(own_cluster: Cluster) -> None:
    """The verdict fill's child stores the reasons of the verdicts it stored in SQL after answering
    (verdict_fill.store_reasons): the server down then, it says so and tries again with a doubling
    wait until the server is back, then stores them all (before, it logged "storing the reasons ...
    failed" and gave up: stored only at a later open)."""
    from facecurator.domain.rules import load_rules
    from facecurator.services import browse
    from facecurator.services.verdict_fill import store_reasons

    url = own_cluster.new_database()
    seed_catalog(url, "/g", 60, 3)
    rules = load_rules("moderation-2.0")
    with Catalog(url) as catalog:
        assert browse.fill_verdicts(catalog, rules)  # (in SQL: no reasons yet)
    assert _unreasoned(url) > 0
    own_cluster.stop_server()
    back = threading.Thread(target=lambda: (time.sleep(1.5), own_cluster.start_server()))
    back.start()
    try:
        assert store_reasons(url, rules, source_root=None, is_stale=lambda: False)
    finally:
        back.join()
    assert _unreasoned(url) == 0
