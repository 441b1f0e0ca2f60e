"""The base of the gallery's and Triage's grids: a :class:`QListView` of uniform cells whose data
changes repaint those cells and never lay the grid out again."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
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
