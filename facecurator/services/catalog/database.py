"""The :class:`Catalog`: one SQLite connection per object, every write committed before it returns."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from facecurator.domain.protocols import ImageRef
from facecurator.errors import CatalogError
from facecurator.services.catalog import health
from facecurator.services.catalog.decisions import DecisionStore
from facecurator.services.catalog.detections import DetectionStore
from facecurator.services.catalog.dialect import POSTGRESQL, SQLITE, Connection, Dialect
from facecurator.services.catalog.embeddings import EmbeddingStore
from facecurator.services.catalog.messages import catalog_text
from facecurator.services.catalog.rows import (
    _FACE_QUERY,
    _FACE_SELECT,
    _IMAGE_COLUMNS,
    FaceRow,
    ImageRow,
    _face_rows,
    _ids_json,
    _now,
)
from facecurator.services.catalog.schema import (
    APPLICATION_ID,
    DECISION_STATES,
    DEFAULT_BUSY_TIMEOUT,
    IMAGE_STATUSES,
    MIGRATIONS,
    NATURAL_KEYS_STEP,
    configure,
    migrate,
    natural_keys,
    store_natural_keys,
)
from facecurator.services.catalog.settings import SettingsStore

_RECORD_LISTED: Final = """INSERT OR IGNORE INTO images (uri, name, group_name, source_root, size, mtime_ns,
    etag, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'listed') RETURNING id"""
#: The same with the image's natural sort keys (schema step 9).
_RECORD_LISTED_KEYED: Final = """INSERT OR IGNORE INTO images (uri, name, group_name, source_root, size,
    mtime_ns, etag, status, name_key, group_key) VALUES (?, ?, ?, ?, ?, ?, ?, 'listed', ?, ?) RETURNING id"""


class Catalog(DetectionStore, SettingsStore, EmbeddingStore, DecisionStore):
    """The catalog: a SQLite file (the default), or a PostgreSQL database (``postgresql://...``).

    One ``Catalog`` object per thread: SQLite connections must not be shared
    between threads (the connection enforces it). Other threads and processes
    open their own ``Catalog`` on the same file; committed writes are visible
    to them at once.

    Args:
        path: the database file; None means :func:`facecurator.paths.default_catalog_path`.
            Parent folders are created. A ``postgresql://user@host/db`` URL (no password:
            see :mod:`facecurator.services.catalog.postgres`) opens a server catalog; its
            ``path`` is then that URL (a ``CatalogUrl``), which reopens it too.
        timeout: seconds a write waits for another connection's transaction.
        check_later: run the check on open (:mod:`.health`) in a background thread when the
            file needs one (the desktop app: the window is not held up by it); reads go on
            meanwhile, the first write waits for it, and once it found damage every use
            raises :class:`~facecurator.errors.CatalogDamagedError`. A file whose schema is
            migrated is checked first, as without.

    Raises:
        CatalogError: naming the path, when the file cannot be created, is not a
            catalog, is corrupt, or was written by a newer facecurator.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        timeout: float = DEFAULT_BUSY_TIMEOUT,
        check_later: bool = False,
    ) -> None:
        from facecurator.services.catalog import postgres

        self._conn: Connection | None = None
        self.pending_check: health.BackgroundCheck | None = None
        self._depth = 0  # nesting of write transactions (see transaction())
        self._thread = threading.get_ident()
        self.dialect: Dialect = SQLITE
        self._errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        if postgres.is_url(path):
            self._open_server(str(path), timeout)
            return
        if path is None:
            from facecurator.paths import default_catalog_path

            path = default_catalog_path()
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                catalog_text("catalog.create_folder", path=self.path, detail=exc.strerror or exc)
            ) from exc
        if self.path.is_dir():
            raise CatalogError(catalog_text("catalog.is_folder", path=self.path))
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is
            # left in an implicit transaction and every write commits when we say.
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise CatalogError(catalog_text("catalog.cannot_open", path=self.path, detail=exc)) from exc
        self._conn = conn
        self._key = self.path.resolve()
        health.enter(self._key)  # the clean-shutdown marker (see health)
        try:
            configure(conn, timeout)
            if check_later and conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
                self.pending_check = health.check_in_background(self._key, shown=self.path)
            else:
                health.check_on_open(conn, self._key, shown=self.path)  # a damaged catalog is never written
            migrate(conn, self.path)
        except CatalogError:
            self.close()
            raise
        except sqlite3.Error as exc:
            self.close()
            raise self._error("open catalog", exc) from exc

    def _open_server(self, url: str, timeout: float) -> None:
        """Open a PostgreSQL catalog (no file, no marker, no PRAGMA: the server keeps it sound)."""
        from facecurator.services.catalog import postgres

        self.dialect = POSTGRESQL
        self._timeout = timeout
        self._errors = (sqlite3.Error, *postgres.error_types())
        shown, conn = postgres.connect(url, timeout=timeout)
        self.path = shown  # type: ignore[assignment]  # a CatalogUrl: shown in messages, reopens the catalog
        self._conn = conn
        try:
            postgres.migrate(conn, shown, MIGRATIONS, APPLICATION_ID)
        except CatalogError:
            self.close()
            raise
        except self._errors as exc:
            self.close()
            raise self._error("open catalog", exc) from exc

    # -- lifecycle ---------------------------------------------------------

    @property
    def location(self) -> str:
        """What opens this catalog again (in another thread or process): the file, or the URL."""
        return str(self.path)

    def ensure_writable(self) -> None:
        """Refuse at once a catalog file that cannot be written (immutable, no write permission,
        a read-only disk) — otherwise that is found only at the first write, which may come late.

        A server catalog answers for itself (its privileges are checked by its statements).
        """
        if self.dialect == POSTGRESQL:
            return
        for target in (self.path, self.path.parent):  # the folder holds the -wal/-shm files
            if not os.access(target, os.W_OK):
                readonly = sqlite3.OperationalError("attempt to write a readonly database")
                raise CatalogError(
                    catalog_text(
                        "catalog.failed", path=self.path, action=catalog_text("action.write"), detail=readonly
                    )
                )

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()  # type: ignore[attr-defined]  # both connections have close()
            self._conn = None
            if self.dialect == SQLITE:
                health.leave(self._key)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Catalog({str(self.path)!r})"

    @property
    def _db(self) -> Any:  # a Connection (dialect.py); Any: sqlite3's or PgConnection, used alike
        if self._conn is None:
            raise CatalogError(catalog_text("catalog.closed", path=self.path))
        if self.pending_check is not None and self.pending_check.failed:
            raise self.pending_check.error  # type: ignore[misc]  # failed: set
        if self._thread != threading.get_ident():  # SQLite's own check; the same rule on a server
            raise CatalogError(catalog_text("catalog.other_thread", path=self.path))
        if self.dialect == POSTGRESQL and self._depth == 0 and self._conn.dropped:  # type: ignore[attr-defined]
            self._reconnect()
        return self._conn

    def _reconnect(self) -> None:
        """Open a server catalog's connection again once the server dropped it (restarted, the
        backend terminated): outside a transaction only -- inside one, its writes are gone with
        the connection and its next statements fail until it ends. CatalogError while the server
        still refuses. Without it the window's own connection stayed dead after a restart."""
        from facecurator.services.catalog import postgres

        conn = postgres.connect(str(self.path), timeout=self._timeout)[1]  # (refused: the dead one stays)
        old, self._conn = self._conn, conn
        with contextlib.suppress(Exception):
            old.close()  # type: ignore[union-attr]

    def _error(self, what: str, exc: BaseException) -> CatalogError:
        """A failed statement as a CatalogError; damage found on the way is a CatalogDamagedError."""
        if self.dialect == POSTGRESQL:
            from facecurator.cloud import redact

            lines = str(exc).strip().splitlines() or [type(exc).__name__]
            return CatalogError(
                catalog_text("catalog.failed", path=self.path, action=what, detail=redact.redact(lines[0]))
            )
        if isinstance(exc, sqlite3.Error) and health.is_corruption(exc):
            problem = catalog_text("catalog.problem", action=what, detail=exc)
            return health.damaged_error(self.path, health.CheckResult(False, (problem,)))
        return CatalogError(catalog_text("catalog.failed", path=self.path, action=what, detail=exc))

    @contextlib.contextmanager
    def _reading(self, what: str) -> Iterator[Any]:
        try:
            yield self._db
        except self._errors as exc:
            raise self._error(catalog_text("action.read", what=what), exc) from exc

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
    def _write(self, what: str, *, exclusive: bool = True) -> Iterator[Any]:
        """A write transaction (a savepoint when nested); database errors become CatalogError.

        ``exclusive``: serialised with every other catalog write (SQLite always is; on
        PostgreSQL, False lets row locks do it: the work queue, the shared rate budget).
        """
        if self.pending_check is not None:  # a damaged catalog is never written
            self.pending_check.wait()
        conn = self._db
        savepoint = f"sp{self._depth}"
        try:
            conn.execute(
                f"SAVEPOINT {savepoint}" if self._depth else "BEGIN IMMEDIATE" if exclusive else "BEGIN"
            )
        except self._errors as exc:
            raise self._error(what, exc) from exc
        outermost = self._depth == 0
        self._depth += 1
        try:
            yield conn
            conn.execute("COMMIT" if outermost else f"RELEASE {savepoint}")
        except BaseException as exc:
            with contextlib.suppress(*self._errors):
                if outermost:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
            if isinstance(exc, self._errors):
                raise self._error(what, exc) from exc
            raise
        finally:
            self._depth -= 1

    # -- images --------------------------------------------

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
            if len(MIGRATIONS) >= NATURAL_KEYS_STEP:  # (the code of a release before: no keys)
                store_natural_keys(db, [(image_id, ref.name, ref.group)])
            if face_count:
                db.executemany(
                    "INSERT OR IGNORE INTO faces (image_id, detection_id, idx) VALUES (?, ?, ?)",
                    [(image_id, detection_id, index) for index in range(face_count)],
                )
        return int(image_id)

    def record_listed(self, refs: Sequence[ImageRef], *, source_root: str) -> list[int]:
        """Record listed images the catalog does not know yet, as ``listed`` (not read yet),
        in one transaction; the ones it knows are left as they are. Returns the new ids, in
        listing order (a scan then records each image as it is read, under the same id)."""
        keyed = len(MIGRATIONS) >= NATURAL_KEYS_STEP  # (the code of a release before: no keys)
        rows = [
            (ref.uri, ref.name, ref.group, source_root, ref.size, ref.mtime_ns, ref.etag)
            + (natural_keys(ref.name, ref.group) if keyed else ())
            for ref in refs
        ]
        sql = _RECORD_LISTED_KEYED if keyed else _RECORD_LISTED
        with self._write(f"record the listing of {source_root}") as db:
            if self.dialect == SQLITE:
                # One statement for them all (a new folder's 10 000 rows: 0.1 s, not 0.35 s
                # one at a time). The write lock is held: every id above the largest one
                # before is a row inserted here, given in insertion (listing) order.
                last = db.execute("SELECT coalesce(max(id), 0) FROM images").fetchone()[0]
                db.executemany(sql.removesuffix(" RETURNING id"), rows)
                found = db.execute("SELECT id FROM images WHERE id > ? ORDER BY id", (last,)).fetchall()
                return [int(image_id) for (image_id,) in found]
            new: list[int] = []
            for values in rows:
                row = db.execute(sql, values).fetchone()
                if row is not None:
                    new.append(int(row[0]))
        return new

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
            raise CatalogError(catalog_text("catalog.no_image", path=self.path, id=image_id))
        return ImageRow(*row)

    def image_by_uri(self, uri: str) -> ImageRow | None:
        """The image listed at ``uri``, or None."""
        with self._reading("image") as db:
            row = db.execute(f"SELECT {_IMAGE_COLUMNS} FROM images AS i WHERE i.uri = ?", (uri,)).fetchone()
        return None if row is None else ImageRow(*row)

    def source_roots(self) -> list[str]:
        """Every source root with at least one image, sorted: each the next one after the last by
        the images' (source_root, name) index, one look per root (``DISTINCT`` read every image:
        0.18-0.22 s at 1M images on PostgreSQL, load 15, before ``report --json``'s first byte)."""
        with self._reading("sources") as db:
            rows = db.execute(
                "WITH RECURSIVE roots(root) AS (SELECT min(source_root) FROM images UNION ALL"
                " SELECT (SELECT min(source_root) FROM images WHERE source_root > roots.root)"
                " FROM roots WHERE roots.root IS NOT NULL)"
                " SELECT root FROM roots WHERE root IS NOT NULL"
            ).fetchall()
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
            raise CatalogError(catalog_text("catalog.no_face", path=self.path, id=face_id))
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

    # -- integrity and backups ---------------------------------------------

    def check(self, *, full: bool = True) -> health.CheckResult:
        """Run the integrity check now (full: ``integrity_check`` and ``foreign_key_check``).

        A server catalog is kept sound by its server (WAL, checksums, its own backups):
        the check is that it answers.
        """
        if self.dialect == POSTGRESQL:
            with self._reading("catalog"):
                self._db.execute("SELECT 1").fetchone()
            return health.CheckResult(full, ())
        return health.run_check(self._db, full=full)

    def prepare_bulk_change(self, tables: Sequence[str] = ()) -> Any:
        """Before a bulk change: a verified backup when due, else a full check (see backup);
        ``tables``: of only the tables the change writes (``schema.DECISION_TABLES``).

        None on a server catalog: its backups are the server's (pg_dump, base backups).
        """
        from facecurator.services.catalog.backup import before_bulk_change

        if self.dialect == POSTGRESQL:
            return None
        with self._reading("catalog before a bulk change") as db:
            return before_bulk_change(db, self.path, tables=tables)
