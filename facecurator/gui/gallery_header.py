"""The gallery pane's header: what to show, how to sort, the thumbnail size, how many images.

Two rows, each combo box as wide as its longest entry, so nothing is cut in a
narrow pane (1024 px with the statistics dock) in either language. The texts are
set by the main window's ``retranslate_ui``. The count is the view's: "about N images" while
a large view's count is an estimate (``ViewModel.view_count``), then exact; "N images found so
far…" while a Find decided in part in Python is listed (counted at its end only).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QSlider, QWidget

from facecurator.gui.fit import never_cut
from facecurator.gui.gallery import THUMB_SIDES, GalleryModel, GalleryView
from facecurator.gui.store import IMAGE_FILTERS, IMAGE_SORTS


class GalleryHeader(QGridLayout):
    """Show: [filter] [size slider] / Sort: [order], bound to the gallery's model and view."""

    def __init__(self, model: GalleryModel, view: GalleryView, parent: QWidget) -> None:
        super().__init__()
        self.filter_combo = QComboBox(parent)
        self.filter_combo.setObjectName("galleryFilter")
        for name in IMAGE_FILTERS:
            self.filter_combo.addItem("", name)  # texts: the window's retranslate_ui()
        self.filter_combo.currentIndexChanged.connect(
            lambda _i: model.set_filter(self.filter_combo.currentData())
        )
        self.sort_combo = QComboBox(parent)
        self.sort_combo.setObjectName("gallerySort")
        for key in IMAGE_SORTS:
            self.sort_combo.addItem("", key)
        self.sort_combo.currentIndexChanged.connect(lambda _i: model.set_sort(self.sort_combo.currentData()))
        never_cut(self.filter_combo, self.sort_combo)
        self.show_label = QLabel(parent)
        self.sort_label = QLabel(parent)
        self.thumb_slider = QSlider(Qt.Orientation.Horizontal, parent)
        self.thumb_slider.setObjectName("galleryThumbSize")
        self.thumb_slider.setRange(*THUMB_SIDES)
        self.thumb_slider.setValue(view.thumb_side)
        self.thumb_slider.setMaximumWidth(110)
        self.thumb_slider.setMinimumWidth(60)
        self.thumb_slider.valueChanged.connect(view.set_thumb_side)
        self.addWidget(self.show_label, 0, 0)
        self.addWidget(self.filter_combo, 0, 1)
        self.addWidget(self.thumb_slider, 0, 2)
        self.count_label = QLabel(parent)
        self.count_label.setObjectName("galleryCount")
        self.addWidget(self.sort_label, 1, 0)
        self.addWidget(self.sort_combo, 1, 1)
        self.addWidget(self.count_label, 1, 2, 1, 2)
        self.setColumnStretch(3, 1)
        self._model = model
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.countChanged):
            signal.connect(lambda *_: self.show_count())

    def show_count(self) -> None:
        """The view's count in the label (also when the language changes)."""
        model = self._model
        self.count_label.setText(count_text(model.view_count, growing=model.count_growing))


def count_text(count: tuple[int, bool] | None, *, growing: bool = False) -> str:
    """The label of a view count: "about N images" estimated, "N images" exact, "N images found
    so far…" while a Find is still finding them (``growing``); "" unknown."""
    if count is None:
        return ""
    images, estimated = count
    number = QLocale().toString(images)
    if growing:
        return QCoreApplication.translate("GalleryHeader", "{n} images found so far…").format(n=number)
    if estimated:
        return QCoreApplication.translate("GalleryHeader", "about {n} images").format(n=number)
    return QCoreApplication.translate("GalleryHeader", "{n} images").format(n=number)
