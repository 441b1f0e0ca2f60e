"""A decision in the GUI on a face another operator holds (issue 17, the rule in
services/catalog/assign.py): the window asks "held by bob until 14:05 — decide anyway?"
(en + zh_CN); no leaves the face as it is, yes decides it under this operator's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.held import HeldAnswers, assert_held_question

from facecurator.services.catalog import Catalog
from facecurator.services.catalog.assign import assign, take


def test_deciding_a_held_face_asks_and_decides_only_when_told(
    opened_window, catalog_path: Path, ui_language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    window = opened_window
    face_ids = sorted(window.store.face_ids())
    held, assigned = face_ids[0], face_ids[1]
    with Catalog(catalog_path) as other:
        assert take(other, "bob", 1, among=[held]) == [held]
        assign(other, ["carol"], among=[assigned], who="lead")
    answers = HeldAnswers(window, answer=False)
    asked = answers.asked
    assert window.decide_faces([held], "rejected")  # asked, answered no: nothing decided, no error
    assert window.store.face(held).decision == "pending"
    ((title, question),) = asked
    assert_held_question(title, question, ui_language)
    answers.answer = True
    assert window.decide_faces([held], "rejected")
    assert window.store.face(held).decision == "rejected"
    assert window.decide_faces([assigned], "accepted")
    assert "assigned to carol" in asked[-1][1] or "已分配给 carol" in asked[-1][1]
    assert window.store.face(assigned).decision == "accepted"
    with Catalog(catalog_path) as check:
        assert [row.who for row in check.audit(face_id=held)] == ["alice"]  # the audit says who decided
    free = face_ids[2]
    asked.clear()
    assert window.decide_faces([free], "accepted") and not asked  # a face nobody holds: no question
