"""Messages built by the Qt-free core, in the user's language through Qt translation.

The domain and services build some user-visible texts at run time (filter
errors, the paid run's cost line; errors: :mod:`facecurator.gui.core_errors`). They carry a
message id and arguments (or are parsed back into them); their English templates
are listed here with ``QT_TRANSLATE_NOOP`` (context ``CoreMessages``) so lupdate
extracts them, and :func:`core_text` renders the translated template with the
arguments (English when a template is not translated or is broken).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import QCoreApplication

from facecurator.cloud.cost import COST_MESSAGES, CostEstimate
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
    QT_TRANSLATE_NOOP("CoreMessages", "'assigned:' needs me, none or an operator's name"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "'{term}' is answered by the catalog's assignments only; it cannot be checked here "
        "(inside 'or'/'not' with a verdict term, or without a catalog)",
    ),
)
#: Every template of ``facecurator.cloud.cost.COST_MESSAGES`` (the paid run's cost line).
_COST_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "{calls} paid call(s); price unknown"),
    QT_TRANSLATE_NOOP("CoreMessages", "{calls} call(s); free"),
    QT_TRANSLATE_NOOP("CoreMessages", "{calls} paid call(s) x {currency} {unit}/1000 = {currency} {total}"),
    QT_TRANSLATE_NOOP("CoreMessages", "offline detector: no cloud calls"),
    QT_TRANSLATE_NOOP("CoreMessages", "plus OSS GET request fees"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "price unknown: the {key} price is not in the documentation; set it in profile {profile} "
        "(prices = {{ {key} = <USD per 1000> }} in profiles.toml)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "price from profile {profile}"),
    QT_TRANSLATE_NOOP("CoreMessages", "documented list price"),
    QT_TRANSLATE_NOOP("CoreMessages", "; "),  # between two notes
)
COST_TEMPLATES: Final = frozenset(_COST_TEMPLATES)
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


def cost_line(estimate: CostEstimate) -> str:
    """A paid run's cost line (calls, price, notes) in the current language."""
    message_id, params = estimate.line()
    text = core_text(COST_MESSAGES, message_id, params)
    notes = [core_text(COST_MESSAGES, note_id, dict(note_params)) for note_id, note_params in estimate.notes]
    separator = QCoreApplication.translate(CONTEXT, "; ")
    return f"{text} ({separator.join(notes)})" if notes else text
