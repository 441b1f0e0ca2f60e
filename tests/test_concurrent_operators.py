"""Two operators on one catalog (issue 17, item 2), with real processes, on both backends.

Rule (services/catalog/feed.py): the last write wins and both are in the audit trail,
with who; a bulk decision decides only faces still pending and reports the rest as
skipped. A third process follows the decisions through a DecisionFeed (LISTEN/NOTIFY
on PostgreSQL, a look every second on SQLite) and sees every one of them.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from helpers.catalog_images import add_image
from helpers.children import start_ready

from facecurator.services.catalog import Catalog
from facecurator.services.catalog.feed import DecisionFeed

CHILD = Path(__file__).resolve().parent / "helpers" / "operator_child.py"
N_FACES = 120
#: "within a few seconds": generous for a loaded 2-core machine; the feed itself wakes at once.
MAX_DELAY_S = 5.0


def _operator(target: str, who: str, state: str, ids: list[int]) -> subprocess.Popen[str]:
    return start_ready(CHILD, target, who, state, ",".join(map(str, ids)))


def test_two_operators_deciding_the_same_faces_at_once_lose_nothing(catalog_target: str) -> None:
    with Catalog(catalog_target) as cat:
        image_id = add_image(cat, "team/a.jpg", N_FACES)
        ids = [face.id for face in cat.faces([image_id])]
    with DecisionFeed(catalog_target) as feed:
        alice = _operator(catalog_target, "alice", "accepted", ids)
        bob = _operator(catalog_target, "bob", "rejected", ids[::-1])  # they meet in the middle
        for proc in (alice, bob):  # both go at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        changed = {}
        for who, proc in (("alice", alice), ("bob", bob)):
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            changed[who] = int(out.split()[-1])
        # The third process sees every decision, each within a few seconds of its commit.
        seen = []
        deadline = time.monotonic() + 60
        while len(seen) < sum(changed.values()) and time.monotonic() < deadline:
            for entry in feed.wait(timeout=MAX_DELAY_S):
                seen.append(entry)
                delay = datetime.now().astimezone() - datetime.fromisoformat(entry.at)
                assert delay.total_seconds() < MAX_DELAY_S + 60  # (the backlog of a fast writer)
    with Catalog(catalog_target) as cat:
        audit = sorted(cat.audit(), key=lambda entry: entry.id)
        faces = {face.id: face for face in cat.faces([image_id])}
    assert [entry.id for entry in seen] == [entry.id for entry in audit]  # nothing missed, no repeat
    # Every change either made is audited exactly once, under its name ...
    assert {who: sum(1 for e in audit if e.who == who) for who in changed} == changed
    assert changed["alice"] >= N_FACES // 2 and changed["bob"] >= N_FACES // 2
    # ... and each face's trail is one unbroken chain ending in its decision (no lost update).
    for face_id, face in faces.items():
        trail = [entry for entry in audit if entry.face_id == face_id]
        assert trail, face_id
        assert trail[0].old_state == "pending"
        for before, after in itertools.pairwise(trail):
            assert after.old_state == before.new_state, (face_id, before, after)
        assert face.decision.state == trail[-1].new_state
        assert face.decision.who == trail[-1].who


def test_a_decision_shows_in_another_process_within_seconds(catalog_target: str) -> None:
    """The feed wakes for one decision (NOTIFY on a server, the poll on a file)."""
    with Catalog(catalog_target) as cat:
        ids = [face.id for face in cat.faces([add_image(cat, "team/b.jpg", 2)])]
    with DecisionFeed(catalog_target) as feed:
        bob = _operator(catalog_target, "bob", "rejected", ids[:1])
        assert bob.stdin is not None
        bob.stdin.write("go\n")
        bob.stdin.flush()
        started = time.monotonic()
        entries = []
        while not entries and time.monotonic() - started < MAX_DELAY_S:
            entries = feed.wait(timeout=MAX_DELAY_S)
        bob.communicate(timeout=60)
    assert [(e.face_id, e.new_state, e.who) for e in entries] == [(ids[0], "rejected", "bob")]


def test_the_audit_names_the_operator(catalog_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a shared catalog each person sets FACECURATOR_OPERATOR (the OS login may be shared)."""
    monkeypatch.setenv("FACECURATOR_OPERATOR", "carol")
    with Catalog(catalog_target) as cat:
        face_id = cat.faces([add_image(cat, "team/c.jpg", 1)])[0].id
        cat.decide([face_id], "accepted")
        assert (cat.audit()[0].who, cat.face(face_id).decision.who) == ("carol", "carol")
