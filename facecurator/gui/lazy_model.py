"""The id-only list model the gallery and triage grids share.

:class:`LazyIdModel` holds ids in display order and reads a row from the store only
when it is painted: a row not in memory is read with the page of rows around it, in
one query. It owns the store-signal wiring both grids have in common (a new listing
rebuilds, stored verdicts and new rules rebuild a view that depends on them) and the
repaint of a row whose cached picture arrived. :class:`~facecurator.gui.gallery.GalleryModel`
(image ids) and :class:`~facecurator.gui.triage_model.FaceModel` (face ids) fill in
the rest.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, MutableSequence, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from facecurator.errors import CatalogError, FacecuratorError
from facecurator.gui.paged_ids import PagedIds
from facecurator.gui.rowindex import RowIndex
from facecurator.gui.store import CurationStore
from facecurator.gui.store_rows import FETCH_PAGE
from facecurator.gui.thumbnails import AsyncPixmapCache
from facecurator.gui.view_ids import UNLISTED, ListedIds
from facecurator.services.catalog.queries import VERDICT_FILTERS
from facecurator.services.filtering import FaceFilter, FilterError

ModelIndex = QModelIndex | QPersistentModelIndex
T = TypeVar("T")


class LazyIdModel(QAbstractListModel):
    """Ids under a named filter and the filter bar's face filter; row data read on demand.

    Args:
        store: the store rows are read from (its signals keep the ids current).
        pixmaps: the cache of the pictures painted in the cells.
        key_prefix: the prefix of this model's keys in ``pixmaps`` (its id follows).
        filter_name: the named filter shown first.
    """

    #: the face filter could not be applied (FilterError: the grid shows its rows unfiltered
    #: meanwhile), or was applied again (None); the Find bar shows it
    faceFilterFailed = Signal(object)
    #: the picture of a row arrived (or failed): the view repaints that cell only
    pictureArrived = Signal(int)
    #: rows ``(first, last)`` that were placeholders got their ids (a page read on the query
    #: worker arrived): a view whose current row is among them shows it again
    rowsArrived = Signal(int, int)
    #: a far go-to's rows, shown at an estimated place, moved to their counted rows ``(first,
    #: last)`` (the current and selected rows among them moved along): a view whose current row
    #: is among them scrolls to it
    rowsShifted = Signal(int, int)

    #: the role ``data()`` answers with the row's id, without reading the row
    id_role: int
    #: True: the ids are the source's images, shown as soon as they are listed (its faces are
    #: listed next); False: face ids, shown once those are listed (none meanwhile)
    lists_images: bool = False

    def __init__(
        self,
        store: CurationStore,
        pixmaps: AsyncPixmapCache,
        key_prefix: str,
        filter_name: str,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._key_prefix = key_prefix
        #: the ids in display order: a list, or a large gallery's pages (PagedIds)
        self._ids: MutableSequence[int] | PagedIds | ListedIds = []
        self._rows: RowIndex | PagedIds | ListedIds = RowIndex()
        self._locating = 0  # go-tos asked (row_later): only the latest lands
        self.filter_name = filter_name
        #: the filter bar's face filter (None: none)
        self.face_filter: FaceFilter | None = None
        store.sourceImagesListed.connect(lambda _root: self._on_listed(images=True))
        store.sourceListed.connect(lambda _root: self._on_listed(images=False))
        store.sourceChanged.connect(lambda _root: self._on_verdicts_stored())
        store.rulesChanged.connect(self._on_rules_changed)
        store.rowsRead.connect(self._on_rows_read)
        pixmaps.ready.connect(self._on_pixmap_event)
        pixmaps.failed.connect(lambda key, _msg: self._on_pixmap_event(key))

    # -- what a model fills in ------------------------------------------------------------

    def rebuild(self) -> None:
        """Recompute the visible ids (an operator action: filter, sort, new source)."""
        raise NotImplementedError

    def _cached(self, item_id: int) -> bool:
        """Whether the store holds this id's row in memory."""
        raise NotImplementedError

    def _read_ids(self, image_ids: list[int], face_ids: list[int]) -> list[int]:
        """This model's ids among the rows a read on the row worker answered."""
        raise NotImplementedError

    def _row_data(self, item_id: int, role: int) -> Any:
        """``data()`` for a row the store holds."""
        raise NotImplementedError

    def _needs_verdicts(self) -> bool:
        """Whether the ids shown (or their order) depend on the verdicts."""
        return self.filter_name in VERDICT_FILTERS

    # -- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids) or index.column() != 0:
            return None
        row = index.row()
        item_id = self._shown(row)
        if item_id is None:  # a placeholder (a page read on the worker, a listed row not written yet)
            return None
        if role == self.id_role:
            return item_id
        if not self._cached(item_id):  # read the page of rows around it in one query
            first, stop = max(0, row - FETCH_PAGE // 6), min(len(self._ids), row + FETCH_PAGE)
            if isinstance(self._ids, PagedIds):  # (not its placeholders: their pages are on their way)
                page = [i for r in range(first, stop) if (i := self._shown(r)) is not None]
            else:  # (a listed view's rows not written yet have no row to read)
                page = [i for i in self._ids[first:stop] if i != UNLISTED]
            if not self.read_now(page):
                return None
        return self._row_data(item_id, role)

    def read_now(self, item_ids: Sequence[int]) -> bool:
        """Read the rows of ``item_ids`` here in one query (True), or ask them of the store's row
        worker (False: ``_on_rows_read`` paints them when in): a large grid on a server
        (:attr:`reads_later`), or while the catalog's reads fail (``CurationStore.rows_now``)."""
        ids = {"image_ids" if self.lists_images else "face_ids": item_ids}
        return self._store.rows_now(later=self.reads_later, **ids)

    def ids_now(self, read: Callable[[], T]) -> T | None:
        """``read()``: a view's ids read here (SQL: a filter or sort of a grid held as an id
        list); None when the catalog cannot be reached (the server gone) -- said as a failed
        read of the rows shown, the view kept and rebuilt again by itself once reads resume
        (row_reads' retry), nothing raised into Qt from the combo box's slot."""
        try:
            ids = read()
        except CatalogError as exc:
            rows = len(self._ids)
            images, faces = (rows, 0) if self.lists_images else (0, rows)
            self._store.page_failed(images, faces, exc, self.rebuild)
            return None
        self._store.page_answered()  # (the catalog answers: a failure said is over)
        return ids

    def id_now(self, row: int) -> int | None:
        """The id of ``row`` as painted: read now when that is cheap, None while its page is read on
        the worker (a decision state's grid reads none on the GUI thread); ``rowsArrived`` tells
        when it is in."""
        return self._shown(row)

    def _shown(self, row: int) -> int | None:
        """The id of ``row`` to paint; None while a paged list's page is read on the query worker
        (a jump far from its sampled keys) or a listed view's row is not written yet
        (``UNLISTED``): the cell is painted without a picture until it arrives."""
        ids = self._ids
        item_id = ids.shown(row) if isinstance(ids, PagedIds) else ids[row]
        return None if item_id == UNLISTED else item_id

    def _watch(self, paged: PagedIds) -> None:
        """Announce the rows of a page of ``paged`` read on the worker when it arrives (if the
        model still shows it)."""

        def arrived(first: int, last: int) -> None:
            if self._ids is paged:
                self.dataChanged.emit(self.index(first, 0), self.index(last, 0))
                self.rowsArrived.emit(first, last)

        def shifted(first: int, last: int, by: int) -> None:
            if self._ids is not paged:
                return
            count = self.rowCount()
            moved = [index for index in self.persistentIndexList() if first <= index.row() <= last]
            self.changePersistentIndexList(
                moved,
                [self.index(i.row() + by, 0) if 0 <= i.row() + by < count else QModelIndex() for i in moved],
            )
            low, high = max(0, min(first, first + by)), min(count - 1, max(last, last + by))
            self.dataChanged.emit(self.index(low, 0), self.index(high, 0))
            self.rowsShifted.emit(max(0, first + by), min(count - 1, last + by))

        def failed(rows: int, error: FacecuratorError, again: Callable[[], None]) -> None:
            if self._ids is paged:  # (said as a failed read of its rows; asked again with them)
                images, faces = (rows, 0) if self.lists_images else (0, rows)
                self._store.page_failed(images, faces, error, again)

        paged.arrived = arrived
        paged.shifted = shifted
        paged.failed = failed
        paged.answered = self._store.page_answered

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # -- ids and filters ------------------------------------------------------------------

    @property
    def reads_later(self) -> bool:
        """Whether a row not cached is asked of the store's row worker, not read here: a large
        source's grid on PostgreSQL (by id, a round trip or two to the server a page, 0.3-0.6 s
        of GUI-thread reads a PgDown across a page at 1M under load). On SQLite a read by id is
        0.3-2 ms at 1M: read at once, the next face follows without waiting for a worker."""
        return self.is_paged and self._store.rows_later

    @property
    def is_paged(self) -> bool:
        """Whether the ids are read a page at a time (keyset pages, or a listed view's file)."""
        return isinstance(self._ids, (PagedIds, ListedIds))

    @property
    def listed(self) -> ListedIds | None:
        """The listed view shown (None: an id list or keyset pages)."""
        return self._ids if isinstance(self._ids, ListedIds) else None

    def ids(self) -> list[int]:
        """Every id shown, in order (a paged list's read now, in one query or from its file)."""
        if isinstance(self._ids, (PagedIds, ListedIds)):
            return self._ids.every_id()
        return list(self._ids)

    def id_snapshot(self) -> Sequence[int]:
        """The ids shown now, as a copy the model will not change: a compact list's in one
        memcpy (no million ints made on the GUI thread), else :meth:`ids`."""
        if isinstance(self._ids, array) and self._ids.typecode == "q":
            return array("q", self._ids)
        if isinstance(self._ids, ListedIds):
            return self._ids.id_array()
        return self.ids()

    @property
    def held_ids(self) -> int:
        """How many ids the model holds in memory (a paged list: its held pages only)."""
        return self._ids.held if isinstance(self._ids, (PagedIds, ListedIds)) else len(self._ids)

    def row_of(self, item_id: int) -> int | None:
        if isinstance(self._rows, (PagedIds, ListedIds)):  # any row of the list, not a held page's only
            return self._rows.locate(item_id)
        return self._rows.get(item_id)

    def row_later(self, item_id: int, found: Callable[[int], None]) -> bool:
        """Whether ``item_id`` is shown; if so ``found(row)`` is called: at once, or for a paged
        list whose row would be counted far from every sampled key, when the query worker
        counted it (a go-to lands then; only the latest asked lands, and only while this list is
        shown)."""
        self._locating += 1
        asked, rows = self._locating, self._rows

        def land(row: int) -> None:
            if asked == self._locating and self._rows is rows and 0 <= row < self.rowCount():
                found(row)

        if isinstance(rows, PagedIds):
            return bool(rows.rows_later([item_id], lambda counted: land(counted[item_id])))
        row = self.row_of(item_id)
        if row is None:
            return False
        land(row)
        return True

    @property
    def paged(self) -> PagedIds | None:
        """The paged list shown (None: an id list)."""
        return self._ids if isinstance(self._ids, PagedIds) else None

    def held_id(self, row: int) -> int | None:
        """The id of ``row`` without reading a page (None: its page is not held, or a listed
        view's row not written yet)."""
        item_id = self._ids.peek(row) if isinstance(self._ids, PagedIds) else self._ids[row]
        return None if item_id == UNLISTED else item_id

    def set_filter(self, name: str) -> None:
        if name != self.filter_name:
            self.filter_name = name
            self.rebuild()

    def set_face_filter(self, face_filter: FaceFilter | None) -> None:
        """Apply the filter bar's face filter (None: no such filter)."""
        if face_filter is not self.face_filter:
            self.face_filter = face_filter
            self.rebuild()

    def _face_filtered(
        self,
        ids: MutableSequence[int],
        select: Callable[[Sequence[int], FaceFilter], list[int]],
        *,
        fallback: bool,
    ) -> MutableSequence[int]:
        """``select(ids, face_filter)``; when the catalog cannot answer the filter now (e.g. an
        ``assigned:`` term beside a verdict term while the verdicts are not stored) the ids
        unfiltered (``fallback``) or none, and ``faceFilterFailed`` says why."""
        if self.face_filter is None:
            return ids
        try:
            selected = select(ids, self.face_filter)
        except FilterError as error:
            self.faceFilterFailed.emit(error)
            return ids if fallback else []
        self.faceFilterFailed.emit(None)
        return selected

    def _append(self, new: list[int]) -> None:
        """New ids at the end, as inserted rows."""
        rows = self._rows
        assert not isinstance(self._ids, (PagedIds, ListedIds)) and isinstance(rows, RowIndex), "paged"
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for offset, item_id in enumerate(new):
            self._ids.append(item_id)
            rows[item_id] = first + offset
        self.endInsertRows()

    # -- store and cache signals ----------------------------------------------------------

    def _on_listed(self, *, images: bool) -> None:
        """A source being opened listed its images (``images``), then its faces."""
        if images == self.lists_images:
            self.rebuild()
        elif images:  # the faces of the source shown before: none until the new ones are listed
            self.beginResetModel()
            self._ids, self._rows = [], RowIndex()
            self.endResetModel()

    def _on_verdicts_stored(self) -> None:
        """The opened source's verdicts are stored: a verdict filter or sort can now be computed
        (the listing already showed every other view; rebuilding it would lose the scroll)."""
        if self._needs_verdicts():
            self.rebuild()

    def _on_rules_changed(self, _rules: object) -> None:
        if self._needs_verdicts() or self.face_filter is not None:
            self.rebuild()  # membership or order depends on the verdicts
        elif self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, 0))

    def _on_rows_read(self, image_ids: list[int], face_ids: list[int]) -> None:
        """Rows a grid painted empty were read on the row worker (a paged grid's; any grid's
        while the catalog's reads fail): painted again (those still shown; a read forgotten
        meanwhile is asked again by the paint)."""
        rows = [row for i in self._read_ids(image_ids, face_ids) if (row := self._rows.get(i)) is not None]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), 0))

    def _on_pixmap_event(self, key: str) -> None:
        """A row's picture arrived (or failed): its cell is repainted (the view connects
        ``pictureArrived``). Not a dataChanged: QListView (Qt 6.11) repainted its whole viewport
        for each one, a page's pictures painting every cell shown once per picture."""
        if key.startswith(self._key_prefix):
            row = self._rows.get(int(key[len(self._key_prefix) :]))
            if row is not None:
                self.pictureArrived.emit(row)
