"""The file's JPEG: its quality from the quantisation tables (:func:`jpeg_quality`),
and its 8 px grid when the detector reduced the file by a fractional factor, read on the
file's own pixels (:func:`native_window`).

A JPEG is decoded by DCT scaling (1/1, 1/2, 1/4, 1/8), so its 8 x 8 blocks stay on
whole working pixels (8, 4, 2 px) and ``compression`` folds them there. Any other
file larger than the working size (PNG, WebP, TIFF, HEIC ...) is decoded at full
size and then resized by a fractional factor (1/1.05, 1/1.76 ...): an 8 px grid that
survived in it (a JPEG re-saved losslessly) falls on 7.6 or 4.5 working pixels at
a drifting phase and the fold at the grid cannot be taken. On the file's own pixels
it still lies on whole pixels, 8 apart, so the same blockiness (and its bound,
``COMPRESSION_MAX``, chosen on faces whose working pixels were the file's pixels)
is read there: the decoder keeps the full-size luma for such files
(``DecodedImage.native_grey``) and :func:`native_window` cuts the face's central
``BLOCK_WINDOW`` square out of it - the same number of pixels the working image's
window has, so the cost does not grow with the file's size.

A grid that was resized before the file was saved is no longer 8 px on any pixels:
that is the block spectrum's case (``off_grid_blocking``), not this one.

**Colour blocks** (:func:`chroma_blocking`). A JPEG stores its colour (Cb, Cr) in 8 x 8
blocks too, usually of a half-size colour plane (4:2:0): 16 x 16 file pixels. Colour
quantised hard shows as flat patches of skin tint whose edges fall on the file's 16 px
grid, also where the luma's blocks are mild (a small, smooth face: the Real-ESRGAN
``lr_face.png`` kind, a JPEG of quality about 60 re-saved as PNG, whose luma blockiness
reads 1.36 < ``COMPRESSION_MAX``). The grid's position is known - it starts at the file's
first pixel - so the fold is read at the grid's own phase (no search over phases, whose
largest is biased upwards on texture). Read where the working pixels are the file's or
its JPEG decoder's (16 / DCT factor px, at least ``CHROMA_PERIOD_MIN``); not on a file
resized after decoding (its colour is not kept at full size).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from facecurator.detect.quality.base import BLOCK_WINDOW, Measure, unmeasured
from facecurator.detect.quality.blocks import _middle, _profiles

if TYPE_CHECKING:
    from PIL import Image

#: The JPEG block size, in the file's own pixels.
JPEG_BLOCK: Final = 8
#: The native window must hold at least this many blocks on each side.
MIN_BLOCKS: Final = 6


def native_window(
    native: Image.Image, box: tuple[int, int, int, int], scale: float, size: int = BLOCK_WINDOW
) -> np.ndarray | None:
    """Luma (float32) of the central ``size`` x ``size`` square of the face ``box``
    (working pixels, x0, y0, x1, y1) in the full-size grey image ``native``, whose
    pixels are ``scale`` working pixels' worth; None when the face covers fewer than
    ``MIN_BLOCKS`` JPEG blocks of the file on either side (too small to read a grid)."""
    x0, y0, x1, y1 = (v * scale for v in box)
    x0, y0 = max(0.0, x0), max(0.0, y0)
    x1, y1 = min(float(native.width), x1), min(float(native.height), y1)
    w, h = min(size, int(x1 - x0)), min(size, int(y1 - y0))
    if min(w, h) < MIN_BLOCKS * JPEG_BLOCK:
        return None
    left = round((x0 + x1 - w) / 2.0)
    top = round((y0 + y1 - h) / 2.0)
    left = min(max(0, left), native.width - w)
    top = min(max(0, top), native.height - h)
    return np.asarray(native.crop((left, top, left + w, top + h)), dtype=np.float32)


#: Standard IJG (libjpeg) luminance quantisation table at quality 50, natural order.
_IJG_LUMA: Final = np.array(
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ],
    dtype=np.float64,
)  # fmt: skip


def jpeg_quality(quantization: dict[int, list[int]] | None) -> Measure:
    """Estimated IJG quality (1..100) of a JPEG from its quantisation tables.

    ``quantization`` is Pillow's ``Image.quantization`` of the opened JPEG
    (read from the header, no decoding). The luminance table (0) is compared
    with the IJG tables of every quality; the closest wins (exact for files
    written by libjpeg / Pillow / most cameras' "quality" settings, an
    approximation for others). ``None`` for a non-JPEG (no tables).
    """
    if not quantization or 0 not in quantization:
        return unmeasured("not a JPEG (no quantisation tables)")
    table = np.asarray(quantization[0], dtype=np.float64)
    if table.size != 64:
        return unmeasured(f"unexpected JPEG quantisation table of {table.size} entries")
    # order-free comparison: Pillow may give the table in zigzag or natural order
    errors = np.abs(_IJG_SORTED_TABLES - np.sort(table)).sum(axis=1)
    index = int(np.argmin(errors))  # the first (lowest) quality of the smallest error
    best, best_err = index + 1, float(errors[index])
    return Measure(float(best), f"JPEG quality about {best}", {"table_error": round(best_err / 64, 3)})


def _ijg_sorted_tables() -> np.ndarray:
    """The IJG luminance table of every quality 1..100, each sorted (row q-1)."""
    rows = []
    for q in range(1, 101):
        scale = 5000.0 / q if q < 50 else 200.0 - 2.0 * q
        rows.append(np.sort(np.clip(np.floor((_IJG_LUMA * scale + 50.0) / 100.0), 1, 255)))
    return np.array(rows)


_IJG_SORTED_TABLES: Final = _ijg_sorted_tables()


#: The colour plane's block in file pixels (8 x 8 blocks of a 4:2:0 half-size plane; a
#: 4:4:4 file's 8 px blocks put every other edge on it too).
CHROMA_BLOCK: Final = 16
#: Colour blocks smaller than this many working pixels (a JPEG decoded at 1/4 or 1/8) are
#: not read: every other phase is too few to compare the edges with.
CHROMA_PERIOD_MIN: Final = 8
#: Colour blocks -> ``compressed`` (tune split, read on the file's pixels in the detection
#: box's central square: real clean faces <= 2.37 (a JPEG of quality 70), every real face
#: <= 2.37, the clean camera variants <= 1.73 (``jpeg_mild``); 18 % over the clean maximum,
#: the detector's own window being the mesh box's; docs/local-detector.md, "Colour blocks").
CHROMA_BLOCK_MAX: Final = 2.8
#: Grey levels added to both sides of the fold ratio (the luma fold's floor).
_CHROMA_FLOOR: Final = 0.5


def chroma_period(scale: float, dct_factor: int | None, jpeg: bool) -> int | None:
    """The colour blocks' size in working pixels: 16 / the DCT factor for a JPEG decoded by
    its own scaling, 16 for any other file whose working pixels are its own; None when the
    file was resized after decoding or the blocks would be under ``CHROMA_PERIOD_MIN`` px."""
    if dct_factor:
        period = CHROMA_BLOCK // dct_factor
    elif not jpeg and abs(scale - 1.0) < 1e-6:
        period = CHROMA_BLOCK
    else:
        return None
    return period if period >= CHROMA_PERIOD_MIN else None


def colour_fold(profiles: np.ndarray, origin: int, period: int) -> float:
    """Blockiness of colour difference profiles (one row per strip) at a grid of ``period``
    px that starts at the image's pixel 0, the window's first pixel being ``origin``.

    Per strip, each phase's median over the blocks; the phase on the grid's edges (between
    pixels ``k * period - 1`` and ``k * period``) over the median of every other phase
    counted from it (the edge's own parity, the edge included), both + a floor of 0.5; the
    median over the strips. Every other phase: a half-size colour plane enlarged by pixel
    doubling has no difference at all between the two pixels of one colour sample, and
    those zeros, counted in, would make any edge between samples look like a block edge
    (a clean JPEG of quality ~70 re-saved as PNG read 3.26 that way). 1.0 when fewer
    than 3 blocks fit."""
    first = (-origin - 1) % period  # profile index of the first edge
    start = first + 1 - period if first + 1 >= period else first + 1
    nblocks = (profiles.shape[1] - start) // period
    if nblocks < 3:
        return 1.0
    blocks = profiles[:, start : start + nblocks * period].reshape(profiles.shape[0], nblocks, period)
    # (upper) medians by partition, as the luma folds (blocks.py)
    phases = _middle(blocks, axis=1)  # (strips, period); the edge is the last phase
    same = _middle(phases[:, 1::2], axis=1)  # the last phase is odd: its parity
    ratio = (phases[:, -1] + _CHROMA_FLOOR) / (same + _CHROMA_FLOOR)
    return float(_middle(ratio, axis=0))


def chroma_blocking(window_rgb: np.ndarray, origin: tuple[int, int], period: int) -> Measure:
    """Colour blocks on the file's grid (module docstring): the smallest
    :func:`colour_fold` of Cb and Cr across columns and rows of the window
    ``window_rgb`` (uint8 RGB) whose top-left pixel is ``origin`` (x, y) in the image."""
    import cv2

    if min(window_rgb.shape[:2]) < 3 * period + 1:
        return unmeasured(f"face too small for {period} px colour blocks")
    ycc = cv2.cvtColor(window_rgb.astype(np.float32), cv2.COLOR_RGB2YCrCb)
    values = []
    for channel in (1, 2):
        cols, rows = _profiles(np.ascontiguousarray(ycc[:, :, channel]))
        values.append(colour_fold(cols, origin[0], period))
        values.append(colour_fold(rows, origin[1], period))
    value = min(values)
    return Measure(
        round(value, 4),
        "colour blocks of a JPEG" if value >= CHROMA_BLOCK_MAX else "no colour blocks",
        {"period": float(period)},
    )
