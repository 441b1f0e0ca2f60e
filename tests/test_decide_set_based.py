"""``decide --accept-qualified`` / ``--reject-unqualified`` by stored verdict, planned in one
statement and written a face-id range per chunk (issue 17 item 5: 122 s at 1M / 3M on PostgreSQL),
against the old path on twin catalogs (both backends): every face evaluated in Python and decided by
id (``decide_in_chunks``). Mixed verdicts, faces decided before, a face held by another operator,
verdicts stored for only part of the catalog and verdicts stored under an older version of the rules
(stale: a looser yaw limit that qualifies more faces) -- the same decisions, the same audit rows
(who, states, reasons, the previous decision), one undo step that reverts it whole, and a peer
following the decisions (LISTEN/NOTIFY on PostgreSQL) sees every one of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.rules import RuleSet, load_rules
from facecurator.domain.rules.verdict_sql import verdict_sql
from facecurator.services import browse
from facecurator.services import review as review_module
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog.assign import take
from facecurator.services.catalog.feed import DecisionFeed
from facecurator.services.review import accept_qualified, iter_review, reject_unqualified, review

ROOT = "/gallery"


def _twins(catalog_target: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if catalog_target.startswith("postgresql"):
        return catalog_target, str(request.getfixturevalue("pg_cluster").new_database())
    return catalog_target, str(tmp_path / "twin.sqlite3")


def _looser(rules: RuleSet) -> RuleSet:
    """The same rule set with its yaw limit at 89°: another version (other stored verdicts) that
    qualifies faces the current one does not."""
    toml = rules.to_toml()
    assert 'axis = "yaw"\nmax_degrees = 30' in toml
    looser = RuleSet.from_toml(
        toml.replace('axis = "yaw"\nmax_degrees = 30', 'axis = "yaw"\nmax_degrees = 89'), name=rules.name
    )
    assert browse.ruleset_key(looser) != browse.ruleset_key(rules)
    return looser


def _prepare(target: str, rules: RuleSet) -> None:
    """200 images x 3 faces; some decided (accepted, rejected, put back to pending); the current
    rules' verdicts stored for the first 60 images only, in SQL (no reasons) and in Python (with
    them); a stale version's verdicts stored for every face; one face held by bob."""
    seed_catalog(target, ROOT, 200, 3)
    with Catalog(target) as catalog:
        faces = [f.id for f in catalog.faces()]
        catalog.decide(faces[:30], "accepted", who="t")
        catalog.decide(faces[30:45], "rejected", reason="blurry", who="t")
        catalog.decide(faces[45:60], "rejected", reason="blurry", who="t")
        catalog.decide(faces[45:60], "pending", reason="look again", who="u")
        stale = _looser(rules)
        browse.fill_verdicts(catalog, stale)
        images = [row.id for row in catalog.images()]
        ruleset = browse.ruleset_id(catalog, rules)
        verdict = verdict_sql(rules, bulk.FACE_COLUMNS)
        assert verdict is not None
        bulk.store_verdicts_sql(catalog, ruleset, verdict, image_ids=images[:40])
        browse.store_verdicts(catalog, ruleset, review(catalog, rules, image_ids=images[40:60]))
        take(catalog, "bob", 1, among=faces[300:])


def _state(catalog: Catalog, batch_id: int) -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    """(the batch's audit rows, every face's decision), without ids and times."""
    audit = {
        row[0]: tuple(row[1:])
        for row in catalog._db.execute(
            "SELECT face_id, who, action, old_state, new_state, reason, prev_reason, prev_who,"
            " prev_at IS NULL FROM audit WHERE batch_id = ? ORDER BY id",
            (batch_id,),
        )
    }
    decisions = {f.id: (f.decision.state, f.decision.reason, f.decision.who) for f in catalog.faces()}
    return audit, decisions


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_the_set_based_bulk_decision_equals_evaluating_every_face(
    catalog_target: str, request: pytest.FixtureRequest, tmp_path: Path, action: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    rules = load_rules("moderation-2.0")
    old_target, new_target = _twins(catalog_target, request, tmp_path)
    for target in (old_target, new_target):
        _prepare(target, rules)
    decide = accept_qualified if action == "accept" else reject_unqualified
    monkeypatch.setattr(review_module, "BULK_CHUNK", 20)  # several chunks, several face id ranges
    monkeypatch.setattr(review_module, "MAX_STORED_CHUNK", 60)
    with Catalog(old_target) as catalog:
        before = {f.id: f.decision.state for f in catalog.faces()}
        every = [f.id for f in catalog.faces()]
        old = decide(catalog, rules, every, who="alice")  # every face evaluated in Python, by id
        old_audit, old_decisions = _state(catalog, old.batch_ids[0])
        expected = {
            face.id
            for image in iter_review(catalog, rules)
            for face in image.faces
            if before[face.id] == "pending" and face.verdict.qualified is (action == "accept")
        }
    assert len(old_audit) == old.count > 100 and set(old_audit) <= expected
    with Catalog(new_target) as catalog, DecisionFeed(new_target) as peer:
        chunks: list[tuple[int, int]] = []
        new = decide(catalog, rules, who="alice", on_chunk=lambda d, t: chunks.append((d, t)))
        assert dataclasses.astuple(new)[0::2] == dataclasses.astuple(old)[0::2]  # count, skipped
        assert new.total == old.count + old.skipped and len(new.batch_ids) == 1
        assert len(chunks) > 2 and chunks[0] == (20, new.total) and chunks[-1] == (new.count, new.total)
        new_audit, new_decisions = _state(catalog, new.batch_ids[0])
        assert new_audit == old_audit  # the same rows (the new ones in face id order)
        assert list(new_audit) == sorted(new_audit)
        assert new_decisions == old_decisions
        if catalog.dialect == "postgresql":  # told at each commit, not only found by a look
            assert peer._listen is not None
            assert next(iter(peer._listen.notifies(timeout=5, stop_after=1)), None) is not None
        seen = []
        while batch := peer.wait(0.1):
            seen += batch
        assert sorted(entry.face_id for entry in seen) == sorted(new_audit)
        assert catalog.undo_last() is not None  # one undo step reverts the whole decision
        assert {f.id: f.decision.state for f in catalog.faces()} == before
