"""What every parser shares: the result and error types, a path-aware JSON reader
(``_Obj``: every error names the field) and the vendors' enum spellings."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from facecurator.domain.face import (
    Box,
    Face,
    Gender,
    Glasses,
    Pose,
)
from facecurator.errors import DetectorError, MalformedResultError

SHAPES: Final = ("oss-faces", "imm", "imm-detectface-legacy", "green-1.0", "green-2.0")

#: Enum spellings, compared case-insensitively. Anything else -> None (not measured).
_GLASSES_VALUES: Final[dict[str, Glasses]] = {
    "none": "none",
    "glasses": "glasses",  # IMM / OSS
    "common": "glasses",  # Moderation 2.0
    "wear": "glasses",  # Moderation 1.0
    "sunglass": "sunglasses",  # Moderation 1.0 / 2.0
    "sunglasses": "sunglasses",
}
_MASK_VALUES: Final = {"none": False, "mask": True, "wear": True}
_HAT_VALUES: Final = {"none": False, "hat": True, "wear": True}
_BEARD_VALUES: Final = {"none": False, "beard": True, "has": True}
_GENDER_VALUES: Final[dict[str, Gender]] = {"male": "male", "female": "female"}


class ProviderError(DetectorError):
    """The provider answered, but with a business error instead of faces.

    Attributes:
        shape: the result shape (``None`` for a generic Alibaba Cloud error document).
        code: the provider's error code (int for Moderation, str for IMM/OSS).
        request_id: the provider's request id, for support tickets.
        retryable: a later retry may succeed (throttling, timeouts, server errors).
        throttled: the call was refused for exceeding the QPS limit.
        refused: the account or credentials are refused (e.g. Moderation Code 408, no
            permission): every call would fail the same way, so a batch stops.
    """

    def __init__(
        self,
        message: str,
        *,
        shape: str | None,
        code: int | str | None,
        request_id: str | None = None,
        retryable: bool = False,
        throttled: bool = False,
        refused: bool = False,
    ) -> None:
        super().__init__(message)
        self.shape = shape
        self.code = code
        self.request_id = request_id
        self.retryable = retryable
        self.throttled = throttled
        self.refused = refused


@dataclass(frozen=True)
class NormalizedResult:
    """Canonical faces of one provider response.

    ``width``/``height`` are the image size when the payload tells it
    (Moderation 1.0 ``extras``), else ``None``. ``extra`` holds what the
    canonical face has no field for but an operator may want to see
    (request id, Moderation 1.0 ``qualified`` flags, Moderation 2.0 labels,
    unrecognised enum values); it is JSON-serialisable.
    """

    faces: list[Face]
    shape: str
    width: int | None = None
    height: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class _Context:
    """Per-call state: the shape name and the enum values we did not recognise."""

    def __init__(self, shape: str) -> None:
        self.shape = shape
        self.unrecognised: list[str] = []


class _Obj:
    """A JSON object with its path, for field access that explains failures.

    Keys are looked up exactly first, then case-insensitively (SDK maps and
    hand-edited files vary in casing); a missing key reads as ``None``.
    """

    __slots__ = ("ctx", "data", "path")

    def __init__(self, data: Any, path: str, ctx: _Context) -> None:
        if not isinstance(data, dict):
            where = path or "result"
            raise MalformedResultError(f"{where} must be an object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        self.path = path
        self.ctx = ctx

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        lowered = key.lower()
        for k, v in self.data.items():
            if isinstance(k, str) and k.lower() == lowered:
                return v
        return None

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def obj(self, key: str) -> _Obj | None:
        value = self.get(key)
        return None if value is None else _Obj(value, self.at(key), self.ctx)

    def need(self, key: str) -> _Obj:
        value = self.get(key)
        if value is None:
            raise MalformedResultError(f"{self.at(key)} is missing")
        return _Obj(value, self.at(key), self.ctx)

    def items(self, key: str, *, required: bool) -> Iterator[_Obj]:
        value = self.get(key)
        if value is None:
            if required:
                raise MalformedResultError(f"{self.at(key)} is missing")
            return
        if not isinstance(value, list):
            raise MalformedResultError(f"{self.at(key)} must be a list, got {_kind(value)}")
        for index, item in enumerate(value):
            yield _Obj(item, f"{self.at(key)}[{index}]", self.ctx)

    def num(self, key: str, *, low: float | None = None, high: float | None = None) -> float | None:
        value = self.get(key)
        return None if value is None else _number(value, self.at(key), low, high)

    def need_num(self, key: str) -> float:
        value = self.get(key)
        if value is None:
            raise MalformedResultError(f"{self.at(key)} is missing")
        return _number(value, self.at(key))

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if value is None or isinstance(value, str):
            return value
        raise MalformedResultError(f"{self.at(key)} must be a string, got {_kind(value)}")

    def enum(self, key: str, table: dict[str, Any]) -> Any:
        """Map an enum (a string, or a ``{"Value": ...}`` object) through ``table``."""
        value = self.get(key)
        path = self.at(key)
        if isinstance(value, dict):
            inner = _Obj(value, path, self.ctx)
            value, path = inner.get("Value"), inner.at("Value")
        if value is None:
            return None
        if not isinstance(value, str):
            raise MalformedResultError(f"{path} must be a string, got {_kind(value)}")
        mapped = table.get(value.strip().lower())
        if mapped is None:
            self.ctx.unrecognised.append(f"{path}={_short(value)}")
        return mapped


def _number(value: Any, path: str, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedResultError(f"{path} is not a number: {_short(value)}")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise MalformedResultError(f"{path} is not a number: {_short(repr(value))}") from None
    else:
        try:
            number = float(value)
        except OverflowError:
            raise MalformedResultError(f"{path} is too large: {_short(value)}") from None
    if not math.isfinite(number):
        raise MalformedResultError(f"{path} is not finite: {_short(value)}")
    # float32 artefacts (0.9990000128746033) may overshoot a bound by a hair: clamp those.
    slack = 1e-6 * max(1.0, abs(low or 0.0), abs(high or 0.0))
    if low is not None and number < low:
        if number < low - slack:
            raise MalformedResultError(f"{path} {number:g} is below {low:g}")
        number = low
    if high is not None and number > high:
        if number > high + slack:
            raise MalformedResultError(f"{path} {number:g} is above {high:g}")
        number = high
    return number


def _box(obj: _Obj, x: str, y: str, w: str, h: str) -> Box:
    left, top, width, height = (obj.need_num(k) for k in (x, y, w, h))
    if width <= 0 or height <= 0:
        raise MalformedResultError(f"{obj.path} has an empty box ({w} {width:g}, {h} {height:g})")
    return Box(left, top, width, height)


def _pose(obj: _Obj | None, pitch: str, yaw: str, roll: str) -> Pose | None:
    """A pose needs all three angles; any one missing means the pose was not measured."""
    if obj is None:
        return None
    angles = [obj.num(k, low=-180.0, high=180.0) for k in (pitch, yaw, roll)]
    if any(a is None for a in angles):
        return None
    return Pose(*angles)  # type: ignore[arg-type]


def _age(obj: _Obj, key: str = "Age") -> int | None:
    value = obj.num(key, low=0.0, high=150.0)
    return None if value is None else round(value)


def _request_id(obj: _Obj, key: str = "RequestId") -> dict[str, Any]:
    request_id = obj.text(key)
    return {"request_id": request_id} if request_id else {}


# --------------------------------------------------------------------------- helpers


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preview(text: str) -> str:
    return _short(text, 60)
