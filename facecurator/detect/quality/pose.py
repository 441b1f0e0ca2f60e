"""Head pitch and yaw that do not under-read extreme poses.

The face mesh regresses toward a frontal face at large angles, so the rigid
fit of :func:`facecurator.detect.measures.head_pose` under-reads them: full
profiles (yaw ~90 deg) read 50-61 deg, a head tipped back ~40 deg reads ~28-30,
a face looking down ~40 deg reads -25 (docs/local-detector.md). A second fit
does not help: a perspective PnP fit (OpenCV ``solvePnP``) of the same mesh's
2-D points to the canonical face model reads within 1-5 deg of the rigid
3-D fit on every corpus face (the mesh's 2-D points carry the same bias).

So the angle is expanded beyond a knee, where the under-reading starts:

    corrected = angle + gain * (|angle| - knee) * sign(angle)   for |angle| > knee

yaw: knee 30 deg, gain 1.2 (profiles 50.7 / 57.7 / 60.6 -> 75 / 90 / 90): the
yaw > 30 verdict is the raw one (faces labelled under ~25 deg already read up
to 32 raw on the gathered truth set, so a lower knee only adds false "turned");
pitch: knee 20 deg, gain 1.0 (looking up 29.7 -> 39.4, tipped back 27-28 ->
34-36; looking down -25.2 -> -30.4), chosen on the tune split (4 false / 3
missed "pitch > 30" there, against 6 / 3 for knee 15 gain 0.6 and 0 / 4
without correction). Frontal portraits of the corpus (pitch -13.2..+5.3, yaw
-21.6..+20.0) are unchanged; results are capped at 90.
Roll is not expanded (rotating a photo by 20-45 deg is read within ~6 deg).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from facecurator.detect.quality.base import Measure

YAW_KNEE: Final = 30.0
YAW_GAIN: Final = 1.2
PITCH_KNEE: Final = 20.0
PITCH_GAIN: Final = 1.0
#: The pose rules' limit (degrees) the corrected angles are compared with.
POSE_LIMIT: Final = 30.0
#: A head tipped back by the face detector's keypoints (:func:`tipped_back_cue` at or
#: above this): clean faces of the tuning part the mesh reads looking up <= 0.11 (test
#: 0.08), faces labelled looking up > 30 deg >= 0.21 (image00427.jpg, mesh 16.9 deg;
#: test 0.34-0.65); 0.16 is midway (issue 18, local-v19; docs/local-detector.md).
TIPPED_BACK_CUE: Final = 0.16
#: The pitch reported for a head the keypoints say is tipped back while the mesh reads
#: less: just over the limit (the angle itself is not measured).
TIPPED_BACK_PITCH: Final = POSE_LIMIT + 1.0


def expand_angle(angle: float, *, knee: float, gain: float, cap: float = 90.0) -> float:
    """``angle`` with the part beyond ``knee`` multiplied by ``1 + gain``, capped at ``cap``."""
    size = abs(angle)
    if size > knee:
        size = size + gain * (size - knee)
    return math.copysign(min(cap, size), angle)


def tipped_back_cue(keypoints: list[tuple[float, float]] | tuple[tuple[float, float], ...]) -> float | None:
    """How far the ear tragions sit below the nose tip, along the face's vertical axis, in
    eye-to-mouth heights, from the face detector's six keypoints (right eye, left eye, nose
    tip, mouth centre, right and left ear tragion); None without them.

    A second reading of pitch, independent of the mesh (which regresses toward a frontal
    face): the tragions lie behind the face plane, so tipping the head back raises the
    nose tip (in front of it) and lowers the tragions in the image. Frontal faces read
    about 0 (the tragions near the nose's level); heads tipped back well over 0.1.
    """
    if len(keypoints) < 6:
        return None
    pts = np.asarray(keypoints[:6], dtype=np.float64)
    right_eye, left_eye, nose, mouth, right_ear, left_ear = pts
    eyes = (right_eye + left_eye) / 2
    across = left_eye - right_eye
    size = float(np.hypot(across[0], across[1]))
    if size < 1e-6:
        return None
    down = np.array([-across[1], across[0]]) / size
    height = float(np.dot(mouth - eyes, down))
    if abs(height) < 1e-6:
        return None
    if height < 0:
        down, height = -down, -height
    ears = (right_ear + left_ear) / 2
    return float(np.dot(ears - eyes, down) - np.dot(nose - eyes, down)) / height


def corrected_pose(mesh: np.ndarray, *, head: tuple[float, float] | None = None) -> dict[str, Measure]:
    """``pitch`` and ``yaw`` (degrees, the signs of :class:`HeadPose`: pitch > 0
    looking up, yaw > 0 turned toward the image's right) corrected for the
    mesh's under-reading; the raw rigid-fit angles are in ``details``.

    ``head``: the (pitch, yaw) :func:`facecurator.detect.measures.head_pose`
    already gave for this mesh (saves fitting it again)."""
    if head is None:
        from facecurator.detect.measures import head_pose

        raw = head_pose(np.asarray(mesh, dtype=np.float64))
        head = (raw.pitch, raw.yaw)
    raw_pitch, raw_yaw = head
    pitch = expand_angle(raw_pitch, knee=PITCH_KNEE, gain=PITCH_GAIN)
    yaw = expand_angle(raw_yaw, knee=YAW_KNEE, gain=YAW_GAIN)
    details = {"raw_pitch": round(raw_pitch, 2), "raw_yaw": round(raw_yaw, 2)}
    return {
        "pitch": Measure(round(pitch, 2), "looking up" if pitch > 0 else "looking down", details),
        "yaw": Measure(
            round(yaw, 2),
            "turned toward the image's right" if yaw > 0 else "turned toward the image's left",
            details,
        ),
    }
