"""Brown and amber lenses from their colour cast: blue taken out of the eye's white.

A brown, amber or brown-gradient lens is a filter that absorbs blue more than green
(and green more than red): everything behind it, the eye's white and the skin around
the eye alike, has its blue multiplied by a smaller factor than its green. In log
space a multiplication is a shift, so the filter moves ``log(G / B)`` of every colour
behind it by the same amount, whatever the skin's own colour or lightness (a dark skin
behind a light brown lens shifts as much as a light one, though its a*b* shift is small:
the colour rules of :mod:`facecurator.detect.quality.lens` compare a*b* distances).

Two places hold a reference that the lens does not cover:

* **the eye's white against the skin** (:func:`sclera_cast`): bare sclera is bluer
  than skin (``log(G/B)`` lower: skin's melanin and blood absorb blue, the white of the
  eye does not); behind a brown lens it turns as yellow as the skin or more;
* **the skin just under the eye against the cheek below** (:func:`band_casts`): the same
  skin inside and outside the lens's lower part; dark circles and the socket's shade
  under a bare eye are bluer (violet) than the cheek, never yellower.

``filter_cast`` is the smallest of the four shifts (both eyes, both places): a lens over
both eyes moves all four the same way; a single warm patch (make-up, a reflection, a
lamp) does not. The sclera is read only where the under-eye bands already read a cast
(the cost is paid on few faces). Grey lenses and mirrors cast no colour: this measure
does not read them (docs/local-detector-lens-cast.md).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from facecurator.detect.quality.base import LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR, rows_of
from facecurator.detect.quality.eyes import EyeReading, eye_area
from facecurator.detect.quality.regions import FaceRegions, SkinReference

#: Sunglasses when all four blue-absorption shifts (``log(G/B)`` of the colour behind the
#: lens minus that of its reference outside it, both eyes) reach this. Tune split: real
#: faces without sunglasses read at most 0.069 (a GAN render; a blurred photo 0.067; clean
#: faces at most 0.019, clear glasses -0.015); 0.085 keeps a 20 % margin over it. The
#: ``brown_lens`` / ``gradient`` variants that the other lens rules miss read up to 0.198
#: (docs/local-detector-lens-cast.md).
CAST_MIN: Final = 0.085
#: The brightest part of the eye opening read as its white: this quantile and above.
SCLERA_QUANTILE: Final = 0.75
#: Fewer pixels than this in the eye opening: no white is read (a shut or tiny eye).
MIN_OPENING_PX: Final = 6
#: sRGB levels under this are read as this (``log`` of a black pixel).
FLOOR: Final = 4.0


def blue_absorption(rgb: np.ndarray) -> float:
    """``log(G / B)`` of one sRGB colour (levels 0-255, floored at ``FLOOR``)."""
    g, b = max(float(rgb[1]), FLOOR), max(float(rgb[2]), FLOOR)
    return math.log(g / b)


def lab_to_rgb(colours: list[np.ndarray]) -> np.ndarray:
    """CIELAB colours (L 0-100, signed a*, b*, as the regions hold them) as 8-bit sRGB, one
    row each (OpenCV's conversion, the inverse of the one the regions were made with; one
    call for all of them)."""
    import cv2

    lab = np.array([[float(c[0]) * 255.0 / 100.0, float(c[1]) + 128.0, float(c[2]) + 128.0] for c in colours])
    pixels = np.clip(np.rint(lab), 0, 255).astype(np.uint8).reshape(1, -1, 3)
    out: np.ndarray = cv2.cvtColor(pixels, cv2.COLOR_LAB2RGB)
    return out[0]


def band_casts(regions: FaceRegions) -> tuple[float, float] | None:
    """Per eye (right, left), ``log(G/B)`` of the band under the eye minus that of the cheek
    below it (their median CIELAB colours, :func:`eyes.eye_area`); None when a band is
    outside the crop."""
    bands = []
    for side in ("right", "left"):
        area = eye_area(regions, side)
        if area.under is None or area.cheek is None:
            return None
        bands += [area.under, area.cheek]
    rgb = lab_to_rgb(bands)
    under_r, cheek_r, under_l, cheek_l = (blue_absorption(c) for c in rgb)
    return under_r - cheek_r, under_l - cheek_l


def sclera_cast(regions: FaceRegions, side: str, skin: SkinReference) -> float | None:
    """``log(G/B)`` of the eye's white (the brightest quarter of the eye opening: the mesh's
    eye contour, shrunk by a pixel so the lids and lashes are left out; its median sRGB
    colour) minus the skin's; None when the opening holds fewer than ``MIN_OPENING_PX``."""
    import cv2

    contour = rows_of(regions.pts, RIGHT_EYE_CONTOUR if side == "right" else LEFT_EYE_CONTOUR)
    h, w = regions.lum.shape
    lo, hi = contour.min(axis=0), contour.max(axis=0)
    x0, y0 = max(0, math.floor(float(lo[0]))), max(0, math.floor(float(lo[1])))
    x1, y1 = min(w, math.ceil(float(hi[0])) + 1), min(h, math.ceil(float(hi[1])) + 1)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [np.round(contour - (x0, y0)).astype(np.int32)], (1,))
    inside = cv2.erode(mask, np.ones((2, 2), np.uint8)).view(bool)
    lum = regions.lum[y0:y1, x0:x1][inside]
    if lum.size < MIN_OPENING_PX:
        return None
    white = lum >= np.quantile(lum, SCLERA_QUANTILE)
    colour = np.median(regions.rgb[y0:y1, x0:x1][inside][white].astype(np.float64), axis=0)
    return blue_absorption(colour) - blue_absorption(lab_to_rgb([skin.lab])[0])


def filter_cast(
    regions: FaceRegions, skin: SkinReference | None, right: EyeReading, left: EyeReading
) -> float | None:
    """The smallest of the four blue-absorption shifts (:func:`band_casts` and
    :func:`sclera_cast` of both eyes), or None when not measured: an eye not read, no colour
    skin, a band or an opening not readable. The sclera is read only when both bands reach
    ``CAST_MIN`` (a cheap first reading), else the smaller band is returned."""
    if skin is None or skin.monochrome or right.visible is None or left.visible is None:
        return None
    bands = band_casts(regions)
    if bands is None:
        return None
    low = min(bands)
    if low < CAST_MIN:
        return low
    whites = [sclera_cast(regions, side, skin) for side in ("right", "left")]
    if whites[0] is None or whites[1] is None:
        return None
    return min(low, whites[0], whites[1])
