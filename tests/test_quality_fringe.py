"""A fringe hanging over both eyes (``eyes.band_stripes``, ``FRINGE_MAX``), on a corpus portrait.

Calibration data: docs/local-detector-hair.md. The corpus is on CI's machine too, so this runs
with and without the gathered photos (``FACECURATOR_TRUTHSET``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facecurator.detect.quality import eyes
from tests.test_quality_beard import _detect, detector  # noqa: F401  (the detector fixture)

#: light brown hair (a blonde fringe is as light as the skin: no darkness rule can see it)
HAIR = np.array([170.0, 125.0, 70.0])


def _fringe_over_the_eyes(img: Image.Image, face: object) -> Image.Image:
    """A straight-cut fringe of vertical strands from the forehead down over the upper half
    of both eyes (its lower edge at the eye centres' height), wider than the eyes' outer
    corners: strands 2-4 px apart, each lighter or darker (seeded: the same pixels every run)."""
    marks = np.array(face.landmarks)  # type: ignore[attr-defined]
    right_eye, left_eye = marks[0], marks[1]
    iod = float(np.linalg.norm(left_eye - right_eye))
    arr = np.asarray(img).astype(np.float64)
    rng = np.random.default_rng(0)
    x0, x1 = int(right_eye[0] - 0.8 * iod), int(left_eye[0] + 0.8 * iod)
    y1 = int((right_eye[1] + left_eye[1]) / 2)
    y0 = max(0, int(y1 - 1.0 * iod))
    width = x1 - x0
    # one lightness per column (strands), smoothed over 2 px, and a little noise per pixel
    strands = rng.uniform(0.55, 1.15, width)
    strands = np.convolve(strands, np.ones(2) / 2, mode="same")
    shade = np.broadcast_to(strands, (y1 - y0, width))
    noise = rng.normal(0, 4, (y1 - y0, width, 3))
    arr[y0:y1, x0:x1] = HAIR * shade[..., None] + noise
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def fringe_img(corpus_dir: Path, detector: object) -> Image.Image:  # noqa: F811
    """The corpus portrait img14 (both eyes visible) with a fringe painted over its eyes."""
    portrait = Image.open(corpus_dir / "people/deepface_p03/img14.jpg").convert("RGB")
    face = _detect(detector, portrait, "img14")
    assert face.measures["eyes_visible"].value >= 0.5  # type: ignore[attr-defined]
    return _fringe_over_the_eyes(portrait, face)


def test_a_fringe_over_both_eyes_of_a_portrait(
    fringe_img: Image.Image,
    detector: object,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    covered = _detect(detector, fringe_img, "img14 + a fringe over the eyes")
    for side in ("right", "left"):
        reading = covered.raw["quality"]["eyes"][side]  # type: ignore[attr-defined]
        # the periocular strands rule does not see it: the fringe's straight lower edge and
        # the eye under it are horizontal edges
        assert reading["stripes"] <= eyes.VISIBLE_STRIPES_MAX, reading
        assert reading["lid_stripes"] > eyes.FRINGE_MAX * eyes.FRINGE_LID_REF, reading
        assert reading["above_stripes"] > eyes.FRINGE_MAX * eyes.FRINGE_COLUMN_REF, reading
        measure = covered.measures[f"eye_visible_{side}"]  # type: ignore[attr-defined]
        assert measure.value < 0.5 and measure.reason == eyes.REASON_FRINGE, (side, measure)
    assert covered.measures["eyes_visible"].value < 0.5  # type: ignore[attr-defined]
    # without this rule the same face reads both eyes visible: the rule is what catches it
    # (among the hand-made rules: the CLIP eyes probe of local-v45, which also reads this
    # fringe as covering the eyes, is set aside for this reading)
    monkeypatch.setattr(eyes, "FRINGE_MAX", math.inf)
    monkeypatch.setattr(detector._photo, "conditions", ())  # type: ignore[attr-defined]
    unruled = _detect(detector, fringe_img, "img14 + a fringe over the eyes, no rule")
    assert unruled.measures["eyes_visible"].value >= 0.5  # type: ignore[attr-defined]


def test_band_stripes_reads_strands_and_creases() -> None:
    """Vertical strands read a high ratio, a horizontal crease a low one, a flat box 0-ish;
    a box thinner than 3 pixels reads 0."""
    from facecurator.detect.quality.regions import IOD

    size = int(2 * IOD)
    centre = np.array([size / 2, size / 2])
    strands = np.tile(np.array([40.0, 60.0], np.float32), (size, size // 2))
    creases = np.ascontiguousarray(strands.T)
    assert eyes.band_stripes(strands, centre, eyes.LID_BAND) > 10.0
    assert eyes.band_stripes(creases, centre, eyes.LID_BAND) < 0.1
    assert eyes.band_stripes(strands, centre, (0.0, 0.01, 0.3)) == 0.0
