"""A skin-coloured hand over one eye (``eyes.window_skin_distance``, ``SKIN_EYE_MAX``), on a
corpus portrait.

Calibration data: docs/local-detector-hands.md ("A hand over one eye"). The corpus is on
CI's machine too, so this runs with and without the gathered photos (``FACECURATOR_TRUTHSET``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from facecurator.detect.quality import eyes
from tests.helpers.fingers import fingers_over_left_eye
from tests.test_quality_beard import _detect, detected_portrait, detector  # noqa: F401  (the detector fixture)


def test_a_hand_over_one_eye_of_a_portrait(
    corpus_dir: Path,
    detector: object,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    img, bare = detected_portrait(corpus_dir, detector)
    assert bare.measures["eyes_visible"].value >= 0.5  # type: ignore[attr-defined]
    covered_img = fingers_over_left_eye(img, bare)
    covered = _detect(detector, covered_img, "img14 + fingers over the left eye")
    reading = covered.raw["quality"]["eyes"]["left"]  # type: ignore[attr-defined]
    # the fingers' shading keeps the window's contrast over the uniform-patch bound
    assert reading["contrast"] > eyes.VISIBLE_CONTRAST, reading
    assert reading["iris"] == 0.0 and reading["skin_ab"] <= eyes.SKIN_EYE_MAX, reading
    left = covered.measures["eye_visible_left"]  # type: ignore[attr-defined]
    assert left.value < 0.5 and left.reason == "covered?"
    assert covered.measures["eyes_visible"].value < 0.5  # type: ignore[attr-defined]
    assert covered.measures["eye_visible_right"].value >= 0.5  # type: ignore[attr-defined]
    # without this rule the same face reads both eyes visible: the rule is what catches it
    monkeypatch.setattr(eyes, "SKIN_EYE_MAX", -math.inf)
    unruled = _detect(detector, covered_img, "img14 + fingers over the left eye, no rule")
    assert unruled.measures["eyes_visible"].value >= 0.5  # type: ignore[attr-defined]


def test_the_window_skin_distance_reads_skin_as_zero() -> None:
    """A window of the skin's own colour reads 0; a grey (sclera-like) one reads its
    chroma's distance over the skin's chroma."""
    from facecurator.detect.quality.regions import IOD, FaceRegions, SkinReference

    skin = SkinReference(np.array([60.0, 15.0, 20.0], np.float32), False, ("right cheek",))
    size = int(2 * IOD)
    lab = np.empty((size, size, 3), np.float32)
    lab[...] = skin.lab
    regions = FaceRegions(
        rgb=np.zeros((size, size, 3), np.uint8), pts=np.zeros((478, 2)), lab=lab, source_iod=100.0
    )
    centre = np.array([size / 2, size / 2])
    assert eyes.window_skin_distance(regions, centre, skin) == pytest.approx(0.0, abs=1e-6)
    lab[..., 1:] = 0.0
    assert eyes.window_skin_distance(regions, centre, skin) == pytest.approx(1.0, abs=1e-6)
