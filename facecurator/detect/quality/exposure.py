"""Exposure of the face region (OFIQ UnderExposurePrevention,
OverExposurePrevention, DynamicRange, IlluminationUniformity).

All are computed on the luma (BT.601, 0..255) of the pixels inside the face
mesh's oval (forehead to chin), in the working image reduced to an inter-eye
distance of at most 64 px, by
:func:`exposure_measures` (one pass, < 1 ms a face):

``brightness``  mean luma of the face, 0..255.
``underexposure``  fraction of face pixels with luma <= ``DARK_LEVEL`` (0..1); its
    details carry ``p95``, the face's highlight level (95th percentile of the luma):
    a well-exposed face always has some bright parts (lit forehead and nose, eye
    whites, teeth) whatever the skin's tone, a dim shot has none.
``overexposure``  fraction of face pixels with luma >= ``CLIPPED_LEVEL`` (0..1).
``dynamic_range``  entropy of the face's 256-bin luma histogram, in bits (0..8),
    as OFIQ's DynamicRange; a face squeezed into a few grey levels reads low.
``illumination_uniformity``  darker / brighter mean luma of the two face
    halves (left and right of the nose line), 0..1 (1 = evenly lit).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from facecurator.detect.quality.base import (
    MIN_EYE_DISTANCE,
    FaceView,
    Measure,
    face_view,
    fast_mean,
    gray,
    unmeasured,
)

DARK_LEVEL: Final = 40
CLIPPED_LEVEL: Final = 250
#: Calibrated thresholds (docs/measures-detail.md, tune split).
BRIGHTNESS_MIN: Final = 45.0
UNDEREXPOSURE_MAX: Final = 0.6
#: The face's 95th luma percentile under this = underexposed (issue 18, fourth round; tune
#: split: clean faces >= 108, the ``dim`` variants 2.5-3.5 stops under 52-105, median 72).
HIGHLIGHT_MIN: Final = 100.0
OVEREXPOSURE_MAX: Final = 0.30
DYNAMIC_RANGE_MIN: Final = 5.0
ILLUMINATION_UNIFORMITY_MIN: Final = 0.4
#: At least this fraction of the mesh must lie in the image.
MIN_INSIDE: Final = 0.8

NAMES: Final = ("brightness", "underexposure", "overexposure", "dynamic_range", "illumination_uniformity")


def exposure_measures(
    rgb: np.ndarray, mesh: np.ndarray, *, view: FaceView | None = None
) -> dict[str, Measure]:
    """The five exposure measures of one face, keyed by ``NAMES`` (``view``:
    the face's shared crops, :func:`~facecurator.detect.quality.base.face_view`)."""
    view = view or face_view(rgb, mesh)
    ied = view.ied
    if view.box is None or view.small is None or view.inside < MIN_INSIDE or ied < MIN_EYE_DISTANCE / 2:
        why = (
            f"face too small ({ied:.0f} px between the eyes)"
            if view.box is not None and view.inside >= MIN_INSIDE
            else "face largely outside the image"
        )
        return {name: unmeasured(why) for name in NAMES}
    luma = gray(view.small)
    mask, pts = view.small_mask, view.small_pts
    assert mask is not None and pts is not None
    pix = luma[mask]
    if pix.size < 50:
        return {name: unmeasured("face region too small") for name in NAMES}
    mean = fast_mean(pix)
    dark = np.count_nonzero(pix <= DARK_LEVEL) / pix.size
    clipped = np.count_nonzero(pix >= CLIPPED_LEVEL) / pix.size
    hist = np.bincount(np.clip(pix, 0, 255).astype(np.int64), minlength=256).astype(np.float64)
    levels = _percentiles(hist, pix.size)
    high = levels["p95"]
    p = hist[hist > 0] / pix.size
    entropy = float(-(p * np.log2(p)).sum())
    # halves split by the nose line (bridge 168 to tip 1), in crop coordinates
    top, tip = pts[168], pts[1]
    yy = np.arange(luma.shape[0], dtype=np.float64)[:, None]
    xx = np.arange(luma.shape[1], dtype=np.float64)[None, :]
    side = (xx - top[0]) * (tip[1] - top[1]) - (yy - top[1]) * (tip[0] - top[0])
    left, right = luma[mask & (side > 0)], luma[mask & (side <= 0)]
    if left.size >= 20 and right.size >= 20:
        a, b = fast_mean(left), fast_mean(right)
        uniform = Measure(
            round(min(a, b) / max(a, b, 1.0), 4),
            "ratio of the face halves' brightness",
            {"half_a": round(a, 1), "half_b": round(b, 1)},
        )
    else:
        uniform = unmeasured("one face half hidden")
    return {
        "brightness": Measure(round(mean, 2), "mean face brightness", levels),
        "underexposure": Measure(
            round(dark, 4),
            "face underexposed"
            if dark > UNDEREXPOSURE_MAX or mean < BRIGHTNESS_MIN
            else ("no bright part on the face (dim)" if high < HIGHLIGHT_MIN else "not dark"),
            {"p95": high},
        ),
        "overexposure": Measure(
            round(clipped, 4), "face clipped white" if clipped > OVEREXPOSURE_MAX else "not clipped"
        ),
        "dynamic_range": Measure(round(entropy, 3), "entropy of the face's brightness (bits)"),
        "illumination_uniformity": uniform,
    }


def _percentiles(hist: np.ndarray, count: int) -> dict[str, float]:
    """The face's luma at the 5th, 50th, 95th and 99th percentile (the lowest level with
    at least that share of the face at or under it), from its 256-bin histogram."""
    levels = np.searchsorted(np.cumsum(hist), np.array([0.05, 0.5, 0.95, 0.99]) * count)
    return {f"p{q}": float(v) for q, v in zip((5, 50, 95, 99), levels, strict=True)}


def underexposed(measures: dict[str, Measure]) -> bool | None:
    """The suggested verdict: mean face brightness under ``BRIGHTNESS_MIN``, more
    than ``UNDEREXPOSURE_MAX`` of the face at or under ``DARK_LEVEL``, or the face's
    highlights (95th luma percentile) under ``HIGHLIGHT_MIN`` (a dim shot)."""
    mean, dark = measures["brightness"].value, measures["underexposure"].value
    if mean is None or dark is None:
        return None
    high = measures["underexposure"].details.get("p95", 255.0)
    return bool(mean < BRIGHTNESS_MIN or dark > UNDEREXPOSURE_MAX  or high < HIGHLIGHT_MIN)


def overexposed(measures: dict[str, Measure]) -> bool | None:
    """The suggested verdict: more than ``OVEREXPOSURE_MAX`` of the face clipped white."""
    clipped = measures["overexposure"].value
    return None if clipped is None else bool(clipped > OVEREXPOSURE_MAX)
