"""Catalog decisions: who, when and why with their audit rows, undo walking back,
audit rows that cannot change; settings, paid-call counters and transactions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers.catalog_images import ROOT, add_image, face_ids, ref
from helpers.catalogs import database_errors, raw_connection

from facecurator.errors import CatalogError
from facecurator.services.catalog import AuditRow, Catalog, Decision

# --------------------------------------------------------------------------- decisions, audit, undo


def test_decide_records_who_when_reason_and_audit(cat: Catalog) -> None:
    image_id = add_image(cat, "a.jpg", 3)
    ids = face_ids(cat, image_id)
    before = datetime.now(timezone.utc)
    batch = cat.decide(ids[:2], "rejected", reason="sunglasses", who="alice")
    assert batch > 0
    rows = cat.faces()
    for row in rows[:2]:
        assert row.decision.state == "rejected"
        assert row.decision.reason == "sunglasses"
        assert row.decision.who == "alice"
        assert row.decision.at is not None
        at = datetime.fromisoformat(row.decision.at)
        assert at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=1) <= at <= datetime.now(timezone.utc)
    assert rows[2].decision == Decision("pending", None, None, None)
    entries = cat.audit()
    assert [(e.face_id, e.old_state, e.new_state) for e in sorted(entries, key=lambda e: e.id)] == [
        (ids[0], "pending", "rejected"),
        (ids[1], "pending", "rejected"),
    ]
    assert all(e.batch_id == batch and e.who == "alice" and e.action == "decide" for e in entries)
    assert all(e.reason == "sunglasses" for e in entries)
    assert cat.face_counts() == {"pending": 1, "accepted": 0, "rejected": 2}

    # Already in that state: not re-audited; no batch when nothing changes.
    assert cat.decide(ids[:2], "rejected", who="alice") == 0
    second = cat.decide(ids, "rejected", who="bob")
    assert second > batch
    assert [(e.face_id, e.who) for e in cat.audit(batch_id=second)] == [(ids[2], "bob")]
    assert [e.new_state for e in cat.audit(face_id=ids[0])] == ["rejected"]
    assert len(cat.audit(limit=2)) == 2
    assert cat.audit(limit=1)[0].batch_id == second  # newest first


def test_who_defaults_to_the_os_user(cat: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    image_id = add_image(cat, "a.jpg", 2)
    ids = face_ids(cat, image_id)
    monkeypatch.setenv("LOGNAME", "operator7")
    monkeypatch.setenv("USER", "operator7")
    cat.decide(ids[:1], "accepted")
    assert cat.face(ids[0]).decision.who == "operator7"

    def no_user() -> str:
        raise OSError("no login name")

    monkeypatch.setattr("getpass.getuser", no_user)
    cat.decide(ids[1:], "accepted")
    assert cat.face(ids[1]).decision.who == "unknown"


def test_decide_rejects_unknown_faces_and_states_without_changing_anything(cat: Catalog) -> None:
    image_id = add_image(cat, "a.jpg", 2)
    ids = face_ids(cat, image_id)
    with pytest.raises(CatalogError, match="no face with id 12345"):
        cat.decide([ids[0], 12345], "accepted")
    with pytest.raises(CatalogError, match="unknown decision 'maybe'"):
        cat.decide(ids, "maybe")  # type: ignore[arg-type]
    assert cat.face_counts() == {"pending": 2, "accepted": 0, "rejected": 0}
    assert cat.audit() == []
    assert cat.decide([], "accepted") == 0


def test_undo_restores_previous_decisions_walking_back(cat: Catalog) -> None:
    image_id = add_image(cat, "a.jpg", 3)
    ids = face_ids(cat, image_id)
    assert cat.undo() is None  # nothing to undo yet

    cat.decide(ids, "accepted", reason="looks fine", who="alice")  # bulk
    first_state = {row.id: row.decision for row in cat.faces()}
    cat.decide([ids[0]], "rejected", reason="eyes closed", who="bob")
    cat.decide([ids[1]], "pending", who="bob")

    assert cat.undo(who="carol") == [ids[1]]
    assert cat.face(ids[1]).decision == first_state[ids[1]]  # state, reason, who and when restored
    assert cat.face(ids[0]).decision.state == "rejected"

    assert cat.undo() == [ids[0]]
    assert {row.id: row.decision for row in cat.faces()} == first_state

    # Undoing the bulk batch restores every face it changed.
    assert sorted(cat.undo() or []) == sorted(ids)
    assert [row.decision for row in cat.faces()] == [Decision("pending", None, None, None)] * 3
    assert cat.undo() is None

    # Undo entries are appended; nothing was removed from the trail.
    trail = cat.audit()
    assert [e.action for e in trail].count("undo") == 5
    assert [e.action for e in trail].count("decide") == 5
    newest = trail[0]
    assert (newest.action, newest.old_state, newest.new_state) == ("undo", "accepted", "pending")
    carol = [e for e in trail if e.who == "carol"]
    assert [(e.face_id, e.old_state, e.new_state) for e in carol] == [(ids[1], "pending", "accepted")]


def test_undo_after_new_decisions_undoes_the_newest_batch(cat: Catalog) -> None:
    image_id = add_image(cat, "a.jpg", 2)
    a, b = face_ids(cat, image_id)
    cat.decide([a], "accepted", who="op")
    cat.decide([a], "rejected", who="op")
    assert cat.undo() == [a]  # back to accepted
    cat.decide([b], "rejected", who="op")
    assert cat.undo() == [b]
    assert cat.undo() == [a]  # the first batch, not the undone one
    assert cat.face(a).decision.state == "pending"
    assert cat.undo() is None


def test_audit_rows_cannot_be_updated_or_deleted(cat: Catalog) -> None:
    image_id = add_image(cat, "a.jpg", 1)
    cat.decide(face_ids(cat, image_id), "accepted", who="op")
    cat.undo(who="op")
    before = cat.audit()
    raw = raw_connection(cat.path)  # under the API: the database itself refuses
    statements = [
        "UPDATE audit SET who = 'mallory'",
        "DELETE FROM audit",
        "UPDATE batches SET who = 'mallory'",
        "DELETE FROM batches",
    ]
    if cat.dialect == "postgresql":
        statements += ["TRUNCATE audit", "TRUNCATE batches CASCADE"]
    for statement in statements:
        with pytest.raises(database_errors(), match="append-only"):
            raw.execute(statement)
    raw.close()
    assert cat.audit() == before
    assert all(isinstance(e, AuditRow) and e.who == "op" for e in before)


# --------------------------------------------------------------------------- settings, counters, transactions


def test_settings_and_paid_calls(cat: Catalog, tmp_path: Path) -> None:
    cat.set_setting("rules", "enrollment-strict")
    cat.set_setting("rules", "moderation-1.0")
    assert cat.get_setting("rules") == "moderation-1.0"
    assert cat.paid_calls() == {}
    cat.add_paid_calls("imm", 3)
    cat.add_paid_calls("green", 1)
    cat.add_paid_calls("imm", 2)
    with Catalog(cat.path) as again:
        assert again.paid_calls() == {"green": 1, "imm": 5}


def test_transaction_groups_writes_and_rolls_back_on_error(cat: Catalog) -> None:
    with cat.transaction():
        add_image(cat, "a.jpg", 1)
        add_image(cat, "b.jpg", 1)
    assert len(cat.images()) == 2
    with pytest.raises(RuntimeError), cat.transaction():
        add_image(cat, "c.jpg", 1)
        cat.set_setting("k", "v")
        raise RuntimeError("cancelled")
    assert len(cat.images()) == 2
    assert cat.get_setting("k") is None
    # A failing write inside a block undoes only itself when the caller handles it.
    with cat.transaction():
        cat.set_setting("k", "v")
        with pytest.raises(CatalogError):
            cat.record_image(
                ref("d.jpg"), source_root=ROOT, identity="x", status="ok", error=None,
                detection_id=424242, width=None, height=None,
            )  # fmt: skip
    assert cat.get_setting("k") == "v"
    assert len(cat.images()) == 2


def test_closed_catalog_raises_catalog_error(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.close()
    cat.close()
    with pytest.raises(CatalogError, match="closed"):
        cat.images()
