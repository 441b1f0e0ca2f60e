"""The catalog's schema: created in new folders, newer versions refused, migrations run
once or change nothing, foreign or corrupt files named; schema 2's embedding tables and
named measures."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from helpers.catalog_images import ROOT, add_image, face_ids, ref
from helpers.catalogs import drop_steps_after_6

from facecurator.domain.face import Box, Face
from facecurator.domain.protocols import DetectionResult
from facecurator.errors import CatalogError
from facecurator.paths import default_catalog_path
from facecurator.services.catalog import Catalog, schema_version
from facecurator.services.catalog import schema as catalog_schema

# --------------------------------------------------------------------------- schema


def test_creates_schema_in_new_folders_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "catalog.sqlite3"
    with Catalog(str(path)) as cat:
        assert cat.path == path
        cat.set_setting("rules", "moderation-2.0")
        image_id = add_image(cat, "alice/1.jpg", 2)
    assert path.is_file()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 1
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    with Catalog(path) as cat:
        assert cat.get_setting("rules") == "moderation-2.0"
        assert cat.get_setting("missing", "dflt") == "dflt"
        assert cat.image(image_id).name == "alice/1.jpg"
        assert len(cat.faces()) == 2


def test_default_path_is_the_user_data_dir() -> None:
    with Catalog() as cat:
        assert cat.path == default_catalog_path()
    assert default_catalog_path().is_file()


def test_refuses_a_catalog_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Catalog(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {schema_version() + 1}")
    raw.close()
    with pytest.raises(CatalogError) as info:
        Catalog(path)
    message = str(info.value)
    assert str(path) in message
    assert (
        f"catalog was written by a newer facecurator (schema {schema_version() + 1} > {schema_version()})"
        in (message)
    )


def test_migration_runs_once_and_keeps_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.sqlite3"
    with Catalog(path) as cat:
        image_id = add_image(cat, "a.jpg", 1)
        cat.decide(face_ids(cat, image_id), "accepted", who="op")
    runs: list[int] = []

    def add_notes_table(conn: sqlite3.Connection) -> None:
        runs.append(1)
        conn.execute("CREATE TABLE notes (face_id INTEGER REFERENCES faces(id), text TEXT)")

    monkeypatch.setattr(catalog_schema, "MIGRATIONS", [*catalog_schema.MIGRATIONS, add_notes_table])
    new_version = len(catalog_schema.MIGRATIONS)
    for _ in range(3):
        with Catalog(path) as cat:
            assert cat.faces()[0].decision.state == "accepted"
    assert runs == [1]
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == new_version
    assert raw.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    raw.close()


def test_failed_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.sqlite3"
    with Catalog(path) as cat:
        add_image(cat, "a.jpg", 1)
    version = schema_version()

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        raise ValueError("step exploded")

    monkeypatch.setattr(catalog_schema, "MIGRATIONS", [*catalog_schema.MIGRATIONS, half_done])
    with pytest.raises(CatalogError, match=r"migration.*step exploded") as info:
        Catalog(path)
    assert str(path) in str(info.value)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == version
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0
    raw.close()
    monkeypatch.undo()
    with Catalog(path) as cat:
        assert len(cat.faces()) == 1


def test_corrupt_file_is_a_catalog_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(CatalogError) as info:
        Catalog(path)
    assert str(path) in str(info.value)


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    raw.commit()
    raw.close()
    with pytest.raises(CatalogError, match="not a facecurator catalog") as info:
        Catalog(path)
    assert str(path) in str(info.value)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1  # untouched
    raw.close()


def test_unwritable_path_is_a_catalog_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    path = blocker / "catalog.sqlite3"
    with pytest.raises(CatalogError) as info:
        Catalog(path)
    assert str(path) in str(info.value)
    with pytest.raises(CatalogError, match="folder") as info:
        Catalog(tmp_path)
    assert str(tmp_path) in str(info.value)


# --------------------------------------------------------------------------- face embeddings (schema 2)


def _downgrade_to_version_1(path: Path) -> None:
    """Turn a current catalog into what version 1 wrote (no embedding tables, no
    measures column, no batch state), keeping its data: the file an older facecurator left."""
    if sqlite3.sqlite_version_info < (3, 35, 0):
        pytest.skip("SQLite < 3.35 cannot drop a column")
    raw = sqlite3.connect(path)
    for table in ("verdicts", "rulesets"):  # schema 5 (stored verdicts) and its indexes
        raw.execute(f"DROP TABLE IF EXISTS {table}")
    for index in (
        "images_by_root_nocase",
        "images_by_root_group",
        "images_by_root_status",
        "decisions_by_state",
    ):
        raw.execute(f"DROP INDEX IF EXISTS {index}")
    raw.execute("DROP TABLE face_embeddings")
    raw.execute("DROP TABLE detection_embedders")
    raw.execute("ALTER TABLE detection_faces DROP COLUMN measures")
    # schema 4: batch state
    raw.execute("DROP TRIGGER batches_state_only")
    raw.execute("DROP TRIGGER audit_into_open_batch")
    raw.execute("DROP INDEX batches_by_state")
    for column in ("state", "owner", "updated_at"):
        raw.execute(f"ALTER TABLE batches DROP COLUMN {column}")
    raw.execute(
        "CREATE TRIGGER batches_no_update BEFORE UPDATE ON batches "
        "BEGIN SELECT RAISE(ABORT, 'batches rows are append-only'); END"
    )
    drop_steps_after_6(raw)
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()


def test_a_version_1_catalog_gains_the_embedding_tables_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.sqlite3"
    with Catalog(path) as cat:
        image_id = add_image(cat, "a.jpg", 2)
        ids = face_ids(cat, image_id)
    _downgrade_to_version_1(path)
    # A decision and its undo as a version-1 catalog stores them (batches had no state then).
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(
        f"""INSERT INTO batches (id, at, who, kind) VALUES (1, 'then', 'op', 'decide');
            INSERT INTO batches (id, at, who, kind, undoes) VALUES (2, 'then', 'op', 'undo', 1);
            INSERT INTO batches (id, at, who, kind) VALUES (3, 'then', 'op', 'decide');
            INSERT INTO decisions VALUES ({ids[0]}, 'accepted', NULL, 'op', 'then'),
                                         ({ids[1]}, 'accepted', NULL, 'op', 'then');"""
    )
    raw.close()
    with Catalog(path) as cat:
        assert [f.decision.state for f in cat.faces()] == ["accepted", "accepted"]
        batch_states = cat._db.execute("SELECT id, state FROM batches ORDER BY id").fetchall()
        assert batch_states == [(1, "undone"), (2, "complete"), (3, "complete")]  # schema 4
        assert cat.embeddings("e1") == ({}, {})
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 2
    raw.close()


def test_embeddings_are_cached_with_the_detection_and_shared_by_its_copies(cat: Catalog) -> None:
    first = add_image(cat, "a.jpg", 2, identity="same-bytes")
    copy = add_image(cat, "copy/a.jpg", 2, identity="same-bytes")  # the same photo twice
    detection = cat.image(first).detection_id
    assert detection is not None and cat.image(copy).detection_id == detection
    assert not cat.has_embeddings(detection, "e1") and not cat.any_embeddings("e1")
    vector = bytes(range(128)) * 4
    big_hash = (1 << 64) - 3  # above SQLite's signed range
    cat.store_embeddings(detection, "e1", big_hash, [("landmarks", vector), None])
    cat.store_embeddings(detection, "e1", 0, [None, None])  # idempotent: the first one stays
    assert cat.has_embeddings(detection, "e1") and not cat.has_embeddings(detection, "e2")
    assert cat.any_embeddings("e1") and not cat.any_embeddings("e2")
    vectors, hashes = cat.embeddings("e1")
    faces_a, faces_copy = face_ids(cat, first), face_ids(cat, copy)
    assert vectors == {faces_a[0]: ("landmarks", vector), faces_copy[0]: ("landmarks", vector)}
    assert hashes == {first: big_hash, copy: big_hash}
    assert cat.embeddings("e2") == ({}, {})


def test_faces_keep_their_named_measures(cat: Catalog) -> None:
    from facecurator.domain.face import Measure, MeasureSet

    measures = MeasureSet({"eyes_visible": Measure(0.21, "sunglasses?"), "eyes_open": Measure(None, "x")})
    face = Face(box=Box(1, 2, 30, 40), measures=measures)
    detection = cat.store_detection(
        "id:m", "local", "v1", DetectionResult(faces=(face, Face(box=Box(0, 0, 9, 9))), width=100, height=100)
    )
    cat.record_image(
        ref("m.jpg"),
        source_root=ROOT,
        identity="id:m",
        status="ok",
        error=None,
        detection_id=detection,
        width=None,
        height=None,
    )
    stored = sorted((f.face for f in cat.faces()), key=lambda f: f.box.x, reverse=True)
    assert stored[0].measures == measures  # value, null and reasons survive
    assert stored[1].measures == {}  # a face without measures reads back empty (NULL column)
