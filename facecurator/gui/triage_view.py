"""Triage's face grid: single keys decide the current face (or the selection); the grid never
jumps (the page around it: :mod:`facecurator.gui.triage`)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QListView, QWidget

from facecurator.gui.grid_view import UniformGrid
from facecurator.gui.thumbnails import AsyncPixmapCache
from facecurator.gui.triage_delegate import CROP_BOX, CROP_SIDES, FaceDelegate
from facecurator.gui.triage_model import LAYOUT_BATCH, FaceModel, crop_key


class TriageView(UniformGrid):
    """The face grid; single keys decide the current face (or the selection)."""

    decisionRequested = Signal(str)  # "accepted" | "rejected" | "skip"

    def __init__(self, model: FaceModel, crops: AsyncPixmapCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triageGrid")
        self._crops = crops
        self.lay_out_as_grid(model, LAYOUT_BATCH)
        self._delegate = FaceDelegate(model, self)
        self.setItemDelegate(self._delegate)
        self.set_crop_side(CROP_BOX)

    def face_model(self) -> FaceModel:
        return self.model()  # type: ignore[return-value]

    def paintEvent(self, event: QPaintEvent) -> None:
        self._delegate.region = event.region()  # the cells outside it are not drawn (clipped)
        try:
            super().paintEvent(event)
        finally:
            self._delegate.region = None

    @property
    def crop_side(self) -> int:
        return self._delegate.crop_side

    def set_crop_side(self, side: int) -> None:
        """Crop size (the size slider): cells and grid follow; the current face stays in view."""
        self._delegate.crop_side = max(CROP_SIDES[0], min(CROP_SIDES[1], int(side)))
        cell = self._delegate.cell_size()
        self.setGridSize(QSize(cell.width() + 4, cell.height() + 4))
        self.doItemsLayout()
        if self.currentIndex().isValid():
            self.scrollTo(self.currentIndex())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            key = event.key()
            if key == Qt.Key.Key_A:
                self.decisionRequested.emit("accepted")
                return
            if key == Qt.Key.Key_R:
                self.decisionRequested.emit("rejected")
                return
            if key in (Qt.Key.Key_S, Qt.Key.Key_Space):
                self.decisionRequested.emit("skip")
                return
        super().keyPressEvent(event)

    def _prune_offscreen_requests(self) -> None:
        model = self.face_model()
        held = (model.held_id(row) for row in self.visible_rows())  # (no page read here)
        self._crops.retain({crop_key(face_id) for face_id in held if face_id is not None})

    def move_to_row(self, row: int) -> None:
        """Select ``row`` as the only current face; scroll only if it is not visible."""
        index = self.model().index(row, 0)
        self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index, QListView.ScrollHint.EnsureVisible)
