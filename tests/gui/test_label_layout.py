"""Label layout: in a crowded photo every label finds a place, none overlaps another."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

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
