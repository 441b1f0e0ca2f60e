"""Is the catalog sound? Integrity checks when it is opened, and the clean-shutdown marker.

* Every open runs SQLite's ``quick_check`` (about 0.1 s per 100k faces); once a
  file passed, this process does not check it again until it changes.
* Every process that has the catalog open keeps a marker file beside it,
  ``.<catalog name>.open-<pid>-<host hash>``, removed when its last connection
  closes. A marker whose process is gone means that process did not shut down
  cleanly (killed, crashed, power lost): the next open runs the full
  ``integrity_check`` (with ``foreign_key_check``) instead, and removes the
  stale markers only when it passed.
* A damaged catalog is never written: opening it raises
  :class:`~facecurator.errors.CatalogDamagedError` naming the way back
  (``facecurator catalog restore``).

Processes on another host (a catalog on a network share) cannot be checked and
count as running.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from facecurator.errors import CatalogDamagedError
from facecurator.services.catalog.messages import catalog_text

log = logging.getLogger(__name__)

#: At most this many problems are collected by one check.
MAX_PROBLEMS: Final = 20


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one integrity check."""

    full: bool
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def kind(self) -> str:
        return "full integrity check" if self.full else "quick check"


def run_check(conn: sqlite3.Connection, *, full: bool, limit: int = MAX_PROBLEMS) -> CheckResult:
    """``PRAGMA integrity_check`` (+ ``foreign_key_check``) when ``full``, else ``quick_check``.

    A check that cannot even run (the file is too broken) reports that as its problem.
    """
    pragma = "integrity_check" if full else "quick_check"
    problems: list[str] = []
    try:
        for (text,) in conn.execute(f"PRAGMA {pragma}({int(limit)})"):
            problems += [
                line
                for line in str(text).splitlines()
                if line != "ok" and not line.startswith("*** in database")
            ]
        if full and not problems:
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchmany(limit):
                problems.append(f"{table} row {rowid} refers to a missing {parent} row")
    except sqlite3.DatabaseError as exc:
        problems.append(str(exc))
    return CheckResult(full, tuple(problems[:limit]))


def damaged_error(path: Path, result: CheckResult, *, unclean: bool = False) -> CatalogDamagedError:
    """The error that refuses a damaged catalog, with the way back."""
    found = catalog_text(
        "catalog.found_unclean"
        if unclean
        else "catalog.found_by_full"
        if result.full
        else "catalog.found_by_quick"
    )
    more = len(result.problems) - 1
    message = (
        catalog_text("catalog.damaged_more", path=path, found=found, problem=result.problems[0], more=more)
        if more
        else catalog_text("catalog.damaged", path=path, found=found, problem=result.problems[0])
    )
    return CatalogDamagedError(
        message,
        path=path,
        problems=result.problems,
    )


def is_corruption(exc: sqlite3.Error) -> bool:
    """Whether a failed statement means the file is damaged (SQLITE_CORRUPT).

    "file is not a database" (NOTADB) is not taken for damage: it is what a wrong
    path gives (a file of another program); ``catalog restore`` still helps when it
    was a catalog whose first page was lost.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == 11
    return "malformed" in str(exc).lower()


# --------------------------------------------------------------------------- processes


def _host_key() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def process_start(pid: int) -> str:
    """A token for when ``pid`` started ('' where unknown), so a recycled pid is told apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def process_owner() -> str:
    """This process, as ``host-key:pid:start`` (recorded on what it owns)."""
    return f"{_host_key()}:{os.getpid()}:{process_start(os.getpid())}"


def owner_alive(owner: str | None) -> bool | None:
    """Whether the process named by :func:`process_owner` still runs; None: cannot tell."""
    try:
        host, pid_text, start = (owner or "").split(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != _host_key():
        return None
    if pid == os.getpid():
        return start == process_start(pid)
    if os.name == "nt":  # os.kill(pid, 0) would stop the process on Windows
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return None
    return not start or start == process_start(pid)


def owner_pid(owner: str | None) -> int | None:
    try:
        return int((owner or "").split(":")[1])
    except (IndexError, ValueError):
        return None


# --------------------------------------------------------------------------- markers

_lock = threading.Lock()
_open: dict[Path, int] = {}
#: (path, device, inode, size, mtime) of files that passed a check in this process
_passed: set[tuple[str, int, int, int, int]] = set()


def _marker_prefix(path: Path) -> str:
    return f".{path.name}.open-"


def _own_marker(path: Path) -> Path:
    return path.with_name(f"{_marker_prefix(path)}{os.getpid()}-{_host_key()}")


def stale_markers(path: Path) -> list[Path]:
    """Markers left by processes that are gone (they did not shut down cleanly)."""
    prefix = _marker_prefix(path)
    try:
        entries = [e for e in path.parent.iterdir() if e.name.startswith(prefix)]
    except OSError:
        return []
    stale = []
    own = _own_marker(path)
    for entry in entries:
        if entry == own:
            with _lock:
                if _open.get(path):
                    continue
            stale.append(entry)  # our pid, but not opened by us: an earlier process's
            continue
        try:
            owner = json.loads(entry.read_text(encoding="utf-8")).get("owner")
        except (OSError, ValueError, AttributeError):
            owner = None
        if owner_alive(owner) is False:
            stale.append(entry)
    return stale


def running_owners(path: Path) -> list[int]:
    """Pids of other processes (this host) that have the catalog open now."""
    prefix = _marker_prefix(path)
    pids = []
    with contextlib.suppress(OSError):
        for entry in path.parent.iterdir():
            if not entry.name.startswith(prefix) or entry == _own_marker(path):
                continue
            with contextlib.suppress(OSError, ValueError, AttributeError):
                owner = json.loads(entry.read_text(encoding="utf-8")).get("owner")
                if owner_alive(owner) is not False:
                    pid = owner_pid(owner)
                    if pid is not None:
                        pids.append(pid)
    return pids


def enter(path: Path) -> None:
    """Count one more open connection of this process; the first one writes the marker."""
    with _lock:
        count = _open.get(path, 0)
        _open[path] = count + 1
        if count:
            return
    marker = _own_marker(path)
    try:
        marker.write_text(json.dumps({"owner": process_owner()}), encoding="utf-8")
    except OSError as exc:  # a read-only folder: no marker, no unclean-shutdown detection
        log.debug("cannot write %s: %s", marker, exc)


def leave(path: Path) -> None:
    """One connection fewer; the last one removes the marker (a clean shutdown)."""
    with _lock:
        count = _open.get(path, 0) - 1
        if count > 0:
            _open[path] = count
            return
        _open.pop(path, None)
    with contextlib.suppress(OSError):
        _own_marker(path).unlink()


def _stat_key(path: Path) -> tuple[str, int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def check_on_open(conn: sqlite3.Connection, path: Path, *, shown: Path | None = None) -> CheckResult | None:
    """The check an open runs: quick, or full after an unclean shutdown; raises when damaged.

    ``path`` is the resolved catalog path (as given to :func:`enter`), ``shown`` the one
    to name in messages. Returns None when this process already checked the unchanged file.
    """
    shown = shown or path
    stale = stale_markers(path)
    key = _stat_key(path)
    if not stale and key is not None and key in _passed:
        return None
    result = run_check(conn, full=bool(stale))
    if not result.ok:
        raise damaged_error(shown, result, unclean=bool(stale))
    if stale:
        pids = ", ".join(str(owner_pid_of_marker(m)) for m in stale)
        log.warning(
            "%s: facecurator was not shut down cleanly (process %s); the full check passed", shown, pids
        )
        for marker in stale:
            with contextlib.suppress(OSError):
                marker.unlink()
    if key is not None:
        _passed.add(key)
    return result


def owner_pid_of_marker(marker: Path) -> str:
    return marker.name.rsplit(".open-", 1)[-1].split("-", 1)[0]


def forget_checks() -> None:
    """Check every file again on its next open (after a restore)."""
    _passed.clear()
