"""The catalog query layer at 25 000 images: SQL filters, sorts and counts agree with the review,
stored verdicts follow the rule set version, and the streamed walks hold one page at a time.

The reference for every answer is :func:`facecurator.services.review.review` over the
whole catalog, evaluated in Python: the SQL must give exactly what a view built from
it would show.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest
from helpers.catalogs import drop_steps_after_6, seed_catalog
from helpers.evaluations import counted_evaluations

from facecurator.domain.filters import natural_key
from facecurator.domain.rules import load_rules
from facecurator.services import browse
from facecurator.services import review as review_module
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.review import iter_review, reasons_text, review, summary

N_IMAGES = 25_000
FACES_PER_IMAGE = 2


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(catalog, source root): 25 000 images x 2 faces, some decided, one image unreadable."""
    base = tmp_path_factory.mktemp("browse")
    path = base / "catalog.sqlite3"
    root = str(base / "gallery")
    seed_catalog(path, root, N_IMAGES, FACES_PER_IMAGE)
    with Catalog(path) as catalog:
        faces = catalog.faces(image_ids=list(range(1, 40)))
        catalog.decide([f.id for f in faces[:30]], "accepted")
        catalog.decide([f.id for f in faces[30:50]], "rejected", reason="test")
        image = catalog.image(7)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE images SET status = 'error', error = 'broken' WHERE id = ?", (image.id,))
    conn.commit()
    conn.close()
    return path, root


def _status_rank(image) -> tuple[int, int, int, int, int, float | None]:
    statuses = [browse.verdict_status(face.verdict) for face in image.faces]
    decisions = [face.decision for face in image.faces]
    blurs = [b for face in image.faces if (b := browse.blur_100(face.face)) is not None]
    return (
        statuses.count("qualified"),
        statuses.count("unqualified"),
        decisions.count("pending"),
        decisions.count("accepted"),
        decisions.count("rejected"),
        min(blurs) if blurs else None,
    )


def test_sql_filters_sorts_and_counts_match_the_review(big: tuple[Path, str]) -> None:
    path, root = big
    rules = load_rules("moderation-2.0")
    with Catalog(path) as catalog:
        assert browse.fill_verdicts(catalog, rules, source_root=root)
        ruleset = browse.ruleset_id(catalog, rules)
        images = review(catalog, rules, source_root=root)
        assert len(images) == N_IMAGES
        info = {image.row.id: (image, _status_rank(image)) for image in images}
        order = [image.row.id for image in images]

        assert q.image_ids(catalog, source_root=root) == order
        expected_filters = {
            "all": order,
            "errors": [i for i in order if info[i][0].row.status == "error"],
            "qualified": [i for i in order if info[i][1][0] > 0],
            "unqualified": [i for i in order if info[i][1][1] > 0],
            "pending": [i for i in order if info[i][1][2] > 0],
            "accepted": [i for i in order if info[i][1][3] > 0],
            "rejected": [i for i in order if info[i][1][4] > 0],
        }
        for name, expected in expected_filters.items():
            got = q.image_ids(catalog, source_root=root, filter_name=name, ruleset=ruleset, sort="group")
            assert sorted(got) == sorted(expected), name
            assert len(expected) > 0, f"the seeded catalog must exercise the {name!r} filter"

        # The name sorts are natural (img_2 before img_10), as the gallery has them; the other
        # sorts break ties by person and name in SQL's plain order.
        by_group = sorted(order, key=lambda i: (info[i][0].row.group, info[i][0].row.name, i))
        row = {i: info[i][0].row for i in order}
        assert q.image_ids(catalog, source_root=root, sort="group", ruleset=ruleset) == sorted(
            order, key=lambda i: (natural_key(row[i].group), natural_key(row[i].name), i)
        )
        assert q.image_ids(catalog, source_root=root, sort="name", ruleset=ruleset) == sorted(
            order, key=lambda i: (natural_key(row[i].name), row[i].source_root, i)
        )
        assert q.image_ids(catalog, source_root=root, sort="faces", ruleset=ruleset) == sorted(
            by_group, key=lambda i: -len(info[i][0].faces)
        )
        assert q.image_ids(catalog, source_root=root, sort="blur", ruleset=ruleset) == sorted(
            by_group, key=lambda i: (info[i][1][5] is None, info[i][1][5] or 0.0)
        )
        assert q.image_ids(catalog, source_root=root, sort="problems", ruleset=ruleset) == sorted(
            by_group, key=lambda i: (info[i][0].row.status != "error", -info[i][1][1])
        )

        faces = [face for image in images for face in image.faces]
        assert q.face_ids(catalog, source_root=root) == [face.id for face in faces]
        for name in ("qualified", "unqualified", "unknown"):
            expected_faces = [f.id for f in faces if browse.verdict_status(f.verdict) == name]
            assert q.face_ids(catalog, source_root=root, filter_name=name, ruleset=ruleset) == expected_faces
        for name in ("pending", "accepted", "rejected"):
            expected_faces = [f.id for f in faces if f.decision == name]
            assert q.face_ids(catalog, source_root=root, filter_name=name, ruleset=ruleset) == expected_faces

        assert q.counts(catalog, source_root=root, ruleset=ruleset) == summary(images)


def test_verdicts_follow_the_rule_set_version(big: tuple[Path, str]) -> None:
    path, root = big
    moderation, strict = load_rules("moderation-2.0"), load_rules("enrollment-strict")
    assert browse.ruleset_key(moderation) != browse.ruleset_key(strict)
    assert browse.ruleset_key(moderation.renamed("edited")) != browse.ruleset_key(moderation)
    with Catalog(path) as catalog:
        assert browse.fill_verdicts(catalog, moderation, source_root=root)
        strict_id = browse.ruleset_id(catalog, strict)
        # The rows on screen first: a fill stopped right after them has stored exactly them.
        first = [101, 102, 103]
        answers = iter([False, True])
        done = browse.fill_verdicts(
            catalog, strict, source_root=root, first=first, is_stale=lambda: next(answers)
        )
        assert not done
        missing = q.images_missing_verdicts(catalog, strict_id, source_root=root, limit=N_IMAGES)
        assert len(missing) == N_IMAGES - 1 - len(first)  # image 7 is unreadable: no faces
        assert not set(first) & set(missing)
        evaluated = [f for image in review(catalog, strict, image_ids=first) for f in image.faces]
        for name in ("qualified", "unqualified"):
            stored = set(
                q.face_ids(catalog, source_root=root, filter_name=name, ruleset=strict_id, image_ids=first)
            )
            assert stored == {f.id for f in evaluated if browse.verdict_status(f.verdict) == name}
        # The other rule set's verdicts are untouched.
        moderation_id = browse.ruleset_id(catalog, moderation)
        assert q.images_missing_verdicts(catalog, moderation_id, source_root=root) == []


def test_iter_review_streams_in_pages_and_equals_the_review(
    big: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, root = big
    rules = load_rules("moderation-2.0")
    pages: list[int] = []
    real_review = review_module.review

    def counting_review(*args, **kwargs):
        result = real_review(*args, **kwargs)
        pages.append(len(result))
        return result

    with Catalog(path) as catalog:
        expected = review(catalog, rules, source_root=root)
        monkeypatch.setattr(review_module, "review", counting_review)
        streamed = iter_review(catalog, rules, source_root=root, page=1000)
        first = next(streamed)
        # the first image comes after one page is read, not the whole catalog: a short first page
        assert pages == [review_module.FIRST_PAGE] and review_module.FIRST_PAGE < 1000
        rest = list(streamed)
    assert [first, *rest] == expected
    assert max(pages) == 1000 and sum(pages) == N_IMAGES


def test_report_json_is_streamed_compact_and_pretty_alike(big: tuple[Path, str], capsys) -> None:
    from facecurator.cli.main import main

    path, root = big
    assert main(["report", "--json", "--catalog", str(path), "--rules", "moderation-2.0"]) == 0
    compact = capsys.readouterr().out
    assert main(["report", "--json", "--pretty", "--catalog", str(path), "--rules", "moderation-2.0"]) == 0
    pretty = capsys.readouterr().out
    assert len(compact) < len(pretty)
    assert compact.count("\n") == N_IMAGES + 2  # "{...[", one line per image, "],summary...}"
    data = json.loads(compact)
    assert data == json.loads(pretty)
    assert list(data) == ["catalog", "rules", "images", "summary", "paid_calls"]
    with Catalog(path) as catalog:
        images = review(catalog, load_rules("moderation-2.0"), source_root=root)
    assert data["summary"] == summary(images)
    assert data["images"][:50] == [image.to_json() for image in images[:50]]


def test_a_schema_4_catalog_gains_the_stored_verdicts_and_keeps_its_batches(tmp_path: Path) -> None:
    """Schema 5 (stored verdicts) upgrades what schema 4 (batch states) wrote, data kept."""
    from facecurator.services.catalog import schema_version

    path = tmp_path / "c.sqlite3"
    seed_catalog(path, str(tmp_path / "g"), 20, 2)
    with Catalog(path) as catalog:
        faces = [f.id for f in catalog.faces()]
        batch = catalog.decide(faces[:3], "accepted")
    raw = sqlite3.connect(path)
    for table in ("verdicts", "rulesets"):
        raw.execute(f"DROP TABLE {table}")
    for index in (
        "images_by_root_nocase",
        "images_by_root_group",
        "images_by_root_status",
        "decisions_by_state",
    ):
        raw.execute(f"DROP INDEX {index}")
    drop_steps_after_6(raw)
    raw.execute("PRAGMA user_version = 4")
    raw.commit()
    raw.close()
    rules = load_rules("moderation-2.0")
    with Catalog(path) as catalog:
        tables = {row[0] for row in catalog._db.execute("SELECT name FROM sqlite_master")}
        assert {"verdicts", "rulesets", "decisions_by_state", "images_by_root_status"} <= tables
        states = catalog._db.execute("SELECT id, state FROM batches").fetchall()
        assert states == [(batch, "complete")]  # schema 4's batch state kept
        assert [f.decision.state for f in catalog.faces()][:4] == ["accepted"] * 3 + ["pending"]
        assert browse.fill_verdicts(catalog, rules)
        counts = q.counts(catalog, source_root=None, ruleset=browse.ruleset_id(catalog, rules))
        assert counts == summary(review(catalog, rules))
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 6
    raw.close()


def test_a_schema_5_catalog_drops_its_verdicts_without_outcomes(tmp_path: Path) -> None:
    """Schema 6 stores the per-condition outcomes: verdicts stored before (without them) are
    dropped, refilled, and ``failed:x`` is then answered in SQL with no Python residual."""
    from facecurator.domain.filters import is_everything
    from facecurator.services.filtering import face_filter, face_ids_where

    path = tmp_path / "c.sqlite3"
    seed_catalog(path, str(tmp_path / "g"), 20, 2)
    rules = load_rules("moderation-2.0")
    with Catalog(path) as catalog:
        assert browse.fill_verdicts(catalog, rules)
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE verdicts DROP COLUMN outcomes")
    drop_steps_after_6(raw)
    raw.execute("PRAGMA user_version = 5")
    raw.commit()
    raw.close()
    node = face_filter("failed:no_sunglasses", rules).node
    with Catalog(path) as catalog:
        assert catalog._db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 0
        ruleset = browse.ruleset_id(catalog, rules)
        assert q.images_missing_verdicts(catalog, ruleset, source_root=None, limit=1)
        assert browse.fill_verdicts(catalog, rules)
        ids, residual = face_ids_where(catalog, node, ruleset=ruleset)
        faces = [face for image in review(catalog, rules) for face in image.faces]
    assert is_everything(residual)
    assert ids == [face.id for face in faces if face_filter("failed:no_sunglasses", rules).matches(face)]


def test_bulk_decisions_take_their_targets_from_the_stored_verdicts(
    big: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``decide`` at scale: the targets are one SQL query over the stored verdicts (nothing is
    read or evaluated when a view stored them), and they are exactly what the review decides."""
    import shutil

    path, root = big
    copy = tmp_path / "catalog.sqlite3"
    shutil.copy2(path, copy)
    rules = load_rules("moderation-2.0")
    with Catalog(copy) as catalog:
        faces = [face for image in review(catalog, rules) for face in image.faces]
        qualified = {f.id for f in faces if f.decision == "pending" and f.verdict.qualified}
        unqualified = {
            f.id: "; ".join(f.verdict.reasons) or "unqualified"
            for f in faces
            if f.decision == "pending" and not f.verdict.qualified
        }
        assert qualified and unqualified
        assert browse.fill_verdicts(catalog, rules, source_root=root)  # as the gallery does on open
        real_review, reads = review_module.review, []

        def counting_review(*args, **kwargs):
            reads.append(len(kwargs.get("image_ids") or []))
            return real_review(*args, **kwargs)

        monkeypatch.setattr(review_module, "review", counting_review)
        accepted = review_module.accept_qualified(catalog, rules, source_root=root)
        assert reads == []  # no row read, no face evaluated
        assert accepted.count == len(qualified) and len(accepted.batch_ids) == 1
        audit = {row.face_id: row for row in catalog.audit() if row.batch_id in accepted.batch_ids}
        assert set(audit) == qualified

        evaluated = counted_evaluations(monkeypatch)
        rejected = review_module.reject_unqualified(catalog, rules, source_root=root)
        # No image is read again: only the targets are evaluated (for their reasons, stored with
        # their verdicts), a chunk of faces at a time.
        assert reads == []
        assert 0 < sum(evaluated) <= len({f.id for f in faces if not f.verdict.qualified})
        assert max(evaluated) <= browse.REASONS_CHUNK
        audit = {row.face_id: row.reason for row in catalog.audit() if row.batch_id in rejected.batch_ids}
        assert audit == unqualified


def test_the_fill_in_a_child_process_stores_what_the_fill_stores(tmp_path: Path) -> None:
    """The GUI's verdict fill runs in a spawned process: the same rows, and a stopped fill
    closes its catalog (no unclean-shutdown marker left behind)."""
    from facecurator.services.verdict_fill import fill_verdicts_apart, stop_lingering

    rules = load_rules("moderation-2.0")
    path = tmp_path / "c.sqlite3"
    seed_catalog(path, str(tmp_path / "g"), 300, 2)
    assert not fill_verdicts_apart(path, rules, is_stale=lambda: True)  # stopped at once
    assert fill_verdicts_apart(path, rules, chunk=100)
    with Catalog(path) as catalog:
        ruleset = browse.ruleset_id(catalog, rules)
        assert q.images_missing_verdicts(catalog, ruleset) == []
        assert q.counts(catalog, ruleset=ruleset) == summary(review(catalog, rules))
    stop_lingering()  # as the window closing does: a child still storing reasons stops
    assert not list(tmp_path.glob(".*open-*"))  # every process closed the catalog


def test_the_fill_in_a_child_process_then_stores_the_reasons(tmp_path: Path) -> None:
    """Once it answered (every verdict stored), the GUI's fill child stores the reasons of the
    verdicts not qualified, so a rejection after a gallery showed the source evaluates nothing;
    stopped (the window closing, the next fill) it closes the catalog."""
    from facecurator.services.verdict_fill import fill_verdicts_apart, stop_lingering, wait_lingering

    rules = load_rules("moderation-2.0")
    path = tmp_path / "c.sqlite3"
    seed_catalog(path, str(tmp_path / "g"), 300, 2)
    assert fill_verdicts_apart(path, rules, chunk=100)
    wait_lingering(120)
    with Catalog(path) as catalog:
        ruleset = browse.ruleset_id(catalog, rules)
        stored = dict(
            catalog._db.execute("SELECT face_id, reasons FROM verdicts WHERE ruleset = ?", (ruleset,))
        )
        faces = [face for image in review(catalog, rules) for face in image.faces]
    unqualified = {face.id: reasons_text(face.verdict) for face in faces if not face.verdict.qualified}
    assert len(unqualified) > 100 and {face: stored[face] for face in unqualified} == unqualified
    other = load_rules("enrollment-strict")
    assert fill_verdicts_apart(path, other)
    stop_lingering()  # stopped at once, or done: either way the catalog is closed
    assert not list(tmp_path.glob(".*open-*"))


def test_a_process_leaving_while_its_fill_child_stores_reasons_closes_the_catalog(tmp_path: Path) -> None:
    """The reasons child is stopped on the way out (it finishes its chunk and closes the catalog),
    not terminated mid-write by multiprocessing's exit hook: no catalog is left marked in use."""
    import subprocess

    path = tmp_path / "c.sqlite3"
    seed_catalog(path, str(tmp_path / "g"), 3000, 3)  # its reasons take longer than the exit
    helper = Path(__file__).parent / "helpers" / "fill_and_exit.py"
    proc = subprocess.run(
        [sys.executable, str(helper), str(path)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "True", proc.stderr
    assert not list(tmp_path.glob(".*open-*")), "a process left the catalog marked as in use"
