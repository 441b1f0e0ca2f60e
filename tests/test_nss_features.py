"""The natural-scene statistics of the ninth renders round (benchmarks/nss_features.py):
the distribution fits recover known shapes, and the feature vectors have their documented
sizes (docs/local-detector-renders.md, "Ninth round")."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.nss_features import aggd, brisque, ggd, lyu_farid, mscn, names


def test_ggd_recovers_gaussian_and_laplacian_shapes() -> None:
    rng = np.random.default_rng(0)
    assert ggd(rng.normal(0, 2, 200_000))[0] == pytest.approx(2.0, abs=0.05)
    assert ggd(rng.normal(0, 2, 200_000))[1] == pytest.approx(4.0, rel=0.02)
    assert ggd(rng.laplace(0, 1, 200_000))[0] == pytest.approx(1.0, abs=0.05)


def test_aggd_reads_skew_as_unequal_sides() -> None:
    rng = np.random.default_rng(1)
    a, eta, left, right = aggd(rng.normal(0, 1, 200_000))
    assert a == pytest.approx(2.0, abs=0.1)
    assert abs(eta) < 0.02
    assert left == pytest.approx(right, rel=0.03)
    x = rng.normal(0, 1, 200_000)
    x[x > 0] *= 3
    _, eta, left, right = aggd(x)
    assert eta > 0.5
    assert right == pytest.approx(9 * left, rel=0.05)


def test_mscn_of_noise_is_unit_scale_and_of_flat_image_zero() -> None:
    rng = np.random.default_rng(2)
    noise = rng.normal(128, 20, (128, 128)).astype(np.float32)
    assert 0.7 < float(mscn(noise)[8:-8, 8:-8].std()) < 1.3
    assert float(np.abs(mscn(np.full((64, 64), 90, np.float32))).max()) < 1e-3


def test_feature_vectors_have_their_documented_sizes() -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (96, 96, 3), dtype=np.uint8)
    mask = np.zeros((96, 96), bool)
    mask[20:76, 20:76] = True
    bn, lf = names()
    assert len(brisque(rgb[:, :, 1].astype(np.float32), mask)) == len(bn) == 36
    assert len(lyu_farid(rgb, mask)) == len(lf) == 216
    assert len(lyu_farid(rgb, None)) == 216
    # white noise is unpredictable from its neighbours: log prediction errors spread wide
    out = lyu_farid(rgb, None)
    assert all(np.isfinite(out))
