"""Schemas 12 to 14: the audit trail's and the decisions' checks once per statement on PostgreSQL,
each check's faces looked up by key, each write of faces, audit or decisions under the catalog's
write lock (services/catalog/statement_checks.py; issue 17 item 5,
``decide --accept-qualified`` at 1M).

A catalog written by schema 11 (the code of before: per-row open-batch trigger, foreign keys)
upgrades in place and keeps its decisions and audit trail; after it the database still refuses
what the per-row checks refused (an audit row in a batch that is not open, an audit row or a
decision of a face that does not exist, a decided face deleted, renumbered or truncated), on both
backends (SQLite keeps its per-row triggers and foreign keys); a bulk decision made under schema 11
and under today's schema writes the same decisions, audit rows and undo step; on PostgreSQL a bulk
insert runs the checks once, with no per-row foreign-key trigger, and inside a set-based chunk
the checks still look each face up by key."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_schema_upgrade
from helpers.catalogs import database_errors, raw_connection, seed_catalog
from test_decide_set_based import _prepare, _state, _twins
from test_schema_upgrade import _written_by, catalog_of_release

from facecurator.domain.rules import load_rules
from facecurator.services import review as review_module
from facecurator.services.catalog import Catalog, bulk, schema_version
from facecurator.services.review import accept_qualified, reject_unqualified

#: A new file, or an empty database of the test cluster (the fixture of test_schema_upgrade).
empty_target = test_schema_upgrade.empty_target

#: The schema of before the per-statement checks (the fixture's "today's schema").
BEFORE = 11


def _version(catalog: Catalog) -> int:
    sql = (
        "SELECT version FROM facecurator_schema" if catalog.dialect == "postgresql" else "PRAGMA user_version"
    )
    return int(catalog._db.execute(sql).fetchone()[0])


def _trail(catalog: Catalog) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every audit row, batch and decision, as stored."""
    db = catalog._db
    return (
        [tuple(row) for row in db.execute("SELECT * FROM audit ORDER BY id")],
        [tuple(row) for row in db.execute("SELECT * FROM batches ORDER BY id")],
        [tuple(row) for row in db.execute("SELECT * FROM decisions ORDER BY face_id")],
    )


@contextlib.contextmanager
def _raw(target: str) -> Any:
    db = raw_connection(target)
    if getattr(db, "dialect", "sqlite") == "sqlite":
        db.execute("PRAGMA foreign_keys = ON")  # as the catalog's own connections have it
    try:
        yield db
    finally:
        db.close()


def test_a_schema_11_catalog_keeps_its_trail_and_its_checks_at_today_s_schema(
    empty_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = empty_target.startswith("postgresql://")
    with catalog_of_release(empty_target, BEFORE, monkeypatch) as (catalog, faces):
        catalog.decide(faces[:5], "accepted", reason="ok", who="alice", include_held=True)
        catalog.decide(faces[5:9], "rejected", reason="blurry", who="bob", include_held=True)
        catalog.decide(faces[3:7], "pending", reason="look again", who="carol", include_held=True)
        catalog.undo_last(who="dave")
        before = _trail(catalog)
    assert len(before[0]) == 5 + 4 + 4 + 4 and len(before[1]) == 4
    with Catalog(empty_target) as catalog:  # today's code: migrated to 16
        assert _version(catalog) == schema_version() == BEFORE + 5
        assert _trail(catalog) == before
        assert catalog.audit(face_id=faces[4])[0].who == "dave"
        decided, undecided = faces[0], faces[-1]
    with _raw(empty_target) as db:
        complete = before[1][0][0]
        (open_batch,) = db.execute(
            "INSERT INTO batches (at, who, kind, state) VALUES ('t', 'x', 'decide', 'open') RETURNING id"
        ).fetchone()
        fk = "FOREIGN KEY constraint failed|no such face|a face with decisions or audit rows is kept"
        row = "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state) VALUES "
        refused = [
            (row + "(?, 't', 'x', ?, 'decide', 'pending', 'accepted')", (complete, undecided), "not open"),
            (row + "(?, 't', 'x', ?, 'decide', 'pending', 'accepted')", (9999, undecided), "not open"),
            (row + "(?, 't', 'x', ?, 'decide', 'pending', 'accepted')", (open_batch, 999_999), fk),
            # one statement of many rows, one of them a face that does not exist: none written
            (
                "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state)"
                " SELECT ?, 't', 'x', id, 'decide', 'pending', 'accepted' FROM faces"
                " UNION ALL SELECT ?, 't', 'x', 999999, 'decide', 'pending', 'accepted'",
                (open_batch, open_batch),
                fk,
            ),
            ("INSERT INTO decisions (face_id, state) VALUES (?, 'accepted')", (999_999,), fk),
            ("UPDATE decisions SET face_id = ? WHERE face_id = ?", (999_999, decided), fk),
            ("DELETE FROM faces WHERE id = ?", (decided,), fk),
            ("UPDATE faces SET id = ? WHERE id = ?", (999_999, decided), fk),
        ]
        if server:
            refused.append(("TRUNCATE faces", (), fk))
        for statement, parameters, message in refused:
            with pytest.raises(database_errors(), match=message):
                db.execute(statement, parameters) if parameters else db.execute(statement)
        # what is allowed still is: an audit row of a face that exists, into the open batch
        db.execute(row + "(?, 't', 'x', ?, 'decide', 'pending', 'accepted')", (open_batch, undecided))
        assert db.execute("SELECT count(*) FROM audit WHERE batch_id = ?", (open_batch,)).fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM faces").fetchone()[0] == 24
        for statement in ("UPDATE audit SET who = 'mallory'", "DELETE FROM audit"):
            with pytest.raises(database_errors(), match="append-only"):
                db.execute(statement)


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_a_bulk_decision_writes_the_same_under_schema_11_and_today_s(
    empty_target: str, request: pytest.FixtureRequest, tmp_path: Path, action: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    rules = load_rules("moderation-2.0")
    _, new_target = _twins(empty_target, request, tmp_path)
    decide = accept_qualified if action == "accept" else reject_unqualified
    monkeypatch.setattr(review_module, "BULK_CHUNK", 20)  # several chunks
    monkeypatch.setattr(review_module, "MAX_STORED_CHUNK", 60)
    results = []
    for target, version in ((empty_target, BEFORE), (new_target, schema_version())):
        with monkeypatch.context() as code:
            _written_by(version, code)
            _prepare(target, rules)
            with Catalog(target) as catalog:
                assert _version(catalog) == version
                before = {f.id: f.decision.state for f in catalog.faces()}
                done = decide(catalog, rules, who="alice")
                state = _state(catalog, done.batch_ids[0])
                assert catalog.undo_last() is not None
                after_undo = {f.id: f.decision.state for f in catalog.faces()}
                assert after_undo == before
                results.append((done.count, done.skipped, state, after_undo))
    assert results[0][0] > 100
    assert results[1] == results[0]


def test_a_bulk_insert_is_checked_once_without_a_foreign_key_trigger_per_row(pg_url: str) -> None:
    seed_catalog(pg_url, "/g", 100, 3)
    with Catalog(pg_url) as catalog:
        faces = [face.id for face in catalog.faces()]
    with _raw(pg_url) as db:
        db.execute("BEGIN")
        (batch,) = db.execute(
            "INSERT INTO batches (at, who, kind, state) VALUES ('t', 'x', 'decide', 'open') RETURNING id"
        ).fetchone()
        plans = {}
        for table, statement in (
            (
                "audit",
                "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state)"
                f" SELECT {batch}, 't', 'x', id, 'decide', 'pending', 'accepted' FROM faces",
            ),
            ("decisions", "INSERT INTO decisions (face_id, state) SELECT id, 'accepted' FROM faces"),
        ):
            rows = db.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}").fetchone()[0]
            plans[table] = {t["Trigger Name"]: t["Calls"] for t in rows[0].get("Triggers", [])}
        db.execute("ROLLBACK")
    assert len(faces) == 300
    assert plans == {  # (and the write lock taken once a statement, schema 14)
        "audit": {"audit_write_locked": 1, "audit_rows_checked": 1},
        "decisions": {"decisions_write_locked": 1, "decisions_inserted_checked": 1},
    }


def test_a_check_looks_its_faces_up_by_key_inside_a_set_based_chunk(pg_url: str) -> None:
    """A chunk runs under ``bulk.set_based`` (no nested loops): the checks' own queries must not
    inherit it (schema 13), or each one hashes every face of the catalog (3M at 1M)."""
    seed_catalog(pg_url, "/g", 100, 3)
    with Catalog(pg_url) as catalog:
        last = sorted(face.id for face in catalog.faces())[-3:]
    # this transaction's reads of the faces (heap rows read by scans and fetched through an index)
    read = (
        "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
        " WHERE relname = 'faces'"
    )
    with _raw(pg_url) as db:
        db.execute("BEGIN")
        bulk.set_based(db)
        (batch,) = db.execute(
            "INSERT INTO batches (at, who, kind, state) VALUES ('t', 'x', 'decide', 'open') RETURNING id"
        ).fetchone()
        before = db.execute(read).fetchone()[0]
        ids = ", ".join(map(str, last))
        db.execute(
            "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state)"
            f" SELECT {batch}, 't', 'x', v, 'decide', 'pending', 'accepted' FROM unnest(ARRAY[{ids}]) AS v"
        )
        db.execute(
            f"INSERT INTO decisions (face_id, state) SELECT v, 'accepted' FROM unnest(ARRAY[{ids}]) AS v"
        )
        after = db.execute(read).fetchone()[0]
        db.execute("ROLLBACK")
    assert after - before <= 2 * len(last)  # each new row's face looked up, not the 300 faces read


def test_a_chunk_reads_only_its_own_audit_rows_to_write_its_decisions(pg_url: str) -> None:
    """A chunk's decisions are copied from the audit rows it just wrote (``bulk._decisions_from_audit``):
    those rows are read by the audit's primary key, after the last id before the chunk, not by the
    batch's index, which read every row the batch already had (at 1M the last chunk's count read
    877 603 rows to find its 50 000). The server's statistics predate the batch, as in a bulk
    decision: the batch is new to them."""
    seed_catalog(pg_url, "/g", 100, 3)
    rows = (
        "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state)"
        " SELECT {batch}, 't', 'x', f.id, 'decide', 'pending', 'accepted'"
        " FROM faces AS f CROSS JOIN generate_series(1, {times}) AS k{where}"
    )
    opened = "INSERT INTO batches (at, who, kind, state) VALUES ('t', 'x', 'decide', 'open') RETURNING id"
    with _raw(pg_url) as db:
        (old,) = db.execute(opened).fetchone()
        db.execute(rows.format(batch=old, times=20, where=""))
        db.execute("UPDATE batches SET state = 'complete' WHERE id = ?", (old,))
        db.execute("ANALYZE audit")
        db.execute("BEGIN")
        bulk.set_based(db)
        (batch,) = db.execute(opened).fetchone()
        db.execute(rows.format(batch=batch, times=20, where=""))  # the chunks written before
        (last,) = db.execute("SELECT max(id) FROM audit").fetchone()
        db.execute(rows.format(batch=batch, times=1, where=" WHERE f.id <= 3"))  # this chunk
        read = (
            "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables WHERE relname = ?"
        )
        before = db.execute(read, ("audit",)).fetchone()[0]
        assert bulk._decisions_from_audit(db, batch, last) == (3, 3)
        after = db.execute(read, ("audit",)).fetchone()[0]
        db.execute("ROLLBACK")
    # three statements, each reading the chunk's 3 rows (10 read), not the batch's 6 000 (12 009)
    assert after - before < 100


def _second_beside(pg_url: str, first: Any, second: Callable[[], None]) -> list[BaseException]:
    """Run ``second`` in a thread beside ``first``'s open transaction until it waits for the
    catalog's write lock (or has ended), then commit ``first``; what ``second`` raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            second()
        except Exception as exc:  # noqa: BLE001
            raised.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    with _raw(pg_url) as look:
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        for _ in range(3000):
            if not worker.is_alive() or look.execute(waiting).fetchone()[0]:
                break
            time.sleep(0.01)
    first.execute("COMMIT")
    worker.join(30)
    return raised


def _orphans(pg_url: str) -> tuple[int, int]:
    """(audit rows, decisions) whose face does not exist."""
    with _raw(pg_url) as db:
        return tuple(  # type: ignore[return-value]
            db.execute(f"SELECT count(*) FROM {table} AS t WHERE NOT EXISTS"
                       " (SELECT 1 FROM faces AS f WHERE f.id = t.face_id)").fetchone()[0]
            for table in ("audit", "decisions")
        )  # fmt: skip


def test_a_face_deleted_while_another_transaction_decides_it_leaves_no_orphan(pg_url: str) -> None:
    """The dropped foreign keys' row locks made a face's DELETE and a decision of it wait for each
    other; the statement checks see only what is committed (READ COMMITTED), so a DELETE run
    outside the catalog's write lock (an administrator's psql) beside an uncommitted decision --
    or a decision beside an uncommitted DELETE -- both passed their checks: a decision and its
    audit row of a face that no longer exists. The faces', audit's and decisions' writes take the
    write lock (schema 14): the second waits for the first, then its check sees it."""
    seed_catalog(pg_url, "/g", 10, 2)
    with Catalog(pg_url) as catalog:
        first, second = (face.id for face in list(catalog.faces())[:2])

    def delete(face: int) -> None:
        with _raw(pg_url) as db:
            db.execute("DELETE FROM faces WHERE id = ?", (face,))

    def decide(face: int) -> None:
        with Catalog(pg_url) as catalog:
            catalog.decide([face], "accepted")

    # a decision uncommitted (the catalog's own way: under its write lock), then the DELETE
    with _raw(pg_url) as app:
        app.execute("BEGIN IMMEDIATE")
        (batch,) = app.execute(
            "INSERT INTO batches (at, who, kind, state) VALUES ('t', 'x', 'decide', 'open') RETURNING id"
        ).fetchone()
        app.execute(
            "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state)"
            " VALUES (?, 't', 'x', ?, 'decide', 'pending', 'accepted')",
            (batch, first),
        )
        app.execute("INSERT INTO decisions (face_id, state) VALUES (?, 'accepted')", (first,))
        errors = _second_beside(pg_url, app, lambda: delete(first))
    assert _orphans(pg_url) == (0, 0)
    assert len(errors) == 1 and "is kept" in str(errors[0])
    # a DELETE uncommitted, then a decision through the catalog
    with _raw(pg_url) as admin:
        admin.execute("BEGIN")
        admin.execute("DELETE FROM faces WHERE id = ?", (second,))
        errors = _second_beside(pg_url, admin, lambda: decide(second))
    assert _orphans(pg_url) == (0, 0)
    assert len(errors) == 1
