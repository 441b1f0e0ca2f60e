"""The log dock's list of a source's failed images (``queries.error_images``) on both backends."""

from __future__ import annotations

from pathlib import Path

from helpers.catalogs import seed_catalog
from helpers.paging import traced

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q


def test_the_failed_images_are_found_by_their_status(catalog_target: str, tmp_path: Path) -> None:
    """The log dock's list of failed images (``queries.error_images``, on the query worker): in
    name order, found through the status index (SQLite walked the source's name index for the
    order, every image of the source: 16 s at 1M under load, a scan's new rows queued behind)."""
    root = tmp_path / "gallery"
    seed_catalog(catalog_target, root, 40, 1)
    with Catalog(catalog_target) as catalog:
        images = catalog.images(source_root=str(root))
        failed = [images[30], images[3]]
        with catalog._write("test: two images failed") as db:
            for image in failed:
                db.execute("UPDATE images SET status = 'error', error = 'x' WHERE id = ?", (image.id,))
        statements = traced(catalog)
        found = q.error_images(catalog, source_root=str(root))
        assert found == [(i.id, i.name, i.uri, "x") for i in sorted(failed, key=lambda i: i.name)]
        if catalog.dialect != "postgresql":
            (sql,) = [s for s in statements if "status = 'error'" in s]
            plan = " ".join(str(row[3]) for row in catalog._db.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "images_by_root_status" in plan, plan
