"""Issue 18, fourth speed round without value changes: readings taken in fewer, larger
array operations give the numbers of the plain readings they replaced, bit for bit.

Each test recomputes a reading the plain way (the code before the round: one numpy call
per strip, per profile, per channel) on random inputs of many shapes and compares every
returned number exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from facecurator.detect.quality import base, blocks, exposure, regions
from facecurator.detect.quality.base import Measure, fast_mean


def _plain_profiles(face: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx = np.abs(face[:, 1:] - face[:, :-1])
    dy = np.abs(face[1:, :] - face[:-1, :])
    strips = blocks._STRIPS
    cols = np.stack([np.add.reduce(s, axis=0) / s.shape[0] for s in np.array_split(dx, strips, axis=0)])
    rows = np.stack([np.add.reduce(s, axis=1) / s.shape[1] for s in np.array_split(dy, strips, axis=1)])
    return cols, rows


@pytest.mark.parametrize("shape", [(15, 8), (16, 9), (37, 61), (101, 224), (224, 224), (224, 150)])
def test_strip_profiles_are_the_plain_strip_means(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(shape[0] * 1000 + shape[1])
    face = rng.uniform(0, 255, shape).astype(np.float32)
    cols, rows = blocks._profiles(face)
    plain_cols, plain_rows = _plain_profiles(face)
    for got, want in ((cols, plain_cols), (rows, plain_rows)):
        assert got.dtype == want.dtype == np.float32
        assert got.shape == want.shape
        assert got.tobytes() == want.tobytes()


def _plain_spectrum(profiles: tuple[np.ndarray, np.ndarray], grid: float | None) -> Measure:
    values, periods, locals_, folds = [], [], [], []
    search = blocks._search(grid) if grid else blocks._SEARCH
    freqs = blocks._freqs
    for prof in profiles:
        if prof.shape[1] < 6 * blocks.SPECTRUM_PERIODS[1]:
            return base.unmeasured("face too small for the block spectrum")
        p = prof.mean(axis=0, dtype=np.float32)
        p = (p - fast_mean(p)) * np.hanning(p.size)
        power = np.abs(np.fft.rfft(p, blocks._SPECTRUM_N)) ** 2
        floor = float(np.sort(power[blocks._BAND])[power[blocks._BAND].size // 2]) + 1e-9
        i = int(np.argmax(np.where(search, power, -1.0)))
        f0 = float(freqs[i])
        near = (freqs >= 0.8 * f0) & (freqs <= 1.25 * f0) & (np.abs(freqs - f0) > 3.0 / prof.shape[1])
        local = float(np.sort(power[near])[power[near].size // 2]) + 1e-9 if near.any() else floor
        values.append(float(power[i]) / floor)
        locals_.append(float(power[i]) / local)
        periods.append(1.0 / f0)
        folds.append(blocks._fold_fractional(prof, 1.0 / f0))
    k = int(np.argmin(values))
    details = {"period": round(periods[k], 2), "local": round(min(locals_), 3), "fold": round(min(folds), 4)}
    return Measure(round(values[k], 3), "block spectrum peak", details)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("grid", [None, 8.0, 4.0])
def test_the_block_spectrum_of_both_profiles_at_once_is_the_per_profile_one(
    seed: int, grid: float | None
) -> None:
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(60, 224, 2))
    face = rng.uniform(0, 255, (h, w)).astype(np.float32)
    if seed % 2:  # blocks of a fractional size: a peak the search finds
        period = float(rng.uniform(4.5, 11.5))
        face[:, (np.floor(np.arange(w) / period) % 2).astype(bool)] += 40.0
    profiles = blocks._profiles(face)
    assert blocks.block_spectrum(profiles, grid) == _plain_spectrum(profiles, grid)


def test_a_profile_too_short_for_the_spectrum_is_unmeasured_on_either_axis() -> None:
    rng = np.random.default_rng(3)
    for shape in ((200, 60), (60, 200)):
        profiles = blocks._profiles(rng.uniform(0, 255, shape).astype(np.float32))
        assert blocks.block_spectrum(profiles).value is None


def _plain_scene_light(rgb: np.ndarray, box: tuple[int, int, int, int]) -> tuple[float, float]:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    side, above, below = exposure.SCENE_MARGIN
    step = max(1, int(w // exposure.SCENE_GRID))
    top, bottom = max(0, y0 - round(above * h)), min(rgb.shape[0], y1 + round(below * h))
    left, right = max(0, x0 - round(side * w)), min(rgb.shape[1], x1 + round(side * w))
    samples = rgb[top:bottom:step, left:right:step].max(axis=2)
    counts = np.bincount(samples.ravel(), minlength=256)
    level = int(np.searchsorted(np.cumsum(counts[::-1]), exposure.SCENE_TOP * samples.size))
    return float(255 - level), float(samples.size)


@pytest.mark.parametrize("seed", range(10))
def test_scene_light_reads_the_brightest_channel_of_every_sample(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(60, 700, 2))
    rgb = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    # one channel much brighter in a few places: the brightest channel, not a mean, counts
    spots = rng.integers(0, [height, width], (40, 2))
    rgb[spots[:, 0], spots[:, 1], rng.integers(0, 3, 40)] = 255
    for _ in range(6):
        w = int(rng.integers(8, max(9, width // 2)))
        h = int(rng.integers(8, max(9, height // 2)))
        x0, y0 = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
        box = (x0, y0, x0 + w, y0 + h)  # from the image's corners (clipped margins) to its middle
        light = exposure.scene_light(rgb, box)
        value, samples = _plain_scene_light(rgb, box)
        assert (light.value, light.details["samples"]) == (value, samples), box


@pytest.mark.parametrize(
    "shape", [(128, 128, 3), (64, 96, 3), (128, 128, 1), (7, 9, 3), (128, 127, 3), (6, 4), (8, 8, 4)]
)
def test_every_other_pixel_is_the_strided_selection(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(sum(shape))
    for img in (rng.standard_normal(shape).astype(np.float32), rng.integers(0, 256, shape, dtype=np.uint8)):
        got = regions.every_other(img)
        want = np.ascontiguousarray(img[:: regions.AREA_STEP, :: regions.AREA_STEP])
        assert got.shape == want.shape and got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_the_area_planes_are_the_area_pixels_channels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    crop = rng.integers(0, 256, (regions.SIDE, regions.SIDE, 3), dtype=np.uint8)
    reg = regions._with_planes(crop, rng.uniform(0, regions.SIDE, (478, 2)), 60.0)
    area = reg.lab[:: regions.AREA_STEP, :: regions.AREA_STEP]
    assert reg.area_lab.tobytes() == np.ascontiguousarray(area).tobytes()
    for k, plane in enumerate(reg.area_planes):
        assert plane.flags.c_contiguous
        assert plane.tobytes() == np.ascontiguousarray(area[..., k]).tobytes()


def _plain_box_and_inside(mesh: np.ndarray, shape: tuple[int, ...]) -> tuple[object, float]:
    pts = mesh[:, :2]
    h, w = shape[:2]
    x0, y0 = max(0, int(np.floor(pts[:, 0].min()))), max(0, int(np.floor(pts[:, 1].min())))
    x1, y1 = min(w, int(np.ceil(pts[:, 0].max()))), min(h, int(np.ceil(pts[:, 1].max())))
    box = None if x1 - x0 < 8 or y1 - y0 < 8 else (x0, y0, x1, y1)
    ok = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    return box, np.count_nonzero(ok) / ok.size


@pytest.mark.parametrize("seed", range(12))
def test_the_mesh_box_and_inside_share_are_the_plain_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(20, 400)), int(rng.integers(20, 400)), 3)
    centre = rng.uniform(-30, 430, 2)
    mesh = np.column_stack([centre + rng.normal(0, rng.uniform(2, 80), (478, 2)), rng.normal(0, 5, 478)])
    if seed % 3 == 0:
        mesh[:, :2] = np.round(mesh[:, :2])  # whole numbers: floor and ceil agree
    if seed % 4 == 1:  # the largest point exactly on the image's edge (outside it)
        mesh[int(np.argmax(mesh[:, 0])), 0] = shape[1]
    for m in (mesh, mesh.astype(np.float32)):
        box, inside = _plain_box_and_inside(m, shape)
        assert base.mesh_box(m, shape) == box
        assert base.inside_fraction(m, shape) == inside
        view = base.face_view(np.zeros(shape, np.uint8), np.asarray(m, dtype=np.float64))
        assert (view.box, view.inside) == _plain_box_and_inside(np.asarray(m, dtype=np.float64), shape)


def test_a_point_on_the_images_far_edge_is_outside_and_on_the_near_edge_inside() -> None:
    rng = np.random.default_rng(5)
    shape = (200, 300, 3)
    mesh = np.column_stack([rng.uniform(20, 180, (478, 2)), np.zeros(478)])
    mesh[0, :2] = (0.0, 0.0)
    assert base.inside_fraction(mesh, shape) == 1.0
    for k, edge in ((0, shape[1]), (1, shape[0])):
        far = mesh.copy()
        far[1, k] = edge
        assert base.inside_fraction(far, shape) == 477 / 478
    nan = mesh.copy()
    nan[2, 0] = np.nan
    assert base.inside_fraction(nan, shape) == 477 / 478


def _ring(pts: np.ndarray, indices: tuple[int, ...], centre: tuple[float, float], radius: float) -> None:
    angles = np.linspace(0.0, 2 * np.pi, len(indices), endpoint=False)
    ring = [centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)]
    pts[list(indices)] = np.stack(ring, 1)


@pytest.mark.parametrize("seed", range(6))
def test_glasses_and_mask_read_the_gradient_and_chroma_of_their_pixels_only(seed: int) -> None:
    """The crop's gradient magnitude and chroma are taken in the cheeks and the mouth area
    only (measures.CropGradients.magnitude): the same numbers as the whole crop's
    ``np.hypot`` read there."""
    import cv2

    from facecurator.detect import measures as m

    rng = np.random.default_rng(seed)
    crop = cv2.GaussianBlur(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8), (5, 5), 1.5)
    g = m.crop_gradients(crop)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float64)
    assert g.gray.tobytes() == grey.tobytes()
    for dx, plain in ((1, g.gx), (0, g.gy)):  # the float64 filter of the float64 levels
        assert plain.tobytes() == cv2.Sobel(grey, cv2.CV_64F, dx, 1 - dx, ksize=3).tobytes()
    grad = np.hypot(g.gx, g.gy)
    pts = np.zeros((478, 2))
    _ring(pts, m.MOUTH_AREA, (64 + rng.normal(0, 3), 100 + rng.normal(0, 3)), 14)
    _ring(pts, m.RIGHT_CHEEK, (40, 84), 9 + seed)
    _ring(pts, m.LEFT_CHEEK, (88, 84), 9)
    mouth = m._polygon_mask((128, 128), pts[list(m.MOUTH_AREA)])
    cheeks = m._polygon_mask((128, 128), pts[list(m.RIGHT_CHEEK)]) | m._polygon_mask(
        (128, 128), pts[list(m.LEFT_CHEEK)]
    )
    assert g.magnitude(np.flatnonzero(mouth)).tobytes() == grad[mouth].tobytes()
    box = m._box_slices(128, m._CHEEK_BOXES[1])
    assert g.magnitude(box).tobytes() == grad[box].tobytes()
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 1:] -= 128
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    for given in (lab, None):
        masked = m.mask_measure(crop, pts, yaw=0.0, eye_distance=40.0, lab=given, gradients=g)
        texture = float(grad[mouth].mean()) / (float(grad[cheeks].mean()) + 1.0)
        assert masked.mouth_texture == round(texture, 3)
        assert (masked.mouth_chroma, masked.skin_chroma) == (
            round(float(chroma[mouth].mean()), 2),
            round(float(chroma[cheeks].mean()), 2),
        )
    cheek_grad = np.concatenate([m._box(grad, b).ravel() for b in m._CHEEK_BOXES]).mean() + 1.0
    bridge = float(np.abs(m._box(g.gy, m._BRIDGE_BAND).mean(axis=1)).max()) / cheek_grad
    worn = m.glasses_measure(crop, yaw=0.0, eye_distance=40.0, masked=False, gradients=g)
    assert worn.bridge_line == round(bridge, 3)
