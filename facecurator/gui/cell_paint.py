"""What the gallery's and the triage grid's cells paint alike: the cell's background, the
square box of its picture, the picture fitted into it (or a placeholder), the name below."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

#: Placeholder fills: a picture being rendered, one that cannot be read.
LOADING_FILL = "#2a2b2e"
ERROR_FILL = "#3a1f1f"


def paint_background(painter: QPainter, option: QStyleOptionViewItem, *, hover: bool) -> bool:
    """The selection (and, with ``hover``, the hovered cell's) background; whether it is selected."""
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    if selected:
        painter.fillRect(option.rect, option.palette.highlight())
    elif hover and option.state & QStyle.StateFlag.State_MouseOver:
        painter.fillRect(option.rect, option.palette.alternateBase())
    return selected


def picture_box(rect: QRect, side: int) -> QRect:
    """The square the picture fills: centred across the cell, 4 px from its top."""
    return QRect(rect.x() + (rect.width() - side) // 2, rect.y() + 4, side, side)


def paint_picture(
    painter: QPainter, box: QRect, pixmap: QPixmap | None, *, error: bool, opacity: float = 1.0
) -> bool:
    """``pixmap`` fitted into ``box`` (aspect kept, centred), else the placeholder fill (the
    error colour when ``error``); whether a picture was drawn."""
    if pixmap is None or pixmap.isNull():
        painter.fillRect(box, QColor(ERROR_FILL if error else LOADING_FILL))
        return False
    scaled = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    target = QRect(
        box.x() + (box.width() - scaled.width()) // 2,
        box.y() + (box.height() - scaled.height()) // 2,
        scaled.width(),
        scaled.height(),
    )
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.setOpacity(opacity)
    painter.drawPixmap(target, pixmap)
    painter.setOpacity(1.0)
    return True


def paint_name(
    painter: QPainter, option: QStyleOptionViewItem, box: QRect, name: str, *, selected: bool
) -> None:
    """The cell's name under its picture, centred, elided in the middle to the cell's width."""
    rect = option.rect
    text_rect = QRect(rect.x() + 3, box.bottom() + 4, rect.width() - 6, rect.bottom() - box.bottom() - 4)
    painter.setFont(option.font)
    palette = option.palette
    painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
    elided = QFontMetrics(option.font).elidedText(name, Qt.TextElideMode.ElideMiddle, text_rect.width())
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)
