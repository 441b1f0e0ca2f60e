"""The triage grid's cell: a face crop framed in its verdict colour, decided faces tagged and dimmed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QRegion
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from facecurator.gui.cell_paint import paint_background, paint_name, paint_picture, picture_box
from facecurator.gui.overlay import DEFAULT_PALETTE

if TYPE_CHECKING:
    from facecurator.gui.triage_model import FaceModel

ModelIndex = QModelIndex | QPersistentModelIndex

FACE_CELL: Final = QSize(136, 156)
CROP_BOX: Final = 128
#: Crop sides the size slider offers (crops are rendered at 192 px).
CROP_SIDES: Final = (72, 192)
FACE_STATUS_ROLE: Final = Qt.ItemDataRole.UserRole + 12
DECISION_ROLE: Final = Qt.ItemDataRole.UserRole + 13


class FaceDelegate(QStyledItemDelegate):
    """A face crop framed in its verdict colour; decided faces are tagged and dimmed."""

    def __init__(self, model: FaceModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._tag_font = QFont()
        self._tag_font.setPixelSize(16)
        self._tag_font.setBold(True)
        self.crop_side = CROP_BOX
        #: the region of the paint under way (set by the view), None outside one
        self.region: QRegion | None = None

    def cell_size(self) -> QSize:
        side = self.crop_side
        return QSize(side + FACE_CELL.width() - CROP_BOX, side + FACE_CELL.height() - CROP_BOX)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return self.cell_size()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        region = self.region
        if region is not None and not region.intersects(option.rect):
            # a cell the view repaints only because it lies between cells that changed (it paints
            # the cells in the changed region's bounding rect: a crop arriving at each end of a
            # page repainted the whole page, ~14 cells a crop): clipped away, not drawn
            return
        painter.save()
        selected = paint_background(painter, option, hover=False)
        box = picture_box(option.rect, self.crop_side)
        decision = index.data(DECISION_ROLE)
        if decision is None:  # a placeholder: its page is on its way (an empty cell)
            painter.restore()
            return
        pixmap = self._model.crop(index.row())
        error = pixmap is None and self._model.crop_error(index.row()) is not None
        paint_picture(painter, box, pixmap, error=error, opacity=1.0 if decision == "pending" else 0.45)
        colour = DEFAULT_PALETTE.face_colour(index.data(FACE_STATUS_ROLE), decision)
        pen = QPen(colour, 3)
        if decision == "rejected":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box.adjusted(1, 1, -2, -2))
        if decision in ("accepted", "rejected"):
            tag = QRect(box.right() - 24, box.y() + 2, 22, 22)
            painter.fillRect(tag, QColor("#2e7d32") if decision == "accepted" else QColor("#c62828"))
            painter.setFont(self._tag_font)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, "✓" if decision == "accepted" else "✗")
        paint_name(painter, option, box, index.data(Qt.ItemDataRole.DisplayRole) or "", selected=selected)
        painter.restore()
