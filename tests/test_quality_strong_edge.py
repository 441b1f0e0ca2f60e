"""Issue 18, local-v37: a reflecting lens read from a lens edge stronger than a bare face's.

A dark lens that reflects the sky, a window or the scene is lit where the eye should be:
its eye window and periocular median read like a bare eye's, so the dimming bounds of
``lens.edged_lenses`` never let its lower edge be read. ``lens.strong_lens_edges`` reads
the edge without them (where the band under at least one eye is dimmed, the cost gate),
and ``lens.strongly_edged`` counts it only when both edges are larger than any face
without sunglasses of the tuning part showed (``STRONG_EDGE_MIN``). The unit tests use
drawn lightness profiles; the detector test paints dark lenses with a bright reflection
over a real corpus portrait (docs/local-detector-strong-edge.md).
"""

# ruff: noqa: F811 - the fifth round's fixtures are imported, then requested as arguments
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw

# the fifth round's corpus portrait (fixture), detector (fixture) and helpers
from test_quality_fifth_round import _eyes, _readings, detect_one, detector, png, portrait  # noqa: F401

# the lens-edge tests' crop: a lens of a given lightness ending 0.45 IOD under both eyes
from test_quality_lens_edge import SKIN, _filter_lenses
from test_quality_lens_edge import _stepped_regions as _regions

from facecurator.detect import measures
from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import lens
from facecurator.detect.quality.eyes import EyeReading
from facecurator.domain.face import Face


def _eye(**numbers: float) -> EyeReading:
    return EyeReading(visible=1.0, open=1.0, reason="", **numbers)


#: an eye area a reflection lights (eye window and median like a bare eye's), the band under
#: the eye dimmed, but not as dark as ``BAND_DARK_LENS_L_MAX`` asks
LIT = _eye(median=0.9, bright=1.6, lens_l=0.6, contrast=1.2)


def test_a_strong_edge_under_lit_lenses_is_read_without_the_dimming_bounds() -> None:
    regions, skin = _regions(20.0)  # a dark lens: a step of 50 levels, 0.71 x the skin
    assert lens.edged_lenses(regions, skin, LIT, LIT) is None  # the dimming bounds say "bare"
    edges = lens.strong_lens_edges(regions, skin, LIT, LIT)
    assert edges is not None and min(edges) >= lens.STRONG_EDGE_MIN
    assert lens.strongly_edged(edges)
    # one eye's band dimmed is enough to read both (a reflection may light the other's bottom)
    lit_bottom = _eye(median=0.9, bright=1.6, lens_l=1.1, contrast=1.2)
    assert lens.strongly_edged(lens.strong_lens_edges(regions, skin, LIT, lit_bottom))


def test_an_edge_a_bare_face_can_show_is_not_enough() -> None:
    """The tuning part's strongest edge of a face without sunglasses (0.36: thick clear black
    frames, a deep-set eye) reads no lens; nor does any edge when it is not measured."""
    regions, skin = _regions(SKIN - 0.36 * SKIN)
    edges = lens.strong_lens_edges(regions, skin, LIT, LIT)
    assert edges is not None and 0.3 < min(edges) < lens.STRONG_EDGE_MIN, edges
    assert not lens.strongly_edged(edges)
    assert not lens.strongly_edged(None)
    # one eye without a step (a lens over one eye only is no pair of sunglasses)
    assert not lens.strongly_edged((0.7, 0.1))


def test_the_edge_is_not_measured_where_both_bands_read_bare_skin() -> None:
    """The cost gate: under both eyes the skin as light as the cheek (``EDGE_LENS_L_MAX``)."""
    regions, skin = _regions(20.0)
    bare = _eye(median=0.9, bright=1.0, lens_l=lens.EDGE_LENS_L_MAX + 0.05, contrast=0.8)
    assert lens.strong_lens_edges(regions, skin, bare, bare) is None
    assert lens.strong_lens_edges(regions, None, LIT, LIT) is None
    unread = EyeReading(visible=None, open=None, reason="turned")
    assert lens.strong_lens_edges(regions, skin, LIT, unread) is None


def _reflecting_lenses(img: Image.Image, face: Face, transmission: float = 0.2) -> Image.Image:
    """Dark filter lenses (the lens-edge tests' geometry, the light multiplied by ``transmission``)
    with a sky-blue reflection over their upper half (the selfies' commonest miss)."""
    right, left, iod = _eyes(face)
    out = _filter_lenses(img, face, transmission)
    draw = ImageDraw.Draw(out)
    for eye in (right, left):
        top = eye + np.array([0.0, 0.04 * iod]) - np.array([0.46 * iod, 0.34 * iod])
        draw.ellipse(
            [top[0] + 0.10 * iod, top[1] + 0.04 * iod, top[0] + 0.82 * iod, top[1] + 0.36 * iod],
            fill=(205, 225, 245),
        )
    return out


def test_dark_lenses_under_a_reflection_are_read_from_their_strong_edge(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    assert face.wears_sunglasses is False  # the bare portrait
    found = detect_one(detector, png(_reflecting_lenses(img, face)), "reflecting lenses")
    right, left = _readings(found)
    # the reflection lights the eye areas: the dimming bounds do not let the edge be read ...
    dimmed = all(
        e.median <= lens.EDGE_MEDIAN_MAX
        and e.lens_l <= lens.EDGE_LENS_L_MAX
        and e.bright <= lens.EDGE_BRIGHT_MAX
        for e in (right, left)
    )
    assert not dimmed and not all(e.lens_l <= lens.BAND_DARK_LENS_L_MAX for e in (right, left))
    # ... the strong edge is (``raw.quality.lens_edge`` holds the dimmed faces' edges only)
    assert found.raw["quality"]["lens_edge"] is None
    edges = found.raw["quality"]["lens_edge_strong"]
    assert edges is not None and min(edges) >= lens.STRONG_EDGE_MIN, edges
    assert found.wears_sunglasses is True and found.glasses == "sunglasses"
    assert found.raw["glasses_measure"]["reason"] != "frame line across the nose bridge"


def test_where_the_frame_test_finds_a_frame_the_strong_edge_is_not_applied(
    portrait: tuple[Image.Image, Face], detector: LocalDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lower bar of a thick frame round clear lenses steps from dark to the cheek as a lens's
    rim does (an outside check's antique wooden frame read 1.2 x the skin): where the frame test
    finds a frame line across the bridge, the strong edge alone does not make sunglasses."""
    img, face = portrait
    real = measures.glasses_measure

    def framed(*args: object, **kwargs: object) -> measures.GlassesMeasure:
        return replace(real(*args, **kwargs), verdict="glasses", reason="frame line across the nose bridge")  # type: ignore[arg-type]

    monkeypatch.setattr(measures, "glasses_measure", framed)
    found = detect_one(detector, png(_reflecting_lenses(img, face)), "reflecting lenses, a frame found")
    edges = found.raw["quality"]["lens_edge_strong"]
    assert edges is not None and min(edges) >= lens.STRONG_EDGE_MIN, edges
    assert found.glasses == "glasses" and found.wears_sunglasses is False
