"""Shared pieces of the quality measures: the result type and face regions."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Final

import numpy as np

#: Eye contours (16 points each, the subject's right / left eye) of the face mesh.
RIGHT_EYE_CONTOUR: Final = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_CONTOUR: Final = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
#: The face oval of the mesh (forehead top, temples, jaw, chin), in order around the face.
FACE_OVAL: Final = (
    176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109, 10, 338,
    297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
)  # fmt: skip
#: Faces with fewer pixels than this between the eye centres are not measured.
MIN_EYE_DISTANCE: Final = 16.0


@dataclass(frozen=True, slots=True)
class Measure:
    """One measured quantity of one face.

    Attributes:
        value: the measure (its scale is documented by the function that made
            it), or ``None`` when it could not be taken.
        reason: why ``value`` is ``None``; otherwise a short description of
            what was found (for the GUI / CLI and the raw record).
        details: the intermediate numbers behind ``value`` (for ``raw``).
    """

    value: float | None
    reason: str
    details: dict[str, float] = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        return self.value is not None


def fast_mean(a: np.ndarray) -> float:
    """``float(a.mean())`` of a float array, by numpy's own steps (the same value, bit for
    bit) without ``np.mean``'s Python overhead, which is most of its cost on small arrays."""
    total = np.add.reduce(a, axis=None)
    if not a.size:
        return float(total.dtype.type(total / np.intp(a.size)))
    # the total as a Python float (exact) divided in double precision, as numpy divides a
    # float scalar by an integer one, then rounded to the array's float type as numpy does
    return float(total.dtype.type(float(total) / a.size))


def length(v: np.ndarray) -> float:
    """``float(np.linalg.norm(v))`` of a 1-D float vector, by its own steps (``sqrt(v.dot(v))``,
    the same value) without the wrapper's overhead."""
    return math.sqrt(float(v.dot(v)))


@functools.lru_cache(maxsize=128)
def index_array(indices: tuple[int, ...]) -> np.ndarray:
    """``indices`` as a read-only index array, made once per tuple of mesh indices."""
    arr = np.array(indices, dtype=np.intp)
    arr.flags.writeable = False
    return arr


def rows_of(a: np.ndarray, indices: tuple[int, ...]) -> np.ndarray:
    """``a[list(indices)]`` (the same values) with a cached index array: a list is converted
    to one every time; ``take`` (a quarter of a list's cost) on a C-contiguous ``a`` (it
    would copy any other whole), the index array (half) on others."""
    index = index_array(indices)
    return a.take(index, axis=0) if a.flags.c_contiguous else a[index]


def masked(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``a[mask]`` for a boolean ``mask`` of ``a``'s shape or of its first two axes: the
    same values in the same (row-major) order, by ``compress``: about half the cost of a
    boolean subscript on the small planes of the aligned crop (64 x 64; the arrays are
    views when both are C-contiguous), more than it on large ones."""
    if mask.ndim == a.ndim:
        return a.ravel().compress(mask.ravel())
    return a.reshape(-1, *a.shape[mask.ndim :]).compress(mask.ravel(), axis=0)


def centre_of(pts: np.ndarray, indices: tuple[int, ...]) -> np.ndarray:
    """``pts[list(indices)].mean(axis=0)`` (the same values) without ``np.mean``'s overhead."""
    return np.add.reduce(rows_of(pts, indices), axis=0) / len(indices)


def unmeasured(reason: str, **details: float) -> Measure:
    """A measure that could not be taken, with the reason."""
    return Measure(None, reason, {k: round(float(v), 4) for k, v in details.items()})


def check_inputs(rgb: np.ndarray, mesh: np.ndarray) -> None:
    """Raise ValueError for arrays of the wrong shape or type (a caller bug)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"quality measures need a uint8 HxWx3 RGB image, got {rgb.dtype} {rgb.shape}")
    if mesh.ndim != 2 or mesh.shape[0] < 468 or mesh.shape[1] < 2:
        raise ValueError(f"quality measures need the 468 (or 478) face-mesh points, got {mesh.shape}")


def eye_centres(mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the subject's right and left eye contours (image pixels, x/y)."""
    pts = np.asarray(mesh, dtype=np.float64)[:, :2]
    return centre_of(pts, RIGHT_EYE_CONTOUR), centre_of(pts, LEFT_EYE_CONTOUR)


def inter_eye_distance(mesh: np.ndarray) -> float:
    """Distance between the eye centres in image pixels (OFIQ InterEyeDistance, 2-D)."""
    right, left = eye_centres(mesh)
    return length(left - right)


def padded_square(rgb: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray | None:
    """The ``size`` x ``size`` square of ``rgb`` whose corner is (x0, y0), black where it
    leaves the image (a face at the border stays centred); None when it misses the image."""
    h, w = rgb.shape[:2]
    crop: np.ndarray = np.zeros((size, size, 3), dtype=np.uint8)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x0 + size), min(h, y0 + size)
    if sx1 <= sx0 or sy1 <= sy0:
        return None
    crop[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = rgb[sy0:sy1, sx0:sx1]
    return crop


def mesh_box(mesh: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The mesh's bounding box (forehead to chin, cheek to cheek) clipped to an
    image of ``shape``, as ``(x0, y0, x1, y1)``; None when under 8 x 8 pixels."""
    return _clipped_box(_bounds(mesh), shape)


def _bounds(mesh: np.ndarray) -> tuple[float, float, float, float]:
    """The mesh points' smallest and largest x and y as Python floats (each column's
    ``min()`` / ``max()`` by the ufuncs' own reductions: the same values without the
    methods' overhead; a reduction over ``axis=0`` of the two columns costs more)."""
    pts = np.asarray(mesh)
    x, y = pts[:, 0], pts[:, 1]
    low, high = np.minimum.reduce, np.maximum.reduce
    return float(low(x)), float(low(y)), float(high(x)), float(high(y))


def _clipped_box(
    bounds: tuple[float, float, float, float], shape: tuple[int, ...]
) -> tuple[int, int, int, int] | None:
    lx, ly, hx, hy = bounds
    h, w = shape[:2]
    # math.floor / ceil of a float: np.floor / np.ceil's whole number, as an int
    x0, y0 = max(0, math.floor(lx)), max(0, math.floor(ly))
    x1, y1 = min(w, math.ceil(hx)), min(h, math.ceil(hy))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return x0, y0, x1, y1


def inside_fraction(mesh: np.ndarray, shape: tuple[int, ...]) -> float:
    """Fraction of the mesh points that fall inside an image of ``shape``."""
    return _inside_fraction(mesh, shape, _bounds(mesh))


def _inside_fraction(
    mesh: np.ndarray, shape: tuple[int, ...], bounds: tuple[float, float, float, float]
) -> float:
    h, w = shape[:2]
    lx, ly, hx, hy = bounds
    if lx >= 0 and ly >= 0 and hx < w and hy < h:
        return 1.0  # every point inside (the count over itself); NaN bounds fail the test
    pts = np.asarray(mesh)[:, :2]
    ok = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    return np.count_nonzero(ok) / ok.size


def face_mask(mesh: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Boolean mask of the face oval, in the coordinates of the ``box`` crop."""
    import cv2

    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    pts = rows_of(np.asarray(mesh), FACE_OVAL)[:, :2] - np.array([x0, y0])
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], (1,))
    return mask.astype(bool)


def reduced_face(
    rgb: np.ndarray, mesh: np.ndarray, box: tuple[int, int, int, int], ied: float, target_ied: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``box`` crop of ``rgb`` reduced (area averaging, never enlarged) so
    the eyes are at most ``target_ied`` pixels apart.

    Returns:
        (RGB crop, the mesh's 2-D points in its pixels, boolean face-oval mask).
    """
    import cv2

    x0, y0, x1, y1 = box
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    f = 1.0
    if ied > target_ied:
        f = target_ied / ied
        size = (max(8, round(crop.shape[1] * f)), max(8, round(crop.shape[0] * f)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    pts = (np.asarray(mesh, dtype=np.float64)[:, :2] - np.array([x0, y0])) * f
    mask = np.zeros(crop.shape[:2], dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(rows_of(pts, FACE_OVAL)).astype(np.int32)], (1,))
    return crop, pts, mask.astype(bool)


#: Exposure, photo and sharpness measures look at the face reduced to this inter-eye distance.
NORMAL_IED: Final = 64.0
#: Blockiness looks at the central window of the face of this side, in working pixels.
BLOCK_WINDOW: Final = 224


@dataclass(frozen=True, slots=True)
class FaceView:
    """The crops of one face every measure shares (made once by :func:`face_view`).

    Attributes:
        ied: inter-eye distance in working pixels.
        box: the mesh's bounding box in the working image, None when it is
            (nearly) outside it.
        inside: fraction of the mesh points inside the image.
        small: the box's RGB pixels reduced (never enlarged) to an inter-eye
            distance of at most ``NORMAL_IED``; ``small_pts`` the mesh's 2-D
            points and ``small_mask`` the face oval in its pixels; ``small_ied``
            its inter-eye distance.
        window: luma (float32) of the central ``BLOCK_WINDOW`` square of the box
            at working resolution (for JPEG blocks and pixelation).
        small_grey: luma of ``small`` (uint8, OpenCV's BT.601) and ``small_luma`` the
            same as float32, made once for every measure
            (read-only: the measures share them).
        small_inner: ``small_mask`` eroded by a 3 x 3 square (uint8 0 / 1, read-only):
            the face away from its outline.
    """

    ied: float
    box: tuple[int, int, int, int] | None
    inside: float
    small: np.ndarray | None = None
    small_pts: np.ndarray | None = None
    small_mask: np.ndarray | None = None
    small_ied: float = 0.0
    window: np.ndarray | None = None
    small_grey: np.ndarray | None = None
    small_luma: np.ndarray | None = None
    small_inner: np.ndarray | None = None


def block_window(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The central ``BLOCK_WINDOW`` square (x0, y0, x1, y1; less where the face is smaller)
    of the face ``box`` in working pixels: ``FaceView.window``'s pixels."""
    x0, y0, x1, y1 = box
    h, w = y1 - y0, x1 - x0
    wy0, wx0 = y0 + max(0, (h - BLOCK_WINDOW) // 2), x0 + max(0, (w - BLOCK_WINDOW) // 2)
    return wx0, wy0, min(x1, wx0 + BLOCK_WINDOW), min(y1, wy0 + BLOCK_WINDOW)


def face_view(rgb: np.ndarray, mesh: np.ndarray) -> FaceView:
    """The shared crops of the face ``mesh`` in the working image ``rgb``."""
    import cv2

    check_inputs(rgb, mesh)
    ied = inter_eye_distance(mesh)
    bounds = _bounds(mesh)  # once for the box and the inside share
    box = _clipped_box(bounds, rgb.shape)
    inside = _inside_fraction(mesh, rgb.shape, bounds)
    if box is None:
        return FaceView(ied, None, inside)
    small, pts, mask = reduced_face(rgb, mesh, box, ied, NORMAL_IED)
    wx0, wy0, wx1, wy1 = block_window(box)
    win = rgb[wy0:wy1, wx0:wx1]
    # OpenCV reads the window in place (rows of whole pixels): no contiguous copy first
    window = cv2.cvtColor(win, cv2.COLOR_RGB2GRAY).astype(np.float32)
    # the small crop's luma, once for the detail, exposure, photo and drawing measures
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    luma = grey.astype(np.float32)
    inner = cv2.erode(mask.view(np.uint8), np.ones((3, 3), np.uint8))
    grey.flags.writeable = luma.flags.writeable = inner.flags.writeable = False
    return FaceView(ied, box, inside, small, pts, mask, min(ied, NORMAL_IED), window, grey, luma, inner)
