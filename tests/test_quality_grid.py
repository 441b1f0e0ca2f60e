"""The JPEG grid of a non-JPEG file larger than the working size, read on the file's
own pixels (facecurator/detect/quality/grid.py, docs/local-detector-grid.md).

A PNG / WebP / TIFF over 1024 px is resized by a fractional factor before the
detector sees it, so the 8 px grid of a JPEG that was re-saved losslessly no longer
falls on whole working pixels; the decoder keeps the file's full-size luma and the
grid is folded there.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from helpers.compression import compression_of
from PIL import Image

from facecurator.detect.quality import detail
from facecurator.detect.quality.base import BLOCK_WINDOW
from facecurator.detect.quality.grid import JPEG_BLOCK, MIN_BLOCKS, native_window
from facecurator.domain.images import decode_image

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.csv").exists(), reason="../shared/corpus (the shared test photos) is not present"
)
#: a 1536 x 1152 JPEG portrait: larger than the 1024 px working size
PORTRAIT = "people/deepface_p01/img2.jpg"


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _noise(w: int, h: int) -> Image.Image:
    rgb = (np.random.default_rng(3).random((h, w, 3)) * 255).astype(np.uint8)
    return Image.fromarray(rgb)


# --------------------------------------------------------------------------- decoding


def test_a_large_png_keeps_its_full_size_luma_when_asked() -> None:
    img = _noise(1500, 900)
    decoded = decode_image(_encode(img, "PNG"), max_side=1024, keep_native=True)
    assert decoded.image.size == (1024, 614)
    assert decoded.native_grey is not None
    assert decoded.native_grey.mode == "L" and decoded.native_grey.size == (1500, 900)
    assert np.array_equal(np.asarray(decoded.native_grey), np.asarray(img.convert("L")))


def test_the_full_size_luma_is_kept_only_for_a_resized_non_jpeg() -> None:
    big = _noise(1500, 900)
    # not asked
    assert decode_image(_encode(big, "PNG"), max_side=1024).native_grey is None
    # not reduced: the working image is the file's pixels
    assert decode_image(_encode(_noise(800, 600), "PNG"), max_side=1024, keep_native=True).native_grey is None
    # a JPEG is reduced by DCT scaling: its grid stays on whole pixels, nothing to keep
    jpeg = decode_image(_encode(big, "JPEG", quality=90), max_side=750, keep_native=True)
    assert jpeg.image.size == (750, 450) and jpeg.native_grey is None


# --------------------------------------------------------------------------- the window


def test_native_window_is_the_central_square_of_the_face_in_file_pixels() -> None:
    native = Image.fromarray(np.arange(2000 * 1500, dtype=np.uint32).reshape(1500, 2000).astype(np.uint8))
    # a face box of 400 x 500 working px at scale 2: 800 x 1000 file px from (200, 100)
    win = native_window(native, (100, 50, 500, 550), 2.0)
    assert win is not None and win.dtype == np.float32
    assert win.shape == (BLOCK_WINDOW, BLOCK_WINDOW)
    left, top = (200 + 1000 - BLOCK_WINDOW) // 2, (100 + 1100 - BLOCK_WINDOW) // 2
    expected = np.asarray(native, dtype=np.float32)[top : top + BLOCK_WINDOW, left : left + BLOCK_WINDOW]
    assert np.array_equal(win, expected)


def test_native_window_of_a_small_face_is_the_face_and_of_a_tiny_one_none() -> None:
    native = Image.new("L", (1200, 900), 90)
    win = native_window(native, (10, 10, 110, 80), 1.2)  # 120 x 84 file px
    assert win is not None and win.shape == (84, 120)
    side = MIN_BLOCKS * JPEG_BLOCK
    assert native_window(native, (0, 0, side / 1.2 - 2, 100), 1.2) is None
    # a box reaching past the image is clipped to it: 1080..1320 x 840..960 -> 120 x 60
    clipped = native_window(native, (900, 700, 1100, 800), 1.2)
    assert clipped is not None and clipped.shape == (60, 120)


# --------------------------------------------------------------------------- a real face


def _compression(data: bytes) -> tuple[float | None, str, dict[str, float], bool | None]:
    return compression_of(data, "t.png")


@needs_corpus
def test_a_large_png_portrait_has_its_jpeg_grid_measured_on_its_own_pixels() -> None:
    with Image.open(CORPUS / PORTRAIT) as img:
        rgb = img.convert("RGB")
    assert max(rgb.size) > 1024
    # the photo re-saved losslessly: measured (was "not measured": the null rejected it)
    value, reason, details, compressed = _compression(_encode(rgb, "PNG"))
    assert value is not None, reason
    assert details.get("native") == 1.0 and details.get("grid") == JPEG_BLOCK
    assert value < detail.COMPRESSION_MAX and compressed is False
    # the same photo through JPEG quality 5, then saved as a PNG: its blocks are found
    heavy = Image.open(io.BytesIO(_encode(rgb, "JPEG", quality=5))).convert("RGB")
    value, reason, details, compressed = _compression(_encode(heavy, "PNG"))
    assert value is not None and value >= detail.COMPRESSION_MAX, (value, reason)
    assert details.get("native") == 1.0 and compressed is True
