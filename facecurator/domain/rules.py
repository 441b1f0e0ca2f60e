"""Qualified rules: named lists of conditions that decide whether a face is *qualified*.

A :class:`RuleSet` is a name, an ordered tuple of conditions and an ``unknown``
policy. Each condition looks at one canonical :class:`~facecurator.domain.face.Face`
(and, for ``face_count``, the :class:`ImageContext` of its image) and gives
``pass``, ``fail`` or ``unknown`` with a human reason ("yaw 41.2° > 30°"). A
face is qualified when no condition fails and, under the default ``unknown =
"fail"`` policy, none is unknown (unmeasured is not qualified); with ``unknown =
"pass"`` unknowns are ignored. ``None`` in a face means *not measured*, so it
gives ``unknown`` — never ``pass`` — except for ``min_integrity`` with
``required = false`` ("integrity ≥ 80 where measured").

Blur scales
-----------
A blur threshold is on one scale (``"0-20"`` Moderation 1.0, ``"0-100"``
Moderation 2.0, ``"local-0-100"`` the local detector, calibrated so that its 25
matches the Moderation 2.0 recommended limit). A face whose blur is on another
scale is converted with this mapping (``BLUR_SCALE_MAPPING``) when the
condition has ``convert = true`` (the default), and is ``unknown`` otherwise:

=================  =================  ===========================================
from               to                 mapping
=================  =================  ===========================================
``0-20``           ``0-100``          × 5 (5 on 0–20 ↔ 25 on 0–100: both vendors'
                                      recommended limits)
``0-20``           ``local-0-100``    × 5
``0-100``          ``0-20``           ÷ 5
``local-0-100``    ``0-20``           ÷ 5
``local-0-100``    ``0-100``          identity (the local scale's calibration)
``0-100``          ``local-0-100``    identity
=================  =================  ===========================================

A blur on a scale that is not in the table is always ``unknown``.

Reasons and translation
-----------------------
Every :class:`ConditionResult` carries an English ``reason`` and, for front
ends that show another language, a ``message_id`` and raw ``params``:
``render_message(result.message_id, result.params, templates)`` renders a
translated template (``MESSAGES`` holds the English ones) with the same number
formatting as the English reason. Measured numbers get one decimal (0–1 scores
two), limits are shown compactly ("30", "0.95"), and a measurement that would
round onto its limit gets more decimals ("yaw 30.01° > 30°", never
"30.0° > 30°").

TOML
----
Presets are TOML::

    schema_version = 1
    name = "moderation-2.0"
    description = "..."
    unknown = "fail"            # or "pass"

    [[conditions]]
    kind = "blur"               # + the kind's parameters, + optional id
    max = 25
    scale = "0-100"

Built-in presets live in ``resources/presets/`` (read through
:func:`facecurator.paths.resource_path`), user presets in
``<config dir>/presets/<name>.toml``.
"""

from __future__ import annotations

import gc
import math
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Final, Literal

from facecurator.domain.face import (
    BLUR_SCALE_LOCAL,
    BLUR_SCALE_MODERATION_1,
    BLUR_SCALE_MODERATION_2,
    BLUR_SCALES,
    Face,
)
from facecurator.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "BLUR_SCALE_MAPPING",
    "BUILTIN_PRESETS",
    "CONDITION_TYPES",
    "DEFAULT_PRESET",
    "FAIL",
    "MESSAGES",
    "PASS",
    "SCHEMA_VERSION",
    "UNKNOWN",
    "AgeRange",
    "BlurCondition",
    "Condition",
    "ConditionResult",
    "EyesOpen",
    "FaceCount",
    "ImageContext",
    "MinConfidence",
    "MinFaceSize",
    "MinIntegrity",
    "MinQuality",
    "MinSharpness",
    "NoGlasses",
    "NoHat",
    "NoMask",
    "NoSunglasses",
    "Outcome",
    "ParamSpec",
    "PoseCondition",
    "RuleSet",
    "UnknownPolicy",
    "Verdict",
    "condition_from_table",
    "convert_blur",
    "delete_user_preset",
    "display_params",
    "is_builtin_preset",
    "list_presets",
    "load_rules",
    "make_condition",
    "render_message",
    "save_user_preset",
    "user_preset_path",
    "user_presets_dir",
]

Outcome = Literal["pass", "fail", "unknown"]
UnknownPolicy = Literal["fail", "pass"]

PASS: Final = "pass"
FAIL: Final = "fail"
UNKNOWN: Final = "unknown"
UNKNOWN_POLICIES: Final = ("fail", "pass")

SCHEMA_VERSION: Final = 1
DEFAULT_PRESET: Final = "moderation-2.0"
BUILTIN_PRESETS: Final = ("moderation-1.0", "moderation-2.0", "enrollment-strict")

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


# --------------------------------------------------------------------------- messages

#: English templates, by message id. Placeholders are the result's ``params`` keys.
MESSAGES: Final[Mapping[str, str]] = {
    "blur.pass": "blur {value} < {max} ({scale})",
    "blur.fail": "blur {value} ≥ {max} ({scale})",
    "blur.pass_converted": "blur {value} ({from_scale}, as {converted} on {scale}) < {max}",
    "blur.fail_converted": "blur {value} ({from_scale}, as {converted} on {scale}) ≥ {max}",
    "blur.not_measured": "blur not measured",
    "blur.foreign_scale": "blur on {from_scale} scale, rule needs {scale}",
    "blur.unknown_scale": "blur on unknown scale '{from_scale}'",
    "pose.pass": "{axis} {value}° ≤ {max}°",
    "pose.pass_negative": "{axis} {value}° ≥ -{max}°",
    "pose.fail": "{axis} {value}° > {max}°",
    "pose.fail_negative": "{axis} {value}° < -{max}°",
    "pose.not_measured": "{axis} not measured",
    "no_sunglasses.pass": "no sunglasses",
    "no_sunglasses.pass_glasses": "glasses, not sunglasses",
    "no_sunglasses.fail": "sunglasses",
    "no_sunglasses.not_measured": "glasses not measured",
    "no_glasses.pass": "no glasses",
    "no_glasses.fail": "glasses",
    "no_glasses.fail_sunglasses": "sunglasses",
    "no_glasses.not_measured": "glasses not measured",
    "no_mask.pass": "no mask",
    "no_mask.fail": "mask",
    "no_mask.not_measured": "mask not measured",
    "no_hat.pass": "no hat",
    "no_hat.fail": "hat",
    "no_hat.not_measured": "hat not measured",
    "eyes_open.pass": "eyes open",
    "eyes_open.fail": "eyes closed",
    "eyes_open.not_measured": "eyes not measured",
    "face_count.pass_one": "1 face in the image",
    "face_count.pass": "{count} faces in the image",
    "face_count.fail_one": "1 face in the image, need exactly {need}",
    "face_count.fail": "{count} faces in the image, need exactly {need}",
    "face_count.not_measured": "number of faces in the image not known",
    "min_face_size.pass": "face {px} px ≥ {min} px",
    "min_face_size.fail": "face {px} px < {min} px",
    "min_confidence.pass": "confidence {score} ≥ {min}",
    "min_confidence.fail": "confidence {score} < {min}",
    "min_confidence.not_measured": "confidence not measured",
    "min_quality.pass": "quality {score} ≥ {min}",
    "min_quality.fail": "quality {score} < {min}",
    "min_quality.not_measured": "quality not measured",
    "min_sharpness.pass": "sharpness {score} ≥ {min}",
    "min_sharpness.fail": "sharpness {score} < {min}",
    "min_sharpness.not_measured": "sharpness not measured",
    "min_integrity.pass": "integrity {value} ≥ {min}",
    "min_integrity.fail": "integrity {value} < {min}",
    "min_integrity.not_measured": "integrity not measured",
    "age_range.pass": "age {age} in {min}–{max}",
    "age_range.pass_min": "age {age} ≥ {min}",
    "age_range.pass_max": "age {age} ≤ {max}",
    "age_range.fail_min": "age {age} < {min}",
    "age_range.fail_max": "age {age} > {max}",
    "age_range.not_measured": "age not measured",
}

#: How ``display_params`` formats each numeric param (by key).
_ONE_DECIMAL_KEYS: Final = frozenset({"value", "converted"})
_TWO_DECIMAL_KEYS: Final = frozenset({"score"})
_PIXEL_KEYS: Final = frozenset({"px"})
_LIMIT_KEYS: Final = frozenset({"max", "min", "need", "from_max"})
_MAX_EXTRA_DECIMALS: Final = 6


def _limit_text(limit: float) -> str:
    if isinstance(limit, int) or limit.is_integer():
        return str(int(limit))
    return f"{limit:.6g}"


def _measured_text(value: float, decimals: int, limits: tuple[float, ...]) -> str:
    """``value`` with ``decimals`` decimals, or more if it would otherwise read as one of ``limits``."""
    text = f"{value:.{decimals}f}"
    if limits and value not in limits:
        while decimals < _MAX_EXTRA_DECIMALS and float(text) in limits:
            decimals += 1
            text = f"{value:.{decimals}f}"
    return text


def display_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Params as display strings, with the module's number formatting (see the module docstring)."""
    limits: tuple[float, ...] = ()
    for key in _LIMIT_KEYS:
        limit = params.get(key)
        if limit is not None and not isinstance(limit, bool):
            limits += (limit, -limit)
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            out[key] = str(value)
        elif key in _LIMIT_KEYS:
            out[key] = _limit_text(value)
        elif key in _ONE_DECIMAL_KEYS:
            out[key] = _measured_text(value, 1, limits)
        elif key in _TWO_DECIMAL_KEYS:
            out[key] = _measured_text(value, 2, limits)
        elif key in _PIXEL_KEYS:
            integral = isinstance(value, int) or value.is_integer()
            out[key] = str(int(value)) if integral else _measured_text(value, 1, limits)
        elif isinstance(value, float) and not value.is_integer():
            out[key] = _measured_text(value, 1, limits)
        else:
            out[key] = str(int(value))
    return out


def render_message(
    message_id: str, params: Mapping[str, Any], templates: Mapping[str, str] | None = None
) -> str:
    """Render a result's message with ``templates`` (e.g. a translation), falling back to English.

    Args:
        message_id: ``ConditionResult.message_id``.
        params: ``ConditionResult.params``.
        templates: message id -> template with ``{param}`` placeholders; None for English.

    Returns:
        The rendered text. A template that names a missing param falls back to English.
    """
    shown = display_params(params)
    if templates is not None:
        template = templates.get(message_id)
        if template is not None:
            try:
                return template.format_map(shown)
            except (KeyError, IndexError, ValueError):
                pass  # a broken translation must not break the review; show English instead
    return MESSAGES[message_id].format_map(shown)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One condition's outcome for one face.

    ``reason`` is English; ``message_id`` + ``params`` (raw numbers and names,
    JSON-safe) let a front end render it in another language with
    :func:`render_message`. Results are shared between faces where they do not
    depend on the face (e.g. "no mask"), so treat ``params`` as read-only.
    """

    condition: str
    outcome: Outcome
    reason: str
    message_id: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "outcome": self.outcome,
            "reason": self.reason,
            "message_id": self.message_id,
            "params": dict(self.params),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConditionResult:
        return cls(
            condition=str(data["condition"]),
            outcome=data["outcome"],
            reason=str(data["reason"]),
            message_id=str(data.get("message_id", "")),
            params=dict(data.get("params") or {}),
        )


# Frozen dataclasses set each field through object.__setattr__ in __init__, which
# costs ~1 µs per result; these build the same objects through the slot
# descriptors directly (~3x faster). Only for this module's hot path: the
# arguments are trusted and complete.
_object_new = object.__new__
_set_condition = ConditionResult.condition.__set__  # type: ignore[attr-defined]
_set_outcome = ConditionResult.outcome.__set__  # type: ignore[attr-defined]
_set_reason = ConditionResult.reason.__set__  # type: ignore[attr-defined]
_set_message_id = ConditionResult.message_id.__set__  # type: ignore[attr-defined]
_set_params = ConditionResult.params.__set__  # type: ignore[attr-defined]


def _new_result(
    condition: str, outcome: Outcome, reason: str, message_id: str, params: dict[str, Any]
) -> ConditionResult:
    result = _object_new(ConditionResult)
    _set_condition(result, condition)
    _set_outcome(result, outcome)
    _set_reason(result, reason)
    _set_message_id(result, message_id)
    _set_params(result, params)
    return result


def _result(condition_id: str, outcome: Outcome, message_id: str, params: dict[str, Any]) -> ConditionResult:
    """A result whose reason is rendered from the English template (the general, slower path)."""
    return _new_result(
        condition_id, outcome, MESSAGES[message_id].format_map(display_params(params)), message_id, params
    )


# The hot paths below format reasons with f-strings that mirror MESSAGES exactly
# (tests check every kind against render_message); they are ~5x faster than the
# generic template path, which matters when a rule change re-evaluates 100k faces.


def _one_decimal(value: float, limit: float) -> str:
    """``display_params`` formatting of a "value"/"converted" param next to the limit ``limit``."""
    if abs(abs(value) - limit) < 0.051:  # only then can rounding land on ±limit
        return _measured_text(value, 1, (limit, -limit))
    return f"{value:.1f}"


def _two_decimals(value: float, limit: float) -> str:
    """``display_params`` formatting of a "score" param next to the limit ``limit``."""
    if abs(abs(value) - limit) < 0.0051:
        return _measured_text(value, 2, (limit, -limit))
    return f"{value:.2f}"


def _pixels(value: float, limit: float) -> str:
    """``display_params`` formatting of a "px" param."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return _one_decimal(value, limit)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The evaluation of one face under one rule set."""

    qualified: bool
    results: tuple[ConditionResult, ...]
    #: the rule set's unknown policy, so ``reasons`` knows whether unknowns count against the face
    unknown_policy: UnknownPolicy = "fail"

    @property
    def failed(self) -> tuple[ConditionResult, ...]:
        return tuple(r for r in self.results if r.outcome == FAIL)

    @property
    def unknown(self) -> tuple[ConditionResult, ...]:
        return tuple(r for r in self.results if r.outcome == UNKNOWN)

    @property
    def passed(self) -> tuple[ConditionResult, ...]:
        return tuple(r for r in self.results if r.outcome == PASS)

    @property
    def against(self) -> tuple[ConditionResult, ...]:
        """The results that keep the face from being qualified (fails, and unknowns under policy "fail")."""
        if self.unknown_policy == "fail":
            return tuple(r for r in self.results if r.outcome != PASS)
        return self.failed

    @property
    def reasons(self) -> list[str]:
        """Why the face is not qualified (empty when it is), in condition order."""
        return [r.reason for r in self.against]

    def to_json(self) -> dict[str, Any]:
        return {
            "qualified": self.qualified,
            "reasons": self.reasons,
            "unknown_policy": self.unknown_policy,
            "results": [r.to_json() for r in self.results],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Verdict:
        return cls(
            qualified=bool(data["qualified"]),
            results=tuple(ConditionResult.from_json(r) for r in data.get("results", ())),
            unknown_policy=data.get("unknown_policy", "fail"),
        )


_set_qualified = Verdict.qualified.__set__  # type: ignore[attr-defined]
_set_results = Verdict.results.__set__  # type: ignore[attr-defined]
_set_unknown_policy = Verdict.unknown_policy.__set__  # type: ignore[attr-defined]


def _new_verdict(qualified: bool, results: tuple[ConditionResult, ...], policy: UnknownPolicy) -> Verdict:
    """``Verdict(qualified, results, policy)`` without the frozen-dataclass overhead (see ``_new_result``)."""
    verdict = _object_new(Verdict)
    _set_qualified(verdict, qualified)
    _set_results(verdict, results)
    _set_unknown_policy(verdict, policy)
    return verdict


@dataclass(frozen=True, slots=True)
class ImageContext:
    """What a condition may need to know about the face's image besides the face."""

    face_count: int


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
    return ConfigError(f"condition '{condition.id}' ({condition.kind}): {message}")


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
            raise ConfigError(
                f"condition {self.id!r} ({self.kind}): id must be 1–64 letters, digits, '_', '-' or '.'"
            )
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
        raise _condition_error(condition, f"{spec.name} is required")
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise _condition_error(condition, f"{spec.name} must be true or false, got {value!r}")
        return value
    if spec.type == "choice":
        if value not in spec.choices:
            raise _condition_error(
                condition, f"{spec.name} must be one of {', '.join(spec.choices)}, got {value!r}"
            )
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _condition_error(condition, f"{spec.name} must be a number, got {value!r}")
    if spec.type == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise _condition_error(condition, f"{spec.name} must be a whole number, got {value!r}")
            value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise _condition_error(condition, f"{spec.name} must be a finite number, got {value!r}")
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise _condition_error(
            condition,
            f"{spec.name} must be between {_limit_text(spec.minimum or 0)} and "
            f"{_limit_text(spec.maximum or 0)}, got {_limit_text(value)}",
        )
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class BlurCondition(Condition):
    """Blur strictly below ``max`` on ``scale`` (higher = blurrier)."""

    kind: ClassVar[str] = "blur"
    label: ClassVar[str] = "Blur below a limit"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("max", "float", "blur must be below this value (on the rule's scale)", 0.0, 100.0),
        ParamSpec("scale", "choice", "the scale the limit is on", choices=BLUR_SCALES),
        ParamSpec("convert", "bool", "convert a blur on another scale (else it is unknown)"),
    )

    max: float = 25.0
    scale: str = BLUR_SCALE_MODERATION_2
    convert: bool = True

    def _validate(self) -> None:
        top = _BLUR_SCALE_TOP[self.scale]
        if not 0 < self.max <= top:
            raise _condition_error(
                self, f"max must be above 0 and at most {_limit_text(top)} on the {self.scale} scale"
            )

    def _prepare(self) -> tuple[Any, ...]:
        return (_limit_text(self.max), _result(self.id, UNKNOWN, "blur.not_measured", {}))

    def describe(self) -> str:
        return f"blur < {_limit_text(self.max)} ({self.scale})"

    def _value(self, face: Face) -> float | None:
        blur = face.blur
        if blur is None:
            return None
        if blur.scale == self.scale:
            return blur.value
        if not self.convert:
            return None
        return convert_blur(blur.value, blur.scale, self.scale)

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        value = self._value(face)
        if value is None:
            return UNKNOWN
        return PASS if value < self.max else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        blur = face.blur
        limit_text, not_measured = self._cache
        if blur is None:
            return not_measured
        value, limit, scale = blur.value, self.max, self.scale
        if blur.scale == scale:
            params = {"value": value, "max": limit, "scale": scale}
            if value < limit:
                reason = f"blur {_one_decimal(value, limit)} < {limit_text} ({scale})"
                return _new_result(self.id, PASS, reason, "blur.pass", params)
            reason = f"blur {_one_decimal(value, limit)} ≥ {limit_text} ({scale})"
            return _new_result(self.id, FAIL, reason, "blur.fail", params)
        if blur.scale not in _BLUR_SCALE_TOP:
            return _result(self.id, UNKNOWN, "blur.unknown_scale", {"from_scale": blur.scale})
        converted = convert_blur(value, blur.scale, scale) if self.convert else None
        if converted is None:
            return _result(self.id, UNKNOWN, "blur.foreign_scale", {"from_scale": blur.scale, "scale": scale})
        from_max = convert_blur(limit, scale, blur.scale)
        params = {
            "value": value,
            "from_scale": blur.scale,
            "converted": converted,
            "scale": scale,
            "max": limit,
            # the limit on the face's own scale, so 4.99 on 0-20 never reads as "5.0"
            "from_max": from_max,
        }
        limits = (limit, -limit, from_max, -from_max)
        value_text, converted_text = _measured_text(value, 1, limits), _measured_text(converted, 1, limits)
        shown = f"blur {value_text} ({blur.scale}, as {converted_text} on {scale})"
        if converted < limit:
            return _new_result(self.id, PASS, f"{shown} < {limit_text}", "blur.pass_converted", params)
        return _new_result(self.id, FAIL, f"{shown} ≥ {limit_text}", "blur.fail_converted", params)


POSE_AXES: Final = ("pitch", "yaw", "roll")


@dataclass(frozen=True, kw_only=True, slots=True)
class PoseCondition(Condition):
    """``|pitch|``, ``|yaw|`` or ``|roll|`` at most ``max_degrees``."""

    kind: ClassVar[str] = "pose"
    label: ClassVar[str] = "Head angle within a limit"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("axis", "choice", "which angle", choices=POSE_AXES),
        ParamSpec("max_degrees", "float", "largest allowed angle either way", 0.0, 180.0, unit="°"),
    )

    axis: str
    max_degrees: float = 30.0

    def default_id(self) -> str:
        return f"pose_{self.axis}"

    def _prepare(self) -> tuple[Any, ...]:
        return (
            _limit_text(self.max_degrees),
            _result(self.id, UNKNOWN, "pose.not_measured", {"axis": self.axis}),
        )

    def describe(self) -> str:
        return f"|{self.axis}| ≤ {_limit_text(self.max_degrees)}°"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        pose = face.pose
        if pose is None:
            return UNKNOWN
        return PASS if abs(getattr(pose, self.axis)) <= self.max_degrees else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        pose = face.pose
        limit_text, not_measured = self._cache
        if pose is None:
            return not_measured
        axis, limit = self.axis, self.max_degrees
        value = getattr(pose, axis)
        params = {"axis": axis, "value": value, "max": limit}
        shown = f"{axis} {_one_decimal(value, limit)}°"
        if abs(value) <= limit:
            if value >= 0:
                return _new_result(self.id, PASS, f"{shown} ≤ {limit_text}°", "pose.pass", params)
            return _new_result(self.id, PASS, f"{shown} ≥ -{limit_text}°", "pose.pass_negative", params)
        if value > 0:
            return _new_result(self.id, FAIL, f"{shown} > {limit_text}°", "pose.fail", params)
        return _new_result(self.id, FAIL, f"{shown} < -{limit_text}°", "pose.fail_negative", params)


def _constant_results(condition: Condition, *message_ids: tuple[Outcome, str]) -> tuple[ConditionResult, ...]:
    """Results without params, built once per condition and shared by every face (params is empty)."""
    return tuple(_result(condition.id, outcome, message_id, {}) for outcome, message_id in message_ids)


@dataclass(frozen=True, kw_only=True, slots=True)
class _FlagCondition(Condition):
    """A yes/no attribute of the face that must be false (mask, hat, eyes closed)."""

    attribute: ClassVar[str] = ""

    def _prepare(self) -> tuple[Any, ...]:
        kind = self.kind
        return _constant_results(
            self, (PASS, f"{kind}.pass"), (FAIL, f"{kind}.fail"), (UNKNOWN, f"{kind}.not_measured")
        )

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        flag = getattr(face, self.attribute)
        if flag is None:
            return UNKNOWN
        return FAIL if flag else PASS

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        flag = getattr(face, self.attribute)
        passed, failed, not_measured = self._cache
        if flag is None:
            return not_measured
        return failed if flag else passed


@dataclass(frozen=True, kw_only=True, slots=True)
class NoMask(_FlagCondition):
    kind: ClassVar[str] = "no_mask"
    label: ClassVar[str] = "No mask"
    attribute: ClassVar[str] = "mask"

    def describe(self) -> str:
        return "no mask"


@dataclass(frozen=True, kw_only=True, slots=True)
class NoHat(_FlagCondition):
    kind: ClassVar[str] = "no_hat"
    label: ClassVar[str] = "No hat"
    attribute: ClassVar[str] = "hat"

    def describe(self) -> str:
        return "no hat"


@dataclass(frozen=True, kw_only=True, slots=True)
class EyesOpen(_FlagCondition):
    kind: ClassVar[str] = "eyes_open"
    label: ClassVar[str] = "Eyes open"
    attribute: ClassVar[str] = "eyes_closed"

    def describe(self) -> str:
        return "eyes open"


@dataclass(frozen=True, kw_only=True, slots=True)
class NoSunglasses(Condition):
    """No sunglasses (ordinary glasses pass)."""

    kind: ClassVar[str] = "no_sunglasses"
    label: ClassVar[str] = "No sunglasses"

    def _prepare(self) -> tuple[Any, ...]:
        return _constant_results(
            self,
            (PASS, "no_sunglasses.pass"),
            (PASS, "no_sunglasses.pass_glasses"),
            (FAIL, "no_sunglasses.fail"),
            (UNKNOWN, "no_sunglasses.not_measured"),
        )

    def describe(self) -> str:
        return "no sunglasses"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        worn = face.wears_sunglasses
        if worn is None:
            return UNKNOWN
        return FAIL if worn else PASS

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        # wears_sunglasses also covers detectors that measure sunglasses apart from
        # clear glasses (glasses=None, sunglasses=False: "no sunglasses").
        worn = face.wears_sunglasses
        none, ordinary, sunglasses, not_measured = self._cache
        if worn is None:
            return not_measured
        if worn:
            return sunglasses
        return ordinary if face.glasses == "glasses" else none


@dataclass(frozen=True, kw_only=True, slots=True)
class NoGlasses(Condition):
    """No glasses of any kind."""

    kind: ClassVar[str] = "no_glasses"
    label: ClassVar[str] = "No glasses"

    def _prepare(self) -> tuple[Any, ...]:
        return _constant_results(
            self,
            (PASS, "no_glasses.pass"),
            (FAIL, "no_glasses.fail"),
            (FAIL, "no_glasses.fail_sunglasses"),
            (UNKNOWN, "no_glasses.not_measured"),
        )

    def describe(self) -> str:
        return "no glasses"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        glasses = face.glasses
        if glasses is None:
            return UNKNOWN
        return PASS if glasses == "none" else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        glasses = face.glasses
        none, ordinary, sunglasses, not_measured = self._cache
        if glasses is None:
            return not_measured
        if glasses == "none":
            return none
        return sunglasses if glasses == "sunglasses" else ordinary


@dataclass(frozen=True, kw_only=True, slots=True)
class FaceCount(Condition):
    """Exactly ``count`` faces in the face's image."""

    kind: ClassVar[str] = "face_count"
    label: ClassVar[str] = "Exact number of faces in the image"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("count", "int", "how many faces the image must hold", 1, 1000),
    )

    count: int = 1

    def describe(self) -> str:
        return f"exactly {self.count} face{'' if self.count == 1 else 's'} in the image"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        if ctx is None:
            return UNKNOWN
        return PASS if ctx.face_count == self.count else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        if ctx is None:
            return _result(self.id, UNKNOWN, "face_count.not_measured", {"need": self.count})
        found, need = ctx.face_count, self.count
        params = {"count": found, "need": need}
        if found == need:
            if found == 1:
                return _new_result(self.id, PASS, "1 face in the image", "face_count.pass_one", params)
            return _new_result(self.id, PASS, f"{found} faces in the image", "face_count.pass", params)
        if found == 1:
            reason = f"1 face in the image, need exactly {need}"
            return _new_result(self.id, FAIL, reason, "face_count.fail_one", params)
        reason = f"{found} faces in the image, need exactly {need}"
        return _new_result(self.id, FAIL, reason, "face_count.fail", params)


@dataclass(frozen=True, kw_only=True, slots=True)
class MinFaceSize(Condition):
    """Face box at least ``min_px`` pixels on its short side."""

    kind: ClassVar[str] = "min_face_size"
    label: ClassVar[str] = "Minimum face size"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec(
            "min_px", "float", "smallest allowed short side of the face box", 1.0, 100_000.0, unit="px"
        ),
    )

    min_px: float = 112.0

    def _prepare(self) -> tuple[Any, ...]:
        return (_limit_text(self.min_px),)

    def describe(self) -> str:
        return f"face ≥ {_limit_text(self.min_px)} px (short side)"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        return PASS if min(face.box.w, face.box.h) >= self.min_px else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        side = min(face.box.w, face.box.h)
        limit = self.min_px
        params = {"px": side, "min": limit}
        shown = f"face {_pixels(side, limit)} px"
        if side >= limit:
            return _new_result(self.id, PASS, f"{shown} ≥ {self._cache[0]} px", "min_face_size.pass", params)
        return _new_result(self.id, FAIL, f"{shown} < {self._cache[0]} px", "min_face_size.fail", params)


@dataclass(frozen=True, kw_only=True, slots=True)
class _MinimumCondition(Condition):
    """A measured number (or None) that must be at least ``min``."""

    attribute: ClassVar[str] = ""
    #: the params key of the measurement: "score" (0–1, two decimals) or "value" (one decimal)
    value_key: ClassVar[str] = "score"
    noun: ClassVar[str] = ""

    min: float = 0.5

    def _prepare(self) -> tuple[Any, ...]:
        kind = self.kind
        return (
            _limit_text(self.min),
            _result(self.id, UNKNOWN, f"{kind}.not_measured", {}),
            f"{kind}.pass",
            f"{kind}.fail",
        )

    def describe(self) -> str:
        return f"{self.noun} ≥ {_limit_text(self.min)}"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        value = getattr(face, self.attribute)
        if value is None:
            return UNKNOWN
        return PASS if value >= self.min else FAIL

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        value = getattr(face, self.attribute)
        limit_text, not_measured, pass_id, fail_id = self._cache
        if value is None:
            return not_measured
        limit = self.min
        params = {self.value_key: value, "min": limit}
        shown = _two_decimals(value, limit) if self.value_key == "score" else _one_decimal(value, limit)
        if value >= limit:
            return _new_result(self.id, PASS, f"{self.noun} {shown} ≥ {limit_text}", pass_id, params)
        return _new_result(self.id, FAIL, f"{self.noun} {shown} < {limit_text}", fail_id, params)


@dataclass(frozen=True, kw_only=True, slots=True)
class MinConfidence(_MinimumCondition):
    kind: ClassVar[str] = "min_confidence"
    label: ClassVar[str] = "Minimum detection confidence"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("min", "float", "smallest allowed detection confidence (0–1)", 0.0, 1.0),
    )
    attribute: ClassVar[str] = "confidence"
    noun: ClassVar[str] = "confidence"

    min: float = 0.9


@dataclass(frozen=True, kw_only=True, slots=True)
class MinQuality(_MinimumCondition):
    kind: ClassVar[str] = "min_quality"
    label: ClassVar[str] = "Minimum face quality (IMM)"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("min", "float", "smallest allowed IMM FaceQuality (0–1)", 0.0, 1.0),
    )
    attribute: ClassVar[str] = "quality"
    noun: ClassVar[str] = "quality"

    min: float = 0.5


@dataclass(frozen=True, kw_only=True, slots=True)
class MinSharpness(_MinimumCondition):
    kind: ClassVar[str] = "min_sharpness"
    label: ClassVar[str] = "Minimum sharpness (IMM)"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("min", "float", "smallest allowed IMM Sharpness (0–1, higher = sharper)", 0.0, 1.0),
    )
    attribute: ClassVar[str] = "sharpness"
    noun: ClassVar[str] = "sharpness"

    min: float = 0.5


@dataclass(frozen=True, kw_only=True, slots=True)
class MinIntegrity(_MinimumCondition):
    """Moderation 2.0 ``Integrity`` at least ``min``; unmeasured passes unless ``required``."""

    kind: ClassVar[str] = "min_integrity"
    label: ClassVar[str] = "Minimum face integrity (Moderation 2.0)"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("min", "float", "smallest allowed Integrity (0–100, higher = more complete)", 0.0, 100.0),
        ParamSpec("required", "bool", "when false, a face without an integrity measure passes"),
    )
    attribute: ClassVar[str] = "integrity"
    value_key: ClassVar[str] = "value"
    noun: ClassVar[str] = "integrity"

    min: float = 80.0
    required: bool = False

    def _prepare(self) -> tuple[Any, ...]:
        return (
            _limit_text(self.min),
            _result(self.id, UNKNOWN if self.required else PASS, "min_integrity.not_measured", {}),
            "min_integrity.pass",
            "min_integrity.fail",
        )

    def describe(self) -> str:
        text = f"integrity ≥ {_limit_text(self.min)}"
        return text if self.required else f"{text} where measured"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        value = face.integrity
        if value is None:
            return UNKNOWN if self.required else PASS
        return PASS if value >= self.min else FAIL


@dataclass(frozen=True, kw_only=True, slots=True)
class AgeRange(Condition):
    """Estimated age within ``min``–``max`` (inclusive; either bound may be omitted)."""

    kind: ClassVar[str] = "age_range"
    label: ClassVar[str] = "Age range"
    param_specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("min", "int", "youngest allowed age", 0, 150, optional=True, unit="years"),
        ParamSpec("max", "int", "oldest allowed age", 0, 150, optional=True, unit="years"),
    )

    # both default to None (= no bound) so that a bound left out of the TOML reads back as absent
    min: int | None = None
    max: int | None = None

    def _validate(self) -> None:
        if self.min is None and self.max is None:
            raise _condition_error(self, "give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise _condition_error(self, f"min ({self.min}) is above max ({self.max})")

    def describe(self) -> str:
        if self.max is None:
            return f"age ≥ {self.min}"
        if self.min is None:
            return f"age ≤ {self.max}"
        return f"age {self.min}–{self.max}"

    def outcome(self, face: Face, ctx: ImageContext | None) -> Outcome:
        age = face.age
        if age is None:
            return UNKNOWN
        if (self.min is not None and age < self.min) or (self.max is not None and age > self.max):
            return FAIL
        return PASS

    def evaluate(self, face: Face, ctx: ImageContext | None) -> ConditionResult:
        age = face.age
        bounds = {"min": self.min, "max": self.max}
        if age is None:
            return _result(self.id, UNKNOWN, "age_range.not_measured", bounds)
        params = {"age": age, **bounds}
        if self.min is not None and age < self.min:
            return _result(self.id, FAIL, "age_range.fail_min", params)
        if self.max is not None and age > self.max:
            return _result(self.id, FAIL, "age_range.fail_max", params)
        if self.max is None:
            message_id = "age_range.pass_min"
        elif self.min is None:
            message_id = "age_range.pass_max"
        else:
            message_id = "age_range.pass"
        return _result(self.id, PASS, message_id, params)


#: kind -> condition class, in the order the rules editor lists them.
CONDITION_TYPES: Final[Mapping[str, type[Condition]]] = {
    cls.kind: cls
    for cls in (
        BlurCondition,
        PoseCondition,
        NoSunglasses,
        NoGlasses,
        NoMask,
        NoHat,
        EyesOpen,
        FaceCount,
        MinFaceSize,
        MinConfidence,
        MinQuality,
        MinSharpness,
        MinIntegrity,
        AgeRange,
    )
}


def make_condition(kind: str, **params: Any) -> Condition:
    """A condition of ``kind`` (see ``CONDITION_TYPES``); missing parameters take their defaults."""
    return condition_from_table({"kind": kind, **params})


def condition_from_table(table: Mapping[str, Any]) -> Condition:
    """Build a condition from its TOML table; raises ConfigError naming the problem."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"a condition must be a table, got {table!r}")
    kind = table.get("kind")
    if kind is None:
        raise ConfigError("condition has no 'kind'")
    cls = CONDITION_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ConfigError(f"unknown condition kind {kind!r} (known: {', '.join(CONDITION_TYPES)})")
    allowed = {spec.name for spec in cls.param_specs}
    extra = [key for key in table if key not in allowed and key not in ("kind", "id")]
    label = table.get("id") or kind
    if extra:
        expected = ", ".join(["id", *(spec.name for spec in cls.param_specs)])
        raise ConfigError(
            f"condition '{label}' ({kind}): unknown parameter {', '.join(map(repr, extra))} "
            f"(expected: {expected})"
        )
    kwargs = {key: value for key, value in table.items() if key != "kind"}
    required = [
        f.name
        for f in fields(cls)
        if f.name in allowed
        and f.name not in kwargs
        and f.default is MISSING
        and f.default_factory is MISSING
    ]
    if required:
        raise ConfigError(f"condition '{label}' ({kind}): missing parameter {', '.join(map(repr, required))}")
    return cls(**kwargs)


# --------------------------------------------------------------------------- rule sets


@dataclass(frozen=True)
class RuleSet:
    """A named, ordered list of conditions and the policy for unknowns. Immutable: edit by copying."""

    name: str
    conditions: tuple[Condition, ...]
    unknown: UnknownPolicy = "fail"
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError("a rule set needs a name")
        object.__setattr__(self, "conditions", tuple(self.conditions))
        if self.unknown not in UNKNOWN_POLICIES:
            raise ConfigError(
                f"rule set '{self.name}': unknown must be 'fail' or 'pass', got {self.unknown!r}"
            )
        seen: set[str] = set()
        for condition in self.conditions:
            if not isinstance(condition, Condition):
                raise ConfigError(f"rule set '{self.name}': not a condition: {condition!r}")
            if condition.id in seen:
                raise ConfigError(
                    f"rule set '{self.name}': two conditions have the id '{condition.id}' "
                    "(give one of them another id)"
                )
            seen.add(condition.id)

    # -- evaluation (hot path: no I/O, no regex)

    def evaluate(self, face: Face, ctx: ImageContext | None) -> Verdict:
        """Every condition's result for ``face`` and whether it is qualified."""
        results = tuple([condition.evaluate(face, ctx) for condition in self.conditions])
        qualified = True
        unknown_fails = self.unknown == "fail"
        for result in results:
            outcome = result.outcome
            if outcome == FAIL or (unknown_fails and outcome == UNKNOWN):
                qualified = False
                break
        return _new_verdict(qualified, results, self.unknown)

    def evaluate_many(self, items: Iterable[tuple[Face, ImageContext | None]]) -> list[Verdict]:
        """``evaluate`` over many faces (a rule change re-evaluating a whole catalog).

        The cyclic garbage collector is paused meanwhile: verdicts hold no
        cycles, and the collector's repeated passes over a growing list of
        them cost about a third of the time at 100k faces.
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            evaluate = self.evaluate
            return [evaluate(face, ctx) for face, ctx in items]
        finally:
            if was_enabled:
                gc.enable()

    def is_qualified(self, face: Face, ctx: ImageContext | None) -> bool:
        """Same answer as ``evaluate(face, ctx).qualified``, without building reasons (for counting)."""
        unknown_fails = self.unknown == "fail"
        for condition in self.conditions:
            outcome = condition.outcome(face, ctx)
            if outcome == FAIL or (unknown_fails and outcome == UNKNOWN):
                return False
        return True

    # -- editing helpers for the rules editor

    def condition(self, condition_id: str) -> Condition:
        for condition in self.conditions:
            if condition.id == condition_id:
                return condition
        raise KeyError(condition_id)

    def with_condition(self, condition: Condition, *, index: int | None = None) -> RuleSet:
        """A copy with ``condition`` appended (or inserted at ``index``); its id must be new."""
        conditions = list(self.conditions)
        conditions.insert(len(conditions) if index is None else index, condition)
        return replace(self, conditions=tuple(conditions))

    def without_condition(self, condition_id: str) -> RuleSet:
        """A copy without the condition ``condition_id`` (KeyError if there is none)."""
        self.condition(condition_id)
        return replace(self, conditions=tuple(c for c in self.conditions if c.id != condition_id))

    def replace_condition(self, condition_id: str, condition: Condition) -> RuleSet:
        """A copy with the condition ``condition_id`` replaced in place by ``condition``."""
        self.condition(condition_id)
        return replace(
            self, conditions=tuple(condition if c.id == condition_id else c for c in self.conditions)
        )

    def renamed(self, name: str) -> RuleSet:
        return replace(self, name=name)

    # -- TOML

    def to_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "description": self.description,
            "unknown": self.unknown,
        }
        table["conditions"] = [condition.to_table() for condition in self.conditions]
        return table

    def to_toml(self) -> str:
        """The rule set as a TOML preset, one ``[[conditions]]`` table per condition (in order)."""
        import tomli_w

        table = self.to_table()
        conditions = table.pop("conditions")
        # tomli_w would write short tables as one inline array; [[conditions]] blocks are
        # what people edit by hand, so write each one as its own table.
        parts = ["# facecurator rules preset\n", tomli_w.dumps(table)]
        for condition in conditions:
            parts.append("\n[[conditions]]\n")
            parts.append(tomli_w.dumps(condition))
        return "".join(parts)

    @classmethod
    def from_toml(cls, text: str, *, name: str | None = None, source: str | None = None) -> RuleSet:
        """Parse a preset.

        Args:
            text: the TOML document.
            name: overrides the document's ``name`` (e.g. a user preset's file name).
            source: the file the text came from, for error messages.

        Raises:
            ConfigError: invalid TOML, unknown key or kind, or a bad parameter, naming
                the file and the condition.
        """
        where = source or "rules"
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: invalid TOML: {exc}") from None
        return cls.from_table(data, name=name, source=where)

    @classmethod
    def from_table(
        cls, data: Mapping[str, Any], *, name: str | None = None, source: str = "rules"
    ) -> RuleSet:
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ConfigError(f"{source}: schema_version must be a positive whole number, got {version!r}")
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"{source}: schema_version {version} is newer than this facecurator understands "
                f"({SCHEMA_VERSION}); update facecurator"
            )
        known = {"schema_version", "name", "description", "unknown", "conditions"}
        extra = [key for key in data if key not in known]
        if extra:
            raise ConfigError(
                f"{source}: unknown key {', '.join(map(repr, extra))} (expected: {', '.join(sorted(known))})"
            )
        if name is None:
            name = data.get("name")
            if name is None:
                raise ConfigError(f"{source}: no 'name'")
        if not isinstance(name, str):
            raise ConfigError(f"{source}: name must be text, got {name!r}")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise ConfigError(f"{source}: description must be text, got {description!r}")
        tables = data.get("conditions", [])
        if not isinstance(tables, list):
            raise ConfigError(f"{source}: 'conditions' must be an array of tables ([[conditions]])")
        conditions = []
        for number, table in enumerate(tables, start=1):
            try:
                conditions.append(condition_from_table(table))
            except ConfigError as exc:
                raise ConfigError(f"{source}: condition #{number}: {exc}") from None
        try:
            return cls(
                name=name,
                conditions=tuple(conditions),
                unknown=data.get("unknown", "fail"),
                description=description,
            )
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None


# --------------------------------------------------------------------------- presets

_PRESET_SUFFIX: Final = ".toml"
_MAX_PRESET_NAME: Final = 64
_PRESET_NAME_PUNCTUATION: Final = frozenset(" -_.()+,'&@#")
_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def is_builtin_preset(name: str) -> bool:
    """True for a built-in preset name (compared case-insensitively, as file systems may)."""
    return name.casefold() in {builtin.casefold() for builtin in BUILTIN_PRESETS}


def _check_preset_name(name: str) -> str:
    """Return ``name`` if it is a safe user preset name (it becomes a file name), else raise ConfigError."""
    if not isinstance(name, str) or not name:
        raise ConfigError("a preset needs a name")
    shown = name if len(name) <= 80 else name[:77] + "..."
    problem = None
    if len(name) > _MAX_PRESET_NAME:
        problem = f"is longer than {_MAX_PRESET_NAME} characters"
    elif name != name.strip():
        problem = "starts or ends with a space"
    elif name.startswith(".") or name.endswith("."):
        problem = "starts or ends with '.'"
    elif name.casefold().endswith(_PRESET_SUFFIX):
        problem = f"ends with '{_PRESET_SUFFIX}' (it would read as a file path)"
    elif name.split(".")[0].strip().casefold() in _WINDOWS_RESERVED:
        problem = "is a reserved device name on Windows"
    else:
        for ch in name:
            category = unicodedata.category(ch)
            # letters, digits and combining marks of any script, dashes, and a few safe ASCII signs
            if ch not in _PRESET_NAME_PUNCTUATION and category[0] not in "LNM" and category != "Pd":
                problem = f"contains {ch!r} (use letters, digits, spaces, dashes and _ . ( ) + , ' & @ #)"
                break
    if problem:
        raise ConfigError(f"preset name {shown!r} {problem}")
    return name


def user_presets_dir() -> Path:
    from facecurator import paths

    return paths.config_dir() / "presets"


def user_preset_path(name: str) -> Path:
    """Where the user preset ``name`` lives (ConfigError for an unsafe or built-in name)."""
    _check_preset_name(name)
    if is_builtin_preset(name):
        raise ConfigError(f"'{name}' is a built-in preset; choose another name")
    return user_presets_dir() / f"{name}{_PRESET_SUFFIX}"


def _builtin_path(name: str) -> Path:
    from facecurator import paths

    return paths.resource_path("presets", f"{name}{_PRESET_SUFFIX}")


def _read_rules_file(path: Path, *, name: str | None = None) -> RuleSet:
    """Read a preset file; a file without a ``name`` is named after the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"rules file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read rules file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if name is None and "name" not in data:
        name = path.stem
    return RuleSet.from_table(data, name=name, source=str(path))


def _user_preset_names() -> list[str]:
    directory = user_presets_dir()
    if not directory.is_dir():
        return []
    names = []
    for entry in directory.iterdir():
        if entry.suffix != _PRESET_SUFFIX or not entry.is_file():
            continue
        stem = entry.name[: -len(_PRESET_SUFFIX)]
        try:
            _check_preset_name(stem)
        except ConfigError:
            continue  # a stray file a user dropped there; not a preset we wrote
        if not is_builtin_preset(stem):
            names.append(stem)
    return sorted(names, key=lambda n: (n.casefold(), n))


def list_presets() -> list[str]:
    """Built-in presets (in their fixed order), then the user's presets sorted by name."""
    return [*BUILTIN_PRESETS, *_user_preset_names()]


def load_rules(name_or_path: str | os.PathLike[str]) -> RuleSet:
    """A built-in preset, a user preset, or a ``.toml`` file.

    Names win over paths: ``moderation-2.0`` is the built-in preset even if a
    file of that name exists in the working directory.

    Raises:
        ConfigError: unknown preset, missing or unreadable file, or bad contents.
    """
    text = os.fspath(name_or_path)
    if not text:
        raise ConfigError("no rules preset or file given")
    for builtin in BUILTIN_PRESETS:
        if text.casefold() == builtin.casefold():  # "Moderation-2.0" means the built-in, too
            return _read_rules_file(_builtin_path(builtin))
    looks_like_name = "/" not in text and "\\" not in text and not text.endswith(_PRESET_SUFFIX)
    if looks_like_name:
        try:
            _check_preset_name(text)
            candidate: Path | None = user_presets_dir() / f"{text}{_PRESET_SUFFIX}"
        except ConfigError:
            candidate = None
        if candidate is not None and candidate.is_file() and not is_builtin_preset(text):
            return _read_rules_file(candidate, name=text)
    path = Path(text).expanduser()
    if not looks_like_name or path.is_file():
        if path.is_dir():
            raise ConfigError(f"rules file is a folder: {path}")
        rules = _read_rules_file(path)
        return rules
    raise ConfigError(
        f"unknown rules preset {text!r} (available: {', '.join(list_presets())}; or give a .toml file)"
    )


def save_user_preset(rules: RuleSet) -> Path:
    """Write ``rules`` as the user preset ``rules.name`` (atomically) and return its path.

    Raises:
        ConfigError: the name is a built-in preset or is not safe as a file name,
            or the file cannot be written.
    """
    path = user_preset_path(rules.name)
    text = rules.to_toml()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".preset-", suffix=".tmp", dir=path.parent)
        temp_path = Path(temp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            temp_path.replace(path)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"cannot save preset '{rules.name}' to {path}: {exc}") from None
    return path


def delete_user_preset(name: str) -> None:
    """Delete the user preset ``name``; ConfigError for a built-in, unsafe or missing name."""
    path = user_preset_path(name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise ConfigError(f"no user preset named '{name}'") from None
    except OSError as exc:
        raise ConfigError(f"cannot delete preset '{name}' ({path}): {exc}") from None
