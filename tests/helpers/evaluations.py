"""A count of the faces evaluated in Python (``RuleSet.evaluate_many``: the one evaluation's batch
call), for tests that hold a set-based path to evaluating no face, or only the faces it must."""

from __future__ import annotations

from typing import Any

import pytest

from facecurator.domain.rules import RuleSet


def counted_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on (until ``monkeypatch`` is undone), the number of faces of each
    ``RuleSet.evaluate_many`` call is appended to the list returned."""
    counts: list[int] = []
    original = RuleSet.evaluate_many

    def counting(self: RuleSet, items: Any) -> Any:
        verdicts = original(self, items)
        counts.append(len(verdicts))
        return verdicts

    monkeypatch.setattr(RuleSet, "evaluate_many", counting)
    return counts
