"""The catalog's schema, its migrations, and the connection settings (WAL, synchronous=FULL)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final, Literal, get_args

from facecurator.domain.filters import natural_sort_key
from facecurator.errors import CatalogError
from facecurator.services.catalog.dialect import POSTGRESQL, Connection, dialect_of
from facecurator.services.catalog.messages import catalog_text
from facecurator.services.catalog.statement_checks import (
    PG_CHECKS_LOCKED,
    PG_CHECKS_PLANNED,
    PG_FUNCTIONS_PATHED,
    PG_STATEMENT_CHECKS,
)

DecisionState = Literal["pending", "accepted", "rejected"]
DECISION_STATES: Final[tuple[str, ...]] = get_args(DecisionState)
#: What a bulk decision writes (its verdicts' fill, rule sets, batches, audit rows, decisions):
#: the tables checked before it when no backup is due (:func:`.backup.before_bulk_change`).
DECISION_TABLES: Final = ("rulesets", "verdicts", "batches", "audit", "decisions")

#: Image statuses. "missing": listed by an earlier scan, absent from the latest one.
#: ``listed``: listed by a scan, not read yet (a folder shown before it is detected).
IMAGE_STATUSES: Final = ("ok", "error", "missing", "listed")

#: Audit actions.
ACTION_DECIDE: Final = "decide"
ACTION_UNDO: Final = "undo"

#: ``PRAGMA application_id`` of a catalog ("FCat"), so `file` and we can tell it apart.
APPLICATION_ID: Final = 0x46436174

#: SQLite page cache per connection; enough to keep a 100k-face catalog's hot pages.
PAGE_CACHE_KIB: Final = 32 * 1024

#: How long a writer waits for another process's transaction (seconds).
DEFAULT_BUSY_TIMEOUT: Final = 30.0

Migration = Callable[[Any], None]  # a Connection (dialect.py): sqlite3's, or PgConnection


class _PerDialect(str):
    """A statement with its own PostgreSQL form (triggers: too different to translate)."""

    postgresql: tuple[str, ...]


def _per_dialect(sqlite: str, *postgresql: str) -> str:
    """``sqlite`` on SQLite; the ``postgresql`` statements on PostgreSQL (see dialect.py)."""
    statement = _PerDialect(sqlite)
    statement.postgresql = postgresql
    return statement


def _statements(*sql: str) -> Migration:
    """A migration step that runs the given statements in order (translated on PostgreSQL)."""

    def run(conn: Connection) -> None:
        postgres = dialect_of(conn) == POSTGRESQL
        for statement in sql:
            if postgres and isinstance(statement, _PerDialect):
                for each in statement.postgresql:
                    conn.execute(each)
            else:
                conn.execute(statement)

    return run


def _append_only(table: str) -> tuple[str, str]:
    """The rule: rows of ``table`` are never updated nor deleted (nor, on PostgreSQL, truncated)."""
    return (
        _per_dialect(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
            _PG_APPEND_ONLY,
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facecurator_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION facecurator_append_only()",
        ),
        _per_dialect(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION facecurator_append_only()",
        ),
    )


_PG_APPEND_ONLY: Final = """CREATE OR REPLACE FUNCTION facecurator_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
      USING ERRCODE = 'integrity_constraint_violation';
    END $$"""


_SCHEMA_V1 = _statements(
    """CREATE TABLE detections (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL,
        detector TEXT NOT NULL,
        settings_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        paid_calls INTEGER NOT NULL DEFAULT 0,
        face_count INTEGER NOT NULL,
        raw TEXT,
        extra TEXT,
        UNIQUE (identity, detector, settings_key)
    )""",
    # One row per face of a detection: the canonical face in columns (reading
    # 100k faces from JSON costs seconds; from columns, a fraction of that).
    # landmarks are packed doubles (see _pack_points), raw is JSON text, booleans 0/1.
    """CREATE TABLE detection_faces (
        detection_id INTEGER NOT NULL REFERENCES detections(id),
        idx INTEGER NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        w REAL NOT NULL,
        h REAL NOT NULL,
        confidence REAL,
        landmarks BLOB,
        pitch REAL,
        yaw REAL,
        roll REAL,
        blur_value REAL,
        blur_scale TEXT,
        sharpness REAL,
        quality REAL,
        integrity REAL,
        glasses TEXT,
        mask INTEGER,
        hat INTEGER,
        beard INTEGER,
        eyes_closed INTEGER,
        age INTEGER,
        gender TEXT,
        raw TEXT,
        sunglasses INTEGER,
        PRIMARY KEY (detection_id, idx)
    ) WITHOUT ROWID""",
    """CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        uri TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        group_name TEXT NOT NULL,
        source_root TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        etag TEXT,
        identity TEXT,
        status TEXT NOT NULL,
        error TEXT,
        width INTEGER,
        height INTEGER,
        detector TEXT,
        detection_id INTEGER REFERENCES detections(id),
        scanned_at TEXT
    )""",
    "CREATE INDEX images_by_root ON images (source_root, name)",
    "CREATE INDEX images_by_status ON images (status)",
    """CREATE TABLE faces (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id),
        detection_id INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        UNIQUE (image_id, detection_id, idx),
        FOREIGN KEY (detection_id, idx) REFERENCES detection_faces(detection_id, idx)
    )""",
    """CREATE TABLE decisions (
        face_id INTEGER PRIMARY KEY REFERENCES faces(id),
        state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
        reason TEXT,
        who TEXT,
        at TEXT
    )""",
    # A batch is one decide() or undo() call; an undo batch names the batch it undid.
    """CREATE TABLE batches (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('decide', 'undo')),
        undoes INTEGER UNIQUE REFERENCES batches(id)
    )""",
    # prev_* keep what undo must restore; they are not part of AuditRow.
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        face_id INTEGER NOT NULL REFERENCES faces(id),
        action TEXT NOT NULL,
        old_state TEXT NOT NULL,
        new_state TEXT NOT NULL,
        reason TEXT,
        prev_reason TEXT,
        prev_who TEXT,
        prev_at TEXT
    )""",
    "CREATE INDEX audit_by_face ON audit (face_id, id)",
    "CREATE INDEX audit_by_batch ON audit (batch_id)",
    *_append_only("audit"),
    *_append_only("batches"),
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE paid_calls (service TEXT PRIMARY KEY, calls INTEGER NOT NULL)",
)

# Version 2: face embeddings, cached with the detection they were computed from
# (so under the same image identity + detector settings rules) and per embedder
# key (model + alignment). A detection_embedders row says "this detection was
# embedded with this embedder" (also when none of its faces could be) and holds
# the image's perceptual hash; face_embeddings has one row per embedded face
# (vector: 128 float32 little-endian).
_SCHEMA_V2 = _statements(
    """CREATE TABLE detection_embedders (
        detection_id INTEGER NOT NULL REFERENCES detections(id),
        embedder TEXT NOT NULL,
        phash INTEGER,
        created_at TEXT NOT NULL,
        PRIMARY KEY (detection_id, embedder)
    ) WITHOUT ROWID""",
    """CREATE TABLE face_embeddings (
        detection_id INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        embedder TEXT NOT NULL,
        method TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (detection_id, embedder, idx),
        FOREIGN KEY (detection_id, embedder) REFERENCES detection_embedders(detection_id, embedder)
    ) WITHOUT ROWID""",
)


_SCHEMA_V3 = _statements(
    # Version 3: named quality measures of a face (JSON of MeasureSet.to_json); NULL = none
    "ALTER TABLE detection_faces ADD COLUMN measures TEXT",
)

#: Schema 4: a decision batch has a state (open while a bulk decision is written, complete,
#: undone) and an owner (the writing process); audit rows only go into an open batch, and
#: a batch's state only moves open -> complete -> undone (see services/catalog/batches.py).
_SCHEMA_V4 = _statements(
    "ALTER TABLE batches ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'"
    " CHECK (state IN ('open', 'complete', 'undone'))",
    "ALTER TABLE batches ADD COLUMN owner TEXT",
    "ALTER TABLE batches ADD COLUMN updated_at TEXT",
    _per_dialect("DROP TRIGGER batches_no_update", "DROP TRIGGER batches_no_update ON batches"),
    "UPDATE batches SET state = 'undone' WHERE id IN (SELECT undoes FROM batches WHERE undoes IS NOT NULL)",
    _per_dialect(
        """CREATE TRIGGER batches_state_only BEFORE UPDATE ON batches
       WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.who IS NOT OLD.who
         OR NEW.kind IS NOT OLD.kind OR NEW.undoes IS NOT OLD.undoes OR NEW.owner IS NOT OLD.owner
         OR NOT (NEW.state = OLD.state AND OLD.state = 'open'
                 OR OLD.state = 'open' AND NEW.state IN ('complete', 'undone')
                 OR OLD.state = 'complete' AND NEW.state = 'undone')
       BEGIN SELECT RAISE(ABORT, 'batches rows are append-only (the state moves open, complete, undone)');
       END""",
        """CREATE FUNCTION facecurator_batches_state_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
           OR NEW.who IS DISTINCT FROM OLD.who
           OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.undoes IS DISTINCT FROM OLD.undoes
           OR NEW.owner IS DISTINCT FROM OLD.owner
           OR NOT (NEW.state = OLD.state AND OLD.state = 'open'
                   OR OLD.state = 'open' AND NEW.state IN ('complete', 'undone')
                   OR OLD.state = 'complete' AND NEW.state = 'undone') THEN
           RAISE EXCEPTION 'batches rows are append-only (the state moves open, complete, undone)'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$""",
        "CREATE TRIGGER batches_state_only BEFORE UPDATE ON batches"
        " FOR EACH ROW EXECUTE FUNCTION facecurator_batches_state_only()",
    ),
    _per_dialect(
        """CREATE TRIGGER audit_into_open_batch BEFORE INSERT ON audit
       WHEN (SELECT state FROM batches WHERE id = NEW.batch_id) IS NOT 'open'
       BEGIN SELECT RAISE(ABORT, 'audit: the batch is not open (complete or undone)'); END""",
        """CREATE FUNCTION facecurator_audit_into_open_batch() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (SELECT state FROM batches WHERE id = NEW.batch_id) IS DISTINCT FROM 'open' THEN
           RAISE EXCEPTION 'audit: the batch is not open (complete or undone)'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$""",
        "CREATE TRIGGER audit_into_open_batch BEFORE INSERT ON audit"
        " FOR EACH ROW EXECUTE FUNCTION facecurator_audit_into_open_batch()",
    ),
    "CREATE INDEX batches_by_state ON batches (state)",
)

# Version 5: verdicts stored per (rule set version, face), so the gallery's and the CLI's filters,
# sorts and counts run in SQL (see facecurator/services/browse.py). A cache: rows are
# recomputed from the faces whenever missing, and old rule set versions are pruned.
# ``status``: 1 qualified, 0 unqualified (a condition failed), 2 unknown;
# ``blur``: the face's blur on the 0-100 scale (the sharpest-first sort), or NULL.
_SCHEMA_V5 = _statements(
    """CREATE TABLE rulesets (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        used_at TEXT NOT NULL
    )""",
    """CREATE TABLE verdicts (
        ruleset INTEGER NOT NULL,
        face_id INTEGER NOT NULL,
        status INTEGER NOT NULL,
        blur REAL,
        PRIMARY KEY (ruleset, face_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX images_by_root_nocase ON images (source_root, name COLLATE NOCASE)",
    "CREATE INDEX images_by_root_group ON images (source_root, group_name, name)",
    "CREATE INDEX images_by_root_status ON images (source_root, status)",
    "CREATE INDEX decisions_by_state ON decisions (state)",
)

# Version 6: each stored verdict keeps its per-condition outcomes (text of
# facecurator.domain.filter_sql.encode_outcomes: ",no_sunglasses=f,blur=p,"), so ``failed:x`` /
# ``unknown:x`` / ``passed:x`` filters are answered in SQL. The verdicts are a cache: the rows
# stored without outcomes are dropped and recomputed by the next fill.
_SCHEMA_V6 = _statements(
    "DELETE FROM verdicts",
    "ALTER TABLE verdicts ADD COLUMN outcomes TEXT NOT NULL DEFAULT ''",
)

# Version 7: the shared work of a server catalog (services/catalog/claims.py): the scan queue
# (one row per listed image of a job, claimed with a lease), each job's listing pass, the scan
# workers (``facecurator status``) and an account's rate budget. Until version 6 a server
# catalog created them on first use (``IF NOT EXISTS`` keeps those, with their rows); a SQLite
# catalog has them too (one schema), unused: a desktop's scan is not shared.
_SCHEMA_V7 = _statements(
    """CREATE TABLE IF NOT EXISTS scan_queue (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        uri TEXT NOT NULL,
        name TEXT NOT NULL,
        group_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        etag TEXT,
        problem TEXT,
        state TEXT NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'done')),
        worker TEXT,
        lease_until TIMESTAMPTZ,
        claims INTEGER NOT NULL DEFAULT 0,
        listed_pass INTEGER NOT NULL DEFAULT 0,
        failure TEXT,
        UNIQUE (job, uri)
    )""",
    # A queue created on first use (no such SQLite catalog): before the listing pass was
    # stored, and before each image's failure was (``failure``: why it failed in its last
    # pass, or why its faces could not be embedded; NULL when it went well).
    _per_dialect(
        "SELECT 1",
        "ALTER TABLE scan_queue ADD COLUMN IF NOT EXISTS listed_pass BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE scan_queue ADD COLUMN IF NOT EXISTS failure TEXT",
    ),
    "CREATE INDEX IF NOT EXISTS scan_queue_todo ON scan_queue (job, id) WHERE state = 'todo'",
    """CREATE TABLE IF NOT EXISTS scan_passes (
        job TEXT PRIMARY KEY,
        pass INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS scan_workers (
        worker TEXT PRIMARY KEY,
        job TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        heartbeat_at TIMESTAMPTZ NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        rate REAL NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        lease_s REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS rate_budget (
        account TEXT PRIMARY KEY,
        next_at TIMESTAMPTZ NOT NULL
    )""",
)

# Version 8: faces assigned to operators (services/catalog/assign.py), so nobody reviews a face
# someone else is reviewing. ``lease_until``: the database's clock (dialect.NOW_EPOCH) until
# which a *taken* face stays its operator's unless renewed; NULL for a face *assigned* by
# ``facecurator assign`` (until released). No foreign key: a face re-detected away leaves a
# row that joins nothing. ``assignment_log`` is append-only: who gave which faces to whom.
_SCHEMA_V8 = _statements(
    """CREATE TABLE assignments (
        face_id INTEGER PRIMARY KEY,
        operator TEXT NOT NULL,
        lease_until REAL,
        assigned_at TEXT NOT NULL,
        assigned_by TEXT NOT NULL
    )""",
    "CREATE INDEX assignments_by_operator ON assignments (operator, face_id)",
    """CREATE TABLE assignment_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        operator TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('assign', 'take', 'release', 'unassign')),
        faces INTEGER NOT NULL,
        first_face INTEGER,
        last_face INTEGER,
        lease_s REAL
    )""",
    *_append_only("assignment_log"),
)

# Version 9: each image's natural sort keys (``domain.filters.natural_sort_key`` of its name and
# of its person), written by every insert, so the gallery's name and person sorts run in SQL
# with an index (and page by it) instead of sorting every name in Python on each open.
# '' on a row written without them (a raw SQL seed): it then sorts by its plain name.
_NATURAL_KEY_CHUNK: Final = 5000


#: The schema version whose images hold their natural sort keys.
NATURAL_KEYS_STEP: Final = 9


def natural_keys(name: str, group: str) -> tuple[str, str]:
    """An image's ``(name_key, group_key)``: what every writer of an image row stores."""
    return natural_sort_key(name), natural_sort_key(group)


def store_natural_keys(conn: Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Write the natural sort keys of images given as ``(id, name, person)`` (the one writer of
    ``images.name_key`` / ``group_key``: every insert of an image calls it, and step 9)."""
    conn.executemany(
        "UPDATE images SET name_key = ?, group_key = ? WHERE id = ?",
        [(*natural_keys(name, group), image_id) for image_id, name, group in rows],
    )


def fill_natural_keys(conn: Connection) -> None:
    """Write every image's natural sort keys (step 9; a seed that inserted images in raw SQL)."""
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, name, group_name FROM images WHERE id > ? ORDER BY id LIMIT ?",
            (last, _NATURAL_KEY_CHUNK),
        ).fetchall()
        if not rows:
            return
        store_natural_keys(conn, rows)
        last = rows[-1][0]


_SCHEMA_V9_COLUMNS = _statements(
    "ALTER TABLE images ADD COLUMN name_key TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE images ADD COLUMN group_key TEXT NOT NULL DEFAULT ''",
)
_SCHEMA_V9_INDEXES = _statements(
    # status last: the gallery's listing (present images in name order) reads the index alone.
    # No index for the person sort (not the default one; SQL sorts it): each index costs every
    # insert, and a new folder's listing inserts thousands at once.
    "CREATE INDEX images_by_root_natural ON images (source_root, name_key, name, id, status)",
)


def _schema_v9(conn: Connection) -> None:
    _SCHEMA_V9_COLUMNS(conn)
    fill_natural_keys(conn)
    _SCHEMA_V9_INDEXES(conn)


# Version 10: each stored verdict keeps why the face is not qualified (``reasons``: its failing
# reasons as ``decide --reject-unqualified`` writes them into the audit trail, '' for a qualified
# face; NULL until computed: a verdict stored in SQL has none until a rejection or a fill computes
# them, once), so a bulk rejection writes its audit rows set-based from what is stored.
_SCHEMA_V10 = _statements("ALTER TABLE verdicts ADD COLUMN reasons TEXT")


# Version 11: the person sort's order as an index (the gallery's person view of a large source
# streams its rows in this order, first rows at once, instead of sorting every image first; status
# last, as in images_by_root_natural, for the present-images test).
_SCHEMA_V11 = _statements(
    "CREATE INDEX images_by_root_person"
    " ON images (source_root, group_key, group_name, name_key, name, id, status)",
)


# Version 12: the audit trail's and the decisions' checks once per statement, not per row
# (PostgreSQL; see statement_checks.py).
_SCHEMA_V12 = _statements(_per_dialect("SELECT 1", *PG_STATEMENT_CHECKS))
# Version 13: those checks plan their own lookups (PostgreSQL; see statement_checks.py).
_SCHEMA_V13 = _statements(_per_dialect("SELECT 1", *PG_CHECKS_PLANNED))
# Version 14: those checks wait for the catalog's write lock (PostgreSQL; see statement_checks.py).
_SCHEMA_V14 = _statements(_per_dialect("SELECT 1", *PG_CHECKS_LOCKED))
# Version 15: the trigger functions run with the catalog's schema as their search path, whatever
# the caller's (PostgreSQL: pg_restore's is empty; see statement_checks.py).
_SCHEMA_V15 = _statements(_per_dialect("SELECT 1", *PG_FUNCTIONS_PATHED))

#: The settings key part of a local scan without the CLIP photograph model
#: (``detect.quality.clip_reasons.NO_MODEL_KEY``, kept equal by test_photo_model_rules).
UNCHECKED_KEY: Final = ";clip=unused"
# Version 16: the detections scanned without that model, as an index of their own (partial), so
# that ``status`` / ``report`` / ``scan`` tell at once that there is none (the usual case) instead
# of reading every detection's settings key (0.27-0.32 s on PostgreSQL at 1M, load 24). The
# query's condition must be this very text (detections.unchecked_faces).
_SCHEMA_V16 = _statements(
    f"CREATE INDEX detections_without_model ON detections (id) WHERE settings_key LIKE '%{UNCHECKED_KEY}%'"
)


#: Migration steps; step ``i`` takes the schema from version ``i`` to ``i + 1``.
#: Append new steps, never edit released ones.
MIGRATIONS: list[Migration] = [
    _SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4, _SCHEMA_V5, _SCHEMA_V6, _SCHEMA_V7,
    _SCHEMA_V8, _schema_v9, _SCHEMA_V10, _SCHEMA_V11, _SCHEMA_V12,
    _SCHEMA_V13, _SCHEMA_V14, _SCHEMA_V15, _SCHEMA_V16,
]  # fmt: skip


def schema_version() -> int:
    """The schema version this code writes."""
    return len(MIGRATIONS)


def configure(conn: sqlite3.Connection, timeout: float) -> None:
    """Busy timeout, WAL (when the file system allows), synchronous=FULL, page cache, foreign keys."""
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    # Reading the schema first turns "not a database" into an error here.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        # e.g. a file system without shared memory: still correct, just slower readers.
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = ON")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to :func:`schema_version`, all steps in one transaction."""
    target = schema_version()
    current = _check_version(conn, path, target)
    if current == target:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        current = _check_version(conn, path, target)
        if current == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise CatalogError(catalog_text("catalog.not_ours", path=path))
        for version in range(current, target):
            MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if isinstance(exc, (CatalogError, sqlite3.Error)) or not isinstance(exc, Exception):
            raise
        raise CatalogError(
            catalog_text("catalog.migration_failed", path=path, version=target, detail=exc)
        ) from exc


def _check_version(conn: sqlite3.Connection, path: Path, target: int) -> int:
    """The file's schema version; CatalogError if it is not ours or too new."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id != APPLICATION_ID and (current or app_id):
        raise CatalogError(catalog_text("catalog.not_ours", path=path))
    if current > target:
        raise CatalogError(catalog_text("catalog.newer", path=path, found=current, supported=target))
    return int(current)
