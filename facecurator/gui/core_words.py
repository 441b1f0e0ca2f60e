"""Messages built by the Qt-free core, in the user's language through Qt translation.

The domain and services build some user-visible texts at run time (filter
errors, per-image error reasons stored in the catalog, ...). They carry a
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
from facecurator.domain.error_texts import ERROR_MESSAGES, NESTED_PARAMS, parse_error_text, parse_reason
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
#: Every template of ``facecurator.domain.error_texts.ERROR_MESSAGES`` (per-image reasons).
_ERROR_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read file: it was deleted or moved (no such file)"),
    QT_TRANSLATE_NOOP("CoreMessages", "symbolic link loop; not followed"),
    QT_TRANSLATE_NOOP("CoreMessages", "symbolic link loop: leads back to the source folder; not followed"),
    QT_TRANSLATE_NOOP("CoreMessages", "symbolic link loop: leads back to {target}; not followed"),
    QT_TRANSLATE_NOOP("CoreMessages", "dangling symbolic link (its target {target} does not exist)"),
    QT_TRANSLATE_NOOP("CoreMessages", "permission denied: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read file: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file (a named pipe, FIFO); not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file (a socket); not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file (a device); not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "a folder, not a file"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file; not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "empty file (0 bytes)"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "image is {width}x{height} ({megapixels} MP), over the {limit} MP limit "
        "(possible decompression bomb)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "refused as a decompression bomb ({detail})"),
    QT_TRANSLATE_NOOP("CoreMessages", "not an image or an unsupported format"),
    QT_TRANSLATE_NOOP("CoreMessages", "truncated or damaged file ({detail})"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot decode: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a supported image type {suffix}"),
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
ERROR_TEMPLATES: Final = frozenset(_ERROR_TEMPLATES)


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


def _reason(message_id: str, params: dict[str, str]) -> str:
    shown = dict(params)
    for key in NESTED_PARAMS & shown.keys():  # "cannot decode: truncated or damaged file (...)"
        inner = parse_reason(shown[key])
        if inner is not None:
            shown[key] = _reason(*inner)
    return core_text(ERROR_MESSAGES, message_id, shown)


def error_line(text: str) -> str:
    """An image's stored error line ("<image>: <reason>") with the reason in the current
    language; a line built from no known template is shown as it is."""
    parsed = parse_error_text(text)
    if parsed is None:
        return text
    label, message_id, params = parsed
    reason = _reason(message_id, params)
    return f"{label}: {reason}" if label else reason


def cost_line(estimate: CostEstimate) -> str:
    """A paid run's cost line (calls, price, notes) in the current language."""
    message_id, params = estimate.line()
    text = core_text(COST_MESSAGES, message_id, params)
    notes = [core_text(COST_MESSAGES, note_id, dict(note_params)) for note_id, note_params in estimate.notes]
    separator = QCoreApplication.translate(CONTEXT, "; ")
    return f"{text} ({separator.join(notes)})" if notes else text
