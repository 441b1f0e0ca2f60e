"""The triage grid's cell: a face crop framed in its verdict colour, decided faces tagged and dimmed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

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

    def cell_size(self) -> QSize:
        side = self.crop_side
        return QSize(side + FACE_CELL.width() - CROP_BOX, side + FACE_CELL.height() - CROP_BOX)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return self.cell_size()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        rect: QRect = option.rect
        state = option.state
        palette = option.palette
        painter.save()
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.highlight())
        side = self.crop_side
        box = QRect(rect.x() + (rect.width() - side) // 2, rect.y() + 4, side, side)
        pixmap = self._model.crop(index.row())
        decision = index.data(DECISION_ROLE)
        if pixmap is not None:
            scaled = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(
                box.x() + (box.width() - scaled.width()) // 2,
                box.y() + (box.height() - scaled.height()) // 2,
                scaled.width(),
                scaled.height(),
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            if decision != "pending":
                painter.setOpacity(0.45)
            painter.drawPixmap(target, pixmap)
            painter.setOpacity(1.0)
        else:
            error = self._model.crop_error(index.row()) is not None
            painter.fillRect(box, QColor("#3a1f1f" if error else "#2a2b2e"))
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
        painter.setFont(option.font)
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        text_rect = QRect(rect.x() + 2, box.bottom() + 3, rect.width() - 4, rect.bottom() - box.bottom() - 3)
        name = option.fontMetrics.elidedText(
            index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideMiddle, text_rect.width()
        )
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, name)
        painter.restore()
