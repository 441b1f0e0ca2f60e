"""Staging beside DEST (confined, fsync'ed writes), leftovers of crashed exports, and the
publishers that swap a finished staging folder in (local; OSS in :mod:`.oss`)."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from facecurator.errors import ExportError
from facecurator.services.export.messages import export_text
from facecurator.services.export.model import MANIFEST_JSON
from facecurator.services.export.naming import safe_component

log = logging.getLogger(__name__)

#: Platform branches, read at call time so tests run every branch on any machine.
#: Windows cannot fsync a folder nor probe a pid with ``os.kill``; only Linux has
#: ``renameat2(RENAME_EXCHANGE)`` (elsewhere a re-export is two renames).
ON_WINDOWS = os.name == "nt"
ON_LINUX = sys.platform.startswith("linux")

#: A leftover staging folder of a process we cannot check is stale after this long.
_STALE_AFTER_S: Final = 6 * 3600
#: Names of staging folders of exports running in this process (never cleaned as leftovers).
ACTIVE_STAGING: set[str] = set()
ACTIVE_LOCK = threading.Lock()


class Staging:
    """Confined, durable writes below one staging root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._resolved_root = root.resolve()
        self._dirs: set[Path] = {root}
        self.files = 0

    def path(self, *parts: str) -> Path:
        """The path of ``parts`` below the root; refuses anything that could escape it."""
        for part in parts:
            if not part or part in (".", "..") or any(sep in part for sep in ("/", "\\", "\x00")):
                raise ExportError(export_text("export.unsafe_name", name=repr(part)))
        target = self.root.joinpath(*parts)
        resolved = target.resolve()
        if not resolved.is_relative_to(self._resolved_root) or len(
            resolved.relative_to(self._resolved_root).parts
        ) != len(parts):
            raise ExportError(export_text("export.outside", name=repr("/".join(parts))))
        return target

    def write(self, parts: tuple[str, ...], data: bytes) -> str:
        """Write ``data`` as a new file (never over an existing one), fsync it; return its relative path."""
        return self.write_chunks(parts, (data,))

    def write_chunks(self, parts: tuple[str, ...], chunks: Iterable[bytes]) -> str:
        """:meth:`write` of a file made a chunk at a time (a streamed manifest)."""
        target = self.path(*parts)
        rel = "/".join(parts)
        try:
            self._make_dirs(target.parent)
            flags = (
                os.O_WRONLY
                | os.O_CREAT
                | os.O_EXCL
                | getattr(os, "O_BINARY", 0)
                | getattr(os, "O_NOFOLLOW", 0)
            )
            fd = os.open(target, flags, 0o644)
            try:
                for data in chunks:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ExportError(
                export_text("export.cannot_write", name=rel, path=self.root, detail=exc.strerror or exc)
            ) from exc
        self.files += 1
        return rel

    def _make_dirs(self, folder: Path) -> None:
        missing = []
        while folder not in self._dirs:
            if folder == folder.parent:
                raise ExportError(export_text("export.folder_outside", path=folder))
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir(exist_ok=True)
            self._dirs.add(path)

    def sync_dirs(self) -> None:
        """fsync every folder, deepest first, so the renamed tree survives a power cut."""
        for folder in sorted(self._dirs, key=lambda p: len(p.parts), reverse=True):
            _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if ON_WINDOWS:  # Windows cannot open a folder for fsync; NTFS journals metadata
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def leftover_prefix(dest: str) -> str:
    """Name prefix of this DEST's staging / old folders (hidden, specific to DEST)."""
    key = dest if dest.startswith("oss://") else Path(dest).name
    label = safe_component(key.rstrip("/").rsplit("/", 1)[-1] or "export", max_len=40)
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f".{label}.{digest}.fcx-"


def _owner_alive(entry: Path, prefix: str, kind: str) -> bool:
    """Whether the process that made a leftover ``<prefix><kind>-<pid>-...`` folder may still run."""
    rest = entry.name[len(prefix) + len(kind) + 1 :]
    pid_text = rest.split("-", 1)[0]
    try:
        pid = int(pid_text)
        age = time.time() - entry.stat().st_mtime
    except (ValueError, OSError):
        return False
    if pid == os.getpid():
        with ACTIVE_LOCK:  # this process: in use only if an export running now made it
            return entry.name in ACTIVE_STAGING
    if ON_WINDOWS:  # os.kill would terminate the process on Windows: judge by age
        return age < _STALE_AFTER_S
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return age < 7 * 24 * 3600  # a recycled pid must not protect a week-old folder forever


def _leftovers(parent: Path, prefix: str, kind: str) -> list[Path]:
    try:
        entries = list(parent.iterdir())
    except OSError:
        return []
    start = f"{prefix}{kind}-"
    return sorted((e for e in entries if e.name.startswith(start) and e.is_dir()), key=lambda e: e.name)


def remove_tree(path: Path) -> bool:
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return True
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)
        return False
    return True


def clean_staging_leftovers(parent: Path, prefix: str) -> list[str]:
    notes = []
    for entry in _leftovers(parent, prefix, "staging"):
        if _owner_alive(entry, prefix, "staging"):
            notes.append(f"left {entry} alone: another export to the same destination seems to be running")
        elif remove_tree(entry):
            notes.append(f"removed {entry}, the staging folder of an interrupted export")
        else:
            notes.append(f"could not remove {entry} (staging folder of an interrupted export); delete it")
    return notes


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The ``manifest.json`` of a previous facecurator export in ``folder``, or None."""
    try:
        with (folder / MANIFEST_JSON).open("rb") as fh:
            manifest = json.loads(fh.read(64 * 1024 * 1024))
    except (OSError, ValueError):
        return None
    if (
        isinstance(manifest, dict)
        and isinstance(manifest.get("schema_version"), int)
        and isinstance(manifest.get("tool"), dict)
        and manifest["tool"].get("name") == "facecurator"
    ):
        return manifest
    return None


# --------------------------------------------------------------------------- publishers


class Publisher(ABC):
    """Where a finished staging tree goes. Staging never depends on the destination kind.

    Subclasses implement :meth:`publish`; :meth:`check` runs before any work
    (refuse early, recover leftovers) and :meth:`staging_parent` says where the
    staging folder is made.
    """

    def check(self, dest: str) -> list[str]:
        """Validate ``dest`` before the export starts; return notes for the summary.

        Raises:
            ExportError: the destination cannot or must not be written.
        """
        return []

    def staging_parent(self, dest: str) -> Path:
        """The folder that receives the staging folder (default: the user cache)."""
        from facecurator import paths

        folder = paths.cache_dir() / "export-staging"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def manifest_location(self, dest: str) -> str:
        return dest.rstrip("/") + "/" + MANIFEST_JSON

    @abstractmethod
    def publish(self, staging_dir: Path, dest: str) -> None:
        """Make the complete tree in ``staging_dir`` the content of ``dest``.

        The caller removes ``staging_dir`` afterwards if it still exists.
        Raises ExportError naming the destination.
        """


class LocalPublisher(Publisher):
    """Atomic swap of a local folder (see the module docstring for the guarantees)."""

    def check(self, dest: str) -> list[str]:
        path = Path(dest)
        if path.parent == path:
            raise ExportError(export_text("export.root", path=dest))
        if path.is_symlink():
            raise ExportError(export_text("export.symlink", path=dest))
        if path.is_dir() and os.path.ismount(path):
            # The staging folder must be a sibling on the same filesystem, and a mount
            # point cannot be renamed anyway.
            raise ExportError(export_text("export.mount", path=dest))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(
                export_text("export.create_folder", path=path.parent, detail=exc.strerror or exc)
            ) from exc
        notes = self._recover(path)
        if path.exists():
            _refuse_foreign(path)
        return notes

    def staging_parent(self, dest: str) -> Path:
        return Path(dest).parent

    def manifest_location(self, dest: str) -> str:
        return str(Path(dest) / MANIFEST_JSON)

    def publish(self, staging_dir: Path, dest: str) -> None:
        path = Path(dest)
        parent = path.parent
        try:
            if not os.path.lexists(path):
                staging_dir.rename(path)
                _fsync_dir(parent)
                return
            if path.is_symlink() or not path.is_dir():
                raise ExportError(export_text("export.not_folder", path=dest))
            _refuse_foreign(path)  # again: it may have changed while we were staging
            if _exchange_dirs(staging_dir, path):
                # staging_dir now holds the previous export; the caller removes it.
                _fsync_dir(parent)
                return
            old = parent / f"{leftover_prefix(dest)}old-{os.getpid()}-{os.urandom(4).hex()}"
            path.rename(old)
            try:
                staging_dir.rename(path)
            except OSError:
                old.rename(path)  # roll back: the previous export stays in place
                raise
            _fsync_dir(parent)
            if not remove_tree(old):
                log.warning("the previous export is left in %s; the next export removes it", old)
        except OSError as exc:
            raise ExportError(export_text("export.move", path=dest, detail=exc.strerror or exc)) from exc

    def _recover(self, path: Path) -> list[str]:
        """Undo what a crash between the two renames left, and remove stale old exports."""
        notes: list[str] = []
        prefix = leftover_prefix(str(path))
        olds = [o for o in _leftovers(path.parent, prefix, "old") if not _owner_alive(o, prefix, "old")]
        if not os.path.lexists(path):
            restorable = [o for o in olds if read_manifest(o) is not None]
            if restorable:
                newest = max(restorable, key=lambda o: o.stat().st_mtime)
                try:
                    newest.rename(path)
                except OSError as exc:
                    raise ExportError(
                        export_text("export.restore", path=path, old=newest, detail=exc.strerror or exc)
                    ) from exc
                notes.append(
                    f"restored the previous export {path} from {newest.name} (an export was interrupted)"
                )
                olds.remove(newest)
        for old in olds:
            if remove_tree(old):
                notes.append(f"removed {old}, a previous export left behind by an interrupted export")
        return notes


def _refuse_foreign(path: Path) -> None:
    if not path.is_dir():
        raise ExportError(export_text("export.not_folder_choose", path=path))
    if read_manifest(path) is not None:
        return
    try:
        empty = next(path.iterdir(), None) is None
    except OSError as exc:
        raise ExportError(export_text("export.read_folder", path=path, detail=exc.strerror or exc)) from exc
    if not empty:
        raise ExportError(export_text("export.foreign", path=path, manifest=MANIFEST_JSON))


def _exchange_dirs(first: Path, second: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False if unavailable."""
    if not ON_LINUX:
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False  # kernel or filesystem without exchange: fall back to two renames
    raise OSError(err, os.strerror(err), str(first), None, str(second))
