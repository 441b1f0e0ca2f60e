"""Attribute -> detector measure: the table the verdict-quality benchmark compares labels with.

Each labelled attribute (``labels.ATTRIBUTES``) maps to a function of the
canonical :class:`Face` that says whether the detector finds the attribute
present (True), absent (False) or could not measure it (None). An attribute
mapped to ``None`` has no measure yet: the benchmark prints "no measure" for it.

Extend this table as measures land (a new Face field, a ``raw`` number, a
condition of a preset). Keep each entry a plain reading of the detector's
output, with the threshold the presets use, so the confusion counts say how
the rules will behave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from facecurator.domain.face import BLUR_SCALE_MODERATION_2, Face
from facecurator.domain.rules import convert_blur

Measure = Callable[[Face], "bool | None"]

#: The presets' limits (resources/presets/*.toml).
BLUR_LIMIT: Final = 25.0  # on the 0-100 scale
POSE_LIMIT: Final = 30.0
#: per-eye eye aspect ratio below which an eye reads closed (docs/local-detector.md)
EAR_CLOSED: Final = 0.15


def _raw(face: Face) -> dict[str, Any]:
    return face.raw or {}


def sunglasses(face: Face) -> bool | None:
    return face.wears_sunglasses


def clear_glasses(face: Face) -> bool | None:
    if face.glasses is None:
        return False if face.wears_sunglasses else None
    return face.glasses == "glasses"


def mask(face: Face) -> bool | None:
    return face.mask


def _eye_closed(index: int) -> Measure:
    """Eye ``index`` of ``raw.ear`` ([subject's right, subject's left]) below EAR_CLOSED."""

    def measure(face: Face) -> bool | None:
        ear = _raw(face).get("ear")
        if not ear or ear[index] is None:
            return None
        return float(ear[index]) < EAR_CLOSED

    return measure


def blurred(face: Face) -> bool | None:
    if face.blur is None:
        return None
    value = convert_blur(face.blur.value, face.blur.scale, BLUR_SCALE_MODERATION_2)
    return None if value is None else value >= BLUR_LIMIT


def _pose(axis: str) -> Measure:
    def measure(face: Face) -> bool | None:
        if face.pose is None:
            return None
        return abs(getattr(face.pose, axis)) > POSE_LIMIT

    return measure


#: attribute -> measure (None: not measured by any detector output yet).
MEASURES: Final[Mapping[str, Measure | None]] = {
    "sunglasses": sunglasses,
    "clear_glasses": clear_glasses,
    "mask": mask,
    "left_eye_closed": _eye_closed(1),
    "right_eye_closed": _eye_closed(0),
    "eyes_occluded": None,
    "nose_mouth_occluded": None,
    "blurred": blurred,
    "compressed": None,
    "upscaled": None,
    "underexposed": None,
    "overexposed": None,
    "pitch_over30": _pose("pitch"),
    "yaw_over30": _pose("yaw"),
    "roll_over30": _pose("roll"),
    "not_photo": None,
}
