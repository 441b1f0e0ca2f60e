"""The rules' error templates (:mod:`facecurator.domain.rules.errors`) marked for translation.

:mod:`facecurator.gui.core_errors` renders them (context ``CoreMessages``); a test checks this list
matches ``RULE_MESSAGES``.
"""

from __future__ import annotations

from typing import Final

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: Every template of ``facecurator.domain.rules.errors.RULE_MESSAGES`` (rules files, presets).
_RULE_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "condition '{id}' ({kind}): {reason}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "condition {id} ({kind}): id must be 1–64 letters, digits, '_', '-' or '.'"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} is required"),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} must be true or false, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} must be one of {choices}, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} must be a number, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} must be a whole number, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} must be a finite number, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{name} must be between {low} and {high}, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "max must be above 0 and at most {top} on the {scale} scale"),
    QT_TRANSLATE_NOOP("CoreMessages", "give min, max or both"),
    QT_TRANSLATE_NOOP("CoreMessages", "min ({min}) is above max ({max})"),
    QT_TRANSLATE_NOOP("CoreMessages", "a condition must be a table, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "condition has no 'kind'"),
    QT_TRANSLATE_NOOP("CoreMessages", "unknown condition kind {kind} (known: {known})"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "condition '{id}' ({kind}): unknown parameter {names} (expected: {expected})"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "condition '{id}' ({kind}): missing parameter {names}"),
    QT_TRANSLATE_NOOP("CoreMessages", "a rule set needs a name"),
    QT_TRANSLATE_NOOP("CoreMessages", "rule set '{name}': unknown must be 'fail' or 'pass', got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "rule set '{name}': not a condition: {value}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "rule set '{name}': two conditions have the id '{id}' (give one of them another id)"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: invalid TOML: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "{source}: schema_version must be a positive whole number, got {value}"
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{source}: schema_version {version} is newer than this facecurator understands ({supported}); "
        "update facecurator",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: unknown key {names} (expected: {expected})"),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: no 'name'"),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: name must be text, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: description must be text, got {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: 'conditions' must be an array of tables ([[conditions]])"),
    QT_TRANSLATE_NOOP("CoreMessages", "{source}: condition #{number}: {reason}"),
    QT_TRANSLATE_NOOP("CoreMessages", "rules file not found: {path}"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read rules file {path}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "rules file is a folder: {path}"),
    QT_TRANSLATE_NOOP("CoreMessages", "no rules preset or file given"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "unknown rules preset {name} (available: {available}; or give a .toml file)"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "a preset needs a name"),
    QT_TRANSLATE_NOOP("CoreMessages", "preset name {name} {problem}"),
    QT_TRANSLATE_NOOP("CoreMessages", "is longer than {max} characters"),
    QT_TRANSLATE_NOOP("CoreMessages", "starts or ends with a space"),
    QT_TRANSLATE_NOOP("CoreMessages", "starts or ends with '.'"),
    QT_TRANSLATE_NOOP("CoreMessages", "ends with '{suffix}' (it would read as a file path)"),
    QT_TRANSLATE_NOOP("CoreMessages", "is a reserved device name on Windows"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "contains {char} (use letters, digits, spaces, dashes and _ . ( ) + , ' & @ #)"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "'{name}' is a built-in preset; choose another name"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot save preset '{name}' to {path}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "no user preset named '{name}'"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot delete preset '{name}' ({path}): {detail}"),
)
RULE_TEMPLATES: Final = frozenset(_RULE_TEMPLATES)
