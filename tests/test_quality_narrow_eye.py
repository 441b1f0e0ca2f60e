"""One eye drawn far narrower than its twin with no iris in it (``eyes.one_eye_narrowed``,
``NARROW_EYE_RATIO``, ``NARROW_EYE_IRIS``): a hand over the eye whose finger gap leaves a thin
dark line in the iris box, so ``SKIN_EYE_MAX`` does not read it.

Calibration data: docs/local-detector-hands.md ("One eye narrowed, local-v40"). The corpus is
on CI's machine too, so this runs with and without the gathered photos (``FACECURATOR_TRUTHSET``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from facecurator.detect.quality import eyes
from facecurator.detect.quality.eyes import EyeReading, one_eye_narrowed
from tests.helpers.fingers import fingers_over_left_eye
from tests.test_quality_beard import _detect, detector  # noqa: F401  (the detector fixture)


def test_fingers_whose_gap_lies_on_the_eye_read_it_not_open(
    corpus_dir: Path,
    detector: object,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three fingers across the left eye, a gap between two of them on the eye's line: the mesh
    narrows the eye under them, the gap leaves a 1-px dark line (so ``iris`` is not 0 and the
    skin-coloured-window rule does not apply), and the eye reads not open, "no iris visible"."""
    img = Image.open(corpus_dir / "people/deepface_p03/img14.jpg").convert("RGB")
    bare = _detect(detector, img, "img14")
    assert bare.measures["eyes_open"].value >= 0.5  # type: ignore[attr-defined]
    covered_img = fingers_over_left_eye(img, bare, top=-0.11, width=0.18, edge=0.55)
    covered = _detect(detector, covered_img, "img14 + fingers, a gap on the left eye")
    raw = covered.raw["quality"]["eyes"]  # type: ignore[attr-defined]
    left, right = raw["left"], raw["right"]
    assert 0.0 < left["iris"] <= eyes.NARROW_EYE_IRIS, left  # a thin line, not no dark pixel
    assert left["ear"] < eyes.NARROW_EYE_RATIO * right["ear"], (left, right)
    assert covered.measures["eye_visible_left"].value >= 0.5  # type: ignore[attr-defined]
    opened = covered.measures["eye_open_left"]  # type: ignore[attr-defined]
    assert opened.value < 0.5 and opened.reason == eyes.REASON_NO_IRIS, opened
    assert covered.measures["eyes_open"].value < 0.5  # type: ignore[attr-defined]
    assert covered.measures["eye_open_right"].value >= 0.5  # type: ignore[attr-defined]
    # without this rule the same face reads both eyes open (the blink score reopens the
    # narrowed eye): the rule is what catches it
    monkeypatch.setattr(eyes, "NARROW_EYE_RATIO", 0.0)
    unruled = _detect(detector, covered_img, "img14 + fingers, no rule")
    assert unruled.measures["eyes_open"].value >= 0.5  # type: ignore[attr-defined]


def _eye(ear: float, iris: float, opened: float = 1.0) -> EyeReading:
    return EyeReading(1.0, opened, "", ear=ear, iris=iris)


def test_only_one_eye_narrowed_alone_and_without_an_iris_reads_not_open() -> None:
    wide, narrow = _eye(0.30, 0.21), _eye(0.12, 0.05, opened=0.9)
    right, left = one_eye_narrowed(wide, narrow)
    assert right == wide
    assert left.open is not None and left.open < 0.5 and left.reason == eyes.REASON_NO_IRIS
    assert left.open == pytest.approx(0.5 * (0.12 / 0.30) / eyes.NARROW_EYE_RATIO - 1e-3, abs=1e-3)
    # the same on the other side
    right, left = one_eye_narrowed(narrow, wide)
    assert right.reason == eyes.REASON_NO_IRIS and left == wide
    # an iris seen in the narrow eye (a squint): left as it is
    squint = _eye(0.12, 0.16)
    assert one_eye_narrowed(wide, squint) == (wide, squint)
    # both eyes narrowed alike (a smile): left as they are
    assert one_eye_narrowed(narrow, _eye(0.14, 0.05)) == (narrow, _eye(0.14, 0.05))
    # at the bound and above it: not narrowed
    at_bound = _eye(0.30 * eyes.NARROW_EYE_RATIO + 1e-6, 0.0)
    assert one_eye_narrowed(wide, at_bound) == (wide, at_bound)
    # an eye not visible (no openness) is not compared
    hidden = EyeReading(0.2, None, "covered?", ear=0.30, iris=0.2)
    assert one_eye_narrowed(hidden, narrow) == (hidden, narrow)
