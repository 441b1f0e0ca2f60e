"""Fingers painted over a portrait for the hand tests: bands of the cheek's colour with rounded
shading and darker edges between them (a real hand's creases), which a flat patch lacks."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image

#: ``band(k, yy, xx) -> (inside, phase)``: finger ``k``'s pixels and 0..1 across its width.
Band = Callable[[int, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def cheek_colour(arr: np.ndarray, left_eye: np.ndarray, iod: float) -> np.ndarray:
    """The mean RGB of a small patch of the subject's left cheek (0.6 IOD under the eye)."""
    cy, cx = int(left_eye[1] + 0.6 * iod), int(left_eye[0])
    return arr[cy - 3 : cy + 3, cx - 3 : cx + 3].reshape(-1, 3).mean(axis=0)


def paint_fingers(arr: np.ndarray, cheek: np.ndarray, count: int, band: Band, edge: float) -> Image.Image:
    """``count`` fingers over ``arr`` (float RGB), each shaded 0.8-1.0 across its width and
    ``edge`` at both sides, with a little noise (seeded: the same pixels every run)."""
    yy, xx = np.mgrid[0 : arr.shape[0], 0 : arr.shape[1]].astype(np.float64)
    rng = np.random.default_rng(0)
    out = arr.copy()
    for k in range(count):
        inside, phase = band(k, yy, xx)
        shade = np.where((phase < 0.08) | (phase > 0.92), edge, 0.8 + 0.2 * np.sin(math.pi * phase))
        out[inside] = cheek * shade[inside][:, None] + rng.normal(0, 3, (int(inside.sum()), 3))
    return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8))
