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


def fingers_over_left_eye(
    img: Image.Image, face: object, *, top: float = -0.33, width: float = 0.22, edge: float = 0.7
) -> Image.Image:
    """Three fingers of the cheek's colour laid across the subject's left eye from the side
    (rounded shading, darker edges between them: the window keeps a light/dark contrast a
    flat patch would not have), from ``top`` IOD above the eye centre, each ``width`` IOD
    wide, beyond both eye corners (``edge``: the shade of their sides)."""
    marks = np.array(face.landmarks)  # type: ignore[attr-defined]
    right_eye, left_eye = marks[0], marks[1]
    iod = float(np.linalg.norm(left_eye - right_eye))
    arr = np.asarray(img).astype(np.float64)
    x0, x1 = left_eye[0] - 0.45 * iod, left_eye[0] + 0.5 * iod
    y0, w = left_eye[1] + top * iod, width * iod

    def band(k: int, yy: np.ndarray, xx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = y0 + k * w, y0 + (k + 1) * w
        return (yy >= a) & (yy < b) & (xx >= x0 - k * 0.04 * iod) & (xx < x1), (yy - a) / (b - a)

    return paint_fingers(arr, cheek_colour(arr, left_eye, iod), 3, band, edge=edge)
