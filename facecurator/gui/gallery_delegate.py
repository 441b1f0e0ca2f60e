"""The gallery's cell painter: a cell from cached data only (thumbnail, name, badges, the
person header of the "Person" sort)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from facecurator.gui.cell_paint import paint_background, paint_name, paint_picture, picture_box
from facecurator.gui.lazy_model import ModelIndex
from facecurator.gui.overlay import DEFAULT_PALETTE
from facecurator.gui.store_rows import ImageSummary

if TYPE_CHECKING:
    from facecurator.gui.gallery import GalleryModel

# Image statuses whose thumbnail is decoded: read, or listed by a scan and not read yet.
SHOWN_STATUSES: Final = ("ok", "listed")

CELL: Final = QSize(176, 208)
THUMB_BOX: Final = 160
#: Height of the person header strip at the foot of the first cell of each group ("Person" sort).
GROUP_STRIP: Final = 18

IMAGE_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE: Final = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE: Final = Qt.ItemDataRole.UserRole + 3


def _pill(painter: QPainter, right_or_left: QPoint, text: str, colour: QColor, *, align_right: bool) -> None:
    metrics = QFontMetrics(painter.font())
    width = metrics.horizontalAdvance(text) + 10
    height = metrics.height() + 2
    x = right_or_left.x() - width if align_right else right_or_left.x()
    rect = QRect(x, right_or_left.y(), width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(rect, 5, 5)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class GalleryDelegate(QStyledItemDelegate):
    """Paints a cell from cached data only: thumbnail, name and badges."""

    def __init__(self, model: GalleryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._badge_font = QFont()
        self._badge_font.setPixelSize(11)
        self._badge_font.setBold(True)
        self.thumb_side = THUMB_BOX

    def cell_size(self) -> QSize:
        return QSize(self.thumb_side + CELL.width() - THUMB_BOX, self.thumb_side + CELL.height() - THUMB_BOX)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return self.cell_size()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        model = self._model
        row = index.row()
        rect: QRect = option.rect
        state = option.state
        painter.save()
        palette = option.palette
        selected = paint_background(painter, option, hover=True)
        box = picture_box(rect, self.thumb_side)
        status = index.data(STATUS_ROLE)
        # (no id: a listed view's row not written yet; no status: a large grid's row on its way)
        listed = index.data(IMAGE_ID_ROLE) is not None and status is not None
        pixmap = model.thumbnail(row) if status in SHOWN_STATUSES else None
        error = listed and (status not in SHOWN_STATUSES or model.thumbnail_error(row) is not None)
        if not paint_picture(painter, box, pixmap, error=error):
            painter.setPen(QColor("#ff8a80" if error else "#80868b"))
            painter.drawText(
                box, Qt.AlignmentFlag.AlignCenter, self.tr("cannot read") if error else self.tr("loading…")
            )
        painter.setFont(self._badge_font)
        summary: ImageSummary | None = index.data(SUMMARY_ROLE)
        top_left = QPoint(box.x() + 3, box.y() + 3)
        top_right = QPoint(box.right() - 2, box.y() + 3)
        if status == "error":
            _pill(painter, top_left, self.tr("error"), QColor("#c62828"), align_right=False)
        elif status == "listed":  # listed by a scan, not read yet
            _pill(painter, top_left, self.tr("not scanned yet"), QColor(60, 64, 67, 220), align_right=False)
        elif summary is not None:
            colours = DEFAULT_PALETTE
            if summary.faces == 0:
                colour = QColor("#5f6368")
            elif summary.unqualified:
                colour = QColor(colours.unqualified)
            elif summary.unknown:
                colour = QColor(colours.unknown)
            else:
                colour = QColor(colours.qualified)
            colour.setAlpha(230)
            faces_text = (
                self.tr("1 face") if summary.faces == 1 else self.tr("{n} faces").format(n=summary.faces)
            )
            _pill(painter, top_left, faces_text, colour, align_right=False)
            if summary.faces:
                decided = summary.accepted + summary.rejected
                if summary.decided:
                    text = f"✓{summary.accepted} ✗{summary.rejected}"
                    badge = QColor("#1565c0")
                else:
                    text = f"{decided}/{summary.faces}"
                    badge = QColor(60, 64, 67, 220)
                _pill(painter, top_right, text, badge, align_right=True)
                if summary.qualified or summary.unqualified:
                    q_text = self.tr("{ok} ok · {no} no").format(
                        ok=summary.qualified, no=summary.unqualified + summary.unknown
                    )
                    bottom = QPoint(box.x() + 3, box.bottom() - QFontMetrics(self._badge_font).height() - 3)
                    _pill(painter, bottom, q_text, QColor(0, 0, 0, 170), align_right=False)
        paint_name(painter, option, box, index.data(Qt.ItemDataRole.DisplayRole) or "", selected=selected)
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(palette.highlight().color(), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5))
        header = model.group_header(row)
        if header is not None:
            self._paint_group_header(painter, rect, *header)
        painter.restore()

    def _paint_group_header(self, painter: QPainter, rect: QRect, group: str, images: int) -> None:
        """The person's name over the first cell of their group (the "Person (folder)" sort)."""
        # along the cell's foot, under the file name: the thumbnail's badges stay visible
        strip = QRect(rect.x(), rect.bottom() - GROUP_STRIP + 1, rect.width(), GROUP_STRIP)
        painter.fillRect(strip, QColor(26, 115, 232, 235))
        painter.fillRect(QRect(rect.x(), rect.y(), 3, rect.height()), QColor(26, 115, 232))
        painter.setFont(self._badge_font)
        painter.setPen(QColor("#ffffff"))
        count = self.tr("%n image(s)", "", images)
        text = QFontMetrics(self._badge_font).elidedText(
            f"▸ {group or '—'} · {count}", Qt.TextElideMode.ElideRight, strip.width() - 8
        )
        painter.drawText(
            strip.adjusted(6, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
        )
