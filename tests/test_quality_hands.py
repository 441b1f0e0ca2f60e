"""A hand over half the mouth from below (``detect/quality/hands.py``), on a corpus portrait.

Calibration data: docs/local-detector-hands.md. The corpus is on CI's machine too, so these
run with and without the gathered photos (``FACECURATOR_TRUTHSET``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facecurator.detect.quality import hands
from tests.helpers.fingers import cheek_colour, paint_fingers
from tests.test_quality_beard import _detect, detected_portrait, detector  # noqa: F401  (the detector fixture)


def _fingers_from_below(img: Image.Image, face: object) -> Image.Image:
    """Four upright fingers of the cheek's colour (rounded shading, dark creases between them)
    from 0.12 IOD past the mouth's centre over the subject's left half and beyond its corner,
    from between the nose and the mouth down past the chin: a hand raised from below."""
    marks = np.array(face.landmarks)  # type: ignore[attr-defined]
    right_eye, left_eye, nose, mouth_right, mouth_left = marks[:5]
    iod = float(np.linalg.norm(left_eye - right_eye))
    mouth = (mouth_right + mouth_left) / 2
    arr = np.asarray(img).astype(np.float64)
    sign = 1.0 if mouth_left[0] > mouth_right[0] else -1.0
    start, width = mouth[0] - sign * 0.12 * iod, 0.22 * iod
    top = nose[1] + 0.3 * (mouth[1] - nose[1])

    def band(k: int, yy: np.ndarray, xx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = sorted((start + sign * k * width, start + sign * (k + 1) * width))
        inside = (xx >= a) & (xx < b) & (yy >= top + k * 0.05 * iod) & (yy < mouth[1] + 1.2 * iod)
        return inside, (xx - a) / (b - a)

    return paint_fingers(arr, cheek_colour(arr, left_eye, iod), 4, band, edge=0.6)


def test_a_hand_from_below_over_half_the_mouth_of_a_portrait(
    corpus_dir: Path,
    detector: object,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    img, bare = detected_portrait(corpus_dir, detector)
    occ = bare.raw["quality"]["occlusion"]  # type: ignore[attr-defined]
    assert occ["hand_score"] < hands.SCORE_MAX, occ
    assert bare.measures["mouth_visible"].value >= 0.5  # type: ignore[attr-defined]
    covered_img = _fingers_from_below(img, bare)
    covered = _detect(detector, covered_img, "img14 + fingers from below")
    occ = covered.raw["quality"]["occlusion"]  # type: ignore[attr-defined]
    # upright fingers: no lines across the cheek (fingers.py does not read them)
    assert occ.get("cheek_lines") is None or occ["cheek_lines"] < 0.84, occ
    assert occ["hand_score"] > hands.SCORE_MAX, occ
    mouth = covered.measures["mouth_visible"]  # type: ignore[attr-defined]
    assert mouth.value < 0.5 and mouth.reason == "covered?"
    assert covered.measures["nose_mouth_visible"].value < 0.5  # type: ignore[attr-defined]
    # without this rule (and the slant rule of local-v42, which reads these fingers' edges
    # too) the same face reads its mouth visible: the hand rules are what catch it
    monkeypatch.setattr(hands, "SCORE_MAX", math.inf)
    monkeypatch.setattr(hands, "SKEW_SCORE_MAX", math.inf)
    unruled = _detect(detector, covered_img, "img14 + fingers from below, no hand rule")
    assert unruled.measures["mouth_visible"].value >= 0.5  # type: ignore[attr-defined]


def _fingers_at_a_slant(img: Image.Image, face: object) -> Image.Image:
    """Four fingers of the cheek's colour at 45 degrees from the face's up (from below and
    outside the subject's left half), their tips 0.1 IOD past the mouth's centre: the lips'
    right corner seen, the rest under fingers whose edges cross the lips at a slant."""
    marks = np.array(face.landmarks)  # type: ignore[attr-defined]
    right_eye, left_eye, _, mouth_right, mouth_left = marks[:5]
    iod = float(np.linalg.norm(left_eye - right_eye))
    arr = np.asarray(img).astype(np.float64)
    sign = 1.0 if mouth_left[0] > mouth_right[0] else -1.0
    tip = (mouth_right + mouth_left) / 2 - np.array([sign * 0.1 * iod, 0.0])
    axis = np.array([-sign, -1.0]) / math.sqrt(2.0)  # towards the fingertips
    normal = np.array([axis[1], -axis[0]])
    count, width = 4, 0.22 * iod

    def band(k: int, yy: np.ndarray, xx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        along = (xx - tip[0]) * axis[0] + (yy - tip[1]) * axis[1]
        across = (xx - tip[0]) * normal[0] + (yy - tip[1]) * normal[1]
        a = (k - count / 2) * width
        reach = -abs(k - (count - 1) / 2) * 0.06 * iod  # the middle fingers reach furthest
        inside = (across >= a) & (across < a + width) & (along <= reach) & (along > -1.6 * iod)
        return inside, (across - a) / width

    return paint_fingers(arr, cheek_colour(arr, left_eye, iod), count, band, edge=0.6)


@pytest.mark.parametrize("mirrored", [False, True], ids=["slant-right", "slant-left"])
def test_fingers_at_a_slant_over_half_the_mouth_of_a_portrait(
    corpus_dir: Path,
    detector: object,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    mirrored: bool,
) -> None:
    """The six-feature score leaves slanted fingers over half the mouth under its bound; the
    lips' slanted lines (``lips_skew``, local-v42) read them, whichever way they slant."""
    img = Image.open(corpus_dir / "people/deepface_p03/img14.jpg").convert("RGB")
    if mirrored:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    bare = _detect(detector, img, "img14")
    occ = bare.raw["quality"]["occlusion"]  # type: ignore[attr-defined]
    assert occ["skew_score"] < hands.SKEW_SCORE_MAX and occ["lips_skew"] < 0.1, occ
    assert bare.measures["mouth_visible"].value >= 0.5  # type: ignore[attr-defined]
    covered_img = _fingers_at_a_slant(img, bare)
    covered = _detect(detector, covered_img, "img14 + fingers at a slant")
    occ = covered.raw["quality"]["occlusion"]  # type: ignore[attr-defined]
    assert occ["hand_score"] < hands.SCORE_MAX, occ  # the six features alone miss it
    assert occ.get("cheek_lines") is None or occ["cheek_lines"] < 0.84, occ
    assert occ["lips_skew"] > 0.25 and occ["skew_score"] > hands.SKEW_SCORE_MAX, occ
    mouth = covered.measures["mouth_visible"]  # type: ignore[attr-defined]
    assert mouth.value < 0.5 and mouth.reason == "covered?"
    assert covered.measures["nose_mouth_visible"].value < 0.5  # type: ignore[attr-defined]
    # without the slant rule the same face reads its mouth visible
    monkeypatch.setattr(hands, "SKEW_SCORE_MAX", math.inf)
    unruled = _detect(detector, covered_img, "img14 + fingers at a slant, no slant rule")
    assert unruled.measures["mouth_visible"].value >= 0.5  # type: ignore[attr-defined]


def test_the_lips_skew_reads_slanted_lines_not_level_or_upright_ones() -> None:
    """``lips_skew`` on a synthetic crop: stripes along the mouth or across it 0, stripes at 45
    degrees to it either way near 1; a mouth tilted by 20 degrees (a crooked mouth, a tilted
    head) with its lines along it reads 0, as a level one does."""
    from facecurator.detect.quality.regions import LIPS, SIDE, FaceRegions

    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)

    def skew(lines: np.ndarray, tilt: float = 0.0) -> float:
        # the lips' outline an ellipse whose first point (61) and eleventh (291) are its corners
        ring = np.linspace(0, 2 * math.pi, len(LIPS), endpoint=False)
        c, s = math.cos(math.radians(tilt)), math.sin(math.radians(tilt))
        u, v = 20 * np.cos(ring), 10 * np.sin(ring)
        pts = np.zeros((478, 2))
        pts[list(LIPS)] = np.c_[64 + c * u - s * v, 96 + s * u + c * v]
        lum = (50 + 20 * np.sin(2 * math.pi * lines / 6)).astype(np.float32)
        lab = np.dstack([lum, np.zeros_like(lum), np.zeros_like(lum)])
        crop = FaceRegions(rgb=np.zeros((SIDE, SIDE, 3), np.uint8), pts=pts, lab=lab, source_iod=40.0)
        value = hands.lips_skew(crop)
        assert value is not None
        return value

    assert skew(yy) < 0.02 and skew(xx) < 0.02
    assert skew((xx + yy) / math.sqrt(2)) > 0.95 and skew((xx - yy) / math.sqrt(2)) > 0.95
    t = math.radians(20.0)
    along = -math.sin(t) * xx + math.cos(t) * yy  # lines along a mouth tilted by 20 degrees
    assert skew(along, tilt=20.0) < 0.1  # (Sobel and the rounded outline: not quite 0)
    assert skew(along) > 0.6  # the same lines over a level mouth slant against it


def test_the_mouth_limit_falls_through_half_at_the_bound() -> None:
    assert hands.mouth_limit(None) == 1.0
    assert hands.mouth_limit(hands.SCORE_MAX) == pytest.approx(0.5)
    below, above = hands.mouth_limit(hands.SCORE_MAX - 1.0), hands.mouth_limit(hands.SCORE_MAX + 1.0)
    assert below > 0.5 > above
    assert hands.mouth_limit(1e6) == pytest.approx(0.0, abs=1e-12)
    assert hands.mouth_limit(hands.SKEW_SCORE_MAX, hands.SKEW_SCORE_MAX) == pytest.approx(0.5)


def test_the_score_weighs_the_features_as_documented() -> None:
    """At the clean faces' mean every standardised feature is 0: the score is the bias; less
    lip colour on a half raises it, more raises none."""
    mean = dict(zip(hands.FEATURES, hands.MEAN, strict=True))
    assert hands.hand_score(mean) == pytest.approx(hands.BIAS)
    pale = {**mean, "side_red_min": mean["side_red_min"] - 2 * hands.SCALE[0]}
    assert hands.hand_score(pale) > hands.hand_score(mean)
    striped = {**mean, "lips_stripes": mean["lips_stripes"] + 2 * hands.SCALE[2]}
    assert hands.hand_score(striped) > hands.hand_score(mean)
    # the seven-feature score: at its mean the bias; a slant across the lips raises it
    mean7 = dict(zip(hands.SKEW_FEATURES, hands.SKEW_MEAN, strict=True))
    skew = mean7.pop("lips_skew")
    assert hands.skew_score(mean7, skew) == pytest.approx(hands.SKEW_BIAS)
    assert hands.skew_score(mean7, skew + 2 * hands.SKEW_SCALE[-1]) > hands.skew_score(mean7, skew)
