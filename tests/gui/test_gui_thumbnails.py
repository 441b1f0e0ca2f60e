"""The thumbnail pipeline: worker-built images, dedup, newest first, pruning, bounded memory, disk cache."""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QColor, QImage

from facecurator.domain.face import Box, Face
from facecurator.errors import ImageError
from facecurator.gui.thumbnails import (
    AsyncPixmapCache,
    DecodedImageCache,
    render_face_crop,
    render_thumbnail,
    thumbs_dir,
)


def solid(side: int, colour: str = "red"):
    def produce() -> QImage:
        image = QImage(side, side, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        return image

    return produce


def test_requests_are_deduplicated_served_newest_first_and_pruned(qtbot) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    cache = AsyncPixmapCache(10, pool=pool, max_workers=1)
    gate = threading.Event()
    calls: list[str] = []

    def blocked() -> QImage:
        gate.wait(5)
        calls.append("first")
        return solid(4)()

    def tracked(name: str):
        def produce() -> QImage:
            calls.append(name)
            return solid(4)()

        return produce

    cache.request("first", blocked)  # occupies the only worker
    cache.request("old", tracked("old"))
    cache.request("scrolled-away", tracked("scrolled-away"))
    cache.request("new", tracked("new"))
    cache.request("new", tracked("duplicate"))  # deduplicated
    cache.retain({"old", "new"})  # the operator scrolled: drop what is no longer visible
    gate.set()
    qtbot.waitUntil(cache.idle, timeout=5000)
    pool.waitForDone()
    # One render for "new" (with the newest request's producer), before the older "old".
    assert calls == ["first", "duplicate", "old"]
    assert cache.get("new") is not None and cache.get("scrolled-away") is None


def test_memory_is_bounded_by_bytes_and_failures_are_kept(qtbot) -> None:
    cache = AsyncPixmapCache(100, max_bytes=3 * 100 * 100 * 4)
    for i in range(6):
        cache.request(f"k{i}", solid(100))
    qtbot.waitUntil(cache.idle, timeout=5000)
    kept = [k for k in (f"k{i}" for i in range(6)) if cache.contains(k)]
    assert len(kept) == 3 and cache.memory_bytes <= 3 * 100 * 100 * 4

    def broken() -> QImage:
        raise ImageError("x.jpg: cannot decode: truncated")

    with qtbot.waitSignal(cache.failed, timeout=5000) as failed:
        cache.request("bad", broken)
    assert failed.args == ["bad", "x.jpg: cannot decode: truncated"]
    assert cache.error("bad") and cache.get("bad") is None
    cache.request("bad", broken)  # a failure is not retried on every repaint
    assert cache.idle()


def test_thumbnail_and_crop_use_the_disk_cache(tmp_path: Path, astronaut_png: Path) -> None:
    from dataclasses import fields

    from facecurator.services.catalog import ImageRow

    st = astronaut_png.stat()
    values = {f.name: None for f in fields(ImageRow)}
    values.update(
        id=1, uri=str(astronaut_png), name="astronaut.png", group="g", source_root=str(tmp_path),
        size=st.st_size, mtime_ns=st.st_mtime_ns, status="ok", width=512, height=512,
    )  # fmt: skip
    row = ImageRow(**values)
    reads: list[str] = []

    def read(r: ImageRow) -> bytes:
        reads.append(r.uri)
        return Path(r.uri).read_bytes()

    thumb = render_thumbnail(row, read, side=128)
    assert max(thumb.width(), thumb.height()) == 128 and len(reads) == 1
    again = render_thumbnail(row, read, side=128)
    assert len(reads) == 1 and again.size() == thumb.size()  # second open: from disk
    face = Face(box=Box(170, 60, 120, 140))
    crop = render_face_crop(row, face, read, DecodedImageCache(), side=96)
    assert max(crop.width(), crop.height()) == 96
    assert len(list(thumbs_dir().glob("face-*.jpg"))) == 1
    # The crop is the box's square grown by 30% each side (side 224 around the centre 230,130),
    # cut from the upright image: compare with the same region cut by Pillow.
    with Image.open(astronaut_png) as img:
        expected = img.convert("RGB").crop((118, 18, 342, 242)).resize((crop.width(), crop.height()))
    for fx, fy in ((0.5, 0.5), (0.2, 0.25), (0.8, 0.7), (0.3, 0.85)):
        x, y = int(crop.width() * fx), int(crop.height() * fy)
        got = crop.pixelColor(x, y)
        r, g, b = expected.getpixel((x, y))
        assert abs(got.red() - r) < 45 and abs(got.green() - g) < 45 and abs(got.blue() - b) < 45, (fx, fy)
