"""benchmarks/lens_rim.py's rim cue (issue 18, session 10: measured, not adopted): a lens outline's
lower rim with the lens darker than the cheek below it, on drawn lightness profiles under one eye."""

from __future__ import annotations

import numpy as np

from benchmarks import lens_rim
from facecurator.detect.quality.regions import IOD

SKIN = 60.0
CENTRE = np.array([44.8, 51.2])  # the aligned crop's right eye
RIM_ROW = round(float(CENTRE[1]) + 0.40 * IOD)  # a rim 0.40 IOD under the eye


def _crop(inside: float | np.ndarray, rim: float | None) -> np.ndarray:
    """128 x 128 lightness: ``inside`` from the eye down to the rim row (a value or one per row), the
    rim line (2 rows) when given, bare skin below."""
    lum = np.full((128, 128), SKIN, dtype=np.float32)
    top = round(float(CENTRE[1]))
    lum[top:RIM_ROW] = np.asarray(inside, dtype=np.float32).reshape(-1, 1) if np.ndim(inside) else inside
    if rim is not None:
        lum[RIM_ROW : RIM_ROW + 2] = rim
    return lum


def _score(lum: np.ndarray, window: tuple[int, int, str] = (3, 8, "median"), rim_min: float = 0.05) -> float:
    profile = lens_rim.rim_profile(lum, CENTRE, SKIN, window)
    return lens_rim.rim_score([profile, profile], rim_min)


def test_a_tinted_lens_in_a_rim_steps_to_the_cheek_at_its_rim() -> None:
    # a light filter (0.6 x the skin) in a dark rim: S = 0.4 at the rim row, R = (36 - 15) / 60
    assert abs(_score(_crop(0.6 * SKIN, 15.0)) - 0.4) < 1e-6
    for window in lens_rim.SWEEP_WINDOWS:
        assert _score(_crop(0.6 * SKIN, 15.0), window) > 0.35, window


def test_a_clear_lens_in_the_same_rim_and_a_bare_ramp_read_no_lens() -> None:
    # the same skin on both sides of the rim: no step
    assert abs(_score(_crop(SKIN, 15.0))) < 1e-6
    # a socket's shade brightening gradually to the cheek, no rim line: no row qualifies
    ramp = np.linspace(0.6 * SKIN, SKIN, RIM_ROW - round(float(CENTRE[1])))
    assert _score(_crop(ramp, None)) == -1.0
    # the rim bound: a line only 0.03 x the skin darker than its sides is not a rim at R >= 0.05
    assert _score(_crop(0.6 * SKIN, 0.6 * SKIN - 0.03 * SKIN)) == -1.0
