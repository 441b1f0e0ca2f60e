"""Clean faces under a colour cast (issue 18, docs/local-detector-casts.md): the skin reference
judged relative to the face's own colour (regions._under_cast) and the "unnatural face colour"
test robust to a toned print and to a cast over the whole photo (photo.py)."""

from __future__ import annotations

import math

import numpy as np

from facecurator.detect.quality import photo
from facecurator.detect.quality.regions import _judge_patches
from tests.test_quality_view import _mesh

Patch = tuple[str, np.ndarray, np.ndarray]


def _patch(name: str, light: float, chroma: float, hue: float) -> Patch:
    t = math.radians(hue)
    lab = np.array([light, chroma * math.cos(t), chroma * math.sin(t)], dtype=np.float32)
    return name, lab, np.ones((2, 2), dtype=bool)


def _face(
    cheeks: tuple[float, float, float], glabella: tuple[float, float, float], forehead: tuple[float, ...]
):
    return [
        _patch("right cheek", *cheeks),
        _patch("left cheek", cheeks[0] - 3, cheeks[1], cheeks[2] + 2),
        _patch("forehead", *forehead),
        _patch("glabella", *glabella),
    ]


def _names(judged: tuple[bool, list[Patch]] | None) -> tuple[bool, set[str]] | None:
    return None if judged is None else (judged[0], {p[0] for p in judged[1]})


def test_a_pink_cast_keeps_the_skin_as_reference_not_the_fringe() -> None:
    # the second outside check's laughing face: skin at hue -11° (pink cast), a reddish-brown
    # fringe over the forehead inside the skin hue window
    face = _face((68, 18.5, -11), (67, 18, -10), (24, 14, 40))
    assert _names(_judge_patches(face)) == (False, {"right cheek", "left cheek", "glabella"})


def test_a_cast_over_a_black_and_white_photo_is_a_toned_monochrome() -> None:
    for hue in (-114.0, -29.0, 153.0):  # blue, magenta, green over a grey face
        face = _face((80, 9, hue), (71, 8.5, hue - 3), (82, 10, hue + 2))
        assert _names(_judge_patches(face)) == (True, {"right cheek", "left cheek", "forehead", "glabella"})


def test_masks_are_not_taken_for_skin_under_a_cast() -> None:
    # a light-blue mask over the cheeks of a dark-skinned face: the glabella looks like skin,
    # nothing changes (the forehead and glabella are the skin)
    masked = _face((85, 16, -108), (40, 22, 55), (42, 20, 58))
    assert _names(_judge_patches(masked)) == (False, {"forehead", "glabella"})
    # a pink mask over the cheeks: again the glabella is skin-coloured, the mask is not skin
    pink = _face((75, 20, -8), (45, 20, 50), (47, 21, 52))
    assert _names(_judge_patches(pink)) == (False, {"forehead", "glabella"})
    # a pink cast AND a blue mask: the glabella agrees with no other patch -> no cast rule
    # (the old reading: only the fringe, as before)
    both = _face((85, 16, -108), (67, 18, -10), (24, 14, 40))
    assert _names(_judge_patches(both)) == (False, {"forehead"})


def test_a_colour_no_cast_reaches_is_not_skin() -> None:
    # a saturated blue face (paint, a render): cheeks and glabella agree, but the hue is
    # beyond any white-balance error and too saturated for a toned print
    blue = _face((60, 30, -120), (58, 29, -118), (62, 31, -121))
    assert _judge_patches(blue) is None
    # a painted face in faint greenish tones that vary over the face (the tune split's Arcane
    # painting): neither one toned colour nor a skin's chroma -> no skin reference, as before
    painted = [
        _patch("right cheek", 48, 11, 112),
        _patch("left cheek", 59, 14, 107),
        _patch("forehead", 53, 13, 122),
        _patch("glabella", 39, 11, 100),
    ]
    assert _judge_patches(painted) is None
    # a skin-coloured patch as light as the glabella: no cast (the usual reading)
    lit = _face((68, 18, -11), (67, 18, -10), (66, 20, 45))
    assert _names(_judge_patches(lit)) == (False, {"forehead"})


def _portrait(
    face_rgb: tuple[int, int, int],
    scene_rgb: tuple[int, int, int],
    lips_rgb: tuple[int, int, int] = (185, 85, 90),
    texture: float = 4.0,
) -> np.ndarray:
    """A round face (radius 60 at the centre of 400 x 400) with lips, over a flat scene."""
    rng = np.random.default_rng(7)
    img = np.empty((400, 400, 3), dtype=np.float64)
    img[:] = scene_rgb
    yy, xx = np.mgrid[0:400, 0:400]
    inside = (xx - 200) ** 2 + (yy - 200) ** 2 <= 60**2
    img[inside] = face_rgb
    img[((xx - 200) / 22.0) ** 2 + ((yy - 235) / 8.0) ** 2 <= 1] = lips_rgb
    n = int(inside.sum())
    img[inside] += rng.normal(0, 1, (n, 3)) + texture * rng.normal(0, 1, (n, 1))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _cast(rgb: np.ndarray, gains: tuple[float, float, float]) -> np.ndarray:
    lin = photo._LINEAR[rgb] * np.asarray(gains)
    c = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.clip(lin, 0, 1) ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(c * 255), 0, 255).astype(np.uint8)


def test_natural_colour_reads_a_toned_grey_face_as_monochrome() -> None:
    grey = _portrait((150, 150, 150), (90, 90, 90), lips_rgb=(110, 110, 110))
    toned = _cast(grey, (0.8, 0.92, 1.3))  # a blue-toned (cyanotype-like) print
    m = photo.photo_measures(toned, _mesh(200, 200, 60))["natural_colour"]
    assert m.value == 0.0 and m.reason == "monochrome (toned)", m


def test_natural_colour_takes_a_cast_over_the_whole_photo_out() -> None:
    skin = (185, 160, 150)
    clean = photo.photo_measures(_portrait(skin, (120, 120, 120)), _mesh(200, 200, 60))["natural_colour"]
    assert clean.value == 0.0
    # a strong blue cast over face and scene: the face alone reads unnatural (b* -14), the
    # scene (b* -19, within the cast bound) says why
    cast = _cast(_portrait(skin, (120, 120, 120)), (0.62, 0.9, 1.5))
    m = photo.photo_measures(cast, _mesh(200, 200, 60))["natural_colour"]
    assert m.value is not None and m.value <= photo.NATURAL_COLOUR_MAX, m
    assert photo.skin_distance(m.details["a"], m.details["b"]) > photo.NATURAL_COLOUR_MAX  # type: ignore[index]
    assert "balanced_a" in (m.details or {})
    # a cast beyond a realistic size (the scene at b* -22) is not taken out
    strong = _cast(_portrait(skin, (120, 120, 120)), (0.6, 0.88, 1.6))
    assert (photo.photo_measures(strong, _mesh(200, 200, 60))["natural_colour"].value or 0) > 8
    # the same blue face before a grey scene is a face colour no skin has
    blue = photo.photo_measures(_portrait((120, 140, 210), (120, 120, 120)), _mesh(200, 200, 60))
    assert (
        blue["natural_colour"].value is not None and blue["natural_colour"].value > photo.NATURAL_COLOUR_MAX
    )
    # ... and before a strongly coloured (not cast) scene too: casts of realistic size only
    green = photo.photo_measures(_portrait((120, 140, 210), (60, 160, 60)), _mesh(200, 200, 60))
    assert (
        green["natural_colour"].value is not None and green["natural_colour"].value > photo.NATURAL_COLOUR_MAX
    )


def test_scene_balance_needs_a_scene_around_the_face() -> None:
    rgb = np.full((100, 100, 3), 128, dtype=np.uint8)
    assert photo.scene_balanced(rgb, (5, 5, 95, 95), np.array([150.0, 150.0, 150.0])) is None
    a, b = photo.scene_balanced(rgb, (40, 40, 60, 60), np.array([200.0, 150.0, 125.0])) or (None, None)
    assert a is not None and b is not None and 10 < a < 25 and 15 < b < 30  # a grey scene: unchanged


def test_colour_spread_tells_a_toned_print_from_a_colour_face() -> None:
    inner = np.ones((20, 20), dtype=np.uint8)
    flat = np.full((20, 20, 3), (120, 130, 160), dtype=np.uint8)
    assert photo.colour_spread(flat, inner) < 0.5
    varied = flat.copy()
    varied[10:, :] = (190, 90, 90)  # lips
    assert photo.colour_spread(varied, inner) > photo.TONED_MAX_SPREAD
