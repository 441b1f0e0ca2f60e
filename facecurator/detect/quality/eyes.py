"""Eye visibility and eye openness, per eye, from the eye region's own pixels and the mesh.

OFIQ's EyesVisible and EyesOpen components, without a segmentation model:

* **visibility** compares the eye region with the face's own skin (upper
  cheeks): an uncovered eye shows strong light/dark contrast (sclera, iris,
  lashes) and is not much darker than the skin around it. A hand or a skin patch
  is uniform; sunglasses, tinted lenses and bars are dark and flat; hair makes the
  whole region dark.
* **openness** combines the mesh's eye aspect ratio (lid distance / eye width)
  with the height of the dark iris/pupil blob in the eye's pixels.

Both are scores from 0 to 1, higher = better, scaled so that **0.5 is the
calibrated boundary** (see docs/local-detector.md); rules compare them with a
threshold (default 0.5). An eye that is not visible has no openness (``None``):
an eye we cannot see is never "open".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from facecurator.detect.quality.base import fast_mean, length, rows_of
from facecurator.detect.quality.regions import (
    IOD,
    FaceRegions,
    SkinReference,
    ellipse_values,
    fast_median,
    stripes_ratio,
)

#: The eye window (where sclera and iris show) and the periocular region
#: (lids, lens area), as ellipse semi-axes in IOD units around the eye centre.
EYE_WINDOW_AXES: Final = (0.26, 0.10)
PERIOCULAR_AXES: Final = (0.45, 0.28)
PERIOCULAR_SHIFT: Final = -0.02
#: Box searched for the dark iris/pupil blob (half-width, half-height, IOD units).
IRIS_BOX: Final = (0.20, 0.16)
#: A pixel is "dark" (iris, pupil, lashes) below this fraction of the lids' lightness
#: (75th percentile of the periocular region).
DARK_FRACTION: Final = 0.55

# Visibility: each feature's value at the calibrated boundary (score 0.5).
#: (p95 - p5) lightness in the eye window / skin lightness: below = uniform (hand, patch, bar).
VISIBLE_CONTRAST: Final = 0.17
#: Brightest tenth of the eye window / skin ...
VISIBLE_BRIGHT: Final = 0.55
#: ... unless the contrast is at least this (a dark but detailed eye region is visible).
VISIBLE_DARK_CONTRAST: Final = 0.30
#: Median lightness of the periocular region / skin: below = hair, lenses, bars.
VISIBLE_MEDIAN: Final = 0.10
#: Horizontal / vertical gradient energy of the periocular box (``eye_stripes``) above
#: this = strands across the eye (hair?). Tune split: clean faces <= 1.39 (p95 1.25),
#: the ``hair_eye`` variants 1.80-2.65; 1.6 keeps ~15 % from the clean maximum.
VISIBLE_STRIPES_MAX: Final = 1.6
# Hair hanging over the eye (a fringe down over the lids, dense strands): the strands run
# down across both the band just above the eye (the lids' crease, ``LID_BAND``) and the
# column above the eye up to the forehead (``ABOVE_COLUMN``), where a bare eye shows the
# horizontal lid crease and brow (stripes ratio, as ``eye_stripes``, about 0.3-1). Each
# band's ratio is taken against the one real tune eye under a fringe (``chandrikadeb7``
# ``387.jpg``, right eye: lid band 1.444, column 1.343); the lesser of the two ratios is the
# ``fringe`` reading (docs/local-detector-hair.md).
#: Rows (top, bottom: offsets from the eye centre) and half-width of the lid band, IOD units.
LID_BAND: Final = (-0.24, -0.08, 0.30)
#: Rows and half-width of the narrow column above the eye, IOD units.
ABOVE_COLUMN: Final = (-0.60, -0.04, 0.10)
#: The lid band's and the column's stripes ratio on the real tune eye under a fringe.
FRINGE_LID_REF: Final = 1.444
FRINGE_COLUMN_REF: Final = 1.343
#: An eye reads covered by hair when ``fringe`` is above this. Tune split: clean qualified
#: real eyes <= 0.909 (``insightface`` ``kun.jpg``, a fringe down to the brows; the next
#: 0.705), camera variants <= 0.543; the fringe-covered eye 1.0 (by construction); the
#: ``hair_eye`` variants' strands 1.07 and more. The midpoint of 0.909 and 1.0.
FRINGE_MAX: Final = 0.95

# Openness: each feature's value at the calibrated boundary (score 0.5).
#: Eye aspect ratio (Soukupova & Cech) of one eye.
OPEN_EAR: Final = 0.15
#: Height of the dark iris blob / IOD below which the pixels alone would call an
#: eye closed. Not used for the verdict (0): on the truth set's tuning part it
#: found no closed eye the aspect ratio missed and fired on soft, blurred or
#: upscaled open eyes; it is still measured and reported (``raw``).
OPEN_IRIS: Final = 0.0
#: Eyes less than this many pixels apart in the working image are not measured.
MIN_IOD_PX: Final = 16.0

# A second reading of an eye the lids read shut (``facecurator.detect.blink``: the Face
# Landmarker's ``eyeBlink`` score, 0-1; a smile's narrowed eye scores low, a shut one
# high). Chosen on the truth set's tuning part, see docs/local-detector.md ("Smiles").
#: An eye the lids read shut is open when its blink score is under this. Tune: the shut
#: eyes this rule reads 0.554-0.731; labelled open ones 0.26-0.57; 0.45 keeps ~20 % under
#: the shut minimum.
BLINK_OPEN_MAX: Final = 0.45
#: ... read only on faces whose eyes are at least this many working pixels apart (smaller
#: crops are enlarged and the score drifts: tune shut eyes 19-23 px apart 0.455-0.83) ...
BLINK_MIN_IOD_PX: Final = 40.0
#: ... and turned at most this far (beyond, enrollment rejects the pose anyway).
BLINK_MAX_YAW: Final = 30.0

# Reasons (a fixed vocabulary: front ends translate them, see facecurator.domain.measures).
REASON_UNIFORM: Final = "covered?"
REASON_DARK_FLAT: Final = "sunglasses?"
REASON_DARK: Final = "hair, lenses or shadow?"
REASON_SMALL: Final = "face too small"
REASON_TURNED: Final = "face turned away"
REASON_NO_SKIN: Final = "no skin visible for reference"
REASON_LIDS: Final = "lids closed"
REASON_NO_IRIS: Final = "no iris visible"
REASON_FRINGE: Final = "hair over the eye (fringe or strands)?"

# A hand (or any skin-coloured cover) over one eye: no dark pixel at all in the iris box
# (``iris`` 0: no iris, pupil or lashes) and the eye window's colour the skin's. The
# hand's fingers, creases and edges keep the window's light/dark contrast high, so the
# contrast bound above misses it (docs/local-detector-hands.md, "A hand over one eye").
#: The median a*b* distance of the eye window's pixels from the skin's colour, over the
#: skin's chroma, at or under which an eye without a dark pixel reads covered (score 0.5
#: at the bound). Tune split: clean qualified eyes without a dark pixel read >= 0.554;
#: the ``real_hand_eye`` variants' covered eyes without one 0.059-0.316 (7 of 19) and
#: 0.50-0.72 (2); 0.35 keeps ~37 % under the clean minimum.
SKIN_EYE_MAX: Final = 0.35

RIGHT_EYE_EAR: Final = (33, 160, 158, 133, 153, 144)
LEFT_EYE_EAR: Final = (263, 387, 385, 362, 380, 373)


@dataclass(frozen=True, slots=True)
class EyeReading:
    """One eye: visibility and openness (0-1, 0.5 = boundary; openness None when not measurable)."""

    visible: float | None
    open: float | None
    reason: str
    #: the numbers behind the scores (for ``raw``)
    contrast: float = 0.0
    bright: float = 0.0
    median: float = 0.0
    ear: float = 0.0
    iris: float = 0.0
    #: lightness (CIELAB L*, 0-100) of the brightest tenth of the eye window, absolute
    window_l90: float = 0.0
    #: a*b* distance of the periocular region's median colour from the skin's (tinted lenses)
    tint: float = 0.0
    #: horizontal / vertical gradient energy of the periocular box (lids and brows are
    #: horizontal edges; hair strands across the eye are steep ones)
    stripes: float = 0.0
    #: the skin just under the eye (inside any lens) against the cheek below it (outside
    #: any lens): lightness ratio and a*b* distance (see :func:`lens_band`)
    lens_l: float = 1.0
    lens_ab: float = 0.0
    #: 10-90 % lightness spread of the periocular region / skin lightness (see
    #: :func:`veiled_by_lenses`)
    spread: float = 0.0
    #: an eye window without a dark pixel: its median a*b* distance from the skin's colour
    #: over the skin's chroma (:func:`window_skin_distance`); None when not read
    skin_ab: float | None = None
    #: stripes ratio of the band just above the eye (``LID_BAND``) and of the column above
    #: it (``ABOVE_COLUMN``): a fringe or strands hanging over the eye (see ``FRINGE_MAX``)
    lid_stripes: float = 0.0
    above_stripes: float = 0.0


def eye_aspect_ratio(mesh: np.ndarray, eye: tuple[int, ...]) -> float:
    """(|p2-p6| + |p3-p5|) / (2 |p1-p4|) in 3-D: about 0.2-0.37 open, about 0.1 closed."""
    p = rows_of(np.asarray(mesh, dtype=np.float64), eye)
    width = length(p[0] - p[3])
    if width <= 1e-6:
        return 0.0
    return (length(p[1] - p[5]) + length(p[2] - p[4])) / (2.0 * width)


def _half(value: float, boundary: float) -> float:
    """``value`` scaled so ``boundary`` maps to 0.5, clipped to 0..1."""
    return float(min(1.0, max(0.0, 0.5 * value / boundary)))


def shut_by_lids(eye: EyeReading) -> bool:
    """A visible eye whose lids alone read it shut (the case a blink reading may reopen)."""
    return (
        eye.visible is not None
        and eye.visible >= 0.5
        and eye.open is not None
        and eye.open < 0.5
        and eye.reason == REASON_LIDS
    )


def reopened(eye: EyeReading, blink: float | None) -> EyeReading:
    """``eye`` with the blink reading applied: an eye its lids read shut is open when its
    ``eyeBlink`` score is under ``BLINK_OPEN_MAX`` (openness ``0.5 x BLINK_OPEN_MAX /
    blink``: over 0.5 exactly then); any other eye, or no score, is left as it is."""
    if blink is None or not shut_by_lids(eye) or blink >= BLINK_OPEN_MAX:
        return eye
    return replace(eye, open=round(_half(BLINK_OPEN_MAX, max(blink, 1e-6)), 3), reason="")


def eye_reading(
    regions: FaceRegions, skin: SkinReference | None, mesh: np.ndarray, side: str, *, yaw: float
) -> EyeReading:
    """Visibility and openness of the subject's ``side`` ("right" / "left") eye."""
    ear = eye_aspect_ratio(mesh, RIGHT_EYE_EAR if side == "right" else LEFT_EYE_EAR)
    if regions.source_iod < MIN_IOD_PX:
        return EyeReading(None, None, REASON_SMALL, ear=ear)
    # The far eye of a turned head is foreshortened and hidden behind the nose.
    if (side == "right" and yaw < -ATTRIBUTE_MAX_YAW) or (side == "left" and yaw > ATTRIBUTE_MAX_YAW):
        return EyeReading(None, None, REASON_TURNED, ear=ear)
    lum = regions.lum
    centre = regions.eye_centre(side)
    window = ellipse_values(lum, centre, (EYE_WINDOW_AXES[0] * IOD, EYE_WINDOW_AXES[1] * IOD))
    # the whole Lab pixels of the periocular region (each column sorted): L for
    # visibility, a*b* for the tint; shared with the lens measures
    area = eye_area(regions, side)
    peri_lab = area.peri
    peri = peri_lab[:, 0]
    if window.size < 4 or peri.size < 4:
        return EyeReading(None, None, REASON_SMALL, ear=ear)
    window.sort()
    p5, p90, p95 = (float(window[round(q * (window.size - 1))]) for q in (0.05, 0.90, 0.95))
    peri_p10, peri_p90 = (float(peri[round(q * (peri.size - 1))]) for q in (0.10, 0.90))
    if skin is None:
        return EyeReading(None, None, REASON_NO_SKIN, ear=ear, window_l90=round(p90, 2))
    ref = skin.lum
    mid = peri_lab.shape[0] // 2
    a_med = float(peri_lab[mid, 1])  # the upper medians
    b_med = float(peri_lab[mid, 2])
    tint = float(np.hypot(a_med - skin.lab[1], b_med - skin.lab[2]))
    contrast = (p95 - p5) / ref
    bright = p90 / ref
    median = float(peri[peri.size // 2]) / ref
    # the centre as Python floats: the same sums, and round() of a float is a fraction of
    # the cost of numpy's
    cx, cy = float(centre[0]), float(centre[1])
    x0, x1 = round(cx - IRIS_BOX[0] * IOD), round(cx + IRIS_BOX[0] * IOD)
    y0, y1 = round(cy - IRIS_BOX[1] * IOD), round(cy + IRIS_BOX[1] * IOD)
    box = lum[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    # Dark relative to the lids around the eye (not the cheeks: a blurred or shadowed
    # iris is still darker than its own lids).
    lids = float(peri[round(0.75 * (peri.size - 1))])
    # the tallest column of dark pixels (np.count_nonzero(..., axis=0) by its own steps)
    dark = np.add.reduce(box < DARK_FRACTION * lids, axis=0, dtype=np.intp)
    iris = float(np.maximum.reduce(dark)) / IOD if box.size else 0.0
    stripes = eye_stripes(lum, centre)
    lid_stripes = band_stripes(lum, centre, LID_BAND)
    above_stripes = band_stripes(lum, centre, ABOVE_COLUMN)
    fringe = min(lid_stripes / FRINGE_LID_REF, above_stripes / FRINGE_COLUMN_REF)
    lens_l, lens_ab = _band_numbers(area.under, area.cheek)
    numbers = {
        "spread": (peri_p90 - peri_p10) / ref,
        "stripes": stripes,
        "lid_stripes": lid_stripes,
        "above_stripes": above_stripes,
        "lens_l": lens_l,
        "lens_ab": lens_ab,
        "contrast": contrast,
        "bright": bright,
        "median": median,
        "ear": ear,
        "iris": iris,
        "window_l90": p90,
        "tint": tint,
    }
    scores = (
        (_half(contrast, VISIBLE_CONTRAST), REASON_UNIFORM),
        (
            max(_half(bright, VISIBLE_BRIGHT), _half(contrast, VISIBLE_DARK_CONTRAST)),
            REASON_DARK_FLAT,
        ),
        (_half(median, VISIBLE_MEDIAN), REASON_DARK),
        (_half(VISIBLE_STRIPES_MAX, max(stripes, 1e-6)), REASON_DARK),
    )
    visible, why = min(scores)
    if visible >= 0.5 and fringe > FRINGE_MAX:
        # hair hanging over an eye the other features read visible (an eye they already
        # read covered keeps their reason)
        visible, why = _half(FRINGE_MAX, fringe), REASON_FRINGE
    skin_ab: float | None = None
    if visible >= 0.5 and iris == 0.0 and not skin.monochrome:
        # no iris, pupil or lashes: is the window the skin's colour (a hand over the eye)?
        skin_like = window_skin_distance(regions, centre, skin)
        skin_ab = round(skin_like, 3) if skin_like < 1e6 else None
        if skin_like <= SKIN_EYE_MAX:
            visible, why = min(visible, _half(skin_like, SKIN_EYE_MAX) - 1e-3), REASON_UNIFORM
    if visible < 0.5:
        return EyeReading(round(visible, 3), None, why, skin_ab=skin_ab, **_rounded(numbers))
    openness = _half(ear, OPEN_EAR)
    if OPEN_IRIS > 0:
        openness = min(openness, _half(iris, OPEN_IRIS))
    reason = "" if openness >= 0.5 else (REASON_LIDS if ear < OPEN_EAR else REASON_NO_IRIS)
    return EyeReading(round(visible, 3), round(openness, 3), reason, skin_ab=skin_ab, **_rounded(numbers))


def window_skin_distance(regions: FaceRegions, centre: np.ndarray, skin: SkinReference) -> float:
    """The median a*b* distance of the eye window's pixels from the skin's colour, over the
    skin's chroma (at least 1): about 0 where a skin-coloured hand covers the eye; a bare
    eye's sclera, iris and lashes are far from it."""
    window = ellipse_values(regions.lab, centre, (EYE_WINDOW_AXES[0] * IOD, EYE_WINDOW_AXES[1] * IOD))
    if window.shape[0] == 0:
        return float("inf")
    chroma = max(1.0, float(np.hypot(skin.lab[1], skin.lab[2])))
    dist = np.hypot(window[:, 1] - skin.lab[1], window[:, 2] - skin.lab[2])
    return float(np.median(dist)) / chroma


def _eye_box(img: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The periocular box (``PERIOCULAR_AXES`` half-sides) of ``img`` around ``centre``."""
    hw, hh = PERIOCULAR_AXES[0] * IOD, PERIOCULAR_AXES[1] * IOD
    cx, cy = float(centre[0]), float(centre[1])  # the same sums; a float's round() is cheaper
    y0, y1 = max(0, round(cy - hh)), max(0, round(cy + hh))
    x0, x1 = max(0, round(cx - hw)), max(0, round(cx + hw))
    return img[y0:y1, x0:x1]


def eye_stripes(lum: np.ndarray, centre: np.ndarray) -> float:
    """Sum of |horizontal differences| / sum of |vertical differences| of the lightness in
    the periocular box: about 0.5-1 for an eye (lids, brow and lashes run across), more
    for hair strands falling over it."""
    box = _eye_box(lum, centre)
    if box.shape[0] < 3 or box.shape[1] < 3:
        return 0.0
    return stripes_ratio(box)


def band_stripes(lum: np.ndarray, centre: np.ndarray, band: tuple[float, float, float]) -> float:
    """The stripes ratio (:func:`~facecurator.detect.quality.regions.stripes_ratio`) of the
    box ``band`` = (top row, bottom row, half-width), IOD units from the eye centre; 0 when
    the box is thinner than 3 pixels."""
    cx, cy = float(centre[0]), float(centre[1])
    y0, y1 = max(0, round(cy + band[0] * IOD)), max(0, round(cy + band[1] * IOD))
    x0, x1 = max(0, round(cx - band[2] * IOD)), max(0, round(cx + band[2] * IOD))
    box = lum[y0:y1, x0:x1]
    if box.shape[0] < 3 or box.shape[1] < 3:
        return 0.0
    return stripes_ratio(box)


#: The band under the eye that a lens covers (rows below the eye centre, half-width; IOD
#: units) and the cheek band below any lens (rows, half-width, outward shift from the nose).
UNDER_EYE_BAND: Final = ((0.12, 0.28), 0.30)
LOWER_CHEEK_BAND: Final = ((0.52, 0.70), 0.22, 0.08)


def _band_median(lab: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray | None:
    h, w = lab.shape[:2]
    c0, c1 = max(0, round(x0)), min(w, round(x1))
    r0, r1 = max(0, round(y0)), min(h, round(y1))
    if c1 - c0 < 2 or r1 - r0 < 2:
        return None
    return fast_median(lab[r0:r1, c0:c1].reshape(-1, 3))


def lens_band(lab: np.ndarray, centre: np.ndarray, side: str) -> tuple[float, float]:
    """The skin just under the eye against the cheek further down: (lightness ratio, a*b*
    distance) of their median CIELAB colours. A lens of any tint covers the first and not
    the second, so it dims and colours the band under the eye; bare skin there is about
    the cheek's colour (dark circles and the eye socket's shade darken it a little)."""
    return _band_numbers(*lens_bands(lab, centre, side))


def lens_bands(lab: np.ndarray, centre: np.ndarray, side: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Median CIELAB of the band under the eye (inside any lens) and of the cheek band
    below it (outside any lens); None for a band under 2 x 2 pixels of the crop."""
    (u0, u1), uw = UNDER_EYE_BAND
    (c0, c1), cw, shift = LOWER_CHEEK_BAND
    cx, cy = float(centre[0]), float(centre[1])
    out = -1.0 if side == "right" else 1.0  # the subject's right eye is on the image's left
    under = _band_median(lab, cx - uw * IOD, cx + uw * IOD, cy + u0 * IOD, cy + u1 * IOD)
    mid = cx + out * shift * IOD
    cheek = _band_median(lab, mid - cw * IOD, mid + cw * IOD, cy + c0 * IOD, cy + c1 * IOD)
    return under, cheek


def _band_numbers(under: np.ndarray | None, cheek: np.ndarray | None) -> tuple[float, float]:
    if under is None or cheek is None:
        return 1.0, 0.0
    ratio = float(under[0]) / max(float(cheek[0]), 1.0)
    return ratio, float(np.hypot(under[1] - cheek[1], under[2] - cheek[2]))


@dataclass(frozen=True, slots=True)
class EyeArea:
    """The Lab pixels around one eye of the aligned crop, read once per face (the eye
    and the lens measures of both eyes share them)."""

    #: the periocular ellipse's CIELAB values, each column sorted (N x 3, float32)
    peri: np.ndarray
    #: :func:`lens_bands`: median CIELAB under the eye and of the cheek below (or None)
    under: np.ndarray | None
    cheek: np.ndarray | None


def eye_area(regions: FaceRegions, side: str) -> EyeArea:
    """The ``side`` eye's :class:`EyeArea` (cached in ``regions.shared``; read-only)."""
    key = "eye_area_" + side
    area = regions.shared.get(key)
    if area is None:
        centre = regions.eye_centre(side)
        peri_centre = centre + np.array([0.0, PERIOCULAR_SHIFT * IOD])
        peri = ellipse_values(regions.lab, peri_centre, (PERIOCULAR_AXES[0] * IOD, PERIOCULAR_AXES[1] * IOD))
        peri.sort(axis=0)
        area = regions.shared[key] = EyeArea(peri, *lens_bands(regions.lab, centre, side))
    assert isinstance(area, EyeArea)
    return area


def eye_symmetry(lum: np.ndarray, right: np.ndarray, left: np.ndarray) -> float:
    """Normalised cross-correlation of the right periocular box with the mirrored left one
    (-1..1): the two eyes of a face look alike; a hand, hair or a patch over one does not."""
    a = _eye_box(lum, right)
    b = _eye_box(lum, left)[:, ::-1]
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    if h < 3 or w < 3:
        return 0.0
    # mean / sum by numpy's own steps without their overhead (the same values)
    a = a[:h, :w] - np.float32(fast_mean(a[:h, :w]))
    b = b[:h, :w] - np.float32(fast_mean(b[:h, :w]))
    den = float(np.sqrt(np.add.reduce(a * a, axis=None) * np.add.reduce(b * b, axis=None)))
    return float(np.add.reduce(a * b, axis=None)) / den if den > 1e-6 else 0.0


def _rounded(numbers: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in numbers.items()}


#: Eyes are not read on a face turned further than this (the far eye hides behind the nose).
ATTRIBUTE_MAX_YAW: Final = 45.0


@dataclass(frozen=True, slots=True)
class LensReading:
    """Sunglasses from both eye regions: dark and flat on both sides."""

    sunglasses: bool | None
    reason: str


# Tinted lenses (chosen on the truth set's tuning part: its real tinted sunglasses and
# the ``tinted`` derived variants against its clean and clear-glasses faces). A second
# rule, "a glasses frame and both eyes darker than 0.78 / 0.75 x the skin", caught the
# grey tints too but also a clear thick black frame of the tuning part: not used.
#: a*b* distance of BOTH periocular regions from the skin colour (tune: clean faces
#: and clear glasses <= 13.2, real tinted lenses 19-22; 16 of the 30 tinted variants) ...
TINT_MIN: Final = 16.0
#: ... with both eye windows' brightest tenth under this fraction of the skin.
TINT_BRIGHT_MAX: Final = 0.80
REASON_TINTED: Final = "tinted lenses?"
#: Lenses of any tint dim both the eye's brightness and its light/dark contrast by
#: their transmission: both eye windows darker than this fraction of the skin ...
DIMMED_BRIGHT_MAX: Final = 0.80
#: ... and with a contrast (p95 - p5 of L / skin L) under this. Tune: the flattest
#: bare eyes of sharp real faces darker than 0.8 x skin have 0.41 (0.35 keeps a 15 %
#: margin, as TINT_MIN does); tinted variants 0.20-0.44, median 0.32; real tinted
#: lenses 0.23-0.42. Only on a sharp, full-resolution face: blur and enlargement
#: flatten bare eyes too (25 blurred / upscaled variants of the tune split would read dimmed).
DIMMED_CONTRAST_MAX: Final = 0.35
#: The band under each eye (inside a lens) against the cheek below it (outside it),
#: ``lens_band``: at most this lightness ratio ... (tune split: see docs/local-detector.md,
#: "Fifth round")
LENS_L_MAX: Final = 0.80
#: ... and at least this a*b* distance under BOTH eyes = a coloured lens (tune: faces
#: without sunglasses and without a mask <= 10.8 where the band is that dark; tinted
#: variants median 15.5) ...
LENS_AB_MIN: Final = 12.0
#: ... or (sharp faces) both eye windows under ``DIMMED_BRIGHT_MAX`` with a contrast
#: under this (tune: real sharp faces with such a band >= 0.435; tinted variants 0.20-0.44).
DIMMED_LENS_CONTRAST_MAX: Final = 0.40

#: One eye covered by something coloured (hair, a hand in coloured light, a tinted
#: object): its periocular colour at least this much further (a*b* units) from the
#: skin's than the other eye's ... (tune: clean faces <= 10.0)
ONE_EYE_TINT_GAP: Final = 12.0
#: ... and its brightest tenth at most this fraction of the other eye's.
ONE_EYE_BRIGHT_RATIO: Final = 0.90
REASON_ONE_EYE: Final = "hair or an object over the eye?"


def one_eye_covered(right: EyeReading, left: EyeReading) -> tuple[EyeReading, EyeReading]:
    """The two readings, with an eye marked not visible when its surroundings are tinted
    and dimmed against its twin's (``ONE_EYE_TINT_GAP``, ``ONE_EYE_BRIGHT_RATIO``): two
    eyes of one face look alike; locks of hair or an object over one of them do not."""
    if right.visible is None or left.visible is None:
        return right, left
    out = [right, left]
    for i, (eye, other) in enumerate(((right, left), (left, right))):
        gap = eye.tint - other.tint
        if gap >= ONE_EYE_TINT_GAP and eye.bright <= ONE_EYE_BRIGHT_RATIO * other.bright:
            score = round(min(eye.visible or 0.0, _half(ONE_EYE_TINT_GAP, gap) - 1e-3), 3)
            out[i] = replace(eye, visible=score, open=None, reason=REASON_ONE_EYE)
    return out[0], out[1]


#: A hand over one eye often leaves a finger gap, a crease or the hand's edge in the iris
#: box (so ``SKIN_EYE_MAX`` cannot read it), and the face mesh, fitted under the hand,
#: draws that eye far narrower than its twin. An eye whose aspect ratio is under this
#: fraction of the other eye's (both visible and open) and whose tallest dark column is
#: at most ``NARROW_EYE_IRIS`` (no iris seen, at most a thin dark line) is not open.
#: Tune split: clean eyes (every clean face) >= 0.60 of their twin when so dark-free
#: (0.70 on qualified faces); the qualified ``real_hand_eye`` variants' covered eyes
#: 0.28-0.50 (5 of 11). 0.55 halves the gap (docs/local-detector-hands.md, local-v40).
NARROW_EYE_RATIO: Final = 0.55
#: ... at most 3 pixels of the aligned crop (IOD 38.4 px): a finger gap or lash line, no iris.
NARROW_EYE_IRIS: Final = 0.08


def one_eye_narrowed(right: EyeReading, left: EyeReading) -> tuple[EyeReading, EyeReading]:
    """The two readings, with an eye marked not open (reason "no iris visible") when the
    mesh draws it far narrower than its twin (``NARROW_EYE_RATIO``) and no iris shows in it
    (``NARROW_EYE_IRIS``): a hand over it, or a wink; both eyes narrowed alike (a smile)
    are left as they are."""
    if right.open is None or left.open is None:
        return right, left
    out = [right, left]
    for i, (eye, other) in enumerate(((right, left), (left, right))):
        ratio = eye.ear / max(other.ear, 1e-6)
        if eye.open is not None and ratio < NARROW_EYE_RATIO and eye.iris <= NARROW_EYE_IRIS:
            score = round(min(eye.open, _half(ratio, NARROW_EYE_RATIO) - 1e-3), 3)
            out[i] = replace(eye, open=score, reason=REASON_NO_IRIS)
    return out[0], out[1]


#: One opaque dark lens is enough: an eye window whose brightest tenth is under this
#: fraction of the skin and whose contrast is under ``VISIBLE_CONTRAST`` (dark and
#: uniform) makes the face wear sunglasses even when the other lens shows a bright
#: reflection. Tune split: the real eyes of faces without sunglasses are all at least
#: 1.5x away from it (but one face looking down in shadow, already read as
#: sunglasses); the ``glare`` variants (a reflection over 35-55 % of one lens) 30 / 30.
ONE_LENS_BRIGHT: Final = 0.25


def sunglasses_from_eyes(right: EyeReading, left: EyeReading, *, masked: bool = False) -> LensReading:
    """Sunglasses when one eye window is dark and uniform (``ONE_LENS_BRIGHT``: an
    opaque lens, whatever a reflection does to the other), when the brightest tenth of
    BOTH eye windows is darker than ``VISIBLE_BRIGHT`` x the skin and at least one eye
    is not visible (a lens may let one eye's contrast through), or when both eye regions are tinted (colour
    away from the skin's, ``TINT_MIN``) and darker than the skin. A hand or a
    skin-coloured patch is not dark; a black bar reads as sunglasses. Or when the band
    under both eyes is dimmed and coloured against the cheek below (``LENS_L_MAX``,
    ``LENS_AB_MIN``: a see-through coloured lens) — not on a masked face (``masked``),
    whose cheeks are the mask."""
    if right.visible is None or left.visible is None:
        return LensReading(None, right.reason if right.visible is None else left.reason)
    if any(e.bright < ONE_LENS_BRIGHT and e.contrast < VISIBLE_CONTRAST for e in (right, left)):
        return LensReading(True, REASON_DARK_FLAT)
    both_dark = all(e.bright < VISIBLE_BRIGHT for e in (right, left))
    if both_dark and min(right.visible, left.visible) < 0.5:
        return LensReading(True, REASON_DARK_FLAT)
    if all(e.tint >= TINT_MIN and e.bright < TINT_BRIGHT_MAX for e in (right, left)):
        return LensReading(True, REASON_TINTED)
    if not masked and all(e.lens_ab >= LENS_AB_MIN and e.lens_l <= LENS_L_MAX for e in (right, left)):
        return LensReading(True, REASON_TINTED)
    return LensReading(False, "")


def dimmed_by_lenses(right: EyeReading, left: EyeReading, *, masked: bool = False) -> bool:
    """Both eyes darker and flatter than bare eyes (tinted lenses of a colour close
    to the skin's, which ``TINT_MIN`` misses). The caller applies it to sharp faces only."""
    if right.visible is None or left.visible is None:
        return False
    if all(e.bright < DIMMED_BRIGHT_MAX and e.contrast < DIMMED_CONTRAST_MAX for e in (right, left)):
        return True
    if masked:
        return False
    # with the band under both eyes dimmed against the cheek below (a lens edge), a
    # little more of the eyes' contrast may show through
    return all(
        e.bright < DIMMED_BRIGHT_MAX and e.contrast < DIMMED_LENS_CONTRAST_MAX and e.lens_l <= LENS_L_MAX
        for e in (right, left)
    )


#: A veil over both eyes: the periocular region's 10-90 % lightness spread (``spread``,
#: over the skin's lightness) under this on BOTH eyes, with both eye windows' contrast
#: under ``DIMMED_CONTRAST_MAX``. A bare eye area holds the eye's own contrast (lashes,
#: iris, sclera, the lid crease): on the tuning part every sharp, well-exposed real face
#: reads a spread of at least 0.30 (clean faces 0.302, the median 0.68); a see-through
#: lens that adds its own light (a tint laid over the eye, a reflecting lens) flattens
#: the eye and what is around it: the ``tinted`` variants 0.14-0.45, median 0.28. 0.25
#: keeps a 20 % margin under the flattest bare eye area (as ``TINT_MIN`` and
#: ``COMMON_TINT_MIN`` do). The contrast bound is the dimmed rule's: a narrow bare eye
#: in smooth skin can read a flat area (0.22-0.25 on clean faces outside the truth set)
#: but keeps its own contrast (0.9 there). Blur, enlargement and clipping flatten bare
#: eyes too: the caller reads it on sharp, full-resolution, well-exposed faces only
#: (docs/local-detector.md, "Veiled eyes").
VEILED_SPREAD_MAX: Final = 0.25


def veiled_by_lenses(right: EyeReading, left: EyeReading) -> bool:
    """Both eye areas flatter than any bare eye area (``VEILED_SPREAD_MAX``) and both eye
    windows flatter than bare eyes (``DIMMED_CONTRAST_MAX``): lenses that veil the eyes,
    whatever their colour or how much they dim. The caller applies it to sharp,
    full-resolution, well-exposed faces only."""
    if right.visible is None or left.visible is None:
        return False
    return all(e.spread < VEILED_SPREAD_MAX and e.contrast < DIMMED_CONTRAST_MAX for e in (right, left))
