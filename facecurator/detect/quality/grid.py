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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from facecurator.detect.quality.base import BLOCK_WINDOW, Measure, unmeasured

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
