"""A Find SQL cannot answer whole (verdict terms while some verdicts are not stored) is decided a
batch of images at a time (services/find_rest.py): the images kept are exactly those with a face
the Python predicate selects, in the view's order; a stored verdict decides its face in SQL, so
only the faces without one are evaluated; with every verdict stored SQL answers whole. Both
backends."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog
from helpers.evaluations import counted_evaluations

from facecurator.domain.filters import FilterError
from facecurator.domain.rules import DEFAULT_PRESET, load_rules
from facecurator.services import browse
from facecurator.services.catalog import Catalog, views
from facecurator.services.filtering import face_filter, find_plan
from facecurator.services.find_rest import FindRest
from facecurator.services.review import review

N_IMAGES = 300
FACES = 2
#: The images (every third) whose faces have no stored verdict.
UNSTORED = "SELECT id FROM faces WHERE image_id % 3 = 0"

EXPRESSIONS = (
    "failed:pose_yaw",
    "not failed:blur",
    "qualified=yes and yaw>5",
    "failed:blur or person~p3",
    "status=unqualified and not (failed:blur and blur>40)",
)


@pytest.fixture
def half_stored(catalog_target: str, tmp_path: Path) -> tuple[str, str]:
    """(catalog target, source root): every face's verdict stored but those of every third image."""
    root = str(tmp_path / "gallery")
    seed_catalog(catalog_target, root, N_IMAGES, FACES)
    with Catalog(catalog_target) as catalog:
        assert browse.fill_verdicts(catalog, load_rules(DEFAULT_PRESET))
        catalog._db.execute(f"DELETE FROM verdicts WHERE face_id IN ({UNSTORED})")
        if hasattr(catalog._db, "commit"):
            catalog._db.commit()
    return catalog_target, root


def _kept(
    catalog: Catalog,
    expression: str,
    root: str,
    sort: str = "name",
    hold: Callable[[FindRest], bool] | None = None,
) -> tuple[list[int], FindRest]:
    rules = load_rules(DEFAULT_PRESET)
    ruleset = browse.ruleset_id(catalog, rules)
    plan = find_plan(catalog, face_filter(expression, rules).node, source_root=root, ruleset=ruleset)
    assert not plan.whole, expression
    sql = views.view_sql("all", sort, source_root=root, ruleset=ruleset, extra=plan.may)
    finder = FindRest(plan, rules, source_root=root, groups=sort == "group")
    if hold is not None:
        finder.hold = lambda: hold(finder)
    kept = array("q")
    for chunk in finder.chunks(catalog, views.view_chunks(catalog, *sql)):
        kept.extend(chunk)
    return list(kept), finder


def _expected(catalog: Catalog, expression: str, root: str, sort: str = "name") -> list[int]:
    """The images with a face the Python predicate selects, in the view's order."""
    rules = load_rules(DEFAULT_PRESET)
    selected = face_filter(expression, rules)
    passing = {
        image.row.id for image in review(catalog, rules, source_root=root) if selected.select(image.faces)
    }
    ruleset = browse.ruleset_id(catalog, rules)
    everything = views.view_sql("all", sort, source_root=root, ruleset=ruleset)
    return [i for chunk in views.view_chunks(catalog, *everything) for i in chunk if i in passing]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_a_find_sql_cannot_answer_keeps_what_python_selects(
    half_stored: tuple[str, str], expression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, root = half_stored
    with Catalog(target) as catalog:
        expected = _expected(catalog, expression, root)
        assert 0 < len(expected) < N_IMAGES, expression  # the expression selects some, not all
        evaluated = counted_evaluations(monkeypatch)
        kept, finder = _kept(catalog, expression, root)
        assert kept == expected, expression
        assert finder.found == len(expected) and finder.checked >= len(expected)
        # only faces without a stored verdict were evaluated: at most every third image's
        assert 0 < sum(evaluated) <= (N_IMAGES // 3) * FACES, (expression, sum(evaluated))


def test_a_held_find_evaluates_nothing_while_held(
    half_stored: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing that may hold (a view listed as the open began, its fill storing the verdicts)
    waits, once HOLD_AFTER images are kept, before a step that would evaluate faces, as long as
    ``hold()`` says; then goes on and keeps the same images."""
    from facecurator.services import find_rest

    monkeypatch.setattr(find_rest, "BATCH", 10)
    monkeypatch.setattr(find_rest, "HOLD_AFTER", 5)
    monkeypatch.setattr(find_rest, "HOLD_S", 0)
    looks: list[tuple[int, int]] = []  # (images kept, faces evaluated) at each look while held

    def hold(finder: FindRest) -> bool:
        looks.append((finder.found, finder.evaluated))
        return len(looks) < 4

    target, root = half_stored
    with Catalog(target) as catalog:
        expected = _expected(catalog, "not failed:blur", root)
        kept, _finder = _kept(catalog, "not failed:blur", root, hold=hold)
    assert kept == expected
    assert len(looks) >= 4 and looks[0][0] >= 5
    assert len(set(looks[:4])) == 1, looks  # nothing kept or evaluated while held


def test_a_find_under_the_person_sort_counts_its_persons(half_stored: tuple[str, str]) -> None:
    target, root = half_stored
    with Catalog(target) as catalog:
        expected = _expected(catalog, "failed:pose_yaw", root, "group")
        kept, finder = _kept(catalog, "failed:pose_yaw", root, "group")
        assert kept == expected
        groups = {catalog.image(i).group for i in expected}
        assert finder.group_sizes == {
            g: sum(1 for i in expected if catalog.image(i).group == g) for g in groups
        }


def test_a_find_stops_between_batches(half_stored: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from facecurator.services import find_rest

    monkeypatch.setattr(find_rest, "BATCH", 10)
    target, root = half_stored
    with Catalog(target) as catalog:
        rules = load_rules(DEFAULT_PRESET)
        ruleset = browse.ruleset_id(catalog, rules)
        plan = find_plan(
            catalog, face_filter("not failed:blur", rules).node, source_root=root, ruleset=ruleset
        )
        finder = FindRest(plan, rules, source_root=root)
        candidates = views.view_chunks(
            catalog, *views.view_sql("all", "name", source_root=root, ruleset=ruleset)
        )
        batches: list[array[int]] = []
        for kept in finder.chunks(catalog, candidates, stop=lambda: len(batches) >= 3):
            batches.append(kept)
        assert len(batches) == 3 and finder.checked == 30


def test_sql_answers_whole_once_every_verdict_is_stored(half_stored: tuple[str, str]) -> None:
    target, root = half_stored
    with Catalog(target) as catalog:
        rules = load_rules(DEFAULT_PRESET)
        ruleset = browse.ruleset_id(catalog, rules)
        assert browse.fill_verdicts(catalog, rules)
        for expression in EXPRESSIONS:
            plan = find_plan(catalog, face_filter(expression, rules).node, source_root=root, ruleset=ruleset)
            assert plan.whole, expression
        with pytest.raises(FilterError):  # who holds a face: only the catalog knows
            catalog._db.execute(f"DELETE FROM verdicts WHERE face_id IN ({UNSTORED})")
            if hasattr(catalog._db, "commit"):
                catalog._db.commit()
            find_plan(
                catalog,
                face_filter("assigned:me or failed:blur", rules).node,
                source_root=root,
                ruleset=ruleset,
            )


@pytest.mark.parametrize(("expression", "state"), [(EXPRESSIONS[0], "all"), (EXPRESSIONS[4], "pending")])
def test_triage_s_find_keeps_the_faces_python_selects(
    half_stored: tuple[str, str], expression: str, state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facecurator.services.catalog import queries as q
    from facecurator.services.find_rest import face_view_sql

    target, root = half_stored
    with Catalog(target) as catalog:
        rules = load_rules(DEFAULT_PRESET)
        ruleset = browse.ruleset_id(catalog, rules)
        selected = face_filter(expression, rules)
        passing = {
            f.id for image in review(catalog, rules, source_root=root) for f in selected.select(image.faces)
        }
        expected = [i for i in q.face_ids(catalog, source_root=root, filter_name=state) if i in passing]
        assert 0 < len(expected) < N_IMAGES * FACES
        plan = find_plan(catalog, selected.node, source_root=root, ruleset=ruleset)
        evaluated = counted_evaluations(monkeypatch)
        finder = FindRest(plan, rules, source_root=root)
        sql = face_view_sql(state, source_root=root, ruleset=ruleset, plan=plan, dialect=catalog.dialect)
        kept = [
            i for chunk in finder.chunks(catalog, views.view_chunks(catalog, *sql), faces=True) for i in chunk
        ]
        assert kept == expected
        assert 0 < sum(evaluated) <= (N_IMAGES // 3) * FACES


@pytest.mark.parametrize("faces", [False, True], ids=["gallery", "triage"])
def test_verdicts_stored_while_a_batch_is_decided_lose_no_face(
    half_stored: tuple[str, str], faces: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open's fill (another connection) stores the missing verdicts while a batch is being
    decided, between the batch's two reads (the faces a stored verdict decides, the faces left to
    evaluate): a face without a verdict at the first read and with one at the second was in
    neither and dropped (PostgreSQL: each statement reads what is committed as it starts; SQLite
    too once the view's query answered its last row). Seen once in tests/gui/test_find_listed.py:
    6 images missing from the gallery's Find on PostgreSQL; Triage's short of its faces."""
    from facecurator.services import find_rest
    from facecurator.services.catalog import queries as q
    from facecurator.services.find_rest import face_view_sql

    target, root = half_stored
    expression = "failed:pose_yaw"
    rules = load_rules(DEFAULT_PRESET)
    with Catalog(target) as catalog, Catalog(target) as fill:
        ruleset = browse.ruleset_id(catalog, rules)
        selected = face_filter(expression, rules)
        if faces:
            passing = {
                f.id
                for image in review(catalog, rules, source_root=root)
                for f in selected.select(image.faces)
            }
            expected = [i for i in q.face_ids(catalog, source_root=root) if i in passing]
        else:
            expected = _expected(catalog, expression, root)
        plan = find_plan(catalog, selected.node, source_root=root, ruleset=ruleset)
        assert not plan.whole
        ids_json, reads = find_rest._ids_json, []

        def fill_between(ids):  # (each read of a batch makes its ids' JSON just before it runs)
            reads.append(len(ids))
            if len(reads) == 2:  # between the first batch's two reads: every verdict stored
                assert browse.fill_verdicts(fill, rules, source_root=root)
            return ids_json(ids)

        monkeypatch.setattr(find_rest, "_ids_json", fill_between)
        finder = FindRest(plan, rules, source_root=root)
        sql = (
            face_view_sql("all", source_root=root, ruleset=ruleset, plan=plan)
            if faces
            else views.view_sql("all", "name", source_root=root, ruleset=ruleset, extra=plan.may)
        )
        kept = [
            i
            for chunk in finder.chunks(catalog, views.view_chunks(catalog, *sql), faces=faces)
            for i in chunk
        ]
        assert len(reads) >= 2
        assert kept == expected


def test_triage_s_verdict_view_streams_its_head_on_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Triage's listing of a verdict filter (and of a Find) on PostgreSQL starts with the faces of
    the source's first HEAD_IMAGES images in name order, each image's read by the faces' unique
    index as they come (its first rows at once), then the rest joined whole: its cursor's plan is
    those two parts in turn, the first reading faces by that index only, and it lists the same
    faces in the same order as SQLite's form, with the head's images fewer or more than the
    source's. Joined whole from the start, the server hashed every face against every image and
    sorted the lot before the first row: "unqualified" at 1M / 3M faces listed its first rows
    8.6-27.6 s after the query (load 4-18), 0.03 s so (every row 9.4 s, 9.3 s before)."""
    from facecurator.services import find_rest
    from facecurator.services.catalog import queries as q
    from facecurator.services.catalog.dialect import to_postgres
    from facecurator.services.find_rest import face_view_sql

    root = str(tmp_path / "gallery")
    seed_catalog(pg_url, root, N_IMAGES, FACES)
    with Catalog(pg_url) as catalog:
        rules = load_rules(DEFAULT_PRESET)
        assert browse.fill_verdicts(catalog, rules)
        catalog._db.execute("ANALYZE")
        ruleset = browse.ruleset_id(catalog, rules)
        plan = find_plan(catalog, face_filter("yaw>5", rules).node, source_root=root, ruleset=ruleset)
        for head in (N_IMAGES // 3, N_IMAGES * 2):  # (the rest: two thirds of the images, then none)
            monkeypatch.setattr(find_rest, "HEAD_IMAGES", head)
            for name, found in (("unqualified", None), ("qualified", None), ("all", None), ("all", plan)):
                sql, params = face_view_sql(
                    name, source_root=root, ruleset=ruleset, plan=found, dialect="postgresql"
                )
                listed = [i for chunk in views.view_chunks(catalog, sql, params) for i in chunk]
                whole = q.face_ids(catalog, source_root=root, filter_name=name, ruleset=ruleset)
                if found is None:
                    assert listed == whole, (head, name)
                else:  # (the faces that may pass: the ones the plan's SQL keeps, in order)
                    assert listed and set(listed) <= set(whole) and listed == sorted(listed, key=whole.index)
                raw = catalog._db.raw
                with raw.transaction():
                    raw.execute("SET LOCAL jit = off")
                    shown = raw.execute(
                        f"EXPLAIN (FORMAT JSON) DECLARE c CURSOR FOR {to_postgres(sql)}", params
                    )
                    top = shown.fetchone()[0][0]["Plan"]
                assert top["Node Type"] == "Append", (name, top["Node Type"])
                first = {n["Node Type"] for n in _nodes(top["Plans"][0]) if n.get("Relation Name") == "faces"}
                assert first and first <= {"Index Scan", "Index Only Scan"}, (name, first)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)
