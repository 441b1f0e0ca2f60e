"""Sharpness one octave above the working pixel (``detail.coarse_sharpness``) and the
``blurred`` verdict with and without ``PIXEL_OCTAVE_RELIEF``.

The finest octave (1-2 working pixels) is where a camera, JPEG and resampling soften
every photo; lost detail (a blur of 2 px or more, a face enlarged 12x) shows one octave
up too. Calibration data: docs/measures-detail.md ("Sharpness").
"""

from __future__ import annotations

import numpy as np
import pytest

from facecurator.detect.quality import detail
from tests.test_quality_measures import CORPUS, PORTRAITS, _down_up, _largest_face, _png, _rgb, needs_corpus


def _texture(seed: int, h: int = 160, w: int = 144) -> np.ndarray:
    """A grey 1/f-spectrum texture (the spectrum of a sharp photo), float32 0..255."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[None, :]
    r = np.sqrt(fx**2 + fy**2)
    r[0, 0] = 1.0
    img = np.real(np.fft.ifft2(np.fft.fft2(rng.standard_normal((h, w))) / r))
    img = (img - img.mean()) / img.std() * 30.0 + 128.0
    return np.clip(img, 0, 255).astype(np.float32)


def _both(img: np.ndarray, ied: float = 64.0) -> tuple[float, float | None]:
    """(sharpness, coarse sharpness) of a face crop already at ``min(ied, 64)`` px IED."""
    slopes = detail._octave_slopes(img)
    sharp = 2.0 + slopes[0] + slopes[1]
    return sharp, detail.coarse_sharpness(img, min(ied, 64.0), ied, sharp)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pixel_softness_shows_only_in_the_finest_octave(seed: int) -> None:
    import cv2

    img = _texture(seed)
    sharp, coarse = _both(img)
    assert sharp > 1.5 and coarse is not None and coarse > 1.5
    # soft within 1-2 pixels (sigma 1.5): the finest octave loses its detail, the next keeps it
    sharp, coarse = _both(cv2.GaussianBlur(img, (0, 0), 1.5))
    assert sharp < detail.SHARPNESS_MIN, sharp
    assert coarse is not None and coarse >= detail.COARSE_SHARPNESS_MIN + 0.3, coarse
    # a blur of 4 pixels loses the next octave too
    sharp, coarse = _both(cv2.GaussianBlur(img, (0, 0), 4.0))
    assert sharp < detail.SHARPNESS_MIN
    assert coarse is not None and coarse < detail.COARSE_SHARPNESS_MIN, coarse


def test_coarse_sharpness_is_measured_at_half_the_working_ied() -> None:
    import cv2

    img = _texture(3)
    sharp, _ = _both(img)
    # a working IED of 128 px or more: the face view is already at half of it
    assert detail.coarse_sharpness(img, 64.0, 200.0, sharp) == sharp
    # under 2 x COARSE_IED_MIN the face is reduced to COARSE_IED_MIN only
    small = cv2.resize(img, (img.shape[1] * 3 // 4, img.shape[0] * 3 // 4), interpolation=cv2.INTER_AREA)
    size = (round(small.shape[1] * 32 / 48), round(small.shape[0] * 32 / 48))
    s = detail._octave_slopes(cv2.resize(small, size, interpolation=cv2.INTER_AREA))
    assert detail.coarse_sharpness(small, 48.0, 48.0, 0.0) == pytest.approx(2.0 + s[0] + s[1])
    # a face already under COARSE_IED_MIN is not reduced
    assert detail.coarse_sharpness(small, 24.0, 24.0, 0.77) == 0.77


def test_relief_forgives_only_a_face_sharp_one_octave_up() -> None:
    low, high = detail.SHARPNESS_MIN - 0.1, detail.COARSE_SHARPNESS_MIN + 0.05
    assert detail.is_soft(detail.SHARPNESS_MIN, 0.0, relief=True) is False
    assert detail.is_soft(low, high, relief=False) is True
    assert detail.is_soft(low, high, relief=True) is False
    assert detail.is_soft(low, detail.COARSE_SHARPNESS_MIN - 0.01, relief=True) is True
    assert detail.is_soft(low, None, relief=True) is True
    # the default follows the module switch
    assert detail.is_soft(low, high) is (not detail.PIXEL_OCTAVE_RELIEF)


def _detail(data: bytes) -> detail.DetailMeasures:
    rgb, mesh, scale, quality = _largest_face(data)
    return detail.detail_measures(rgb, mesh, scale=scale, jpeg_quality_value=quality)


@needs_corpus
@pytest.mark.parametrize(
    "rel", ["blur/motion_blur_real.jpg", "blur/motion_h25_john2.jpg", "blur/gaussian_r8_img15.jpg"]
)
def test_real_blurred_photos_stay_blurred_with_the_relief(rel: str) -> None:
    d = _detail((CORPUS / rel).read_bytes())
    coarse = d.sharpness.details.get("coarse")
    assert coarse is not None and coarse < detail.COARSE_SHARPNESS_MIN, d.sharpness
    assert detail.blurred(d, relief=True) is True


@needs_corpus
def test_lost_detail_stays_blurred_and_pixel_softness_is_forgiven() -> None:
    import cv2

    rgb = _rgb(PORTRAITS[1])
    _, mesh, scale, _ = _largest_face(_png(rgb))
    side = int(np.ptp(mesh[:, 0]) * scale)
    # the truth set's derived blurred and 12x enlarged variants: lost detail, both octaves
    for label, img in {
        "gaussian": cv2.GaussianBlur(rgb, (0, 0), max(1.5, side / 28)),
        "12x": _down_up(rgb, 12, cv2.INTER_CUBIC),
    }.items():
        d = _detail(_png(img))
        assert detail.blurred(d, relief=True) is True, (label, d.sharpness)
    # the portrait softened within ~1 working pixel: soft in the finest octave only
    d = _detail(_png(cv2.GaussianBlur(rgb, (0, 0), 1.3)))
    coarse = d.sharpness.details.get("coarse")
    assert d.sharpness.value is not None and d.sharpness.value < detail.SHARPNESS_MIN, d.sharpness
    assert coarse is not None and coarse >= detail.COARSE_SHARPNESS_MIN + 0.1, d.sharpness
    assert detail.blurred(d, relief=False) is True
    assert detail.blurred(d, relief=True) is False
