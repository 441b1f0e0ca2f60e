"""A rule set: named, ordered conditions with an unknown policy; evaluation and TOML."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from typing import Any, Final

from facecurator.domain.face import (
    Face,
)
from facecurator.domain.rules.conditions import Condition
from facecurator.domain.rules.errors import rule_text
from facecurator.domain.rules.identity import IDENTITY_CONDITIONS
from facecurator.domain.rules.kinds import (
    AgeRange,
    BlurCondition,
    EyesOpen,
    FaceCount,
    MinConfidence,
    MinFaceSize,
    MinIntegrity,
    MinQuality,
    MinSharpness,
    NoGlasses,
    NoHat,
    NoMask,
    NoSunglasses,
    PoseCondition,
)
from facecurator.domain.rules.measures import MeasureCondition
from facecurator.domain.rules.messages import (
    FAIL,
    UNKNOWN,
    UNKNOWN_POLICIES,
    ImageContext,
    UnknownPolicy,
    Verdict,
    _new_verdict,
)
from facecurator.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SCHEMA_VERSION: Final = 1


# The condition classes, in the order the rules editor lists them.
_CONDITION_CLASSES: Final[tuple[type[Condition], ...]] = (
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
    *IDENTITY_CONDITIONS,
    MeasureCondition,
)
#: kind -> condition class, in the order the rules editor lists them.
CONDITION_TYPES: Final[Mapping[str, type[Condition]]] = {cls.kind: cls for cls in _CONDITION_CLASSES}


def make_condition(kind: str, **params: Any) -> Condition:
    """A condition of ``kind`` (see ``CONDITION_TYPES``); missing parameters take their defaults."""
    return condition_from_table({"kind": kind, **params})


def condition_from_table(table: Mapping[str, Any]) -> Condition:
    """Build a condition from its TOML table; raises ConfigError naming the problem."""
    if not isinstance(table, Mapping):
        raise ConfigError(rule_text("table.not_table", value=repr(table)))
    kind = table.get("kind")
    if kind is None:
        raise ConfigError(rule_text("table.no_kind"))
    cls = CONDITION_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ConfigError(rule_text("table.unknown_kind", kind=repr(kind), known=", ".join(CONDITION_TYPES)))
    allowed = {spec.name for spec in cls.param_specs}
    extra = [key for key in table if key not in allowed and key not in ("kind", "id")]
    label = table.get("id") or kind
    if extra:
        expected = ", ".join(["id", *(spec.name for spec in cls.param_specs)])
        raise ConfigError(
            rule_text(
                "table.unknown_param",
                id=label,
                kind=kind,
                names=", ".join(map(repr, extra)),
                expected=expected,
            )
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
        raise ConfigError(
            rule_text("table.missing_param", id=label, kind=kind, names=", ".join(map(repr, required)))
        )
    return cls(**kwargs)


@dataclass(frozen=True)
class RuleSet:
    """A named, ordered list of conditions and the policy for unknowns. Immutable: edit by copying."""

    name: str
    conditions: tuple[Condition, ...]
    unknown: UnknownPolicy = "fail"
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(rule_text("set.no_name"))
        object.__setattr__(self, "conditions", tuple(self.conditions))
        if self.unknown not in UNKNOWN_POLICIES:
            raise ConfigError(rule_text("set.unknown_policy", name=self.name, value=repr(self.unknown)))
        seen: set[str] = set()
        for condition in self.conditions:
            if not isinstance(condition, Condition):
                raise ConfigError(rule_text("set.not_condition", name=self.name, value=repr(condition)))
            if condition.id in seen:
                raise ConfigError(rule_text("set.duplicate_id", name=self.name, id=condition.id))
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
            raise ConfigError(rule_text("file.invalid_toml", source=where, detail=exc)) from None
        return cls.from_table(data, name=name, source=where)

    @classmethod
    def from_table(
        cls, data: Mapping[str, Any], *, name: str | None = None, source: str = "rules"
    ) -> RuleSet:
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ConfigError(rule_text("file.bad_schema", source=source, value=repr(version)))
        if version > SCHEMA_VERSION:
            raise ConfigError(
                rule_text("file.newer_schema", source=source, version=version, supported=SCHEMA_VERSION)
            )
        known = {"schema_version", "name", "description", "unknown", "conditions"}
        extra = [key for key in data if key not in known]
        if extra:
            raise ConfigError(
                rule_text(
                    "file.unknown_key",
                    source=source,
                    names=", ".join(map(repr, extra)),
                    expected=", ".join(sorted(known)),
                )
            )
        if name is None:
            name = data.get("name")
            if name is None:
                raise ConfigError(rule_text("file.no_name", source=source))
        if not isinstance(name, str):
            raise ConfigError(rule_text("file.name_text", source=source, value=repr(name)))
        description = data.get("description", "")
        if not isinstance(description, str):
            raise ConfigError(rule_text("file.description_text", source=source, value=repr(description)))
        tables = data.get("conditions", [])
        if not isinstance(tables, list):
            raise ConfigError(rule_text("file.conditions_array", source=source))
        conditions = []
        for number, table in enumerate(tables, start=1):
            try:
                conditions.append(condition_from_table(table))
            except ConfigError as exc:
                raise ConfigError(
                    rule_text("file.condition", source=source, number=number, reason=exc)
                ) from None
        try:
            return cls(
                name=name,
                conditions=tuple(conditions),
                unknown=data.get("unknown", "fail"),
                description=description,
            )
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None
