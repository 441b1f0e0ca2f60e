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


def _below(name: str, limit: float = 0.5) -> Measure:
    """The named measure (``Face.measures``) below ``limit``: the presets' "measure" condition, negated."""

    def measure(face: Face) -> bool | None:
        found = face.measures.get(name)
        if found is None or found.value is None:
            return None
        return found.value < limit

    return measure


def blurred(face: Face) -> bool | None:
    """Blur >= the presets' limit, or the local detector's "sharp" measure failing
    (``enrollment-strict`` has both conditions)."""
    sharp = _below("sharp")(face)
    if face.blur is None:
        return sharp
    value = convert_blur(face.blur.value, face.blur.scale, BLUR_SCALE_MODERATION_2)
    if value is None:
        return sharp
    return value >= BLUR_LIMIT or bool(sharp)


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
    "left_eye_closed": _below("eye_open_left"),
    "right_eye_closed": _below("eye_open_right"),
    "eyes_occluded": _below("eyes_visible"),
    "nose_mouth_occluded": _below("nose_mouth_visible"),
    "blurred": blurred,
    "compressed": _below("no_compression_artefacts"),
    "upscaled": _below("full_resolution"),
    "underexposed": _below("not_underexposed"),
    "overexposed": _below("not_overexposed"),
    "pitch_over30": _pose("pitch"),
    "yaw_over30": _pose("yaw"),
    "roll_over30": _pose("roll"),
    "not_photo": _below("photograph"),
}
