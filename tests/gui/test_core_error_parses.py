"""A core error's text is parsed once, then rendered in the language of the moment: the parse tries
every template's pattern (~0.16 ms a text), and a source's failed images repeat a few reasons
thousands of times (the Problems dock translates each one's line on the GUI thread)."""

from __future__ import annotations

from typing import Any

import pytest

from facecurator.domain.messages import Messages
from facecurator.gui import i18n
from facecurator.gui.core_errors import error_line

REASON = "cannot read file: not a JPEG (truncated)"


def test_a_reason_is_parsed_once_and_shown_in_the_language_of_the_moment(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = [0]
    candidates = Messages.candidates

    def counted(self: Messages, text: str) -> Any:
        tried[0] += 1
        return candidates(self, text)

    monkeypatch.setattr(Messages, "candidates", counted)
    english = error_line(REASON)
    assert tried[0] > 0
    tried[0] = 0
    for _ in range(100):  # a hundred failed images with the same reason
        assert error_line(REASON) == english
    assert tried[0] == 0  # not parsed again (before: every template tried a hundred times)
    try:
        i18n.install_translator(qapp, "zh_CN")
        chinese = error_line(REASON)
    finally:
        i18n.install_translator(qapp, "en")
    assert chinese != english and "JPEG" in chinese  # rendered in the new language, not kept
    assert tried[0] == 0
    assert error_line(REASON) == english
