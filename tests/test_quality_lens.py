"""Issue 18: tinted lenses read from their colour (``facecurator.detect.quality.lens``).

A lens as light as the skin under it (a light tint over dark skin, where the eye
whites are no brighter than the lens) dims nothing: the lightness-based lens rules
of ``eyes`` miss it. The lens rule reads the one filter colour it puts over both
eye areas. The detector test makes such a lens on a real corpus portrait and
asserts that every other lens rule's numbers stay on their passing side, so only
the colour rule can catch it.
"""

# ruff: noqa: F811 - the fifth round's fixtures are imported, then requested as arguments
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

# the fifth round's corpus portrait (fixture), detector (fixture) and see-through lenses
# (the truth set's ``tinted`` geometry)
from test_quality_fifth_round import _lenses, _readings, detect_one, detector, png, portrait  # noqa: F401

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import eyes, lens
from facecurator.detect.quality.eyes import sunglasses_from_eyes
from facecurator.domain.face import Face


def _turn(v: tuple[float, float], degrees: float) -> list[float]:
    t = np.radians(degrees)
    return [v[0] * np.cos(t) - v[1] * np.sin(t), v[0] * np.sin(t) + v[1] * np.cos(t)]


def test_four_parallel_shifts_are_one_lens_colour() -> None:
    green = (-12.0, 9.0)  # 15 a*b* units
    same = lens.common_tint(np.array([green, green, [-11.0, 9.5], [-12.5, 8.0]]))
    assert same.common == pytest.approx(14.5, abs=0.1) and same.agreement > 0.99
    assert same.tinted
    # bare eyes: small shifts towards grey, whatever their agreement
    bare = lens.common_tint(np.array([[-4.0, -6.0], [-4.0, -6.0], [-3.0, -5.0], [-5.0, -7.0]]))
    assert bare.agreement > 0.99 and not bare.tinted
    # one lens area short of the bound (one eye only, or make-up above the eyes only)
    assert not lens.common_tint(np.array([green, green, green, [-4.0, 3.0]])).tinted
    # long shifts in different directions (JPEG colour noise): no common filter colour
    rotated = lens.common_tint(np.array([green, green, _turn(green, 55), _turn(green, 55)]))
    assert rotated.common >= lens.COMMON_TINT_MIN, rotated
    assert rotated.agreement < lens.COMMON_TINT_AGREEMENT_MIN and not rotated.tinted
    # three areas alike and one far off: the one that disagrees decides
    strong = (-20.0, 15.0)  # 25 a*b* units
    odd = lens.common_tint(np.array([strong, strong, strong, _turn(strong, 60)]))
    assert odd.common >= lens.COMMON_TINT_MIN and odd.agreement < 0.75 and not odd.tinted, odd
    # nothing shifted at all
    assert lens.common_tint(np.zeros((4, 2))) == lens.LensTint()


def test_a_lens_of_the_skin_hue_saturates_all_four_areas() -> None:
    skin = np.array([12.0, 16.0])  # chroma 20, hue 53 degrees
    along = skin / 20.0
    warmer = np.array([9.0 * along, 8.5 * along, 8.0 * along, 10.0 * along])
    reading = lens.common_tint(warmer, skin)
    assert reading.warm == pytest.approx(8.0) and reading.common < lens.COMMON_TINT_MIN
    assert reading.tinted
    # the same shifts towards grey (bare eye areas): not a lens
    assert not lens.common_tint(-warmer, skin).tinted
    # one area not more saturated (a lens over one eye, make-up above the eyes only)
    assert not lens.common_tint(np.array([*warmer[:3], 2.0 * along]), skin).tinted
    # grey skin has no hue to compare with
    grey = lens.common_tint(warmer, np.array([3.0, 4.0]))
    assert grey.warm == 0.0 and not grey.tinted


def test_bounds_are_inclusive() -> None:
    v = (lens.COMMON_TINT_MIN, 0.0)
    assert lens.common_tint(np.array([v, v, v, v])).tinted
    w = (lens.COMMON_TINT_MIN - 0.01, 0.0)
    assert not lens.common_tint(np.array([w, w, w, w])).tinted


# --------------------------------------------------------------------------- on a real face


def _lens_colour(face: Face, kind: str) -> tuple[int, int, int]:
    """A lens colour as light as the face's cheeks (a lens that dims nothing): a green
    (a* -25, b* +20), or the skin's own hue three times as saturated (a peach lens)."""
    import cv2

    light, a, b = face.raw["quality"]["skin"]["cheeks"]
    ab = (-25, 20) if kind == "green" else (round(3 * a), round(3 * b))
    lab = np.array([[[round(light * 255 / 100), 128 + ab[0], 128 + ab[1]]]], dtype=np.uint8)
    r, g, bl = (int(v) for v in cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)[0, 0])
    return r, g, bl


def test_bare_eyes_show_no_lens_colour(portrait: tuple[Image.Image, Face]) -> None:
    _, face = portrait
    bare = face.raw["quality"]["lens_tint"]
    assert face.wears_sunglasses is False
    assert bare["common"] < lens.COMMON_TINT_MIN / 2, bare
    assert bare["warm"] < 0, bare  # bare eye areas are greyer than the cheeks


@pytest.mark.parametrize(("kind", "opacity"), [("green", 150), ("peach", 130)])
def test_a_lens_as_light_as_the_skin_is_read_from_its_colour(
    portrait: tuple[Image.Image, Face], detector: LocalDetector, kind: str, opacity: int
) -> None:
    img, face = portrait
    tinted = _lenses(img, face, _lens_colour(face, kind), opacity)
    found = detect_one(detector, png(tinted), f"{kind} lenses as light as the skin")
    read = found.raw["quality"]["eyes"]
    # every lightness-based rule passes the face: the eye windows are as bright as the
    # skin (tint and dimmed rules), the band under the eyes is not darker than the cheek
    assert min(read[s]["bright"] for s in read) >= max(eyes.TINT_BRIGHT_MAX, eyes.DIMMED_BRIGHT_MAX), read
    assert min(read[s]["lens_l"] for s in read) > eyes.LENS_L_MAX, read
    assert sunglasses_from_eyes(*_readings(found)).sunglasses is False
    # ... the colour rule does not: a green lens by its common shift, a lens of the
    # skin's hue (too short a shift for that) by its shift along the skin's hue
    tint = found.raw["quality"]["lens_tint"]
    common = tint["common"] >= lens.COMMON_TINT_MIN and tint["agreement"] >= lens.COMMON_TINT_AGREEMENT_MIN
    warm = tint["warm"] >= lens.WARM_TINT_MIN
    assert (common, warm) == ((True, False) if kind == "green" else (False, True)), tint
    assert found.wears_sunglasses is True and found.glasses == "sunglasses"
