"""The TOML parser's own errors (Python's ``tomllib``) as message templates, so a front end can
show them in the user's language.

A rules file or ``profiles.toml`` that is not valid TOML is reported with the parser's text
("Invalid value (at line 3, column 7)") inside our message. The templates below are exactly the
texts ``tomllib`` builds (one owner of that knowledge): :data:`TOML_MESSAGES` parses such a text
back into ``(message id, params)``; the position stays a param (line, column).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from facecurator.domain.messages import Messages

#: Where ``tomllib`` found the error: the suffix of every one of its texts (``{what}``: the problem).
#: Parsed before the problems (a problem ending in a param would swallow the suffix).
TOML_POSITION_MESSAGES: Final[Mapping[str, str]] = {
    "toml.at": "{what} (at line {line}, column {column})",
    "toml.at_end": "{what} (at end of document)",
}
#: ``tomllib``'s problems by message id (its wording, Python 3.11-3.13).
TOML_MESSAGES: Final[Mapping[str, str]] = {
    "toml.declared_twice": "Cannot declare {key} twice",
    "toml.immutable": "Cannot mutate immutable namespace {key}",
    "toml.overwrite": "Cannot overwrite a value",
    "toml.redefine": "Cannot redefine namespace {key}",
    "toml.duplicate_key": "Duplicate inline table key {key}",
    "toml.not_scalar": "Escaped character is not a Unicode scalar value",
    "toml.expected_equals": "Expected '=' after a key in a key/value pair",
    "toml.expected_table_end": "Expected ']' at the end of a table declaration",
    "toml.expected_array_end": "Expected ']]' at the end of an array declaration",
    "toml.expected": "Expected {text}",
    "toml.invalid_character": "Found invalid character {char}",
    "toml.illegal_character": "Illegal character {char}",
    "toml.invalid_date": "Invalid date or datetime",
    "toml.invalid_hex": "Invalid hex value",
    "toml.invalid_key": "Invalid initial character for a key part",
    "toml.invalid_statement": "Invalid statement",
    "toml.invalid_value": "Invalid value",
    "toml.unclosed_array": "Unclosed array",
    "toml.unclosed_table": "Unclosed inline table",
    "toml.unescaped_backslash": "Unescaped '\\' in a string",
    "toml.unterminated_string": "Unterminated string",
    "toml.expected_newline": "Expected newline or end of document after a statement",
}
#: Params that hold another TOML message.
NESTED_PARAMS: Final = frozenset({"what"})
TOML_POSITIONS: Final = Messages(TOML_POSITION_MESSAGES)
TOML_ERRORS: Final = Messages(TOML_MESSAGES)


def parse_toml_error(text: str) -> tuple[str, dict[str, str], str, dict[str, str]] | None:
    """A ``tomllib`` error text as ``(position id, its params, problem id, its params)``, else None."""
    position = TOML_POSITIONS.parse(text)
    problem = TOML_ERRORS.parse(position[1]["what"]) if position is not None else None
    if position is None or problem is None:
        return None
    return position[0], position[1], problem[0], problem[1]
