"""Safe, unique output names: every folder and file name passes :func:`safe_component`."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Final

#: A name component never exceeds this many UTF-8 bytes (ext4 / APFS allow 255;
#: the rest is room for our ``_face<n>``, ``-<n>`` and ``.jpg`` suffixes).
MAX_COMPONENT_BYTES: Final = 200

_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)
#: Characters Windows, macOS (':') or a shell treat specially inside a name.
_FORBIDDEN_CHARS: Final = frozenset('<>:"/\\|?*')
#: Leading characters that make a name a spreadsheet formula or a command-line option.
_RISKY_LEADING: Final = ("-", "=", "+", "@")


def safe_component(name: str, *, max_len: int = 120) -> str:
    """Turn any string into one file or folder name that is safe everywhere.

    The result is NFC-normalised, at most ``max_len`` characters and
    :data:`MAX_COMPONENT_BYTES` UTF-8 bytes, never empty, ``.`` or ``..``, has
    no path separators, control or format characters, nor characters Windows
    forbids (``<>:"/\\|?*``), no leading or trailing dots or spaces, is not a
    reserved Windows device name (``CON``, ``nul.txt``, ``COM1``...) and does
    not start with ``-``, ``=``, ``+`` or ``@`` (options, spreadsheet formulas).
    Unicode letters are kept (``人脸 照片`` stays readable). A name that had to
    be shortened ends with ``~`` and 8 hex digits of the original's SHA-256,
    so long names that differ only at the end stay different.

    Names that differ only by case still collide on Windows and macOS; callers
    deduplicate case-insensitively (this function does not change case).
    """
    if max_len < 12:
        raise ValueError("max_len must be at least 12")
    text = unicodedata.normalize("NFC", name)
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _FORBIDDEN_CHARS or category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            chars.append("_")
        elif category == "Zs":
            chars.append(" ")
        else:
            chars.append(ch)
    cleaned = _strip_ends("".join(chars))
    if not cleaned:
        return "_"
    device = cleaned.split(".", 1)[0].rstrip(" ").upper()
    if device in _WINDOWS_RESERVED or cleaned.startswith(_RISKY_LEADING):
        cleaned = "_" + cleaned
    if len(cleaned) > max_len or len(cleaned.encode("utf-8")) > MAX_COMPONENT_BYTES:
        digest = "~" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        head = cleaned[: max_len - len(digest)]
        while len(head.encode("utf-8")) > MAX_COMPONENT_BYTES - len(digest):
            head = head[:-1]
        cleaned = _strip_ends(head) + digest
    return cleaned


def _strip_ends(text: str) -> str:
    return text.strip(" .")


def name_key(name: str) -> str:
    """Collision key: names equal under this key collide on Windows / macOS."""
    return unicodedata.normalize("NFC", name).casefold()


def source_stem(image_name: str) -> str:
    """The safe stem of a source name's last path segment ('a/b/x.y.jpg' -> 'x.y')."""
    last = image_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    stem, dot, _ext = last.rpartition(".")
    if not dot or not stem.strip(" ."):
        stem = last
    return safe_component(stem, max_len=100)


def image_source(uri: str, name: str) -> str:
    """The source an image was listed from: its URI less its relative name (``/data/a/`` for
    ``/data/a/alice/1.jpg`` named ``alice/1.jpg``); "" when they do not agree (not known)."""
    if name and uri.endswith(name) and len(uri) > len(name):
        return uri[: -len(name)]
    return ""


class Names:
    """Allocates unique (case-insensitively) names per folder."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, ...], set[str]] = {}
        self._subject_dirs: dict[tuple[str, str], str] = {}

    def subject_dir(self, group: str, source: str = "") -> str:
        """One folder name per person, the same under faces/, rejected/, data/, images/.

        A person is a folder of one source: two sources' ``alice/`` folders are two
        people and get two folders (``alice``, ``alice-2``), never one.
        """
        found = self._subject_dirs.get((source, group))
        if found is None:
            found = self.unique((), safe_component(group), "")
            self._subject_dirs[(source, group)] = found
        return found

    def unique(self, folder: tuple[str, ...], base: str, ext: str) -> str:
        used = self._used.setdefault(folder, set())
        candidate, n = base + ext, 2
        while name_key(candidate) in used:
            candidate, n = f"{base}-{n}{ext}", n + 1
        used.add(name_key(candidate))
        return candidate
