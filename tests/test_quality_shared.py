"""Issue 18, speed without value changes: readings that several quality measures share
(made once per face) give the numbers each measure computed on its own before.

Each test recomputes a shared reading the plain way (``np.median`` and ``np.sort`` of
the same pixels, selected with the documented geometry) on random aligned crops whose
eye centres fall at fractional positions, so odd and even pixel counts both occur.
"""

from __future__ import annotations

import numpy as np
import pytest

from facecurator.detect.quality import base, eyes, lens, occlusion, regions
from facecurator.detect.quality.regions import IOD, SIDE, FaceRegions, SkinReference


def _crop(seed: int) -> FaceRegions:
    """An aligned crop of noise with the eyes near their canonical places (jittered)."""
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8)
    pts = rng.uniform(0, SIDE, (478, 2))
    for contour, x in ((regions.RIGHT_EYE_CONTOUR, 0.35), (regions.LEFT_EYE_CONTOUR, 0.65)):
        centre = np.array([x * SIDE, 0.40 * SIDE]) + rng.uniform(-3, 3, 2)
        pts[list(contour)] = centre + rng.uniform(-4, 4, (len(contour), 2)) * [1.0, 0.3]
        pts[list(contour)] -= pts[list(contour)].mean(axis=0) - centre
    return regions._with_planes(rgb, pts, 60.0)


def _ellipse(lab: np.ndarray, centre: np.ndarray, axes: tuple[float, float]) -> np.ndarray:
    yy, xx = np.mgrid[0 : lab.shape[0], 0 : lab.shape[1]]
    inside = ((xx - centre[0]) / axes[0]) ** 2 + ((yy - centre[1]) / axes[1]) ** 2 <= 1.0
    return lab[inside]


def _box_median(lab: np.ndarray, cx: float, half_w: float, y0: float, y1: float) -> np.ndarray:
    box = lab[round(y0) : round(y1), round(cx - half_w) : round(cx + half_w)]
    return np.median(box.reshape(-1, 3), axis=0)


@pytest.mark.parametrize("seed", range(8))
def test_the_shared_eye_areas_hold_the_pixels_of_each_measure(seed: int) -> None:
    reg = _crop(seed)
    (u0, u1), uw = eyes.UNDER_EYE_BAND
    (k0, k1), kw, shift = eyes.LOWER_CHEEK_BAND
    for side, out in (("right", -1.0), ("left", 1.0)):
        cx, cy = (float(v) for v in reg.eye_centre(side))
        axes = (eyes.PERIOCULAR_AXES[0] * IOD, eyes.PERIOCULAR_AXES[1] * IOD)
        peri = _ellipse(reg.lab, np.array([cx, cy + eyes.PERIOCULAR_SHIFT * IOD]), axes)
        area = eyes.eye_area(reg, side)
        assert np.array_equal(area.peri, np.sort(peri, axis=0))
        assert eyes.eye_area(reg, side) is area  # made once per face
        under = _box_median(reg.lab, cx, uw * IOD, cy + u0 * IOD, cy + u1 * IOD)
        cheek = _box_median(reg.lab, cx + out * shift * IOD, kw * IOD, cy + k0 * IOD, cy + k1 * IOD)
        assert area.under is not None and area.cheek is not None
        np.testing.assert_allclose(area.under, under, rtol=1e-6)
        np.testing.assert_allclose(area.cheek, cheek, rtol=1e-6)
        # the lens rule's shifts: the true medians (mean of the middle two for an even count)
        skin = SkinReference(lab=np.array([60.0, 12.0, 15.0], dtype=np.float32), monochrome=False, patches=())
        shifts = lens.lens_shifts(reg, skin)
        assert shifts is not None
        row = 0 if side == "right" else 1
        np.testing.assert_allclose(shifts[row], np.median(peri[:, 1:], axis=0) - [12.0, 15.0], rtol=1e-6)
        np.testing.assert_allclose(shifts[row + 2], under[1:] - cheek[1:], rtol=1e-6, atol=1e-6)


def test_the_seeds_give_odd_and_even_periocular_counts() -> None:
    areas = [eyes.eye_area(_crop(seed), side) for seed in range(8) for side in ("right", "left")]
    assert {area.peri.shape[0] % 2 for area in areas} == {0, 1}


def test_rows_and_masked_pixels_are_the_plain_selections() -> None:
    rng = np.random.default_rng(3)
    mesh = rng.uniform(0, 500, (478, 3))
    for pts in (mesh[:, :2], np.ascontiguousarray(mesh[:, :2])):  # a strided view and a copy
        picked = base.rows_of(pts, regions.CHIN)
        assert np.array_equal(picked, pts[list(regions.CHIN)])
    lab = rng.uniform(-50, 100, (64, 64, 3)).astype(np.float32)
    mask = rng.random((64, 64)) < 0.3
    assert np.array_equal(base.masked(lab, mask), lab[mask])  # (N, 3), row-major order
    assert np.array_equal(base.masked(lab[..., 0].copy(), mask), lab[..., 0][mask])


def test_a_regions_face_like_share_is_counted_over_its_pixels() -> None:
    reg = _crop(5)
    skin = SkinReference(lab=np.array([55.0, 10.0, 14.0], dtype=np.float32), monochrome=False, patches=())
    like = occlusion.face_like_map(reg, skin)
    rng = np.random.default_rng(4)
    for share in (0.05, 0.3, 0.8):
        mask = rng.random(like.shape) < share
        plain = np.count_nonzero(like[mask]) / like[mask].size
        assert occlusion.face_like_fraction(reg, skin, mask, like=like) == plain


def test_the_crops_lab_planes_are_the_three_channel_tables_values() -> None:
    import cv2

    rng = np.random.default_rng(6)
    crop = rng.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8)
    crop[0, :, :] = np.arange(SIDE, dtype=np.uint8)[:, None] * 2  # many levels of each channel
    reg = regions._with_planes(crop, np.zeros((478, 2)), 60.0)
    expected = cv2.LUT(cv2.cvtColor(crop, cv2.COLOR_RGB2LAB), regions._LAB_TABLE)
    assert reg.lab.dtype == np.float32 and np.array_equal(reg.lab.view(np.uint32), expected.view(np.uint32))
    assert reg.lum.flags.c_contiguous and np.array_equal(reg.lum, expected[..., 0])


@pytest.mark.parametrize("size", [60, 150, 255])
def test_a_mean_luma_from_the_histogram_is_the_pixels_float32_mean(size: int) -> None:
    import cv2

    from facecurator.detect.quality import exposure

    rng = np.random.default_rng(size)
    grey = rng.integers(0, 256, (size, size), dtype=np.uint8)
    mask = rng.random((size, size)) < 0.7
    pixels = grey.astype(np.float32)[mask]
    hist = cv2.calcHist([grey], [0], mask.view(np.uint8), [256], [0, 256]).ravel().astype(np.float64)
    assert exposure._mean_of_levels(hist, pixels.size) == base.fast_mean(pixels)
    # a total the float32 sum may no longer hold exactly: the pixels must be summed
    assert exposure._mean_of_levels(hist * 300.0, pixels.size * 300) is None
