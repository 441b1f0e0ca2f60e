"""Keyset pages of a source's faces in Triage's order (services/catalog/face_pages.py), on both
backends: every page (after, before, from a key, from the start or walked back from the end),
sample (whole or a chunk at a time), rank (also in one pass: rank_far) and count agrees with
Triage's whole list, for all faces and for a decision state with faces kept and dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from helpers.catalogs import seed_catalog

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import pages as p
from facecurator.services.catalog import queries as q
from facecurator.services.catalog.face_pages import FacePages, latest_changes


def _walk(source: FacePages, catalog: Catalog) -> list[int]:
    walked: list[tuple[str, int, int, int]] = []
    while keys := source.page(catalog, after=walked[-1] if walked else None, limit=37):
        assert len(keys) <= 37
        walked.extend(keys)
    return [k[-1] for k in walked]


def test_face_pages_follow_triages_order(catalog_target: str, tmp_path: Path) -> None:
    root = tmp_path / "photos"
    seed_catalog(catalog_target, root, 120, 3)
    with Catalog(catalog_target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[::4], "accepted")
        pending = q.face_ids(catalog, source_root=str(root), filter_name="pending")
        for source, whole in ((FacePages(str(root)), every), (FacePages(str(root), "pending"), pending)):
            assert source.count(catalog) == len(whole)
            assert _walk(source, catalog) == whole
            keys = source.page(catalog, limit=len(whole))
            assert [k[-1] for k in source.page(catalog, before=keys[100], limit=40)] == whole[60:100]
            assert [k[-1] for k in source.page(catalog, start=keys[50], offset=7, limit=5)] == whole[57:62]
            assert [k[-1] for k in source.page(catalog, offset=5, limit=9, backward=True)] == whole[-14:-5]
            whole_sample = source.sample(catalog, 16)
            assert [k[-1] for k in whole_sample] == whole[::16]
            chunks = source.sample(catalog, 16, rows=64)  # 4 keys a chunk, each from the last key
            while len(found := source.sample(catalog, 16, start=chunks[-1], rows=64)) > 1:
                chunks.extend(found[1:])
            assert chunks == whole_sample
            picked = source.keys_of(catalog, [whole[0], whole[123], whole[-1], 10**9])
            assert set(picked) == {whole[0], whole[123], whole[-1]}
            assert [source.rank(catalog, picked[i]) for i in (whole[0], whole[123], whole[-1])] == [
                0, 123, len(whole) - 1
            ]  # fmt: skip
            assert source.rank(catalog, picked[whole[123]], keys[100]) == 23  # from a sampled key
            # counted in one pass over the view (faces first), the same rows
            assert [source.rank_far(catalog, picked[i]) for i in (whole[0], whole[123], whole[-1])] == [
                0, 123, len(whole) - 1
            ]  # fmt: skip
            # (given the view's rows: as those less the rows from the key on)
            assert [source.rank_far(catalog, picked[i], len(whole)) for i in (whole[123], whole[-1])] == [
                123, len(whole) - 1
            ]  # fmt: skip
        # the pending faces counted as every face less the decided ones (an undone decision is
        # a decision row in state "pending": still pending), and the decided states' views
        accepted = q.face_ids(catalog, source_root=str(root), filter_name="accepted")
        assert FacePages(str(root)).count(catalog, pending=True) == len(pending)
        assert FacePages(str(root), "accepted").count(catalog) == len(accepted) == len(every) - len(pending)
        assert FacePages(str(root), "rejected").count(catalog) == 0
        # a decision-state view keeps the faces it showed and leaves out those that came to it
        view = FacePages(str(root), "pending")
        catalog.decide(pending[:3], "rejected")
        undone = catalog.undo(batch_id=_batch_of(catalog, every[0]))
        assert undone and every[0] in undone
        changes = latest_changes(catalog, [*pending[:3], every[0]])
        assert changes[pending[0]] == ("pending", "rejected") and changes[every[0]] == ("accepted", "pending")
        view.kept.update(pending[:3])
        view.dropped.update(undone)
        assert _walk(view, catalog) == pending and view.count(catalog) == len(pending)
        kept = view.keys_of(catalog, [pending[1], pending[200]])
        assert [view.rank_far(catalog, kept[i]) for i in (pending[1], pending[200])] == [1, 200]
        assert [view.rank_far(catalog, kept[i], len(pending)) for i in (pending[1], pending[200])] == [1, 200]
        assert view.count(catalog, pending=True) == len(pending) - 3
        fresh = FacePages(str(root), "pending")  # counted again: without the rejected, with the undone
        assert fresh.count(catalog) == fresh.count(catalog, pending=True) == len(pending) - 3 + len(undone)
        assert FacePages(str(root)).count(catalog, pending=True) == len(pending) - 3 + len(undone)
        assert p.keyset("x = 1", "a, b", {}, backward=True) == ("x = 1", "a DESC, b DESC")
        images = p.page(catalog, str(root), limit=120)  # the images' rank from a key, the same way
        assert p.rank(catalog, str(root), images[77], images[70]) == 7
        assert p.rank(catalog, str(root), images[77]) == 77


def _batch_of(catalog: Catalog, face_id: int) -> int:
    with catalog._reading("a batch") as db:
        row = db.execute("SELECT max(batch_id) FROM audit WHERE face_id = :f", {"f": face_id}).fetchone()
    return int(row[0])


def test_face_keys_are_read_by_id_not_by_walking_the_source(tmp_path: Path) -> None:
    """``keys_of`` (a go-to's and a new face's key, read on the GUI thread) starts from the face
    ids: its SQLite steps stay a small fraction of a walk of the source's faces (the images-first
    join walked every image: 0.86 s for one face of 300 000, seconds at 3 000 000). SQLite only:
    PostgreSQL's planner picks the order itself (by its statistics, not the query's)."""
    target, root = str(tmp_path / "c.sqlite3"), tmp_path / "photos"
    seed_catalog(target, root, 600, 3)
    with Catalog(target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[::4], "accepted")
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        for source in (FacePages(str(root)), FacePages(str(root), "pending")):
            catalog._db.set_progress_handler(step, 1)
            steps[0] = 0
            assert set(source.keys_of(catalog, [every[901], every[902]])) == {every[901], every[902]}
            by_id, steps[0] = steps[0], 0
            source.count(catalog)
            walked = steps[0]
            catalog._db.set_progress_handler(None, 1)
            assert by_id * 50 < walked, (by_id, walked)


def _plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child)


def test_postgresql_pages_read_the_walked_images_faces_by_index(pg_url: str, tmp_path: Path) -> None:
    """On PostgreSQL a page of faces (and an OFFSET walk: a far page's error, a go-to's look
    ahead, the sample's chunks) reads each walked image's faces by the faces' unique index, the
    walk first: its plan scans no face it does not return or skip. As ``i.id IN (walk)`` it
    hashed the walked ids against a scan of every image and every face (1.35-1.65 s for a walk
    of 23 000 rows at 1M / 3M, 2.3 s for 65 536; 0.09-0.2 / 0.3-0.46 s now). A far row of every
    face (``rank_far``) reads no face but its own image's. PostgreSQL only."""
    root = tmp_path / "photos"
    seed_catalog(pg_url, root, 400, 3)
    with Catalog(pg_url) as catalog:
        catalog._db.execute("ANALYZE")
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[::4], "accepted")
        statements: list[tuple[str, Any]] = []
        execute = catalog._db.execute

        def traced(sql: str, parameters: Any = None) -> Any:
            statements.append((sql, parameters))
            return execute(sql, parameters)

        catalog._db.execute = traced  # type: ignore[method-assign]
        for source in (FacePages(str(root)), FacePages(str(root), "pending")):
            keys = source.page(catalog, offset=300, limit=5)
            source.page(catalog, start=keys[0], offset=200, limit=3)
            source.page(catalog, before=keys[-1], offset=150, limit=3)
        pages = [(sql, params) for sql, params in statements if "ORDER BY" in sql and "LIMIT :limit" in sql]
        assert len(pages) >= 6
        # a far row of every face counted from the images' detections (each one's face count), not
        # from a join of every face with its image (a hash join whose every row went through the
        # Gather: 1.9-2.5 s at 70 % of 3M faces under load 8; 0.98 s)
        # (a decision state's: its decided faces from the decisions, "pending" every face less them)
        pending = q.face_ids(catalog, source_root=str(root), filter_name="pending")
        ranks: list[tuple[str, Any]] = []
        for source, whole in ((FacePages(str(root)), every), (FacePages(str(root), "pending"), pending)):
            key = source.keys_of(catalog, [whole[700]])[whole[700]]
            statements[:] = []
            assert source.rank_far(catalog, key) == source.rank_far(catalog, key, len(whole)) == 700
            assert len(statements) == 2  # (one statement each)
            if source.state is None:  # (a decision state's decided faces: as the planner sees fit)
                ranks += statements
        catalog._db.execute = execute  # type: ignore[method-assign]
        for sql, params in [*pages, *ranks]:
            plan = execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchone()[0][0]["Plan"]
            scans = {n["Node Type"] for n in _plan_nodes(plan) if n.get("Relation Name") == "faces"}
            assert scans and scans <= {"Index Scan", "Index Only Scan"}, (scans, sql)


def test_a_views_sample_in_one_pass_is_the_walked_sample(catalog_target: str, tmp_path: Path) -> None:
    """``sample_counted`` (a view's every ``step``-th key from its faces counted per image, one
    pass; ``sample_whole`` on PostgreSQL) gives the keys the OFFSET walk gives, for all faces and
    decision states, with images of one, two and three faces (an image holding two sampled rows
    included); ``sample_whole`` is None once faces are kept or dropped (the view's rows are then
    not its state's: walked)."""
    root = tmp_path / "photos"
    seed_catalog(catalog_target, root, 90, 3)
    with Catalog(catalog_target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[::3] + every[1::7], "accepted")
        for state in (None, "pending", "accepted"):
            source = FacePages(str(root), state)
            for step in (1, 2, 5, 16, 1000):
                assert source.sample_counted(catalog, step) == source.sample(catalog, step), (state, step)
            # taken so on PostgreSQL only (SQLite walks its cheap chunks)
            whole = source.sample_whole(catalog, 16)
            assert whole == (source.sample(catalog, 16) if catalog.dialect == "postgresql" else None)
        kept = FacePages(str(root), "pending", kept={every[0]})
        assert kept.sample_whole(catalog, 16) is None


def test_a_sparse_decision_states_far_page_is_read_from_its_decisions(
    catalog_target: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """An accepted view whose faces all lie at the start of the source: its pages read back from
    the end and from the start agree with Triage's list, with faces kept and dropped; on
    PostgreSQL a page whose walk of the images found no whole page is read from the decisions
    (the images walked stay few: not every image back to the decided ones)."""
    from facecurator.services.catalog import face_pages

    monkeypatch.setattr(face_pages, "DECIDED_WALK", 64)  # (the walk's first widening: 256 images)
    root = tmp_path / "photos"
    seed_catalog(catalog_target, root, 400, 2)
    with Catalog(catalog_target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[:90], "accepted")
        catalog.decide(every[90:95], "rejected")
        view = FacePages(str(root), "accepted")
        assert view.sparse and not FacePages(str(root)).sparse
        walks: list[int] = []
        walk = view._walk
        monkeypatch.setattr(view, "_walk", lambda *a: (walks.append(a[-1]), walk(*a))[1])
        accepted = every[:90]
        assert [k[-1] for k in view.page(catalog, offset=0, limit=10, backward=True)] == accepted[-10:]
        assert [k[-1] for k in view.page(catalog, offset=3, limit=10, backward=True)] == accepted[-13:-3]
        assert [k[-1] for k in view.page(catalog, limit=7)] == accepted[:7]
        keys = view.page(catalog, limit=90)
        assert [k[-1] for k in view.page(catalog, after=keys[84], limit=20)] == accepted[85:]
        assert max(walks, default=0) <= 256, walks  # (from the end: 800 faces, 400 images, walked)
        # a face decided since the view was counted stays; one that came to it since does not
        catalog.decide(accepted[-1:], "rejected")
        catalog.decide(every[200:201], "accepted")
        view.kept.add(accepted[-1])
        view.dropped.add(every[200])
        assert [k[-1] for k in view.page(catalog, offset=0, limit=4, backward=True)] == accepted[-4:]
        assert _walk(view, catalog) == accepted


def test_the_next_pending_face_of_a_view_follows_its_order_and_its_faces(
    catalog_target: str, tmp_path: Path
) -> None:
    """FacePages.next_pending (A / R's next face beyond a paged grid's held pages): the first face
    of the view after a key that is pending now, as Triage's whole list says -- every face's view,
    a "Pending" view with faces decided and put back since it was counted (kept, dropped), an
    "Accepted" view with faces put back (kept) -- and None when none is after the key."""
    root = tmp_path / "photos"
    seed_catalog(catalog_target, root, 120, 3)
    with Catalog(catalog_target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[::4] + every[1:200:3], "accepted")
        pending = q.face_ids(catalog, source_root=str(root), filter_name="pending")
        accepted = q.face_ids(catalog, source_root=str(root), filter_name="accepted")
        # since the views were counted: three pending faces decided, one of them put back, and
        # two accepted ones put back
        catalog.decide(pending[:3], "rejected")
        catalog.decide([pending[1], accepted[0], accepted[-5]], "pending")
        views = (
            FacePages(str(root)),
            FacePages(
                str(root), "pending", kept=set(pending[:3]), dropped={pending[1], accepted[0], accepted[-5]}
            ),
            FacePages(str(root), "accepted", kept={accepted[0], accepted[-5]}, dropped={pending[1]}),
            FacePages(str(root), "rejected"),
        )
        now = set(q.face_ids(catalog, source_root=str(root), filter_name="pending"))
        for view in views:
            keys = view.page(catalog, limit=len(every))
            assert [k[-1] for k in keys] == _walk(view, catalog)
            for at in (0, 1, 2, 3, len(keys) // 2, len(keys) - 6, len(keys) - 1):
                if 0 <= at < len(keys):
                    wanted = next((k for k in keys[at + 1 :] if k[-1] in now), None)
                    assert view.next_pending(catalog, keys[at]) == wanted, (view.state, at)
            assert view.next_pending(catalog, None) == next((k for k in keys if k[-1] in now), None)
        assert views[1].next_pending(catalog, None)[-1] == pending[1]  # type: ignore[index]
        assert views[2].next_pending(catalog, None)[-1] == accepted[0]  # type: ignore[index]
        assert views[3].next_pending(catalog, None) is None


def test_a_far_pending_face_is_read_in_one_walk_of_the_images_from_the_key(
    catalog_target: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """PostgreSQL's page walks the images from its key: a short walk, then (no whole page in it)
    every image from the key in one statement, cut short by its LIMIT. It widened the walk x4
    instead, each size read twice (the page, then a count of the images walked): a next pending
    face 300 000 faces on at 200 000 images walked 64, 64, 256, 256 ... 262 144 images, 1.7 s
    (look19: 0.7 s). The faces found are Triage's, with faces dropped from a "Pending" view."""
    from facecurator.services.catalog import face_pages

    monkeypatch.setattr(face_pages, "WHOLE_WALK", 64)
    root = tmp_path / "photos"
    seed_catalog(catalog_target, root, 400, 2)
    with Catalog(catalog_target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[:700], "accepted")
        keys = FacePages(str(root)).page(catalog, limit=len(every))
        assert [k[-1] for k in keys] == every
        postgresql = catalog.dialect == "postgresql"
        walks: list[int | None] = []
        walk = FacePages._walk
        monkeypatch.setattr(FacePages, "_walk", lambda *a: (walks.append(a[-1]), walk(*a))[1])
        for view, wanted in (
            (FacePages(str(root)), 700),
            (FacePages(str(root), "pending"), 700),
            (FacePages(str(root), "pending", dropped={every[700], every[701]}), 702),
        ):
            walks.clear()
            assert view.next_pending(catalog, keys[10]) == keys[wanted]
            assert walks == ([64, None] if postgresql else []), walks
            walks.clear()
            found = [k[-1] for k in view.page(catalog, after=keys[10], limit=5)] if view.state else []
            assert found == (every[wanted : wanted + 5] if view.state else [])
            assert walks == ([64, None] if postgresql and view.state else []), walks
