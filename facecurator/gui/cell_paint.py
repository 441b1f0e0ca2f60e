"""What the gallery's and the triage grid's cells paint alike: the cell's background, the
square box of its picture, the picture fitted into it (or a placeholder), the name below."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Final, TypeVar

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap, QStaticText
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

#: Placeholder fills: a picture being rendered, one that cannot be read.
LOADING_FILL = "#2a2b2e"
ERROR_FILL = "#3a1f1f"
K = TypeVar("K")
V = TypeVar("V")
#: Pictures held scaled to their cell (almost three pages of 35 cells: ~64 KB each at 128 px; 256
#: of them cost Triage ~12 MB at 100 000 images, gui_scroll.py).
SCALED_HELD: Final = 96

# (the picture's cache key, width, height) -> the picture smoothly scaled to that size
_scaled: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()


def fitted(pixmap: QPixmap, size: QSize) -> QPixmap:
    """``pixmap`` smoothly scaled to ``size`` once (then held, :data:`SCALED_HELD` of them): a
    repaint blits it, where a smooth scale on every paint cost a scrolled page of crops ~1 ms a
    cell on the GUI thread."""
    if pixmap.size() == size:
        return pixmap
    smooth = Qt.TransformationMode.SmoothTransformation
    return _held(
        _scaled,
        (pixmap.cacheKey(), size.width(), size.height()),
        lambda: pixmap.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, smooth),
    )


def _held(cache: OrderedDict[K, V], key: K, make: Callable[[], V]) -> V:
    """``cache[key]``, made by ``make()`` on a miss; the least recently used dropped beyond
    :data:`SCALED_HELD`."""
    value = cache.get(key)
    if value is None:
        value = cache[key] = make()
        while len(cache) > SCALED_HELD:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return value


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
    painter.setOpacity(opacity)
    painter.drawPixmap(target.topLeft(), fitted(pixmap, target.size()))
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
    text = _laid_out(name, option.font, text_rect.width())
    x = text_rect.x() + max(0, (text_rect.width() - int(text.size().width())) // 2)
    painter.drawStaticText(x, text_rect.y(), text)  # (elided to the width: nothing to clip)


# (name, font, width) -> the name elided to that width, laid out once (a repaint draws it)
_texts: OrderedDict[tuple[str, str, int], QStaticText] = OrderedDict()


def _laid_out(name: str, font: QFont, width: int) -> QStaticText:
    """``name`` elided in the middle to ``width`` in ``font``, laid out once and held (a few
    screenfuls): a page of cells measured, elided and shaped its names on every paint."""

    def make() -> QStaticText:
        text = QStaticText(QFontMetrics(font).elidedText(name, Qt.TextElideMode.ElideMiddle, width))
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.prepare(font=font)
        return text

    return _held(_texts, (name, font.key(), width), make)
