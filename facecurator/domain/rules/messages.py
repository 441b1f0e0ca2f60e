"""Outcomes, reason templates and their number formatting, and the results of an evaluation
(:class:`ConditionResult`, :class:`Verdict`, :class:`ImageContext`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from facecurator.domain.records import slot_constructor

if TYPE_CHECKING:
    from facecurator.domain.identity import FaceIdentity

Outcome = Literal["pass", "fail", "unknown"]
UnknownPolicy = Literal["fail", "pass"]

PASS: Final = "pass"
FAIL: Final = "fail"
UNKNOWN: Final = "unknown"
UNKNOWN_POLICIES: Final = ("fail", "pass")

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
    "identity.not_measured": "identity not measured (no face embedding)",
    "identity_consistent.pass": "distance {distance} ≤ {max} from {person}",
    "identity_consistent.fail": (
        "distance {distance} > {max} from {person}; most like {nearest} ({nearest_distance})"
    ),
    "identity_consistent.fail_alone": "distance {distance} > {max} from {person}",
    "identity_consistent.no_majority": "the photos of {person} do not agree on one person",
    "enrolled_face.pass": "the face of {person} in this photo",
    "enrolled_face.pass_single": "the only face in the photo",
    "enrolled_face.fail": "not this person: not the face of {person} in this photo",
    "no_duplicate.pass": "no near-identical photo",
    "no_duplicate.fail": "near-identical to {kept} (kept)",
    # named measures (facecurator.domain.measures): "what" is the measure's passing/failing words
    "measure.pass": "{what} {score} ≥ {min}",
    "measure.fail": "{what} {score} < {min}",
    "measure.fail_why": "{what} ({why}) {score} < {min}",
    "measure.not_measured": "{what} not measured",
    "measure.not_measured_why": "{what} not measured ({why})",
    "measure.pass_flag": "{what}",
    "measure.fail_flag": "{what}",
    "measure.fail_flag_why": "{what} ({why})",
}

#: How ``display_params`` formats each numeric param (by key).
_ONE_DECIMAL_KEYS: Final = frozenset({"value", "converted"})
_TWO_DECIMAL_KEYS: Final = frozenset({"score", "distance", "nearest_distance"})
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


#: ``ConditionResult(condition, outcome, reason, message_id, params)`` on the hot path
#: (see :mod:`facecurator.domain.records`): the arguments are trusted and complete.
_new_result = slot_constructor(ConditionResult)


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


#: ``Verdict(qualified, results, unknown_policy)`` on the hot path (see ``_new_result``).
_new_verdict = slot_constructor(Verdict)


@dataclass(frozen=True, slots=True)
class ImageContext:
    """What a condition may need to know about the face's image besides the face.

    ``identity`` is this face's identity findings (``facecurator.domain.identity``),
    None when the gallery has no embeddings (identity conditions are then unknown).
    """

    face_count: int
    identity: FaceIdentity | None = None
