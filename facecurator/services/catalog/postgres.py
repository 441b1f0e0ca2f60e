"""A catalog on PostgreSQL: the connection (psycopg 3), its password, and the schema version.

``facecurator --catalog postgresql://user@host:5432/gallery`` opens the same
:class:`~facecurator.services.catalog.database.Catalog` on a server. The URL never
holds the password: it comes from the OS keyring (``facecurator catalog password
URL`` stores it, like the cloud secrets), or from libpq's own ``~/.pgpass`` /
``service=`` file. A URL with a password is refused, and the password is never
shown: it is registered with the log redaction, and errors name the URL without it.

The catalog's statements are written in SQLite's dialect and translated by
:mod:`facecurator.services.catalog.dialect`. Writes take a transaction-level
advisory lock (:data:`WRITE_LOCK`), so writers are serialised exactly as SQLite's
``BEGIN IMMEDIATE`` serialises them: every read-then-write of the catalog keeps
its meaning with many processes on many machines. The work queue and the shared
rate budget (:mod:`facecurator.services.catalog.claims`) write without it, with
row locks (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import contextlib
import logging
import re
import select
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from facecurator.errors import CatalogError
from facecurator.services.catalog.dialect import POSTGRESQL, to_postgres
from facecurator.services.catalog.messages import catalog_text

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: ``pg_advisory_xact_lock`` key every catalog write takes ("FCat").
WRITE_LOCK: Final = 0x46436174
#: The key the schema migration takes.
MIGRATION_LOCK: Final = 0x46436175
#: Keyring service and user of a catalog password (the user names the server, role and database).
KEYRING_USER_PREFIX: Final = "catalog:"
#: The NOTIFY channel decisions are announced on (payload: the audit id range).
DECISIONS_CHANNEL: Final = "facecurator_decisions"

_URL_PREFIXES: Final = ("postgresql://", "postgres://")
#: Rows per multi-row INSERT of :meth:`PgConnection.executemany`.
ROWS_PER_INSERT: Final = 500
_VALUES: Final = re.compile(
    r"^(\s*INSERT\b.*?\bVALUES\s*)(\((?:\s*\?\s*,)*\s*\?\s*\))(.*)$", re.DOTALL | re.IGNORECASE
)


def is_url(target: object) -> bool:
    """True when ``target`` names a PostgreSQL catalog (``postgresql://`` or ``postgres://``)."""
    return isinstance(target, str) and target.lower().startswith(_URL_PREFIXES)


class CatalogUrl(str):
    """A PostgreSQL catalog's URL, without a password (safe to show and to reopen with)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The database name (like a file's name, for titles)."""
        return self.rsplit("/", 1)[-1].split("?", 1)[0] or self

    def expanduser(self) -> CatalogUrl:
        return self


def parse_url(url: str) -> tuple[CatalogUrl, dict[str, Any]]:
    """(the URL as shown, the libpq parameters); CatalogError when it holds a password.

    The error never repeats the password.
    """
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Exception as exc:  # noqa: BLE001 - psycopg.ProgrammingError, and any parse error
        raise CatalogError(
            f"{_without_password(url)}: not a valid PostgreSQL URL: {_clean(exc, url)}"
        ) from None
    if params.get("password"):
        raise CatalogError(
            f"{_without_password(url)}: the catalog URL holds a password; never put it on the command line. "
            "Remove it and store it with `facecurator catalog password URL` (the OS keyring), "
            "or in ~/.pgpass or a pg_service.conf service"
        )
    return CatalogUrl(_without_password(url)), params


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/?#@]*):[^@/?#]*@", r"\1@", url)


def _clean(exc: BaseException, url: str) -> str:
    from facecurator.cloud import redact

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return redact.redact(text.replace(url, _without_password(url)))


def keyring_user(params: dict[str, Any]) -> str:
    """The keyring user a catalog's password is stored under: ``catalog:role@host:port/database``."""
    host = params.get("host") or "localhost"
    port = params.get("port") or "5432"
    return f"{KEYRING_USER_PREFIX}{params.get('user') or ''}@{host}:{port}/{params.get('dbname') or ''}"


def keyring_password(params: dict[str, Any]) -> str | None:
    """The password stored for this server, role and database, or None (then libpq's files apply).

    A missing or unusable keyring is not an error here: ``.pgpass`` may hold it.
    """
    from facecurator.cloud import credentials, redact
    from facecurator.errors import ConfigError

    try:
        backend = credentials.keyring_backend()
        password = backend.get_password(credentials.KEYRING_SERVICE, keyring_user(params))
    except ConfigError:
        return None
    except Exception as exc:  # noqa: BLE001 - every keyring backend raises its own types
        log.warning("cannot read the catalog password from the keyring: %s", redact.redact_exception(exc))
        return None
    redact.register_secret(password)
    return password


def store_password(url: str, password: str) -> str:
    """Store a catalog's password in the OS keyring; returns the keyring user it is under."""
    from facecurator.cloud import credentials, redact
    from facecurator.errors import ConfigError

    _, params = parse_url(url)
    user = keyring_user(params)
    redact.register_secret(password)
    try:
        credentials.keyring_backend().set_password(credentials.KEYRING_SERVICE, user, password)
    except ConfigError:
        raise  # no usable keyring: the message says what to install
    except Exception as exc:  # noqa: BLE001
        raise CatalogError(
            f"cannot store the catalog password in the OS keyring: {redact.redact_exception(exc)}"
        ) from None
    return user


class PgConnection:
    """A psycopg connection that speaks the catalog's (SQLite) dialect (see the module doc)."""

    dialect: Final = POSTGRESQL

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Any = None) -> Any:
        if sql == "BEGIN IMMEDIATE":  # a catalog write: serialised like SQLite's
            self.raw.execute("BEGIN")
            try:
                return self.raw.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            except BaseException:
                with contextlib.suppress(Exception):
                    self.raw.execute("ROLLBACK")
                raise
        if parameters is None:
            return self.raw.execute(to_postgres(sql, False))
        return self.raw.execute(to_postgres(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Any]) -> Any:
        """Many rows; an INSERT ... VALUES goes as multi-row INSERTs (one round trip per
        :data:`ROWS_PER_INSERT` rows: a server is a network hop away, SQLite is not)."""
        rows = list(parameters)
        values = _VALUES.match(sql)
        cursor: Any = None
        if values is None or not rows:
            cursor = self.raw.cursor()
            cursor.executemany(to_postgres(sql), rows)
            return cursor
        head, one, tail = values.group(1), values.group(2), values.group(3)
        upsert = re.search(r"\bDO\s+UPDATE\b", tail, re.IGNORECASE) is not None
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            statement = to_postgres(f"{head}{', '.join([one] * len(chunk))}{tail}")
            flat = [v for row in chunk for v in row]
            if not upsert:
                cursor = self.raw.execute(statement, flat)
                continue
            # One statement cannot update a row twice (SQLite's row-by-row executemany can:
            # the last row wins): then these rows go one by one, as SQLite does them.
            with self._savepoint() as repeated:
                cursor = self.raw.execute(statement, flat)
            if repeated:
                cursor = self.raw.cursor()
                cursor.executemany(to_postgres(sql), chunk)
        return cursor

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[list[bool]]:
        """Run a block that may fail with a row updated twice; yields a flag set when it did
        (the block's changes are then undone, the transaction goes on)."""
        import psycopg

        failed: list[bool] = []
        in_transaction = self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        if in_transaction:
            self.raw.execute("SAVEPOINT fc_many")
        try:
            yield failed
        except psycopg.errors.CardinalityViolation:
            failed.append(True)
            if in_transaction:
                self.raw.execute("ROLLBACK TO SAVEPOINT fc_many")
        if in_transaction:
            self.raw.execute("RELEASE SAVEPOINT fc_many")

    def close(self) -> None:
        self.raw.close()

    @property
    def dropped(self) -> bool:
        """Whether the server dropped the connection (a restart, a terminated backend): closed,
        or its goodbye waiting on the socket, read without blocking. Without the look the next
        statement ran on it and failed: the first decision after a restart was refused."""
        import psycopg

        if self.raw.closed:
            return True
        pgconn = self.raw.pgconn
        for _ in range(3):  # (its goodbye, then the end of the stream: read apart)
            if not select.select([pgconn.socket], [], [], 0)[0]:
                break
            try:
                pgconn.consume_input()
            except psycopg.OperationalError:
                return True
        return bool(pgconn.status == psycopg.pq.ConnStatus.BAD)


#: How often the server looks, during a running query, whether the client is still there.
DEAD_CLIENT_CHECK_MS: Final = 2000


def connect(url: str, *, timeout: float) -> tuple[CatalogUrl, PgConnection]:
    """Open a server catalog: (its URL as shown, the connection). CatalogError naming the URL."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency
        raise CatalogError(
            "PostgreSQL catalogs need the Python package psycopg (pip install 'psycopg[binary]')"
        ) from None
    shown, params = parse_url(url)
    extra: dict[str, Any] = {"connect_timeout": max(1, int(timeout)), "application_name": "facecurator"}
    try:
        conn = _connect(url, params, autocommit=True, cursor_factory=psycopg.ClientCursor, **extra)
    except psycopg.Error as exc:
        raise CatalogError(_open_failure(exc, shown, params, url)) from None
    # Statements are bound on the client (ClientCursor): each multi-row INSERT is a new text,
    # and psycopg would count up to 100 of them (MBs each at 1000 rows) to prepare them.
    conn.prepare_threshold = None
    _adapt(conn)
    conn.execute(f"SET lock_timeout = '{int(timeout * 1000)}ms'")
    if conn.info.server_version >= 140000:  # the setting is PostgreSQL 14's
        # A query whose client is gone (a window killed, a worker's machine lost) would otherwise
        # run to its end -- a 1M count for most of an hour -- and keep its snapshot and locks.
        conn.execute(f"SET client_connection_check_interval = '{DEAD_CLIENT_CHECK_MS}ms'")
    return shown, PgConnection(conn)


def _open_failure(exc: BaseException, shown: str, params: dict[str, Any], url: str) -> str:
    """Why the server catalog cannot be opened: a refused or missing password says how to store
    it (never the password itself); anything else keeps the driver's words."""
    import getpass

    role = params.get("user") or getpass.getuser()  # libpq's default role: the login name
    if getattr(exc, "sqlstate", None) == "28P01" or "password authentication failed" in str(exc):
        return catalog_text("catalog.password_refused", path=shown, role=role)
    if "no password supplied" in str(exc):  # libpq: the server asked, nothing was at hand
        return catalog_text("catalog.password_missing", path=shown, role=role)
    return catalog_text("catalog.cannot_open", path=shown, detail=_clean(exc, url))


def _connect(url: str, params: dict[str, Any], **extra: Any) -> psycopg.Connection[Any]:
    """``psycopg.connect`` with libpq's own password sources first (``.pgpass``, a service file;
    trust and peer authentication need none), then with the keyring's password when the server
    asks for one. Reading the keyring costs ~0.13 s CPU (its backends are looked up) and the
    window's start waits for this connection."""
    import psycopg

    try:
        return psycopg.connect(url, **extra)
    except psycopg.OperationalError as exc:
        asked = getattr(exc, "sqlstate", None) in ("28P01", "28000") or "password" in str(exc)
        password = keyring_password(params) if asked else None
        if not password:
            raise
    return psycopg.connect(url, password=password, **extra)


def _adapt(conn: psycopg.Connection[Any]) -> None:
    """Values as SQLite gives and takes them: booleans stored as 0/1, sums as int/float."""
    from psycopg.adapt import Dumper, Loader

    class BoolAsInt(Dumper):
        oid = conn.adapters.types["int8"].oid

        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

        def quote(self, obj: Any) -> bytes:
            return self.dump(obj)

    class NumericAsNumber(Loader):
        def load(self, data: Any) -> Any:
            text = bytes(data).decode()
            return int(text) if text.lstrip("-").isdigit() else float(text)

    conn.adapters.register_dumper(bool, BoolAsInt)
    conn.adapters.register_loader("numeric", NumericAsNumber)


#: Tables an operators' role may read and append to, never change: their triggers keep them
#: append-only, and a role that does not own them cannot disable or drop those triggers.
APPEND_ONLY_TABLES: Final = ("audit", "assignment_log")


def grant_operators(db: PgConnection, shown: str, role: str) -> None:
    """Let ``role`` work on this catalog (run as its owner): every table's rows, the audit trail
    and the assignment log only read and appended. The owner itself is refused: it can disable
    the append-only triggers, an operators' role of its own cannot."""
    from psycopg import sql

    owner = db.raw.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit'").fetchone()
    if owner is not None and owner[0] == role:
        raise CatalogError(
            f"{shown}: {role} owns the catalog and could disable its audit trail's triggers; "
            "grant a role of the operators' own"
        )
    who, schema = sql.Identifier(role), sql.Identifier(_schema(db))
    tables = sql.SQL(", ").join(map(sql.Identifier, APPEND_ONLY_TABLES))
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, who),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(tables, who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, who),
    ]
    import psycopg

    try:
        with db.raw.transaction():
            for statement in statements:
                db.raw.execute(statement)
    except psycopg.Error as exc:
        raise CatalogError(f"{shown}: cannot grant {role} the catalog: {_clean(exc, shown)}") from None


def _schema(db: PgConnection) -> str:
    row = db.raw.execute("SELECT current_schema()").fetchone()
    return str(row[0]) if row else "public"


def error_types() -> tuple[type[BaseException], ...]:
    import psycopg

    return (psycopg.Error,)


# -- schema version ---------------------------------------------------------------------------


def migrate(db: PgConnection, shown: str, migrations: list[Any], application_id: int) -> None:
    """Bring a server catalog to ``len(migrations)``, all steps in one transaction.

    The version lives in ``facecurator_schema`` (SQLite keeps it in ``PRAGMA user_version``).
    """
    target = len(migrations)
    current = _version(db, shown, application_id, target)
    if current == target:
        return
    db.execute("BEGIN")
    try:
        db.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        db.execute(
            "CREATE TABLE IF NOT EXISTS facecurator_schema"
            " (application_id BIGINT NOT NULL, version INTEGER NOT NULL)"
        )
        current = _version(db, shown, application_id, target)
        if current == 0 and _foreign_tables(db):
            raise CatalogError(catalog_text("catalog.not_ours", path=shown))
        for version in range(current, target):
            migrations[version](db)
        db.execute("DELETE FROM facecurator_schema")
        db.execute(
            "INSERT INTO facecurator_schema (application_id, version) VALUES (?, ?)", (application_id, target)
        )
        db.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(Exception):
            db.execute("ROLLBACK")
        if isinstance(exc, CatalogError) or not isinstance(exc, Exception):
            raise
        raise CatalogError(
            catalog_text("catalog.migration_failed", path=shown, version=target, detail=exc)
        ) from exc


def _foreign_tables(db: PgConnection) -> bool:
    row = db.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_name <> 'facecurator_schema'"
    ).fetchone()
    return bool(row[0])


def _version(db: PgConnection, shown: str, application_id: int, target: int) -> int:
    exists = db.execute("SELECT to_regclass('facecurator_schema') IS NOT NULL").fetchone()[0]
    if not exists:
        if _foreign_tables(db):
            raise CatalogError(catalog_text("catalog.not_ours", path=shown))
        return 0
    row = db.execute("SELECT application_id, version FROM facecurator_schema").fetchone()
    if row is None:
        return 0
    if row[0] != application_id:
        raise CatalogError(catalog_text("catalog.not_ours", path=shown))
    if row[1] > target:
        raise CatalogError(catalog_text("catalog.newer", path=shown, found=row[1], supported=target))
    return int(row[1])


@contextlib.contextmanager
def listening(url: str, channel: str = DECISIONS_CHANNEL) -> Iterator[psycopg.Connection[Any]]:
    """A connection of its own that LISTENs on ``channel`` (read its ``notifies()``)."""
    import psycopg

    _, params = parse_url(url)
    try:
        conn = _connect(url, params, autocommit=True)
    except psycopg.Error as exc:
        raise CatalogError(
            f"{_without_password(url)}: cannot listen for decisions: {_clean(exc, url)}"
        ) from None
    try:
        conn.execute(f"LISTEN {channel}")
        yield conn
    finally:
        conn.close()
