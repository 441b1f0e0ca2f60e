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


def _opened(qtbot, make_window, tmp_path, images: int, faces: int):
    """A window with a seeded source of ``images`` images of ``faces`` faces opened."""
    from helpers.catalogs import seed_catalog

    root = tmp_path / "gallery"
    root.mkdir()
    seed_catalog(tmp_path / "c.sqlite3", root, images, faces)
    window = make_window(tmp_path / "c.sqlite3")
    with qtbot.waitSignal(window.store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    return window


def _quiet(qtbot, drawn: list[int]) -> None:
    """Wait until nothing was drawn for 300 ms (the pictures, the verdicts, the preview are in)."""
    for _ in range(100):
        drawn.clear()
        qtbot.wait(300)
        if not drawn:
            return
    raise AssertionError("the grid never stopped painting")


def test_triage_draws_only_the_cells_a_repaint_touches(qtbot, make_window, tmp_path, monkeypatch) -> None:
    """Two crops arriving at the two ends of a page repaint those two cells, not the cells
    between them (the view paints its dirty region's bounding rect; the rest is clipped)."""
    from facecurator.gui import triage_delegate
    from facecurator.gui.triage_model import crop_key

    window = _opened(qtbot, make_window, tmp_path, 40, 2)
    window.tabs.setCurrentWidget(window.triage)
    view, model = window.triage.view, window.triage.model
    qtbot.waitUntil(lambda: model.rowCount() == 80 and len(view.visible_rows()) > 10, timeout=30_000)
    drawn: list[int] = []
    real = triage_delegate.paint_picture
    monkeypatch.setattr(triage_delegate, "paint_picture", lambda *a, **k: drawn.append(1) or real(*a, **k))
    _quiet(qtbot, drawn)
    area = view.viewport().rect()
    rows = [r for r in view.visible_rows() if area.contains(view.visualRect(model.index(r, 0)))]
    first, last = view.visualRect(model.index(rows[0], 0)), view.visualRect(model.index(rows[-1], 0))
    assert last.bottom() > first.bottom()  # two lines apart at least: cells lie between them
    drawn.clear()
    view.viewport().update(first)
    view.viewport().update(last)
    qtbot.waitUntil(lambda: len(drawn) >= 2, timeout=5_000)
    qtbot.wait(50)
    assert len(drawn) == 2, f"{len(drawn)} cells drawn for 2 changed"
    # a crop arriving repaints its own cell (a dataChanged repainted every cell shown)
    drawn.clear()
    window.crops.ready.emit(crop_key(model.face_id(rows[3])))
    qtbot.waitUntil(lambda: len(drawn) >= 1, timeout=5_000)
    qtbot.wait(50)
    assert len(drawn) == 1, f"{len(drawn)} cells drawn for 1 crop"


def test_a_thumbnail_arriving_draws_its_gallery_cell_only(qtbot, make_window, tmp_path, monkeypatch) -> None:
    from facecurator.gui import gallery, gallery_delegate

    window = _opened(qtbot, make_window, tmp_path, 60, 1)
    window.tabs.setCurrentWidget(window.gallery_page)
    view, model = window.gallery, window.gallery_model
    qtbot.waitUntil(lambda: model.rowCount() == 60 and len(view.visible_rows()) > 6, timeout=30_000)
    drawn: list[int] = []
    real = gallery_delegate.paint_picture
    monkeypatch.setattr(gallery_delegate, "paint_picture", lambda *a, **k: drawn.append(1) or real(*a, **k))
    _quiet(qtbot, drawn)
    drawn.clear()
    window.thumbnails.ready.emit(gallery.thumb_key(model.image_id(2)))
    qtbot.waitUntil(lambda: len(drawn) >= 1, timeout=5_000)
    qtbot.wait(50)
    assert len(drawn) == 1, f"{len(drawn)} cells drawn for 1 thumbnail"
