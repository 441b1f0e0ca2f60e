"""The catalog lifecycle tests of test_catalog_schema.py and test_catalog_concurrency.py that
open a SQLite file by path, on PostgreSQL
too (issue 17, item 1: "every catalog test runs against both backends"): a migration runs once
and keeps the data, a failed migration changes nothing, and every decision ``decide()``
returned survives a SIGKILL of its process.

The SQLite-only rest of those files is about the file itself (a corrupt or unwritable
file, a folder, the busy timeout of a locked file, PRAGMA integrity_check); the server's
counterparts (another program's database, a newer schema, a password) are in
test_catalog_server.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers.catalog_images import add_image, face_ids
from helpers.killed_decider import decide_until_killed

from facecurator.errors import CatalogError
from facecurator.services.catalog import Catalog, Decision, schema_version
from facecurator.services.catalog import database as catalog_database
from facecurator.services.catalog import schema as catalog_schema


def _add_migration(monkeypatch: pytest.MonkeyPatch, step: Any) -> int:
    """One more schema step (the server's migrate is handed the list by the catalog); the new version."""
    steps = [*catalog_schema.MIGRATIONS, step]
    monkeypatch.setattr(catalog_schema, "MIGRATIONS", steps)
    monkeypatch.setattr(catalog_database, "MIGRATIONS", steps)
    return len(steps)


def _server_version(url: str) -> int:
    with Catalog(url) as cat:
        return int(cat._db.execute("SELECT version FROM facecurator_schema").fetchone()[0])


def _has_table(cat: Catalog, name: str) -> bool:
    return bool(cat._db.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0])


def test_a_server_migration_runs_once_and_keeps_data(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Catalog(pg_url) as cat:
        image_id = add_image(cat, "a.jpg", 1)
        cat.decide(face_ids(cat, image_id), "accepted", who="op")
    runs: list[int] = []

    def add_notes_table(db: Any) -> None:
        runs.append(1)
        db.execute("CREATE TABLE notes (face_id INTEGER REFERENCES faces(id), text TEXT)")

    new_version = _add_migration(monkeypatch, add_notes_table)
    for _ in range(3):
        with Catalog(pg_url) as cat:
            assert cat.faces()[0].decision.state == "accepted"
    assert runs == [1]
    assert _server_version(pg_url) == new_version
    with Catalog(pg_url) as cat:
        assert cat._db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_a_failed_server_migration_changes_nothing(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Catalog(pg_url) as cat:
        add_image(cat, "a.jpg", 1)
    version = schema_version()

    def half_done(db: Any) -> None:
        db.execute("CREATE TABLE half (x INTEGER)")
        db.execute("INSERT INTO half (x) VALUES (1)")
        raise ValueError("step exploded")

    _add_migration(monkeypatch, half_done)
    with pytest.raises(CatalogError, match=r"migration.*step exploded") as info:
        Catalog(pg_url)
    assert pg_url in str(info.value)
    monkeypatch.undo()
    assert _server_version(pg_url) == version
    with Catalog(pg_url) as cat:
        assert not _has_table(cat, "half")
        assert len(cat.faces()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 9, 40])
def test_every_returned_server_decision_survives_sigkill(pg_url: str, kill_after: int) -> None:
    with Catalog(pg_url) as cat, cat.transaction():
        for i in range(50):
            add_image(cat, f"p{i}.jpg", 10)  # 500 faces: more than the child gets through
    printed = decide_until_killed(pg_url, kill_after)
    with Catalog(pg_url) as cat:
        decided = {row.id: row.decision for row in cat.faces() if row.decision.state != "pending"}
        audited = [entry.face_id for entry in cat.audit()]
    for face_id in printed:
        assert decided[face_id] == Decision("accepted", f"child {face_id}", "child", decided[face_id].at)
    # Every decision is audited exactly once; at most the one in flight when the signal landed is extra.
    assert sorted(audited) == sorted(decided)
    assert len(printed) <= len(decided) <= len(printed) + 1
