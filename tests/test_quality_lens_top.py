"""Issue 18: gradient lenses, read from their dark top and a lower rim across the eye
(``lens.lens_top``, ``lens.rim_edge``, ``lens.lenses_from_edges``).

A gradient lens is dark at the top and light at the bottom: the step at its lower edge
is smaller than a uniform lens's (under ``LENS_EDGE_MIN``), but it darkens the upper lid
that a bare eye shows as skin, and its lower rim crosses the whole eye. A shaded socket
or a dark circle darkens the upper lid too, but its lower line is a crescent under the
pupil that fades towards the eye's corners. Drawn lightness crops (the aligned crop's
geometry) check each reading and the decision.
"""

from __future__ import annotations

import numpy as np

from facecurator.detect.quality import lens
from facecurator.detect.quality.regions import IOD, FaceRegions, SkinReference

SKIN = 70.0
RIGHT = np.array([44.8, 51.2])  # the eye centres of the 128-px aligned crop
LEFT = RIGHT + np.array([IOD, 0.0])


def _crop(*, top: float, bottom: float, half: float = 0.45, rim: float = 0.45) -> np.ndarray:
    """A 128 x 128 lightness crop at the skin's lightness with, around each eye, a lens of
    lightness ``top`` from 0.45 IOD above the centre down to it (within 0.45 IOD of the centre
    across) and ``bottom`` from the centre down to ``rim`` IOD under it within ``half`` IOD
    across (the cheek below and beside)."""
    lum = np.full((128, 128), SKIN, dtype=np.float32)
    ys, xs = np.mgrid[0:128, 0:128].astype(np.float64)
    for centre in (RIGHT, LEFT):
        dx, dy = (xs - centre[0]) / IOD, (ys - centre[1]) / IOD
        lum[(np.abs(dx) <= 0.45) & (dy >= -0.45) & (dy < 0.0)] = top
        lum[(np.abs(dx) <= half) & (dy >= 0.0) & (dy < rim)] = bottom
    return lum


def _regions(lum: np.ndarray) -> FaceRegions:
    lab = np.stack([lum, np.zeros_like(lum), np.zeros_like(lum)], axis=-1)
    regions = FaceRegions(
        rgb=np.zeros((128, 128, 3), np.uint8), pts=np.zeros((478, 2)), lab=lab, source_iod=60.0
    )
    regions._centres = {"right": RIGHT, "left": LEFT}
    return regions


SKIN_REF = SkinReference(lab=np.array([SKIN, 0.0, 0.0]), patches=("cheeks",), monochrome=True)
#: a lens bottom whose step to the cheek is 0.18 of the skin: between the two edge bounds
BOTTOM = SKIN * (1 - 0.18)


def _decide(lum: np.ndarray) -> tuple[bool, tuple[float, float] | None]:
    regions = _regions(lum)
    edges = (
        lens.lens_edge_below(regions.lum, RIGHT, SKIN),
        lens.lens_edge_below(regions.lum, LEFT, SKIN),
    )
    return lens.lenses_from_edges(regions, SKIN_REF, edges)


def test_the_bounds_are_ordered() -> None:
    assert lens.RIM_EDGE_MIN < lens.TOP_EDGE_MIN < 0.18 < lens.LENS_EDGE_MIN
    assert lens.LENS_TOP_MAX < 0.59  # the clean tune faces' p5


def test_a_bare_upper_lid_reads_as_skin_a_lens_top_dark() -> None:
    bare = np.full((128, 128), SKIN, dtype=np.float32)
    # a lash line (2 px) and a crease (1 px) above the eye: the third quartile is the skin
    bare[round(RIGHT[1] - 0.11 * IOD) : round(RIGHT[1] - 0.11 * IOD) + 2] = 15.0
    bare[round(RIGHT[1] - 0.25 * IOD)] = 35.0
    assert lens.lens_top(bare, RIGHT, SKIN) > 0.95
    dark = _crop(top=25.0, bottom=BOTTOM)
    assert abs(lens.lens_top(dark, RIGHT, SKIN) - 25.0 / SKIN) < 0.02
    assert lens.lens_top(dark, RIGHT, SKIN) <= lens.LENS_TOP_MAX


def test_a_rim_across_the_eye_and_a_crescent_under_the_pupil() -> None:
    across = _regions(_crop(top=25.0, bottom=BOTTOM))
    assert abs(lens.rim_edge(across, SKIN_REF) - 0.18) < 0.02
    # the step only within 0.16 IOD of the pupil: the central block reads it, the
    # inner and outer blocks do not
    crescent = _regions(_crop(top=25.0, bottom=BOTTOM, half=0.16))
    assert lens.lens_edge_below(crescent.lum, RIGHT, SKIN) >= lens.TOP_EDGE_MIN
    assert lens.rim_edge(crescent, SKIN_REF) < lens.RIM_EDGE_MIN


def test_a_gradient_lens_is_sunglasses() -> None:
    edged, tops = _decide(_crop(top=25.0, bottom=BOTTOM))
    assert edged is True
    assert tops is not None and max(tops) <= lens.LENS_TOP_MAX


def test_the_weaker_edge_needs_the_dark_top_and_the_rim() -> None:
    # the same lower edge under lit upper lids (a bare eye with a dark circle's line)
    assert _decide(_crop(top=SKIN, bottom=BOTTOM))[0] is False
    # a dark top and a crescent of shade under the pupil (a deep socket)
    edged, tops = _decide(_crop(top=25.0, bottom=BOTTOM, half=0.16))
    assert edged is False and tops is not None and max(tops) <= lens.LENS_TOP_MAX
    # a dark top, a rim across, but a step under TOP_EDGE_MIN
    assert _decide(_crop(top=25.0, bottom=SKIN * (1 - 0.12)))[0] is False


def test_a_strong_edge_alone_is_sunglasses_and_nothing_unmeasured() -> None:
    # a uniform lens: both edges over LENS_EDGE_MIN, the top is not needed (not read)
    assert _decide(_crop(top=SKIN, bottom=SKIN * 0.6)) == (True, None)
    regions = _regions(_crop(top=25.0, bottom=BOTTOM))
    assert lens.lenses_from_edges(regions, SKIN_REF, None) == (False, None)
    assert lens.lenses_from_edges(regions, None, (0.5, 0.5)) == (False, None)
