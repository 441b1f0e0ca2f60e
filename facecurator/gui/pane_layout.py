"""Where the face details panel goes: beside the image view, or under it when a dock beside the
central area (Statistics) would leave the image view too narrow.

At 1024 px the gallery column (272 px at least), the details panel (210 px) and a 360 px
Statistics dock leave the image view about 150 px. Then the details panel moves under the image
view (its pane is about 420 px wide: the reasons read on one or two lines) and the image view gets
the width the details had; the thumbnails keep the gallery column's whole height (two rows at
1024x768: under the thumbnails, the details left them less than one). The image keeps
:data:`IMAGE_SHARE` of the pane's height (a landscape photo, 3:2, is about as large as before).
Once the dock closes, floats or the window is wide enough, the panel goes back beside the image,
with the splitter's earlier sizes. Before the window closes (and saves its splitters) it is put
back.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QSplitter, QWidget

#: The image view is never made narrower than this by a dock if moving the details helps.
IMAGE_VIEW_MIN_WIDTH: Final = 360
#: Shares of the height for the image (with its label list) and the details panel under it.
IMAGE_SHARE: Final = (2, 1)
#: Rows the Problems dock keeps when the details go under the image (it gives the rest of its
#: height to the thumbnails; the operator can make it taller again).
BOTTOM_DOCK_ROWS: Final = 4


class DetailsPlacement(QObject):
    """Moves ``window.details`` from beside the image view to under it (and back) as room allows.

    Under the image, the image pane and the details share a vertical splitter (the operator
    drags its handle; the heights are kept while the window is open)."""

    def __init__(self, window: Any, dock: QDockWidget) -> None:
        super().__init__(window)
        self.setObjectName("detailsPlacement")
        self._window = window
        self._dock = dock
        self._beside_sizes: list[int] = []
        self._under_sizes: list[int] = []
        self._pane: QWidget = window.gallery_splitter.widget(1)  # the image view and its label list
        self.column = QSplitter(Qt.Orientation.Vertical)  # the pane over the details, when under
        self.column.setObjectName("imageDetailsSplitter")
        self.column.setChildrenCollapsible(False)
        self.column.hide()
        window.installEventFilter(self)
        dock.visibilityChanged.connect(lambda _visible: self.update())
        dock.topLevelChanged.connect(lambda _floating: self.update())
        dock.dockLocationChanged.connect(lambda _area: self.update())

    @property
    def under(self) -> bool:
        """True while the details panel is under the image view (not beside it)."""
        return self._window.details.parent() is self.column

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            if event.type() == QEvent.Type.Resize:
                QTimer.singleShot(0, self.update)  # once the docks have their new widths
            elif event.type() == QEvent.Type.Close:
                self._place(under=False)  # the window saves its splitters as they were built
        return False

    def needs_room(self) -> bool:
        """Would the image view, beside the details, be narrower than :data:`IMAGE_VIEW_MIN_WIDTH`?"""
        window, dock = self._window, self._dock
        if not dock.isVisible() or dock.isFloating():
            return False
        splitter = window.gallery_splitter
        gallery = splitter.widget(0).minimumSizeHint().width()
        details = window.details.minimumWidth()
        room = window.centralWidget().width() - 2 * splitter.handleWidth() - 8  # the page's margins
        return room - gallery - details < IMAGE_VIEW_MIN_WIDTH

    def update(self) -> None:
        self._place(under=self.needs_room())

    def _place(self, *, under: bool) -> None:
        if under == self.under:
            return
        window, splitter, column = self._window, self._window.gallery_splitter, self.column
        if under:
            self._beside_sizes = splitter.sizes()
            gallery = self._beside_sizes[0] if self._beside_sizes else 0
            height = max(splitter.height(), 1)
            splitter.replaceWidget(1, column)
            column.addWidget(self._pane)
            column.addWidget(window.details)
            total = sum(IMAGE_SHARE)
            column.setSizes(self._under_sizes or [height * share // total for share in IMAGE_SHARE])
            column.show()
            splitter.setSizes([gallery, max(splitter.width() - gallery, 1)])
            self._shorten_bottom_dock()
        else:
            self._under_sizes = column.sizes()
            splitter.replaceWidget(1, self._pane)
            splitter.insertWidget(2, window.details)
            column.hide()
            if len(self._beside_sizes) == splitter.count():
                splitter.setSizes(self._beside_sizes)
        self._pane.show()
        window.details.show()

    def _shorten_bottom_dock(self) -> None:
        """The Problems dock (and the Log tabbed with it) at most :data:`BOTTOM_DOCK_ROWS` rows tall."""
        window = self._window
        problems = window.problems
        if problems.isFloating() or not problems.isVisible():
            return
        rows = problems.list
        wanted = (
            problems.height()
            - rows.viewport().height()
            + BOTTOM_DOCK_ROWS * (rows.fontMetrics().height() + 2)
        )
        if problems.height() > wanted:
            window.resizeDocks([problems], [wanted], Qt.Orientation.Vertical)


def place_details(window: Any, dock: QDockWidget) -> DetailsPlacement:
    """The window's details placement (created once, following ``dock``), updated now."""
    placement = window.findChild(DetailsPlacement, "detailsPlacement")
    if placement is None:
        placement = DetailsPlacement(window, dock)
    placement.update()
    return placement
