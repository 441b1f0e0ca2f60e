"""The TOML parser's error texts (:mod:`facecurator.domain.toml_errors`) marked for translation.

:mod:`facecurator.gui.core_errors` renders them (context ``CoreMessages``) inside "invalid TOML: ...";
a test checks this list matches ``TOML_MESSAGES``.
"""

from __future__ import annotations

from typing import Final

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: Every template of ``facecurator.domain.toml_errors.TOML_MESSAGES``.
_TOML_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "{what} (at line {line}, column {column})"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what} (at end of document)"),
    QT_TRANSLATE_NOOP("CoreMessages", "Cannot declare {key} twice"),
    QT_TRANSLATE_NOOP("CoreMessages", "Cannot mutate immutable namespace {key}"),
    QT_TRANSLATE_NOOP("CoreMessages", "Cannot overwrite a value"),
    QT_TRANSLATE_NOOP("CoreMessages", "Cannot redefine namespace {key}"),
    QT_TRANSLATE_NOOP("CoreMessages", "Duplicate inline table key {key}"),
    QT_TRANSLATE_NOOP("CoreMessages", "Escaped character is not a Unicode scalar value"),
    QT_TRANSLATE_NOOP("CoreMessages", "Expected '=' after a key in a key/value pair"),
    QT_TRANSLATE_NOOP("CoreMessages", "Expected ']' at the end of a table declaration"),
    QT_TRANSLATE_NOOP("CoreMessages", "Expected ']]' at the end of an array declaration"),
    QT_TRANSLATE_NOOP("CoreMessages", "Expected {text}"),
    QT_TRANSLATE_NOOP("CoreMessages", "Found invalid character {char}"),
    QT_TRANSLATE_NOOP("CoreMessages", "Illegal character {char}"),
    QT_TRANSLATE_NOOP("CoreMessages", "Invalid date or datetime"),
    QT_TRANSLATE_NOOP("CoreMessages", "Invalid hex value"),
    QT_TRANSLATE_NOOP("CoreMessages", "Invalid initial character for a key part"),
    QT_TRANSLATE_NOOP("CoreMessages", "Invalid statement"),
    QT_TRANSLATE_NOOP("CoreMessages", "Invalid value"),
    QT_TRANSLATE_NOOP("CoreMessages", "Unclosed array"),
    QT_TRANSLATE_NOOP("CoreMessages", "Unclosed inline table"),
    QT_TRANSLATE_NOOP("CoreMessages", "Unescaped '\\' in a string"),
    QT_TRANSLATE_NOOP("CoreMessages", "Unterminated string"),
    QT_TRANSLATE_NOOP("CoreMessages", "Expected newline or end of document after a statement"),
)
TOML_TEMPLATES: Final = frozenset(_TOML_TEMPLATES)
