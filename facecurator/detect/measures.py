"""Pure face measures used by the local detector: head pose, eye openness, blur,
glasses and mask. numpy (and OpenCV for resampling / filtering) only; no model.

Every function takes pixels or face-mesh landmarks that the caller already
cropped, so each measure can be tested and calibrated on its own. The formulas,
scales and thresholds are documented in ``docs/local-detector.md``.

Mesh landmarks are the 478 points of mediapipe's face mesh (468 + 10 iris points), as an ``(N, 3)``
array in pixels of one image: x to the right, y down, z away from the camera
(mediapipe's convention; z has the same scale as x).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

# --------------------------------------------------------------------------- pose

#: Rigid landmarks of mediapipe's canonical face model
#: (``mediapipe/modules/face_geometry/data/canonical_face_model.obj``, Apache-2.0,
#: vertex = landmark index + 1), in cm: x to the image right of a frontal face,
#: y up, z toward the camera. Only points that expressions barely move are used
#: (nose, nose bridge, forehead, eye corners, cheekbones, temples): the mouth,
#: jaw, eyelids and brows are left out.
CANONICAL_RIGID_POINTS: Final[dict[int, tuple[float, float, float]]] = {
    1: (0.0, -1.126865, 7.475604),
    4: (0.0, -0.46317, 7.58658),
    5: (0.0, 0.365669, 7.24287),
    6: (0.0, 2.473255, 5.788627),
    8: (0.0, 4.019042, 5.284764),
    9: (0.0, 4.885979, 5.385258),
    10: (0.0, 8.261778, 4.481535),
    151: (0.0, 6.54539, 5.027311),
    168: (0.0, 3.271027, 5.236015),
    195: (0.0, 1.059413, 6.774605),
    197: (0.0, 1.728369, 6.31675),
    33: (-4.445859, 2.663991, 3.173422),
    133: (-1.856432, 2.585245, 3.757904),
    362: (1.856432, 2.585245, 3.757904),
    263: (4.445859, 2.663991, 3.173422),
    234: (-7.664182, 0.673132, -2.435867),
    454: (7.664182, 0.673132, -2.435867),
    127: (-7.743095, 2.364999, -2.005167),
    356: (7.743095, 2.364999, -2.005167),
    93: (-7.542244, -1.049282, -2.431321),
    323: (7.542244, -1.049282, -2.431321),
    116: (-6.46517, 0.937119, 1.689873),
    345: (6.46517, 0.937119, 1.689873),
    123: (-6.338145, -0.529279, 1.881175),
    352: (6.338145, -0.529279, 1.881175),
    98: (-1.405627, -1.714196, 5.241087),
    327: (1.405627, -1.714196, 5.241087),
    129: (-1.785794, -0.978284, 4.85047),
    358: (1.785794, -0.978284, 4.85047),
    48: (-1.608635, -0.942516, 5.814193),
    278: (1.608635, -0.942516, 5.814193),
}
_RIGID_INDICES: Final = tuple(CANONICAL_RIGID_POINTS)
_CANONICAL: Final = np.array([CANONICAL_RIGID_POINTS[i] for i in _RIGID_INDICES], dtype=np.float64)
# head_pose's constant terms, made once (the same numbers it made on every call before)
_RIGID_ROWS: Final = np.array(_RIGID_INDICES, dtype=np.intp)
_SRC: Final = _CANONICAL - _CANONICAL.mean(axis=0)
_SRC_SQUARES: Final = (_SRC**2).sum()
_Y_UP: Final = np.array([1.0, -1.0, -1.0])


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Degrees. pitch > 0: looking up; yaw > 0: face turned toward the image's
    right (the subject's left); roll > 0: head tilted counter-clockwise as seen in
    the image (the subject's left eye, on the image right, higher). Each is 0 for
    a frontal, upright face looking into the camera."""

    pitch: float
    yaw: float
    roll: float
    #: RMS distance of the fitted rigid points to the mesh, as a fraction of the face's size
    residual: float


def head_pose(mesh: np.ndarray) -> HeadPose:
    """Head pose from the 3-D face mesh by a rigid (similarity) fit.

    The rigid landmarks of the mesh are aligned with the same points of
    mediapipe's canonical face model by least squares (Umeyama / Kabsch:
    rotation + uniform scale + translation, no perspective since the mesh's z is
    already metric-like). The rotation is then split as yaw (about the vertical
    axis), then pitch (about the head's ear-to-ear axis), then roll (about the
    viewing direction).
    """
    pts = np.asarray(mesh, dtype=np.float64)[_RIGID_ROWS]
    # mediapipe: x right, y down, z away from the camera -> x right, y up, z toward the camera
    target = pts * _Y_UP
    src = _SRC
    dst = target - target.mean(axis=0)
    cov = dst.T @ src
    u, sing, vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    fix = np.diag([1.0, 1.0, d])
    rot = u @ fix @ vt
    scale = float((sing * np.diag(fix)).sum() / _SRC_SQUARES)
    fitted = scale * (src @ rot.T)
    size = math.sqrt(float((dst**2).sum(axis=1).mean())) or 1.0
    residual = math.sqrt(float(((fitted - dst) ** 2).sum(axis=1).mean())) / size
    # rot = Ry(yaw) @ Rx(-pitch) @ Rz(roll) in the y-up, z-toward-camera frame.
    forward = rot[:, 2]
    yaw = math.degrees(math.atan2(forward[0], forward[2]))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, forward[1]))))
    roll = math.degrees(math.atan2(rot[1, 0], rot[1, 1]))
    return HeadPose(pitch=pitch, yaw=yaw, roll=roll, residual=residual)


# --------------------------------------------------------------------------- eyes

#: Eye contour landmarks (p1..p6 of Soukupová & Čech's eye aspect ratio):
#: corner, upper lid x2, other corner, lower lid x2. "right"/"left" are the subject's.
RIGHT_EYE_EAR: Final = (33, 160, 158, 133, 153, 144)
LEFT_EYE_EAR: Final = (263, 387, 385, 362, 380, 373)
#: Both eyes below this eye aspect ratio -> eyes closed (see docs/local-detector.md).
EYES_CLOSED_EAR: Final = 0.15


def eye_aspect_ratio(mesh: np.ndarray, eye: tuple[int, ...]) -> float:
    """(|p2-p6| + |p3-p5|) / (2 |p1-p4|), measured in 3-D so a turned head does
    not shorten the eye's width; about 0.2-0.37 open, about 0.1 closed."""
    p = np.asarray(mesh, dtype=np.float64)[list(eye)]
    width = float(np.linalg.norm(p[0] - p[3]))
    if width <= 1e-6:
        return 0.0
    height = float(np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4]))
    return height / (2.0 * width)


def eyes_closed(mesh: np.ndarray, *, threshold: float = EYES_CLOSED_EAR) -> tuple[bool, float, float]:
    """(closed, right EAR, left EAR): closed when both eyes are below ``threshold``."""
    right = eye_aspect_ratio(mesh, RIGHT_EYE_EAR)
    left = eye_aspect_ratio(mesh, LEFT_EYE_EAR)
    return (max(right, left) < threshold, right, left)


# --------------------------------------------------------------------------- blur

#: The face crop is reduced (never enlarged) to at most this many pixels square
#: before the blur measure, so the score describes the face at the resolution a
#: recogniser uses and faces of any size are comparable.
BLUR_CROP_SIDE: Final = 96
#: Piecewise-linear map from the Crete blur effect to the local 0-100 scale:
#: (crete, score) knots. 25 (the default rules' boundary) sits midway between the
#: blurriest sharp face (0.610) and the least blurry blurred face (0.683) of the
#: corpus; see docs/local-detector.md.
BLUR_KNOTS: Final = ((0.30, 0.0), (0.647, 25.0), (0.90, 100.0))


def crete_blur_effect(gray: np.ndarray, *, h_size: int = 11) -> float:
    """No-reference blur effect of Crete et al. (2007), 0 (sharp) .. 1 (blurry).

    The image is re-blurred with an ``h_size``-tap box filter along each axis;
    a sharp image loses much of its edge strength (Sobel along that axis), an
    already blurry one little. The larger of the two axes' values is returned.
    Same definition as ``skimage.measure.blur_effect`` (the tests compare the
    two), computed with OpenCV; contrast-invariant.
    """
    import cv2

    raw = np.asarray(gray)
    if raw.ndim != 2 or min(raw.shape) < 4:
        raise ValueError("crete_blur_effect needs a 2-D image of at least 4x4 pixels")
    img = raw.astype(np.float64)
    if np.issubdtype(raw.dtype, np.integer):
        img /= float(np.iinfo(raw.dtype).max)  # as skimage's img_as_float
    inner = (slice(2, img.shape[0] - 1), slice(2, img.shape[1] - 1))
    results = []
    for dy, box in ((1, (1, h_size)), (0, (h_size, 1))):  # axis 0 (rows), then axis 1
        blurred = cv2.blur(img, box, borderType=cv2.BORDER_REFLECT)
        sharp_edges = np.abs(cv2.Sobel(img, cv2.CV_64F, 1 - dy, dy, ksize=3, borderType=cv2.BORDER_REFLECT))
        blur_edges = np.abs(
            cv2.Sobel(blurred, cv2.CV_64F, 1 - dy, dy, ksize=3, borderType=cv2.BORDER_REFLECT)
        )
        sharp_edges = np.maximum(1e-10, sharp_edges)
        blur_edges = np.maximum(1e-10, blur_edges)
        lost = np.maximum(0.0, sharp_edges - blur_edges)
        m1, m2 = float(sharp_edges[inner].sum()), float(lost[inner].sum())
        results.append(abs(m1 - m2) / m1)
    return max(results)


def blur_from_crete(crete: float) -> float:
    """Map a Crete blur effect (0..1) to the local 0-100 scale (``BLUR_KNOTS``)."""
    xs, ys = zip(*BLUR_KNOTS, strict=True)
    return float(np.interp(crete, xs, ys))


def blur_score(face_gray: np.ndarray) -> tuple[float, float]:
    """The local blur scale, 0 (sharp) .. 100 (blurry), of a grey face crop.

    The crop (the face mesh's bounding box: forehead to chin, cheek to cheek) is
    reduced with area averaging to at most ``BLUR_CROP_SIDE`` pixels square
    (smaller faces are measured as they are: enlarging would add blur), its
    Crete blur effect computed, and mapped by :func:`blur_from_crete`.

    Returns:
        (score, raw Crete blur effect).
    """
    import cv2

    h, w = face_gray.shape[:2]
    side = min(BLUR_CROP_SIDE, h, w)
    img = cv2.resize(face_gray, (side, side), interpolation=cv2.INTER_AREA)
    crete = crete_blur_effect(img)
    return (blur_from_crete(crete), crete)


# --------------------------------------------------------------------------- glasses / mask

GlassesVerdict = Literal["none", "glasses", "sunglasses"]

#: Eye contours (16 points each, subject's right / left eye) of the face mesh.
RIGHT_EYE_CONTOUR: Final = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_CONTOUR: Final = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
#: Cheek patches below the eyes and the mouth area (lips, philtrum, chin top).
RIGHT_CHEEK: Final = (117, 118, 101, 36, 205, 187, 123)
LEFT_CHEEK: Final = (346, 347, 330, 266, 425, 411, 352)
MOUTH_AREA: Final = (
    164,
    393,
    391,
    322,
    410,
    287,
    273,
    335,
    406,
    313,
    18,
    83,
    182,
    106,
    43,
    57,
    186,
    92,
    165,
    167,
)

#: Side of the eye-aligned face crop; the eye centres land at (0.35, 0.40) and
#: (0.65, 0.40) of it, so the inter-ocular distance is 0.30 * side.
ALIGNED_SIDE: Final = 128
_ALIGNED_EYES: Final = ((0.35, 0.40), (0.65, 0.40))

# Regions of the aligned crop, as (y0, y1, x0, x1) fractions of its side.
_EYE_WINDOWS: Final = ((0.36, 0.445, 0.28, 0.42), (0.36, 0.445, 0.58, 0.72))
_LENS_AREAS: Final = ((0.31, 0.50, 0.23, 0.45), (0.31, 0.50, 0.55, 0.77))
_BRIDGE_BAND: Final = (0.30, 0.47, 0.45, 0.55)
_CHEEK_BOXES: Final = ((0.61, 0.77, 0.22, 0.39), (0.61, 0.77, 0.61, 0.78))

#: Sunglasses: the brightest tenth of the eye windows and of the lens areas stay
#: this dark relative to the cheeks (no sclera, no skin showing through).
SUNGLASSES_EYE_P90: Final = 0.30
SUNGLASSES_LENS_P90: Final = 0.55
#: Frame across the nose bridge: strongest row-mean vertical gradient in the
#: bridge band, relative to the cheeks' mean gradient.
GLASSES_BRIDGE_LINE: Final = 3.0
NO_GLASSES_BRIDGE_LINE: Final = 1.0
#: Glasses and mask are not measured on faces turned further than this or with
#: fewer pixels between the eye centres (in the decoded image).
ATTRIBUTE_MAX_YAW: Final = 45.0
ATTRIBUTE_MIN_EYE_DISTANCE: Final = 16.0
#: Mask: a textureless, colourless mouth area (see docs/local-detector.md).
MASK_MAX_MOUTH_TEXTURE: Final = 1.0
MASK_MAX_MOUTH_CHROMA: Final = 6.5
NO_MASK_MIN_MOUTH_CHROMA: Final = 10.0
#: Below this chroma in both the mouth area and the cheeks the image is treated as monochrome.
MONOCHROME_CHROMA: Final = 2.5


def eye_centres(mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the subject's right and left eye contours (image pixels)."""
    pts = np.asarray(mesh)[:, :2]
    return pts[_RIGHT_EYE_ROWS].mean(axis=0), pts[_LEFT_EYE_ROWS].mean(axis=0)


_RIGHT_EYE_ROWS: Final = np.array(RIGHT_EYE_CONTOUR, dtype=np.intp)
_LEFT_EYE_ROWS: Final = np.array(LEFT_EYE_CONTOUR, dtype=np.intp)


def align_face(
    rgb: np.ndarray, mesh: np.ndarray, *, side: int = ALIGNED_SIDE
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate, scale and crop the face so the eyes are level at fixed points.

    Returns:
        (``side`` x ``side`` RGB crop, the mesh's 2-D points in crop pixels).
    """
    import cv2

    right, left = eye_centres(mesh)
    (rx, ry), (lx, ly) = _ALIGNED_EYES
    dst_r = np.array([rx * side, ry * side])
    dst_l = np.array([lx * side, ly * side])
    v = left - right
    scale = float(np.linalg.norm(dst_l - dst_r) / max(1e-6, float(np.linalg.norm(v))))
    angle = math.atan2(float(v[1]), float(v[0]))
    c, s = scale * math.cos(-angle), scale * math.sin(-angle)
    matrix = np.array([[c, -s, 0.0], [s, c, 0.0]])
    matrix[:, 2] = dst_r - matrix[:, :2] @ right
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, matrix, (side, side), flags=interp, borderMode=cv2.BORDER_REPLICATE)
    pts = np.asarray(mesh)[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    return crop, pts


def percentile_of_levels(values: np.ndarray, q: float) -> float:
    """``float(np.percentile(values, q))`` (numpy's default, linear method) of a 1-D array of
    integers or float64 (the glasses measure's grey levels), without its overhead (~40 us a
    call): the same two order statistics and numpy's own float64 steps (``_lerp``: from the
    lower one below gamma 0.5, from the upper one at or above it; a NaN anywhere gives NaN).
    Other dtypes (float32: numpy subtracts in float32 first) go to numpy."""
    n = values.size
    kind = values.dtype.kind
    if n == 0 or not (kind in "iub" or values.dtype == np.float64):
        return float(np.percentile(values, q))
    at = (n - 1) * (q / 100)
    if at >= n - 1:  # numpy takes the last value (index -1) for both ends
        low = -1
        ordered = np.partition(values, n - 1)
        a = b = float(ordered[-1])
    else:
        low = math.floor(at)
        ordered = np.partition(values, (low, low + 1, n - 1))
        a, b = float(ordered[low]), float(ordered[low + 1])
        if math.isnan(float(ordered[-1])):
            return math.nan  # a NaN sorts last
    t = at - low
    step = b - a
    return a + step * t if t < 0.5 else b - step * (1 - t)


def _box(img: np.ndarray, region: tuple[float, float, float, float]) -> np.ndarray:
    return img[_box_slices(img.shape[0], region)]


@functools.lru_cache(maxsize=64)
def _box_slices(side: int, region: tuple[float, float, float, float]) -> tuple[slice, slice]:
    """The rows and columns of ``region`` (fractions of the crop) in a ``side``-pixel crop
    (remembered: the regions are the module's constants and the crop's side is fixed)."""
    y0, y1, x0, x1 = (round(v * side) for v in region)
    return slice(y0, y1), slice(x0, x1)


def _polygon_mask(shape: tuple[int, ...], pts: np.ndarray) -> np.ndarray:
    import cv2

    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], (1,))
    return mask.astype(bool)


@dataclass(frozen=True, slots=True)
class GlassesMeasure:
    """The glasses verdict (None = not measured) and the numbers behind it."""

    verdict: GlassesVerdict | None
    eye_p90: float
    lens_p90: float
    bridge_line: float
    reason: str
    #: the sunglasses test alone (reliable on frontal faces even when the frame
    #: test is ambiguous): True / False, None when the face was not measurable
    sunglasses: bool | None = None


@dataclass(frozen=True, slots=True)
class CropGradients:
    """Grey levels and Sobel gradients of the eye-aligned crop, shared by the glasses and mask measures."""

    gray: np.ndarray
    gx: np.ndarray
    gy: np.ndarray

    def magnitude(self, where: np.ndarray | tuple[slice, slice]) -> np.ndarray:
        """The gradient magnitude (``np.hypot(gx, gy)``) of the pixels ``where`` selects
        (flat indices in row order, as ``np.flatnonzero`` of a mask gives them: 1-D; or a
        box of slices): the measures read it in the cheeks and the mouth area only, about
        a fifth of the crop (``hypot`` costs ~70 instructions a pixel; every selected value
        is the same as the whole crop's)."""
        if isinstance(where, np.ndarray):
            return np.hypot(self.gx.take(where), self.gy.take(where))
        return np.hypot(self.gx[where], self.gy[where])


def crop_gradients(aligned_rgb: np.ndarray) -> CropGradients:
    """Grey levels and horizontal and vertical gradients of ``aligned_rgb``."""
    import cv2

    grey = cv2.cvtColor(aligned_rgb, cv2.COLOR_RGB2GRAY)
    # the 3 x 3 Sobel of 8-bit levels is a whole number of at most 4 x 255: exact in 16 bits,
    # the same numbers as the float64 filter of the float64 levels, at half its cost
    gx = cv2.Sobel(grey, cv2.CV_16S, 1, 0, ksize=3).astype(np.float64)
    gy = cv2.Sobel(grey, cv2.CV_16S, 0, 1, ksize=3).astype(np.float64)
    return CropGradients(grey.astype(np.float64), gx, gy)


def glasses_measure(
    aligned_rgb: np.ndarray,
    *,
    yaw: float,
    eye_distance: float,
    masked: bool | None,
    gradients: CropGradients | None = None,
) -> GlassesMeasure:
    """Sunglasses / frame / none from the eye-aligned crop (see module constants).

    ``gradients``: :func:`crop_gradients` of the crop when already computed.
    """
    g = gradients or crop_gradients(aligned_rgb)
    gray, gy = g.gray, g.gy
    cheek = np.concatenate([_box(gray, b).ravel() for b in _CHEEK_BOXES])
    cheek_level = float(cheek.mean()) + 1.0
    side = gray.shape[0]
    cheek_grads = [g.magnitude(_box_slices(side, b)).ravel() for b in _CHEEK_BOXES]
    cheek_grad = float(np.concatenate(cheek_grads).mean()) + 1.0
    eyes = np.concatenate([_box(gray, b).ravel() for b in _EYE_WINDOWS])
    lenses = np.concatenate([_box(gray, b).ravel() for b in _LENS_AREAS])
    eye_p90 = percentile_of_levels(eyes, 90) / cheek_level
    lens_p90 = percentile_of_levels(lenses, 90) / cheek_level
    bridge_line = float(np.abs(_box(gy, _BRIDGE_BAND).mean(axis=1)).max()) / cheek_grad

    def result(
        verdict: GlassesVerdict | None, reason: str, sunglasses: bool | None = False
    ) -> GlassesMeasure:
        return GlassesMeasure(
            verdict, round(eye_p90, 3), round(lens_p90, 3), round(bridge_line, 3), reason, sunglasses
        )

    if abs(yaw) > ATTRIBUTE_MAX_YAW:
        return result(None, f"face turned {abs(yaw):.0f} deg", None)
    if eye_distance < ATTRIBUTE_MIN_EYE_DISTANCE:
        return result(None, f"face too small ({eye_distance:.0f} px between the eyes)", None)
    if eye_p90 < SUNGLASSES_EYE_P90 and lens_p90 < SUNGLASSES_LENS_P90:
        return result("sunglasses", "dark, uniform eye region", True)
    if masked:
        return result(None, "mask edge hides the nose bridge")
    if bridge_line >= GLASSES_BRIDGE_LINE:
        return result("glasses", "frame line across the nose bridge")
    if bridge_line < NO_GLASSES_BRIDGE_LINE:
        return result("none", "eyes visible, clean nose bridge")
    return result(None, "ambiguous nose-bridge edges")


@dataclass(frozen=True, slots=True)
class MaskMeasure:
    """The mask verdict (None = not measured) and the numbers behind it."""

    verdict: bool | None
    mouth_texture: float
    mouth_chroma: float
    skin_chroma: float
    reason: str


def mask_measure(
    aligned_rgb: np.ndarray,
    aligned_pts: np.ndarray,
    *,
    yaw: float,
    eye_distance: float,
    lab: np.ndarray | None = None,
    gradients: CropGradients | None = None,
) -> MaskMeasure:
    """Mask from the mouth area of the eye-aligned crop: a mask hides the lips'
    edges (low texture relative to the cheeks) and the lips' colour (low chroma).

    ``lab``: the crop's CIELAB with signed a*, b* when already computed (8-bit
    OpenCV Lab, as ``facecurator.detect.quality.regions.FaceRegions.lab``).
    """
    import cv2

    shape = aligned_rgb.shape[:2]
    g = gradients or crop_gradients(aligned_rgb)
    # the areas' pixels as flat indices in row order (the order a boolean mask selects them)
    mouth = np.flatnonzero(_polygon_mask(shape, aligned_pts[list(MOUTH_AREA)]))
    right, left = (_polygon_mask(shape, aligned_pts[list(c)]) for c in (RIGHT_CHEEK, LEFT_CHEEK))
    cheeks = np.flatnonzero(right | left)
    if mouth.size < 10 or cheeks.size < 10:
        return MaskMeasure(None, 0.0, 0.0, 0.0, "mouth or cheeks outside the image")
    texture = float(g.magnitude(mouth).mean()) / (float(g.magnitude(cheeks).mean()) + 1.0)
    # chroma (np.hypot of a*, b*) of the mouth's and the cheeks' pixels only
    if lab is None:
        lab8 = cv2.cvtColor(aligned_rgb, cv2.COLOR_RGB2LAB).astype(np.float64).reshape(-1, 3)
        mouth_ab, cheeks_ab = lab8.take(mouth, axis=0) - 128.0, lab8.take(cheeks, axis=0) - 128.0
    else:
        flat = lab.reshape(-1, lab.shape[-1])
        mouth_ab, cheeks_ab = flat.take(mouth, axis=0), flat.take(cheeks, axis=0)
    mouth_chroma = float(np.hypot(mouth_ab[:, 1], mouth_ab[:, 2]).mean())
    skin_chroma = float(np.hypot(cheeks_ab[:, 1], cheeks_ab[:, 2]).mean())

    def result(verdict: bool | None, reason: str) -> MaskMeasure:
        return MaskMeasure(verdict, round(texture, 3), round(mouth_chroma, 2), round(skin_chroma, 2), reason)

    if abs(yaw) > ATTRIBUTE_MAX_YAW:
        return result(None, f"face turned {abs(yaw):.0f} deg")
    if eye_distance < ATTRIBUTE_MIN_EYE_DISTANCE:
        return result(None, f"face too small ({eye_distance:.0f} px between the eyes)")
    monochrome = mouth_chroma < MONOCHROME_CHROMA and skin_chroma < MONOCHROME_CHROMA
    if texture >= MASK_MAX_MOUTH_TEXTURE:
        return result(False, "lip edges visible")
    if monochrome:
        return result(None, "smooth mouth area in a monochrome image")
    if mouth_chroma < MASK_MAX_MOUTH_CHROMA:
        return result(True, "smooth, colourless mouth area")
    if mouth_chroma >= NO_MASK_MIN_MOUTH_CHROMA:
        return result(False, "skin-coloured mouth area")
    return result(None, "smooth mouth area of ambiguous colour")
