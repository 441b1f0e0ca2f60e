"""A grid cell's repaint does no image or text work twice (gui/cell_paint.py, gui/thumbnails.py):
pictures arrive from the workers in the pixmaps' own 32-bit format (the GUI thread converts
nothing), a picture is scaled to its cell once and a name elided and laid out once, then held
(a bounded number of them). A shape, not a time: what a repaint reuses is checked."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyleOptionViewItem

from facecurator.gui import cell_paint
from facecurator.gui.thumbnails import pil_to_qimage


def test_worker_images_come_in_the_pixmap_format(qtbot) -> None:
    image = pil_to_qimage(Image.new("RGB", (5, 3), (10, 20, 30)))
    assert image.format() == QImage.Format.Format_RGB32
    assert image.pixel(4, 2) == 0xFF0A141E  # the colour kept
    pixmap = QPixmap.fromImage(image)
    assert pixmap.toImage().format() == QImage.Format.Format_RGB32  # nothing to convert


def test_a_repaint_reuses_the_scaled_picture_and_the_laid_out_name(qtbot) -> None:
    cell_paint._scaled.clear()
    cell_paint._texts.clear()
    crop = QPixmap(192, 192)
    canvas = QImage(400, 400, QImage.Format.Format_RGB32)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 136, 156)
    box = cell_paint.picture_box(option.rect, 128)
    drawn: list[int] = []
    for _ in range(3):  # three repaints of the same cell
        painter = QPainter(canvas)
        assert cell_paint.paint_picture(painter, box, crop, error=False)
        cell_paint.paint_name(painter, option, box, "a long file name of a photo.jpg #2", selected=False)
        painter.end()
        drawn.append(cell_paint.fitted(crop, QSize(128, 128)).cacheKey())
    assert len(cell_paint._scaled) == 1 and len(set(drawn)) == 1  # scaled once, the same pixmap
    assert len(cell_paint._texts) == 1
    for n in range(cell_paint.SCALED_HELD + 10):  # bounded
        cell_paint.fitted(QPixmap(20 + n % 5, 20), QSize(10, 10))
    assert len(cell_paint._scaled) == cell_paint.SCALED_HELD
