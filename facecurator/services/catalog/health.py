"""Is the catalog sound? Integrity checks when it is opened, and the clean-shutdown marker.

* An open runs SQLite's ``quick_check`` (0.8 s at 100k images / 300k faces, 8.8 s
  at 1M on this 2-core machine); once a file passed, this process does not check
  it again until it changes. Nor does the next process: the last connection's
  clean close records the file as it left it (``.<catalog name>.checked``: device,
  inode, size, mtime, ctime; the mtime is set 1 ns back so that any later write,
  even within the same clock tick, gives another one), and an open finding the
  file exactly so (no write-ahead log left) skips the check. Any change by another
  program, a restore, a crash (stale marker) or a failed check makes it check again.
* :func:`check_in_background` runs the check on its own connection in a thread
  (the desktop app: the window is not held up); the catalog waits for it before
  its first write, so a damaged catalog is still never written.
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
from collections.abc import Callable, Sequence
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


def run_check(
    conn: sqlite3.Connection, *, full: bool, limit: int = MAX_PROBLEMS, tables: Sequence[str] = ()
) -> CheckResult:
    """``PRAGMA integrity_check`` (+ ``foreign_key_check``) when ``full``, else ``quick_check``.

    ``tables``: only these tables and their indexes (``integrity_check(table)`` and
    ``foreign_key_check(table)`` of each; SQLite >= 3.33): what a bulk change writes, checked
    before it (:func:`~.backup.before_bulk_change`). A check that cannot even run (the file is
    too broken) reports that as its problem.
    """
    pragma = "integrity_check" if full else "quick_check"
    problems: list[str] = []
    try:
        for target in [f"({int(limit)})"] if not tables else [f"({_name(t)})" for t in tables]:
            for (text,) in conn.execute(f"PRAGMA {pragma}{target}"):
                problems += [
                    line
                    for line in str(text).splitlines()
                    if line != "ok" and not line.startswith("*** in database")
                ]
        for target in ([""] if not tables else [f"({_name(t)})" for t in tables]) if full else []:
            if problems:
                break
            for table, rowid, parent, _ in conn.execute(f"PRAGMA foreign_key_check{target}").fetchmany(limit):
                problems.append(f"{table} row {rowid} refers to a missing {parent} row")
    except sqlite3.DatabaseError as exc:
        problems.append(str(exc))
    return CheckResult(full, tuple(problems[:limit]))


def _name(table: str) -> str:
    """A table's name for a pragma's argument (quoted)."""
    return '"' + table.replace('"', '""') + '"'


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
#: files found sound on their open (checked, or their record held) while this process has them open
_sound: set[Path] = set()
#: checks running in a background thread, by file
_pending: dict[Path, BackgroundCheck] = {}


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
        sound = path in _sound
        _sound.discard(path)
    if sound:
        _record_passed(path)
    with contextlib.suppress(OSError):
        _own_marker(path).unlink()


# --------------------------------------------------------------------------- the record of a passed check


def _record_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.checked")


def _file_key(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _log_empty(path: Path) -> bool:
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def passed_before(path: Path) -> bool:
    """Whether the file is exactly as a process left it after it was found sound (its record)."""
    try:
        recorded = json.loads(_record_path(path).read_text(encoding="utf-8")).get("file")
    except (OSError, ValueError, AttributeError):
        return False
    return recorded is not None and recorded == _file_key(path) and _log_empty(path)


def _record_passed(path: Path) -> None:
    """After this process's last close of a sound file: record it as it is now (see the module doc).

    Nothing is recorded while another process has it open or its write-ahead log has pages
    (that process records it when it closes).
    """
    record = _record_path(path)
    if running_owners(path) or not _log_empty(path):
        return
    try:
        if passed_before(path):
            return
        st = path.stat()
        mark = st.st_mtime_ns - 1
        os.utime(path, ns=(st.st_atime_ns, mark))
        key = _file_key(path)
        if key is None or key[3] != mark:  # a file system with coarser times: no record
            record.unlink(missing_ok=True)
            return
        partial = record.with_name(record.name + ".partial")
        partial.write_text(json.dumps({"file": key, "owner": process_owner()}), encoding="utf-8")
        partial.replace(record)
    except OSError as exc:  # a read-only folder: the next open checks again
        log.debug("cannot record the check of %s: %s", path, exc)


def forget_record(path: Path) -> None:
    """The next open checks ``path`` again (a failed check, a restore)."""
    with contextlib.suppress(OSError):
        _record_path(path).unlink()


def _stat_key(path: Path) -> tuple[str, int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def check_on_open(conn: sqlite3.Connection, path: Path, *, shown: Path | None = None) -> CheckResult | None:
    """The check an open runs: quick, or full after an unclean shutdown; raises when damaged.

    ``path`` is the resolved catalog path (as given to :func:`enter`), ``shown`` the one
    to name in messages. Returns None when no check was needed (this process checked the
    unchanged file, or the file is as a process left it after a passed check). A check of
    the file running in the background is waited for.
    """
    with _lock:
        pending = _pending.get(path)
    if pending is not None:
        return pending.wait()
    shown = shown or path
    stale = stale_markers(path)
    if _needs_no_check(path, stale):
        return None
    return _conclude(path, shown, stale, run_check(conn, full=bool(stale)))


def _needs_no_check(path: Path, stale: list[Path]) -> bool:
    if stale:
        return False
    key = _stat_key(path)
    if (key is not None and key in _passed) or passed_before(path):
        with _lock:
            _sound.add(path)
        return True
    return False


def _conclude(path: Path, shown: Path, stale: list[Path], result: CheckResult) -> CheckResult:
    """After a check: raise when damaged (and forget the record), else note the file sound."""
    if not result.ok:
        forget_record(path)
        raise damaged_error(shown, result, unclean=bool(stale))
    if stale:
        pids = ", ".join(str(owner_pid_of_marker(m)) for m in stale)
        log.warning(
            "%s: facecurator was not shut down cleanly (process %s); the full check passed", shown, pids
        )
        for marker in stale:
            with contextlib.suppress(OSError):
                marker.unlink()
    key = _stat_key(path)
    with _lock:
        if key is not None:
            _passed.add(key)
        if _open.get(path):
            _sound.add(path)
    return result


class BackgroundCheck:
    """The check on open, run in a thread on its own connection (:func:`check_in_background`)."""

    def __init__(self, path: Path, shown: Path, stale: list[Path]) -> None:
        self.path, self.shown, self._stale = path, shown, stale
        self._done = threading.Event()
        self.result: CheckResult | None = None
        self.error: CatalogDamagedError | None = None
        self._callbacks: list[Callable[[CatalogDamagedError | None], None]] = []
        self._thread = threading.Thread(target=self._run, name=f"check {path.name}", daemon=True)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                result = run_check(conn, full=bool(self._stale))
            finally:
                conn.close()
            self.result = _conclude(self.path, self.shown, self._stale, result)
        except CatalogDamagedError as exc:
            self.error = exc
        except sqlite3.Error as exc:
            self.error = damaged_error(self.shown, CheckResult(bool(self._stale), (str(exc),)))
        finally:
            with _lock:
                _pending.pop(self.path, None)
                self._done.set()
                callbacks, self._callbacks = self._callbacks, []
            for callback in callbacks:
                callback(self.error)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def failed(self) -> bool:
        return self.error is not None

    def wait(self, timeout: float | None = None) -> CheckResult | None:
        """Wait for the check (None: still running after ``timeout``); raises when damaged."""
        if not self._done.wait(timeout):
            return None
        if self.error is not None:
            raise self.error
        return self.result

    def when_done(self, callback: Callable[[CatalogDamagedError | None], None]) -> None:
        """Call ``callback(error or None)`` once the check is over (at once when it is; else
        from the check's thread)."""
        with _lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self.error)


def check_in_background(path: Path, *, shown: Path | None = None) -> BackgroundCheck | None:
    """The check an open runs (as :func:`check_on_open`), in a thread; None when none is needed.

    Other opens of the file in this process wait for it; the caller must not write until
    :meth:`BackgroundCheck.wait` returned.
    """
    with _lock:
        pending = _pending.get(path)
    if pending is not None:
        return pending
    stale = stale_markers(path)
    if _needs_no_check(path, stale):
        return None
    check = BackgroundCheck(path, shown or path, stale)
    with _lock:
        _pending[path] = check
    check._thread.start()
    return check


def owner_pid_of_marker(marker: Path) -> str:
    return marker.name.rsplit(".open-", 1)[-1].split("-", 1)[0]


def forget_checks(path: Path | None = None) -> None:
    """Check every file again on its next open (after a restore of ``path``)."""
    _passed.clear()
    if path is not None:
        forget_record(path)
        with _lock:
            _sound.discard(path)
