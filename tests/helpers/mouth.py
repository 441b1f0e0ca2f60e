"""Mesh points of a synthetic mouth on a 128 px crop: the mouth area, the lips and the
opening as ellipses around one centre (the tests of the mouth's visibility draw their
pixels over them)."""

from __future__ import annotations

import numpy as np

from facecurator.detect.quality.regions import LIPS, MOUTH_AREA, MOUTH_OPENING

CENTRE = (64.0, 92.0)


def ring(cx: float, cy: float, rx: float, ry: float, n: int) -> list[tuple[float, float]]:
    return [(cx + rx * np.cos(t), cy + ry * np.sin(t)) for t in np.linspace(0, 2 * np.pi, n, endpoint=False)]


def mouth_points(
    area: tuple[float, float], lips: tuple[float, float], opening: tuple[float, float]
) -> np.ndarray:
    """468 mesh points with the mouth area, lips and opening on ellipses of these radii."""
    pts = np.zeros((468, 2))
    for indices, (rx, ry) in ((MOUTH_AREA, area), (LIPS, lips), (MOUTH_OPENING, opening)):
        for index, point in zip(indices, ring(*CENTRE, rx, ry, len(indices)), strict=True):
            pts[index] = point
    return pts
