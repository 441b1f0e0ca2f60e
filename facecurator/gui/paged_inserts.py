"""A scan's new rows in a paged grid (:class:`~facecurator.gui.paged_ids.PagedIds`), located on
the store's query worker and inserted when it answers.

Each new row's place is counted in the view's order from the nearest sampled key before it
(:meth:`PagedIds.new_rows`: a walk of about a sample step; the sample is shifted down by the rows
inserted, not dropped and walked again -- while it was, a row's place was counted from the start:
~1 s at 1 000 000 images, more at 3 000 000 faces, behind the sample's walk). Counted on the GUI
thread, a running scan stalled it that long a batch; here the rows are asked of the query worker
a batch at a time (ids that come meanwhile wait for the next ask) and inserted in ascending order
when the answer comes, while the grid still shows that list. Too many at once: the grid is
rebuilt instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QModelIndex

from facecurator.gui.paged_ids import PagedIds, Query
from facecurator.services.catalog import Catalog


class PagedModel(Protocol):
    """What the inserts need of a grid's model (LazyIdModel's)."""

    @property
    def paged(self) -> PagedIds | None: ...
    def rowCount(self, parent: QModelIndex = ..., /) -> int: ...
    def beginInsertRows(self, parent: QModelIndex, first: int, last: int, /) -> None: ...
    def endInsertRows(self) -> None: ...


class PagedInserts:
    """New ids of a model's paged list, located on ``query`` and inserted at their rows.

    Args:
        model: the grid's model (its ``paged`` list is the one inserted into).
        query: the store's query worker.
        most: more ids waiting than this: ``rebuild`` instead.
        rebuild: rebuild the grid (a new list, counted whole).
        whole: every id added must be in the list (the gallery's source): one that is not
            rebuilds the grid; else those not in it are left out (Triage's decision states).
    """

    def __init__(
        self, model: PagedModel, query: Query, most: int, rebuild: Callable[[], None], *, whole: bool
    ) -> None:
        self._model = model
        self._query = query
        self._most = most
        self._rebuild = rebuild
        self._whole = whole
        self._paged: PagedIds | None = None  # the list the ids below are of
        self._waiting: list[int] = []  # not asked yet
        self._asked: list[int] = []  # being located on the worker

    def waiting(self, paged: PagedIds) -> int:
        """How many ids added to ``paged`` are not inserted yet."""
        return len(self._waiting) + len(self._asked) if paged is self._paged else 0

    def add(self, paged: PagedIds, ids: Sequence[int]) -> None:
        """Locate ``ids`` (new to the store) in ``paged`` on the worker, then insert them."""
        if paged is not self._paged:  # (ids of a list no longer shown: in the new one's count)
            self._paged, self._waiting, self._asked = paged, [], []
        self._waiting.extend(ids)
        if self.waiting(paged) > self._most:
            self._paged, self._waiting, self._asked = None, [], []
            self._rebuild()
        elif not self._asked:
            self._locate(paged)

    def _locate(self, paged: PagedIds) -> None:
        ids, self._waiting = self._waiting, []
        self._asked = ids

        def read(catalog: Catalog) -> dict[int, int] | None:
            if paged is not self._paged or paged.retired:  # (rebuilt meanwhile: not counted)
                return None
            return paged.new_rows(catalog, ids)

        def got(rows: dict[int, int] | None) -> None:
            if rows is None or paged is not self._paged or self._model.paged is not paged:
                return
            self._asked = []
            if self._whole and len(rows) != len(ids):
                self._paged, self._waiting = None, []
                self._rebuild()
                return
            self._insert(paged, sorted(rows.values()))
            if self._waiting:
                self._locate(paged)

        self._query(read, got)

    def _insert(self, paged: PagedIds, rows: list[int]) -> None:
        """Insert ``rows`` (ascending: each row is its place once the ones before are in)."""
        model = self._model
        for located in rows:
            row = min(located, model.rowCount())  # (rows a scan committed, not announced yet)
            model.beginInsertRows(QModelIndex(), row, row)
            paged.inserted(row)  # (the sample's keys after it shifted a row down)
            model.endInsertRows()
        if rows:
            paged.sample_on()  # (its walk goes on, if it was on its way)
