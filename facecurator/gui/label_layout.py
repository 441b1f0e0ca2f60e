"""Where each face's label goes so that no two labels overlap (crowded group photos).

:func:`layout_labels` places labels one face at a time (emphasised faces first,
then left to right): beside the face where there is room (below, above, right,
left), else stacked further out, else at the free spot of the image nearest the
face; a label away from its face is joined to it by a leader line (drawn by
:func:`facecurator.gui.overlay.draw_face_overlay`). A label never overlaps
another label nor any face's box (its own or another's): a face that finds no
such spot anywhere is left without a label rather than have one cover a face (the view
numbers it on its box and lists its label under the image: :mod:`facecurator.gui.label_list`).
Everything is in image pixels; sizes come from the labels' device size at the
current zoom.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QPointF, QRectF

#: Stacked positions tried above and below a face before searching the whole image.
STACK_STEPS: Final = 6
#: Faces beyond this many do not search the whole image for a free spot (cost).
GRID_SEARCH_MAX_FACES: Final = 60


@dataclass(frozen=True, slots=True)
class LabelRequest:
    """One face wanting a label: its id, box and the label's size (image pixels)."""

    face_id: int
    box: QRectF
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Placement:
    """A label's top-left corner; ``leader``: it is away from its face (draw a line to it)."""

    x: float
    y: float
    leader: bool


def _candidates(request: LabelRequest, gap: float) -> Iterator[tuple[QRectF, bool]]:
    box, w, h = request.box, request.width, request.height
    yield QRectF(box.left(), box.bottom() + gap, w, h), False  # below (the usual place)
    yield QRectF(box.left(), box.top() - gap - h, w, h), False  # above
    yield QRectF(box.right() + gap, box.top(), w, h), False  # right
    yield QRectF(box.left() - gap - w, box.top(), w, h), False  # left
    yield QRectF(box.right() - w, box.bottom() + gap, w, h), False  # below, right-aligned
    for step in range(1, STACK_STEPS + 1):
        offset = step * (h + gap)
        yield QRectF(box.left(), box.bottom() + gap + offset, w, h), True
        yield QRectF(box.left(), box.top() - gap - h - offset, w, h), True


def _grid(request: LabelRequest, bounds: QRectF, gap: float) -> list[QRectF]:
    """Every label-sized spot of the image on a half-label grid, nearest the face first."""
    w, h = request.width, request.height
    if w > bounds.width() or h > bounds.height():
        return []
    step_x, step_y = max(w / 2, 1.0), max(h / 2, 1.0)
    spots: list[QRectF] = []
    y = bounds.top()
    while y + h <= bounds.bottom() + 1e-6:
        x = bounds.left()
        while x + w <= bounds.right() + 1e-6:
            spots.append(QRectF(x, y, w, h))
            x += step_x
        y += step_y
    centre = request.box.center()
    spots.sort(key=lambda r: (r.center().x() - centre.x()) ** 2 + (r.center().y() - centre.y()) ** 2)
    return spots


def layout_labels(requests: Sequence[LabelRequest], bounds: QRectF, gap: float) -> dict[int, Placement]:
    """Non-overlapping label places for ``requests`` (in priority order) within ``bounds``.

    Args:
        requests: the faces, most important first (the emphasised face, then left to right).
        bounds: the image rectangle; labels stay inside it where they can.
        gap: the space between a box and its label (image pixels).

    Returns:
        face id -> placement; a face missing from it found no spot anywhere that covers
        neither a label nor a face.
    """
    boxes = [r.box for r in requests]
    placed: list[QRectF] = []
    out: dict[int, Placement] = {}
    grid_search = len(requests) <= GRID_SEARCH_MAX_FACES

    def free(rect: QRectF) -> bool:
        return not any(rect.intersects(other) for other in placed) and not any(
            rect.intersects(box) for box in boxes
        )

    for request in requests:
        choice: tuple[QRectF, bool] | None = None
        nearby = [
            (rect, leader)
            for rect, leader in _candidates(request, gap)
            if bounds.contains(rect) or not bounds.isValid()
        ]
        choice = next(((r, lead) for r, lead in nearby if free(r)), None)
        if choice is None and grid_search:
            spot = next((r for r in _grid(request, bounds, gap) if free(r)), None)
            if spot is not None:
                choice = (spot, True)
        if choice is None:
            continue
        rect, leader = choice
        placed.append(rect)
        out[request.face_id] = Placement(rect.x(), rect.y(), leader)
    return out


def leader_points(box: QRectF, label: QRectF) -> tuple[QPointF, QPointF]:
    """The ends of a leader line: the box's and the label's nearest edge points."""

    def clamp(value: float, low: float, high: float) -> float:
        return max(low, min(high, value))

    centre = label.center()
    on_box = QPointF(clamp(centre.x(), box.left(), box.right()), clamp(centre.y(), box.top(), box.bottom()))
    on_label = QPointF(
        clamp(on_box.x(), label.left(), label.right()), clamp(on_box.y(), label.top(), label.bottom())
    )
    return on_box, on_label
