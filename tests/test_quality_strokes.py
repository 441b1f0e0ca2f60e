"""Pencil strokes (facecurator.detect.quality.strokes): a pencil drawing of a real
portrait reads "not a photograph"; the portrait itself, its greyscale copy and a
dim, noisy copy do not. Calibration: docs/local-detector.md ("Pencil strokes")."""

from __future__ import annotations

import numpy as np
import pytest

from facecurator.detect.quality import face, strokes
from facecurator.detect.quality.base import face_view
from tests.test_quality_measures import PORTRAITS, _jpeg, _largest_face, _measure, _png, _rgb, needs_corpus


def _head(rel: str) -> np.ndarray:
    """The portrait cropped around its face (twice the face's size), as the truth set's variants are."""
    rgb, mesh, _, _ = _largest_face(_png(_rgb(rel)))
    (x0, y0), (x1, y1) = mesh[:, :2].min(axis=0), mesh[:, :2].max(axis=0)
    cx, cy, side = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0)
    h, w = rgb.shape[:2]
    top, left = max(0, int(cy - side)), max(0, int(cx - side))
    return np.ascontiguousarray(rgb[top : min(h, int(cy + side)), left : min(w, int(cx + side))])


def _pencil(rgb: np.ndarray, colour: bool) -> np.ndarray:
    """OpenCV's pencil drawing of ``rgb`` (as the truth set's ``sketch`` variant)."""
    import cv2

    grey, coloured = cv2.pencilSketch(np.ascontiguousarray(rgb), sigma_s=60, sigma_r=0.07, shade_factor=0.04)
    return coloured if colour else cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def test_stroke_texture_of_a_tiny_face_is_not_measured_and_says_why() -> None:
    rgb = np.full((64, 64, 3), 128, np.uint8)
    mesh = np.zeros((478, 3))
    mesh[:, 0] = np.linspace(20, 40, 478)
    mesh[:, 1] = np.linspace(20, 40, 478)
    m = strokes.stroke_measures(face_view(rgb, mesh))["stroke_texture"]
    assert m.value is None and "too small" in m.reason
    assert strokes.pencil_strokes({"stroke_texture": m}) is None


def test_the_verdict_needs_both_strength_and_no_tails() -> None:
    strong_gaussian = strokes.Measure(15.0, "", {"kurtosis": 3.5})
    strong_sparse = strokes.Measure(15.0, "", {"kurtosis": 12.0})
    weak_gaussian = strokes.Measure(8.0, "", {"kurtosis": 3.5})
    assert strokes.pencil_strokes({"stroke_texture": strong_gaussian}) is True
    assert strokes.pencil_strokes({"stroke_texture": strong_sparse}) is False
    assert strokes.pencil_strokes({"stroke_texture": weak_gaussian}) is False


@needs_corpus
@pytest.mark.parametrize("rel", [PORTRAITS[0], PORTRAITS[2]])  # the grey drawing of obama.jpg has no face
@pytest.mark.parametrize("colour", [False, True])
def test_a_pencil_drawing_of_a_portrait_is_not_a_photo(rel: str, colour: bool) -> None:
    q = _measure(_jpeg(_pencil(_head(rel), colour), 88))
    m = q.measures["stroke_texture"]
    assert m.value is not None and m.value >= strokes.STROKE_RMS_MIN, q.raw()
    assert m.details["kurtosis"] <= strokes.STROKE_KURTOSIS_MAX, q.raw()
    assert q.verdicts["not_photo"] == (True, strokes.REASON_STROKES), q.raw()


@needs_corpus
@pytest.mark.parametrize("rel", PORTRAITS)
def test_real_portraits_grey_and_dim_noisy_copies_keep_photographic_texture(rel: str) -> None:
    import cv2

    rgb = _rgb(rel)
    grey = cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    # a low-light shot: 1.5 stops darker with sensor noise (sigma 3 levels), JPEG 85
    noise = np.random.default_rng(7).normal(0.0, 3.0, rgb.shape)
    dim = np.clip(rgb.astype(np.float64) * 0.35 + noise, 0, 255).astype(np.uint8)
    for label, data in {"as is": _png(rgb), "greyscale": _png(grey), "dim, noisy": _jpeg(dim, 85)}.items():
        q = _measure(data)
        m = q.measures["stroke_texture"]
        assert m.value is not None, f"{rel} {label}: {m.reason}"
        assert strokes.pencil_strokes(q.measures) is False, f"{rel} {label}: {q.raw()}"
        assert q.verdicts["not_photo"][0] is not True, f"{rel} {label}: {q.verdicts['not_photo']}"


def test_measure_face_reports_the_stroke_texture() -> None:
    assert "stroke_texture" in strokes.NAMES
    assert face.VERDICTS.count("not_photo") == 1
