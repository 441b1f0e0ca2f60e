"""A real hand over the mouth, from below or at a diagonal: the mouth's evidence combined (issue 18).

A hand raised over half the mouth leaves the other half seen, and each mouth measure of
``occlusion.py`` (read over the whole mouth) stays above its bound; ``fingers.py`` reads
fingers from the side only. Over the covered half the lips lose their colour against the
skin round them (a hand has one colour there), the lips' box gains edges running up and
down (the fingers' sides), and the face mesh, fitted under the hand, draws a narrower
mouth. No one of these separates a real hand from clean faces on the tune split; their
weighted sum does (docs/local-detector-hands.md):

* ``side_red_min``: of the mouth's two halves (their middle, 0.1-0.8 of the way from the
  mouth's centre to the corner), the lesser redness (CIELAB a*, median) of the lips over
  the skin round them (the mouth area without the lips);
* ``lip_contrast``, ``lips_stripes``, ``lips_p10`` (``occlusion.py``);
* ``mouth_width``: mouth corner to corner (mesh 61 / 291) / IOD, and ``corner_dy``: their
  difference in height / IOD, on the eye-aligned crop.

``hand_score`` = the weighted sum of the features standardised by the tune split's clean
faces (``MEAN``, ``SCALE``, ``WEIGHTS``, ``BIAS``: a logistic fit, tune split, clean
qualified faces against the ``real_hand_*`` mouth variants); over ``SCORE_MAX`` the mouth
reads covered. Colour photos only (a monochrome face has no lip colour to compare).

``skew_score`` (local-v42) adds a seventh feature, ``lips_skew``: fingers laid over the lips
at a slant cross the lips' own lines (the line between the lips, the lips' upper and lower
edges, all along the mouth), so the lips' band-passed lightness gradients gain a common
component *oblique* to the mouth's axis (the structure tensor's off-diagonal term in the
frame of the mesh's mouth corners, 2 |Jxy| / (Jxx + Jyy); 0 for lines along the mouth or
across it alike, so a crooked mouth, teeth and a tilted head read little). The same kind of
logistic fit with it reads the real-hand variants the six features leave (a V sign, spread
fingers, a thumb from the side); over ``SKEW_SCORE_MAX`` the mouth reads covered. Both
scores limit the mouth (docs/local-detector-hands.md, "Fingers at a slant over the lips",
local-v42).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from facecurator.detect.quality.base import masked
from facecurator.detect.quality.regions import IOD, LIPS, MOUTH_AREA, MOUTH_OPENING, FaceRegions, fast_median

#: Mouth corners (subject's right, left) of the face mesh.
CORNERS: Final = (61, 291)
#: The middle of each half of the mouth: this far from the centre towards its corner.
HALF_SPAN: Final = (0.1, 0.8)
#: Fewer pixels than this in a half's lips or in the skin round them: not read.
MIN_PX: Final = 4
FEATURES: Final = ("side_red_min", "lip_contrast", "lips_stripes", "lips_p10", "mouth_width", "corner_dy")
#: The features' mean and spread over the tune split's clean qualified faces (497, colour).
MEAN: Final = (8.30, 9.12, 0.472, 0.476, 0.862, 0.0228)
SCALE: Final = (6.44, 6.15, 0.126, 0.144, 0.133, 0.0165)
#: A logistic fit (tune split: those 497 faces against the 90 ``real_hand_below`` /
#: ``_diagonal`` / ``_side`` variants, classes weighted equally, L2 0.01): less lip colour on
#: a half and over the mouth area, more edges up and down the lips, a lighter darkest tenth,
#: a narrower and more tilted mouth read "a hand".
WEIGHTS: Final = (-1.59, -1.21, 0.834, 0.234, -0.860, 0.408)
BIAS: Final = -4.46
#: Tune split: clean qualified faces <= 2.34 (one; the next 1.12), the qualified real-hand
#: mouth variants 32 of 49 above 2.84. 0.5 above the clean maximum.
SCORE_MAX: Final = 2.84

#: The lips' band-pass (difference of Gaussians, sigmas in crop px) before the gradients:
#: lines 1-3 px wide remain (the line between the lips, a finger's edge); the lips' shading
#: goes. How far the filters reach (OpenCV's Gaussian of sigma 2 on float planes: 17 taps,
#: radius 8; the Sobel one more).
SKEW_SIGMAS: Final = (0.7, 2.0)
_SKEW_REACH: Final = 9
SKEW_FEATURES: Final = (*FEATURES, "lips_skew")
#: The seven features' mean and spread over the tune split's clean colour faces whose
#: features are read (541, every verdict: portraits, other clean faces, camera variants).
SKEW_MEAN: Final = (7.955, 8.781, 0.4814, 0.482, 0.8677, 0.0231, 0.04888)
SKEW_SCALE: Final = (6.338, 6.052, 0.1325, 0.1434, 0.1351, 0.01654, 0.04129)
#: A logistic fit (tune split: those 541 faces against the 88 read ``real_hand_below`` /
#: ``_diagonal`` / ``_side`` variants, classes weighted equally, L2 0.01): a slant across
#: the lips weighs most.
SKEW_WEIGHTS: Final = (-0.845, -0.733, 0.649, 0.383, -0.61, 0.437, 0.819)
SKEW_BIAS: Final = -4.40
#: Tune split: every clean face <= 2.22 (``facenet-pytorch multiface.jpg``, a hand on the
#: chin, 100 px; the next 1.88, a laughing child's open mouth; the qualified ones <= 1.13);
#: 12 of the 17 read real-hand mouth variants that qualified at local-v41 are over it.
#: 0.5 above the clean maximum.
SKEW_SCORE_MAX: Final = 2.72


def side_red_min(regions: FaceRegions) -> float | None:
    """The lesser, of the mouth's two halves, of the lips' redness over the skin round them
    (None: a half too small to read)."""
    lips = regions.polygon(LIPS) & ~regions.polygon(MOUTH_OPENING)
    around = regions.polygon(MOUTH_AREA) & ~regions.polygon(LIPS)
    a = regions.area_planes[1]
    h, w = a.shape
    pts = regions.pts[list(CORNERS)] / 2.0  # the area grid is every other pixel
    centre = float(pts[:, 0].mean())
    xs = np.arange(w, dtype=np.float64)
    values = []
    for corner in (float(pts[0, 0]), float(pts[1, 0])):
        span = max(abs(corner - centre), 1.0)
        t = (xs - centre) * np.sign(corner - centre) / span
        cols = (t > HALF_SPAN[0]) & (t < HALF_SPAN[1])
        half = np.broadcast_to(cols, (h, w))
        lp, ar = lips & half, around & half
        if np.count_nonzero(lp) < MIN_PX or np.count_nonzero(ar) < MIN_PX:
            return None
        values.append(float(fast_median(masked(a, lp))) - float(fast_median(masked(a, ar))))
    return min(values)


def mouth_shape(regions: FaceRegions) -> tuple[float, float]:
    """(mouth width, corners' height difference) / IOD on the eye-aligned crop."""
    right, left = regions.pts[CORNERS[0]], regions.pts[CORNERS[1]]
    return float(np.hypot(*(left - right))) / IOD, abs(float(left[1] - right[1])) / IOD


def features(regions: FaceRegions, fractions: dict[str, float]) -> dict[str, float] | None:
    """The score's features (None: one cannot be read)."""
    red = side_red_min(regions)
    if red is None or "lips_stripes" not in fractions or "lip_contrast" not in fractions:
        return None
    width, dy = mouth_shape(regions)
    return {
        "side_red_min": red,
        "lip_contrast": fractions["lip_contrast"],
        "lips_stripes": fractions["lips_stripes"],
        "lips_p10": fractions["lips_p10"],
        "mouth_width": width,
        "corner_dy": dy,
    }


def hand_score(values: dict[str, float]) -> float:
    """The weighted sum of the standardised features (over ``SCORE_MAX``: a hand)."""
    return BIAS + sum(
        w * (values[name] - m) / s for name, m, s, w in zip(FEATURES, MEAN, SCALE, WEIGHTS, strict=True)
    )


def lips_skew(regions: FaceRegions) -> float | None:
    """How much the lips' fine lines slant against the mouth: 2 |Jxy| / (Jxx + Jyy) of the
    band-passed lightness gradients over the lips (mesh outline, crop pixels), in the frame
    of the line through the mesh's mouth corners; 0 for lines along or across the mouth, 1
    for every line at 45 degrees to it (None: too few pixels)."""
    import cv2

    h, w = regions.lum.shape
    outline = np.round(regions.pts[list(LIPS)]).astype(np.int32)
    x0, y0 = (max(0, int(v) - _SKEW_REACH) for v in outline.min(axis=0))
    x1, y1 = (int(v) + _SKEW_REACH + 1 for v in outline.max(axis=0))
    x1, y1 = min(w, x1), min(h, y1)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    # the filters on the lips' box and a margin as wide as their reach: the same values as
    # over the whole crop
    band = np.ascontiguousarray(regions.lum[y0:y1, x0:x1], dtype=np.float32)
    fine = cv2.GaussianBlur(band, (0, 0), SKEW_SIGMAS[0]) - cv2.GaussianBlur(band, (0, 0), SKEW_SIGMAS[1])
    inside = np.zeros(band.shape, dtype=np.uint8)
    cv2.fillPoly(inside, [outline - np.array([x0, y0], dtype=np.int32)], (1,))
    lips = inside.astype(bool)
    if np.count_nonzero(lips) < MIN_PX:
        return None
    gx = cv2.Sobel(fine, cv2.CV_32F, 1, 0, ksize=3)[lips].astype(np.float64)
    gy = cv2.Sobel(fine, cv2.CV_32F, 0, 1, ksize=3)[lips].astype(np.float64)
    jxx, jyy, jxy = float(gx @ gx), float(gy @ gy), float(gx @ gy)
    total = jxx + jyy
    if total <= 1e-9:
        return 0.0
    # the off-diagonal entry in the frame turned to the mouth's axis (corner to corner)
    dx, dy = regions.pts[CORNERS[1]] - regions.pts[CORNERS[0]]
    turn = 2.0 * math.atan2(float(dy), float(dx))
    return 2.0 * abs(0.5 * (jyy - jxx) * math.sin(turn) + jxy * math.cos(turn)) / total


def skew_score(values: dict[str, float], skew: float) -> float:
    """The seven-feature score: the six of ``hand_score`` and ``lips_skew`` (over
    ``SKEW_SCORE_MAX``: a hand)."""
    with_skew = {**values, "lips_skew": skew}
    return SKEW_BIAS + sum(
        w * (with_skew[name] - m) / s
        for name, m, s, w in zip(SKEW_FEATURES, SKEW_MEAN, SKEW_SCALE, SKEW_WEIGHTS, strict=True)
    )


def mouth_limit(score: float | None, bound: float | None = None) -> float:
    """The mouth's visibility score can be no higher than this: 0.5 at ``bound``
    (``SCORE_MAX`` when not given; ``SKEW_SCORE_MAX`` for ``skew_score``), towards 1 below it
    and 0 above (1.0 when the score could not be read)."""
    if score is None:
        return 1.0
    return float(1.0 / (1.0 + math.exp(min(50.0, score - (SCORE_MAX if bound is None else bound)))))
