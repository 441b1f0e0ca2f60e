"""Two covers the region measures read as a bare face (issue 18, local-v33).

See docs/local-detector-covers.md for the calibration (tune split) and the limits.

* **A brim over both eyes.** Under a hat brim (a cap's peak, a visor) the mesh is
  still fitted and puts the eyes just under the brim's edge, where the eye windows
  show the edge's contrast and read "visible". What a brim cannot leave is the skin
  between the brows (the glabella, mesh region ``GLABELLA``, from the brows down to
  the nose bridge between the eyes): when both eyes are seen it is skin, or hair
  (a fringe of dark hair over the brows). :func:`glabella_seen` is the share of the
  glabella that is face-like or hair-like (``occlusion.face_like_map`` and
  ``hair_like_map`` against the cheeks' skin), or 0 when it is as uniform as paint
  (``occlusion.UNIFORM_STD``) with no darker brows beside it (``BROW_DARK_MAX``: felt
  of any colour, the skin's or a hair colour); under ``GLABELLA_SEEN_MIN`` both eyes
  are covered (:func:`brim_over_eyes`). A textured brim of a hair colour (straw, dark
  tweed) is not told from a fringe by this and still passes.
* **A soft face under drawn lines.** The octave slopes of ``detail.sharpness`` are
  an RMS over the face: a few thin high-contrast lines (a detector demo's boxes,
  landmark dots, text, watermarks) carry the finest octave of an out-of-focus face
  and make it read sharp. :func:`robust_sharpness` reads the same ``2 + s01 + s12``
  without the thin structures: the pixels a 7 x 7 median changes by more than
  ``LINE_TYPICAL`` x the face's typical (90th percentile) change, at least
  ``LINE_FLOOR`` grey levels (lines, dots and letters are thinner than 3 px there;
  a blurred face's own edges are not changed by a median), dilated by one pixel. A
  sharp face keeps its detail elsewhere (skin, lids, lips, hair); a soft face has
  none left: under ``ROBUST_SHARPNESS_MIN`` it is blurred. Not read (None) when
  the thin structures cover more than ``LINE_SHARE_MAX`` of the face (hair, beard:
  no overlay), the face is too small for two slopes, or its finest detail is not
  concentrated in a few pixels (:func:`concentration` under ``CONCENTRATION_MIN``: a
  photo's detail is spread over skin, lids, lips and hair; this keeps the reading,
  ~1.3 ms, to a sixth of the faces).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

import numpy as np

from facecurator.detect.quality.base import masked
from facecurator.detect.quality.occlusion import CLIPPED_L, UNIFORM_STD, face_like_map, hair_like_map
from facecurator.detect.quality.regions import GLABELLA, fast_median, fast_std

if TYPE_CHECKING:
    from facecurator.detect.quality.base import FaceView
    from facecurator.detect.quality.eyes import EyeReading
    from facecurator.detect.quality.regions import FaceRegions, SkinReference

#: Share of the glabella that must look like skin or hair (or be lighter than the skin)
#: when both eyes are seen. Tune split: clean faces >= 0.467 (skin or hair alone, the 187
#: measured), ``brim`` variants 25 of 30 under 0.30 with the uniform-glabella rule (10
#: without it); docs/local-detector-covers.md.
GLABELLA_SEEN_MIN: Final = 0.30
#: ``robust_sharpness`` under this = blurred. Tune split: clean faces >= 0.44 (all 187
#: measured), ``overlay_blur`` variants <= 0.34 (all 29 measured), ``blurred`` <= 0.25.
ROBUST_SHARPNESS_MIN: Final = 0.38
#: The median filter's side (px at the sharpness's working size, IED <= 64 px).
LINE_MEDIAN: Final = 7
#: A thin structure's least change by the median: grey levels, and x the face's
#: 90th-percentile change.
LINE_FLOOR: Final = 6.0
LINE_TYPICAL: Final = 2.0
#: Thin structures over more of the face than this: not an overlay (not read).
LINE_SHARE_MAX: Final = 0.20
#: The robust reading is taken only where the face's finest detail is concentrated: the
#: top ``TOP_SHARE`` of its neighbour differences carry at least ``CONCENTRATION_MIN`` of
#: their energy (squares). Tune split: clean faces median 0.48, p95 0.64 (a sixth of
#: the real faces are read); ``overlay_blur`` variants >= 0.59 where the octave slopes
#: read them sharp (one at 0.40 is read soft anyway).
TOP_SHARE: Final = 0.02
CONCENTRATION_MIN: Final = 0.55
#: A uniform glabella is a cover only when neither brow's darker quarter is under this
#: fraction of its lightness (brows under the brim too). Tune split: the uniform-glabella
#: ``brim`` variants 0.82-0.94 (the darker brow); clean faces' brows median 0.45, p95 0.75
#: (none has a uniform glabella); an outside face in heavy make-up, smooth glabella: 0.69.
BROW_DARK_MAX: Final = 0.75
#: The brows (upper contour outer to inner, lower contour back) of the face mesh.
RIGHT_BROW: Final = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW: Final = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
#: The eye reading's reason under a brim (the eye measures' "covered?" vocabulary).
REASON_COVERED: Final = "covered?"


def _brows_dark(regions: FaceRegions, glabella: np.ndarray, level: float) -> bool:
    """Either brow's darker quarter under ``BROW_DARK_MAX`` x the glabella's lightness."""
    for brow in (RIGHT_BROW, LEFT_BROW):
        mask = regions.polygon(brow) & ~glabella
        if np.count_nonzero(mask) < 3:
            return True  # not measured: not evidence of a cover
        lum = np.sort(masked(regions.area_planes[0], mask))
        if float(lum[(lum.size - 1) // 4]) < BROW_DARK_MAX * max(level, 1.0):
            return True
    return False


def glabella_seen(regions: FaceRegions, skin: SkinReference) -> float | None:
    """Share of the glabella that looks like this face's skin or like hair, or is lighter
    than the skin (a highlight, a light glasses bridge); 0 when it is
    as uniform as a painted patch with no darker brows beside it (None: too few pixels)."""
    mask = regions.polygon(GLABELLA)
    count = np.count_nonzero(mask)
    if count < 4:
        return None
    lum = masked(regions.area_planes[0], mask)
    level = float(fast_median(lum))
    # uniform = a cover (felt, plastic) whatever its colour: skin there shows the shading
    # between the brows, and the brows beside it are darker; a clipped one is an exposure
    # problem
    uniform = fast_std(lum) / skin.lum < UNIFORM_STD and CLIPPED_L < level < 100.0 - CLIPPED_L
    if uniform and not _brows_dark(regions, mask, level):
        return 0.0
    like = face_like_map(regions, skin)
    # lighter than the skin: a highlight or a light glasses bridge, not a brim (whose
    # underside faces away from the light)
    seen = like | hair_like_map(regions, skin, like) | (regions.area_planes[0] > skin.lum)
    return np.count_nonzero(seen & mask) / count


def brim_over_eyes(
    regions: FaceRegions, skin: SkinReference | None, right: EyeReading, left: EyeReading
) -> tuple[EyeReading, EyeReading, float | None]:
    """Both eye readings marked covered when the glabella is neither skin nor hair, or
    uniform (``glabella_seen`` under ``GLABELLA_SEEN_MIN``), with the share read (None when
    not read: an eye already not visible or not measured, or no skin to compare with)."""
    if skin is None or right.visible is None or left.visible is None:
        return right, left, None
    if min(right.visible, left.visible) < 0.5:
        return right, left, None  # already rejected: nothing to add
    share = glabella_seen(regions, skin)
    if share is None or share >= GLABELLA_SEEN_MIN:
        return right, left, share
    score = round(min(0.499, 0.5 * share / GLABELLA_SEEN_MIN), 3)
    covered = [
        replace(eye, visible=min(eye.visible or 0.0, score), open=None, reason=REASON_COVERED)
        for eye in (right, left)
    ]
    return covered[0], covered[1], share


def _quantile(values: np.ndarray, q: float) -> float:
    """The ``q`` quantile (lower) of uint8 values, from their histogram."""
    counts = np.cumsum(np.bincount(values.ravel(), minlength=256))
    return float(np.searchsorted(counts, q * (counts[-1] - 1) + 1))


def concentration(grey: np.ndarray) -> float:
    """Share of the energy (sum of squares) of the uint8 face's neighbour differences
    carried by their largest ``TOP_SHARE``: ~0.3-0.6 for a photo's detail, near 1 for a
    smooth face crossed by a few sharp lines."""
    import cv2

    diffs = np.concatenate(
        (cv2.absdiff(grey[:, 1:], grey[:, :-1]).ravel(), cv2.absdiff(grey[1:, :], grey[:-1, :]).ravel())
    )
    counts = np.bincount(diffs, minlength=256)
    energy = counts * np.arange(256, dtype=np.float64) ** 2
    total = float(energy.sum())
    if total <= 0.0:
        return 0.0
    # the largest differences first: the bins holding the top TOP_SHARE of the pixels
    from_top = np.cumsum(counts[::-1])
    bins = int(np.searchsorted(from_top, max(1.0, TOP_SHARE * diffs.size))) + 1
    return float(energy[::-1][:bins].sum()) / total


def thin_structures(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(mask of the thin high-contrast structures, the 7 x 7 median) of a uint8 grey face
    (see the module docstring); None when they cover more than ``LINE_SHARE_MAX`` of it."""
    import cv2

    pad = LINE_MEDIAN // 2
    # a constant border (the face's median grey), so that lines along the window's edge
    # are not the median of their own replicated rows
    padded = cv2.copyMakeBorder(
        grey, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(float(np.median(grey)),)
    )
    median = cv2.medianBlur(padded, LINE_MEDIAN)[pad:-pad, pad:-pad]
    change = cv2.absdiff(grey, median)
    typical = _quantile(change, 0.90)
    thin = change > max(LINE_FLOOR, LINE_TYPICAL * typical)
    thin = cv2.dilate(thin.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if float(thin.mean()) > LINE_SHARE_MAX:
        return None
    return thin, median


def without_thin_structures(grey: np.ndarray) -> np.ndarray:
    """The uint8 grey face with its thin structures replaced by their surroundings' median
    (for a second blur reading, e.g. the Crete blur effect); unchanged when not read."""
    found = thin_structures(grey)
    if found is None:
        return grey
    thin, median = found
    return np.where(thin, median, grey)


def delined(grey: np.ndarray, side: int) -> np.ndarray:
    """A grey face crop reduced (area averaging, never enlarged) to at most ``side`` px
    square, as ``measures.blur_score`` reduces it, without its thin structures."""
    import cv2

    h, w = grey.shape[:2]
    size = min(side, h, w)
    small = cv2.resize(np.ascontiguousarray(grey, dtype=np.uint8), (size, size), interpolation=cv2.INTER_AREA)
    return without_thin_structures(small)


def robust_sharpness(view: FaceView) -> float | None:
    """``2 + s01 + s12`` of the face without its thin high-contrast structures (see the
    module docstring); None when not read."""
    from facecurator.detect.quality.detail import _octave_slopes

    if view.small_grey is None or view.small_luma is None or min(view.small_grey.shape[:2]) < 16:
        return None
    if concentration(view.small_grey) < CONCENTRATION_MIN:
        return None  # detail spread over the face: no few lines carry it
    found = thin_structures(view.small_grey)
    if found is None:
        return None
    slopes = _octave_slopes(view.small_luma, (~found[0]).astype(np.float32))
    return None if len(slopes) < 2 else 2.0 + slopes[0] + slopes[1]
