"""Rotating catalog backups and the way back from a damaged catalog.

Backups are taken with SQLite's online backup API (a consistent snapshot while
other processes keep working) into ``<catalog>.backups/`` beside the catalog,
before a bulk change when the newest backup is older than a day; the newest
:data:`KEEP` are kept. Every backup is verified with ``integrity_check`` before
it counts, so a damaged catalog is never backed up (the bulk change is refused).

:func:`restore` puts the damaged file aside (never deleted), copies the newest
sound backup in its place and re-applies, from the damaged file's audit trail,
every decision made since the backup that can still be read and whose face the
backup knows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

from facecurator.errors import CatalogDamagedError, CatalogError
from facecurator.services.catalog.health import damaged_error, forget_checks, run_check, running_owners
from facecurator.services.catalog.messages import catalog_text

log = logging.getLogger(__name__)

#: Backups kept per catalog (the oldest beyond this are removed).
KEEP: Final = 5
#: A bulk change takes a backup when the newest is older than this.
INTERVAL: Final = timedelta(days=1)
_STAMP: Final = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file; ``ok`` is None until verified."""

    path: Path
    taken_at: datetime
    bytes: int
    ok: bool | None = None
    problems: tuple[str, ...] = ()
    decisions: int | None = None
    audit_entries: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "taken_at": self.taken_at.isoformat().replace("+00:00", "Z"),
            "bytes": self.bytes,
            "ok": self.ok,
            "problems": list(self.problems),
            "decisions": self.decisions,
            "audit_entries": self.audit_entries,
        }


@dataclass(slots=True)
class RestoreReport:
    """What :func:`restore` did."""

    catalog: Path
    backup: BackupInfo
    damaged_copy: Path | None
    reapplied: int = 0
    not_reapplied: int = 0
    unreadable: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "catalog": str(self.catalog),
            "backup": self.backup.to_json(),
            "damaged_copy": None if self.damaged_copy is None else str(self.damaged_copy),
            "reapplied": self.reapplied,
            "not_reapplied": self.not_reapplied,
            "unreadable": self.unreadable,
            "notes": self.notes,
        }


def backup_dir(catalog: Path) -> Path:
    return catalog.with_name(f"{catalog.name}.backups")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def list_backups(catalog: Path, *, verify: bool = False) -> list[BackupInfo]:
    """The backups of ``catalog``, newest first (verified with ``integrity_check`` if asked)."""
    folder = backup_dir(catalog)
    stem = catalog.stem + "-"
    found = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            name = entry.name
            if not (name.startswith(stem) and name.endswith(".sqlite3")):
                continue
            try:
                taken = datetime.strptime(name[len(stem) : len(stem) + 16], _STAMP).replace(
                    tzinfo=timezone.utc
                )
                size = entry.stat().st_size
            except (ValueError, OSError):
                continue
            found.append(BackupInfo(entry, taken, size))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return [verify_backup(b) for b in found] if verify else found


def verify_backup(info: BackupInfo) -> BackupInfo:
    """``info`` with ``ok``, ``problems`` and its decision / audit counts filled in."""
    try:
        conn = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return BackupInfo(info.path, info.taken_at, info.bytes, False, (str(exc),))
    try:
        result = run_check(conn, full=True)
        decisions = audit = None
        if result.ok:
            decisions = conn.execute("SELECT count(*) FROM decisions WHERE state != 'pending'").fetchone()[0]
            audit = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        return BackupInfo(info.path, info.taken_at, info.bytes, result.ok, result.problems, decisions, audit)
    except sqlite3.Error as exc:
        return BackupInfo(info.path, info.taken_at, info.bytes, False, (str(exc),))
    finally:
        conn.close()


def take_backup(
    conn: sqlite3.Connection, catalog: Path, *, now: datetime | None = None, keep: int = KEEP
) -> BackupInfo:
    """Copy the catalog (a consistent snapshot) into a new verified backup; rotate old ones.

    Raises:
        CatalogDamagedError: the copy fails the integrity check (the catalog is damaged);
            the copy is removed.
        CatalogError: the backup could not be written.
    """
    now = now or _now()
    folder = backup_dir(catalog)
    base = f"{catalog.stem}-{now.strftime(_STAMP)}"
    final = folder / f"{base}.sqlite3"
    n = 1
    while final.exists():
        n += 1
        final = folder / f"{base}-{n}.sqlite3"
    partial = folder / f".{final.name}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            conn.backup(target)  # all pages in one step: a consistent snapshot
            target.execute("PRAGMA journal_mode = DELETE")
            result = run_check(target, full=True)
        finally:
            target.close()
        if not result.ok:
            partial.unlink()
            raise damaged_error(catalog, result)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        partial.replace(final)
        _fsync_dir(folder)
    except sqlite3.Error as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise CatalogError(catalog_text("backup.failed", path=catalog, folder=folder, detail=exc)) from exc
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise CatalogError(
            catalog_text("backup.failed", path=catalog, folder=folder, detail=exc.strerror or exc)
        ) from exc
    for old in list_backups(catalog)[keep:]:
        with contextlib.suppress(OSError):
            old.path.unlink()
    log.info("%s: backed up to %s", catalog, final)
    return BackupInfo(final, now.replace(microsecond=0), final.stat().st_size, True)


def backup_if_due(
    conn: sqlite3.Connection, catalog: Path, *, now: datetime | None = None, interval: timedelta = INTERVAL
) -> BackupInfo | None:
    """:func:`take_backup` when the newest backup is older than ``interval``; None otherwise."""
    now = now or _now()
    backups = list_backups(catalog)
    if backups and now - backups[0].taken_at < interval:
        return None
    return take_backup(conn, catalog, now=now)


def before_bulk_change(
    conn: sqlite3.Connection, catalog: Path, *, tables: Sequence[str] = ()
) -> BackupInfo | None:
    """A verified backup when due (at most daily), else a full check; the new backup or None.

    ``tables``: the tables the change writes (a bulk decision's: :data:`.schema.DECISION_TABLES`): when
    no backup is due only they are checked (``integrity_check`` and ``foreign_key_check`` of each
    and its indexes): the whole file's took 23-24 s at 1M images / 3M faces, ~9 s of CPU of it
    the images' eight indexes a decision never writes. The rest of the file's structure is the
    open's ``quick_check`` (or its record, :mod:`.health`); every backup is still checked whole.
    An empty catalog (no image yet) is not backed up.

    Raises:
        CatalogDamagedError: the catalog is damaged; the bulk change must not start.
    """
    empty = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM images)").fetchone()[0]
    info = None if empty else backup_if_due(conn, catalog)
    if info is None:
        result = run_check(conn, full=True, tables=tables)
        if not result.ok:
            raise damaged_error(catalog, result)
    return info


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- restore

_TRAIL_COLUMNS: Final = "id, batch_id, at, who, face_id, action, new_state, reason"


@dataclass(frozen=True, slots=True)
class _Entry:
    id: int
    batch_id: int
    at: str
    who: str
    face_id: int
    action: str
    new_state: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class _Batch:
    id: int
    at: str
    who: str
    kind: str
    undoes: int | None


def _read_trail(catalog: Path, after: int) -> tuple[list[_Entry], dict[int, _Batch], int]:
    """Audit entries after id ``after`` that can still be read, their batches, and how many could not."""
    try:
        conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        try:  # e.g. a WAL left by a crash that read-only mode cannot open
            conn = sqlite3.connect(catalog)
        except sqlite3.Error:
            return [], {}, 0
    entries: list[_Entry] = []
    unreadable = 0
    try:
        try:
            rows = conn.execute(
                f"SELECT {_TRAIL_COLUMNS} FROM audit WHERE id > ? ORDER BY id", (after,)
            ).fetchall()
            entries = [_Entry(*row) for row in rows]
        except sqlite3.DatabaseError:
            # Read entry by entry, as far as the damage allows.
            last = after
            with contextlib.suppress(sqlite3.DatabaseError):
                last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()[0]
            for audit_id in range(after + 1, int(last) + 1):
                try:
                    row = conn.execute(
                        f"SELECT {_TRAIL_COLUMNS} FROM audit WHERE id = ?", (audit_id,)
                    ).fetchone()
                except sqlite3.DatabaseError:
                    unreadable += 1
                    continue
                if row is not None:
                    entries.append(_Entry(*row))
        batches: dict[int, _Batch] = {}
        for batch_id in dict.fromkeys(e.batch_id for e in entries):
            with contextlib.suppress(sqlite3.DatabaseError):
                row = conn.execute(
                    "SELECT id, at, who, kind, undoes FROM batches WHERE id = ?", (batch_id,)
                ).fetchone()
                if row is not None:
                    batches[batch_id] = _Batch(*row)
        return entries, batches, unreadable
    finally:
        conn.close()


def restore(catalog: Path, backup: Path | None = None) -> RestoreReport:
    """Replace a (damaged) catalog by a sound backup and re-apply the decisions made since.

    Args:
        catalog: the catalog file.
        backup: the backup to restore; None: the newest one that passes the integrity check.

    Raises:
        CatalogError: no sound backup, another process has the catalog open, or a
            file could not be moved or written (the catalog is then left as it was).
    """
    catalog = Path(catalog).expanduser()
    others = running_owners(catalog)
    if others:
        raise CatalogError(
            catalog_text("backup.restore_busy", path=catalog, pids=", ".join(map(str, others)))
        )
    chosen = _choose_backup(catalog, backup)
    src = sqlite3.connect(f"file:{chosen.path}?mode=ro", uri=True)
    try:
        after = src.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    finally:
        src.close()
    entries, batches, unreadable = _read_trail(catalog, after)
    report = RestoreReport(catalog, chosen, None, unreadable=unreadable)
    stamp = _now().strftime(_STAMP)
    partial = catalog.with_name(f".{catalog.name}.restoring")
    try:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        src = sqlite3.connect(f"file:{chosen.path}?mode=ro", uri=True)
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            src.backup(target)
        finally:
            src.close()
            target.close()
        if catalog.exists():
            report.damaged_copy = catalog.with_name(f"{catalog.name}.damaged-{stamp}")
            catalog.replace(report.damaged_copy)
            for suffix in ("-wal", "-shm"):
                side = Path(f"{catalog}{suffix}")
                if side.exists():
                    side.replace(Path(f"{report.damaged_copy}{suffix}"))
        partial.replace(catalog)
        _fsync_dir(catalog.parent)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise CatalogError(
            catalog_text("backup.restore_failed", path=catalog, backup=chosen.path, detail=exc)
        ) from exc
    forget_checks(catalog.resolve())
    _replay(catalog, entries, batches, report)
    return report


def _choose_backup(catalog: Path, backup: Path | None) -> BackupInfo:
    if backup is not None:
        backup = Path(backup).expanduser()
        if not backup.is_file():
            raise CatalogError(catalog_text("backup.no_such", path=backup))
        info = verify_backup(
            BackupInfo(
                backup, datetime.fromtimestamp(backup.stat().st_mtime, timezone.utc), backup.stat().st_size
            )
        )
        if not info.ok:
            raise CatalogDamagedError(
                catalog_text("backup.damaged", path=backup, problem=info.problems[0]),
                path=backup,
                problems=info.problems,
            )
        return info
    candidates = list_backups(catalog)
    if not candidates:
        raise CatalogError(catalog_text("backup.none", path=catalog, folder=backup_dir(catalog)))
    for info in candidates:
        checked = verify_backup(info)
        if checked.ok:
            return checked
        log.warning("%s: backup is damaged: %s", info.path, checked.problems[0])
    raise CatalogError(catalog_text("backup.all_damaged", path=catalog, folder=backup_dir(catalog)))


def _replay(
    catalog: Path, entries: Sequence[_Entry], batches: dict[int, _Batch], report: RestoreReport
) -> None:
    """Re-apply the trail's decisions to the restored catalog, batch by batch, as new audit batches."""
    from facecurator.services.catalog import Catalog  # migrates the backup to this schema

    with Catalog(catalog) as restored:
        report.reapplied, report.not_reapplied = restored.replay_trail(entries, batches)
