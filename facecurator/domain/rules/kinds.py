"""Every condition kind, and ``CONDITION_TYPES`` / ``make_condition`` / ``condition_from_table``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from facecurator.domain.face import (
    BLUR_SCALE_MODERATION_2,
    BLUR_SCALES,
    Face,
)
from facecurator.domain.rules.conditions import (
    _BLUR_SCALE_TOP,
    Condition,
    ParamSpec,
    _condition_error,
    convert_blur,
)
from facecurator.domain.rules.errors import rule_text
from facecurator.domain.rules.messages import (
    FAIL,
    PASS,
    UNKNOWN,
    ConditionResult,
    ImageContext,
    Outcome,
    _limit_text,
    _measured_text,
    _new_result,
    _one_decimal,
    _pixels,
    _result,
    _two_decimals,
)


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
            raise _condition_error(self, rule_text("blur.max", top=_limit_text(top), scale=self.scale))

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
        # (the mapping back is documented whenever the mapping there is; without it, no such limit)
        limits = (limit, -limit) if from_max is None else (limit, -limit, from_max, -from_max)
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
            raise _condition_error(self, rule_text("range.empty"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise _condition_error(self, rule_text("range.order", min=self.min, max=self.max))

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
