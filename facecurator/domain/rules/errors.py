"""The rules' user-visible errors (rules files, presets, conditions): English templates by message
id (one owner; the GUI shows them translated through :mod:`facecurator.gui.core_errors`)."""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.messages import Messages

RULE_MESSAGES: Final = {
    # a condition's parameters
    "condition.problem": "condition '{id}' ({kind}): {reason}",
    "condition.bad_id": "condition {id} ({kind}): id must be 1–64 letters, digits, '_', '-' or '.'",
    "param.required": "{name} is required",
    "param.bool": "{name} must be true or false, got {value}",
    "param.choice": "{name} must be one of {choices}, got {value}",
    "param.number": "{name} must be a number, got {value}",
    "param.whole": "{name} must be a whole number, got {value}",
    "param.finite": "{name} must be a finite number, got {value}",
    "param.range": "{name} must be between {low} and {high}, got {value}",
    "blur.max": "max must be above 0 and at most {top} on the {scale} scale",
    "range.empty": "give min, max or both",
    "range.order": "min ({min}) is above max ({max})",
    # a condition's table
    "table.not_table": "a condition must be a table, got {value}",
    "table.no_kind": "condition has no 'kind'",
    "table.unknown_kind": "unknown condition kind {kind} (known: {known})",
    "table.unknown_param": "condition '{id}' ({kind}): unknown parameter {names} (expected: {expected})",
    "table.missing_param": "condition '{id}' ({kind}): missing parameter {names}",
    # a rule set
    "set.no_name": "a rule set needs a name",
    "set.unknown_policy": "rule set '{name}': unknown must be 'fail' or 'pass', got {value}",
    "set.not_condition": "rule set '{name}': not a condition: {value}",
    "set.duplicate_id": "rule set '{name}': two conditions have the id '{id}' (give one of them another id)",
    # a rules file
    "file.invalid_toml": "{source}: invalid TOML: {detail}",
    "file.bad_schema": "{source}: schema_version must be a positive whole number, got {value}",
    "file.newer_schema": (
        "{source}: schema_version {version} is newer than this facecurator understands ({supported}); "
        "update facecurator"
    ),
    "file.unknown_key": "{source}: unknown key {names} (expected: {expected})",
    "file.no_name": "{source}: no 'name'",
    "file.name_text": "{source}: name must be text, got {value}",
    "file.description_text": "{source}: description must be text, got {value}",
    "file.conditions_array": "{source}: 'conditions' must be an array of tables ([[conditions]])",
    "file.condition": "{source}: condition #{number}: {reason}",
    "file.not_found": "rules file not found: {path}",
    "file.unreadable": "cannot read rules file {path}: {detail}",
    "file.folder": "rules file is a folder: {path}",
    "rules.none_given": "no rules preset or file given",
    "rules.unknown_preset": "unknown rules preset {name} (available: {available}; or give a .toml file)",
    # user presets
    "preset.no_name": "a preset needs a name",
    "preset.bad_name": "preset name {name} {problem}",
    "preset.too_long": "is longer than {max} characters",
    "preset.space": "starts or ends with a space",
    "preset.dot": "starts or ends with '.'",
    "preset.suffix": "ends with '{suffix}' (it would read as a file path)",
    "preset.reserved": "is a reserved device name on Windows",
    "preset.character": "contains {char} (use letters, digits, spaces, dashes and _ . ( ) + , ' & @ #)",
    "preset.builtin": "'{name}' is a built-in preset; choose another name",
    "preset.save_failed": "cannot save preset '{name}' to {path}: {detail}",
    "preset.no_such": "no user preset named '{name}'",
    "preset.delete_failed": "cannot delete preset '{name}' ({path}): {detail}",
}
#: Params that hold another message (or an operating system's text).
NESTED_PARAMS: Final = frozenset({"reason", "problem", "detail"})
RULE_ERRORS: Final = Messages(RULE_MESSAGES)


def rule_text(message_id: str, **params: Any) -> str:
    """The English text of the rules message ``message_id`` with ``params``."""
    return RULE_ERRORS.text(message_id, **params)
