"""The query layer (issue 11: services/catalog/queries.py, services/browse.py) answers the same
on PostgreSQL as on SQLite (issue 17, item 1): one catalog seeded alike on both backends,
every filter x sort, face filter, count, page and bulk target compared."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.services import browse
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.review import iter_review

N_IMAGES = 400
ROOT = "/gallery"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Any) -> tuple[str, str]:
    """(SQLite file, PostgreSQL URL): the same catalog, some faces decided, one image unreadable."""
    targets = (str(tmp_path_factory.mktemp("browse2") / "catalog.sqlite3"), str(pg_cluster.new_database()))
    for target in targets:
        seed_catalog(target, ROOT, N_IMAGES, 2)
        with Catalog(target) as catalog:
            faces = catalog.faces(image_ids=list(range(1, 40)))
            catalog.decide([f.id for f in faces[:30]], "accepted", who="t")
            catalog.decide([f.id for f in faces[30:50]], "rejected", reason="test", who="t")
            with catalog._write("break one image") as db:
                db.execute("UPDATE images SET status = 'error', error = 'broken' WHERE id = ?", (7,))
    return targets


def _answers(target: str) -> dict[Any, Any]:
    rules = load_rules("moderation-2.0")
    out: dict[Any, Any] = {}
    with Catalog(target) as catalog:
        ruleset = browse.ruleset_id(catalog, rules)
        out["missing before"] = q.images_missing_verdicts(catalog, ruleset, source_root=ROOT, limit=50)
        assert browse.fill_verdicts(catalog, rules, source_root=ROOT)
        out["missing after"] = q.images_missing_verdicts(catalog, ruleset, source_root=ROOT)
        for name in q.IMAGE_FILTERS:
            for sort in q.IMAGE_SORTS:
                out[name, sort] = q.image_ids(
                    catalog, source_root=ROOT, filter_name=name, sort=sort, ruleset=ruleset
                )
        for name in q.FACE_FILTERS:
            out[name] = q.face_ids(catalog, source_root=ROOT, filter_name=name, ruleset=ruleset)
        out["counts"] = q.counts(catalog, source_root=ROOT, ruleset=ruleset)
        out["targets"] = [
            q.pending_face_ids(catalog, ruleset=ruleset, qualified=flag, source_root=ROOT)
            for flag in (True, False)
        ]
        out["names"] = q.image_names(catalog, [3, 1, 2, 9999])
        first = q.images_after(catalog, ROOT, None, 25)
        out["pages"] = [row.id for row in first] + [
            row.id for row in q.images_after(catalog, ROOT, (first[-1].name, first[-1].id), 25)
        ]
        out["errors"] = q.error_images(catalog, source_root=ROOT)
        out["pending among"] = q.pending_among(catalog, out["all"][:120])
        out["review"] = [
            (image.row.id, [(face.id, face.decision, face.verdict.qualified) for face in image.faces])
            for image in iter_review(catalog, rules, source_root=ROOT, page=64)
        ]
    return out


def test_every_query_answers_the_same_on_postgresql_as_on_sqlite(both: tuple[str, str]) -> None:
    lite, server = (_answers(target) for target in both)
    assert lite["counts"]["faces"] == 2 * N_IMAGES - 2  # the unreadable image's faces are not counted
    assert all(lite[name] for name in ("qualified", "unqualified", "accepted", "rejected", "errors"))
    for key in lite:
        assert server[key] == lite[key], key
