"""Colour blocks of a JPEG on the file's 16 px grid (grid.py's ``chroma_blocking``,
``detail.colour_blocks``; docs/local-detector.md, "Colour blocks").

A JPEG re-saved as PNG has no quantisation tables, and a small smooth face keeps its luma
blockiness under ``COMPRESSION_MAX``; its colour blocks (Cb, Cr stored in 8 x 8 blocks of a
half-size plane: 16 file px) stay. The end-to-end test runs on a corpus portrait (on CI's
machine too), so it passes with and without the gathered photos (``FACECURATOR_TRUTHSET``);
the clean tuning photo whose doubled colour pixels the fold must not read as blocks is
checked where the gathered photos are.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from helpers.compression import compression_of
from PIL import Image

from facecurator.detect.quality import detail
from facecurator.detect.quality.grid import (
    CHROMA_BLOCK,
    CHROMA_BLOCK_MAX,
    chroma_blocking,
    chroma_period,
    colour_fold,
)
from tests.test_quality_grid import CORPUS, PORTRAIT, _encode, needs_corpus


def _window(size: int, origin: int = 0, tiles: float = 0.0) -> np.ndarray:
    """A smooth skin-like RGB window (uint8) with a little noise; with ``tiles``, flat patches of
    colour (Cb and Cr, standard deviation ``tiles``) on the image's 16 px grid, the window's
    first pixel being pixel ``origin`` of the image on both axes."""
    import cv2

    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) + origin
    luma = 150 + 20 * np.sin(x / 23.0) + 10 * np.cos(y / 31.0)
    # OpenCV's float YCrCb puts neutral colour at 0.5 (its 8-bit one at 128)
    cr = 0.5 + 18 + 4 * np.sin(y / 40.0)
    cb = 0.5 - 12 + 4 * np.cos(x / 37.0)
    if tiles:
        n = (origin + size) // 16 + 1
        for plane in (cr, cb):
            patches = np.kron(rng.normal(0, tiles, (n, n)), np.ones((16, 16)))
            plane += patches[origin : origin + size, origin : origin + size]
    ycc = np.stack([luma, cr, cb], axis=2) + rng.normal(0, 0.8, (size, size, 3))
    rgb = cv2.cvtColor(ycc.astype(np.float32), cv2.COLOR_YCrCb2RGB)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- the fold


def test_colour_blocks_on_the_files_grid_are_read_at_their_own_phase() -> None:
    """Flat 16 px patches of colour, the image's grid starting at pixel 0: the window starts at
    pixel 5 of the image, so its own first block edge is at window column 10/11."""
    size, origin = 192, 5
    window = _window(size, origin, tiles=4.0)
    blocked = chroma_blocking(window, (origin, origin), CHROMA_BLOCK)
    assert blocked.value is not None and blocked.value >= CHROMA_BLOCK_MAX, blocked
    # the same patches read at the wrong phase (the window taken for the image's origin) are not
    # on the edges the fold compares: the phase is the file's, not searched
    shifted = chroma_blocking(window, (origin + 8, origin + 8), CHROMA_BLOCK)
    assert shifted.value is not None and shifted.value < CHROMA_BLOCK_MAX, shifted
    # no blocks at all
    clean = chroma_blocking(_window(size), (0, 0), CHROMA_BLOCK)
    assert clean.value is not None and clean.value < 1.5, clean


def test_a_colour_plane_enlarged_by_pixel_doubling_is_compared_at_the_edges_parity() -> None:
    """A half-size colour plane enlarged 2x by repetition (a decoder without smooth
    upsampling): no difference inside a pair of pixels, so half the phases are 0 and the
    median over all phases is the smallest difference between pairs - an edge between two
    colour samples no larger than the others then reads as a block edge. The fold compares
    the edge with its own parity's phases. Planted bug - the median over all phases - fails."""
    rng = np.random.default_rng(2)
    nblocks, strips = 12, 5
    # between-pair differences: the edge (last phase) like the larger half of the others
    pairs = np.array([0.3, 0.35, 0.4, 1.2, 1.3, 1.25, 1.35, 1.3])
    block = np.zeros(CHROMA_BLOCK)
    block[1::2] = pairs
    profile = np.tile(block, nblocks)[None, :] * rng.uniform(0.95, 1.05, (strips, nblocks * CHROMA_BLOCK))
    assert colour_fold(profile.astype(np.float32), 0, CHROMA_BLOCK) < 1.2
    # real colour blocks: the edge well over every other difference
    block[-1] = 5.0
    blocked = np.tile(block, nblocks)[None, :] * np.ones((strips, 1))
    assert colour_fold(blocked.astype(np.float32), 0, CHROMA_BLOCK) >= CHROMA_BLOCK_MAX


def test_the_colour_grid_is_read_where_the_working_pixels_are_the_files_or_its_decoders() -> None:
    assert chroma_period(1.0, 1, jpeg=True) == 16
    assert chroma_period(2.0, 2, jpeg=True) == 8  # a JPEG decoded at 1/2: blocks of 8 working px
    assert chroma_period(4.0, 4, jpeg=True) is None  # 4 px: too few phases
    assert chroma_period(1.0, None, jpeg=False) == 16  # a PNG at its own size
    assert chroma_period(1.4, None, jpeg=False) is None  # resized after decoding
    assert chroma_period(1.9, None, jpeg=True) is None


# --------------------------------------------------------------------------- a real face


@needs_corpus
def test_a_blocked_jpeg_saved_as_png_is_compressed_by_its_colour_blocks() -> None:
    """The corpus portrait at 384 px, through JPEG quality 20 and saved as PNG: the luma's
    blockiness reads under ``COMPRESSION_MAX`` (1.58 at local-v46) and a PNG has no quality
    to read, but its colour blocks remain (3.44). The same portrait saved losslessly reads
    none (0.86). Planted bug - ``compressed`` without :func:`detail.colour_blocks` - fails."""
    with Image.open(CORPUS / PORTRAIT) as img:
        rgb = img.convert("RGB")
    small = rgb.resize((384, round(384 * rgb.height / rgb.width)), Image.Resampling.LANCZOS)
    blocked = Image.open(io.BytesIO(_encode(small, "JPEG", quality=20))).convert("RGB")
    value, reason, details, compressed = compression_of(_encode(blocked, "PNG"), "blocked.png")
    assert value is not None and value < detail.COMPRESSION_MAX, (value, reason)
    assert "jpeg_quality" not in details
    assert details.get("chroma", 0.0) >= CHROMA_BLOCK_MAX, details
    assert compressed is True
    value, reason, details, compressed = compression_of(_encode(small, "PNG"), "clean.png")
    assert details.get("chroma", 9.0) < CHROMA_BLOCK_MAX and compressed is False, (value, details)


def _gathered(relative: str) -> Path | None:
    from benchmarks.truthset.labels import gathered_root

    root = gathered_root()
    path = None if root is None else root / relative
    return path if path is not None and path.is_file() else None


def test_a_clean_jpeg_resaved_as_png_with_doubled_colour_pixels_is_not_compressed() -> None:
    """SadTalker's ``people_0.png`` (tuning split, clean): a JPEG of quality ~70 re-saved as
    PNG whose colour plane was doubled pixel by pixel; the all-phase fold read 3.26 here."""
    path = _gathered("OpenTalker__SadTalker/examples/source_image/people_0.png")
    if path is None:
        pytest.skip("the gathered photos are not on this machine (FACECURATOR_TRUTHSET)")
    value, reason, details, compressed = compression_of(path.read_bytes(), path.name)
    assert details.get("chroma", 9.0) < CHROMA_BLOCK_MAX, details
    assert compressed is False, (value, reason, details)
