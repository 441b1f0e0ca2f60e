"""Messages built by the Qt-free core, in the user's language through Qt translation.

The domain and services build some user-visible texts at run time (filter
errors, ...). They carry a message id and arguments; their English templates
are listed here with ``QT_TRANSLATE_NOOP`` (context ``CoreMessages``) so lupdate
extracts them, and :func:`core_text` renders the translated template with the
arguments (English when a template is not translated or is broken).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import QCoreApplication

from facecurator.domain.filters import FILTER_MESSAGES, FilterError, render_filter_message
from facecurator.gui.i18n import QT_TRANSLATE_NOOP

CONTEXT: Final = "CoreMessages"

#: Every template of ``facecurator.domain.filters.FILTER_MESSAGES`` (a test checks they match).
_FILTER_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "empty parentheses"),
    QT_TRANSLATE_NOOP("CoreMessages", "'(' is never closed"),
    QT_TRANSLATE_NOOP("CoreMessages", "unexpected '{text}'"),
    QT_TRANSLATE_NOOP("CoreMessages", "the expression ends too early"),
    QT_TRANSLATE_NOOP("CoreMessages", "unknown field '{field}' (fields: {fields})"),
    QT_TRANSLATE_NOOP("CoreMessages", "'{field}{op}' needs a value"),
    QT_TRANSLATE_NOOP("CoreMessages", "'{field}' does not take '{op}' (use {ops})"),
    QT_TRANSLATE_NOOP("CoreMessages", "'{field}' needs a number, not '{value}'"),
    QT_TRANSLATE_NOOP("CoreMessages", "'{field}' is one of {choices}, not '{value}'"),
    QT_TRANSLATE_NOOP("CoreMessages", "'{kind}:' needs a condition name"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "no condition '{condition}' in the rule set (conditions: {conditions})"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "the quote is never closed"),
)
TEMPLATES: Final = frozenset(_FILTER_TEMPLATES)


def translated_templates(english: Mapping[str, str]) -> dict[str, str]:
    """``message id -> template`` in the current language (the English one when untranslated)."""
    return {key: QCoreApplication.translate(CONTEXT, template) for key, template in english.items()}


def core_text(english: Mapping[str, str], message_id: str, params: Mapping[str, Any]) -> str:
    """A core message (``english[message_id]`` with ``params``) in the current language."""
    template = QCoreApplication.translate(CONTEXT, english[message_id])
    shown = {key: str(value) for key, value in params.items()}
    try:
        return template.format_map(shown)
    except (KeyError, IndexError, ValueError):  # a broken translation: English instead
        return english[message_id].format_map(shown)


def filter_error_text(error: FilterError) -> str:
    """Why a filter expression was refused, in the current language."""
    if error.message_id not in FILTER_MESSAGES:
        return render_filter_message(error.message_id, error.params)
    return core_text(FILTER_MESSAGES, error.message_id, error.params)
