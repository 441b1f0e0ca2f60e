"""Fingers from the side beside a mouth corner: lines across the lower cheek (issue 18).

A hand over half the mouth from the side lays its fingers across the face: beside the
covered mouth corner the lower cheek shows parallel lines running across the face (the
fingers' edges and the creases between them). The face's own lines there run up and
down or slant steeply (the nasolabial fold, the cheek's and the jaw's contours, smile
lines, a beard's edge), so lines lying within ``MAX_TILT`` of the eye line, in a
patch where nearly all the fine structure runs the same way, are a cover.

Measured on the eye-aligned crop (``regions.FaceRegions``, eyes level, IOD 38.4 px): in
each lower cheek, a patch from ``PATCH_NEAR`` to ``PATCH_FAR`` IOD beyond the mouth
corner, from under the nose (mesh point 2) to ``PATCH_BELOW`` IOD under the corner
(not down to the jaw's outline, a collar or a scarf). The crop's lightness is
band-passed (``BAND_SIGMAS``) and the structure tensor of its gradients is averaged
over the patch: ``coherence`` (0 = no direction, 1 = every gradient parallel) and the
lines' ``tilt`` from the eye line (degrees). Cost: two Gaussians and two Sobel filters
on a band of the 128-px crop (~0.1 ms a face).

Calibration (tune split; docs/local-detector-fingers.md): where the lines' tilt is at
most 20 degrees, clean faces' coherence max 0.58 (test 0.65), faces without detail
labels max 0.71; every ``half_mouth_hand`` variant has a side at >= 0.86 (test 0.95).
Limits: fingers from below or slanting more than ``MAX_TILT`` (a hand raised to the
mouth from under the chin) are not read here; lips' stripes (``occlusion.py``) read
fingers running up and down over the lips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from facecurator.detect.quality.regions import IOD, FaceRegions

#: Mouth corners (subject's right, left) and the point under the nose of the face mesh.
MOUTH_CORNERS: Final = (61, 291)
UNDER_NOSE: Final = 2
#: The patch beside each corner: from this far beyond it to that far (IOD), down to
#: PATCH_BELOW IOD under the corner.
PATCH_NEAR: Final = 0.05
PATCH_FAR: Final = 0.40
PATCH_BELOW: Final = 0.30
#: The lightness is band-passed before the gradients (difference of Gaussians of these
#: sigmas, crop px): lines 1-4 px wide remain (a finger's edge, the crease between two
#: fingers); a lighting ramp or a cheek's shading goes, and so do pixel-scale stripes
#: (a video frame's interlacing, a screen's or a print's pattern).
BAND_SIGMAS: Final = (1.0, 3.0)
#: Lines within this of the eye line (degrees) run across the face.
MAX_TILT: Final = 20.0
#: Coherence at the calibrated boundary (score 0.5). Tune split, lines within MAX_TILT:
#: clean faces <= 0.58, faces without detail labels <= 0.71, every ``half_mouth_hand``
#: variant >= 0.86; the bound sits just under the variants, away from clean faces.
COHERENCE_MAX: Final = 0.84
#: Fewer pixels than this in a patch: not read (the face's edge, a tiny crop).
MIN_PATCH_PX: Final = 20
#: How far the filters reach (crop px): OpenCV's Gaussian of sigma 3 on float planes has 25
#: taps (radius 12), the Sobel one more.
_REACH: Final = 13


@dataclass(frozen=True, slots=True)
class CheekLines:
    """The lines in one lower-cheek patch beside a mouth corner."""

    side: str
    #: 0 (no common direction) .. 1 (every gradient parallel)
    coherence: float
    #: the lines' angle from the eye line, degrees (0 = across the face, 90 = up and down)
    tilt: float

    @property
    def across(self) -> bool:
        return self.tilt <= MAX_TILT


def cheek_lines(regions: FaceRegions) -> list[CheekLines]:
    """The lines beside each mouth corner (a side whose patch falls off the crop is left out)."""
    import cv2

    pts = regions.pts
    h, w = regions.lum.shape
    top = max(0, int(pts[UNDER_NOSE][1]))
    patches: list[tuple[str, int, int, int, int]] = []  # side, rows and columns in the crop
    for side, index, outward in (("right", MOUTH_CORNERS[0], -1.0), ("left", MOUTH_CORNERS[1], 1.0)):
        cx, cy = float(pts[index][0]), float(pts[index][1])
        xa, xb = sorted((cx + outward * PATCH_NEAR * IOD, cx + outward * PATCH_FAR * IOD))
        c0, c1 = max(0, int(xa)), min(w, int(xb))
        r1 = min(h, int(cy + PATCH_BELOW * IOD))
        if c1 > c0 and r1 > top and (c1 - c0) * (r1 - top) >= MIN_PATCH_PX:
            patches.append((side, top, r1, c0, c1))
    if not patches:
        return []
    # the filters on the patches' bounding box and a margin as wide as their reach: the same
    # values as over the whole crop, at a fraction of its cost
    y0, y1 = max(0, top - _REACH), min(h, max(p[2] for p in patches) + _REACH)
    x0, x1 = max(0, min(p[3] for p in patches) - _REACH), min(w, max(p[4] for p in patches) + _REACH)
    band = np.ascontiguousarray(regions.lum[y0:y1, x0:x1])
    fine = cv2.GaussianBlur(band, (0, 0), BAND_SIGMAS[0]) - cv2.GaussianBlur(band, (0, 0), BAND_SIGMAS[1])
    gx = cv2.Sobel(fine, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(fine, cv2.CV_32F, 0, 1, ksize=3)
    out: list[CheekLines] = []
    for side, r0, r1, c0, c1 in patches:
        seen = _seen(regions, (r0, r1), (c0, c1))
        if seen is not None and np.count_nonzero(seen) < MIN_PATCH_PX:
            continue  # the face runs off the image there: the crop's replicated edge is no line
        x, y = gx[r0 - y0 : r1 - y0, c0 - x0 : c1 - x0], gy[r0 - y0 : r1 - y0, c0 - x0 : c1 - x0]
        if seen is not None:
            x, y = x[seen], y[seen]
        x, y = x.ravel().astype(np.float64), y.ravel().astype(np.float64)
        # the structure tensor's mean entries (dot products: the same sums, a fraction of the calls)
        jxx, jyy, jxy = float(x @ x) / x.size, float(y @ y) / y.size, float(x @ y) / x.size
        total = jxx + jyy
        if total <= 1e-9:
            out.append(CheekLines(side, 0.0, 90.0))
            continue
        coherence = math.sqrt((jxx - jyy) ** 2 + 4.0 * jxy * jxy) / total
        # the gradients' main direction from the vertical = the lines' angle from the horizontal
        tilt = abs(math.degrees(0.5 * math.atan2(2.0 * jxy, jyy - jxx)))
        out.append(CheekLines(side, coherence, tilt))
    return out


def _seen(regions: FaceRegions, rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray | None:
    """Which crop pixels of the patch come from inside the working image (None: all of them,
    or not known). The crop replicates the image's edge beyond it: straight streaks."""
    if regions.to_source is None or regions.source_shape is None:
        return None
    m = regions.to_source
    h, w = regions.source_shape
    # the patch's corners inside the image: all of it is (an affine map keeps it convex)
    cx = np.array([cols[0], cols[1] - 1, cols[0], cols[1] - 1], dtype=np.float64)
    cy = np.array([rows[0], rows[0], rows[1] - 1, rows[1] - 1], dtype=np.float64)
    sx, sy = m[0, 0] * cx + m[0, 1] * cy + m[0, 2], m[1, 0] * cx + m[1, 1] * cy + m[1, 2]
    if sx.min() >= 0 and sx.max() <= w - 1 and sy.min() >= 0 and sy.max() <= h - 1:
        return None
    ys, xs = np.mgrid[rows[0] : rows[1], cols[0] : cols[1]].astype(np.float64)
    sx = m[0, 0] * xs + m[0, 1] * ys + m[0, 2]
    sy = m[1, 0] * xs + m[1, 1] * ys + m[1, 2]
    return (sx >= 0) & (sx <= w - 1) & (sy >= 0) & (sy <= h - 1)


def fingers_across(regions: FaceRegions) -> CheekLines | None:
    """The side whose lower cheek shows the most coherent lines across the face (None: no
    side's lines run across it, or no side could be read)."""
    across = [lines for lines in cheek_lines(regions) if lines.across]
    return max(across, key=lambda lines: lines.coherence) if across else None


def mouth_limit(lines: CheekLines | None) -> float:
    """The mouth's visibility score can be no higher than this (1.0: no limit; 0.5 at
    ``COHERENCE_MAX``, falling to 0 at perfectly parallel lines)."""
    if lines is None:
        return 1.0
    return float(min(1.0, max(0.0, 0.5 * (1.0 - lines.coherence) / (1.0 - COHERENCE_MAX))))
