"""A Find's steps held on its worker in GUI tests (tests/gui/test_verdict_view_early.py,
test_triage_verdict_early.py): the listing stops at a chosen step until released, and what of it
ran on the GUI thread is recorded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest


def hold_find_steps(
    monkeypatch: pytest.MonkeyPatch, method: str, at: int
) -> tuple[list[str], Callable[[str], None], threading.Event, threading.Event]:
    """``FindRest.<method>`` ("decide": the gallery's, "decide_faces": Triage's) held at its
    ``at``-th step until released, and the evaluations (``find_rest.review``) watched: (what was
    decided or evaluated on the GUI thread, a function recording more of it, the event set when
    the step is reached, the event releasing it)."""
    from facecurator.services import find_rest

    on_gui: list[str] = []
    steps: list[object] = []
    reached, release = threading.Event(), threading.Event()
    decide, evaluate = getattr(find_rest.FindRest, method), find_rest.review

    def gui(what: str) -> None:
        if threading.current_thread() is threading.main_thread():
            on_gui.append(what)

    def held(self: Any, catalog: Any, ids: Any) -> Any:
        gui("decide")
        steps.append(self)
        if len(steps) == at:
            reached.set()
            release.wait(30)
        return decide(self, catalog, ids)

    monkeypatch.setattr(find_rest.FindRest, method, held)
    monkeypatch.setattr(find_rest, "review", lambda *a, **k: (gui("review"), evaluate(*a, **k))[1])
    return on_gui, gui, reached, release
