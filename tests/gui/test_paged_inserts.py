"""A scan's new rows in a paged grid are located on the query worker (gui/paged_inserts.py), not
on the GUI thread: each new row's place is counted in the view's order -- from the start while
the jump sample is being walked again (as after every insert), every row of the view at 1M -- and
the GUI thread only inserts the rows when the worker answers. Both grids (the gallery's images by
name, Triage's pending faces), both backends; scaled down (a shape, not a time).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.paging import hold_sample, opened, page_reads, scale_paging, seeded

from facecurator.domain.face import BLUR_SCALE_MODERATION_2, Blur, Box, Face, Pose
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.gui.key_sources import ImagePages
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.catalog.face_pages import FacePages

N_IMAGES = 1100  # 1 100 images of one face: both grids paged


@pytest.fixture
def paged(monkeypatch: pytest.MonkeyPatch) -> None:
    scale_paging(monkeypatch, minimum=1000, page=32, held=4, step=128, chunk=3)
    hold_sample(monkeypatch)  # (no sample: a new row's place is counted from the start)


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    return seeded(request, tmp_path, N_IMAGES, 1)


def _record(target: str, root: Path, names: list[str]) -> list[int]:
    """Images of one face each recorded under ``root`` by another connection (a scan's)."""
    face = Face(
        box=Box(10, 10, 200, 200), confidence=0.99, pose=Pose(1, 2, 3), blur=Blur(3, BLUR_SCALE_MODERATION_2)
    )
    ids = []
    with Catalog(target) as catalog:
        for name in names:
            ref = ImageRef(uri=f"{root}/{name}", name=name, group=name.split("/")[0], size=100, mtime_ns=1)
            detection = catalog.store_detection(name, "import:test", "k", DetectionResult([face], 640, 480))
            ids.append(
                catalog.record_image(
                    ref, source_root=str(root), identity=name, status="ok", error=None,
                    detection_id=detection, width=640, height=480, detector="import:test",
                )
            )  # fmt: skip
    return ids


def test_a_scans_new_rows_are_located_on_the_worker(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, root = big_target
    window = opened(qtbot, make_window, target, root)
    store, gallery, triage = window.store, window.gallery_model, window.triage.model
    window.tabs.setCurrentWidget(window.triage)
    assert gallery.paged is not None and triage.paged is not None and triage.filter_name == "pending"
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)
    gallery_ranks = page_reads(monkeypatch, ImagePages, "rank")
    triage_ranks = page_reads(monkeypatch, FacePages, "rank")
    resets: list[int] = []
    gallery.modelReset.connect(lambda: resets.append(1))
    triage.modelReset.connect(lambda: resets.append(2))

    # two images a scan adds in the middle of the name order, announced one after the other
    # (the second while the first is being located)
    new = _record(target, root, ["p10/img500a.jpg", "p40/img2a.jpg"])
    for image_id in new:
        store.refresh_images([image_id])
    with Catalog(target) as catalog:
        images = q.image_ids(catalog, source_root=str(root), sort="name")
        faces = q.face_ids(catalog, source_root=str(root), filter_name="pending")
    qtbot.waitUntil(
        lambda: gallery.rowCount() == N_IMAGES + 2 and triage.rowCount() == N_IMAGES + 2, timeout=30_000
    )
    assert resets == []  # inserted at their rows
    rows = [images.index(i) for i in new]
    assert all(50 < row < N_IMAGES - 50 for row in rows)  # (far from both ends)
    assert [gallery.image_id(r) for r in range(N_IMAGES + 2)] == images
    assert [triage.face_id(r) for r in range(N_IMAGES + 2)] == faces
    # the GUI thread counted no row's place; the worker did (from the start: no sample)
    assert gallery_ranks[0] == [] and triage_ranks[0] == []
    assert len(gallery_ranks[1]) >= 2 and len(triage_ranks[1]) >= 2


@pytest.fixture
def sampled(monkeypatch: pytest.MonkeyPatch) -> None:
    scale_paging(monkeypatch, minimum=1000, page=32, held=4, step=128, chunk=3)


def test_a_scans_new_rows_are_counted_from_the_shifted_sample(
    qtbot, make_window, sampled, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the jump sample walked, each new row's place is counted from the sampled key before
    it (a walk of about a step, not from the start) and the sample is shifted down by the rows
    inserted, not walked again; three images added at once (one batch: the rows of those before
    another's sampled key counted in) and one more after; then the rows, read from the shifted
    sample, agree with the catalog's order (a page read far down, a go-to)."""
    target, root = big_target
    window = opened(qtbot, make_window, target, root)
    store, gallery, triage = window.store, window.gallery_model, window.triage.model
    window.tabs.setCurrentWidget(window.triage)
    assert gallery.paged is not None and triage.paged is not None
    qtbot.waitUntil(
        lambda: not store._queries and gallery.paged._sampled and triage.paged._sampled, timeout=30_000
    )
    walks = [page_reads(monkeypatch, source, "sample") for source in (ImagePages, FacePages)]
    ranks = [page_reads(monkeypatch, source, "rank") for source in (ImagePages, FacePages)]
    resets: list[int] = []
    gallery.modelReset.connect(lambda: resets.append(1))
    triage.modelReset.connect(lambda: resets.append(2))
    inserted: tuple[list[int], list[int]] = ([], [])
    for model, at in zip((gallery, triage), inserted, strict=True):
        model.rowsInserted.connect(lambda _parent, first, _last, at=at: at.append(first))

    batch = _record(target, root, ["p10/img500a.jpg", "p40/img2a.jpg", "p70/img7a.jpg"])
    store.refresh_images(batch)
    last = _record(target, root, ["p20/img3a.jpg"])
    store.refresh_images(last)
    with Catalog(target) as catalog:
        images = q.image_ids(catalog, source_root=str(root), sort="name")
        faces = q.face_ids(catalog, source_root=str(root), filter_name="pending")
    total = N_IMAGES + 4
    qtbot.waitUntil(lambda: gallery.rowCount() == total and triage.rowCount() == total, timeout=30_000)
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)
    assert resets == []  # inserted at their rows: the batch's (before the last came), the last's
    before_last = [i for i in images if i not in last]
    assert inserted[0] == [*sorted(before_last.index(i) for i in batch), images.index(last[0])]
    assert len(inserted[1]) == 4
    rows = sorted(images.index(i) for i in batch + last)
    assert rows[0] > 128 and rows[-1] - rows[0] > 3 * 128  # (spread over several sample steps)
    # every place counted on the worker from a sampled key (a start given), none from the start;
    # no walk of the sample again
    for (on_gui, on_worker), (walked_gui, walked_worker) in zip(ranks, walks, strict=True):
        assert on_gui == [] and len(on_worker) >= 4
        assert all(len(call["args"]) == 2 and call["args"][1] is not None for call in on_worker)
        assert walked_gui == walked_worker == []
    assert [gallery.image_id(r) for r in range(total)] == images
    assert [triage.face_id(r) for r in range(total)] == faces
    for model, reference in ((gallery, images), (triage, faces)):  # read from the shifted sample
        paged = model.paged
        assert paged is not None
        paged._pages.clear()
        paged._row_of.clear()
        assert [paged[r] for r in range(total - 1, 0, -97)] == reference[total - 1 : 0 : -97]
        middle = (rows[0] + rows[-1]) // 2
        assert paged.locate(reference[middle]) == middle
