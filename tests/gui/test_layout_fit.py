"""Nothing is cut at 1024x768 with the Statistics dock open (nor at 1600x1000 and 2560x1440), in
English and Chinese: the side panel's reasons wrap inside it, the combo boxes show their whole
text (or it is their tooltip), the dock opens at a readable width."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QComboBox

from facecurator.gui.fit import combo_text_room  # the style's text field of a combo box

SIZES = [(1024, 768), (1600, 1000), (2560, 1440)]


def _cut_combos(root) -> list[str]:
    """Visible combo boxes whose current text is wider than its field and is not the tooltip."""
    cut = []
    for combo in root.findChildren(QComboBox):
        if not combo.isVisible() or not combo.currentText():
            continue
        needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
        room = combo_text_room(combo)
        if needed > room and combo.toolTip() != combo.currentText():
            cut.append(f"{combo.objectName()}: {combo.currentText()!r} needs {needed} px, has {room}")
    return cut


def _overflow(panel) -> int:
    """How many pixels the details panel's text needs beyond the width it is shown in."""
    label = panel._label
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setHtml(label.text())
    width = label.contentsRect().width() - 2 * label.margin()
    document.setTextWidth(width)
    return max(0, round(document.size().width() - width))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_is_cut_with_the_statistics_open(
    qtbot, make_window, catalog_path, photo_dir, size: tuple[int, int], language: str
) -> None:
    from facecurator.gui.stats import STATS_MIN_WIDTH, open_statistics

    window = make_window(catalog_path, size=size)
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    # Triage first (its bar with the counts filled in), then a refused filter: neither may hold
    # the window wide, so the dock still gets its width
    window.tabs.setCurrentWidget(window.triage)
    qtbot.waitUntil(lambda: window.triage.current_face_id() is not None)
    window.tabs.setCurrentWidget(window.gallery_page)
    window.filter_bar.set_expression("yaw>20 and failed:no_such_condition_in_these_rules")
    dock = open_statistics(window)
    window.filter_bar.clear()
    # the face with the most failing reasons, selected: the side panel's longest text
    faces = [f for i in window.store.image_ids() for f in window.store.image(i).faces]
    face = max(faces, key=lambda f: len(f.verdict.against))
    assert window.gallery.select_image(face.image.id)
    qtbot.waitUntil(lambda: window.image_view.image_id == face.image.id)
    window.image_view.select_face(face.id)
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("faces"))  # "Most faces"

    def dock_is_wide() -> None:  # what holds the central area wide is named when it fails
        central = window.centralWidget()
        wanted = min(STATS_MIN_WIDTH, size[0] // 3)
        assert dock.width() >= wanted, (dock.width(), wanted, central.minimumSizeHint().width())

    qtbot.waitUntil(dock_is_wide)
    QApplication.processEvents()

    panel = window.details
    assert panel.width() >= 200, panel.width()
    assert panel.horizontalScrollBar().maximum() == 0
    assert panel.widget().width() <= panel.viewport().width()
    assert _overflow(panel) == 0, (panel.width(), _overflow(panel))
    assert not _cut_combos(window), _cut_combos(window)
    for i in range(window.sort_combo.count()):  # every sort choice, not only the current one
        text = window.sort_combo.itemText(i)
        assert window.sort_combo.fontMetrics().horizontalAdvance(text) <= combo_text_room(
            window.sort_combo
        ), text
    assert window.thumb_slider.width() >= 60
    # the statistics' plots side by side only as many as the dock holds: none is cut at its right
    graphics = dock.panel.graphics
    qtbot.waitUntil(lambda: dock.panel.columns() == dock.panel._drawn_columns)
    QApplication.processEvents()
    right = max(plot.sceneBoundingRect().right() for plot in dock.panel.plots.values())
    assert right <= graphics.viewport().width() + 1, (
        right,
        graphics.viewport().width(),
        dock.panel.columns(),
    )
    legend, view = window.image_view.legend, window.image_view.viewport()
    assert legend.isVisible() and legend.geometry().right() <= view.width(), (legend.geometry(), view.width())
    assert (
        legend.fontMetrics().horizontalAdvance("x")
        and legend.heightForWidth(legend.width()) <= legend.height()
    )
    window.tabs.setCurrentWidget(window.triage)
    QApplication.processEvents()
    assert not _cut_combos(window.triage), _cut_combos(window.triage)
    assert window.triage.size_slider.width() >= 60


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_image_view_keeps_its_width_with_the_statistics_open(
    qtbot, make_window, catalog_path, photo_dir, size: tuple[int, int]
) -> None:
    from facecurator.gui.pane_layout import IMAGE_VIEW_MIN_WIDTH
    from facecurator.gui.stats import open_statistics

    window = make_window(catalog_path, size=size)
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    beside = window.details.parent()
    dock = open_statistics(window)
    view, details = window.image_view, window.details
    qtbot.waitUntil(lambda: view.width() >= IMAGE_VIEW_MIN_WIDTH and dock.width() >= size[0] // 3 - 10)
    QApplication.processEvents()
    assert view.width() >= IMAGE_VIEW_MIN_WIDTH, (view.width(), window.gallery_splitter.sizes())
    assert details.isVisible() and details.width() >= 200 and details.height() >= 120, details.size()
    # under the image only when beside it the view would be too narrow (at 1024, not at 1600)
    assert (details.parent() is not beside) == (size[0] < 1300), (size, details.parent())
    dock.close()
    qtbot.waitUntil(lambda: details.parent() is beside)
    assert details.isVisible() and window.gallery_splitter.indexOf(details) == 2


def test_the_ranges_button_text_clears_its_menu_arrow(
    qtbot, make_window, catalog_path, language: str
) -> None:
    from facecurator.gui.fit import ARROW_GAP, menu_arrow_gap

    window = make_window(catalog_path, size=(1024, 768))
    window.retranslate_ui()
    button = window.filter_bar.ranges_button
    QApplication.processEvents()
    assert button.isVisible() and button.text()
    assert menu_arrow_gap(button) >= ARROW_GAP, (
        language,
        button.text(),
        button.width(),
        menu_arrow_gap(button),
    )
