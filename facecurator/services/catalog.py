"""The catalog: one SQLite database holding images, cached detections, faces,
operator decisions, an append-only audit trail, settings and paid-call counts.

Model (see ``docs/ARCHITECTURE.md`` for the glossary):

* A **detection** is one detector's result for one image *identity* and one
  detector ``settings_key``; it is the cache that keeps a re-scan from calling a
  paid service again. Its faces are stored as canonical face fields, one
  column each (landmarks packed, the provider's raw face as JSON).
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
import dataclasses
import gc
import getpass
import json
import sqlite3
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final, Literal, get_args

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.errors import CatalogError

DecisionState = Literal["pending", "accepted", "rejected"]
DECISION_STATES: Final[tuple[str, ...]] = get_args(DecisionState)

#: Image statuses. "missing": listed by an earlier scan, absent from the latest one.
IMAGE_STATUSES: Final = ("ok", "error", "missing")

#: Audit actions.
ACTION_DECIDE: Final = "decide"
ACTION_UNDO: Final = "undo"

#: ``PRAGMA application_id`` of a catalog ("FCat"), so `file` and we can tell it apart.
APPLICATION_ID: Final = 0x46436174

#: SQLite page cache per connection; enough to keep a 100k-face catalog's hot pages.
PAGE_CACHE_KIB: Final = 32 * 1024

#: How long a writer waits for another process's transaction (seconds).
DEFAULT_BUSY_TIMEOUT: Final = 30.0


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    """An operator decision; ``who``/``at`` are None for a face never decided."""

    state: DecisionState
    reason: str | None
    who: str | None
    at: str | None  # ISO-8601 UTC


PENDING: Final = Decision("pending", None, None, None)


@dataclasses.dataclass(frozen=True, slots=True)
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


@dataclasses.dataclass(frozen=True, slots=True)
class FaceRow:
    """One face of an image's current detection, with its decision."""

    id: int
    image_id: int
    index: int
    face: Face
    decision: Decision


@dataclasses.dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry of the append-only audit trail.

    ``action`` is ``"decide"`` or ``"undo"``; ``reason`` is the reason that goes
    with ``new_state`` (for an undo, the restored one); ``who``/``at`` are who
    made the change and when.
    """

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


#: detection_faces columns after (detection_id, idx), in Face field order.
_FACE_COLUMNS: Final = (
    "x, y, w, h, confidence, landmarks, pitch, yaw, roll, blur_value, blur_scale, sharpness, quality, "
    "integrity, glasses, mask, hat, beard, eyes_closed, age, gender, raw, sunglasses"
)


_INSERT_DETECTION_FACE: Final = (
    f"INSERT INTO detection_faces (detection_id, idx, {_FACE_COLUMNS})"
    f" VALUES (?, ?{', ?' * len(_FACE_COLUMNS.split(','))})"
)


def _pack_points(points: Sequence[tuple[float, float]]) -> bytes:
    """Landmarks as little-endian doubles x0 y0 x1 y1 ... (5x faster to read than JSON)."""
    return struct.pack(f"<{2 * len(points)}d", *(v for point in points for v in point))


def _unpack_points(data: bytes) -> tuple[tuple[float, float], ...]:
    values = iter(struct.unpack(f"<{len(data) // 8}d", data))
    return tuple(zip(values, values, strict=True))


def _face_to_columns(face: Face) -> tuple[Any, ...]:
    box, pose, blur = face.box, face.pose, face.blur
    return (
        box.x,
        box.y,
        box.w,
        box.h,
        face.confidence,
        None if face.landmarks is None else _pack_points(face.landmarks),
        *((None, None, None) if pose is None else (pose.pitch, pose.yaw, pose.roll)),
        *((None, None) if blur is None else (blur.value, blur.scale)),
        face.sharpness,
        face.quality,
        face.integrity,
        face.glasses,
        face.mask,
        face.hat,
        face.beard,
        face.eyes_closed,
        face.age,
        face.gender,
        None if face.raw is None else _to_json(face.raw),
        face.sunglasses,
    )


def _slot_filler(cls: type) -> Callable[..., Any]:
    """A positional constructor for a frozen slots dataclass that fills its slots directly.

    A frozen dataclass's generated ``__init__`` sets every field through
    ``object.__setattr__`` (about 4 µs for the 16-field Face); loading 100k
    faces would spend most of its time there. The values we pass are already
    typed and validated, and these classes have no ``__post_init__``, so filling
    the slots is equivalent (a test compares with the regular constructor).
    Like dataclasses itself, we generate the function so the calls are unrolled.
    """
    names = [f.name for f in dataclasses.fields(cls)]
    if getattr(cls, "__slots__", None) != tuple(names) or hasattr(cls, "__post_init__"):
        return cls  # not the shape this shortcut relies on: use the real constructor
    params = ", ".join(f"v{i}" for i in range(len(names)))
    fills = "".join(f"    set{i}(obj, v{i})\n" for i in range(len(names)))
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    namespace.update({f"set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)})
    exec(f"def build({params}):\n    obj = new(cls)\n{fills}    return obj\n", namespace)
    return namespace["build"]  # type: ignore[no-any-return]


_new_face = _slot_filler(Face)
_new_face_row = _slot_filler(FaceRow)
_BOOL: Final[dict[Any, bool | None]] = {None: None, 0: False, 1: True}

#: Where the face columns start in a row of _FACE_SELECT.
_F: Final = 7


def _face_from_row(c: Sequence[Any]) -> Face:
    """Inverse of :func:`_face_to_columns` for a row of ``_FACE_SELECT``."""
    landmarks = c[_F + 5]
    face: Face = _new_face(
        Box(c[_F], c[_F + 1], c[_F + 2], c[_F + 3]),
        c[_F + 4],
        None if landmarks is None else _unpack_points(landmarks),
        None if c[_F + 6] is None else Pose(c[_F + 6], c[_F + 7], c[_F + 8]),
        None if c[_F + 9] is None else Blur(c[_F + 9], c[_F + 10]),
        c[_F + 11],
        c[_F + 12],
        c[_F + 13],
        c[_F + 14],
        _BOOL[c[_F + 15]],
        _BOOL[c[_F + 16]],
        _BOOL[c[_F + 17]],
        _BOOL[c[_F + 18]],
        c[_F + 19],
        c[_F + 20],
        None if c[_F + 21] is None else json.loads(c[_F + 21]),
        _BOOL[c[_F + 22]],
    )
    return face


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many objects at once.

    Building 100k faces allocates over a million GC-tracked objects, and the
    collections they trigger along the way cost about a third of the load
    time. Pausing only postpones collection (nothing built here forms a cycle);
    the GC is restored even if building fails.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_IMAGE_COLUMNS: Final = (
    "i.id, i.uri, i.name, i.group_name, i.source_root, i.size, i.mtime_ns, i.identity, i.status, "
    "i.error, i.width, i.height, i.detector, i.detection_id, i.scanned_at"
)

_FACE_SELECT: Final = "SELECT f.id, f.image_id, f.idx, d.state, d.reason, d.who, d.at, " + ", ".join(
    f"df.{name.strip()}" for name in _FACE_COLUMNS.split(",")
)

# CROSS JOIN keeps SQLite's join order: images in (source_root, name) index
# order, then each image's faces by index, so no sort is needed.
_FACE_QUERY: Final = f"""
    {_FACE_SELECT}
    FROM images AS i
    CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
    CROSS JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
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


def _face_rows(rows: Iterable[tuple[Any, ...]]) -> list[FaceRow]:
    """Build FaceRows from ``_FACE_SELECT`` rows (a cursor: rows are built as they are read)."""
    decisions: dict[tuple[Any, ...], Decision] = {}  # bulk decisions share one object
    out = []
    with _gc_paused():
        for row in rows:
            state = row[3]
            if state is None:
                decision = PENDING
            else:
                key = row[3:7]
                shared = decisions.get(key)
                if shared is None:
                    shared = decisions[key] = Decision(*key)
                decision = shared
            out.append(_new_face_row(row[0], row[1], row[2], _face_from_row(row), decision))
    return out


def _audit_values(
    batch_id: int,
    at: str,
    who: str,
    face_id: int,
    action: str,
    before: Sequence[Any],
    new_state: str,
    new_reason: str | None,
) -> tuple[Any, ...]:
    """Parameters of ``_INSERT_AUDIT``; ``before`` is the face's (state, reason, who, at) before."""
    old_state, old_reason, old_who, old_at = before
    return (batch_id, at, who, face_id, action, old_state, new_state, new_reason, old_reason, old_who, old_at)


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
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        conn.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the schema to :func:`schema_version`, all steps in one transaction."""
        target = schema_version()
        current = self._check_version(conn, target)
        if current == target:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = self._check_version(conn, target)
            if current == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise CatalogError(f"{self.path}: not a facecurator catalog (a database of another program)")
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
            raise CatalogError(f"{self.path}: schema migration to version {target} failed: {exc}") from exc

    def _check_version(self, conn: sqlite3.Connection, target: int) -> int:
        """The file's schema version; CatalogError if it is not ours or too new."""
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID and (current or app_id):
            raise CatalogError(f"{self.path}: not a facecurator catalog (a database of another program)")
        if current > target:
            raise CatalogError(
                f"{self.path}: catalog was written by a newer facecurator (schema {current} > {target})"
            )
        return int(current)

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
    def transaction(self) -> Iterator[None]:
        """Group several writes into one transaction, committed (durably) when the block exits.

        Every write method is atomic and durable on its own; wrap many of them
        (e.g. recording thousands of unchanged images on a re-scan) to pay for
        one disk sync instead of thousands. If the block raises, none of its
        writes are kept. Blocks nest.

        Raises:
            CatalogError: the database could not be written (locked too long, disk full...).
        """
        with self._write("write"):
            yield

    @contextlib.contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction (a savepoint when nested); sqlite3 errors become CatalogError."""
        conn = self._db
        savepoint = f"sp{self._depth}"
        try:
            conn.execute(f"SAVEPOINT {savepoint}" if self._depth else "BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise CatalogError(f"{self.path}: cannot {what}: {exc}") from exc
        outermost = self._depth == 0
        self._depth += 1
        try:
            yield conn
            conn.execute("COMMIT" if outermost else f"RELEASE {savepoint}")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                if outermost:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
            if isinstance(exc, sqlite3.Error):
                raise CatalogError(f"{self.path}: cannot {what}: {exc}") from exc
            raise
        finally:
            self._depth -= 1

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
        face_columns = [_face_to_columns(face) for face in result.faces]
        with self._write(f"store the {detector} detection of {identity}") as db:
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
                    len(face_columns),
                    None if result.raw is None else _to_json(result.raw),
                    _to_json(result.extra) if result.extra else None,
                ),
            ).lastrowid
            db.executemany(
                _INSERT_DETECTION_FACE,
                [(detection_id, index, *columns) for index, columns in enumerate(face_columns)],
            )
        assert detection_id is not None
        return detection_id

    def detection_size(self, detection_id: int) -> tuple[int | None, int | None]:
        """(width, height) of the image a detection was made on, as the detector reported."""
        with self._reading("detection") as db:
            row = db.execute("SELECT width, height FROM detections WHERE id = ?", (detection_id,)).fetchone()
        if row is None:
            raise CatalogError(f"{self.path}: no detection with id {detection_id}")
        return row[0], row[1]

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
        with self._write(f"record image {ref.uri}") as db:
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
        with self._write(f"update images of {source_root}") as db:
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
            return _face_rows(db.execute(sql, params))

    def face(self, face_id: int) -> FaceRow:
        """One face by id (even if it is not of its image's current detection)."""
        with self._reading("face") as db:
            row = db.execute(
                f"""{_FACE_SELECT}
                    FROM faces AS f
                    JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
                    LEFT JOIN decisions AS d ON d.face_id = f.id
                    WHERE f.id = ?""",
                (face_id,),
            ).fetchone()
        if row is None:
            raise CatalogError(f"{self.path}: no face with id {face_id}")
        return _face_rows([row])[0]

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
        batch_id: int | None = None,
    ) -> int:
        """Set the decision of faces, in one transaction, audited under one new batch.

        Faces already in ``state`` are left as they are (not re-audited).

        Args:
            face_ids: the faces to decide (duplicates ignored).
            state: ``pending`` (reset), ``accepted`` or ``rejected``.
            reason: why (kept with the decision and in the audit trail).
            who: the operator; defaults to the OS user name.
            batch_id: add to this earlier batch instead of starting one, so a bulk
                action committed in several chunks is undone as one.

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
        with self._write(f"record {state} decisions") as db:
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
            if batch_id:
                if db.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone() is None:
                    raise CatalogError(f"{self.path}: no decision batch {batch_id}")
            else:
                batch_id = db.execute(
                    "INSERT INTO batches (at, who, kind) VALUES (?, ?, 'decide')", (at, who)
                ).lastrowid
            assert batch_id is not None
            decisions, audit_rows = [], []
            for face_id in changed:
                decisions.append((face_id, state, reason, who, at))
                audit_rows.append(
                    _audit_values(batch_id, at, who, face_id, ACTION_DECIDE, current[face_id], state, reason)
                )
            db.executemany(_UPSERT_DECISION, decisions)
            db.executemany(_INSERT_AUDIT, audit_rows)
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
        with self._write("undo the last decisions") as db:
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
            assert batch_id is not None
            decisions, audit_rows = [], []
            for face_id, old_state, old_reason, old_who, old_at, *before_undo in entries:
                decisions.append((face_id, old_state, old_reason, old_who, old_at))
                audit_rows.append(
                    _audit_values(batch_id, at, who, face_id, ACTION_UNDO, before_undo, old_state, old_reason)
                )
            db.executemany(_UPSERT_DECISION, decisions)
            db.executemany(_INSERT_AUDIT, audit_rows)
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
        with self._write(f"save setting {key}") as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )

    def add_paid_calls(self, service: str, n: int) -> None:
        """Count ``n`` more billable calls to ``service`` (e.g. "imm", "green")."""
        if n == 0:
            return
        with self._write(f"count paid calls to {service}") as db:
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
