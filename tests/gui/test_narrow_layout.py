"""At 1024x768 with the Statistics dock open the gallery stays usable (issue 13), in English and
Chinese: the details panel goes under the image view, so the thumbnails keep the gallery
column's height (about two rows; under the thumbnails the details left less than one); the
image view keeps a readable size; the details are as wide as the image and the operator can
move the split between them; the rows of the label list under the image stay one line each
(cut with "…", the whole label in the tooltip) instead of wrapping."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QStyleOptionViewItem


def _narrow_window_with_statistics(qtbot, make_window, catalog_path, photo_dir):
    """A 1024x768 window on the photo folder with the Statistics dock open at its width."""
    from facecurator.gui.stats import open_statistics

    window = make_window(catalog_path, size=(1024, 768))
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    dock = open_statistics(window)
    qtbot.waitUntil(
        lambda: dock.width() >= 1024 // 3 - 10 and window.details.parent() is not window.gallery_splitter
    )
    return window


def _crowded_image_shown(qtbot, window) -> int:
    ids = [i for i in window.store.image_ids() if window.store.image(i).faces]
    image_id = max(ids, key=lambda i: len(window.store.image(i).faces))
    assert window.gallery.select_image(image_id)
    qtbot.waitUntil(lambda: window.image_view.image_id == image_id)
    return image_id


def test_the_gallery_keeps_its_rows_at_1024_with_the_statistics_open(
    qtbot, make_window, catalog_path, photo_dir, language: str
) -> None:
    from facecurator.gui.pane_layout import IMAGE_VIEW_MIN_WIDTH
    from facecurator.gui.stats import open_statistics

    window = _narrow_window_with_statistics(qtbot, make_window, catalog_path, photo_dir)
    dock = window.findChild(QDockWidget, "statisticsDock")
    view, details, gallery = window.image_view, window.details, window.gallery
    image_id = _crowded_image_shown(qtbot, window)
    window.image_view.select_face(window.store.image(image_id).faces[0].id)
    QApplication.processEvents()
    # the thumbnails: the column's height (two rows but for the second's name line)
    rows = gallery.viewport().height() / gallery.gridSize().height()
    assert rows >= 1.8, (rows, gallery.viewport().size(), gallery.gridSize())

    # the details under the image, as wide as it; the image readable
    assert details.isVisible() and details.width() >= view.width() - 4, (details.width(), view.width())
    assert (
        details.geometry().top() >= 0
        and details.mapTo(window, QPoint(0, 0)).y() > view.mapTo(window, QPoint(0, view.height())).y()
    )
    assert view.width() >= IMAGE_VIEW_MIN_WIDTH and view.height() >= 200, view.size()
    assert details.height() >= 120, details.size()
    # the operator moves the split between image and details; the heights are kept
    column = window.findChild(type(window.gallery_splitter), "imageDetailsSplitter")
    assert column is not None and column.isVisible() and column.indexOf(details) == 1
    handle = column.handle(1)
    QTest.mouseMove(handle, handle.rect().center())
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, pos=handle.rect().center())
    QTest.mouseMove(handle, handle.rect().center() + QPoint(0, 40))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=handle.rect().center() + QPoint(0, 40))
    moved = column.sizes()
    # closing the dock puts the details beside the image again; opening it, under, as it was left
    dock.close()
    qtbot.waitUntil(lambda: details.parent() is window.gallery_splitter)
    assert window.gallery_splitter.indexOf(details) == 2 and details.isVisible()
    open_statistics(window)
    qtbot.waitUntil(lambda: details.parent() is column)
    assert column.sizes() == moved


def _painted(rows, row: int) -> str:
    """The text the list's delegate paints for a row."""
    index = rows.model().index(row, 0)
    option = QStyleOptionViewItem()
    option.initFrom(rows.viewport())
    rows.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text


def test_the_label_list_rows_stay_one_line_when_narrow(
    qtbot, make_window, catalog_path, photo_dir, language: str
) -> None:
    from facecurator.gui.overlay import face_label_lines

    window = _narrow_window_with_statistics(qtbot, make_window, catalog_path, photo_dir)
    image_id = _crowded_image_shown(qtbot, window)
    labels = window.label_list
    qtbot.waitUntil(lambda: labels.list.count() > 0)
    QApplication.processEvents()
    rows = labels.list
    line = rows.fontMetrics().height()
    faces = {face.id: face for face in window.store.image(image_id).faces}
    shown = labels.shown_texts()
    assert shown == [_painted(rows, i) for i in range(rows.count())]  # what the list's delegate paints
    for i in range(rows.count()):
        item = rows.item(i)
        rect = rows.visualItemRect(item)
        assert rect.height() < 2 * line and rect.width() <= rows.viewport().width(), (item.text(), rect)
        assert rows.fontMetrics().horizontalAdvance(shown[i]) <= rows.viewport().width(), shown[i]
        face = faces[item.data(Qt.ItemDataRole.UserRole)].face
        assert item.text().endswith(" · ".join(face_label_lines(face))), item.text()
        assert item.toolTip() == item.text()  # the whole label on hover
        assert shown[i] == item.text() or (
            shown[i].endswith("…") and item.text().startswith(shown[i][:-1])
        ), (shown[i], item.text())
    assert any(text.endswith("…") for text in shown)  # narrow: some are cut here
    assert rows.horizontalScrollBar().maximum() == 0
