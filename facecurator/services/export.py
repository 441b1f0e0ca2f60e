"""Export: the clean enrollment set written from decided faces.

Layout (every format)::

    DEST/
      manifest.json            schema, tool, rules, counts, one entry per face, failures
      manifest.csv             the same entries, one flat row each
      faces/<identity>/<name>.jpg      accepted crops ("folders" and "coco")
      rejected/<identity>/<name>.jpg   rejected crops (only with include_rejected)

``coco`` adds ``annotations.coco.json`` and ``images/<identity>/<stem>.jpg``
(upright, metadata-free copies of the originals the boxes refer to).
``vggface2`` writes the accepted crops to ``data/<identity>/<name>.jpg``
instead of ``faces/`` plus ``bb_landmark/loose_bb.csv`` (and
``bb_landmark/loose_landmark.csv`` when landmarks exist).

Crops: the face box grown by ``margin x box width`` on the left and on the
right and ``margin x box height`` above and below (so 0.4 gives a crop 1.8
times the box), clamped to the upright image, re-encoded as baseline RGB JPEG
quality 95 from a fresh image: no EXIF, GPS, XMP, comments or ICC profile.
Pixels are converted to sRGB first when the source carried another ICC
profile, so dropping the profile does not shift colours.

Atomic: everything is staged in a temporary sibling folder of DEST (same
filesystem), every file and folder fsync'ed, then swapped in. On Linux the
swap is one ``renameat2(RENAME_EXCHANGE)``, so DEST always names a complete
export. Elsewhere it is two renames (DEST aside, staging in): between them
DEST does not exist for a moment; a crash there leaves the previous export
under ``.<name>.<hash>.fcx-old-*`` beside DEST, and the next export puts it
back before doing anything else. Leftover staging folders of a crashed export
are removed by the next export to the same DEST (unless the process that owns
them is still running), and reported in ``ExportSummary.notes``.

Confined: every folder and file name comes from :func:`safe_component`, and
every output path is resolved and checked against the staging root before it
is opened (``O_EXCL | O_NOFOLLOW``), so no source name, however hostile,
writes outside DEST.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

from PIL import Image

import facecurator
from facecurator.domain.face import Box, Face
from facecurator.domain.images import decode_image
from facecurator.errors import CancelledError, ConfigError, ExportError, FacecuratorError

log = logging.getLogger(__name__)

EXPORT_FORMATS: Final = ("folders", "coco", "vggface2")
MANIFEST_SCHEMA_VERSION: Final = 1
MANIFEST_JSON: Final = "manifest.json"
MANIFEST_CSV: Final = "manifest.csv"
COCO_JSON: Final = "annotations.coco.json"
LOOSE_BB_CSV: Final = "bb_landmark/loose_bb.csv"
LOOSE_LANDMARK_CSV: Final = "bb_landmark/loose_landmark.csv"
DEFAULT_MARGIN: Final = 0.4
MAX_MARGIN: Final = 5.0
JPEG_QUALITY: Final = 95
#: A name component never exceeds this many UTF-8 bytes (ext4 / APFS allow 255;
#: the rest is room for our ``_face<n>``, ``-<n>`` and ``.jpg`` suffixes).
MAX_COMPONENT_BYTES: Final = 200

#: manifest.csv columns, in order.
CSV_COLUMNS: Final = (
    "source",
    "identity",
    "file",
    "sha256",
    "box_x",
    "box_y",
    "box_w",
    "box_h",
    "confidence",
    "pitch",
    "yaw",
    "roll",
    "blur",
    "blur_scale",
    "glasses",
    "mask",
    "eyes_closed",
    "age",
    "gender",
    "qualified",
    "reasons",
    "decision",
    "decision_reason",
    "decided_by",
    "decided_at",
    "face_id",
    "face_index",
    "image_name",
)

_TOP_FACES: Final = "faces"
_TOP_REJECTED: Final = "rejected"
_TOP_VGG_DATA: Final = "data"
_TOP_COCO_IMAGES: Final = "images"

_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)
#: Characters Windows, macOS (':') or a shell treat specially inside a name.
_FORBIDDEN_CHARS: Final = frozenset('<>:"/\\|?*')
#: Leading characters that make a name a spreadsheet formula or a command-line option.
_RISKY_LEADING: Final = ("-", "=", "+", "@")
_CSV_FORMULA_LEADING: Final = ("=", "+", "-", "@", "\t", "\r")
#: A leftover staging folder of a process we cannot check is stale after this long.
_STALE_AFTER_S: Final = 6 * 3600
_DECISIONS_EXPORTED: Final = ("accepted", "rejected")
#: Names of staging folders of exports running in this process (never cleaned as leftovers).
_ACTIVE_STAGING: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


@dataclass(frozen=True)
class ExportItem:
    """One face to consider for export, as plain data (no catalog dependency).

    ``image_width``/``image_height`` are the upright size recorded at scan time
    (None if unknown); a different size at export means the file changed since
    its faces were detected, and the image fails rather than being cropped at
    stale boxes. ``rule_results`` are ``{"condition", "outcome", "reason"}``.
    """

    face_id: int
    image_uri: str
    image_name: str
    group: str
    image_width: int | None
    image_height: int | None
    face_index: int
    face: Face
    qualified: bool
    rule_results: list[dict[str, Any]]
    decision: str
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    #: why the face is not qualified (``Verdict.reasons``, which knows the rule set's
    #: unknown policy); None: derived from the non-pass rule results
    reasons: list[str] | None = None


@dataclass(frozen=True)
class ExportSummary:
    """What an export did.

    ``failed`` lists ``(image uri, reason)`` for images that could not be read
    or decoded and faces that could not be cropped; ``files`` counts every file
    written (crops, copies, manifests, CSVs); ``notes`` reports housekeeping
    (leftovers of an interrupted export removed or restored).
    """

    dest: str
    format: str
    exported: int
    skipped_pending: int
    failed: list[tuple[str, str]]
    files: int
    manifest_path: str
    skipped_rejected: int = 0
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- names


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


def _name_key(name: str) -> str:
    """Collision key: names equal under this key collide on Windows / macOS."""
    return unicodedata.normalize("NFC", name).casefold()


def _source_stem(image_name: str) -> str:
    """The safe stem of a source name's last path segment ('a/b/x.y.jpg' -> 'x.y')."""
    last = image_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    stem, dot, _ext = last.rpartition(".")
    if not dot or not stem.strip(" ."):
        stem = last
    return safe_component(stem, max_len=100)


class _Names:
    """Allocates unique (case-insensitively) names per folder."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, ...], set[str]] = {}
        self._identity_dirs: dict[str, str] = {}

    def identity_dir(self, group: str) -> str:
        """One folder name per group, the same under faces/, rejected/, data/, images/."""
        found = self._identity_dirs.get(group)
        if found is None:
            found = self.unique((), safe_component(group), "")
            self._identity_dirs[group] = found
        return found

    def unique(self, folder: tuple[str, ...], base: str, ext: str) -> str:
        used = self._used.setdefault(folder, set())
        candidate, n = base + ext, 2
        while _name_key(candidate) in used:
            candidate, n = f"{base}-{n}{ext}", n + 1
        used.add(_name_key(candidate))
        return candidate


# --------------------------------------------------------------------------- crops


def crop_region(box: Box, width: int, height: int, margin: float) -> tuple[int, int, int, int] | None:
    """The crop rectangle ``(left, top, right, bottom)`` for a face box.

    The box grows by ``margin * box.w`` on the left and right and by
    ``margin * box.h`` at the top and bottom, is rounded outwards to whole
    pixels and clamped to the image. None when the box has no area or lies
    entirely outside the image.
    """
    if box.w <= 0 or box.h <= 0:
        return None
    if box.x >= width or box.y >= height or box.x + box.w <= 0 or box.y + box.h <= 0:
        return None
    grow_x, grow_y = margin * box.w, margin * box.h
    left = max(0, math.floor(box.x - grow_x))
    top = max(0, math.floor(box.y - grow_y))
    right = min(width, math.ceil(box.x + box.w + grow_x))
    bottom = min(height, math.ceil(box.y + box.h + grow_y))
    if right - left < 1 or bottom - top < 1:
        return None
    return left, top, right, bottom


def encode_jpeg(image: Image.Image) -> bytes:
    """RGB JPEG, quality 95, from a fresh image: no EXIF/GPS/XMP/ICC/comment is carried over."""
    fresh = Image.new("RGB", image.size)
    fresh.paste(image.convert("RGB") if image.mode != "RGB" else image)
    buffer = io.BytesIO()
    fresh.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels tagged with a non-sRGB RGB ICC profile to sRGB (best effort)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode != "RGB":
        return image
    try:
        from PIL import ImageCms

        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if profile.profile.xcolor_space.strip() != "RGB":
            return image  # e.g. a CMYK profile left over after decode converted to RGB
        description = (profile.profile.profile_description or "").lower()
        if description.startswith("srgb"):
            return image
        converted = ImageCms.profileToProfile(
            image, profile, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except Exception as exc:  # noqa: BLE001 - a broken profile must not fail the export
        log.debug("ICC conversion skipped: %s", exc)
        return image
    return converted if converted is not None else image


@dataclass
class _Plan:
    """One source image and its faces to export (sorted by face index)."""

    uri: str
    name: str
    group: str
    width: int | None
    height: int | None
    items: list[ExportItem]


@dataclass
class _RenderedFace:
    item: ExportItem
    region: tuple[int, int, int, int] | None
    jpeg: bytes | None
    error: str | None


@dataclass
class _Rendered:
    plan: _Plan
    width: int = 0
    height: int = 0
    faces: list[_RenderedFace] = field(default_factory=list)
    original_jpeg: bytes | None = None
    error: str | None = None


def _render(plan: _Plan, data: bytes, margin: float, want_original: bool) -> _Rendered:
    """Decode one image at full resolution and encode its crops (runs in a worker thread)."""
    try:
        decoded = decode_image(data, name=plan.name)
    except FacecuratorError as exc:
        return _Rendered(plan, error=str(exc))
    width, height = decoded.full_width, decoded.full_height
    if plan.width is not None and plan.height is not None and (plan.width, plan.height) != (width, height):
        return _Rendered(
            plan,
            error=(
                f"{plan.name}: image is now {width}x{height} but was {plan.width}x{plan.height} "
                "when its faces were detected; rescan it"
            ),
        )
    image = _to_srgb(decoded.image)
    rendered = _Rendered(plan, width=width, height=height)
    for item in plan.items:
        region = crop_region(item.face.box, width, height, margin)
        if region is None:
            box = item.face.box
            rendered.faces.append(
                _RenderedFace(
                    item,
                    None,
                    None,
                    f"{plan.name}: face {item.face_index}: box ({box.x:g}, {box.y:g}, {box.w:g}x{box.h:g}) "
                    f"is empty or outside the {width}x{height} image",
                )
            )
            continue
        rendered.faces.append(_RenderedFace(item, region, encode_jpeg(image.crop(region)), None))
    if want_original:
        rendered.original_jpeg = encode_jpeg(image)
    return rendered


# --------------------------------------------------------------------------- staging


class _Staging:
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
                raise ExportError(f"refusing unsafe name {part!r} in the export")
        target = self.root.joinpath(*parts)
        resolved = target.resolve()
        if not resolved.is_relative_to(self._resolved_root) or len(
            resolved.relative_to(self._resolved_root).parts
        ) != len(parts):
            raise ExportError(f"refusing to write {'/'.join(parts)!r}: it resolves outside the export")
        return target

    def write(self, parts: tuple[str, ...], data: bytes) -> str:
        """Write ``data`` as a new file (never over an existing one), fsync it; return its relative path."""
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
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ExportError(f"cannot write {rel} in {self.root}: {exc.strerror or exc}") from exc
        self.files += 1
        return rel

    def _make_dirs(self, folder: Path) -> None:
        missing = []
        while folder not in self._dirs:
            if folder == folder.parent:
                raise ExportError(f"refusing to create {folder}: outside the export")
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
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals metadata
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


def _leftover_prefix(dest: str) -> str:
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
        with _ACTIVE_LOCK:  # this process: in use only if an export running now made it
            return entry.name in _ACTIVE_STAGING
    if os.name == "nt":  # os.kill would terminate the process on Windows: judge by age
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


def _remove_tree(path: Path) -> bool:
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return True
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)
        return False
    return True


def _clean_staging_leftovers(parent: Path, prefix: str) -> list[str]:
    notes = []
    for entry in _leftovers(parent, prefix, "staging"):
        if _owner_alive(entry, prefix, "staging"):
            notes.append(f"left {entry} alone: another export to the same destination seems to be running")
        elif _remove_tree(entry):
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
            raise ExportError(f"{dest}: cannot export to a filesystem root; name a folder")
        if path.is_symlink():
            raise ExportError(f"{dest}: is a symbolic link; give the real folder")
        if path.is_dir() and os.path.ismount(path):
            # The staging folder must be a sibling on the same filesystem, and a mount
            # point cannot be renamed anyway.
            raise ExportError(f"{dest}: is a mount point; export into a folder inside it")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"{path.parent}: cannot create the folder: {exc.strerror or exc}") from exc
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
                raise ExportError(f"{dest}: exists and is not a folder; nothing was changed")
            _refuse_foreign(path)  # again: it may have changed while we were staging
            if _exchange_dirs(staging_dir, path):
                # staging_dir now holds the previous export; the caller removes it.
                _fsync_dir(parent)
                return
            old = parent / f"{_leftover_prefix(dest)}old-{os.getpid()}-{os.urandom(4).hex()}"
            path.rename(old)
            try:
                staging_dir.rename(path)
            except OSError:
                old.rename(path)  # roll back: the previous export stays in place
                raise
            _fsync_dir(parent)
            if not _remove_tree(old):
                log.warning("the previous export is left in %s; the next export removes it", old)
        except OSError as exc:
            raise ExportError(f"{dest}: cannot move the export into place: {exc.strerror or exc}") from exc

    def _recover(self, path: Path) -> list[str]:
        """Undo what a crash between the two renames left, and remove stale old exports."""
        notes: list[str] = []
        prefix = _leftover_prefix(str(path))
        olds = [o for o in _leftovers(path.parent, prefix, "old") if not _owner_alive(o, prefix, "old")]
        if not os.path.lexists(path):
            restorable = [o for o in olds if read_manifest(o) is not None]
            if restorable:
                newest = max(restorable, key=lambda o: o.stat().st_mtime)
                try:
                    newest.rename(path)
                except OSError as exc:
                    raise ExportError(
                        f"{path}: missing after an interrupted export and {newest} could not be "
                        f"restored: {exc.strerror or exc}"
                    ) from exc
                notes.append(
                    f"restored the previous export {path} from {newest.name} (an export was interrupted)"
                )
                olds.remove(newest)
        for old in olds:
            if _remove_tree(old):
                notes.append(f"removed {old}, a previous export left behind by an interrupted export")
        return notes


def _refuse_foreign(path: Path) -> None:
    if not path.is_dir():
        raise ExportError(f"{path}: exists and is not a folder; choose another destination")
    if read_manifest(path) is not None:
        return
    try:
        empty = next(path.iterdir(), None) is None
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the folder: {exc.strerror or exc}") from exc
    if not empty:
        raise ExportError(
            f"{path}: exists, is not empty and is not a facecurator export (no {MANIFEST_JSON}); "
            "refusing to replace it - choose an empty or new folder"
        )


def _exchange_dirs(first: Path, second: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False if unavailable."""
    if not sys.platform.startswith("linux"):
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


# --------------------------------------------------------------------------- export


def export(
    items: Sequence[ExportItem],
    dest: str | os.PathLike[str],
    *,
    fmt: str = "folders",
    margin: float = DEFAULT_MARGIN,
    rules_name: str,
    include_rejected: bool = False,
    read_bytes: Callable[[ExportItem], bytes],
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    publisher: Publisher | None = None,
    workers: int | None = None,
) -> ExportSummary:
    """Write the enrollment set of ``items`` to ``dest`` (a folder or ``oss://BUCKET/PREFIX``).

    Accepted faces are exported; rejected ones too with ``include_rejected``
    (under ``rejected/``, flagged in the manifests); pending faces never are.
    Each image is read once (``read_bytes`` gets its first item, always from
    the calling thread) and decoded once at full resolution; decoding and JPEG
    encoding run on ``workers`` threads (default: up to 4).

    Args:
        items: faces to consider, in any order.
        dest: destination folder, or ``oss://...`` with an OSS ``publisher``.
        fmt: one of :data:`EXPORT_FORMATS`.
        margin: crop margin as a fraction of the box size, added on every side.
        rules_name: the rule set the verdicts came from (recorded in the manifest).
        include_rejected: also export rejected faces.
        read_bytes: returns an image's encoded bytes; any exception is a per-image failure.
        progress: called with (images done, images total).
        cancel: polled between images; True stops the export with nothing published.
        publisher: where the staged tree goes (default: :class:`LocalPublisher`).
        workers: decoding threads.

    Returns:
        What was written; per-image failures are in ``failed`` and the manifest.

    Raises:
        ConfigError: bad format or margin.
        ExportError: the destination is refused, nothing was selected, every
            image failed, or the tree could not be written or published. DEST is
            then unchanged.
        CancelledError: ``cancel()`` returned True; DEST is unchanged.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and 0 <= margin <= MAX_MARGIN):
        raise ConfigError(f"export margin must be between 0 and {MAX_MARGIN:g}, got {margin!r}")
    dest_text = os.fspath(dest)
    if dest_text.startswith("oss://"):
        if publisher is None:
            raise ExportError(f"{dest_text}: exporting to OSS needs an OSS publisher")
    else:
        if not dest_text.strip():
            raise ConfigError("export destination is empty")
        # Lexical normalisation (not resolve()): DEST names the link the user gave, not its target.
        dest_text = os.path.abspath(os.path.expanduser(dest_text))  # noqa: PTH100, PTH111
        publisher = publisher or LocalPublisher()
    assert publisher is not None

    plans, skipped_pending, skipped_rejected = _plan(items, include_rejected)
    selected = sum(len(p.items) for p in plans)
    if not selected:
        raise ExportError(
            f"nothing to export: no accepted faces ({skipped_pending} pending, {skipped_rejected} rejected"
            f"{'' if include_rejected else ' not included'})"
        )

    notes = publisher.check(dest_text)
    parent = publisher.staging_parent(dest_text)
    prefix = _leftover_prefix(dest_text)
    notes += _clean_staging_leftovers(parent, prefix)
    try:
        staging_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}staging-{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise ExportError(f"{parent}: cannot create a staging folder: {exc.strerror or exc}") from exc

    with _ACTIVE_LOCK:
        _ACTIVE_STAGING.add(staging_dir.name)
    try:
        builder = _Builder(_Staging(staging_dir), fmt=fmt, margin=margin, rules_name=rules_name)
        _run(plans, builder, read_bytes, margin, progress, cancel, workers)
        if builder.exported == 0:
            first = builder.failed[0][1] if builder.failed else "no face could be cropped"
            raise ExportError(
                f"nothing exported: all {len(builder.failed)} image(s) or face(s) failed "
                f"(first: {first}); {dest_text} is unchanged"
            )
        builder.finish(
            dest=dest_text,
            include_rejected=include_rejected,
            skipped_pending=skipped_pending,
            skipped_rejected=skipped_rejected,
        )
        if cancel is not None and cancel():
            raise CancelledError(f"export to {dest_text} cancelled; nothing was changed")
        publisher.publish(staging_dir, dest_text)
    finally:
        if staging_dir.exists():
            _remove_tree(staging_dir)
        with _ACTIVE_LOCK:
            _ACTIVE_STAGING.discard(staging_dir.name)
    return ExportSummary(
        dest=dest_text,
        format=fmt,
        exported=builder.exported,
        skipped_pending=skipped_pending,
        failed=list(builder.failed),
        files=builder.staging.files,
        manifest_path=publisher.manifest_location(dest_text),
        skipped_rejected=skipped_rejected,
        notes=notes,
    )


def _plan(items: Sequence[ExportItem], include_rejected: bool) -> tuple[list[_Plan], int, int]:
    """Group exportable faces by image, in a stable order; count what is skipped."""
    by_uri: dict[str, _Plan] = {}
    skipped_pending = skipped_rejected = 0
    for item in items:
        if item.decision == "rejected" and not include_rejected:
            skipped_rejected += 1
            continue
        if item.decision not in _DECISIONS_EXPORTED:
            skipped_pending += 1  # pending (or anything undecided) is never exported
            continue
        plan = by_uri.get(item.image_uri)
        if plan is None:
            plan = by_uri[item.image_uri] = _Plan(
                item.image_uri, item.image_name, item.group, item.image_width, item.image_height, []
            )
        plan.items.append(item)
    plans = sorted(by_uri.values(), key=lambda p: (_name_key(p.group), p.group, p.name, p.uri))
    for plan in plans:
        plan.items.sort(key=lambda i: (i.face_index, i.face_id))
    return plans, skipped_pending, skipped_rejected


def _run(
    plans: list[_Plan],
    builder: _Builder,
    read_bytes: Callable[[ExportItem], bytes],
    margin: float,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
    workers: int | None,
) -> None:
    """Read in this thread, decode/encode in a pool, write results in plan order."""
    workers = max(1, workers if workers is not None else min(4, os.cpu_count() or 1))
    window = workers + 2  # bounded: at most this many images' bytes and crops in memory
    total, done = len(plans), 0
    pending: deque[Future[_Rendered]] = deque()
    want_original = builder.fmt == "coco"

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise CancelledError("export cancelled; nothing was changed")

    def handle_one() -> None:
        nonlocal done
        builder.add(pending.popleft().result())
        done += 1
        if progress is not None:
            progress(done, total)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export")
    try:
        if progress is not None:
            progress(0, total)
        for plan in plans:
            check_cancel()
            try:
                data = read_bytes(plan.items[0])
            except CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any read failure is this image's failure
                reason = str(exc) or type(exc).__name__
                if plan.name not in reason and plan.uri not in reason:
                    reason = f"{plan.name}: cannot read: {reason}"
                failed: Future[_Rendered] = Future()
                failed.set_result(_Rendered(plan, error=reason))
                pending.append(failed)
            else:
                pending.append(pool.submit(_render, plan, data, margin, want_original))
            while len(pending) > window:
                handle_one()
                check_cancel()
        while pending:
            handle_one()
            check_cancel()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fmt_float(value: float) -> float:
    return round(value, 3)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _csv_cell(value: Any) -> Any:
    """CSV value: '' for None, true/false for booleans, formula-looking text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A NUL cannot be written by csv on Python 3.10 and is never meant: show it.
        value = value.replace("\x00", "\ufffd")
        if value.startswith(_CSV_FORMULA_LEADING):
            return "'" + value
    return value


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, defuse: bool = True) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) if defuse else ("" if v is None else v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(_json_safe(value), ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode(
        "utf-8"
    )


class _Builder:
    """Turns rendered images into files and manifest entries (single-threaded, in plan order)."""

    def __init__(self, staging: _Staging, *, fmt: str, margin: float, rules_name: str) -> None:
        self.staging = staging
        self.fmt = fmt
        self.margin = margin
        self.rules_name = rules_name
        self.names = _Names()
        self.entries: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.failed: list[tuple[str, str]] = []
        self.exported = 0
        self.accepted = 0
        self.rejected = 0
        self.images = 0
        self.identities: set[str] = set()
        self.coco_images: list[dict[str, Any]] = []
        self.coco_annotations: list[dict[str, Any]] = []
        self.coco_keypoints = 0
        self.vgg_boxes: list[list[Any]] = []
        self.vgg_landmarks: list[tuple[str, list[float]]] = []

    def _fail(self, plan: _Plan, reason: str, face_ids: list[int]) -> None:
        self.failed.append((plan.uri, reason))
        self.failures.append(
            {
                "source": plan.uri,
                "image_name": plan.name,
                "identity": plan.group,
                "face_ids": face_ids,
                "reason": reason,
            }
        )

    def add(self, rendered: _Rendered) -> None:
        plan = rendered.plan
        if rendered.error is not None:
            self._fail(plan, rendered.error, [i.face_id for i in plan.items])
            return
        good = [f for f in rendered.faces if f.error is None]
        for face in rendered.faces:
            if face.error is not None:
                self._fail(plan, face.error, [face.item.face_id])
        if not good:
            return
        identity_dir = self.names.identity_dir(plan.group)
        stem = _source_stem(plan.name)
        coco_image_id = None
        if self.fmt == "coco" and rendered.original_jpeg is not None:
            image_file = self.names.unique((_TOP_COCO_IMAGES, identity_dir), stem, ".jpg")
            self.staging.write((_TOP_COCO_IMAGES, identity_dir, image_file), rendered.original_jpeg)
            coco_image_id = len(self.coco_images) + 1
            self.coco_images.append(
                {
                    "id": coco_image_id,
                    "file_name": f"{identity_dir}/{image_file}",
                    "width": rendered.width,
                    "height": rendered.height,
                    "facecurator": {"source": plan.uri, "image_name": plan.name, "identity": plan.group},
                }
            )
        self.images += 1
        multi = len(plan.items) > 1
        for face in good:
            assert face.region is not None and face.jpeg is not None
            self._add_face(plan, rendered, face, identity_dir, stem, multi, coco_image_id)

    def _add_face(
        self,
        plan: _Plan,
        rendered: _Rendered,
        face: _RenderedFace,
        identity_dir: str,
        stem: str,
        multi: bool,
        coco_image_id: int | None,
    ) -> None:
        item = face.item
        assert face.region is not None and face.jpeg is not None
        rejected = item.decision == "rejected"
        top = _TOP_REJECTED if rejected else (_TOP_VGG_DATA if self.fmt == "vggface2" else _TOP_FACES)
        base = f"{stem}_face{item.face_index}" if multi else stem
        file_name = self.names.unique((top, identity_dir), base, ".jpg")
        rel = self.staging.write((top, identity_dir, file_name), face.jpeg)
        self.exported += 1
        self.rejected += rejected
        self.accepted += not rejected
        self.identities.add(identity_dir)

        left, top_px, right, bottom = face.region
        box = item.face.box
        box_in_crop = {"x": _fmt_float(box.x - left), "y": _fmt_float(box.y - top_px), "w": box.w, "h": box.h}
        attributes = item.face.to_json()
        attributes.pop("raw", None)
        reasons = (
            list(item.reasons)
            if item.reasons is not None
            else [str(r.get("reason", "")) for r in item.rule_results if r.get("outcome") != "pass"]
        )
        entry: dict[str, Any] = {
            "face_id": item.face_id,
            "source": plan.uri,
            "image_name": plan.name,
            "identity": plan.group,
            "identity_dir": identity_dir,
            "face_index": item.face_index,
            "file": rel,
            "sha256": hashlib.sha256(face.jpeg).hexdigest(),
            "bytes": len(face.jpeg),
            "image_width": rendered.width,
            "image_height": rendered.height,
            "box": box.to_json(),
            "crop": {"x": left, "y": top_px, "w": right - left, "h": bottom - top_px},
            "box_in_crop": box_in_crop,
            "attributes": attributes,
            "qualified": item.qualified,
            "rule_results": [
                {"condition": r.get("condition"), "outcome": r.get("outcome"), "reason": r.get("reason")}
                for r in item.rule_results
            ],
            "reasons": reasons,
            "decision": item.decision,
            "decision_reason": item.decision_reason,
            "decided_by": item.decided_by,
            "decided_at": item.decided_at,
            "rejected": rejected,
        }
        if self.fmt == "vggface2" and not rejected:
            name_id = f"{identity_dir}/{file_name.removesuffix('.jpg')}"
            entry["name_id"] = name_id
            self.vgg_boxes.append(
                [name_id, round(box_in_crop["x"]), round(box_in_crop["y"]), round(box.w), round(box.h)]
            )
            if item.face.landmarks:
                points = [round(c, 2) for x, y in item.face.landmarks for c in (x - left, y - top_px)]
                self.vgg_landmarks.append((name_id, points))
        if coco_image_id is not None:
            entry["coco_image_id"] = coco_image_id
            entry["coco_annotation_id"] = self._add_coco_annotation(entry, item.face, coco_image_id, rendered)
        self.entries.append(entry)

    def _add_coco_annotation(
        self, entry: dict[str, Any], face: Face, image_id: int, rendered: _Rendered
    ) -> int:
        width, height = rendered.width, rendered.height
        box = face.box
        x0, y0 = max(0.0, box.x), max(0.0, box.y)
        x1, y1 = min(float(width), box.x + box.w), min(float(height), box.y + box.h)
        bbox = [_fmt_float(x0), _fmt_float(y0), _fmt_float(x1 - x0), _fmt_float(y1 - y0)]
        annotation: dict[str, Any] = {
            "id": len(self.coco_annotations) + 1,
            "image_id": image_id,
            "category_id": 1,
            "bbox": bbox,
            "area": _fmt_float(bbox[2] * bbox[3]),
            "iscrowd": 0,
        }
        if face.landmarks:
            keypoints: list[float] = []
            for x, y in face.landmarks:
                inside = 0 <= x < width and 0 <= y < height
                keypoints += [_fmt_float(x), _fmt_float(y), 2] if inside else [0, 0, 0]
            annotation["keypoints"] = keypoints
            annotation["num_keypoints"] = sum(1 for v in keypoints[2::3] if v)
            self.coco_keypoints = max(self.coco_keypoints, len(face.landmarks))
        annotation["facecurator"] = {
            key: entry[key]
            for key in (
                "face_id",
                "source",
                "identity",
                "file",
                "attributes",
                "qualified",
                "rule_results",
                "decision",
                "decision_reason",
                "decided_by",
                "decided_at",
            )
        }
        self.coco_annotations.append(annotation)
        return annotation["id"]

    def finish(
        self, *, dest: str, include_rejected: bool, skipped_pending: int, skipped_rejected: int
    ) -> None:
        """Write the format files, then the CSV and JSON manifests (manifest.json last)."""
        created_at = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        notes: dict[str, str] = {
            "crop": (
                f"face box grown by margin x box width left and right and margin x box height above and "
                f"below (margin {self.margin:g}), clamped to the upright image; JPEG quality {JPEG_QUALITY}, "
                "sRGB, no EXIF/GPS/ICC"
            ),
            "box": "pixels of the upright (EXIF-applied) source image; box_in_crop: pixels of the crop",
        }
        if self.fmt == "coco":
            self._finish_coco(created_at)
            notes["coco"] = (
                f"{COCO_JSON}: file_name is relative to images/, which holds upright, metadata-free JPEG "
                "copies of the originals; bbox [x, y, w, h] in those images, clamped to them"
            )
        if self.fmt == "vggface2":
            self._finish_vggface2()
            notes["vggface2"] = (
                f"{LOOSE_BB_CSV}: X, Y, W, H are relative to the written crop in data/ (the VGGFace2 release "
                "gives them relative to the original image); landmarks likewise, in the detector's "
                "point order"
            )
        rows = [
            [
                e["source"],
                e["identity"],
                e["file"],
                e["sha256"],
                e["box"]["x"],
                e["box"]["y"],
                e["box"]["w"],
                e["box"]["h"],
                e["attributes"]["confidence"],
                (e["attributes"]["pose"] or {}).get("pitch"),
                (e["attributes"]["pose"] or {}).get("yaw"),
                (e["attributes"]["pose"] or {}).get("roll"),
                (e["attributes"]["blur"] or {}).get("value"),
                (e["attributes"]["blur"] or {}).get("scale"),
                e["attributes"]["glasses"],
                e["attributes"]["mask"],
                e["attributes"]["eyes_closed"],
                e["attributes"]["age"],
                e["attributes"]["gender"],
                e["qualified"],
                "; ".join(e["reasons"]),
                e["decision"],
                e["decision_reason"],
                e["decided_by"],
                e["decided_at"],
                e["face_id"],
                e["face_index"],
                e["image_name"],
            ]
            for e in self.entries
        ]
        self.staging.write((MANIFEST_CSV,), _csv_bytes(CSV_COLUMNS, rows))
        manifest = {
            "schema_version": MANIFEST_SCHEMA_VERSION,
            "tool": {"name": "facecurator", "version": facecurator.__version__},
            "created_at": created_at,
            "destination": dest,
            "format": self.fmt,
            "rules": self.rules_name,
            "margin": self.margin,
            "include_rejected": include_rejected,
            "counts": {
                "exported": self.exported,
                "accepted": self.accepted,
                "rejected": self.rejected,
                "skipped_pending": skipped_pending,
                "skipped_rejected": skipped_rejected,
                "failed": len(self.failed),
                "images": self.images,
                "identities": len(self.identities),
                # every file of the export, manifest.json included
                "files": self.staging.files + 1,
            },
            "notes": notes,
            "faces": self.entries,
            "failed": self.failures,
        }
        self.staging.write((MANIFEST_JSON,), _json_bytes(manifest))
        self.staging.sync_dirs()

    def _finish_coco(self, created_at: str) -> None:
        category: dict[str, Any] = {"id": 1, "name": "face", "supercategory": "person"}
        if self.coco_keypoints:
            category["keypoints"] = [f"p{i + 1}" for i in range(self.coco_keypoints)]
            category["skeleton"] = []
            for annotation in self.coco_annotations:  # pad to the category's point count
                points = annotation.get("keypoints")
                if points is not None and len(points) < 3 * self.coco_keypoints:
                    points += [0] * (3 * self.coco_keypoints - len(points))
        coco = {
            "info": {
                "description": f"facecurator {facecurator.__version__} export",
                "version": str(MANIFEST_SCHEMA_VERSION),
                "year": int(created_at[:4]),
                "date_created": created_at,
            },
            "licenses": [],
            "images": self.coco_images,
            "categories": [category],
            "annotations": self.coco_annotations,
        }
        self.staging.write((COCO_JSON,), _json_bytes(coco))

    def _finish_vggface2(self) -> None:
        # NAME_IDs are made of safe_component() names, which never start with a
        # formula character, so these CSVs need (and get) no defusing prefix.
        self.staging.write(
            tuple(LOOSE_BB_CSV.split("/")),
            _csv_bytes(("NAME_ID", "X", "Y", "W", "H"), self.vgg_boxes, defuse=False),
        )
        if self.vgg_landmarks:
            count = max(len(points) // 2 for _, points in self.vgg_landmarks)
            header = ["NAME_ID"] + [f"P{i + 1}{axis}" for i in range(count) for axis in ("X", "Y")]
            rows = [
                [name_id, *points, *([None] * (2 * count - len(points)))]
                for name_id, points in self.vgg_landmarks
            ]
            self.staging.write(tuple(LOOSE_LANDMARK_CSV.split("/")), _csv_bytes(header, rows, defuse=False))
