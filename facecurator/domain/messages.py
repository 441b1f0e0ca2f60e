"""Messages with ids: English templates the core builds texts from, and the way back.

The Qt-free layers build user-visible texts (errors above all) from English
templates with named placeholders. A front end that shows another language
recovers ``(message id, params)`` from such a text (:meth:`Messages.parse`; it
also works on texts stored or passed along as plain strings) and renders its own
translation of the template with the same params. A param may hold another
message (a reason inside a reason); the front end parses that in turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, Final

_PLACEHOLDER: Final = re.compile(r"\{(\w+)\}")


def template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the whole of a text built from ``template`` (one group per placeholder;
    a placeholder used twice must hold the same text both times)."""
    parts = _PLACEHOLDER.split(template.replace("{{", "\x00").replace("}}", "\x01"))
    seen: set[str] = set()
    regex = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex.append(re.escape(part.replace("\x00", "{").replace("\x01", "}")))
        elif part in seen:
            regex.append(f"(?P={part})")
        else:
            seen.add(part)
            regex.append(f"(?P<{part}>.*?)")
    return re.compile("".join(regex) + "$", re.DOTALL)


class Messages:
    """A set of English templates by message id: build texts, and parse them back."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self.templates: Final = dict(templates)

    def text(self, message_id: str, **params: Any) -> str:
        """The English text of ``message_id`` with ``params``."""
        return self.templates[message_id].format(**params)

    @cached_property
    def _patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        # fixed texts first, then longer fixed parts before shorter (specific before general)
        def fixed(template: str) -> int:
            return len(_PLACEHOLDER.sub("", template))

        ordered = sorted(self.templates.items(), key=lambda kv: ("{" in kv[1], -fixed(kv[1])))
        return [(message_id, template_pattern(template)) for message_id, template in ordered]

    def candidates(self, text: str) -> Iterator[tuple[str, dict[str, str]]]:
        """Every ``(message id, params)`` a text could be built from, most specific template first."""
        for message_id, pattern in self._patterns:
            match = pattern.match(text)
            if match is not None:
                yield message_id, match.groupdict()

    def parse(self, text: str) -> tuple[str, dict[str, str]] | None:
        """``(message id, params)`` of a text built from one of the templates, else None."""
        return next(self.candidates(text), None)
