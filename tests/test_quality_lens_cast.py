"""Issue 18: brown and amber lenses read from their colour cast (``lens_cast.filter_cast``).

A brown filter takes blue out of everything behind it: the eye's white turns as yellow
as the skin, the skin under the eye yellower than the cheek below. Bare sclera is bluer
than skin and dark circles are bluer than the cheek. The unit tests draw an eye (white,
iris, skin, the band under it) on a 128-px aligned crop and lay filters over it; the
detector test lays an amber filter that no other lens rule reads over a corpus portrait.
"""

# ruff: noqa: F811 - the fifth round's fixtures are imported, then requested as arguments
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

# the fifth round's corpus portrait (fixture), detector (fixture) and helpers
from test_quality_fifth_round import _eyes, detect_one, detector, png, portrait  # noqa: F401

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import lens, lens_cast
from facecurator.detect.quality.base import LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR
from facecurator.detect.quality.eyes import EyeReading
from facecurator.detect.quality.regions import IOD, FaceRegions, SkinReference, face_regions
from facecurator.domain.face import Face

CENTRES = {"right": np.array([44.8, 51.2]), "left": np.array([83.2, 51.2])}
SKIN_RGB = (196, 150, 124)
SCLERA_RGB = (228, 226, 232)  # the white of an eye: a little bluer than neutral
IRIS_RGB = (70, 50, 40)
CIRCLE = (0.93, 0.90, 0.97)  # a dark circle under a bare eye: darker, a little violet
AMBER = (0.85, 0.55, 0.25)  # a brown lens's transmission per channel (linear light)


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_srgb(lin: np.ndarray) -> np.ndarray:
    s = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.maximum(lin, 0) ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(s * 255), 0, 255)


def _filtered(img: np.ndarray, mask: np.ndarray, transmission: tuple[float, float, float]) -> np.ndarray:
    """``img`` with the light inside ``mask`` multiplied per channel (linear sRGB)."""
    lin = _to_linear(img.astype(np.float64))
    lin = np.where(mask[..., None], lin * np.array(transmission), lin)
    return _to_srgb(lin).astype(np.uint8)


def _eye_crop(
    *, lens: tuple[float, float, float] | None = None, under: tuple[float, float, float] | None = None
) -> FaceRegions:
    """A 128-px aligned crop: skin, two open eyes (an ellipse of white with a dark iris, the
    mesh's eye contours on its outline), dark circles under them; ``lens``: a filter over an
    ellipse around each eye reaching 0.40 IOD under it (the cheek band below stays bare);
    ``under``: a filter over the skin under each eye only (make-up, a warm reflection)."""
    img = np.zeros((128, 128, 3), np.uint8)
    img[:] = SKIN_RGB
    pts = np.zeros((478, 2))
    for side, contour in (("right", RIGHT_EYE_CONTOUR), ("left", LEFT_EYE_CONTOUR)):
        cx, cy = CENTRES[side]
        band = np.zeros((128, 128), bool)
        band[
            round(cy + 0.10 * IOD) : round(cy + 0.30 * IOD), round(cx - 0.3 * IOD) : round(cx + 0.3 * IOD)
        ] = True
        img = _filtered(img, band, CIRCLE)
        if under is not None:
            img = _filtered(img, band, under)
        opening = Image.new("L", (128, 128), 0)
        half = (0.26 * IOD, 0.10 * IOD)
        ImageDraw.Draw(opening).ellipse([cx - half[0], cy - half[1], cx + half[0], cy + half[1]], fill=1)
        img[np.asarray(opening, bool)] = SCLERA_RGB
        yy, xx = np.mgrid[0:128, 0:128]
        img[(xx - cx) ** 2 + (yy - cy) ** 2 <= (0.09 * IOD) ** 2] = IRIS_RGB
        angles = np.linspace(0, 2 * np.pi, len(contour), endpoint=False)
        for i, angle in zip(contour, angles, strict=True):
            pts[i] = (cx + 1.15 * half[0] * np.cos(angle), cy + 1.15 * half[1] * np.sin(angle))
    if lens is not None:
        cover = Image.new("L", (128, 128), 0)
        for cx, cy in CENTRES.values():
            ImageDraw.Draw(cover).ellipse(
                [cx - 0.45 * IOD, cy - 0.30 * IOD, cx + 0.45 * IOD, cy + 0.40 * IOD], fill=1
            )
        img = _filtered(img, np.asarray(cover, bool), lens)
    mesh = np.hstack([pts, np.zeros((478, 1))])
    return face_regions(img, mesh, aligned=(img, pts))


def _skin(regions: FaceRegions) -> SkinReference:
    """The skin as the cheeks would read it: the bare skin's median CIELAB colour."""
    lab = regions.lab[100:110, 10:20].reshape(-1, 3)
    return SkinReference(lab=np.median(lab, axis=0), monochrome=False, patches=("right cheek",))


def _eye() -> EyeReading:
    return EyeReading(visible=1.0, open=1.0, reason="")


def test_blue_absorption_is_zero_for_grey_and_positive_for_yellow() -> None:
    assert lens_cast.blue_absorption(np.array([128, 128, 128])) == pytest.approx(0.0)
    assert lens_cast.blue_absorption(np.array([200, 160, 80])) == pytest.approx(np.log(2.0))
    # a black pixel is floored, not divided by zero
    assert lens_cast.blue_absorption(np.array([0, 0, 0])) == pytest.approx(0.0)


def test_bare_eyes_are_bluer_than_the_skin_around_them() -> None:
    regions = _eye_crop()
    skin = _skin(regions)
    bands = lens_cast.band_casts(regions)
    assert bands is not None and max(bands) < 0  # dark circles are violet, not yellow
    for side in ("right", "left"):
        white = lens_cast.sclera_cast(regions, side, skin)
        assert white is not None and white < -0.1  # the white of the eye is bluer than skin
    cast = lens_cast.filter_cast(regions, skin, _eye(), _eye())
    assert cast is not None and cast < 0


def test_a_brown_filter_takes_blue_out_of_the_white_and_the_skin_under_the_eye() -> None:
    regions = _eye_crop(lens=AMBER)
    skin = _skin(regions)
    bands = lens_cast.band_casts(regions)
    assert bands is not None and min(bands) >= lens_cast.CAST_MIN
    for side in ("right", "left"):
        white = lens_cast.sclera_cast(regions, side, skin)
        assert white is not None and white >= lens_cast.CAST_MIN
    cast = lens_cast.filter_cast(regions, skin, _eye(), _eye())
    assert cast is not None and cast >= lens_cast.CAST_MIN
    # a grey filter of the same darkness casts no colour
    grey = _eye_crop(lens=(0.6, 0.6, 0.6))
    grey_cast = lens_cast.filter_cast(grey, _skin(grey), _eye(), _eye())
    assert grey_cast is not None and grey_cast < lens_cast.CAST_MIN


def test_a_warm_patch_under_the_eyes_is_no_lens_while_the_whites_stay_white() -> None:
    """Make-up or a warm reflection under both eyes shifts the bands like a lens does; the
    eyes' whites, bluer than the skin as ever, say there is no filter over them."""
    regions = _eye_crop(under=AMBER)
    bands = lens_cast.band_casts(regions)
    assert bands is not None and min(bands) >= lens_cast.CAST_MIN
    cast = lens_cast.filter_cast(regions, _skin(regions), _eye(), _eye())
    assert cast is not None and cast < 0


def test_the_white_is_read_only_where_both_bands_show_a_cast(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bands are read first (cheap); the eye opening only when both reach ``CAST_MIN``."""
    bare = _eye_crop()

    def no_reading(*_: object) -> float:
        raise AssertionError("the sclera was read on a face whose bands show no cast")

    monkeypatch.setattr(lens_cast, "sclera_cast", no_reading)
    cast = lens_cast.filter_cast(bare, _skin(bare), _eye(), _eye())
    bands = lens_cast.band_casts(bare)
    assert bands is not None and cast == pytest.approx(min(bands))


def test_no_cast_is_read_without_colour_skin_or_both_eyes() -> None:
    regions = _eye_crop(lens=AMBER)
    skin = _skin(regions)
    grey_skin = SkinReference(lab=skin.lab, monochrome=True, patches=("right cheek",))
    unseen = EyeReading(visible=None, open=None, reason="face too small")
    assert lens_cast.filter_cast(regions, None, _eye(), _eye()) is None
    assert lens_cast.filter_cast(regions, grey_skin, _eye(), _eye()) is None
    assert lens_cast.filter_cast(regions, skin, unseen, _eye()) is None


def _amber_lenses(img: Image.Image, face: Face, transmission: tuple[float, float, float]) -> Image.Image:
    """Filter lenses without a rim (the truth set's ``brown_lens`` ellipses)."""
    right, left, iod = _eyes(face)
    cover = Image.new("L", img.size, 0)
    for eye in (right, left):
        centre, half = eye + np.array([0.0, 0.04 * iod]), np.array([0.46 * iod, 0.34 * iod])
        ImageDraw.Draw(cover).ellipse([*(centre - half), *(centre + half)], fill=255)
    out = _filtered(np.asarray(img.convert("RGB")), np.asarray(cover) > 0, transmission)
    return Image.fromarray(out)


def test_the_bare_portrait_reads_no_cast(portrait: tuple[Image.Image, Face]) -> None:
    _, face = portrait
    cast = face.raw["quality"]["lens_cast"]
    assert face.wears_sunglasses is False and cast is not None and cast < 0, cast


def test_amber_lenses_that_only_their_cast_gives_away(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    found = detect_one(detector, png(_amber_lenses(img, face, (0.7, 0.6, 0.42))), "amber lenses")
    quality = found.raw["quality"]
    # light and of the skin's own hue: the colour, darkness and edge rules read nothing ...
    tint = quality["lens_tint"]
    assert tint["common"] < lens.COMMON_TINT_MIN and tint["warm"] < lens.WARM_TINT_MIN, tint
    assert quality["lens_edge"] is None
    # ... the blue they take out of the eyes' whites and the skin under the eyes does
    assert quality["lens_cast"] >= lens_cast.CAST_MIN, quality["lens_cast"]
    assert found.wears_sunglasses is True and found.glasses == "sunglasses"
    # grey lenses as light cast nothing
    grey = detect_one(detector, png(_amber_lenses(img, face, (0.6, 0.6, 0.6))), "grey lenses")
    assert grey.raw["quality"]["lens_cast"] < lens_cast.CAST_MIN
