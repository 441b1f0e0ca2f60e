"""The ``measure`` condition: a named quality measure of the face (``Face.measures``) at least a limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from facecurator.domain.face import Face
from facecurator.domain.measures import ALL_MEASURES, MEASURE_NAMES
from facecurator.domain.rules.conditions import Condition, ParamSpec
from facecurator.domain.rules.messages import (
    FAIL,
    PASS,
    UNKNOWN,
    ConditionResult,
    ImageContext,
    Outcome,
    _limit_text,
    _new_result,
    _two_decimals,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class MeasureCondition(Condition):
    """A named measure (``Face.measures``) at least ``min``; unknown when absent or not measurable.

    The reason names the measure and, on a fail or an unknown, the detector's
    short explanation: "eyes not visible (sunglasses?) 0.21 < 0.5".
    """

    kind: ClassVar[str] = "measure"
    label: ClassVar[str] = "Quality measure at least a limit"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("measure", "choice", "which quality measure", choices=MEASURE_NAMES),
        ParamSpec("min", "float", "smallest allowed score (0–1; 0.5 = the calibrated boundary)", 0.0, 1.0),
    )

    measure: str = "eyes_visible"
    min: float = 0.5

    def default_id(self) -> str:
        return f"measure_{self.measure}"

    def _prepare(self) -> tuple[Any, ...]:
        info = ALL_MEASURES[self.measure]
        return (_limit_text(self.min), info.passing, info.failing)

    def describe(self) -> str:
        return f"{ALL_MEASURES[self.measure].passing} ≥ {_limit_text(self.min)}"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        found = face.measures.get(self.measure)
        if found is None or found.value is None:
            return UNKNOWN
        return PASS if found.value >= self.min else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        limit_text, passing, failing = self._cache
        found = face.measures.get(self.measure)
        if found is None or found.value is None:
            why = found.reason if found is not None else ""
            if why:
                params = {"what": passing, "why": why}
                return _new_result(
                    self.id, UNKNOWN, f"{passing} not measured ({why})", "measure.not_measured_why", params
                )
            return _new_result(
                self.id, UNKNOWN, f"{passing} not measured", "measure.not_measured", {"what": passing}
            )
        value, limit = found.value, self.min
        if ALL_MEASURES[self.measure].binary:
            if value >= limit:
                return _new_result(self.id, PASS, passing, "measure.pass_flag", {"what": passing})
            if found.reason:
                params = {"what": failing, "why": found.reason}
                reason = f"{failing} ({found.reason})"
                return _new_result(self.id, FAIL, reason, "measure.fail_flag_why", params)
            return _new_result(self.id, FAIL, failing, "measure.fail_flag", {"what": failing})
        shown = _two_decimals(value, limit)
        if value >= limit:
            params = {"what": passing, "score": value, "min": limit}
            return _new_result(self.id, PASS, f"{passing} {shown} ≥ {limit_text}", "measure.pass", params)
        if found.reason:
            params = {"what": failing, "why": found.reason, "score": value, "min": limit}
            reason = f"{failing} ({found.reason}) {shown} < {limit_text}"
            return _new_result(self.id, FAIL, reason, "measure.fail_why", params)
        params = {"what": failing, "score": value, "min": limit}
        return _new_result(self.id, FAIL, f"{failing} {shown} < {limit_text}", "measure.fail", params)
