"""The faces and helpers the rule tests share: a face every built-in preset qualifies
(change one thing at a time), a bare face, one condition's outcome and reason."""

from __future__ import annotations

from facecurator.domain.face import Blur, Box, Face, Measure, MeasureSet, Pose
from facecurator.domain.measures import MEASURE_NAMES
from facecurator.domain.rules import (
    ImageContext,
    RuleSet,
)

ONE = ImageContext(face_count=1)


def good_face(**changes: object) -> Face:
    """A face every built-in preset qualifies; tests change one thing at a time."""
    face = Face(
        box=Box(10, 20, 160, 180),
        confidence=0.99,
        pose=Pose(pitch=1.0, yaw=2.0, roll=3.0),
        blur=Blur(3.2, "0-100"),
        sharpness=0.8,
        quality=0.9,
        integrity=None,
        glasses="none",
        mask=False,
        hat=False,
        beard=False,
        eyes_closed=False,
        age=30,
        gender="female",
        measures=MeasureSet({name: Measure(0.9) for name in MEASURE_NAMES}),
    )
    return face.with_changes(**changes)


def bare_face() -> Face:
    """Only a box: nothing measured."""
    return Face(box=Box(0, 0, 200, 200))


def reason_of(
    rules: RuleSet, face: Face, condition_id: str, ctx: ImageContext | None = ONE
) -> tuple[str, str]:
    result = next(r for r in rules.evaluate(face, ctx).results if r.condition == condition_id)
    return result.outcome, result.reason
