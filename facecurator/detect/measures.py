"""Pure face measures used by the local detector: head pose, eye openness, blur,
glasses and mask. numpy (and OpenCV for resampling / filtering) only; no model.

Every function takes pixels or face-mesh landmarks that the caller already
cropped, so each measure can be tested and calibrated on its own. The formulas,
scales and thresholds are documented in ``docs/local-detector.md``.

Mesh landmarks are the 468 points of mediapipe's face mesh, as an ``(N, 3)``
array in pixels of one image: x to the right, y down, z away from the camera
(mediapipe's convention; z has the same scale as x).
"""

from __future__ import annotations

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
    pts = np.asarray(mesh, dtype=np.float64)[list(_RIGID_INDICES)]
    # mediapipe: x right, y down, z away from the camera -> x right, y up, z toward the camera
    target = pts * np.array([1.0, -1.0, -1.0])
    src = _CANONICAL - _CANONICAL.mean(axis=0)
    dst = target - target.mean(axis=0)
    cov = dst.T @ src
    u, sing, vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    fix = np.diag([1.0, 1.0, d])
    rot = u @ fix @ vt
    scale = float((sing * np.diag(fix)).sum() / (src**2).sum())
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
EYES_CLOSED_EAR: Final = 0.17


def eye_aspect_ratio(mesh: np.ndarray, eye: tuple[int, ...]) -> float:
    """(|p2-p6| + |p3-p5|) / (2 |p1-p4|), measured in 3-D so a turned head does
    not shorten the eye's width; about 0.25-0.35 open, below 0.15 closed."""
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

#: Side of the square the face is resampled to before the blur measure.
BLUR_CROP_SIDE: Final = 128
#: Crete blur effect values mapped to 0 and 100 on the local blur scale.
BLUR_CRETE_SHARP: Final = 0.30
BLUR_CRETE_BLURRY: Final = 0.70


def crete_blur_effect(gray: np.ndarray, *, h_size: int = 11) -> float:
    """No-reference blur effect of Crete et al. (2007), 0 (sharp) .. 1 (blurry).

    The image is re-blurred with an ``h_size``-tap box filter along each axis;
    a sharp image loses much of its neighbour-pixel variation, an already blurry
    one little. Same definition as ``skimage.measure.blur_effect`` (which the
    tests compare against); contrast-invariant.
    """
    import cv2

    img = np.asarray(gray, dtype=np.float64)
    if img.ndim != 2 or min(img.shape) < 4:
        raise ValueError("crete_blur_effect needs a 2-D image of at least 4x4 pixels")
    results = []
    for axis in (0, 1):
        ksize = (1, h_size) if axis == 0 else (h_size, 1)
        # skimage blurs along `axis` with a 1-D uniform filter (reflect borders)
        blurred = cv2.blur(img, ksize[::-1], borderType=cv2.BORDER_REFLECT)
        d_img = np.abs(np.diff(img, axis=axis))
        d_blur = np.abs(np.diff(blurred, axis=axis))
        t = np.maximum(0.0, d_img - d_blur)
        m1, m2 = float(d_img.sum()), float(t.sum())
        results.append(abs(m1 - m2) / m1 if m1 > 0 else 1.0)
    return max(results)


def blur_score(face_gray: np.ndarray) -> tuple[float, float]:
    """The local blur scale, 0 (sharp) .. 100 (blurry), of a grey face crop.

    The crop (the face box, no background) is resampled to
    ``BLUR_CROP_SIDE`` pixels square, so the score describes the face at the
    resolution a recogniser uses, then
    ``score = 100 * clip((crete - BLUR_CRETE_SHARP) / (BLUR_CRETE_BLURRY - BLUR_CRETE_SHARP), 0, 1)``.

    Returns:
        (score, raw Crete blur effect).
    """
    import cv2

    h, w = face_gray.shape[:2]
    interp = cv2.INTER_AREA if min(h, w) > BLUR_CROP_SIDE else cv2.INTER_CUBIC
    img = cv2.resize(face_gray, (BLUR_CROP_SIDE, BLUR_CROP_SIDE), interpolation=interp)
    crete = crete_blur_effect(img)
    score = 100.0 * (crete - BLUR_CRETE_SHARP) / (BLUR_CRETE_BLURRY - BLUR_CRETE_SHARP)
    return (float(min(100.0, max(0.0, score))), crete)


# --------------------------------------------------------------------------- glasses / mask

GlassesVerdict = Literal["none", "glasses", "sunglasses"]
