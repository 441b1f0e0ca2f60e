"""A rule set's stored verdict as SQL: every face of a catalog evaluated in one statement.

:meth:`RuleSet.evaluate` is THE evaluation; this is its set-based twin for the one thing
a stored verdict keeps (``facecurator.services.browse.store_verdicts``): each condition's
outcome (``pass``/``fail``/``unknown``), the verdict's status and the blur on the 0-100
scale. It follows each kind's :meth:`Condition.outcome` line by line (the same comparisons
on the same IEEE doubles); ``tests/test_verdict_sql.py`` holds the two to the same answer
for every kind over a grid of faces, on both backends. A kind without a SQL form (the
identity kinds: their verdicts depend on the whole gallery) makes :func:`verdict_sql` return
None: such a rule set is evaluated in Python.

The caller names the SQL expression of each face attribute (:class:`FaceColumns`), and of a
named quality measure's value (``Face.measures``, read by the ``measure`` kind), so the
domain knows no table and no JSON function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from facecurator.domain.face import BLUR_SCALE_MODERATION_2
from facecurator.domain.rules.conditions import BLUR_SCALE_MAPPING, Condition
from facecurator.domain.rules.kinds import (
    AgeRange,
    BlurCondition,
    FaceCount,
    MinFaceSize,
    MinIntegrity,
    NoGlasses,
    NoSunglasses,
    PoseCondition,
    _FlagCondition,
    _MinimumCondition,
)
from facecurator.domain.rules.measures import MeasureCondition
from facecurator.domain.rules.ruleset import RuleSet

#: A named parameter of the statement being built: its placeholder (``:vp_0``) for a value.
Param = Callable[[Any], str]

#: The face attributes a condition may read (keys of :class:`FaceColumns`): the ``Face``
#: fields by name (``w``/``h``: the box), and the image's ``face_count``.
ATTRIBUTES: Final = (
    "w", "h", "confidence", "pitch", "yaw", "roll", "blur_value", "blur_scale", "sharpness",
    "quality", "integrity", "glasses", "mask", "hat", "eyes_closed", "age", "sunglasses",
    "face_count",
)  # fmt: skip

#: The stored status codes (``facecurator.services.catalog.queries.STATUS_CODES``).
QUALIFIED: Final = 1
UNQUALIFIED: Final = 0
UNKNOWN_STATUS: Final = 2


@dataclass(frozen=True, slots=True)
class FaceColumns:
    """The SQL expression of each face attribute (:data:`ATTRIBUTES`) and, when the caller
    can read them, of a named measure's value: ``measure(name, param)`` gives the number
    of ``Face.measures[name].value`` (a double; NULL when the face has no such measure or
    its value is null). Without ``measure``, the ``measure`` kind has no SQL form."""

    columns: Mapping[str, str]
    measure: Callable[[str, Param], str] | None = None

    def __getitem__(self, name: str) -> str:
        return self.columns[name]


@dataclass(frozen=True, slots=True)
class VerdictSql:
    """One expression per condition giving its outcome letter (``p``/``f``/``u``, as
    ``encode_outcomes`` stores it), the status and the outcomes text built from them, and
    the blur on 0-100 (NULL when unmappable), with their named parameters."""

    outcomes: tuple[str, ...]
    blur_100: str
    params: dict[str, Any]
    condition_ids: tuple[str, ...]
    unknown_fails: bool
    uses_face_count: bool

    def status(self, letters: tuple[str, ...]) -> str:
        """The status code from the outcome letters (expressions, e.g. a subquery's columns):
        unqualified when one fails, unknown when one is unknown under ``unknown = "fail"``."""
        if not letters:
            return str(QUALIFIED)
        fails = " OR ".join(f"{letter} = 'f'" for letter in letters)
        cases = [f"WHEN {fails} THEN {UNQUALIFIED}"]
        if self.unknown_fails:
            unknowns = " OR ".join(f"{letter} = 'u'" for letter in letters)
            cases.append(f"WHEN {unknowns} THEN {UNKNOWN_STATUS}")
        return f"(CASE {' '.join(cases)} ELSE {QUALIFIED} END)"

    def encoded(self, letters: tuple[str, ...]) -> str:
        """The outcomes text (``,blur=p,pose_yaw=f,``; ``''`` for no condition) from the letters."""
        if not letters:
            return "''"
        parts = []
        for k, letter in enumerate(letters):
            parts += [f":vo_{k}", letter, "','"]  # ",blur=" (then "pose_yaw=", ...), the letter, ","
        return "(" + " || ".join(parts) + ")"


class _Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"vp_{len(self.values)}"
        self.values[name] = value
        return f":{name}"


def _letter(test: str, when_null: str | None = None, *, null_letter: str = "u") -> str:
    """``p`` where ``test`` holds, else ``f``; ``null_letter`` first where ``when_null`` is NULL."""
    head = f"WHEN {when_null} IS NULL THEN '{null_letter}' " if when_null is not None else ""
    return f"(CASE {head}WHEN {test} THEN 'p' ELSE 'f' END)"


def _blur_on(scale: str, convert: bool, c: FaceColumns, param: Param) -> list[tuple[str, str]]:
    """``(scale test, value on scale)`` pairs for a blur on ``scale`` (``convert_blur``)."""
    pairs = [(f"{c['blur_scale']} = {param(scale)}", c["blur_value"])]
    if convert:
        for (source, target), (num, den) in sorted(BLUR_SCALE_MAPPING.items()):
            if target == scale:
                value = f"{c['blur_value']} * {param(float(num))} / {param(float(den))}"
                pairs.append((f"{c['blur_scale']} = {param(source)}", value))
    return pairs


def outcome_sql(condition: Condition, c: FaceColumns, param: Param) -> str | None:
    """The SQL twin of ``condition.outcome(face, ctx)`` (a letter), None when the kind has none."""
    if isinstance(condition, BlurCondition):
        limit = param(float(condition.max))
        cases = " ".join(
            f"WHEN {test} THEN (CASE WHEN {value} < {limit} THEN 'p' ELSE 'f' END)"
            for test, value in _blur_on(condition.scale, condition.convert, c, param)
        )
        return f"(CASE WHEN {c['blur_value']} IS NULL THEN 'u' {cases} ELSE 'u' END)"
    if isinstance(condition, PoseCondition):
        # Face.pose is None exactly when pitch is not stored (rows.py)
        axis = c[condition.axis]
        return _letter(f"abs({axis}) <= {param(float(condition.max_degrees))}", c["pitch"])
    if isinstance(condition, _FlagCondition):
        flag = c[condition.attribute]
        return f"(CASE WHEN {flag} IS NULL THEN 'u' WHEN {flag} <> 0 THEN 'f' ELSE 'p' END)"
    if isinstance(condition, NoSunglasses):  # Face.wears_sunglasses
        glasses, sunglasses = c["glasses"], c["sunglasses"]
        worn = f"(CASE WHEN {glasses} = 'sunglasses' THEN 'f' ELSE 'p' END)"
        return (
            f"(CASE WHEN {glasses} IS NOT NULL THEN {worn}"
            f" WHEN {sunglasses} IS NULL THEN 'u' WHEN {sunglasses} <> 0 THEN 'f' ELSE 'p' END)"
        )
    if isinstance(condition, NoGlasses):
        return _letter(f"{c['glasses']} = 'none'", c["glasses"])
    if isinstance(condition, FaceCount):
        return _letter(f"{c['face_count']} = {param(int(condition.count))}")
    if isinstance(condition, MinFaceSize):
        w, h = c["w"], c["h"]
        return _letter(f"(CASE WHEN {w} <= {h} THEN {w} ELSE {h} END) >= {param(float(condition.min_px))}")
    if isinstance(condition, MinIntegrity):
        value = c["integrity"]
        missing = "u" if condition.required else "p"
        return _letter(f"{value} >= {param(float(condition.min))}", value, null_letter=missing)
    if isinstance(condition, _MinimumCondition):
        value = c[condition.attribute]
        return _letter(f"{value} >= {param(float(condition.min))}", value)
    if isinstance(condition, MeasureCondition):
        if c.measure is None:
            return None
        value = c.measure(condition.measure, param)
        return _letter(f"{value} >= {param(float(condition.min))}", value)
    if isinstance(condition, AgeRange):
        age = c["age"]
        tests = []
        if condition.min is not None:
            tests.append(f"{age} >= {param(int(condition.min))}")
        if condition.max is not None:
            tests.append(f"{age} <= {param(int(condition.max))}")
        return _letter(" AND ".join(tests), age)
    return None


def verdict_sql(rules: RuleSet, columns: FaceColumns) -> VerdictSql | None:
    """The stored verdict of ``rules`` as SQL over ``columns``; None when a condition has no
    SQL form (evaluate in Python then)."""
    param = _Params()
    outcomes = []
    for condition in rules.conditions:
        expression = outcome_sql(condition, columns, param)
        if expression is None:
            return None
        outcomes.append(expression)
    for k, condition in enumerate(rules.conditions):  # the items' texts of encoded()
        param.values[f"vo_{k}"] = ("," if k == 0 else "") + f"{condition.id}="
    blur = " ".join(
        f"WHEN {test} THEN {value}" for test, value in _blur_on(BLUR_SCALE_MODERATION_2, True, columns, param)
    )
    return VerdictSql(
        outcomes=tuple(outcomes),
        blur_100=f"(CASE {blur} ELSE NULL END)",
        params=param.values,
        condition_ids=tuple(condition.id for condition in rules.conditions),
        unknown_fails=rules.unknown == "fail",
        uses_face_count=any(isinstance(condition, FaceCount) for condition in rules.conditions),
    )
