"""The crops every quality measure shares (facecurator.detect.quality.base.face_view):
the small crop's luma and its inner oval are made once, read-only, with OpenCV's values, and the exposure
shares read from its histogram equal the pixel counts they stand for."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facecurator.detect.quality import exposure
from facecurator.detect.quality.base import FACE_OVAL, LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR, face_view


def _mesh(cx: float, cy: float, r: float) -> np.ndarray:
    """A round face: the oval on a circle of radius ``r``, the eyes 0.8 r apart, the rest inside."""
    rng = np.random.default_rng(5)
    mesh = np.zeros((478, 3))
    angle = rng.uniform(0, 2 * math.pi, 478)
    radius = r * 0.8 * np.sqrt(rng.uniform(0, 1, 478))
    mesh[:, 0], mesh[:, 1] = cx + radius * np.cos(angle), cy + radius * np.sin(angle)
    for i, k in enumerate(FACE_OVAL):
        t = 2 * math.pi * i / len(FACE_OVAL)
        mesh[k, :2] = cx + r * math.cos(t), cy + r * math.sin(t)
    for contour, ex in ((RIGHT_EYE_CONTOUR, cx - 0.4 * r), (LEFT_EYE_CONTOUR, cx + 0.4 * r)):
        for i, k in enumerate(contour):
            t = 2 * math.pi * i / len(contour)
            mesh[k, :2] = ex + 0.1 * r * math.cos(t), cy - 0.2 * r + 0.05 * r * math.sin(t)
    mesh[168, :2], mesh[1, :2] = (cx, cy - 0.2 * r), (cx + 0.05 * r, cy + 0.2 * r)
    return mesh


def _image(seed: int) -> np.ndarray:
    """Noise over the whole grey range, with many pixels at exactly the dark and clipped levels."""
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (400, 400, 3), dtype=np.uint8)
    grey = rng.integers(0, 256, (400, 400), dtype=np.uint8)
    grey[rng.uniform(size=grey.shape) < 0.1] = exposure.DARK_LEVEL
    grey[rng.uniform(size=grey.shape) < 0.1] = exposure.CLIPPED_LEVEL
    half = rng.uniform(size=grey.shape) < 0.5
    rgb[half] = grey[half, None]
    return rgb


@pytest.mark.parametrize(("r", "seed"), [(60.0, 1), (150.0, 2)])  # at working size, and reduced
def test_the_shared_luma_is_opencvs_and_read_only(r: float, seed: int) -> None:
    import cv2

    view = face_view(_image(seed), _mesh(200, 200, r))
    assert view.small is not None and view.small_grey is not None and view.small_luma is not None
    assert np.array_equal(view.small_grey, cv2.cvtColor(view.small, cv2.COLOR_RGB2GRAY))
    assert view.small_luma.dtype == np.float32
    assert np.array_equal(view.small_luma, view.small_grey.astype(np.float32))
    assert not view.small_grey.flags.writeable and not view.small_luma.flags.writeable
    # the oval away from its outline: eroded once by 3 x 3 (the drawing measures erode it once more)
    assert view.small_mask is not None and view.small_inner is not None
    eroded = cv2.erode(view.small_mask.astype(np.uint8), np.ones((3, 3), np.uint8))
    assert np.count_nonzero(eroded) < np.count_nonzero(view.small_mask)
    assert np.array_equal(view.small_inner, eroded) and not view.small_inner.flags.writeable


@pytest.mark.parametrize(("r", "seed"), [(60.0, 3), (150.0, 4)])
def test_exposure_shares_count_the_face_pixels_at_the_levels(r: float, seed: int) -> None:
    rgb, mesh = _image(seed), _mesh(200, 200, r)
    view = face_view(rgb, mesh)
    assert view.small_luma is not None and view.small_mask is not None
    pix = view.small_luma[view.small_mask].astype(np.float64)
    m = exposure.exposure_measures(rgb, mesh, view=view)
    # pixels at exactly the levels count (<= dark, >= clipped)
    assert m["underexposure"].value == round(np.count_nonzero(pix <= exposure.DARK_LEVEL) / pix.size, 4)
    assert m["overexposure"].value == round(np.count_nonzero(pix >= exposure.CLIPPED_LEVEL) / pix.size, 4)
    assert m["brightness"].value == round(float(pix.mean()), 2)
    order = np.sort(pix)
    for q in (5, 50, 95, 99):  # the lowest level with at least q % of the face at or under it
        level = order[max(0, math.ceil(q / 100 * pix.size) - 1)]
        assert m["brightness"].details[f"p{q}"] == level
