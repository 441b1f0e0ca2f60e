"""A server catalog's data restored with the server's own tools (issue 17 item 1: its backups are
the server's, pg_dump / pg_restore) into a catalog the app migrated (schema 15: the trigger
functions run with the catalog's schema as their search path; see statement_checks.py).

pg_dump and pg_restore run with an empty ``search_path``; the checks named their tables
unqualified, so a data-only restore failed with ``relation "batches" does not exist`` (review15)
instead of checking. PostgreSQL only: a SQLite catalog is restored by ``catalog restore`` (a copy
of the file), and SQLite has no search path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import raw_connection, seed_catalog

from facecurator.services.catalog import Catalog


def _tool(pg_cluster: Any, name: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """``pg_dump`` / ``pg_restore`` of the test cluster, over its socket as its role."""
    command = [
        str(pg_cluster.bindir / name), "-h", str(pg_cluster.socket_dir), "-p", str(pg_cluster.port),
        "-U", pg_cluster.ROLE, *argv,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def _trail(catalog: Catalog) -> tuple[list[tuple[Any, ...]], ...]:
    db = catalog._db
    return tuple(
        [tuple(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY {key}")]
        for table, key in (("faces", "id"), ("batches", "id"), ("audit", "id"), ("decisions", "face_id"))
    )


@pytest.fixture
def dumped(pg_cluster: Any, pg_url: str, tmp_path: Path) -> tuple[Path, tuple[list[tuple[Any, ...]], ...]]:
    """A decided catalog's data-only dump (its schema version row left out: the catalog restored
    into has its own), with the catalog's faces, batches, audit rows and decisions."""
    seed_catalog(pg_url, "/g", 6, 2)
    with Catalog(pg_url) as catalog:
        faces = [face.id for face in catalog.faces()]
        catalog.decide(faces[:5], "accepted", reason="ok", who="alice")
        catalog.decide(faces[5:9], "rejected", reason="blurry", who="bob")
        catalog.undo_last(who="carol")
        trail = _trail(catalog)
    dump = tmp_path / "catalog.dump"
    done = _tool(
        pg_cluster, "pg_dump", "--format=custom", "--data-only", "--exclude-table-data=facecurator_schema",
        "-f", str(dump), pg_cluster.dbname(pg_url),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dump, trail


def test_a_data_only_restore_into_a_migrated_catalog_brings_its_trail_back(
    pg_cluster: Any, dumped: tuple[Path, tuple[list[tuple[Any, ...]], ...]]
) -> None:
    """The restore as the server's documentation gives it for data with triggers (their checks held
    while the rows arrive in table order); the catalog then works on: its batches' states and the
    sequences came with it (undo, a new decision's ids)."""
    dump, trail = dumped
    target = pg_cluster.new_database()
    Catalog(target).close()
    done = _tool(
        pg_cluster, "pg_restore", "--data-only", "--disable-triggers", "--single-transaction",
        "--exit-on-error", "-d", pg_cluster.dbname(target), str(dump),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Catalog(target) as catalog:
        assert _trail(catalog) == trail
        undone = catalog.undo_last(who="dave")  # the "bob" batch: the last not undone
        assert undone is not None
        faces = [face.id for face in catalog.faces()]
        catalog.decide(faces[-1:], "accepted", who="erin")
        assert [row.who for row in catalog.audit(face_id=faces[-1])][:1] == ["erin"]


def test_the_checks_hold_under_pg_restore_s_empty_search_path(
    pg_cluster: Any, pg_url: str, dumped: tuple[Path, tuple[list[tuple[Any, ...]], ...]]
) -> None:
    """Restored with the triggers on (a role that may not disable them), each check runs and
    refuses by its own rule -- audit rows into batches already complete, decisions before their
    faces (pg_dump's table order) -- never a missing relation; and in a session with an empty
    search path the checks let through what is allowed and refuse what is not."""
    dump, _ = dumped
    target = pg_cluster.new_database()
    Catalog(target).close()
    done = _tool(pg_cluster, "pg_restore", "--data-only", "-d", pg_cluster.dbname(target), str(dump))
    assert done.returncode != 0
    assert "does not exist" not in done.stderr, done.stderr
    assert "audit: the batch is not open" in done.stderr and "decisions: no such face" in done.stderr

    db = raw_connection(pg_url)
    try:
        schema = db.execute("SELECT current_schema()").fetchone()[0]
        face = db.execute("SELECT max(id) FROM faces").fetchone()[0]
        db.execute("SELECT pg_catalog.set_config('search_path', '', false)")  # as pg_dump/pg_restore
        (batch,) = db.execute(
            f"INSERT INTO {schema}.batches (at, who, kind, state)"
            " VALUES ('t', 'x', 'decide', 'open') RETURNING id"
        ).fetchone()
        audit = f"INSERT INTO {schema}.audit (batch_id, at, who, face_id, action, old_state, new_state)"
        db.execute(audit + " VALUES (?, 't', 'x', ?, 'decide', 'pending', 'accepted')", (batch, face))
        db.execute(f"UPDATE {schema}.decisions SET state = 'accepted' WHERE face_id = ?", (face,))
        db.execute(f"UPDATE {schema}.batches SET state = 'complete' WHERE id = ?", (batch,))
        with pytest.raises(Exception, match="the batch is not open"):
            db.execute(audit + " VALUES (?, 't', 'x', ?, 'decide', 'pending', 'accepted')", (batch, face))
        with pytest.raises(Exception, match="a face with decisions or audit rows is kept"):
            db.execute(f"DELETE FROM {schema}.faces WHERE id = ?", (face,))
    finally:
        db.close()
