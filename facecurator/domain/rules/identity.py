"""Rule conditions from the identity checks: identity_consistent, enrolled_face, no_duplicate.

They read the face's :class:`~facecurator.domain.identity.FaceIdentity` from
``ImageContext.identity``, which the review fills in
when the gallery's faces have embeddings. Without embeddings every one of them
is ``unknown`` ("identity not measured"): a rule set that uses them needs the
embeddings computed (``facecurator scan --identities``).

Listed in ``CONDITION_TYPES`` (ruleset.py); the English templates are in
``messages.MESSAGES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

from facecurator.domain.face import Face
from facecurator.domain.rules.conditions import Condition, ParamSpec
from facecurator.domain.rules.messages import (
    FAIL,
    PASS,
    UNKNOWN,
    ConditionResult,
    ImageContext,
    Outcome,
    _result,
)

if TYPE_CHECKING:
    from facecurator.domain.identity import FaceIdentity

#: Same person at or below this descriptor distance (dlib's documented 0.6; see
#: benchmarks/identity.py). ``facecurator.domain.identity`` uses it too.
DEFAULT_THRESHOLD: Final = 0.6


def _identity(ctx: ImageContext | None) -> FaceIdentity | None:
    return None if ctx is None else ctx.identity


@dataclass(frozen=True, kw_only=True, slots=True)
class IdentityConsistent(Condition):
    """The face is within ``max_distance`` of its folder's identity."""

    kind: ClassVar[str] = "identity_consistent"
    label: ClassVar[str] = "Same person as the folder"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec(
            "max_distance",
            "float",
            "largest descriptor distance from the folder's identity (dlib scale; 0.6 = same person)",
            0.1,
            1.5,
        ),
    )

    max_distance: float = DEFAULT_THRESHOLD

    def describe(self) -> str:
        return f"same person as the folder (distance ≤ {self.max_distance:g})"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        found = _identity(ctx)
        if found is None or found.distance is None:
            return UNKNOWN
        return PASS if found.distance <= self.max_distance else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        found = _identity(ctx)
        if found is None:
            return _result(self.id, UNKNOWN, "identity.not_measured", {})
        params: dict[str, Any] = {"person": found.person, "max": self.max_distance}
        if found.distance is None:
            return _result(self.id, UNKNOWN, "identity_consistent.no_majority", params)
        params["distance"] = found.distance
        if found.distance <= self.max_distance:
            return _result(self.id, PASS, "identity_consistent.pass", params)
        if found.nearest is None:
            return _result(self.id, FAIL, "identity_consistent.fail_alone", params)
        params.update(nearest=found.nearest[0], nearest_distance=found.nearest[2])
        return _result(self.id, FAIL, "identity_consistent.fail", params)


@dataclass(frozen=True, kw_only=True, slots=True)
class EnrolledFace(Condition):
    """In a photo of several faces, this is the face of the folder's person."""

    kind: ClassVar[str] = "enrolled_face"
    label: ClassVar[str] = "The folder's person in a group photo"

    def describe(self) -> str:
        return "the folder's person (photos of several faces)"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        found = _identity(ctx)
        if found is None:
            return UNKNOWN
        if found.enrolled is None:
            return PASS if ctx is not None and ctx.face_count <= 1 else UNKNOWN
        return PASS if found.enrolled else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        found = _identity(ctx)
        if found is None:
            return _result(self.id, UNKNOWN, "identity.not_measured", {})
        params: dict[str, Any] = {"person": found.person}
        if found.enrolled is None:
            if ctx is not None and ctx.face_count <= 1:
                return _result(self.id, PASS, "enrolled_face.pass_single", params)
            return _result(self.id, UNKNOWN, "identity_consistent.no_majority", params)
        if found.enrolled:
            return _result(self.id, PASS, "enrolled_face.pass", params)
        return _result(self.id, FAIL, "enrolled_face.fail", params)


@dataclass(frozen=True, kw_only=True, slots=True)
class NoDuplicate(Condition):
    """The photo is not a near-identical copy of a better one of the same folder."""

    kind: ClassVar[str] = "no_duplicate"
    label: ClassVar[str] = "No near-identical photo"

    def describe(self) -> str:
        return "not a near-identical copy of a better photo"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        found = _identity(ctx)
        if found is None:
            return UNKNOWN
        return FAIL if found.duplicate_of else PASS

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        found = _identity(ctx)
        if found is None:
            return _result(self.id, UNKNOWN, "identity.not_measured", {})
        if found.duplicate_of:
            return _result(self.id, FAIL, "no_duplicate.fail", {"kept": found.duplicate_of})
        return _result(self.id, PASS, "no_duplicate.pass", {})


IDENTITY_CONDITIONS: tuple[type[Condition], ...] = (IdentityConsistent, EnrolledFace, NoDuplicate)
