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

from facecurator.domain.error_texts import error_text
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
        raise error(f"{path}: {error_text('file.unreadable', detail=exc.strerror or exc)}") from exc
    finally:
        os.close(fd)


def kind_problem(mode: int) -> str | None:
    """Why a file of this type cannot be an image (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return error_text("file.fifo")
    if stat.S_ISSOCK(mode):
        return error_text("file.socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return error_text("file.device")
    if stat.S_ISDIR(mode):
        return error_text("file.folder")
    return error_text("file.irregular")


def stat_problem(path: Path, exc: OSError) -> str:
    """A clear reason for a failed stat/open of a listed entry."""
    if exc.errno == errno.ELOOP:
        return error_text("file.loop")
    if exc.errno == errno.ENOENT:
        if path.is_symlink():
            try:
                target = str(path.readlink())
            except OSError:
                target = "?"
            return error_text("file.dangling", target=target)
        return error_text("file.no_such")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return error_text("file.permission", detail=exc.strerror or exc)
    return error_text("file.unreadable", detail=exc.strerror or exc)
