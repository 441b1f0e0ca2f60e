"""After a decision in the gallery of a large catalog, the views that show the decided image --
the image view's faces, the face details, the problems dock -- read no row by id on the GUI
thread on PostgreSQL: the image view and the details ask the store's row worker for the image's
row (forgotten by the decision) and show the decision when it is in; the problems dock asks the
query worker for the changed images' status in one query (a decision of 100 images' faces read
200 queries on the GUI thread, 1.35 s at 1M under load). SQLite reads them at once, as before
(0.3-2 ms a read at 1M). Both backends; sizes scaled down (the paged gallery's threshold)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.paging import gallery_shown, row_reads, seeded

from facecurator.gui import paged_ids, paged_keys
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q

N_IMAGES = 1200


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path]:
    monkeypatch.setattr(paged_ids, "PAGED_MIN", 1000)
    monkeypatch.setattr(paged_keys, "PAGE", 32)
    monkeypatch.setattr(paged_keys, "MAX_PAGES", 4)
    monkeypatch.setattr(paged_keys, "SAMPLE_STEP", 128)
    return seeded(request, tmp_path, N_IMAGES, 2)


def test_a_decision_s_views_read_their_rows_off_the_gui_thread_on_postgresql(
    qtbot, make_window, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, root = big_target
    with Catalog(target) as catalog:
        order = q.image_ids(catalog, source_root=str(root), sort="name")
    window = gallery_shown(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    server = store.rows_later
    assert server == target.startswith("postgresql://")
    image, broken = order[40], order[41]
    view.setCurrentIndex(model.index(40, 0))
    qtbot.waitUntil(lambda: window.image_view.image_id == image and store.cached(image), timeout=30_000)
    face = store.image(image).faces[0].id
    window.image_view.select_face(face)
    qtbot.waitUntil(lambda: window.details.face_id == face, timeout=30_000)
    on_gui, on_worker = row_reads(monkeypatch)

    assert window.decide_faces([face], "accepted")

    def shown_decided() -> bool:
        items = window.image_view.face_items()
        return (
            face in items and items[face].face.decision == "accepted" and "accepted" in window.details.text()
        )

    qtbot.waitUntil(shown_decided, timeout=30_000)
    assert window.details.face_id == face
    # another operator's change the decision watcher hands over: an image now failed
    with Catalog(target) as other:
        other._db.execute("UPDATE images SET status = 'error', error = 'boom' WHERE id = ?", (broken,))
        broken_faces = [f for (f,) in other._db.execute("SELECT id FROM faces WHERE image_id = ?", (broken,))]
    store.reload_decisions(broken_faces)
    qtbot.waitUntil(lambda: broken in window.problems.image_ids(), timeout=30_000)
    assert "boom" in window.problems.list.item(window.problems.image_ids().index(broken)).text()
    if server:
        assert on_gui == [] and image in on_worker  # read on the row worker, none on the GUI thread
    else:  # SQLite: read at once
        assert image in on_gui and broken in on_gui
