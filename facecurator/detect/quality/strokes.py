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

``paper_ground``  a drawing on paper: the share of the face (eroded oval)
    within 6 % of its brightest tone (p99) — paper showing through — with
    ``midtones`` (share of the face between 25 % and 75 % of its p5..p95 tone
    range: a photo's shading), ``lines`` (mean 5x5 black-hat, i.e. thin dark
    lines, over the p5..p95 range) and — only when those three point to paper —
    ``chroma`` (median CIELAB chroma of every other pixel) in ``details``.
    :func:`pencil_on_paper` is True for a near-grey face (chroma <=
    ``PAPER_CHROMA_MAX``) that is mostly paper (>= ``PAPER_SHARE_MIN``), with
    few mid-tones (<= ``PAPER_MIDTONES_MAX``) and dark lines (>=
    ``PAPER_LINES_MIN``): light pencil or ink drawings, whose sparse strokes
    ``stroke_texture`` does not see.

Calibration (tune split of the truth set; docs/local-detector.md, "Drawings"):
qualified pencil-sketch variants RMS 14–19 at kurtosis 3.1–4.1 (one at
12.2 / 7.9 is missed); no real photograph with at least 28 px between the eyes
reaches RMS >= 12 with kurtosis <= 6 (the nearest: a grainy old photo at
9.8 / 3.5, a masked face at 22.3 / 6.6, a clean portrait at 13.1 / 7.4). The
4 real pencil/ink drawings on paper: share 0.36–0.70, mid-tones 0.12–0.21,
lines 0.073–0.099, chroma 0–5.8; no real photograph is grey, >= 0.33 paper,
<= 0.23 mid-tones and lined at once. Cost: ~0.3 ms a face.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from facecurator.detect.quality.base import MIN_EYE_DISTANCE, FaceView, Measure, unmeasured

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

#: A near-grey face (median CIELAB chroma) ...
PAPER_CHROMA_MAX: Final = 8.0
#: ... at least this share of it paper-white (within 6 % of its p99) ...
PAPER_SHARE_MIN: Final = 0.33
#: ... at most this share of it mid-tones ...
PAPER_MIDTONES_MAX: Final = 0.23
#: ... and dark lines (5x5 black-hat mean over the p5..p95 range) is a drawing on paper.
PAPER_LINES_MIN: Final = 0.04

NAMES: Final = ("stroke_texture", "paper_ground")

REASON_STROKES: Final = "pencil strokes over the skin (drawing)"
REASON_SMOOTH: Final = "photographic skin texture"
REASON_PAPER: Final = "pencil or ink lines on paper (drawing)"
REASON_TONES: Final = "photographic tones"


def stroke_measures(view: FaceView) -> dict[str, Measure]:
    """The drawing measures of one face (``NAMES``), from its shared crops (``view``)."""
    import cv2

    if view.box is None or view.small is None or view.small_mask is None or view.ied < MIN_EYE_DISTANCE:
        why = "face outside the image"
        if view.box is not None:
            why = f"face too small ({view.ied:.0f} px between the eyes)"
        return {name: unmeasured(why) for name in NAMES}
    # the oval eroded twice by 3 x 3 (once already, for the photo measures)
    assert view.small_inner is not None
    inner = cv2.erode(view.small_inner, np.ones((3, 3), np.uint8))
    if int(np.count_nonzero(inner)) < _MIN_PIXELS / SMOOTH_SHARE:
        return {name: unmeasured("face region too small") for name in NAMES}
    grey, luma = view.small_grey, view.small_luma
    assert grey is not None and luma is not None
    paper = _paper_ground(view.small, grey, inner)
    if view.ied < STROKE_MIN_IED:
        why = f"face too small for the texture test ({view.ied:.0f} px between the eyes)"
        return {"stroke_texture": unmeasured(why), "paper_ground": paper}
    return {"stroke_texture": _stroke_texture(luma, inner), "paper_ground": paper}


def _paper_ground(rgb: np.ndarray, grey: np.ndarray, inner: np.ndarray) -> Measure:
    import cv2

    hist = cv2.calcHist([grey], [0], inner, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    p5, p95, p99 = (_percentile(cum, q) for q in (5.0, 95.0, 99.0))
    span = p95 - p5
    n = float(cum[-1])
    share = float(hist[int(np.ceil(0.94 * p99)) :].sum()) / n
    lo, hi = p5 + 0.25 * span, p5 + 0.75 * span
    midtones = float(hist[int(np.floor(lo)) + 1 : int(np.ceil(hi))].sum()) / n
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    lines = cv2.mean(cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel), inner)[0] / (span + 1.0)
    details = {"midtones": round(midtones, 4), "lines": round(float(lines), 4)}
    if share >= PAPER_SHARE_MIN and midtones <= PAPER_MIDTONES_MAX and lines >= PAPER_LINES_MIN:
        # only then does the colour matter (a Lab conversion is the costliest step):
        # the median chroma of every other pixel
        lab = cv2.cvtColor(np.ascontiguousarray(rgb[::2, ::2]), cv2.COLOR_RGB2LAB)
        keep = inner[::2, ::2] > 0
        a = lab[..., 1][keep].astype(np.float32) - 128.0
        b = lab[..., 2][keep].astype(np.float32) - 128.0
        details["chroma"] = round(float(np.median(cv2.magnitude(a, b))) if a.size else 0.0, 2)
    drawn = _on_paper(share, details)
    return Measure(round(share, 4), REASON_PAPER if drawn else REASON_TONES, details)


def _percentile(cum: np.ndarray, q: float) -> float:
    """The ``q``-th percentile (numpy's linear interpolation) of integer values 0..255
    given by their cumulative histogram ``cum``."""
    pos = q / 100.0 * (float(cum[-1]) - 1.0)
    low = int(np.floor(pos))
    v0 = int(np.searchsorted(cum, low + 1))
    v1 = int(np.searchsorted(cum, low + 2))
    return v0 + (pos - low) * (v1 - v0)


def _on_paper(share: float, details: dict[str, float]) -> bool:
    return (
        details.get("chroma", PAPER_CHROMA_MAX + 1.0) <= PAPER_CHROMA_MAX
        and share >= PAPER_SHARE_MIN
        and details["midtones"] <= PAPER_MIDTONES_MAX
        and details["lines"] >= PAPER_LINES_MIN
    )


def _stroke_texture(luma: np.ndarray, inner: np.ndarray) -> Measure:
    """``luma``: the face's float32 grey levels (``FaceView.small_luma``)."""
    import cv2

    shape = cv2.GaussianBlur(luma, (0, 0), 2.0)
    texture = luma - shape
    gx = cv2.Sobel(shape, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(shape, cv2.CV_32F, 0, 1, ksize=3)
    slope = cv2.magnitude(gx, gy)
    inside = inner > 0
    # the smooth share's bound from every other pixel (an order statistic; the full crop
    # moves it by a fraction of a grey level per pixel)
    sample = slope[::2, ::2][inside[::2, ::2]]
    k = int(SMOOTH_SHARE * (sample.size - 1))
    limit = float(np.partition(sample, k)[k])
    t = texture[inside & (slope <= limit)]
    if t.size < _MIN_PIXELS:
        return unmeasured("face region too small")
    n = float(t.size)
    rms = (float(np.dot(t, t)) / n) ** 0.5
    c = t - np.float32(t.mean())
    c2 = c * c
    var = float(c2.sum()) / n
    kurtosis = float(np.dot(c2, c2)) / n / (var * var) if var > 1e-6 else 0.0
    drawn = rms >= STROKE_RMS_MIN and kurtosis <= STROKE_KURTOSIS_MAX
    return Measure(
        round(rms, 3),
        REASON_STROKES if drawn else REASON_SMOOTH,
        {"kurtosis": round(kurtosis, 3), "pixels": n},
    )


def pencil_strokes(measures: dict[str, Measure]) -> bool | None:
    """True when the face's smooth skin carries a drawing's dense stroke texture;
    None when the measure could not be taken."""
    m = measures.get("stroke_texture")
    if m is None or m.value is None:
        return None
    return bool(m.value >= STROKE_RMS_MIN and m.details.get("kurtosis", 99.0) <= STROKE_KURTOSIS_MAX)


def pencil_on_paper(measures: dict[str, Measure]) -> bool | None:
    """True when the face is mostly bare paper with dark lines and few mid-tones
    (a light pencil or ink drawing); None when it could not be measured."""
    m = measures.get("paper_ground")
    if m is None or m.value is None:
        return None
    return _on_paper(m.value, m.details)


def drawing(measures: dict[str, Measure]) -> tuple[bool | None, str]:
    """The drawing verdict of these measures and its reason: True when either
    reads a drawing; False when both were measured and neither does; None
    (with the reason) when one could not be measured and the other reads none."""
    strokes, paper = pencil_strokes(measures), pencil_on_paper(measures)
    if strokes:
        return True, REASON_STROKES
    if paper:
        return True, REASON_PAPER
    if strokes is None or paper is None:
        missing = measures["stroke_texture" if strokes is None else "paper_ground"]
        return None, missing.reason
    return False, REASON_SMOOTH
