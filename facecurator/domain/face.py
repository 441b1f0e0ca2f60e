"""The canonical face: every detector's output is normalised to this record.

Field names and meanings follow the product contract (``CONTRACT.md``,
"The canonical face"). ``None`` always means *not measured*, never *fine*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from facecurator.errors import MalformedResultError

#: Blur scales. Higher is always blurrier.
BLUR_SCALE_MODERATION_1: Final = "0-20"
BLUR_SCALE_MODERATION_2: Final = "0-100"
#: The local detector's own measure (see docs/local-detector.md).
BLUR_SCALE_LOCAL: Final = "local-0-100"
BLUR_SCALES: Final = (BLUR_SCALE_MODERATION_1, BLUR_SCALE_MODERATION_2, BLUR_SCALE_LOCAL)

Glasses = Literal["none", "glasses", "sunglasses"]
Gender = Literal["male", "female"]
GLASSES_VALUES: Final = ("none", "glasses", "sunglasses")
GENDER_VALUES: Final = ("male", "female")


@dataclass(frozen=True, slots=True)
class Box:
    """Face rectangle in pixels of the upright (EXIF-applied) image."""

    x: float
    y: float
    w: float
    h: float

    @property
    def short_side(self) -> float:
        return min(self.w, self.h)

    def to_json(self) -> dict[str, float]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True, slots=True)
class Pose:
    """Head pose in degrees."""

    pitch: float
    yaw: float
    roll: float

    def to_json(self) -> dict[str, float]:
        return {"pitch": self.pitch, "yaw": self.yaw, "roll": self.roll}


@dataclass(frozen=True, slots=True)
class Blur:
    """A blur measurement on a named scale (higher = blurrier)."""

    value: float
    scale: str

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "scale": self.scale}


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face, provider-independent."""

    box: Box
    confidence: float | None = None
    landmarks: tuple[tuple[float, float], ...] | None = None
    pose: Pose | None = None
    blur: Blur | None = None
    sharpness: float | None = None
    quality: float | None = None
    integrity: float | None = None
    glasses: Glasses | None = None
    mask: bool | None = None
    hat: bool | None = None
    beard: bool | None = None
    eyes_closed: bool | None = None
    age: int | None = None
    gender: Gender | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)
    #: Extension of the contract's face: whether sunglasses were measured apart
    #: from ordinary glasses. A detector that can tell "no sunglasses" but not
    #: "clear glasses or none" sets ``glasses=None, sunglasses=False``. Read it
    #: through :attr:`wears_sunglasses`, which also derives it from ``glasses``.
    sunglasses: bool | None = None

    @property
    def wears_sunglasses(self) -> bool | None:
        """True / False when measured (from ``glasses`` or ``sunglasses``), else None."""
        if self.glasses is not None:
            return self.glasses == "sunglasses"
        return self.sunglasses

    def with_changes(self, **changes: Any) -> Face:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """Contract JSON (field names of CONTRACT.md)."""
        return {
            "box": self.box.to_json(),
            "confidence": self.confidence,
            "landmarks": [list(p) for p in self.landmarks] if self.landmarks is not None else None,
            "pose": self.pose.to_json() if self.pose else None,
            "blur": self.blur.to_json() if self.blur else None,
            "sharpness": self.sharpness,
            "quality": self.quality,
            "integrity": self.integrity,
            "glasses": self.glasses,
            "mask": self.mask,
            "hat": self.hat,
            "beard": self.beard,
            "eyes_closed": self.eyes_closed,
            "age": self.age,
            "gender": self.gender,
            "sunglasses": self.wears_sunglasses,
            "raw": self.raw,
        }

    @classmethod
    def from_json(cls, data: Any) -> Face:
        """Inverse of :meth:`to_json`; raises MalformedResultError on bad input."""
        if not isinstance(data, dict):
            raise MalformedResultError(f"face must be an object, got {type(data).__name__}")
        try:
            box = data["box"]
            face = cls(
                box=Box(*(_num(box[k], f"box.{k}") for k in ("x", "y", "w", "h"))),
                confidence=_opt_num(data.get("confidence"), "confidence"),
                landmarks=(
                    tuple((_num(p[0], "landmark"), _num(p[1], "landmark")) for p in data["landmarks"])
                    if data.get("landmarks") is not None
                    else None
                ),
                pose=(
                    Pose(*(_num(data["pose"][k], f"pose.{k}") for k in ("pitch", "yaw", "roll")))
                    if data.get("pose") is not None
                    else None
                ),
                blur=(
                    Blur(_num(data["blur"]["value"], "blur.value"), str(data["blur"]["scale"]))
                    if data.get("blur") is not None
                    else None
                ),
                sharpness=_opt_num(data.get("sharpness"), "sharpness"),
                quality=_opt_num(data.get("quality"), "quality"),
                integrity=_opt_num(data.get("integrity"), "integrity"),
                glasses=_opt_choice(data.get("glasses"), GLASSES_VALUES, "glasses"),
                mask=_opt_bool(data.get("mask"), "mask"),
                hat=_opt_bool(data.get("hat"), "hat"),
                beard=_opt_bool(data.get("beard"), "beard"),
                eyes_closed=_opt_bool(data.get("eyes_closed"), "eyes_closed"),
                age=int(_num(data["age"], "age")) if data.get("age") is not None else None,
                gender=_opt_choice(data.get("gender"), GENDER_VALUES, "gender"),
                raw=data.get("raw"),
                # Redundant when ``glasses`` is known (to_json derives it from there).
                sunglasses=(
                    _opt_bool(data.get("sunglasses"), "sunglasses") if data.get("glasses") is None else None
                ),
            )
        except (KeyError, TypeError, IndexError) as exc:
            raise MalformedResultError(f"face record is missing or has a bad field: {exc!r}") from exc
        return face


def _num(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise MalformedResultError(f"{name} is not a number: {value!r}") from None
    value = float(value)
    if not math.isfinite(value):
        raise MalformedResultError(f"{name} is not finite: {value!r}")
    return value


def _opt_num(value: Any, name: str) -> float | None:
    return None if value is None else _num(value, name)


def _opt_bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise MalformedResultError(f"{name} must be true, false or null, got {value!r}")


def _opt_choice(value: Any, choices: tuple[str, ...], name: str) -> Any:
    if value is None or value in choices:
        return value
    raise MalformedResultError(f"{name} must be one of {', '.join(choices)} or null, got {value!r}")
