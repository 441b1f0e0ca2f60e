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


def mouth_limit(score: float | None) -> float:
    """The mouth's visibility score can be no higher than this: 0.5 at ``SCORE_MAX``, towards
    1 below it and 0 above (1.0 when the score could not be read)."""
    if score is None:
        return 1.0
    return float(1.0 / (1.0 + math.exp(min(50.0, score - SCORE_MAX))))
