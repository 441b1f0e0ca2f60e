"""The face filter language: ``yaw>20 and not failed:no_sunglasses``, compiled to Python and SQL.

One small expression language finds faces in the command line (``--where``),
the gallery/triage filter bar and the statistics' click-to-filter. It is parsed
once (:func:`parse`) into a tree that compiles to

* a Python predicate over a face
  (:func:`facecurator.domain.filter_python.compile_predicate`), and
* an SQL ``WHERE`` clause with named parameters
  (:func:`facecurator.domain.filter_sql.compile_sql`), over column expressions
  the catalog names (``SqlColumns``); the terms the SQL
  side cannot answer (e.g. ``failed:`` without stored per-condition results) are
  left as a Python *residual*, so both forms always select the same faces.

Grammar (keywords and field names are case-insensitive)::

    expr    := term ( "or" term )*
    term    := factor ( ["and"] factor )*          # juxtaposition is "and"
    factor  := "not" factor | "(" expr ")" | test | word
    test    := FIELD OP VALUE ("|" VALUE)*          # alternatives: any of them
             | ("failed" | "unknown" | "passed") ":" CONDITION
             | "assigned" ":" ("me" | "none" | OPERATOR)
    OP      := ">" | ">=" | "<" | "<=" | "=" | "!=" | "~"
    word    := a bare or quoted word: file or person name contains it

Fields (numbers compare with ``> >= < <= = !=``; ``=none`` / ``!=none`` test
"not measured"):

=============  ===========================================================
``yaw`` ``pitch`` ``roll``   head angle in degrees, as a magnitude (``yaw>20`` is
                             turned more than 20° either way)
``blur``       blur on the 0-100 scale (other scales converted by the rules'
               documented mapping; unmappable ones count as not measured)
``size``       the face box's short side in pixels
``confidence`` ``quality`` ``sharpness`` ``integrity`` ``age``   as measured
``decision``   ``pending`` · ``accepted`` · ``rejected`` (``=`` / ``!=``)
``qualified``  ``yes`` · ``no`` (under the active rule set)
``status``     ``qualified`` · ``unqualified`` · ``unknown``
``person``     the subject (folder); ``~`` contains, ``=`` equals (case-insensitive)
``file``       the image's name; ``~`` contains, ``=`` equals
``yaw_signed`` ``pitch_signed`` ``roll_signed``   the angle with its sign (the statistics'
               histogram bars filter with these)
``blur_scale`` the scale the blur was measured on (``0-20``, ``0-100``, ``local-0-100``)
=============  ===========================================================

``assigned:me`` / ``assigned:NAME`` / ``assigned:none``: the face is held now (assigned, or
taken with a lease not run out; ``services/catalog/assign.py``) by this operator
(``FACECURATOR_OPERATOR``), by NAME, or by nobody. Only the catalog answers it (SQL);
the Python predicate alone raises ``filter.needs_catalog``.

A comparison with an unmeasured value is false (so ``not yaw>20`` includes faces
without a pose). Errors are :class:`FilterError`: a message id + params (for a
front end's translation) and the position (0-based character offset) of the bad
input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from facecurator.domain.rules.messages import FAIL, PASS, UNKNOWN
from facecurator.errors import ConfigError

# --------------------------------------------------------------------------- errors

#: English templates of the filter errors, by message id (a front end translates them).
FILTER_MESSAGES: Final[Mapping[str, str]] = {
    "filter.empty_group": "empty parentheses",
    "filter.unclosed": "'(' is never closed",
    "filter.unexpected": "unexpected '{text}'",
    "filter.unexpected_end": "the expression ends too early",
    "filter.unknown_field": "unknown field '{field}' (fields: {fields})",
    "filter.missing_value": "'{field}{op}' needs a value",
    "filter.bad_operator": "'{field}' does not take '{op}' (use {ops})",
    "filter.bad_number": "'{field}' needs a number, not '{value}'",
    "filter.bad_choice": "'{field}' is one of {choices}, not '{value}'",
    "filter.missing_condition": "'{kind}:' needs a condition name",
    "filter.unknown_condition": "no condition '{condition}' in the rule set (conditions: {conditions})",
    "filter.unclosed_quote": "the quote is never closed",
    "filter.missing_operator": "'assigned:' needs me, none or an operator's name",
    "filter.needs_catalog": "'{term}' is answered by the catalog's assignments only; "
    "it cannot be checked here (inside 'or'/'not' with a verdict term, or without a catalog)",
}


class FilterError(ConfigError):
    """A filter expression that cannot be parsed; ``position`` is the offending character offset."""

    def __init__(self, message_id: str, position: int, expression: str, **params: Any) -> None:
        self.message_id = message_id
        self.position = position
        self.expression = expression
        self.params = params
        reason = render_filter_message(message_id, params)
        super().__init__(f"filter {expression!r}, at character {position + 1}: {reason}")


def render_filter_message(
    message_id: str, params: Mapping[str, Any], templates: Mapping[str, str] | None = None
) -> str:
    """A filter error's reason in English, or with ``templates`` (a translation) when it has it."""
    shown = {key: str(value) for key, value in params.items()}
    if templates is not None and message_id in templates:
        try:
            return templates[message_id].format_map(shown)
        except (KeyError, IndexError, ValueError):
            pass
    return FILTER_MESSAGES[message_id].format_map(shown)


# --------------------------------------------------------------------------- fields

FieldKind = Literal["number", "choice", "text"]

#: Numeric fields, in the order the filter bar offers them.
NUMBER_FIELDS: Final = (
    "yaw",
    "pitch",
    "roll",
    "blur",
    "size",
    "confidence",
    "quality",
    "sharpness",
    "integrity",
    "age",
    "yaw_signed",
    "pitch_signed",
    "roll_signed",
)
CHOICE_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "decision": ("pending", "accepted", "rejected"),
    "qualified": ("yes", "no"),
    "status": ("qualified", "unqualified", "unknown"),
}
TEXT_FIELDS: Final = ("person", "file", "blur_scale")
OUTCOME_WORDS: Final[Mapping[str, str]] = {"failed": FAIL, "unknown": UNKNOWN, "passed": PASS}
#: Every field name (completion lists these), then the condition prefixes.
FIELDS: Final = (*NUMBER_FIELDS, *CHOICE_FIELDS, *TEXT_FIELDS)
NUMBER_OPS: Final = (">", ">=", "<", "<=", "=", "!=")
CHOICE_OPS: Final = ("=", "!=")
TEXT_OPS: Final = ("~", "=", "!=")
NONE_WORD: Final = "none"
KEYWORDS: Final = ("and", "or", "not")


def field_kind(name: str) -> FieldKind:
    if name in CHOICE_FIELDS:
        return "choice"
    if name in TEXT_FIELDS:
        return "text"
    return "number"


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class Compare:
    """``field op value|value...`` (any of the values)."""

    field: str
    op: str
    values: tuple[Any, ...]  # floats or None (number), lower-case words (choice, text)
    position: int


@dataclass(frozen=True, slots=True)
class ConditionTest:
    """``failed:no_sunglasses``: the active rule set's condition has that outcome."""

    outcome: str  # pass | fail | unknown
    condition: str
    position: int


#: ``assigned:me`` names this operator; ``assigned:none`` nobody.
ASSIGNED_WORD: Final = "assigned"
ME_WORD: Final = "me"


@dataclass(frozen=True, slots=True)
class AssignedTest:
    """``assigned:me`` / ``assigned:NAME`` / ``assigned:none``: who holds the face now.

    ``operator`` is the name as typed, :data:`ME_WORD` (resolved by the catalog side) or
    None for nobody."""

    operator: str | None
    position: int

    @property
    def text(self) -> str:
        return f"{ASSIGNED_WORD}:{NONE_WORD if self.operator is None else self.operator}"


@dataclass(frozen=True, slots=True)
class Words:
    """A bare word: the file or person name contains it."""

    text: str
    position: int


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Everything:
    """The empty expression: every face."""


Node = Compare | ConditionTest | AssignedTest | Words | Not | And | Or | Everything


# --------------------------------------------------------------------------- tokens

_TOKEN: Final = re.compile(
    r"""\s*(?:
        (?P<op>>=|<=|!=|[<>=~:|()])
      | (?P<quoted>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<word>[^\s<>=!~:|()"']+)
      | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["op", "word", "quoted", "end"]
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:  # only trailing blanks
            break
        pos = match.end()
        kind = match.lastgroup
        start = match.start(kind) if kind else pos
        value = match.group(kind) if kind else ""
        if kind == "bad":
            if value in "\"'":
                raise FilterError("filter.unclosed_quote", start, text)
            raise FilterError("filter.unexpected", start, text, text=value)
        if kind == "quoted":
            out.append(_Token("quoted", re.sub(r"\\(.)", r"\1", value[1:-1]), start))
        elif kind == "op":
            out.append(_Token("op", value, start))
        elif kind == "word":
            out.append(_Token("word", value, start))
    out.append(_Token("end", "", len(text)))
    return out


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, conditions: Sequence[str] | None) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.conditions = conditions

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.i += 1
        return token

    def error(self, message_id: str, token: _Token, **params: Any) -> FilterError:
        return FilterError(message_id, token.position, self.text, **params)

    def is_keyword(self, token: _Token, word: str) -> bool:
        return token.kind == "word" and token.text.lower() == word

    def parse(self) -> Node:
        if self.peek().kind == "end":
            return Everything()
        node = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise self.error("filter.unexpected", token, text=token.text)
        return node

    def expr(self) -> Node:
        items = [self.term()]
        while self.is_keyword(self.peek(), "or"):
            self.take()
            items.append(self.term())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def term(self) -> Node:
        items = [self.factor()]
        while True:
            token = self.peek()
            if self.is_keyword(token, "and"):
                self.take()
            elif (
                token.kind == "end"
                or self.is_keyword(token, "or")
                or (token.kind == "op" and token.text == ")")
            ):
                break
            items.append(self.factor())
        return items[0] if len(items) == 1 else And(tuple(items))

    def factor(self) -> Node:
        token = self.peek()
        if token.kind == "end":
            raise self.error("filter.unexpected_end", token)
        if self.is_keyword(token, "not"):
            self.take()
            return Not(self.factor())
        if token.kind == "op" and token.text == "(":
            self.take()
            if self.peek().kind == "op" and self.peek().text == ")":
                raise self.error("filter.empty_group", token)
            node = self.expr()
            closing = self.peek()
            if not (closing.kind == "op" and closing.text == ")"):
                if closing.kind == "end":
                    raise self.error("filter.unclosed", token)
                raise self.error("filter.unexpected", closing, text=closing.text)
            self.take()
            return node
        if token.kind == "quoted":
            self.take()
            return Words(token.text.casefold(), token.position)
        if token.kind == "op":
            raise self.error("filter.unexpected", token, text=token.text)
        if self.is_keyword(token, "and") or self.is_keyword(token, "or"):
            raise self.error("filter.unexpected", token, text=token.text)
        following = self.peek(1)
        if following.kind == "op" and following.text not in ("(", ")", "|"):
            return self.test()
        self.take()
        return Words(token.text.casefold(), token.position)

    def test(self) -> Node:
        name_token = self.take()
        op_token = self.take()
        name, op = name_token.text.lower(), op_token.text
        if op == ":":
            return self.condition_test(name_token, op_token)
        if name not in FIELDS:
            raise self.error(
                "filter.unknown_field", name_token, field=name_token.text, fields=", ".join(FIELDS)
            )
        kind = field_kind(name)
        allowed = {"number": NUMBER_OPS, "choice": CHOICE_OPS, "text": TEXT_OPS}[kind]
        if op not in allowed:
            raise self.error("filter.bad_operator", op_token, field=name, op=op, ops=" ".join(allowed))
        values: list[Any] = []
        while True:
            value_token = self.peek()
            if value_token.kind not in ("word", "quoted"):
                raise self.error(
                    "filter.missing_value",
                    value_token if value_token.kind != "end" else op_token,
                    field=name,
                    op=op,
                )
            self.take()
            values.append(self.value(name, kind, op, value_token))
            if self.peek().kind == "op" and self.peek().text == "|":
                self.take()
                continue
            break
        return Compare(name, op, tuple(values), name_token.position)

    def value(self, name: str, kind: FieldKind, op: str, token: _Token) -> Any:
        text = token.text
        if kind == "text":
            return text.casefold()
        if kind == "choice":
            word = text.lower()
            if word not in CHOICE_FIELDS[name]:
                raise self.error(
                    "filter.bad_choice",
                    token,
                    field=name,
                    value=text,
                    choices=" | ".join(CHOICE_FIELDS[name]),
                )
            return word
        if text.lower() == NONE_WORD and op in ("=", "!="):
            return None
        try:
            number = float(text)
        except ValueError:
            raise self.error("filter.bad_number", token, field=name, value=text) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise self.error("filter.bad_number", token, field=name, value=text)
        return number

    def condition_test(self, name_token: _Token, op_token: _Token) -> Node:
        if name_token.text.lower() == ASSIGNED_WORD:
            return self.assigned_test(name_token, op_token)
        outcome = OUTCOME_WORDS.get(name_token.text.lower())
        if outcome is None:
            raise self.error(
                "filter.unknown_field",
                name_token,
                field=name_token.text,
                fields=", ".join((*FIELDS, *(f"{w}:" for w in (*OUTCOME_WORDS, ASSIGNED_WORD)))),
            )
        condition_token = self.peek()
        if condition_token.kind not in ("word", "quoted"):
            raise self.error("filter.missing_condition", op_token, kind=name_token.text.lower())
        self.take()
        condition = condition_token.text
        if self.conditions is not None and condition not in self.conditions:
            raise self.error(
                "filter.unknown_condition",
                condition_token,
                condition=condition,
                conditions=", ".join(self.conditions) or "-",
            )
        return ConditionTest(outcome, condition, name_token.position)

    def assigned_test(self, name_token: _Token, op_token: _Token) -> Node:
        token = self.peek()
        if token.kind not in ("word", "quoted") or not token.text.strip():
            raise self.error("filter.missing_operator", op_token)
        self.take()
        name = token.text.strip()
        if token.kind == "word" and name.lower() in (ME_WORD, NONE_WORD):
            return AssignedTest(None if name.lower() == NONE_WORD else ME_WORD, name_token.position)
        return AssignedTest(name, name_token.position)


def parse(text: str, *, conditions: Sequence[str] | None = None) -> Node:
    """The tree of a filter expression; raises :class:`FilterError`.

    Args:
        text: the expression ("" selects every face).
        conditions: the condition ids of the active rule set; when given, ``failed:x`` with
            an ``x`` not among them is an error (a typo would otherwise match nothing).
    """
    return _Parser(text, conditions).parse()


def parse_all(texts: Sequence[str], *, conditions: Sequence[str] | None = None) -> Node:
    """Several expressions that must all hold (``--where`` given more than once)."""
    nodes = [parse(text, conditions=conditions) for text in texts]
    nodes = [node for node in nodes if not isinstance(node, Everything)]
    if not nodes:
        return Everything()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def conjoin(*nodes: Node) -> Node:
    """``nodes`` all holding (Everything left out)."""
    items: list[Node] = []
    for node in nodes:
        if isinstance(node, And):
            items.extend(node.items)
        elif not isinstance(node, Everything):
            items.append(node)
    if not items:
        return Everything()
    return items[0] if len(items) == 1 else And(tuple(items))


def is_everything(node: Node) -> bool:
    return isinstance(node, Everything)


def uses_verdicts(node: Node) -> bool:
    """True when the expression reads the verdict (qualified, status, failed:...)."""
    if isinstance(node, ConditionTest):
        return True
    if isinstance(node, Compare):
        return node.field in ("qualified", "status")
    if isinstance(node, Not):
        return uses_verdicts(node.item)
    if isinstance(node, (And, Or)):
        return any(uses_verdicts(item) for item in node.items)
    return False


def uses_assignment(node: Node) -> bool:
    """True when the expression reads who holds the face (``assigned:``)."""
    if isinstance(node, AssignedTest):
        return True
    if isinstance(node, Not):
        return uses_assignment(node.item)
    if isinstance(node, (And, Or)):
        return any(uses_assignment(item) for item in node.items)
    return False


def first_assignment(node: Node) -> AssignedTest | None:
    """The first ``assigned:`` term of the expression (for an error naming it)."""
    if isinstance(node, AssignedTest):
        return node
    if isinstance(node, Not):
        return first_assignment(node.item)
    if isinstance(node, (And, Or)):
        for item in node.items:
            found = first_assignment(item)
            if found is not None:
                return found
    return None


def format_number(value: float) -> str:
    """A number as the language writes it (``20``, ``0.95``)."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --------------------------------------------------------------------------- order

_DIGITS: Final = re.compile(r"(\d+)")


def natural_key(text: str) -> list[str | int]:
    """A sort key reading digit runs as numbers: ``img_2`` before ``img_10`` (case-insensitive).

    Text and numbers alternate at fixed positions (``re.split`` with a group), so two keys
    always compare text with text and number with number.
    """
    parts: list[str | int] = list(_DIGITS.split(text.casefold()))
    parts[1::2] = [int(part) for part in parts[1::2]]
    return parts


#: Ends each text run of a :func:`natural_sort_key`: below every character a name holds, so a
#: shorter run sorts first (``a`` before ``ab``). Not NUL, which PostgreSQL's text cannot hold.
_RUN_END: Final = "\x01"


def natural_sort_key(text: str) -> str:
    """:func:`natural_key` as one string that sorts alike by code point, so the catalog stores
    it (``images.name_key``) and sorts and pages by it in SQL, with an index (SQLite's binary
    order and PostgreSQL's ``COLLATE "C"`` are code-point orders).

    Each text run ends with ``\\x01``; each number is written as its digit count (4 digits)
    and its digits without leading zeros, so a longer number sorts after a shorter one.
    Equal for names :func:`natural_key` finds equal (``img007`` and ``img7``); the name
    itself breaks such ties.
    """
    parts = _DIGITS.split(text.casefold())
    parts[0::2] = [run + _RUN_END for run in parts[0::2]]
    parts[1::2] = [_sortable_number(run) for run in parts[1::2]]
    return "".join(parts)


def _sortable_number(digits: str) -> str:
    """A digit run as its digit count (4 digits) and its digits without leading zeros."""
    plain = (digits.lstrip("0") or "0") if digits.isascii() else str(int(digits))  # (other scripts' digits)
    return f"{len(plain):04d}{plain}"
