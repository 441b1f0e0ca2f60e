"""The condition base: parameter specs and checking, ids, and the blur scale mapping."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal

from facecurator.domain.face import (
    BLUR_SCALE_LOCAL,
    BLUR_SCALE_MODERATION_1,
    BLUR_SCALE_MODERATION_2,
    Face,
)
from facecurator.domain.rules.errors import rule_text
from facecurator.domain.rules.messages import ConditionResult, ImageContext, Outcome, _limit_text
from facecurator.errors import ConfigError

#: (from scale, to scale) -> (multiplier, divisor): ``to = from * multiplier / divisor``.
BLUR_SCALE_MAPPING: Final[Mapping[tuple[str, str], tuple[int, int]]] = {
    (BLUR_SCALE_MODERATION_1, BLUR_SCALE_MODERATION_2): (5, 1),
    (BLUR_SCALE_MODERATION_1, BLUR_SCALE_LOCAL): (5, 1),
    (BLUR_SCALE_MODERATION_2, BLUR_SCALE_MODERATION_1): (1, 5),
    (BLUR_SCALE_LOCAL, BLUR_SCALE_MODERATION_1): (1, 5),
    (BLUR_SCALE_LOCAL, BLUR_SCALE_MODERATION_2): (1, 1),
    (BLUR_SCALE_MODERATION_2, BLUR_SCALE_LOCAL): (1, 1),
}

#: Top of each blur scale (a blur limit must lie in (0, top]).
_BLUR_SCALE_TOP: Final = {
    BLUR_SCALE_MODERATION_1: 20.0,
    BLUR_SCALE_MODERATION_2: 100.0,
    BLUR_SCALE_LOCAL: 100.0,
}


def convert_blur(value: float, from_scale: str, to_scale: str) -> float | None:
    """``value`` on ``from_scale`` expressed on ``to_scale``; None when there is no documented mapping."""
    if from_scale == to_scale:
        return value
    ratio = BLUR_SCALE_MAPPING.get((from_scale, to_scale))
    if ratio is None:
        return None
    return value * ratio[0] / ratio[1]


# --------------------------------------------------------------------------- conditions


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of a condition kind: type, range and help (for validation and the rules editor).

    Defaults are the condition dataclass's own: ``make_condition(kind).param_values()``.
    """

    name: str
    type: Literal["float", "int", "bool", "choice"]
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    #: None-able (omitted from TOML when None)
    optional: bool = False
    unit: str = ""


def _condition_error(condition: Condition, message: str) -> ConfigError:
    return ConfigError(rule_text("condition.problem", id=condition.id, kind=condition.kind, reason=message))


@dataclass(frozen=True, kw_only=True, slots=True)
class Condition:
    """Base of all conditions: a frozen dataclass with a ``kind``, an ``id`` and parameters.

    Subclasses set ``kind``, ``label`` and ``param_specs`` and implement
    :meth:`outcome` (fast, no text) and :meth:`evaluate` (with the reason).
    """

    kind: ClassVar[str] = ""
    #: English name for the rules editor's "add condition" menu
    label: ClassVar[str] = ""
    param_specs: ClassVar[tuple[ParamSpec, ...]] = ()

    id: str = ""
    #: per-instance precomputed text and constant results (see ``_prepare``); not a parameter
    _cache: tuple[Any, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.default_id())
        if not isinstance(self.id, str) or not _valid_condition_id(self.id):
            raise ConfigError(rule_text("condition.bad_id", id=repr(self.id), kind=self.kind))
        for spec in self.param_specs:
            object.__setattr__(self, spec.name, _check_param(self, spec, getattr(self, spec.name)))
        self._validate()
        object.__setattr__(self, "_cache", self._prepare())

    def default_id(self) -> str:
        return self.kind

    def _validate(self) -> None:
        """Cross-parameter checks (the per-parameter ones come from ``param_specs``)."""

    def _prepare(self) -> tuple[Any, ...]:
        """Whatever ``evaluate`` can compute once instead of per face (limit text, constant results)."""
        return ()

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        raise NotImplementedError

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        raise NotImplementedError

    def describe(self) -> str:
        """The condition in a few English words, e.g. "|yaw| ≤ 30°"."""
        return self.label

    def param_values(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in self.param_specs}

    def to_table(self) -> dict[str, Any]:
        """The condition as a TOML table: ``kind``, ``id`` when not the default, then the parameters."""
        table: dict[str, Any] = {"kind": self.kind}
        if self.id != self.default_id():
            table["id"] = self.id
        for name, value in self.param_values().items():
            if value is None:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # "max_degrees = 30" reads better than 30.0
            table[name] = value
        return table


_ID_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def _valid_condition_id(text: str) -> bool:
    return 0 < len(text) <= 64 and all(ch in _ID_CHARS for ch in text)


def _check_param(condition: Condition, spec: ParamSpec, value: Any) -> Any:
    """Type- and range-check one parameter; returns it normalised (ints -> float for float params)."""
    if value is None:
        if spec.optional:
            return None
        raise _condition_error(condition, rule_text("param.required", name=spec.name))
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise _condition_error(condition, rule_text("param.bool", name=spec.name, value=repr(value)))
        return value
    if spec.type == "choice":
        if value not in spec.choices:
            raise _condition_error(
                condition,
                rule_text("param.choice", name=spec.name, choices=", ".join(spec.choices), value=repr(value)),
            )
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _condition_error(condition, rule_text("param.number", name=spec.name, value=repr(value)))
    if spec.type == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise _condition_error(condition, rule_text("param.whole", name=spec.name, value=repr(value)))
            value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise _condition_error(condition, rule_text("param.finite", name=spec.name, value=repr(value)))
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise _condition_error(
            condition,
            rule_text(
                "param.range",
                name=spec.name,
                low=_limit_text(spec.minimum or 0),
                high=_limit_text(spec.maximum or 0),
                value=_limit_text(value),
            ),
        )
    return value
