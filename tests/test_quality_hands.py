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
    # without this rule the same face reads its mouth visible: the rule is what catches it
    monkeypatch.setattr(hands, "SCORE_MAX", math.inf)
    unruled = _detect(detector, covered_img, "img14 + fingers from below, no hand rule")
    assert unruled.measures["mouth_visible"].value >= 0.5  # type: ignore[attr-defined]


def test_the_mouth_limit_falls_through_half_at_the_bound() -> None:
    assert hands.mouth_limit(None) == 1.0
    assert hands.mouth_limit(hands.SCORE_MAX) == pytest.approx(0.5)
    below, above = hands.mouth_limit(hands.SCORE_MAX - 1.0), hands.mouth_limit(hands.SCORE_MAX + 1.0)
    assert below > 0.5 > above
    assert hands.mouth_limit(1e6) == pytest.approx(0.0, abs=1e-12)


def test_the_score_weighs_the_features_as_documented() -> None:
    """At the clean faces' mean every standardised feature is 0: the score is the bias; less
    lip colour on a half raises it, more raises none."""
    mean = dict(zip(hands.FEATURES, hands.MEAN, strict=True))
    assert hands.hand_score(mean) == pytest.approx(hands.BIAS)
    pale = {**mean, "side_red_min": mean["side_red_min"] - 2 * hands.SCALE[0]}
    assert hands.hand_score(pale) > hands.hand_score(mean)
    striped = {**mean, "lips_stripes": mean["lips_stripes"] + 2 * hands.SCALE[2]}
    assert hands.hand_score(striped) > hands.hand_score(mean)
