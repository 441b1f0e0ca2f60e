"""Label layout: in a crowded photo every label finds a place, none overlaps another."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt

from facecurator.gui.label_layout import LabelRequest, layout_labels, leader_points


def _rects(requests, placements):
    return {
        r.face_id: QRectF(placements[r.face_id].x, placements[r.face_id].y, r.width, r.height)
        for r in requests
    }


@pytest.mark.parametrize("faces", [2, 6, 12, 24])
def test_crowded_row_of_faces_gets_every_label_without_overlap(faces: int) -> None:
    # a group photo: faces side by side, labels three faces wide
    bounds = QRectF(0, 0, 2000, 1400)
    requests = [LabelRequest(i, QRectF(100 + i * 70, 500, 60, 70), 200, 48) for i in range(faces)]
    placements = layout_labels(requests, bounds, 3)
    assert set(placements) == {r.face_id for r in requests}
    rects = _rects(requests, placements)
    values = list(rects.values())
    assert not any(a.intersects(b) for i, a in enumerate(values) for b in values[i + 1 :])
    for request in requests:
        rect = rects[request.face_id]
        assert bounds.contains(rect)
        assert not rect.intersects(request.box)  # never over its own face
        assert not any(rect.intersects(other.box) for other in requests)  # room enough: no face covered
    if faces >= 6:
        assert any(p.leader for p in placements.values())  # moved away: joined by a line
    assert not placements[0].leader  # the first face keeps the usual place, below it


def test_first_request_wins_the_usual_place_and_leader_ends_touch_both() -> None:
    requests = [
        LabelRequest(7, QRectF(100, 100, 50, 50), 120, 40),
        LabelRequest(3, QRectF(160, 100, 50, 50), 120, 40),
    ]
    placements = layout_labels(requests, QRectF(0, 0, 800, 600), 3)
    assert (placements[7].x, placements[7].y) == (100, 153)
    moved = QRectF(placements[3].x, placements[3].y, 120, 40)
    start, end = leader_points(requests[1].box, moved)
    assert requests[1].box.adjusted(-0.01, -0.01, 0.01, 0.01).contains(start)
    assert moved.adjusted(-0.01, -0.01, 0.01, 0.01).contains(end)


def test_no_free_spot_leaves_the_label_out_rather_than_overlapping() -> None:
    requests = [LabelRequest(i, QRectF(10 * i, 10, 8, 8), 90, 90) for i in range(4)]
    placements = layout_labels(requests, QRectF(0, 0, 100, 100), 1)
    rects = list(_rects([r for r in requests if r.face_id in placements], placements).values())
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assert len(placements) < 4


# -- on real crowded photos, in the window --------------------------------------------------------

CROWDED = ("multi/office_8.jpg", "formats/masked_crowd.webp", "multi/selfie_many_people.jpg")


@pytest.fixture(scope="module")
def crowded_catalog(tmp_path_factory: pytest.TempPathFactory):
    """Crowded corpus photos scanned once with the real local detector."""
    import shutil

    from helpers.scans import scan_locally

    from tests.gui.conftest import CORPUS

    if not (CORPUS / "MANIFEST.csv").is_file():
        pytest.skip(f"needs the shared corpus ({CORPUS}) for its crowded photos")
    folder = tmp_path_factory.mktemp("crowded")
    for rel in CROWDED:
        shutil.copy2(CORPUS / rel, folder / rel.rsplit("/", 1)[-1])
    path = tmp_path_factory.mktemp("crowded-catalog") / "catalog.sqlite3"
    scan_locally(folder, path)
    return folder, path


def _label_rects(view) -> dict[int, QRectF]:
    from facecurator.gui.overlay import label_rect

    scale = view.transform().m11() or 1.0
    rects = {}
    for face_id, item in view.face_items().items():
        at = view.face_context(item.face).label_at
        if at is not None:
            rects[face_id] = label_rect(item.face.face, scale, at)
    return rects


def test_labels_on_crowded_photos_cover_no_face_and_no_label(qtbot, make_window, crowded_catalog) -> None:
    folder, catalog = crowded_catalog
    window = make_window(catalog, size=(1024, 768))
    assert window.open_source(str(folder), scan=False)
    assert window.store.wait_until_idle()
    view = window.image_view
    checked = 0
    for image_id in window.store.image_ids():
        faces = window.store.image(image_id).faces
        if len(faces) < 5:
            continue
        window.show_image(image_id)
        count = len(faces)
        qtbot.waitUntil(lambda i=image_id, n=count: view.image_id == i and len(view.face_items()) == n)
        boxes = {
            fid: QRectF(i.face.face.box.x, i.face.face.box.y, i.face.face.box.w, i.face.face.box.h)
            for fid, i in view.face_items().items()
        }
        for emphasised in [None, *view.face_ids()]:  # nothing selected, then each face selected
            view.select_face(emphasised)
            rects = _label_rects(view)
            assert len(rects) >= len(boxes) // 2, (image_id, emphasised, len(rects), len(boxes))
            if emphasised is not None:
                assert emphasised in rects  # the selected face always gets its label
            for face_id, rect in rects.items():
                covered = [other for other, box in boxes.items() if rect.intersects(box)]
                assert not covered, (window.store.image(image_id).row.name, face_id, covered)
                overlapping = [o for o, r in rects.items() if o != face_id and rect.intersects(r)]
                assert not overlapping, (window.store.image(image_id).row.name, face_id, overlapping)
            checked += 1
    assert checked >= 10, "the crowded photos gave too few faces to check"


def test_every_face_of_a_crowded_photo_has_its_label_on_the_image_or_in_the_list(
    qtbot, make_window, crowded_catalog
) -> None:
    from facecurator.gui.overlay import TAG_SIZE, face_label_lines

    folder, catalog = crowded_catalog
    window = make_window(catalog, size=(1024, 768))
    assert window.open_source(str(folder), scan=False)
    assert window.store.wait_until_idle()
    view, listed = window.image_view, window.label_list
    in_list = 0
    crowded = [i for i in window.store.image_ids() if len(window.store.image(i).faces) >= 5]
    # as the window opens, then with the Statistics dock open (a narrower, shorter image view)
    for image_id in [*crowded, None, *crowded]:
        if image_id is None:
            from facecurator.gui.stats import open_statistics

            open_statistics(window)
            qtbot.waitUntil(lambda: window.details.parent() is not window.gallery_splitter)
            continue
        faces = window.store.image(image_id).faces
        window.show_image(image_id)
        count = len(faces)
        qtbot.waitUntil(lambda i=image_id, n=count: view.image_id == i and len(view.face_items()) == n)
        for emphasised in [None, *view.face_ids()]:
            view.select_face(emphasised)
            rects = _label_rects(view)
            on_image = set(rects)
            rows = {}  # face id -> (number, row text) as the list shows it
            for row in range(listed.list.count()):
                item = listed.list.item(row)
                rows[item.data(Qt.ItemDataRole.UserRole)] = item.text()
            assert listed.isVisible() == bool(rows), (image_id, emphasised, rows)
            for face_id, item in view.face_items().items():
                lines = face_label_lines(item.face.face)
                if not lines:
                    continue
                if face_id in on_image:
                    assert face_id not in rows
                    continue
                assert face_id in rows, (window.store.image(image_id).row.name, face_id, "label nowhere")
                number = view.face_context(item.face).marker
                assert number is not None, (face_id, "no number on its box")
                box, scale = item.face.face.box, view.transform().m11()
                badge = QRectF(box.x, box.y - (TAG_SIZE + 2) / scale, TAG_SIZE / scale, TAG_SIZE / scale)
                covering = [o for o, r in rects.items() if r.intersects(badge)]
                assert not covering, (
                    window.store.image(image_id).row.name,
                    face_id,
                    "number under",
                    covering,
                )
                assert rows[face_id].startswith(f"{number}  "), (rows[face_id], number)
                assert all(line in rows[face_id] for line in lines), (rows[face_id], lines)
                in_list += 1
    assert in_list > 0, "no crowded photo left a label off the image: the list was not exercised"
