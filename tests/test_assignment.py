"""Faces split between operators (issue 17, item 2's per-operator assignment), on both backends:
taken with a lease (a Triage's "My faces"), renewed, released, expired; assigned by
``facecurator assign``; and two real processes taking work at once while a third is killed."""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from helpers.catalog_images import add_image
from helpers.catalogs import seed_catalog
from helpers.children import start_ready

from facecurator.cli.main import main as cli_main
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.assign import (
    assign,
    held_ids,
    holdings,
    release,
    renew,
    take,
    unassign,
)

CHILD = Path(__file__).resolve().parent / "helpers" / "taker_child.py"


def _faces(cat: Catalog, images: int = 6, per_image: int = 4) -> list[int]:
    for i in range(images):
        add_image(cat, f"p{i % 2}/img{i}.jpg", per_image)
    return sorted(face.id for face in cat.faces())


def _log(cat: Catalog) -> list[tuple[str, str, str, int]]:
    rows = cat._db.execute("SELECT who, operator, action, faces FROM assignment_log ORDER BY id").fetchall()
    return [tuple(row) for row in rows]


def test_operators_take_disjoint_faces_renew_and_release_them(catalog_target: str) -> None:
    with Catalog(catalog_target) as cat:
        ids = _faces(cat)
        alice = take(cat, "alice", 5)
        bob = take(cat, "bob", 5)
        assert alice == ids[:5] and bob == ids[5:10]  # disjoint, in catalog order
        assert take(cat, "alice", 0) == [] and held_ids(cat, "alice") == alice
        cat.decide(alice[:2], "accepted", who="alice")
        assert renew(cat, "alice") == 3  # the decided ones are not renewed
        assert {h.operator: (h.faces, h.pending, h.leased) for h in holdings(cat)} == {
            "alice": (5, 3, 5),
            "bob": (5, 5, 5),
        }
        assert release(cat, "alice") == 5
        assert held_ids(cat, "alice") == []
        rest = take(cat, "carol", 100)
        # carol gets alice's undecided faces back and everything nobody held; never bob's
        assert rest == sorted(set(ids) - set(bob) - set(alice[:2]))
        assert ("alice", "alice", "take", 5) in _log(cat) and ("alice", "alice", "release", 5) in _log(cat)
        with pytest.raises(Exception, match="append-only"):
            cat._db.execute("DELETE FROM assignment_log")


def test_a_lapsed_lease_is_taken_by_the_next_operator(catalog_target: str) -> None:
    with Catalog(catalog_target) as cat:
        ids = _faces(cat, 2, 3)
        gone = take(cat, "crashed", 4, lease_s=-1.0)  # as if its renewals stopped long ago
        assert gone == ids[:4] and held_ids(cat, "crashed") == []
        assert renew(cat, "crashed") == 0  # too late: nothing is its own any more
        assert take(cat, "dora", 10) == ids
        assert take(cat, "crashed", 10) == []


def test_assign_splits_the_pending_faces_in_runs_until_unassigned(catalog_target: str) -> None:
    with Catalog(catalog_target) as cat:
        ids = _faces(cat, 5, 3)  # 15 faces
        cat.decide(ids[:3], "rejected", who="lead")
        given = assign(cat, ["alice", "bob"], who="lead")
        assert given == {"alice": 6, "bob": 6}
        alice, bob = held_ids(cat, "alice"), held_ids(cat, "bob")
        assert not set(alice) & set(bob) and set(alice) | set(bob) == set(ids[3:])
        assert take(cat, "carol", 50) == []  # nothing left nobody holds
        assert release(cat, "alice") == 0  # an assignment is not a lease: it stays
        assert ("lead", "bob", "assign", 6) in _log(cat)
        assert unassign(cat, ["alice"], who="lead") == 6
        assert take(cat, "carol", 50) == alice
        with pytest.raises(Exception, match="each operator once"):
            assign(cat, ["x", "x"])


def test_the_assign_command_splits_by_filter_and_shows_who_holds_what(
    catalog_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Catalog(catalog_target) as cat:
        ids = _faces(cat, 4, 2)  # p0/img0, p1/img1, p0/img2, p1/img3
    assert (
        cli_main(["assign", "--operators", "ann,ben", "--where", "person~p0", "--catalog", catalog_target])
        == 0
    )
    assert "ann 2" in capsys.readouterr().out
    assert cli_main(["assign", "--show", "--json", "--catalog", catalog_target]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {o["operator"]: o["faces"] for o in shown["operators"]} == {"ann": 2, "ben": 2}
    with Catalog(catalog_target) as cat:
        p0 = {f.id for f in cat.faces() if "/p0/" in cat.image(f.image_id).uri}
        assert set(held_ids(cat, "ann")) | set(held_ids(cat, "ben")) == p0
    assert cli_main(["assign", "--clear", "--catalog", catalog_target]) == 0
    with Catalog(catalog_target) as cat:
        assert holdings(cat) == [] and len(ids) == 8


def _taker(target: str, who: str, batch: int, lease_s: float, mode: str) -> subprocess.Popen[str]:
    return start_ready(CHILD, target, who, str(batch), str(lease_s), mode)


def _go(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()


def test_two_processes_take_work_at_once_disjoint_and_a_killed_ones_faces_come_back(
    catalog_target: str,
) -> None:
    with Catalog(catalog_target) as cat:
        ids = _faces(cat, 12, 5)  # 60 faces
    victim = _taker(catalog_target, "victim", 10, 2.0, "hold")
    _go(victim)
    assert victim.stdout is not None
    held = [int(i) for i in victim.stdout.readline().split()[1].split(",")]
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)  # (closes its pipes)
    workers = {who: _taker(catalog_target, who, 4, 30.0, "work") for who in ("alice", "bob")}
    for proc in workers.values():  # both go at once
        _go(proc)
    took: dict[str, list[int]] = {}
    for who, proc in workers.items():
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0 and out.strip().endswith("done"), err
        took[who] = [
            int(i) for line in out.splitlines() if line.startswith("took ") for i in line[5:].split(",")
        ]
    assert not set(took["alice"]) & set(took["bob"])  # nobody reviewed a face twice
    assert sorted(took["alice"] + took["bob"]) == ids  # nothing lost: the victim's faces too
    assert set(held) <= set(took["alice"]) | set(took["bob"])
    assert took["alice"] and took["bob"]  # both worked
    with Catalog(catalog_target) as cat:
        decided = Counter(row.face_id for row in cat.audit())
        assert set(decided) == set(ids) and set(decided.values()) == {1}  # each decided once
        assert {f.decision.who for f in cat.faces()} == {"alice", "bob"}


def _report_ids(capsys: pytest.CaptureFixture[str], target: str, where: str) -> set[int]:
    assert cli_main(["report", "--catalog", target, "--json", "--where", where]) == 0
    report = json.loads(capsys.readouterr().out)
    return {face["id"] for image in report["images"] for face in image["faces"]}


def test_where_assigned_me_decides_only_my_live_faces(
    catalog_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``decide --where 'assigned:me' --accept-qualified`` as alice: alice's faces (assigned, or
    taken with a live lease) only; not bob's, not a lease of hers that ran out, not nobody's."""
    seed_catalog(catalog_target, tmp_path / "photos", 8, 1, varied=False)  # every face qualified
    with Catalog(catalog_target) as cat:
        ids = sorted(face.id for face in cat.faces())
        assign(cat, ["alice"], among=ids[0:2], who="lead")
        assign(cat, ["bob"], among=ids[2:4], who="lead")
        assert take(cat, "alice", 2, lease_s=-1.0) == ids[4:6]  # lapsed: nobody's now
        assert take(cat, "alice", 1, among=[ids[6]]) == [ids[6]]  # leased, live
    mine = {ids[0], ids[1], ids[6]}
    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    assert _report_ids(capsys, catalog_target, "assigned:me") == mine
    assert _report_ids(capsys, catalog_target, "assigned:bob") == {ids[2], ids[3]}
    assert _report_ids(capsys, catalog_target, "assigned:none") == {ids[4], ids[5], ids[7]}
    assert _report_ids(capsys, catalog_target, "not assigned:none and person~p") == mine | {ids[2], ids[3]}
    argv = ["decide", "--catalog", catalog_target, "--accept-qualified", "--where", "assigned:me", "--json"]
    assert cli_main(argv) == 0
    assert json.loads(capsys.readouterr().out)["faces"] == 3
    with Catalog(catalog_target) as cat:
        accepted = {face.id for face in cat.faces() if face.decision.state == "accepted"}
    assert accepted == mine
    # an assigned: term SQL cannot answer (beside a verdict term inside "or") is a clear error
    assert cli_main(["report", "--catalog", catalog_target, "--where", "assigned:me or failed:blur"]) == 2
    assert "assigned:me" in capsys.readouterr().err


def test_assigned_without_the_catalog_is_a_clear_error() -> None:
    from facecurator.domain.filter_python import compile_predicate
    from facecurator.domain.filters import AssignedTest, FilterError, parse

    assert parse("assigned:me") == AssignedTest("me", 0)
    assert parse("assigned:none") == AssignedTest(None, 0)
    assert parse("x assigned:'Bob'") != parse("x assigned:none")
    with pytest.raises(FilterError, match="needs me, none or an operator"):
        parse("assigned:")
    predicate = compile_predicate(parse("assigned:alice"))
    with pytest.raises(FilterError, match="'assigned:alice' is answered by the catalog"):
        predicate(None, None, "pending", "a.jpg", "p")  # type: ignore[arg-type]
