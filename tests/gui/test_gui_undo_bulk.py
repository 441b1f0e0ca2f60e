"""Ctrl+Z after a bulk action of more than 200 faces undoes that action only (issue 20, item 1)."""

from __future__ import annotations

from pathlib import Path

from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.services.review import BULK_CHUNK

N_FACES = 2 * BULK_CHUNK + 100


def test_one_undo_after_a_large_bulk_accept_keeps_older_decisions(qtbot, tmp_path: Path) -> None:
    from facecurator.gui.store import CurationStore
    from facecurator.services.catalog import Catalog

    path = tmp_path / "c.sqlite3"
    root = tmp_path / "virtual"
    seed_catalog(path, str(root), n_images=N_FACES + 2, faces_per_image=1, varied=False)
    catalog = Catalog(path)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    try:
        store.open_source(str(root))
        assert store.wait_until_idle()
        ids = sorted(store.face_ids())
        assert len(ids) == N_FACES + 2
        store.decide([ids[0]], "rejected", reason="manual")
        store.decide([ids[1]], "rejected", reason="manual")
        assert store.accept_qualified() == N_FACES
        assert {store.face(i).decision for i in ids[2:]} == {"accepted"}
        restored = store.undo()  # one Ctrl+Z
        assert sorted(restored or []) == ids[2:]
        assert [store.face(i).decision for i in ids[:2]] == ["rejected", "rejected"]
        assert {store.face(i).decision for i in ids[2:]} == {"pending"}
        with Catalog(path) as fresh:  # on disk too
            on_disk = {f.id: f.decision.state for f in fresh.faces()}
        assert on_disk[ids[0]] == on_disk[ids[1]] == "rejected"
        assert store.undo() == [ids[1]]  # the next Ctrl+Z: the previous action
    finally:
        store.shutdown()
        catalog.close()
