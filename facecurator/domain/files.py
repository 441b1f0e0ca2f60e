"""Reading local files safely: a listed entry is not always a regular file.

A named pipe called ``a.jpg`` blocks any ``open()`` for ever, a link can point
to itself or to nothing, and a file can be deleted between listing and reading.
Every reader of local images goes through :func:`read_regular_file`, and every
such entry gets a one-line reason (:func:`stat_problem`, :func:`kind_problem`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from facecurator.errors import FacecuratorError, ImageError


def read_regular_file(path: str | os.PathLike[str], error: type[FacecuratorError] = ImageError) -> bytes:
    """The bytes of a regular file, never blocking on a named pipe or a device
    (opened non-blocking, then checked to be a regular file before reading).

    Raises:
        ``error``: "<path>: <reason>" (not a regular file, deleted, unreadable).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(f"{path}: {stat_problem(Path(path), exc)}") from exc
    try:
        kind = kind_problem(os.fstat(fd).st_mode)
        if kind is not None:
            raise error(f"{path}: {kind}")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise error(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def kind_problem(mode: int) -> str | None:
    """Why a file of this type cannot be an image (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "not a regular file (a named pipe, FIFO); not read"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket); not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device); not read"
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    return "not a regular file; not read"


def stat_problem(path: Path, exc: OSError) -> str:
    """A clear reason for a failed stat/open of a listed entry."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; not followed"
    if exc.errno == errno.ENOENT:
        if path.is_symlink():
            try:
                target = str(path.readlink())
            except OSError:
                target = "?"
            return f"dangling symbolic link (its target {target} does not exist)"
        return "cannot read file: it was deleted or moved (no such file)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: {exc.strerror or exc}"
    return f"cannot read file: {exc.strerror or exc}"
