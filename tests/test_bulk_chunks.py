"""A bulk decision's chunk (``Catalog.decide_chunk``) is two set-based statements (issue 11):
the same decisions and audit rows as one face at a time, on both backends."""

from __future__ import annotations

import pytest
from helpers.catalogs import seed_catalog

from facecurator.errors import CatalogError
from facecurator.services.catalog import Catalog


@pytest.fixture
def catalog(catalog_target: str) -> Catalog:
    seed_catalog(catalog_target, "/virtual", n_images=40, faces_per_image=1, varied=False)
    return Catalog(catalog_target)


def test_a_chunk_decides_the_pending_faces_and_audits_each_with_what_it_had(catalog: Catalog) -> None:
    with catalog:
        ids = [row.id for row in catalog.faces()]
        catalog.decide(ids[:5], "rejected", reason="by hand", who="ann")  # not pending: skipped
        catalog.decide(ids[5:8], "accepted", reason="first look", who="bob")
        catalog.decide(ids[5:8], "pending", reason="look again", who="dan")  # pending, with a reason
        before = {i: catalog.face(i).decision for i in ids[5:8]}
        assert {(d.state, d.reason, d.who) for d in before.values()} == {("pending", "look again", "dan")}
        written = catalog.decide_chunk(ids[:30], "accepted", reason="qualified", who="cy")
        assert sorted(written.changed) == sorted(ids[5:30])
        assert sorted(written.skipped) == sorted(ids[:5])
        more = catalog.decide_chunk(
            ids[25:40], "accepted", reason="qualified", who="cy", batch_id=written.batch_id
        )
        assert more.batch_id == written.batch_id
        assert sorted(more.changed) == sorted(ids[30:40]) and sorted(more.skipped) == sorted(ids[25:30])
        catalog.finish_batch(written.batch_id)

        counts = catalog.face_counts()
        assert counts["accepted"] == 35 and counts["rejected"] == 5 and counts["pending"] == 0
        face = catalog.face(ids[10])
        assert (face.decision.state, face.decision.reason, face.decision.who) == (
            "accepted",
            "qualified",
            "cy",
        )
        entries = {entry.face_id: entry for entry in catalog.audit(batch_id=written.batch_id)}
        assert sorted(entries) == sorted(ids[5:40])
        assert {(e.action, e.old_state, e.new_state, e.reason, e.who) for e in entries.values()} == {
            ("decide", "pending", "accepted", "qualified", "cy")
        }
        # the previous reason, who and when of a pending face are kept for the undo
        catalog.undo(who="cy")
        for face_id, decision in before.items():
            again = catalog.face(face_id).decision
            assert (again.state, again.reason, again.who, again.at) == (
                decision.state,
                decision.reason,
                decision.who,
                decision.at,
            )
        assert catalog.face(ids[10]).decision.state == "pending"
        assert catalog.face(ids[0]).decision.state == "rejected"


def test_a_chunk_naming_an_unknown_face_changes_nothing(catalog: Catalog) -> None:
    with catalog:
        ids = [row.id for row in catalog.faces()]
        with pytest.raises(CatalogError, match="no face with id 999999"):
            catalog.decide_chunk([*ids[:3], 999999], "accepted", reason="qualified")
        assert catalog.face_counts()["accepted"] == 0
        assert catalog.audit() == []


def test_a_chunk_with_nothing_pending_opens_no_batch(catalog: Catalog) -> None:
    with catalog:
        ids = [row.id for row in catalog.faces()]
        catalog.decide(ids[:3], "rejected")
        written = catalog.decide_chunk(ids[:3], "accepted", reason="qualified")
        assert (written.batch_id, written.changed, sorted(written.skipped)) == (0, (), sorted(ids[:3]))
