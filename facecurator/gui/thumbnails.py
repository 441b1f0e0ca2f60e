"""Asynchronous pixmap caches: gallery thumbnails, face crops and view previews.

Workers (a ``QThreadPool``) only build ``QImage``s; they become ``QPixmap``s on
the GUI thread (a QPixmap must never be touched off it). Requests are
deduplicated and served newest first (the cells the operator just scrolled to),
and requests that scrolled out of view are dropped (:meth:`AsyncPixmapCache.retain`).
Thumbnails and crops are also written to ``cache_dir()/thumbs`` as JPEG, keyed by
the image's identity (or uri + size + mtime), so a second open is instant.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from facecurator import paths
from facecurator.domain.error_texts import internal_error
from facecurator.domain.face import Face
from facecurator.errors import FacecuratorError
from facecurator.services.catalog import ImageRow

if TYPE_CHECKING:  # Pillow is imported by the workers' first decode, not on the window's start
    from PIL import Image

    from facecurator.domain.images import DecodedImage

log = logging.getLogger("facecurator.gui.thumbnails")

THUMB_SIDE: Final = 256
CROP_SIDE: Final = 192
#: Margin around a face box in crops, as a fraction of the box side.
CROP_MARGIN: Final = 0.3
PREVIEW_SIDE: Final = 4096
JPEG_QUALITY: Final = 88
#: Bump when the on-disk thumbnail format changes, so old files are ignored.
DISK_CACHE_VERSION: Final = 1

Producer = Callable[[], QImage]
ReadBytes = Callable[[ImageRow], bytes]


def thumbs_dir() -> Path:
    path = paths.cache_dir() / "thumbs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def image_cache_key(row: ImageRow) -> str:
    """Stable key of an image's content: identity when known, else uri + size + mtime."""
    basis = row.identity or f"{row.uri}|{row.size}|{row.mtime_ns}"
    return hashlib.sha256(f"v{DISK_CACHE_VERSION}|{basis}".encode()).hexdigest()[:40]


def pil_to_qimage(image: Image.Image) -> QImage:
    """An RGB PIL image as an owned QImage (safe to pass between threads), in the pixmaps' own
    format (32-bit RGB): the GUI thread's ``QPixmap.fromImage`` then converts nothing (from
    24-bit RGB it converted on Qt's image threads, the GUI thread waiting for them: on a busy
    2-core machine that wait was most of a paged grid's stalls)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    data = rgb.tobytes("raw", "BGRX")  # 0xffRRGGBB words, little-endian
    qimage = QImage(data, rgb.width, rgb.height, 4 * rgb.width, QImage.Format.Format_RGB32)
    return qimage.copy()  # detach from ``data``, which Python frees


def _write_jpeg_atomic(image: Image.Image, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    try:
        image.save(tmp, "JPEG", quality=JPEG_QUALITY)
        tmp.replace(path)
    except OSError as exc:  # a full or read-only cache disk only costs speed
        log.debug("cannot write cache file %s: %s", path, exc)
        tmp.unlink(missing_ok=True)


def _read_cached(path: Path) -> QImage | None:
    if not path.is_file():
        return None
    image = QImage(str(path))
    return None if image.isNull() else image


def render_thumbnail(row: ImageRow, read_bytes: ReadBytes, side: int = THUMB_SIDE) -> QImage:
    """Worker: the image's thumbnail (disk cache, else JPEG-draft decode + cache write)."""
    path = thumbs_dir() / f"{image_cache_key(row)}-{side}.jpg"
    cached = _read_cached(path)
    if cached is not None:
        return cached
    from facecurator.domain.images import decode_image

    decoded = decode_image(read_bytes(row), name=row.uri, max_side=side)
    _write_jpeg_atomic(decoded.image, path)
    return pil_to_qimage(decoded.image)


class DecodedImageCache:
    """A small thread-safe LRU of decoded images, bounded by pixel count.

    Face crops of one image reuse one decode; a decode at a lower resolution is
    replaced when a crop needs more pixels.
    """

    def __init__(self, max_pixels: int = 120_000_000) -> None:
        self._max_pixels = max_pixels
        self._items: OrderedDict[str, DecodedImage] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def get(self, row: ImageRow, read_bytes: ReadBytes, min_side: int) -> DecodedImage:
        """A decode of ``row`` whose longer side is at least ``min_side`` (or the full image)."""
        key = image_cache_key(row)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one decode per image at a time; others wait and reuse it
            with self._lock:
                decoded = self._items.get(key)
                if decoded is not None:
                    self._items.move_to_end(key)
                    full_long = max(decoded.full_width, decoded.full_height)
                    if max(decoded.image.size) >= min(min_side, full_long):
                        return decoded
            from facecurator.domain.images import decode_image

            decoded = decode_image(read_bytes(row), name=row.uri, max_side=min_side)
            with self._lock:
                self._items[key] = decoded
                self._items.move_to_end(key)
                total = sum(d.image.width * d.image.height for d in self._items.values())
                while total > self._max_pixels and len(self._items) > 1:
                    _, dropped = self._items.popitem(last=False)
                    total -= dropped.image.width * dropped.image.height
            return decoded

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def crop_rect(face: Face, full_width: int, full_height: int, margin: float = CROP_MARGIN) -> tuple[int, ...]:
    """Square crop around the face box with ``margin``, clamped to the image (full pixels)."""
    box = face.box
    side = max(box.w, box.h) * (1 + 2 * margin)
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    left = max(0.0, cx - side / 2)
    top = max(0.0, cy - side / 2)
    right = min(float(full_width), cx + side / 2)
    bottom = min(float(full_height), cy + side / 2)
    if right - left < 1 or bottom - top < 1:  # box outside the image: show what there is
        return (0, 0, full_width, full_height)
    return (int(left), int(top), math.ceil(right), math.ceil(bottom))


def render_face_crop(
    row: ImageRow,
    face: Face,
    read_bytes: ReadBytes,
    decoded_cache: DecodedImageCache,
    side: int = CROP_SIDE,
) -> QImage:
    """Worker: a ``side``-pixel crop of one face (disk cache, else cut from a shared decode)."""
    box = face.box
    key = hashlib.sha256(
        f"{image_cache_key(row)}|{box.x:.1f},{box.y:.1f},{box.w:.1f},{box.h:.1f}|{side}".encode()
    ).hexdigest()[:40]
    path = thumbs_dir() / f"face-{key}.jpg"
    cached = _read_cached(path)
    if cached is not None:
        return cached
    full_w = row.width or 0
    full_h = row.height or 0
    # Decode just enough pixels that the crop is ~side pixels: small faces in big
    # photos need a large decode, big faces a small one.
    box_side = max(box.w, box.h, 1.0) * (1 + 2 * CROP_MARGIN)
    full_long = max(full_w, full_h) or 4096
    wanted = min(full_long, math.ceil(full_long * side / box_side) + 1)
    decoded = decoded_cache.get(row, read_bytes, max(wanted, THUMB_SIDE))
    left, top, right, bottom = crop_rect(face, decoded.full_width, decoded.full_height)
    scale = decoded.scale
    crop = decoded.image.crop(
        (int(left / scale), int(top / scale), max(int(right / scale), 1), max(int(bottom / scale), 1))
    )
    from PIL import Image

    crop.thumbnail((side, side), Image.Resampling.BILINEAR)
    _write_jpeg_atomic(crop, path)
    return pil_to_qimage(crop)


def render_preview(row: ImageRow, read_bytes: ReadBytes, decoded_cache: DecodedImageCache) -> QImage:
    """Worker: the image for the large view (longer side at most PREVIEW_SIDE)."""
    decoded = decoded_cache.get(row, read_bytes, PREVIEW_SIDE)
    image = decoded.image
    if max(image.size) > PREVIEW_SIDE:
        from PIL import Image

        image = image.copy()
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.BILINEAR)
    return pil_to_qimage(image)


def _pixmap_bytes(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * max(pixmap.depth(), 8) // 8


class _Bridge(QObject):
    """Carries worker results to the GUI thread (queued, since the emitter is a worker)."""

    done = Signal(str, int, QImage)
    failed = Signal(str, int, str)


class _Job(QRunnable):
    def __init__(self, key: str, generation: int, producer: Producer, bridge: _Bridge) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._key = key
        self._generation = generation
        self._producer = producer
        self._bridge = bridge

    def run(self) -> None:
        try:
            image = self._producer()
        except FacecuratorError as exc:
            self._report(self._bridge.failed, str(exc))
            return
        except Exception as exc:
            log.exception("rendering %s failed", self._key)
            self._report(self._bridge.failed, internal_error(exc))
            return
        self._report(self._bridge.done, image)

    def _report(self, signal: object, payload: object) -> None:
        try:
            signal.emit(self._key, self._generation, payload)  # type: ignore[attr-defined]
        except RuntimeError:  # the cache (and its window) is gone: nobody wants the result
            log.debug("dropping %s: its cache was deleted", self._key)


class AsyncPixmapCache(QObject):
    """Bounded LRU of pixmaps (by count and, optionally, bytes) filled by worker threads on request.

    ``get`` never blocks; a miss returns None and the caller ``request``s a
    render, then repaints on ``ready``. Requests are deduplicated, the newest is
    started first, and at most ``max_workers`` renders of this cache run at once
    so a fast scroll does not queue thousands of stale jobs.
    """

    ready = Signal(str)  # key
    failed = Signal(str, str)  # key, one-line reason

    def __init__(
        self,
        capacity: int,
        *,
        max_bytes: int | None = None,
        pool: QThreadPool | None = None,
        max_workers: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._capacity = capacity
        self._max_bytes = max_bytes
        self._bytes = 0
        self._pool = pool or QThreadPool.globalInstance()
        self._default_workers = max_workers or max(2, self._pool.maxThreadCount())
        self._max_workers = self._default_workers
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._pending: OrderedDict[str, Producer] = OrderedDict()
        self._running: set[str] = set()
        self._generation = 0
        self._bridge = _Bridge()
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)

    def get(self, key: str) -> QPixmap | None:
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
        return pixmap

    def error(self, key: str) -> str | None:
        return self._errors.get(key)

    def contains(self, key: str) -> bool:
        return key in self._pixmaps

    def request(self, key: str, producer: Producer) -> None:
        """Queue a render of ``key`` unless it is cached, failed or already running."""
        if key in self._pixmaps or key in self._errors or key in self._running:
            return
        self._pending[key] = producer
        self._pending.move_to_end(key)  # newest request first
        self._pump()

    def set_max_workers(self, count: int | None) -> None:
        """Run at most ``count`` renders at once from now on (None: the default again)."""
        self._max_workers = max(1, count) if count is not None else self._default_workers
        self._pump()

    def retain(self, keys: set[str]) -> None:
        """Drop queued (not yet running) requests whose key is not in ``keys``."""
        for key in [k for k in self._pending if k not in keys]:
            del self._pending[key]

    def invalidate(self, key: str | None = None) -> None:
        """Forget one key (or everything): it will be rendered again on request."""
        if key is None:
            self._pixmaps.clear()
            self._bytes = 0
            self._errors.clear()
            self._pending.clear()
            self._generation += 1  # results of renders in flight are dropped
            self._running.clear()
        else:
            dropped = self._pixmaps.pop(key, None)
            if dropped is not None:
                self._bytes -= _pixmap_bytes(dropped)
            self._errors.pop(key, None)

    def idle(self) -> bool:
        return not self._pending and not self._running

    @property
    def memory_bytes(self) -> int:
        return self._bytes

    @property
    def pending_count(self) -> int:
        return len(self._pending) + len(self._running)

    def _pump(self) -> None:
        while self._pending and len(self._running) < self._max_workers:
            key, producer = self._pending.popitem(last=True)
            self._running.add(key)
            self._pool.start(_Job(key, self._generation, producer, self._bridge))

    def _on_done(self, key: str, generation: int, image: QImage) -> None:
        if generation == self._generation:
            self._running.discard(key)
            pixmap = QPixmap.fromImage(image)
            self._pixmaps[key] = pixmap
            self._pixmaps.move_to_end(key)
            self._bytes += _pixmap_bytes(pixmap)
            while len(self._pixmaps) > 1 and (
                len(self._pixmaps) > self._capacity
                or (self._max_bytes is not None and self._bytes > self._max_bytes)
            ):
                _, dropped = self._pixmaps.popitem(last=False)
                self._bytes -= _pixmap_bytes(dropped)
            self.ready.emit(key)
        self._pump()

    def _on_failed(self, key: str, generation: int, message: str) -> None:
        if generation == self._generation:
            self._running.discard(key)
            self._errors[key] = message
            self.failed.emit(key, message)
        self._pump()
