"""Pencil strokes: is the face's smooth skin covered by a drawing's dense stroke texture?

A camera image of skin is smooth where the face's shape is smooth: what fine
texture it has there is sparse (pores, a highlight, a hair) — a heavy-tailed
distribution of small deviations. A pencil (or hatched) drawing has no smooth
skin: the paper is covered by strokes everywhere, cheeks and forehead included,
which gives dense, strong, Gaussian-like texture — no tails, large spread.

Computed by :func:`stroke_measures` on the face crop every photo measure shares
(``FaceView.small``: reduced to an inter-eye distance of at most 64 px):

1. the luma's fine texture is what a Gaussian blur (sigma 2 px) removes;
2. "smooth skin" is the 40 % of the face oval (eroded by 2 px, away from its
   outline) where the blurred luma changes least (Sobel magnitude): the
   cheeks, forehead and chin, not the eyes, brows, nostrils or lips;
3. over those pixels: the texture's RMS (grey levels) and its kurtosis (4th
   standardised moment: 3 for Gaussian noise, ~20 for photographed skin).

``stroke_texture``  the RMS, with the kurtosis in ``details``.
    :func:`pencil_strokes` is True when the RMS is at least ``STROKE_RMS_MIN``
    **and** the kurtosis at most ``STROKE_KURTOSIS_MAX`` (dense, strong,
    tail-less texture); null below ``STROKE_MIN_IED`` px between the eyes (the
    "smooth" share of a small face still holds eyes and lips).

Calibration (tune split of the truth set; docs/local-detector.md): qualified
pencil-sketch variants RMS 14–19 at kurtosis 3.1–4.1 (one at 12.2 / 7.9 is
missed); no real photograph with at least 28 px between the eyes reaches
RMS >= 12 with kurtosis <= 6 (the nearest: a grainy old photo at 9.8 / 3.5, a
masked face at 22.3 / 6.6, a clean portrait at 13.1 / 7.4).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from facecurator.detect.quality.base import FaceView, Measure, unmeasured

#: Below this inter-eye distance (working pixels) the test is not taken.
STROKE_MIN_IED: Final = 28.0
#: Texture RMS (grey levels) from which smooth skin reads as covered by strokes.
STROKE_RMS_MIN: Final = 12.0
#: ... when the texture also has no tails (Gaussian noise: 3).
STROKE_KURTOSIS_MAX: Final = 6.0
#: Share of the face oval taken as smooth skin (lowest shape gradient).
SMOOTH_SHARE: Final = 0.40
#: Fewest smooth pixels for a reading.
_MIN_PIXELS: Final = 100

NAMES: Final = ("stroke_texture",)

REASON_STROKES: Final = "pencil strokes over the skin (drawing)"
REASON_SMOOTH: Final = "photographic skin texture"


def stroke_measures(view: FaceView) -> dict[str, Measure]:
    """The stroke-texture measure of one face, from its shared crops (``view``)."""
    import cv2

    if view.box is None or view.small is None or view.small_mask is None:
        return {"stroke_texture": unmeasured("face outside the image")}
    if view.ied < STROKE_MIN_IED:
        why = f"face too small for the texture test ({view.ied:.0f} px between the eyes)"
        return {"stroke_texture": unmeasured(why)}
    inner = cv2.erode(view.small_mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2)
    luma = cv2.cvtColor(view.small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    shape = cv2.GaussianBlur(luma, (0, 0), 2.0)
    texture = luma - shape
    gx = cv2.Sobel(shape, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(shape, cv2.CV_32F, 0, 1, ksize=3)
    slope = cv2.magnitude(gx, gy)
    inside = inner > 0
    if int(np.count_nonzero(inside)) < _MIN_PIXELS / SMOOTH_SHARE:
        return {"stroke_texture": unmeasured("face region too small")}
    limit = float(np.percentile(slope[inside], SMOOTH_SHARE * 100))
    t = texture[inside & (slope <= limit)].astype(np.float64)
    if t.size < _MIN_PIXELS:
        return {"stroke_texture": unmeasured("face region too small")}
    rms = float(np.mean(t * t)) ** 0.5
    c = t - t.mean()
    var = float(np.mean(c * c))
    kurtosis = float(np.mean(c**4) / (var * var)) if var > 1e-6 else 0.0
    drawn = rms >= STROKE_RMS_MIN and kurtosis <= STROKE_KURTOSIS_MAX
    return {
        "stroke_texture": Measure(
            round(rms, 3),
            REASON_STROKES if drawn else REASON_SMOOTH,
            {"kurtosis": round(kurtosis, 3), "pixels": float(t.size)},
        )
    }


def pencil_strokes(measures: dict[str, Measure]) -> bool | None:
    """True when the face's smooth skin carries a drawing's dense stroke texture;
    None when the measure could not be taken."""
    m = measures.get("stroke_texture")
    if m is None or m.value is None:
        return None
    return bool(m.value >= STROKE_RMS_MIN and m.details.get("kurtosis", 99.0) <= STROKE_KURTOSIS_MAX)
