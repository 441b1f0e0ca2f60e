"""The gallery's listed views (services/catalog/views.py) select and order exactly what
``queries.image_ids`` does -- every filter under every sort, and with the filter bar's face
filter as an image test -- on both backends, streamed in chunks."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.services import browse
from facecurator.services.catalog import Catalog, views
from facecurator.services.catalog import queries as q
from facecurator.services.filtering import face_filter, face_ids_where, image_clause

N_IMAGES = 120


@pytest.fixture
def seeded(catalog_target: str, tmp_path: Path) -> tuple[str, str, int]:
    root = str(tmp_path / "gallery")
    seed_catalog(catalog_target, root, N_IMAGES, 2)
    rules = load_rules("moderation-2.0")
    with Catalog(catalog_target) as catalog:
        faces = catalog.faces(image_ids=list(range(1, 60)))
        catalog.decide([f.id for f in faces[:40]], "accepted")
        catalog.decide([f.id for f in faces[40:70]], "rejected", reason="test")
        catalog.decide([f.id for f in faces[70:75]], "pending")
        assert browse.fill_verdicts(catalog, rules, source_root=root)
        ruleset = browse.ruleset_id(catalog, rules)
    return catalog_target, root, ruleset


def _listed(catalog: Catalog, sql: tuple[str, dict[str, object]]) -> list[int]:
    return [i for chunk in views.view_chunks(catalog, *sql) for i in chunk]


def test_every_view_lists_what_image_ids_lists(
    seeded: tuple[str, str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, root, ruleset = seeded
    monkeypatch.setattr(views, "FIRST_CHUNK", 7)
    monkeypatch.setattr(views, "CHUNK", 11)
    with Catalog(target) as catalog:
        seen = set()
        for filter_name in q.IMAGE_FILTERS:
            for sort in q.IMAGE_SORTS:
                expected = q.image_ids(
                    catalog, source_root=root, filter_name=filter_name, sort=sort, ruleset=ruleset
                )
                sql = views.view_sql(filter_name, sort, source_root=root, ruleset=ruleset)
                assert _listed(catalog, sql) == expected, (filter_name, sort)
                seen.add(len(expected))
                chunks = [len(c) for c in views.view_chunks(catalog, *sql)]
                assert all(size <= 11 for size in chunks) and (not chunks or chunks[0] <= 7)
        assert {0, N_IMAGES} < seen  # some views are neither empty nor everything

        # the face filter as an image test: the images with a face SQL selects, in the view's order
        node = face_filter("yaw>20 and person~p1").node
        extra = image_clause(catalog, node, source_root=root, ruleset=ruleset)
        assert extra is not None
        faces, _residual = face_ids_where(catalog, node, source_root=root, ruleset=ruleset)
        with_face = set(q.image_of_faces(catalog, faces).values())
        assert 0 < len(with_face) < N_IMAGES
        for filter_name, sort in (("all", "group"), ("pending", "name"), ("rejected", "faces")):
            expected = [
                i
                for i in q.image_ids(
                    catalog, source_root=root, filter_name=filter_name, sort=sort, ruleset=ruleset
                )
                if i in with_face
            ]
            sql = views.view_sql(filter_name, sort, source_root=root, ruleset=ruleset, extra=extra)
            assert _listed(catalog, sql) == expected, (filter_name, sort)
        sizes = views.group_sizes(
            catalog, *views.where("all", source_root=root, ruleset=ruleset, extra=extra)
        )
        assert sum(sizes.values()) == len(with_face)


def test_a_view_stops_between_chunks(seeded: tuple[str, str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    target, root, ruleset = seeded
    monkeypatch.setattr(views, "FIRST_CHUNK", 5)
    monkeypatch.setattr(views, "CHUNK", 10)
    read: list[int] = []
    with Catalog(target) as catalog:
        sql = views.view_sql("all", "name", source_root=root, ruleset=ruleset)
        for chunk in views.view_chunks(catalog, *sql, stop=lambda: len(read) >= 15):
            read.extend(chunk)
            if not target.endswith(".sqlite3"):  # PostgreSQL: rows sent as fetched, not all first
                with catalog._reading("cursors") as db:
                    assert db.execute("SELECT name FROM pg_cursors").fetchall() == [("facecurator_view",)]
    assert len(read) == 15
