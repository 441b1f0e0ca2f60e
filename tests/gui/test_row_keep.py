"""Rows read together are cached together (store_rows.StoreRows._keep): their old rows are
forgotten in one ``_forget_rows`` per batch -- it clears every listed filter's ids and counts and
marks the reads in flight -- not once per row (review15: a page of 48 rows read cleared them 48
times). The three readers: a page read on the GUI thread (prefetch), the row worker's answer
(read_later), a scan's re-read images (refresh_images). Both backends."""

from __future__ import annotations

from typing import Any

from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.gui.store import CurationStore
from facecurator.gui.store_rows import FETCH_PAGE
from facecurator.services.catalog import Catalog


def test_a_batch_of_rows_read_forgets_their_old_rows_once(qtbot: Any, catalog_target: str) -> None:
    seed_catalog(catalog_target, "/g", FETCH_PAGE + 12, 2)
    catalog = Catalog(catalog_target)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    try:
        store.open_source("/g")
        assert store.wait_until_idle()
        ids = store.image_ids()
        forgotten: list[list[int] | None] = []
        forget = store._forget_rows

        def counted(image_ids: Any = None) -> None:
            forgotten.append(None if image_ids is None else sorted(image_ids))
            forget(image_ids)

        store._forget_rows = counted  # type: ignore[method-assign]
        store.prefetch(ids[:FETCH_PAGE])
        assert forgotten == [sorted(ids[:FETCH_PAGE])]
        assert all(store.cached(i) for i in ids[:FETCH_PAGE])

        forgotten.clear()
        rest = ids[FETCH_PAGE:]
        with qtbot.waitSignal(store.rowsRead, timeout=30_000):
            store.read_later(image_ids=rest)
        assert forgotten == [sorted(rest)]
        assert all(store.cached(i) for i in rest)

        forgotten.clear()
        store.refresh_images(ids[:20])
        assert forgotten == [sorted(ids[:20])]
        faces = store.image(ids[3]).faces
        assert len(faces) == 2 and all(store.face(face.id) is face for face in faces)
    finally:
        store.shutdown()
        catalog.close()
