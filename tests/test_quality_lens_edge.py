"""Issue 18: lenses that filter the light, read from their lower edge (``lens.lens_edge_below``).

A lens that multiplies the light (a grey or brown filter, the light part of a gradient
lens) keeps the eye's own contrast behind it, so the rules that want a flat, veiled
or coloured eye area miss it; a bare eye in a shadowed socket is dimmed the same way.
What a bare face lacks is the lens's edge: under the eye, the skin through the lens
ends in a step to the lighter cheek. The unit tests check the step on drawn
lightness profiles (a step, a ramp, a thin rim line, the lower lid); the detector
test paints filter lenses in a rim on a real corpus portrait.
"""

# ruff: noqa: F811 - the fifth round's fixtures are imported, then requested as arguments
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

# the fifth round's corpus portrait (fixture), detector (fixture) and helpers
from test_quality_fifth_round import _eyes, _readings, detect_one, detector, png, portrait  # noqa: F401

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import lens
from facecurator.detect.quality.eyes import (
    EyeReading,
    dimmed_by_lenses,
    sunglasses_from_eyes,
    veiled_by_lenses,
)
from facecurator.detect.quality.regions import IOD, FaceRegions, SkinReference
from facecurator.domain.face import Face

SKIN = 70.0
CENTRE = np.array([44.8, 51.2])  # the right eye of the 128-px aligned crop


def _below(
    profile: dict[float, float] | None = None, *, ramp: tuple[float, float] | None = None
) -> np.ndarray:
    """A 128 x 128 lightness crop at the skin's lightness, with rows below the eye centre
    set by depth (IOD units): ``profile`` maps a depth to the lightness from there down
    (until the next depth); ``ramp`` rises linearly from 40 at the first depth to the skin
    at the second."""
    lum = np.full((128, 128), SKIN, dtype=np.float32)
    for y in range(128):
        depth = (y - CENTRE[1]) / IOD
        if ramp is not None and depth >= 0:
            t = min(1.0, max(0.0, (depth - ramp[0]) / (ramp[1] - ramp[0])))
            lum[y] = 40.0 + t * (SKIN - 40.0)
        for start, value in sorted((profile or {}).items()):
            if depth >= start:
                lum[y] = value
    return lum


def test_a_lens_ends_in_a_step_under_the_eye() -> None:
    # a lens (lightness 40) down to 0.45 IOD under the eye, the cheek (70) below it
    lum = _below({0.0: 40.0, 0.45: SKIN})
    assert lens.lens_edge_below(lum, CENTRE, SKIN) == pytest.approx(30 / SKIN, abs=0.01)
    assert lens.lens_edge_below(lum, CENTRE, SKIN) >= lens.LENS_EDGE_MIN
    # a lighter lens far down (0.58 IOD): still inside the depths looked at
    assert lens.lens_edge_below(_below({0.0: 55.0, 0.58: SKIN}), CENTRE, SKIN) == pytest.approx(
        15 / SKIN, abs=0.01
    )


def test_a_ramp_a_rim_line_and_the_lower_lid_are_no_lens_edge() -> None:
    # the shade of a socket brightening gradually down to the cheek (the step's 30 levels
    # over 0.75 IOD): spread over the windows, under a third of the step
    ramp = lens.lens_edge_below(_below(ramp=(0.05, 0.80)), CENTRE, SKIN)
    assert 0 < ramp < (30 / SKIN) / 3 < lens.LENS_EDGE_MIN, ramp
    # a clear lens's rim: a 2-px dark line at 0.45 IOD, the same skin on both sides
    rim_rows = {0.45: 10.0, 0.45 + 2.0 / IOD: SKIN}
    assert abs(lens.lens_edge_below(_below(rim_rows), CENTRE, SKIN)) < 0.02
    # the lower lid and a dark circle end above the depths looked at (0.36 IOD)
    assert lens.lens_edge_below(_below({0.0: 35.0, 0.25: SKIN}), CENTRE, SKIN) < 0.02
    # a lighter band above (a lens that is lighter than the cheek: a mirror) is no dark lens
    assert lens.lens_edge_below(_below({0.0: 90.0, 0.45: SKIN}), CENTRE, SKIN) <= 0.0


def _eye(**numbers: float) -> EyeReading:
    return EyeReading(visible=1.0, open=1.0, reason="", **numbers)


def _stepped_regions(lens_l: float = 40.0) -> tuple[FaceRegions, SkinReference]:
    """Regions of a crop with a lens (lightness ``lens_l``) ending 0.45 IOD under both eyes, and the skin."""
    lum = _below({0.0: lens_l, 0.45: SKIN})
    lab = np.stack([lum, np.zeros_like(lum), np.zeros_like(lum)], axis=-1)
    regions = FaceRegions(
        rgb=np.zeros((128, 128, 3), np.uint8), pts=np.zeros((478, 2)), lab=lab, source_iod=60.0
    )
    regions._centres = {"right": CENTRE, "left": CENTRE + np.array([IOD, 0.0])}
    skin = SkinReference(lab=np.array([SKIN, 0.0, 0.0]), patches=("cheeks",), monochrome=True)
    return regions, skin


def test_the_edge_is_read_only_under_dimmed_eye_areas() -> None:
    """The step is read (and costs its time) only where both eye areas are as dimmed as
    a lens dims them: a bare eye's sclera or a lit eye area says there is no lens."""
    regions, skin = _stepped_regions()
    dim = _eye(median=0.5, bright=0.6, lens_l=0.6, contrast=0.6)
    edges = lens.edged_lenses(regions, skin, dim, dim)
    assert edges is not None and min(edges) >= lens.LENS_EDGE_MIN
    for bare in (
        _eye(median=0.5, bright=0.95, lens_l=0.6, contrast=0.6),  # the sclera as bright as a bare eye's
        _eye(median=0.8, bright=0.6, lens_l=0.6, contrast=0.6),  # the eye area lit
        _eye(median=0.5, bright=0.6, lens_l=0.9, contrast=0.6),  # the skin under the eye as the cheek
    ):
        assert lens.edged_lenses(regions, skin, dim, bare) is None
    assert lens.edged_lenses(regions, None, dim, dim) is None


def test_a_reflection_in_dark_lenses_does_not_hide_their_edge() -> None:
    """A dark lens reflecting the sky or a window is lit where the eye should be (its eye
    window and periocular median read like a lit bare eye's), but the skin under the eye
    behind it stays darker against the cheek than bare skin ever is (``BAND_DARK_LENS_L_MAX``):
    the edge is read then too (local-v30)."""
    regions, skin = _stepped_regions()
    reflecting = _eye(median=0.9, bright=1.6, lens_l=0.35, contrast=1.2)
    edges = lens.edged_lenses(regions, skin, reflecting, reflecting)
    assert edges is not None and min(edges) >= lens.LENS_EDGE_MIN
    # the darkest band under a bare eye of the tuning part (0.51: dark circles) is not a lens
    circles = _eye(median=0.9, bright=1.6, lens_l=0.51, contrast=1.2)
    assert lens.edged_lenses(regions, skin, reflecting, circles) is None
    assert lens.edged_lenses(regions, skin, circles, circles) is None


def _filter_lenses(img: Image.Image, face: Face, transmission: float, *, rim: bool = True) -> Image.Image:
    """Grey filter lenses (the light multiplied by ``transmission`` in linear sRGB) in a thin
    brown rim, the truth set's ``brown_lens`` geometry."""
    right, left, iod = _eyes(face)
    cover = Image.new("L", img.size, 0)
    for eye in (right, left):
        centre, half = eye + np.array([0.0, 0.04 * iod]), np.array([0.46 * iod, 0.34 * iod])
        ImageDraw.Draw(cover).ellipse([*(centre - half), *(centre + half)], fill=255)
    c = np.asarray(img, dtype=np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lin = np.where((np.asarray(cover) > 0)[..., None], lin * transmission, lin)
    srgb = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    out = Image.fromarray(np.clip(np.rint(srgb * 255), 0, 255).astype(np.uint8))
    if rim:
        for eye in (right, left):
            centre, half = eye + np.array([0.0, 0.04 * iod]), np.array([0.46 * iod, 0.34 * iod])
            width = max(2, round(0.04 * iod))
            ImageDraw.Draw(out).ellipse(
                [*(centre - half), *(centre + half)], outline=(60, 40, 25), width=width
            )
    return out


def test_bare_eyes_have_no_lens_edge_read(portrait: tuple[Image.Image, Face]) -> None:
    _, face = portrait
    assert face.wears_sunglasses is False
    assert face.raw["quality"]["lens_edge"] is None  # bright bare eyes: not even measured


@pytest.mark.parametrize("transmission", [0.35, 0.55])
def test_grey_filter_lenses_are_read_from_their_edge(
    portrait: tuple[Image.Image, Face], detector: LocalDetector, transmission: float
) -> None:
    img, face = portrait
    found = detect_one(detector, png(_filter_lenses(img, face, transmission)), f"grey lenses {transmission}")
    right, left = _readings(found)
    # the eyes show through with their own contrast: no other lens rule reads them
    assert sunglasses_from_eyes(right, left).sunglasses is False
    assert not dimmed_by_lenses(right, left) and not veiled_by_lenses(right, left)
    tint = found.raw["quality"]["lens_tint"]
    assert tint["common"] < lens.COMMON_TINT_MIN and tint["warm"] < lens.WARM_TINT_MIN, tint
    # ... the lens's edge under both eyes does
    edges = found.raw["quality"]["lens_edge"]
    assert edges is not None and min(edges) >= lens.LENS_EDGE_MIN, edges
    assert found.wears_sunglasses is True and found.glasses == "sunglasses"


def test_clear_lenses_in_the_same_rim_are_no_sunglasses(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    found = detect_one(detector, png(_filter_lenses(img, face, 0.97)), "clear lenses in a rim")
    assert found.wears_sunglasses is False, found.raw["quality"].get("lens_edge")
