"""Catalog.record_listed: a folder's listing recorded in one statement, the new ids returned."""

from __future__ import annotations

from pathlib import Path

from facecurator.domain.protocols import ImageRef
from facecurator.services.catalog import Catalog

ROOT = "/photos"


def _ref(name: str, root: str = ROOT) -> ImageRef:
    return ImageRef(uri=f"{root}/{name}", name=name, group=name.split("/")[0], size=len(name), mtime_ns=7)


def test_only_the_new_images_are_recorded_and_their_ids_come_back_in_listing_order(
    catalog_target: str,
) -> None:
    """Known images (read, or of another folder) are left as they are and not returned; the
    new ones come back in listing order, not id or name order, each under the id it keeps."""
    with Catalog(catalog_target) as catalog:
        read = catalog.record_image(
            _ref("ann/2.jpg"), source_root=ROOT, identity=None, status="ok", error=None,
            detection_id=None, width=10, height=10,
        )  # fmt: skip
        other = catalog.record_listed([_ref("x.jpg", "/elsewhere")], source_root="/elsewhere")
        first = catalog.record_listed([_ref("ann/1.jpg")], source_root=ROOT)  # the largest id so far
        names = ["bob/9.jpg", "ann/2.jpg", "ann/10.jpg", "ann/1.jpg", "ann/3.jpg"]
        listing = [_ref(name) for name in names]
        new = catalog.record_listed(listing, source_root=ROOT)
        assert len(new) == 3 and len(set(new)) == 3 and not set(new) & {read, *other, *first}
        by_id = {row.id: row for row in catalog.images(source_root=ROOT)}
        assert [by_id[i].name for i in new] == ["bob/9.jpg", "ann/10.jpg", "ann/3.jpg"]
        assert {by_id[i].status for i in new} == {"listed"}
        assert by_id[read].status == "ok" and by_id[first[0]].status == "listed"
        assert len(by_id) == 5 and len(catalog.images(source_root="/elsewhere")) == 1
        # Listed again: nothing is new.
        assert catalog.record_listed(listing, source_root=ROOT) == []
    with Catalog(catalog_target) as again:  # committed
        assert sorted(row.id for row in again.images(source_root=ROOT, status="listed")) == sorted(
            [*first, *new]
        )


def test_a_large_listing_keeps_its_order(tmp_path: Path) -> None:
    """Thousands at once (one statement on SQLite): every new id, in listing order."""
    names = [f"p{i % 7}/img{(i * 7919) % 5000}.jpg" for i in range(5000)]
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        ids = catalog.record_listed([_ref(n) for n in names], source_root=ROOT)
        by_id = {row.id: row.name for row in catalog.images(source_root=ROOT)}
    assert len(set(names)) == 5000 and [by_id[i] for i in ids] == names
