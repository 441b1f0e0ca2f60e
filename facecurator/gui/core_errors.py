"""Errors built by the Qt-free core, in the user's language (the GUI edge of their message ids).

The catalog (:mod:`facecurator.services.catalog.messages`), the export
(:mod:`facecurator.services.export.messages`), the sources
(:mod:`facecurator.sources.messages`), the cloud SDK-error
classifier and retry loop (:mod:`facecurator.cloud.sdk_errors`) and the image
readers (:mod:`facecurator.domain.error_texts`) build their messages from English
templates with message ids. Those texts reach the GUI as exceptions, signal
arguments or stored lines; :func:`core_message` parses any of them back into
``(message id, params)``, renders the translated template (context
``CoreMessages``, via :func:`facecurator.gui.core_words.core_text`) and translates
the params that hold another message in turn. The templates are marked for
translation in :mod:`facecurator.gui.core_templates`. What no template built (the
operating system's or SQLite's own words) goes through
:func:`facecurator.gui.os_words.os_text`. Everything else is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from facecurator.cloud.profile_messages import NESTED_PARAMS as PROFILE_NESTED
from facecurator.cloud.profile_messages import PROFILE_MESSAGES, PROFILES
from facecurator.cloud.sdk_errors import CLOUD, CLOUD_MESSAGES
from facecurator.cloud.sdk_errors import NESTED_PARAMS as CLOUD_NESTED
from facecurator.detect.messages import DETECT, DETECT_MESSAGES
from facecurator.domain.error_texts import ERROR_MESSAGES, ERRORS
from facecurator.domain.error_texts import NESTED_PARAMS as ERROR_NESTED
from facecurator.domain.messages import Messages
from facecurator.domain.rules.errors import NESTED_PARAMS as RULE_NESTED
from facecurator.domain.rules.errors import RULE_ERRORS, RULE_MESSAGES
from facecurator.domain.toml_errors import NESTED_PARAMS as TOML_NESTED
from facecurator.domain.toml_errors import TOML_ERRORS, TOML_MESSAGES, TOML_POSITION_MESSAGES, TOML_POSITIONS
from facecurator.gui.core_templates import (
    CATALOG_TEMPLATES,
    CLOUD_TEMPLATES,
    ERROR_TEMPLATES,
    EXPORT_TEMPLATES,
    SOURCE_TEMPLATES,
)
from facecurator.gui.core_words import core_text
from facecurator.gui.face_details import state_word
from facecurator.gui.os_words import OS_MESSAGES, SQLITE_MESSAGES, os_text
from facecurator.services.catalog.messages import CATALOG, CATALOG_MESSAGES
from facecurator.services.catalog.messages import NESTED_PARAMS as CATALOG_NESTED
from facecurator.services.export.messages import EXPORT, EXPORT_MESSAGES
from facecurator.services.export.messages import NESTED_PARAMS as EXPORT_NESTED
from facecurator.sources.messages import SOURCE_MESSAGES, SOURCES

__all__ = [
    "CATALOG_TEMPLATES",
    "CLOUD_TEMPLATES",
    "ERROR_TEMPLATES",
    "EXPORT_TEMPLATES",
    "OS_MESSAGES",
    "SOURCE_TEMPLATES",
    "SQLITE_MESSAGES",
    "core_message",
    "error_line",
    "os_text",
    "warm_messages",
]

#: Each message set with the params that hold another message; the first that parses a text wins.
_SETS: Final[tuple[tuple[Messages, Mapping[str, str], frozenset[str]], ...]] = (
    (CATALOG, CATALOG_MESSAGES, CATALOG_NESTED),
    (ERRORS, ERROR_MESSAGES, ERROR_NESTED),
    (EXPORT, EXPORT_MESSAGES, EXPORT_NESTED),
    (SOURCES, SOURCE_MESSAGES, frozenset()),
    (DETECT, DETECT_MESSAGES, frozenset()),  # before the cloud's "{subject}: {call} failed: ..."
    (CLOUD, CLOUD_MESSAGES, CLOUD_NESTED),
    (RULE_ERRORS, RULE_MESSAGES, RULE_NESTED),
    (PROFILES, PROFILE_MESSAGES, PROFILE_NESTED),
    (TOML_POSITIONS, TOML_POSITION_MESSAGES, TOML_NESTED),  # before its problems: see toml_errors
    (TOML_ERRORS, TOML_MESSAGES, frozenset()),
)
_MAX_DEPTH: Final = 6
#: Params that hold a decision state ("accepted", "rejected", "pending").
_STATE_PARAMS: Final = frozenset({"state"})
#: Params that are always another message (a text that parses with anything else there is not it).
_MESSAGE_PARAMS: Final = frozenset({"action", "what", "found"})


def _render(
    english: Mapping[str, str], nested: frozenset[str], message_id: str, params: dict[str, str], depth: int
) -> str:
    shown = {
        key: _message(value, depth + 1) if key in nested and value else _word(key, value)
        for key, value in params.items()
    }
    return core_text(english, message_id, shown)


def _word(key: str, value: str) -> str:
    """A param that is one of the app's own words, in the current language: a decision state
    ("record {state} decisions"); any other param is data and is shown as it is."""
    return state_word(value) if key in _STATE_PARAMS else value


def _fits(params: dict[str, str], depth: int) -> bool:
    # "cannot {action}: ..." is the catalog's only when its action is the catalog's all the way down
    return depth <= _MAX_DEPTH and all(
        _known(params[key], depth + 1) for key in _MESSAGE_PARAMS & params.keys()
    )


def _known(text: str, depth: int) -> bool:
    return any(
        _fits(params, depth)
        for messages, _english, _nested in _SETS
        for _id, params in messages.candidates(text)
    )


#: Texts parsed so far -> the message that built them (its set's index, id, params) or None. The
#: parse tries every template's pattern (~0.16 ms a text) and does not depend on the language (the
#: render after it does): a source's failed images repeat a few reasons thousands of times.
_PARSES: dict[tuple[str, int], tuple[int, str, dict[str, str]] | None] = {}
#: Parses kept; all forgotten beyond (most texts shown are a few reasons, each one image's line).
_MAX_PARSES: Final = 4096


def _parse(text: str, depth: int) -> tuple[int, str, dict[str, str]] | None:
    for index, (messages, _english, _nested) in enumerate(_SETS):
        for message_id, params in messages.candidates(text):
            if _fits(params, depth):
                return index, message_id, params
    return None


def _parsed(text: str, depth: int) -> str | None:
    key = (text, depth)
    if key in _PARSES:
        found = _PARSES[key]
    else:
        found = _PARSES[key] = _parse(text, depth)
        if len(_PARSES) > _MAX_PARSES:
            _PARSES.clear()
    if found is None:
        return None
    index, message_id, params = found
    _messages, english, nested = _SETS[index]
    return _render(english, nested, message_id, dict(params), depth)


def _message(text: str, depth: int) -> str:
    if depth > _MAX_DEPTH:
        return text
    whole = _parsed(text, depth)
    if whole is not None:
        return whole
    start = 0  # "<label>: <message>": the label (an image, a step) is data
    while (cut := text.find(": ", start)) >= 0:
        rest = _parsed(text[cut + 2 :], depth)
        if rest is not None:
            return f"{text[:cut]}: {rest}"
        start = cut + 1
    return os_text(text)


def core_message(text: object) -> str:
    """A message the core built (an exception, or its text), in the current language.

    Texts no template built are shown as they are, with the system's and SQLite's own
    words translated (:func:`os_text`).
    """
    return _message(str(text), 0)


def warm_messages() -> None:
    """Compile every template's pattern now (~60 ms of Python; on a thread, say): done on the
    GUI thread by the first error shown, it stalled the event loop as a scan began."""
    for messages, _english, _nested in _SETS:
        messages.parse("")


def error_line(text: str) -> str:
    """An image's stored error line ("<image>: <reason>") in the current language."""
    return core_message(text)
