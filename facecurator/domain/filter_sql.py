"""The SQL form of a face filter (:mod:`facecurator.domain.filters`): ``WHERE`` text + parameters.

The catalog names its columns (:class:`SqlColumns`); :func:`compile_sql` turns a
parsed expression into a clause over them. Top-level conjuncts SQL cannot answer
(a column it does not have, e.g. per-condition results) stay a Python residual,
so SQL + residual always select exactly what the Python predicate selects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from facecurator.domain.face import BLUR_SCALE_MODERATION_2
from facecurator.domain.filters import (
    ME_WORD,
    And,
    AssignedTest,
    Compare,
    ConditionTest,
    Everything,
    Node,
    Not,
    Or,
    Words,
    conjoin,
    field_kind,
)
from facecurator.domain.rules.conditions import BLUR_SCALE_MAPPING


@dataclass(frozen=True, slots=True)
class SqlColumns:
    """The SQL expressions a catalog query offers for the fields (None: not available in SQL).

    ``blur_value`` / ``blur_scale`` are converted to the 0-100 scale in SQL with the rules'
    own mapping. ``status`` is an expression giving ``qualified``/``unqualified``/``unknown``
    words, or None; ``outcome(condition)`` one giving that condition's outcome word
    (``pass``/``fail``/``unknown``) or NULL, or None when per-condition results are not stored.
    """

    numbers: Mapping[str, str]
    blur_value: str
    blur_scale: str
    decision: str
    file: str
    person: str
    status: str | None = None
    outcome: Callable[[str], str] | None = None
    #: names of the numeric fields stored as signed angles (compared by magnitude)
    angles: frozenset[str] = frozenset({"yaw", "pitch", "roll"})
    #: a status expression (words as ``status``) that is NULL where no verdict is stored yet:
    #: verdict terms then narrow the rows in SQL (a face with ``failed:x`` is unqualified) and
    #: are still checked in Python (the residual), so stored-verdict gaps never change a result
    maybe_status: str | None = None
    #: the stored per-condition outcomes (text in :func:`encode_outcomes` form, NULL where no
    #: verdict is stored): ``failed:``/``unknown:``/``passed:`` terms are answered in SQL. Set it
    #: only when every face in scope has a stored verdict (a missing one would read as no match).
    outcomes: str | None = None
    #: the operator holding the face now (NULL: nobody), for ``assigned:``; None: not in SQL
    assignee: str | None = None
    #: the name ``assigned:me`` stands for (None: ``assigned:me`` is not answered in SQL)
    me: str | None = None


@dataclass(frozen=True, slots=True)
class SqlFilter:
    """An expression as ``WHERE`` text + named parameters, and what SQL could not answer.

    ``where`` is :data:`TRUE` when the SQL side selects everything. ``residual`` (a tree, or
    Everything) must still hold in Python for the rows SQL returned.
    """

    where: str
    params: dict[str, Any] = field(default_factory=dict)
    residual: Node = field(default_factory=Everything)


class _NotInSql(Exception):
    pass


class _SqlBuilder:
    def __init__(self, columns: SqlColumns, prefix: str) -> None:
        self.columns = columns
        self.prefix = prefix
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def build(self, node: Node) -> str:
        if isinstance(node, Everything):
            return TRUE
        if isinstance(node, Not):
            return f"NOT {self.build(node.item)}"
        if isinstance(node, And):
            return "(" + " AND ".join(self.build(item) for item in node.items) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.build(item) for item in node.items) + ")"
        if isinstance(node, Words):
            pattern = self.param(_like_pattern(node.text))
            c = self.columns
            return _known(f"{_like(c.file, pattern)} OR {_like(c.person, pattern)}")
        if isinstance(node, AssignedTest):
            return self.assigned(node)
        if isinstance(node, ConditionTest):
            if self.columns.outcomes is not None:
                pattern = self.param(_like_pattern(_outcome_item(node.condition, node.outcome)))
                return _known(f"{self.columns.outcomes} LIKE {pattern} ESCAPE '\\'")
            if self.columns.outcome is None:
                raise _NotInSql
            return _known(f"{self.columns.outcome(node.condition)} = {self.param(node.outcome)}")
        return self.compare(node)

    def assigned(self, node: AssignedTest) -> str:
        assignee = self.columns.assignee
        if assignee is None:
            raise _NotInSql
        if node.operator is None:
            return f"({assignee} IS NULL)"
        name = self.columns.me if node.operator == ME_WORD else node.operator
        if name is None:
            raise _NotInSql
        return _known(f"{assignee} = {self.param(name)}")

    def blur_sql(self) -> str:
        c = self.columns
        cases = [f"WHEN {self.param(BLUR_SCALE_MODERATION_2)} THEN {c.blur_value}"]
        for (source, target), (num, den) in sorted(BLUR_SCALE_MAPPING.items()):
            if target == BLUR_SCALE_MODERATION_2:
                cases.append(f"WHEN {self.param(source)} THEN {c.blur_value} * {num}.0 / {den}")
        return f"(CASE {c.blur_scale} {' '.join(cases)} END)"

    def number_sql(self, name: str) -> str:
        if name == "blur":
            return self.blur_sql()
        signed = name.endswith("_signed")
        column = self.columns.numbers.get(name[: -len("_signed")] if signed else name)
        if column is None:
            raise _NotInSql
        return f"abs({column})" if name in self.columns.angles and not signed else column

    def compare(self, node: Compare) -> str:
        c = self.columns
        name, op, values = node.field, node.op, node.values
        kind = field_kind(name)
        negate = "NOT " if op == "!=" else ""
        if kind == "choice":
            if name == "decision":
                column = c.decision
                words = list(values)
            elif c.status is None:
                raise _NotInSql
            elif name == "qualified":
                column = f"coalesce({c.status}, 'unknown')"
                words = ["qualified"] if "yes" in values else []
                if "no" in values:
                    words += ["unqualified", "unknown"]
            else:
                column = f"coalesce({c.status}, 'unknown')"
                words = list(values)
            if not words:
                return f"{negate}{FALSE}"
            inside = ", ".join(self.param(w) for w in words)
            return f"{negate}{_known(f'{column} IN ({inside})')}"
        if kind == "text":
            column = {"file": c.file, "person": c.person, "blur_scale": c.blur_scale}[name]
            if op == "~":
                return _known(" OR ".join(_like(column, self.param(_like_pattern(v))) for v in values))
            inside = ", ".join(self.param(v) for v in values)
            return f"{negate}{_known(f'lower({column}) IN ({inside})')}"
        column = self.number_sql(name)
        numbers = [v for v in values if v is not None]
        want_none = any(v is None for v in values)
        if op == "!=":
            parts = [f"{column} IS NOT NULL"]
            parts += [f"{column} <> {self.param(n)}" for n in numbers]
            return _known(" AND ".join(parts))
        parts = [f"{column} {op} {self.param(n)}" for n in numbers]
        if want_none and op == "=":
            parts.append(f"{column} IS NULL")
        return _known(" OR ".join(parts)) if parts else FALSE


#: Portable truth values (SQLite and PostgreSQL).
TRUE: Final = "(1 = 1)"
FALSE: Final = "(1 = 0)"


def _known(condition: str) -> str:
    """``condition`` true, NULL (an unmeasured value) counting as false: ``NOT`` then means what
    it means in Python. ``IS TRUE`` is standard SQL (SQLite 3.23+, PostgreSQL)."""
    return f"(({condition}) IS TRUE)"


def _necessary(builder: _SqlBuilder, item: Node) -> str | None:
    """A condition every face passing ``item`` meets, from possibly missing stored verdicts
    (``SqlColumns.maybe_status``); None when there is none to give. ``item`` stays residual."""
    status = builder.columns.maybe_status
    if status is None:
        return None
    if isinstance(item, ConditionTest) and item.outcome == "fail":
        # a failed condition makes the face unqualified
        return f"({status} IS NULL OR {status} = {builder.param('unqualified')})"
    if isinstance(item, Compare) and item.field in ("qualified", "status"):
        exact = _SqlBuilder(replace(builder.columns, status=status), builder.prefix)
        exact.params = builder.params  # one numbering: the parameters are shared
        return f"({status} IS NULL OR {exact.compare(item)})"
    return None


#: One letter per outcome word in the stored outcomes text.
_OUTCOME_CODES: Final = {"pass": "p", "fail": "f", "unknown": "u"}


def _outcome_item(condition: str, outcome: str) -> str:
    return f",{condition}={_OUTCOME_CODES[outcome]},"


def encode_outcomes(results: Iterable[tuple[str, str]]) -> str:
    """``(condition id, outcome word)`` pairs as the stored text the SQL form searches:
    ``,no_sunglasses=f,blur=p,`` (``""`` for none). Every item is found with one ``LIKE``."""
    items = [_outcome_item(condition, outcome)[1:] for condition, outcome in results]
    return "," + "".join(items) if items else ""


def _like(column: str, pattern: str) -> str:
    """Contains, folding ASCII case on both backends (PostgreSQL's LIKE is case-sensitive)."""
    return f"lower({column}) LIKE {pattern} ESCAPE '\\'"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def compile_sql(node: Node, columns: SqlColumns, *, prefix: str = "w") -> SqlFilter:
    """The expression as SQL over ``columns``; top-level conjuncts SQL cannot answer stay residual.

    Every comparison is wrapped in ``(...) IS TRUE`` so an unmeasured (NULL) value is
    false, as in Python, and ``NOT`` keeps the same meaning in both forms. The SQL is
    portable (SQLite and PostgreSQL); ``lower()`` folds ASCII case only, so names in
    other scripts compare as written.
    """
    conjuncts = node.items if isinstance(node, And) else (node,)
    builder = _SqlBuilder(columns, prefix)
    wheres: list[str] = []
    residual: list[Node] = []
    for item in conjuncts:
        saved = dict(builder.params)
        try:
            wheres.append(builder.build(item))
        except _NotInSql:
            builder.params = saved
            residual.append(item)
            narrowing = _necessary(builder, item)
            if narrowing is not None:
                wheres.append(narrowing)
    where = " AND ".join(w for w in wheres if w != TRUE) or TRUE
    return SqlFilter(where, builder.params, conjoin(*residual))
