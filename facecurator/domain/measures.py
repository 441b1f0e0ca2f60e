"""Named face-quality measures: the values a detector measured on a face, or why it could not.

A :class:`Face` carries a :class:`MeasureSet`, a read-only mapping from a
measure name (``"eyes_visible"``, ``"nose_mouth_visible"``, …) to a
:class:`Measure`: a number, or ``None`` with the reason it could not be taken
("face too small", "face turned 52 deg"). A measure that is absent from the
set was not measured by that detector. Either way a rule treats it as
*unknown*, never as a pass.

:data:`MEASURES` describes every known measure: its English names (for
reasons and the rules editor) and whether higher is better. The local
detector's measures are scores from 0 to 1, higher = better, scaled so that
0.5 is the calibrated boundary (docs/local-detector.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from facecurator.errors import MalformedResultError


@dataclass(frozen=True, slots=True)
class Measure:
    """One measured quantity: ``value`` (None = could not be measured) and a short ``reason``.

    ``reason`` says why ``value`` is None ("face too small"), or what a low value
    means ("sunglasses?"); it may be empty.
    """

    value: float | None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class MeasureInfo:
    """How a measure is named and read."""

    #: rules-editor label, e.g. "Eyes visible"
    label: str
    #: the reason's words when the measure passes / fails, e.g. "eyes visible" / "eyes not visible"
    passing: str
    failing: str
    help: str
    higher_is_better: bool = True
    #: the limit a new condition starts with
    default_limit: float = 0.5
    minimum: float = 0.0
    maximum: float = 1.0
    #: a pass/fail measure (1.0 = fine, 0.0 = defect): reasons show no number
    binary: bool = False


#: Every measure a rule can use, by name.
MEASURES: Final[Mapping[str, MeasureInfo]] = {
    "eyes_visible": MeasureInfo(
        "Eyes visible",
        "eyes visible",
        "eyes not visible",
        "both eyes uncovered (no sunglasses, bar, hand or hair): the lower of the two eyes' scores",
    ),
    "eyes_open": MeasureInfo(
        "Both eyes open",
        "eyes open",
        "eye closed",
        "both eyes open: the lower of the two eyes' openness (unknown when an eye is not visible)",
    ),
    "nose_mouth_visible": MeasureInfo(
        "Nose and mouth visible",
        "nose and mouth visible",
        "nose or mouth covered",
        "nose and mouth uncovered (no mask, scarf, hand or object): the lower of the two scores",
    ),
    "face_visible": MeasureInfo(
        "Face visible",
        "face visible",
        "face partly covered",
        "share of the forehead, cheeks, nose, mouth and chin that looks like skin",
    ),
}

#: Pass/fail measures of detail, exposure and "a photograph" (value 1.0 fine, 0.0 defect).
DETAIL_MEASURES: Final[Mapping[str, MeasureInfo]] = {
    "sharp": MeasureInfo("Sharp", "sharp", "blurred", "enough detail: not out of focus", binary=True),
    "no_compression_artefacts": MeasureInfo(
        "No compression artefacts",
        "no compression artefacts",
        "compression artefacts",
        "no visible JPEG blocking and a JPEG quality that keeps detail",
        binary=True,
    ),
    "full_resolution": MeasureInfo(
        "Full resolution",
        "full resolution",
        "low effective resolution",
        "not pixelated or enlarged from a small image",
        binary=True,
    ),
    "not_underexposed": MeasureInfo(
        "Not underexposed", "not underexposed", "underexposed", "the face is not too dark", binary=True
    ),
    "not_overexposed": MeasureInfo(
        "Not overexposed", "not overexposed", "overexposed", "the face is not clipped white", binary=True
    ),
    "photograph": MeasureInfo(
        "A photograph",
        "a photograph",
        "not a photograph",
        "a photograph, not a drawing, cartoon or render",
        binary=True,
    ),
}

#: Measures also stored per eye / per region (shown in the attribute panel; usable in rules).
PART_MEASURES: Final[Mapping[str, MeasureInfo]] = {
    "eye_visible_right": MeasureInfo(
        "Right eye visible", "right eye visible", "right eye not visible", "the subject's right eye uncovered"
    ),
    "eye_visible_left": MeasureInfo(
        "Left eye visible", "left eye visible", "left eye not visible", "the subject's left eye uncovered"
    ),
    "eye_open_right": MeasureInfo(
        "Right eye open", "right eye open", "right eye closed", "the subject's right eye open"
    ),
    "eye_open_left": MeasureInfo(
        "Left eye open", "left eye open", "left eye closed", "the subject's left eye open"
    ),
    "nose_visible": MeasureInfo("Nose visible", "nose visible", "nose covered", "the nose uncovered"),
    "mouth_visible": MeasureInfo("Mouth visible", "mouth visible", "mouth covered", "the mouth uncovered"),
    "photograph_model": MeasureInfo(
        "A photograph (CLIP model)",
        "a photograph to the CLIP model",
        "not a photograph to the CLIP model",
        "the CLIP photograph model's score (0.5 at its threshold; read only on faces every other"
        " enrollment-strict condition qualifies)",
    ),
}

ALL_MEASURES: Final[Mapping[str, MeasureInfo]] = {**MEASURES, **DETAIL_MEASURES, **PART_MEASURES}
MEASURE_NAMES: Final = tuple(ALL_MEASURES)


class MeasureSet(Mapping[str, Measure]):
    """A read-only, hashable mapping of measure name -> :class:`Measure`."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Measure] | None = None) -> None:
        self._items: dict[str, Measure] = dict(items or {})

    def __getitem__(self, name: str) -> Measure:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items())))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MeasureSet):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"MeasureSet({self._items!r})"

    def to_json(self) -> dict[str, Any]:
        return {name: m.to_json() for name, m in self._items.items()}

    @classmethod
    def from_json(cls, data: Any) -> MeasureSet:
        """Inverse of :meth:`to_json`; None -> empty. Unknown names are kept (a newer detector's)."""
        if data is None:
            return EMPTY_MEASURES
        if not isinstance(data, Mapping):
            raise MalformedResultError(f"measures must be an object, got {type(data).__name__}")
        items: dict[str, Measure] = {}
        for name, entry in data.items():
            if not isinstance(entry, Mapping):
                raise MalformedResultError(f"measure {name!r} must be an object, got {entry!r}")
            value = entry.get("value")
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise MalformedResultError(f"measure {name!r}: value must be a finite number or null")
                value = float(value)
            items[str(name)] = Measure(value, str(entry.get("reason") or ""))
        return cls(items)


EMPTY_MEASURES: Final = MeasureSet()
