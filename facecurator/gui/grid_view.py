"""The base of the gallery's and Triage's grids: a :class:`QListView` of uniform cells whose data
changes repaint those cells and never lay the grid out again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QTimer
from PySide6.QtWidgets import QAbstractItemView, QListView


class UniformGrid(QListView):
    """A list-mode :class:`QListView` of cells of one size (``uniformItemSizes``, a grid size),
    laid out in batches."""

    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """Repaint the changed cells, and no more: QListView in list mode lays every item out again
        on any data change, and laid out in batches (``LAYOUT_BATCH`` rows a turn) the first
        batch's extent clamps the scroll position. A grid of more rows than a batch jumped to
        about the batch's last row: after the End key on Triage's "Accepted" (its page read on
        the worker) the page's arrival moved the grid from the last rows to rows ~1 974-1 998 of
        30 000, away from the current face, onto rows not read yet; so did a dragged scroll bar's
        page, a decision's repaint, a rules change. No data change moves a cell of one size."""
        QAbstractItemView.dataChanged(self, top_left, bottom_right, list(roles))

    def lay_out_as_grid(self, model: Any, batch: int) -> None:
        """Show ``model`` as the grid: list mode flowing left to right and wrapping draws the same
        grid as icon mode, but lays out uniform cells without asking the model per row; the batched
        layout (``batch`` rows a turn) spreads a 100k-row reset over event-loop turns. A picture
        arriving repaints its cell only; 120 ms after a scroll the requests for cells scrolled
        away are dropped (:meth:`_prune_offscreen_requests`)."""
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(batch)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setWrapping(True)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(40)
        self.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.setModel(model)
        model.pictureArrived.connect(lambda row: self.update(model.index(row, 0)))  # that cell only
        self._prune_timer = QTimer(self)
        self._prune_timer.setSingleShot(True)
        self._prune_timer.setInterval(120)
        self._prune_timer.timeout.connect(self._prune_offscreen_requests)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._prune_timer.start())

    def visible_rows(self) -> range:
        """Rows intersecting the viewport (uniform grid: computed, not searched)."""
        count = self.model().rowCount()
        if count == 0:
            return range(0)
        grid = self.gridSize()
        columns = max(1, self.viewport().width() // max(grid.width(), 1))
        first_line = max(0, self.verticalScrollBar().value() // max(grid.height(), 1))
        lines = self.viewport().height() // max(grid.height(), 1) + 2
        return range(min(count, first_line * columns), min(count, (first_line + lines) * columns))

    def _prune_offscreen_requests(self) -> None:
        """Drop the queued picture requests of cells no longer shown (each grid its own cache)."""
        raise NotImplementedError
