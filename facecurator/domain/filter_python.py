"""The Python form of a face filter (:mod:`facecurator.domain.filters`): a predicate over a face.

:func:`compile_predicate` turns a parsed expression into a function of the face, its
verdict, its decision state, its image's name and its person; it selects exactly the
faces the SQL form (:mod:`facecurator.domain.filter_sql`) plus its residual select.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from facecurator.domain.face import BLUR_SCALE_MODERATION_2, Face
from facecurator.domain.filters import (
    And,
    AssignedTest,
    Compare,
    ConditionTest,
    Everything,
    FilterError,
    Node,
    Not,
    Or,
    Words,
    field_kind,
)
from facecurator.domain.rules.conditions import convert_blur
from facecurator.domain.rules.messages import FAIL, Verdict

#: What a predicate reads: the face, its verdict (None: not evaluated), its decision state,
#: its image's name and its person (subject).
FacePredicate = Callable[[Face, Verdict | None, str, str, str], bool]


def face_number(face: Face, name: str) -> float | None:
    """The value of a numeric field for ``face`` (None: not measured)."""
    if name in ("yaw", "pitch", "roll"):
        return None if face.pose is None else abs(getattr(face.pose, name))
    if name.endswith("_signed"):
        return None if face.pose is None else float(getattr(face.pose, name[: -len("_signed")]))
    if name == "blur":
        if face.blur is None:
            return None
        return convert_blur(face.blur.value, face.blur.scale, BLUR_SCALE_MODERATION_2)
    if name == "size":
        return face.box.short_side
    value = getattr(face, name)
    return None if value is None else float(value)


def verdict_status(verdict: Verdict | None) -> str:
    """``qualified`` · ``unqualified`` (some condition failed) · ``unknown``."""
    if verdict is None:
        return "unknown"
    if verdict.qualified:
        return "qualified"
    if any(result.outcome == FAIL for result in verdict.results):
        return "unqualified"
    return "unknown"


#: The text of each text field (no value: "").
_TEXT_PICKS: Final[Mapping[str, Callable[[Face, str, str], str]]] = {
    "file": lambda face, file, person: file,
    "person": lambda face, file, person: person,
    "blur_scale": lambda face, file, person: face.blur.scale if face.blur is not None else "",
}

_NUMBER_TESTS: Final[Mapping[str, Callable[[float, float], bool]]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def compile_predicate(node: Node) -> FacePredicate:
    """A Python predicate selecting the same faces as the expression."""
    if isinstance(node, Everything):
        return lambda face, verdict, decision, file, person: True
    if isinstance(node, Not):
        inner = compile_predicate(node.item)
        return lambda face, verdict, decision, file, person: not inner(face, verdict, decision, file, person)
    if isinstance(node, (And, Or)):
        parts = tuple(compile_predicate(item) for item in node.items)
        if isinstance(node, And):
            return lambda *a: all(part(*a) for part in parts)
        return lambda *a: any(part(*a) for part in parts)
    if isinstance(node, Words):
        needle = node.text
        return lambda face, verdict, decision, file, person: (
            needle in file.casefold() or needle in person.casefold()
        )
    if isinstance(node, AssignedTest):
        term, position = node.text, node.position

        def needs_catalog(face: Face, verdict: Verdict | None, decision: str, file: str, person: str) -> bool:
            # who holds a face lives in the catalog's assignments, not on the face
            raise FilterError("filter.needs_catalog", position, term, term=term)

        return needs_catalog
    if isinstance(node, ConditionTest):
        wanted, condition = node.outcome, node.condition
        return lambda face, verdict, decision, file, person: (
            verdict is not None
            and any(r.condition == condition and r.outcome == wanted for r in verdict.results)
        )
    return _compile_compare(node)


def _compile_compare(node: Compare) -> FacePredicate:
    name, op, values = node.field, node.op, node.values
    kind = field_kind(name)
    if kind == "choice":
        chosen = frozenset(values)
        positive = op == "="
        if name == "decision":
            return lambda face, verdict, decision, file, person: (decision in chosen) is positive
        if name == "qualified":
            return lambda face, verdict, decision, file, person: (
                (("yes" if verdict is not None and verdict.qualified else "no") in chosen) is positive
            )
        return lambda face, verdict, decision, file, person: (verdict_status(verdict) in chosen) is positive
    if kind == "text":
        pick = _TEXT_PICKS[name]
        if op == "~":
            return lambda face, verdict, decision, file, person: any(
                v in pick(face, file, person).casefold() for v in values
            )
        positive = op == "="
        return lambda face, verdict, decision, file, person: (
            (pick(face, file, person).casefold() in values) is positive
        )
    test = _NUMBER_TESTS[op]
    numbers = tuple(v for v in values if v is not None)
    want_none = any(v is None for v in values)

    def number_test(face: Face, verdict: Verdict | None, decision: str, file: str, person: str) -> bool:
        value = face_number(face, name)
        if op == "!=":
            if value is None:
                return not want_none
            return all(test(value, n) for n in numbers)
        if value is None:
            return want_none and op == "="
        return any(test(value, n) for n in numbers)

    return number_test
