"""The "held by another operator — decide anyway?" question in GUI tests (issue 17).

:class:`HeldAnswers` stands in for the window's ``confirm_held`` dialog: it records each
question and gives the answer the test sets; :func:`assert_held_question` checks the
wording in English or Simplified Chinese.
"""

from __future__ import annotations

from typing import Any


class HeldAnswers:
    """Installed as ``window.confirm_held``: records ``(title, question)``, answers ``answer``."""

    def __init__(self, window: Any, answer: bool = False) -> None:
        self.asked: list[tuple[str, str]] = []
        self.answer = answer
        window.confirm_held = self

    def __call__(self, _parent: object, title: str, question: str) -> bool:
        self.asked.append((title, question))
        return self.answer


def assert_held_question(title: str, question: str, ui_language: str, holder: str = "bob") -> None:
    """The question names the holder and asks whether to decide anyway, in the UI's language."""
    if ui_language == "en":
        assert title == "Held by another operator"
        assert question.startswith(f"1 face held by {holder} until ")
        assert question.endswith("— decide anyway?")
    else:
        assert title == "已由其他操作员持有" and f"由 {holder} 持有" in question and "仍要决定吗" in question
