"""Where the face details panel goes: beside the image view, or under the gallery when a dock
beside the central area (Statistics) would leave the image view too narrow.

At 1024 px the gallery column (272 px at least), the details panel (210 px) and a 360 px
Statistics dock leave the image view about 150 px. Then the details panel moves into the gallery
column, under the thumbnails (the column is wide enough for it), and the image view gets the
width the details had and keeps its whole height; once the dock closes, floats or the window is
wide enough, it goes back beside the image, with the splitter's earlier sizes. Before the window
closes (and saves its splitters) it is put back.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QBoxLayout, QDockWidget, QWidget

#: The image view is never made narrower than this by a dock if moving the details helps.
IMAGE_VIEW_MIN_WIDTH: Final = 360


class DetailsPlacement(QObject):
    """Moves ``window.details`` between the gallery splitter and the gallery column as room allows."""

    def __init__(self, window: Any, dock: QDockWidget) -> None:
        super().__init__(window)
        self.setObjectName("detailsPlacement")
        self._window = window
        self._dock = dock
        self._beside_sizes: list[int] = []
        window.installEventFilter(self)
        dock.visibilityChanged.connect(lambda _visible: self.update())
        dock.topLevelChanged.connect(lambda _floating: self.update())
        dock.dockLocationChanged.connect(lambda _area: self.update())

    @property
    def under(self) -> bool:
        """True while the details panel is under the gallery (not beside the image)."""
        return self._window.details.parent() is self._column()

    def _column(self) -> QWidget:
        """The gallery column: the filter header and the thumbnails (the splitter's first widget)."""
        column = self._window.gallery_splitter.widget(0)
        assert column is not None
        return column

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
        window, column = self._window, self._column()
        splitter = window.gallery_splitter
        if under:
            self._beside_sizes = splitter.sizes()
            gallery = self._beside_sizes[0] if self._beside_sizes else 0
            layout = column.layout()
            assert isinstance(layout, QBoxLayout)
            layout.addWidget(window.details, 1)  # the thumbnails and the details share the height
            splitter.setSizes([gallery, max(splitter.width() - gallery, 1)])
        else:
            splitter.insertWidget(2, window.details)
            if len(self._beside_sizes) == splitter.count():
                splitter.setSizes(self._beside_sizes)
        window.details.show()


def place_details(window: Any, dock: QDockWidget) -> DetailsPlacement:
    """The window's details placement (created once, following ``dock``), updated now."""
    placement = window.findChild(DetailsPlacement, "detailsPlacement")
    if placement is None:
        placement = DetailsPlacement(window, dock)
    placement.update()
    return placement
