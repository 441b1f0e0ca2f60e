"""The catalog: one SQLite database holding images, cached detections, faces,
operator decisions, an append-only audit trail, settings and paid-call counts.

Model (see ``docs/ARCHITECTURE.md`` for the glossary):

* A **detection** is one detector's result for one image *identity* and one
  detector ``settings_key``; it is the cache that keeps a re-scan from calling a
  paid service again. Its faces are stored as canonical face JSON.
* An **image** is one listed ``uri``; its id stays stable across re-scans. Its
  *current detection* is the last one recorded for it.
* A **face** row is one face of an image's detection, so two copies of the same
  photo share the cached detection but not their decisions. Face ids are stable
  as long as the image keeps the same detection.
* A **decision** (pending / accepted / rejected, with who, when and reason)
  attaches to a face id. Every change is written to the audit trail under a
  batch id; :meth:`Catalog.undo` reverts whole batches, newest first.

Durability: WAL journal with ``synchronous=FULL``; every write method commits
before it returns, so a decision survives a crash the moment ``decide()``
returns. Several processes (GUI + CLI) may open the same file; writers wait
for each other up to the busy timeout.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final, Literal, get_args

from facecurator.core.face import Blur, Box, Face, Pose
from facecurator.detect.base import DetectionResult
from facecurator.errors import CatalogError
from facecurator.sources.base import ImageRef

DecisionState = Literal["pending", "accepted", "rejected"]
DECISION_STATES: Final[tuple[str, ...]] = get_args(DecisionState)

#: Image statuses. "missing": listed by an earlier scan, absent from the latest one.
IMAGE_STATUSES: Final = ("ok", "error", "missing")

#: Audit actions.
ACTION_DECIDE: Final = "decide"
ACTION_UNDO: Final = "undo"

#: How long a writer waits for another process's transaction (seconds).
DEFAULT_BUSY_TIMEOUT: Final = 30.0


@dataclass(frozen=True, slots=True)
class Decision:
    """An operator decision; ``who``/``at`` are None for a face never decided."""

    state: DecisionState
    reason: str | None
    who: str | None
    at: str | None  # ISO-8601 UTC


PENDING: Final = Decision("pending", None, None, None)


@dataclass(frozen=True, slots=True)
class ImageRow:
    """One image of the catalog as last scanned.

    ``status`` is ``"ok"``, ``"error"`` (with a one-line ``error``) or
    ``"missing"`` (no longer listed by its source, see :meth:`Catalog.forget_missing`).
    """

    id: int
    uri: str
    name: str
    group: str
    source_root: str
    size: int
    mtime_ns: int
    identity: str | None
    status: str
    error: str | None
    width: int | None
    height: int | None
    detector: str | None
    detection_id: int | None
    scanned_at: str | None


@dataclass(frozen=True, slots=True)
class FaceRow:
    """One face of an image's current detection, with its decision."""

    id: int
    image_id: int
    index: int
    face: Face
    decision: Decision


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry of the append-only audit trail (``action`` is "decide" or "undo")."""

    id: int
    batch_id: int
    at: str
    who: str
    face_id: int
    action: str
    old_state: str
    new_state: str
    reason: str | None


# --------------------------------------------------------------------------- schema

Migration = Callable[[sqlite3.Connection], None]


def _statements(*sql: str) -> Migration:
    """A migration step that runs the given statements in order."""

    def run(conn: sqlite3.Connection) -> None:
        for statement in sql:
            conn.execute(statement)

    return run


def _append_only(table: str) -> tuple[str, str]:
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
    )


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
    """CREATE TABLE detection_faces (
        detection_id INTEGER NOT NULL REFERENCES detections(id),
        idx INTEGER NOT NULL,
        face TEXT NOT NULL,
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
    "CREATE INDEX faces_by_detection ON faces (detection_id, idx)",
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

#: Migration steps; step ``i`` takes the schema from version ``i`` to ``i + 1``.
#: Append new steps, never edit released ones.
MIGRATIONS: list[Migration] = [_SCHEMA_V1]


def schema_version() -> int:
    """The schema version this code writes."""
    return len(MIGRATIONS)


# --------------------------------------------------------------------------- helpers


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry
        return "unknown"


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _face_from_stored(text: str) -> Face:
    """Decode face JSON this module wrote (validated by Face.to_json's types on the way in).

    Builds the dataclasses directly instead of :meth:`Face.from_json`, which
    re-validates every number: reading 100k faces must stay well under a second.
    """
    data = json.loads(text)
    box = data["box"]
    pose = data.get("pose")
    blur = data.get("blur")
    landmarks = data.get("landmarks")
    return Face(
        box=Box(box["x"], box["y"], box["w"], box["h"]),
        confidence=data.get("confidence"),
        landmarks=tuple((p[0], p[1]) for p in landmarks) if landmarks is not None else None,
        pose=Pose(pose["pitch"], pose["yaw"], pose["roll"]) if pose is not None else None,
        blur=Blur(blur["value"], blur["scale"]) if blur is not None else None,
        sharpness=data.get("sharpness"),
        quality=data.get("quality"),
        integrity=data.get("integrity"),
        glasses=data.get("glasses"),
        mask=data.get("mask"),
        hat=data.get("hat"),
        beard=data.get("beard"),
        eyes_closed=data.get("eyes_closed"),
        age=data.get("age"),
        gender=data.get("gender"),
        raw=data.get("raw"),
    )


_IMAGE_COLUMNS: Final = (
    "i.id, i.uri, i.name, i.group_name, i.source_root, i.size, i.mtime_ns, i.identity, i.status, "
    "i.error, i.width, i.height, i.detector, i.detection_id, i.scanned_at"
)

_FACE_QUERY: Final = """
    SELECT f.id, f.image_id, f.idx, df.face, d.state, d.reason, d.who, d.at
    FROM images AS i
    JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
    JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
    LEFT JOIN decisions AS d ON d.face_id = f.id
"""

_UPSERT_DECISION: Final = """
    INSERT INTO decisions (face_id, state, reason, who, at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (face_id) DO UPDATE SET
        state = excluded.state, reason = excluded.reason, who = excluded.who, at = excluded.at
"""

_INSERT_AUDIT: Final = """
    INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state, reason,
                       prev_reason, prev_who, prev_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _face_row(row: sqlite3.Row | tuple[Any, ...]) -> FaceRow:
    face_id, image_id, index, face_json, state, reason, who, at = row
    decision = PENDING if state is None else Decision(state, reason, who, at)
    return FaceRow(face_id, image_id, index, _face_from_stored(face_json), decision)


def _audit_tail(previous: tuple[Any, ...], new_state: str, reason: str | None) -> tuple[Any, ...]:
    """(old_state, new_state, reason, prev_reason, prev_who, prev_at) of an audit row."""
    old_state, prev_reason, prev_who, prev_at = previous
    return (old_state, new_state, reason, prev_reason, prev_who, prev_at)


def _ids_json(ids: Sequence[int]) -> str:
    """Pass an id list as one JSON parameter (no SQLite variable limit)."""
    return json.dumps([int(i) for i in ids])


# --------------------------------------------------------------------------- catalog


class Catalog:
    """The SQLite catalog.

    One ``Catalog`` object per thread: SQLite connections must not be shared
    between threads (the connection enforces it). Other threads and processes
    open their own ``Catalog`` on the same file; committed writes are visible
    to them at once.

    Args:
        path: the database file; None means :func:`facecurator.paths.default_catalog_path`.
            Parent folders are created.
        timeout: seconds a write waits for another connection's transaction.

    Raises:
        CatalogError: naming the path, when the file cannot be created, is not a
            catalog, is corrupt, or was written by a newer facecurator.
    """

    def __init__(self, path: str | Path | None = None, *, timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        if path is None:
            from facecurator.paths import default_catalog_path

            path = default_catalog_path()
        self.path = Path(path).expanduser()
        self._conn: sqlite3.Connection | None = None
        self._depth = 0  # nesting of write transactions (see transaction())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                f"{self.path}: cannot create the catalog folder: {exc.strerror or exc}"
            ) from exc
        if self.path.is_dir():
            raise CatalogError(f"{self.path}: is a folder, not a catalog file")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is
            # left in an implicit transaction and every write commits when we say.
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise CatalogError(f"{self.path}: cannot open catalog: {exc}") from exc
        self._conn = conn
        try:
            self._configure(conn, timeout)
            self._migrate(conn)
        except CatalogError:
            conn.close()
            self._conn = None
            raise
        except sqlite3.Error as exc:
            conn.close()
            self._conn = None
            raise CatalogError(f"{self.path}: cannot open catalog: {exc}") from exc

    # -- lifecycle ---------------------------------------------------------

    def _configure(self, conn: sqlite3.Connection, timeout: float) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        # Reading the schema first turns "not a database" into an error here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            # e.g. a file system without shared memory: still correct, just slower readers.
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        target = schema_version()
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current > target:
            raise self._newer_error(current, target)
        if current == target:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > target:
                raise self._newer_error(current, target)
            for version in range(current, target):
                MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, (CatalogError, sqlite3.Error)) or not isinstance(exc, Exception):
                raise
            raise CatalogError(f"{self.path}: schema migration to version {target} failed: {exc}") from exc

    def _newer_error(self, found: int, supported: int) -> CatalogError:
        return CatalogError(
            f"{self.path}: catalog was written by a newer facecurator (schema {found} > {supported})"
        )

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog({str(self.path)!r})"

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise CatalogError(f"{self.path}: catalog is closed")
        return self._conn

    @contextlib.contextmanager
    def _reading(self, what: str) -> Iterator[sqlite3.Connection]:
        try:
            yield self._db
        except sqlite3.Error as exc:
            raise CatalogError(f"{self.path}: cannot read {what}: {exc}") from exc

    @contextlib.contextmanager
    def transaction(self, what: str = "write") -> Iterator[sqlite3.Connection]:
        """Group writes into one transaction, committed (durably) when the block exits.

        Write methods call this themselves; callers may wrap many writes in one
        (e.g. recording thousands of cached images on a re-scan) to pay for one
        disk sync instead of thousands. Nested blocks join the outermost one.
        On an exception everything in the outermost block is rolled back.

        Raises:
            CatalogError: the database could not be written (locked too long, disk full...).
        """
        conn = self._db
        if self._depth:
            self._depth += 1
            try:
                yield conn
            finally:
                self._depth -= 1
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise CatalogError(f"{self.path}: cannot {what}: {exc}") from exc
        self._depth = 1
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise CatalogError(f"{self.path}: cannot {what}: {exc}") from exc
            raise
        finally:
            self._depth = 0

    # -- images and detections --------------------------------------------

    def known_identity(self, uri: str, size: int, mtime_ns: int) -> str | None:
        """The identity stored for ``uri`` if its size and mtime are unchanged, else None.

        Lets a re-scan skip reading and hashing an unchanged local file.
        """
        with self._reading("image identity") as db:
            row = db.execute(
                "SELECT identity FROM images WHERE uri = ? AND size = ? AND mtime_ns = ?",
                (uri, size, mtime_ns),
            ).fetchone()
        return row[0] if row else None

    def find_detection(self, identity: str, detector: str, settings_key: str) -> int | None:
        """The cached detection id for (identity, detector, settings), or None."""
        with self._reading("detection cache") as db:
            row = db.execute(
                "SELECT id FROM detections WHERE identity = ? AND detector = ? AND settings_key = ?",
                (identity, detector, settings_key),
            ).fetchone()
        return row[0] if row else None

    def store_detection(
        self, identity: str, detector: str, settings_key: str, result: DetectionResult
    ) -> int:
        """Store a detection and its faces; returns its id.

        Idempotent: when (identity, detector, settings_key) is already stored,
        the existing id is returned and ``result`` is ignored.
        """
        faces_json = [_to_json(face.to_json()) for face in result.faces]
        with self.transaction(f"store the {detector} detection of {identity}") as db:
            row = db.execute(
                "SELECT id FROM detections WHERE identity = ? AND detector = ? AND settings_key = ?",
                (identity, detector, settings_key),
            ).fetchone()
            if row:
                return int(row[0])
            detection_id = db.execute(
                "INSERT INTO detections (identity, detector, settings_key, created_at, width, height,"
                " paid_calls, face_count, raw, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    identity,
                    detector,
                    settings_key,
                    _now(),
                    result.width,
                    result.height,
                    result.paid_calls,
                    len(faces_json),
                    None if result.raw is None else _to_json(result.raw),
                    _to_json(result.extra) if result.extra else None,
                ),
            ).lastrowid
            db.executemany(
                "INSERT INTO detection_faces (detection_id, idx, face) VALUES (?, ?, ?)",
                [(detection_id, index, text) for index, text in enumerate(faces_json)],
            )
        assert detection_id is not None
        return detection_id

    def detection_raw(self, detection_id: int) -> Any:
        """The provider's whole stored response for a detection (None if none was kept)."""
        with self._reading("detection") as db:
            row = db.execute("SELECT raw FROM detections WHERE id = ?", (detection_id,)).fetchone()
        if row is None:
            raise CatalogError(f"{self.path}: no detection with id {detection_id}")
        return None if row[0] is None else json.loads(row[0])

    def record_image(
        self,
        ref: ImageRef,
        *,
        source_root: str,
        identity: str | None,
        status: str,
        error: str | None,
        detection_id: int | None,
        width: int | None,
        height: int | None,
        detector: str | None = None,
    ) -> int:
        """Record one scanned image (insert or update by uri); returns its stable id.

        ``detection_id`` becomes the image's current detection (None, e.g. for a
        failed image, leaves it without faces). Width, height and detector
        default to the detection's. Face rows for the detection are created
        once; recording the same detection again keeps their ids and decisions.
        """
        if status not in IMAGE_STATUSES:
            raise CatalogError(f"{ref.uri}: unknown image status {status!r}")
        with self.transaction(f"record image {ref.uri}") as db:
            face_count = 0
            if detection_id is not None:
                found = db.execute(
                    "SELECT detector, width, height, face_count FROM detections WHERE id = ?",
                    (detection_id,),
                ).fetchone()
                if found is None:
                    raise CatalogError(f"{self.path}: {ref.uri}: no detection with id {detection_id}")
                detector = detector if detector is not None else found[0]
                width = width if width is not None else found[1]
                height = height if height is not None else found[2]
                face_count = found[3]
            image_id = db.execute(
                """INSERT INTO images (uri, name, group_name, source_root, size, mtime_ns, etag, identity,
                       status, error, width, height, detector, detection_id, scanned_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (uri) DO UPDATE SET
                       name = excluded.name, group_name = excluded.group_name,
                       source_root = excluded.source_root, size = excluded.size,
                       mtime_ns = excluded.mtime_ns, etag = excluded.etag, identity = excluded.identity,
                       status = excluded.status, error = excluded.error, width = excluded.width,
                       height = excluded.height, detector = excluded.detector,
                       detection_id = excluded.detection_id, scanned_at = excluded.scanned_at
                   RETURNING id""",
                (
                    ref.uri,
                    ref.name,
                    ref.group,
                    source_root,
                    ref.size,
                    ref.mtime_ns,
                    ref.etag,
                    identity,
                    status,
                    error,
                    width,
                    height,
                    detector,
                    detection_id,
                    _now(),
                ),
            ).fetchone()[0]
            if face_count:
                db.executemany(
                    "INSERT OR IGNORE INTO faces (image_id, detection_id, idx) VALUES (?, ?, ?)",
                    [(image_id, detection_id, index) for index in range(face_count)],
                )
        return int(image_id)

    def images(self, source_root: str | None = None, status: str | None = None) -> list[ImageRow]:
        """Images ordered by source root, then name.

        Args:
            source_root: only this source's images.
            status: only images with this status; None means every image still
                present in its source (``ok`` and ``error``, not ``missing``).
        """
        where, params = self._image_filter(source_root, status)
        with self._reading("images") as db:
            rows = db.execute(
                f"SELECT {_IMAGE_COLUMNS} FROM images AS i WHERE {where} ORDER BY i.source_root, i.name",
                params,
            ).fetchall()
        return [ImageRow(*row) for row in rows]

    def image(self, image_id: int) -> ImageRow:
        """One image by id; CatalogError if there is none."""
        with self._reading("image") as db:
            row = db.execute(
                f"SELECT {_IMAGE_COLUMNS} FROM images AS i WHERE i.id = ?", (image_id,)
            ).fetchone()
        if row is None:
            raise CatalogError(f"{self.path}: no image with id {image_id}")
        return ImageRow(*row)

    def source_roots(self) -> list[str]:
        """Every source root with at least one image, sorted."""
        with self._reading("sources") as db:
            rows = db.execute("SELECT DISTINCT source_root FROM images ORDER BY source_root").fetchall()
        return [row[0] for row in rows]

    def forget_missing(self, source_root: str, present_uris: set[str]) -> int:
        """Mark the images of ``source_root`` not in ``present_uris`` as ``missing``.

        Nothing is deleted: faces and decisions stay, and the image comes back
        (same id, same decisions) when a later scan records it again.

        Returns:
            the number of images newly marked missing.
        """
        with self.transaction(f"update images of {source_root}") as db:
            rows = db.execute(
                "SELECT id, uri FROM images WHERE source_root = ? AND status != 'missing'", (source_root,)
            ).fetchall()
            gone = [(image_id,) for image_id, uri in rows if uri not in present_uris]
            db.executemany(
                "UPDATE images SET status = 'missing', error = 'no longer listed by its source' WHERE id = ?",
                gone,
            )
        return len(gone)

    @staticmethod
    def _image_filter(source_root: str | None, status: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if source_root is not None:
            clauses.append("i.source_root = ?")
            params.append(source_root)
        if status is None:
            clauses.append("i.status != 'missing'")
        else:
            clauses.append("i.status = ?")
            params.append(status)
        return " AND ".join(clauses), params

    # -- faces and decisions -----------------------------------------------

    def faces(self, image_ids: Sequence[int] | None = None, source_root: str | None = None) -> list[FaceRow]:
        """The faces of each image's current detection, with their decisions.

        Ordered like :meth:`images` (source root, name), then by face index.
        Images marked ``missing`` are left out unless named in ``image_ids``.
        One query: 100k faces load in well under a second.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if image_ids is not None:
            clauses.append("i.id IN (SELECT value FROM json_each(?))")
            params.append(_ids_json(image_ids))
        else:
            clauses.append("i.status != 'missing'")
        if source_root is not None:
            clauses.append("i.source_root = ?")
            params.append(source_root)
        sql = f"{_FACE_QUERY} WHERE {' AND '.join(clauses)} ORDER BY i.source_root, i.name, i.id, f.idx"
        with self._reading("faces") as db:
            rows = db.execute(sql, params).fetchall()
        return [_face_row(row) for row in rows]

    def face(self, face_id: int) -> FaceRow:
        """One face by id (even if it is not of its image's current detection)."""
        with self._reading("face") as db:
            row = db.execute(
                """SELECT f.id, f.image_id, f.idx, df.face, d.state, d.reason, d.who, d.at
                   FROM faces AS f
                   JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
                   LEFT JOIN decisions AS d ON d.face_id = f.id
                   WHERE f.id = ?""",
                (face_id,),
            ).fetchone()
        if row is None:
            raise CatalogError(f"{self.path}: no face with id {face_id}")
        return _face_row(row)

    def face_counts(self, source_root: str | None = None) -> dict[str, int]:
        """Faces per decision state (every state present, zero included)."""
        where, params = self._image_filter(source_root, None)
        with self._reading("face counts") as db:
            rows = db.execute(
                f"""SELECT coalesce(d.state, 'pending'), count(*)
                    FROM images AS i
                    JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
                    LEFT JOIN decisions AS d ON d.face_id = f.id
                    WHERE {where} GROUP BY 1""",
                params,
            ).fetchall()
        counts = dict.fromkeys(DECISION_STATES, 0)
        counts.update({state: n for state, n in rows})
        return counts

    def decide(
        self,
        face_ids: Sequence[int],
        state: DecisionState,
        *,
        reason: str | None = None,
        who: str | None = None,
    ) -> int:
        """Set the decision of faces, in one transaction, audited under one new batch.

        Faces already in ``state`` are left as they are (not re-audited).

        Args:
            face_ids: the faces to decide (duplicates ignored).
            state: ``pending`` (reset), ``accepted`` or ``rejected``.
            reason: why (kept with the decision and in the audit trail).
            who: the operator; defaults to the OS user name.

        Returns:
            the new batch id, or 0 when no face changed (no batch is recorded,
            so :meth:`undo` never lands on an empty batch).

        Raises:
            CatalogError: unknown state or face ids (nothing is changed then).
        """
        if state not in DECISION_STATES:
            raise CatalogError(f"unknown decision {state!r} (expected one of {', '.join(DECISION_STATES)})")
        ids = list(dict.fromkeys(int(i) for i in face_ids))
        if not ids:
            return 0
        who = who or _os_user()
        with self.transaction(f"record {state} decisions") as db:
            current = {
                row[0]: row[1:]
                for row in db.execute(
                    """SELECT f.id, coalesce(d.state, 'pending'), d.reason, d.who, d.at
                       FROM faces AS f LEFT JOIN decisions AS d ON d.face_id = f.id
                       WHERE f.id IN (SELECT value FROM json_each(?))""",
                    (_ids_json(ids),),
                )
            }
            unknown = [i for i in ids if i not in current]
            if unknown:
                shown = ", ".join(map(str, unknown[:10])) + (" ..." if len(unknown) > 10 else "")
                raise CatalogError(f"{self.path}: no face with id {shown}")
            changed = [i for i in ids if current[i][0] != state]
            if not changed:
                return 0
            at = _now()
            batch_id = db.execute(
                "INSERT INTO batches (at, who, kind) VALUES (?, ?, 'decide')", (at, who)
            ).lastrowid
            assert batch_id is not None
            db.executemany(
                _UPSERT_DECISION,
                [(i, state, reason, who, at) for i in changed],
            )
            db.executemany(
                _INSERT_AUDIT,
                [
                    (batch_id, at, who, i, ACTION_DECIDE, *_audit_tail(current[i], state, reason))
                    for i in changed
                ],
            )
        return batch_id

    def undo(self, *, who: str | None = None) -> list[int] | None:
        """Undo the most recent decision batch not undone yet.

        Each face gets back its previous state, reason, who and when; the undo
        itself is appended to the audit trail (action ``"undo"``). Calling again
        walks further back. The batch may have been made by another process.

        Returns:
            the restored face ids, or None when there is nothing left to undo.
        """
        who = who or _os_user()
        with self.transaction("undo the last decisions") as db:
            row = db.execute(
                """SELECT b.id FROM batches AS b
                   WHERE b.kind = 'decide' AND NOT EXISTS (SELECT 1 FROM batches AS u WHERE u.undoes = b.id)
                   ORDER BY b.id DESC LIMIT 1"""
            ).fetchone()
            if row is None:
                return None
            undone_batch = row[0]
            entries = db.execute(
                """SELECT a.face_id, a.old_state, a.prev_reason, a.prev_who, a.prev_at,
                          coalesce(d.state, 'pending'), d.reason, d.who, d.at
                   FROM audit AS a LEFT JOIN decisions AS d ON d.face_id = a.face_id
                   WHERE a.batch_id = ? AND a.action = 'decide' ORDER BY a.id""",
                (undone_batch,),
            ).fetchall()
            at = _now()
            batch_id = db.execute(
                "INSERT INTO batches (at, who, kind, undoes) VALUES (?, ?, 'undo', ?)",
                (at, who, undone_batch),
            ).lastrowid
            db.executemany(
                _UPSERT_DECISION,
                [
                    (face_id, old, reason, old_who, old_at)
                    for face_id, old, reason, old_who, old_at, *_ in entries
                ],
            )
            db.executemany(
                _INSERT_AUDIT,
                [
                    (
                        batch_id,
                        at,
                        who,
                        face_id,
                        ACTION_UNDO,
                        cur_state,
                        old,
                        reason,
                        cur_reason,
                        cur_who,
                        cur_at,
                    )
                    for face_id, old, reason, _w, _a, cur_state, cur_reason, cur_who, cur_at in entries
                ],
            )
        return [entry[0] for entry in entries]

    def audit(
        self, face_id: int | None = None, limit: int | None = None, *, batch_id: int | None = None
    ) -> list[AuditRow]:
        """Audit entries, newest first.

        Args:
            face_id: only this face's history.
            limit: at most this many (the newest).
            batch_id: only the entries of one decide()/undo() batch.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if face_id is not None:
            clauses.append("face_id = ?")
            params.append(face_id)
        if batch_id is not None:
            clauses.append("batch_id = ?")
            params.append(batch_id)
        sql = (
            "SELECT id, batch_id, at, who, face_id, action, old_state, new_state, reason FROM audit"
            + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
            + " ORDER BY id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._reading("audit trail") as db:
            rows = db.execute(sql, params).fetchall()
        return [AuditRow(*row) for row in rows]

    # -- settings and counters -----------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A catalog-wide setting (e.g. the last rule set used), or ``default``."""
        with self._reading("settings") as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction(f"save setting {key}") as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )

    def add_paid_calls(self, service: str, n: int) -> None:
        """Count ``n`` more billable calls to ``service`` (e.g. "imm", "green")."""
        if n == 0:
            return
        with self.transaction(f"count paid calls to {service}") as db:
            db.execute(
                "INSERT INTO paid_calls (service, calls) VALUES (?, ?)"
                " ON CONFLICT (service) DO UPDATE SET calls = calls + excluded.calls",
                (service, int(n)),
            )

    def paid_calls(self) -> dict[str, int]:
        """Billable calls made so far, per service."""
        with self._reading("paid calls") as db:
            rows = db.execute("SELECT service, calls FROM paid_calls ORDER BY service").fetchall()
        return {service: calls for service, calls in rows}
