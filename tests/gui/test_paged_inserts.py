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
