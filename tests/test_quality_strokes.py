"""Drawings (facecurator.detect.quality.strokes): a pencil drawing of a real
portrait (strokes over the skin) and a line drawing of it (dark lines on bare
paper) read "not a photograph"; the portrait itself, its greyscale copy, a
high-key greyscale copy and a dim, noisy copy do not. Calibration:
docs/local-detector.md ("Pencil strokes")."""

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


def _line_drawing(rgb: np.ndarray) -> np.ndarray:
    """Dark pencil lines where the portrait has edges, on light grey paper with a little grain."""
    import cv2

    grey = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), (0, 0), 1.5)
    edges = cv2.dilate(cv2.Canny(grey, 30, 80), np.ones((2, 2), np.uint8))
    paper = 232.0 + np.random.default_rng(3).normal(0.0, 2.0, grey.shape)
    drawn = np.where(edges > 0, 90.0, paper)
    shade = cv2.GaussianBlur(drawn, (0, 0), 0.8)
    return cv2.cvtColor(np.clip(shade, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)


def test_stroke_texture_of_a_tiny_face_is_not_measured_and_says_why() -> None:
    rgb = np.full((64, 64, 3), 128, np.uint8)
    mesh = np.zeros((478, 3))
    mesh[:, 0] = np.linspace(20, 40, 478)
    mesh[:, 1] = np.linspace(20, 40, 478)
    measures = strokes.stroke_measures(face_view(rgb, mesh))
    m = measures["stroke_texture"]
    assert m.value is None and "too small" in m.reason
    assert strokes.pencil_strokes(measures) is None
    assert strokes.drawing(measures) == (None, m.reason)


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
def test_a_line_drawing_of_a_portrait_on_paper_is_not_a_photo(rel: str) -> None:
    q = _measure(_jpeg(_line_drawing(_head(rel)), 90))
    paper = q.measures["paper_ground"]
    assert paper.value is not None and paper.value >= strokes.PAPER_SHARE_MIN, q.raw()
    assert strokes.pencil_on_paper(q.measures) is True, q.raw()
    assert q.verdicts["not_photo"] == (True, strokes.REASON_PAPER), q.raw()


@needs_corpus
@pytest.mark.parametrize("rel", PORTRAITS)
def test_real_portraits_grey_and_dim_noisy_copies_keep_photographic_texture(rel: str) -> None:
    import cv2

    rgb = _rgb(rel)
    grey = cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    # a high-key black-and-white print: the greyscale copy lifted (gamma 0.6)
    high_key = (255.0 * (grey / 255.0) ** 0.6).astype(np.uint8)
    # a low-light shot: 1.5 stops darker with sensor noise (sigma 3 levels), JPEG 85
    noise = np.random.default_rng(7).normal(0.0, 3.0, rgb.shape)
    dim = np.clip(rgb.astype(np.float64) * 0.35 + noise, 0, 255).astype(np.uint8)
    copies = {
        "as is": _png(rgb),
        "greyscale": _png(grey),
        "high-key grey": _png(high_key),
        "dim, noisy": _jpeg(dim, 85),
    }
    for label, data in copies.items():
        q = _measure(data)
        m = q.measures["stroke_texture"]
        assert m.value is not None, f"{rel} {label}: {m.reason}"
        assert strokes.pencil_strokes(q.measures) is False, f"{rel} {label}: {q.raw()}"
        assert strokes.pencil_on_paper(q.measures) is False, f"{rel} {label}: {q.raw()}"
        assert q.verdicts["not_photo"][0] is not True, f"{rel} {label}: {q.verdicts['not_photo']}"


def test_the_paper_verdict_needs_grey_paper_few_midtones_and_lines() -> None:
    def paper(share: float, **details: float) -> dict[str, strokes.Measure]:
        base = {"midtones": 0.15, "lines": 0.08, "chroma": 2.0}
        return {"paper_ground": strokes.Measure(share, "", {**base, **details})}

    assert strokes.pencil_on_paper(paper(0.5)) is True
    assert strokes.pencil_on_paper(paper(0.2)) is False  # little bare paper
    assert strokes.pencil_on_paper(paper(0.5, midtones=0.35)) is False  # shading: a photo
    assert strokes.pencil_on_paper(paper(0.5, lines=0.01)) is False  # no lines
    assert strokes.pencil_on_paper(paper(0.5, chroma=20.0)) is False  # coloured skin


def test_measure_face_reports_the_drawing_measures() -> None:
    assert set(strokes.NAMES) == {"stroke_texture", "paper_ground"}
    assert face.VERDICTS.count("not_photo") == 1
