"""The operating system's and SQLite's own words in the user's language.

What no template of the core built reaches the GUI in the words of the system or of
SQLite: an ``OSError`` text ("[Errno 13] Permission denied: '/p/x.jpg'") becomes the
phrase of its errno with the path, and SQLite's few messages (read-only, locked, full,
...) their phrase (context ``CoreMessages``).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping
from typing import Final

from PySide6.QtCore import QCoreApplication

from facecurator.gui.core_words import CONTEXT
from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: The operating system's errors by errno name, as the user reads them (the path follows).
OS_MESSAGES: Final[Mapping[str, str]] = {
    "EACCES": QT_TRANSLATE_NOOP("CoreMessages", "permission denied"),
    "EPERM": QT_TRANSLATE_NOOP("CoreMessages", "operation not permitted"),
    "ENOENT": QT_TRANSLATE_NOOP("CoreMessages", "no such file or folder"),
    "ENOSPC": QT_TRANSLATE_NOOP("CoreMessages", "the disk is full (no space left on the device)"),
    "EDQUOT": QT_TRANSLATE_NOOP("CoreMessages", "the disk quota is used up"),
    "EROFS": QT_TRANSLATE_NOOP("CoreMessages", "the file system is read-only"),
    "EIO": QT_TRANSLATE_NOOP("CoreMessages", "input/output error (the disk or the network share failed)"),
    "EISDIR": QT_TRANSLATE_NOOP("CoreMessages", "is a folder"),
    "ENOTDIR": QT_TRANSLATE_NOOP("CoreMessages", "not a folder"),
    "EEXIST": QT_TRANSLATE_NOOP("CoreMessages", "already exists"),
    "ENOTEMPTY": QT_TRANSLATE_NOOP("CoreMessages", "the folder is not empty"),
    "EMFILE": QT_TRANSLATE_NOOP("CoreMessages", "too many open files"),
    "ENFILE": QT_TRANSLATE_NOOP("CoreMessages", "too many open files in the system"),
    "EBUSY": QT_TRANSLATE_NOOP("CoreMessages", "the device or file is busy"),
    "ENAMETOOLONG": QT_TRANSLATE_NOOP("CoreMessages", "the file name is too long"),
    "ELOOP": QT_TRANSLATE_NOOP("CoreMessages", "too many levels of symbolic links"),
    "EXDEV": QT_TRANSLATE_NOOP("CoreMessages", "cannot move across file systems"),
    "EFBIG": QT_TRANSLATE_NOOP("CoreMessages", "the file is too large"),
    "ENOMEM": QT_TRANSLATE_NOOP("CoreMessages", "out of memory"),
    "ESTALE": QT_TRANSLATE_NOOP("CoreMessages", "stale file handle (the network share changed)"),
    "ECONNREFUSED": QT_TRANSLATE_NOOP("CoreMessages", "connection refused"),
    "ECONNRESET": QT_TRANSLATE_NOOP("CoreMessages", "the connection was reset"),
    "ETIMEDOUT": QT_TRANSLATE_NOOP("CoreMessages", "the connection timed out"),
    "ENETUNREACH": QT_TRANSLATE_NOOP("CoreMessages", "the network is unreachable"),
    "EHOSTUNREACH": QT_TRANSLATE_NOOP("CoreMessages", "no route to the host"),
}
#: SQLite's own messages (the catalog's driver), as the user reads them.
SQLITE_MESSAGES: Final[Mapping[str, str]] = {
    "attempt to write a readonly database": QT_TRANSLATE_NOOP(
        "CoreMessages", "the catalog is read-only (no permission to write it, or a read-only disk)"
    ),
    "database is locked": QT_TRANSLATE_NOOP(
        "CoreMessages", "the catalog is locked by another program (it did not let go in time)"
    ),
    "database table is locked": QT_TRANSLATE_NOOP("CoreMessages", "a table of the catalog is locked"),
    "database or disk is full": QT_TRANSLATE_NOOP("CoreMessages", "the disk is full"),
    "disk I/O error": QT_TRANSLATE_NOOP("CoreMessages", "disk input/output error"),
    "unable to open database file": QT_TRANSLATE_NOOP(
        "CoreMessages", "cannot open the database file (missing folder or no permission)"
    ),
    "database disk image is malformed": QT_TRANSLATE_NOOP("CoreMessages", "the database file is damaged"),
    "file is not a database": QT_TRANSLATE_NOOP("CoreMessages", "the file is not a database"),
}
#: "<phrase>: <path>" (and "<phrase>: <path> -> <path>") once an OS error is translated.
_WITH_PATH: Final = QT_TRANSLATE_NOOP("CoreMessages", "{error}: {path}")
_WITH_PATHS: Final = QT_TRANSLATE_NOOP("CoreMessages", "{error}: {path} -> {target}")
_OS_ERROR: Final = re.compile(
    r"\[Errno (-?\d+)\] ([^:\n]+?)(?:: '([^'\n]*)'(?: -> '([^'\n]*)')?)?(?=$|[;,)\n]|: )"
)


def _os_phrase(number: int) -> str | None:
    name = errno.errorcode.get(number)
    english = OS_MESSAGES.get(name or "")
    return QCoreApplication.translate(CONTEXT, english) if english is not None else None


def _os_error(match: re.Match[str]) -> str:
    phrase = _os_phrase(int(match.group(1)))
    if phrase is None:
        return match.group(0)
    path, target = match.group(3), match.group(4)
    if path is None:
        return phrase
    template = _WITH_PATHS if target is not None else _WITH_PATH
    params = {"error": phrase, "path": path, "target": target or ""}
    try:
        return QCoreApplication.translate(CONTEXT, template).format_map(params)
    except (KeyError, IndexError, ValueError):
        return template.format_map(params)


def _bare_phrases() -> dict[str, str]:
    """The system's own words for each known errno ("Permission denied") -> its phrase."""
    out: dict[str, str] = {}
    for name in OS_MESSAGES:
        number = getattr(errno, name, None)
        if number is not None:
            out[os.strerror(number)] = name
    return out


_BARE: Final = _bare_phrases()
#: A system phrase after ": " inside a longer text ("sub: cannot list: Permission denied").
_BARE_INSIDE: Final = re.compile(
    r"(?<=: )(" + "|".join(re.escape(p) for p in sorted(_BARE, key=len, reverse=True)) + r")(?=$|[;,.)\n])"
)


def os_text(text: str) -> str:
    """``text`` with the operating system's and SQLite's words in the current language:
    every "[Errno N] ...: 'path'" becomes the errno's phrase and the path; a whole text that
    is one of the system's error strings ("Permission denied") or SQLite's messages, its phrase; such a
    string after ": " inside a longer text, its phrase there."""
    text = _OS_ERROR.sub(_os_error, text)
    stripped = text.strip()
    if stripped in _BARE:
        return QCoreApplication.translate(CONTEXT, OS_MESSAGES[_BARE[stripped]])
    for english, phrase in SQLITE_MESSAGES.items():
        if stripped == english or stripped.startswith(english):
            rest = stripped[len(english) :]
            return QCoreApplication.translate(CONTEXT, phrase) + rest
    return _BARE_INSIDE.sub(
        lambda m: QCoreApplication.translate(CONTEXT, OS_MESSAGES[_BARE[m.group(1)]]), text
    )
