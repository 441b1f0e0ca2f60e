"""Gallery grid: an id-only list model, a cached-pixmap delegate and the icon view.

The model holds image ids in display order (filtered and sorted in SQL by the
store) and asks the store for each row when painted; a row not in memory is
read with the page of rows around it (the Anki browser shape). The delegate
paints cached thumbnails only and queues a render on a miss. Made for 100 000+
images: uniform cells, no per-row widgets, no global lookups in ``data()``.
"""

from __future__ import annotations

import bisect
from collections.abc import MutableSequence
from typing import Any, Final

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QWidget

from facecurator.gui.core_errors import error_line
from facecurator.gui.gallery_delegate import (
    IMAGE_ID_ROLE,
    SHOWN_STATUSES,
    STATUS_ROLE,
    SUMMARY_ROLE,
    THUMB_BOX,
    GalleryDelegate,
)
from facecurator.gui.gallery_views import ViewModel
from facecurator.gui.grid_view import UniformGrid
from facecurator.gui.paged_ids import PagedIds, pages_gallery
from facecurator.gui.paged_inserts import PagedInserts
from facecurator.gui.rowindex import RowIndex
from facecurator.gui.store import CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache, render_thumbnail
from facecurator.gui.view_ids import UNLISTED
from facecurator.services.catalog.queries import VERDICT_SORTS

#: Thumbnail sides the size slider offers (the cell grows with it; thumbnails are rendered at 256).
THUMB_SIDES: Final = (96, 256)
#: Sorts whose order is the natural order of a name (new images are inserted in place).
NAME_SORTS: Final = ("name", "group")
#: New images inserted row by row up to this many; more (a listed folder): the whole list read
#: again in SQL on the store's query worker and applied in one model reset.
INSERT_ONE_BY_ONE: Final = 200
#: The key of an image whose stored keys are gone (deleted meanwhile): after every other.
_LAST: Final = ("\U0010ffff",)


# Rows laid out per event-loop turn (a few ms each).
LAYOUT_BATCH: Final = 2000


#: A selection of at most this many images is kept across a reset of the gallery's model.
KEPT_SELECTION: Final = 1000

#: New images of a paged gallery inserted row by row up to this many; more: one reset.
PAGED_INSERT_ONE_BY_ONE: Final = 8


def thumb_key(image_id: int) -> str:
    return f"t{image_id}"


class GalleryModel(ViewModel):
    """Image ids of the open source, filtered and sorted; row data fetched from the store."""

    id_role = IMAGE_ID_ROLE
    lists_images = True

    def __init__(self, store: CurationStore, thumbnails: AsyncPixmapCache, parent: Any = None) -> None:
        super().__init__(store, thumbnails, "t", "all", parent)
        self._thumbs = thumbnails
        self.sort_key = "name"
        # face_filter (LazyIdModel's): images with at least one matching face are shown
        self._group_sizes: dict[str, int] = {}
        #: whole-list reads asked (:meth:`_relist`; the newest is applied), and one is on its way
        self._relisting = 0
        self._relist_pending = False
        self._arrived_meanwhile: list[int] = []
        # a paged gallery's new images (a scan's), located on the query worker
        self._inserts = PagedInserts(
            self, store.query, PAGED_INSERT_ONE_BY_ONE, self._reset_paged, whole=True
        )
        store.imagesAdded.connect(self._on_images_added)
        store.imagesListed.connect(self._on_images_listed)
        store.imagesChanged.connect(self._on_images_changed)

    # -- rows read from the store -------------------------------------------------------

    def _cached(self, item_id: int) -> bool:
        return self._store.cached(item_id)

    def _read_ids(self, image_ids: list[int], face_ids: list[int]) -> list[int]:
        return image_ids

    def _row_data(self, item_id: int, role: int) -> Any:
        image = self._store.image(item_id)
        if role == Qt.ItemDataRole.DisplayRole:
            return image.row.name.rsplit("/", 1)[-1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item_id)
        if role == STATUS_ROLE:
            return image.row.status
        if role == SUMMARY_ROLE:
            return self._store.summary(item_id)
        return None

    def _tooltip(self, image_id: int) -> str:
        image = self._store.image(image_id)
        row = image.row
        if row.status == "listed":
            return f"{row.name}\n" + self.tr("not scanned yet")
        if row.status != "ok":
            return f"{row.name}\n{error_line(row.error) if row.error else row.status}"
        s = self._store.summary(image_id)
        size = f"{row.width}×{row.height}" if row.width else ""
        return (
            f"{row.name}  {size}\n"
            + self.tr("{faces} faces: {q} qualified, {u} unqualified, {k} unknown").format(
                faces=s.faces, q=s.qualified, u=s.unqualified, k=s.unknown
            )
            + "\n"
            + self.tr("{a} accepted, {r} rejected, {p} pending").format(
                a=s.accepted, r=s.rejected, p=s.pending
            )
        )

    # -- ids, filters, sort ------------------------------------------------------------

    @property
    def store(self) -> CurationStore:
        return self._store

    def image_id(self, row: int) -> int:
        """The id of ``row`` (``UNLISTED``: a listed view's row not written yet)."""
        return self._ids[row]

    def index_of(self, image_id: int) -> QModelIndex:
        row = self.row_of(image_id)
        return QModelIndex() if row is None else self.index(row, 0)

    def set_sort(self, key: str) -> None:
        if key != self.sort_key:
            self.sort_key = key
            self.rebuild()

    def _passes(self, image_id: int) -> bool:
        store = self._store
        if not store.image_matches(image_id, self.filter_name):
            return False
        face_filter = self.face_filter
        if face_filter is None or face_filter.needs_catalog:  # assigned: for the batch, in SQL
            return True
        return any(face_filter.matches(face) for face in store.image(image_id).faces)

    def rebuild(self) -> None:
        """Recompute the visible ids (an operator action: filter, sort, new source)."""
        self._relisting += 1  # a whole-list read still on its way is stale now
        self._relist_pending = False
        self._arrived_meanwhile = []
        if self._pageable():
            self._reset_paged()
            return
        if self._listable():  # another view of a large source: listed into a file on a worker
            self._reset_listed(refresh=self._listed_view == self._view())
            return
        ids = self.ids_now(lambda: self._store.gallery_ids(self.filter_name, self.sort_key))  # SQL, sorted
        if ids is not None:
            self._reset(ids)

    def _pageable(self) -> bool:
        """A large source's images by name with no filter: read a page at a time (PagedIds)."""
        store = self._store
        return (
            self.filter_name == "all"
            and self.sort_key == "name"
            and self.face_filter is None
            and not store.closed
            and pages_gallery(store.source_root, store.image_count())
        )

    def _on_listed(self, *, images: bool) -> None:
        """The open listed its images: a paged view of them reads the catalog, not the listing, so
        it stays as it is (same count): read again it dropped its sample and what was on its way
        -- a go-to, a put-back -- and put back the row then current (at 1M on PostgreSQL the
        listing ended ~16 s after the open, 0.4 s after a go-to: the benchmark's go-to and
        put-back then never reached their rows)."""
        paged, store = self.paged, self._store
        same = paged is not None and paged.source_root == store.source_root
        if images and same and self._pageable() and len(paged or ()) == store.image_count():
            return
        super()._on_listed(images=images)

    def _reset_paged(self) -> None:
        store = self._store
        assert store.source_root is not None
        paged = PagedIds(store.catalog, store.source_root, store.image_count())
        old = self._ids
        self._watch(paged)
        # jumps (End, a dragged scroll bar) start from its keys; far rows are read on the worker
        # from the reset on (the current image put back after it)
        paged.page_query = store.read_page
        paged.sample_later(lambda run, got: store.query(run, got, failed=got))
        self.beginResetModel()
        self._ids = self._rows = paged
        self._group_sizes = {}
        self.endResetModel()
        self._drop_listed(old)

    def _paged_added(self, image_ids: list[int]) -> None:
        """Images new to the store while the gallery is paged: each inserted at its row (one
        count on the index each, on the query worker), or many (a listed folder) in one reset."""
        paged = self._ids
        assert isinstance(paged, PagedIds)
        added = self._store.image_count() - len(paged) - self._inserts.waiting(paged)
        if added <= 0:
            return
        if added > PAGED_INSERT_ONE_BY_ONE or len(image_ids) != added:
            self._reset_paged()
            return
        self._inserts.add(paged, image_ids)  # located on the query worker, then inserted

    def _reset(self, ids: MutableSequence[int]) -> None:
        ids = self._face_filtered(ids, self._store.images_with_matching_face, fallback=True)
        old = self._ids
        self.beginResetModel()
        self._ids = ids
        self._rows = self._store.row_index(self._ids)  # NumPy-sorted, no dict of every id
        self._count_groups()
        self.endResetModel()
        self._drop_listed(old)

    def _count_groups(self) -> None:
        # one query for the images' persons under the "Person" sort (no row is read)
        self._group_sizes = self._store.group_sizes(self._ids) if self.sort_key == "group" else {}

    def group_header(self, row: int) -> tuple[str, int] | None:
        """``(person, images)`` when ``row`` starts a person's group under the "Person" sort."""
        if self.sort_key != "group" or not 0 <= row < len(self._ids) or self._ids[row] == UNLISTED:
            return None
        ids = [self._ids[row - 1], self._ids[row]] if row > 0 else [self._ids[row]]
        if not all(map(self._store.cached, ids)) and not self.read_now([i for i in ids if i != UNLISTED]):
            return None  # (painted again once read)
        group = self._store.image(self._ids[row]).row.group
        if row > 0 and self._store.image(self._ids[row - 1]).row.group == group:
            return None
        return group, self._group_sizes.get(group, 0)

    def _on_images_added(self, image_ids: list[int]) -> None:
        if isinstance(self._ids, PagedIds):
            self._paged_added(image_ids)
            return
        if self.listed is not None:
            self._listed_added()
            return
        new = [i for i in image_ids if i not in self._rows and self._passes(i)]
        if new and self.face_filter is not None and self.face_filter.needs_catalog:  # assigned: once
            new = list(self._face_filtered(new, self._store.images_with_matching_face, fallback=False))
        if not new:
            return
        if self.sort_key in NAME_SORTS and self._ids:
            self._insert_in_order(new)
            return
        self._append(new)
        self._count_groups()

    def _insert_in_order(self, new: list[int]) -> None:
        """Images streaming in during a scan take their place in a name order (natural sort, by
        the catalog's stored keys). Many at once (a listed folder): the whole list is read again
        in SQL off the GUI thread (:meth:`_relist`), never sorted here."""
        if self._relist_pending:  # placed once the list being read is applied
            self._arrived_meanwhile.extend(new)
            return
        if len(new) > INSERT_ONE_BY_ONE:
            self._relist()
            return
        key_of = self._store.order_keys(self.sort_key, new)
        if not self._ids:
            self.beginResetModel()
            self._ids = sorted(new, key=lambda i: key_of.get(i, _LAST))
            self._rows = RowIndex(self._ids)
            self._count_groups()
            self.endResetModel()
            return

        def probe(image_id: int) -> tuple[Any, ...]:  # a shown row's key, read as the search asks
            key = key_of.get(image_id)
            if key is None:
                key = self._store.order_keys(self.sort_key, [image_id]).get(image_id, _LAST)
                key_of[image_id] = key
            return key

        ids = self._ids
        assert isinstance(ids, list)  # a paged list inserts by rank (_paged_added)
        for image_id in sorted(new, key=lambda i: key_of.get(i, _LAST)):
            row = bisect.bisect_right(ids, key_of.get(image_id, _LAST), key=probe)
            self.beginInsertRows(QModelIndex(), row, row)
            ids.insert(row, image_id)
            self.endInsertRows()
        self._rows = RowIndex(self._ids)
        self._count_groups()

    def _relist(self) -> None:
        """Read the shown list again in SQL on the store's query worker; applied in one reset
        unless a rebuild (a filter or sort change) came first. Images arriving meanwhile (a scan
        goes on) are kept aside and placed after it, if the read did not have them yet."""
        self._relisting += 1
        generation = self._relisting
        self._relist_pending = True
        filter_name, sort = self.filter_name, self.sort_key

        def apply(ids: list[int]) -> None:
            if generation != self._relisting:
                return
            self._relist_pending = False
            arrived, self._arrived_meanwhile = self._arrived_meanwhile, []
            self._reset(ids)
            rest = [i for i in dict.fromkeys(arrived) if i not in self._rows]
            if rest:
                self._insert_in_order(rest)

        self._store.gallery_ids_later(filter_name, sort, apply)

    def _on_images_listed(self, image_ids: list[int]) -> None:
        """Images listed by a scan, not read yet: they have no faces, so only "all" shows them
        (appended without reading a row; thumbnails are decoded when painted)."""
        if self.filter_name != "all" or self.face_filter is not None:
            return
        if isinstance(self._ids, PagedIds):
            self._paged_added(image_ids)
            return
        if self.listed is not None:
            self._listed_added()
            return
        new = self._store_known_not_shown(image_ids)
        if not new:
            return
        if self.sort_key in NAME_SORTS:
            self._insert_in_order(new)
            return
        self._append(new)

    def _store_known_not_shown(self, image_ids: list[int]) -> list[int]:
        shown = set(self._rows.known(image_ids))
        return [i for i in image_ids if i not in shown]

    def _on_images_changed(self, image_ids: list[int]) -> None:
        for image_id in image_ids:
            row = self._rows.get(image_id)
            if row is not None:
                if self._thumbs.error(thumb_key(image_id)):  # re-scanned: try the file again
                    self._thumbs.invalidate(thumb_key(image_id))
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)
        if not self.is_paged:  # paged: every image of the source, in place; listed: as it was read
            self._on_images_added(image_ids)

    def _needs_verdicts(self) -> bool:
        return super()._needs_verdicts() or self.sort_key in VERDICT_SORTS

    # -- thumbnails -------------------------------------------------------------------------

    def thumbnail(self, row: int):
        """The cached thumbnail of a row, queueing a render on a miss."""
        image_id = self._shown(row)
        if image_id is None:  # a placeholder (its page on its way, its row not listed yet)
            return None
        key = thumb_key(image_id)
        pixmap = self._thumbs.get(key)
        if pixmap is None and self._thumbs.error(key) is None:
            image_row = self._store.image(image_id).row
            if image_row.status in SHOWN_STATUSES:  # a listed image's too, before the scan reads it
                read = self._store.read_bytes
                self._thumbs.request(key, lambda: render_thumbnail(image_row, read))
        return pixmap

    def not_read_yet(self, key: str) -> bool:
        """``key`` is the thumbnail of an image a scan listed and has not read yet."""
        if not key.startswith("t") or not key[1:].isdigit():
            return False
        return self._store.image(int(key[1:])).row.status == "listed"

    def thumbnail_error(self, row: int) -> str | None:
        image_id = self._shown(row)
        return None if image_id is None else self._thumbs.error(thumb_key(image_id))


class GalleryView(UniformGrid):
    """Icon grid of a :class:`GalleryModel`; drops queued renders that scrolled away."""

    currentImageChanged = Signal(object)  # image id or None

    def __init__(
        self, model: GalleryModel, thumbnails: AsyncPixmapCache, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self._thumbs = thumbnails
        self.setSpacing(0)
        self.setMouseTracking(True)
        self.lay_out_as_grid(model, LAYOUT_BATCH)
        self._delegate = GalleryDelegate(model, self)
        self.setItemDelegate(self._delegate)
        self.set_thumb_side(THUMB_BOX)
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        model.rowsArrived.connect(self._on_rows_arrived)
        model.rowsShifted.connect(self._on_rows_shifted)
        model.modelReset.connect(self._prune_timer.start)
        #: (current image, selected images) kept across a reset of the model, put back after it
        self._kept: tuple[int | None, list[int]] | None = None
        model.modelAboutToBeReset.connect(self._keep_current)
        model.modelReset.connect(self._put_back_current)
        model.viewComplete.connect(self._put_back_current)

    def _keep_current(self) -> None:
        """Before the model resets (a refresh, a filter): remember the current image and the
        selected ones (a selection of at most :data:`KEPT_SELECTION` rows)."""
        current = self.currentIndex()
        current_id = current.data(IMAGE_ID_ROLE) if current.isValid() else None
        ranges = self.selectionModel().selection()
        selected: list[int] = []
        if sum(ranges.at(i).height() for i in range(ranges.count())) <= KEPT_SELECTION:
            # (a listed view's rows not read yet and a paged view's placeholders have no id)
            selected = [i for index in ranges.indexes() if (i := index.data(IMAGE_ID_ROLE)) is not None]
        if current_id is not None or selected:
            self._kept = (current_id, selected)

    def _put_back_current(self) -> None:
        """After a reset: the kept current image and selection, those the model shows (a
        listed view still being read: again when it is complete)."""
        kept = self._kept
        if kept is None or self.currentIndex().isValid():
            self._kept = None
            return
        model = self.gallery_model()
        current_id, selected = kept
        if model.paged is not None:  # rows counted on the worker when far from every sampled key
            self._kept = None
            ids = ([] if current_id is None else [current_id]) + selected
            model.paged.rows_later(ids, lambda rows: self._put_back_rows(current_id, selected, rows))
            return
        index = model.index_of(current_id) if current_id is not None else QModelIndex()
        listed = model.listed
        if not index.isValid() and listed is not None and not listed.complete:
            return  # not read yet: looked for again when the view is complete
        self._kept = None
        flags = QItemSelectionModel.SelectionFlag
        if index.isValid():
            self.selectionModel().setCurrentIndex(index, flags.NoUpdate)
            self.scrollTo(index)
        for image_id in selected:
            found = model.index_of(image_id)
            if found.isValid():
                self.selectionModel().select(found, flags.Select)

    def _put_back_rows(self, current_id: int | None, selected: list[int], rows: dict[int, int]) -> None:
        """A paged view's kept current image and selection at their rows (``id -> row``: told in
        two parts when the selection is spread, its far rows once counted), unless the operator
        moved meanwhile."""
        current = self.currentIndex()
        if current.isValid() and (current_id is None or current.data(IMAGE_ID_ROLE) != current_id):
            return
        model, flags = self.gallery_model(), QItemSelectionModel.SelectionFlag
        if current_id in rows and not current.isValid():
            index = model.index(rows[current_id], 0)
            self.selectionModel().setCurrentIndex(index, flags.NoUpdate)
            self.scrollTo(index)
        for image_id in selected:
            if image_id in rows:
                self.selectionModel().select(model.index(rows[image_id], 0), flags.Select)

    def gallery_model(self) -> GalleryModel:
        return self.model()  # type: ignore[return-value]

    @property
    def thumb_side(self) -> int:
        return self._delegate.thumb_side

    def set_thumb_side(self, side: int) -> None:
        """Thumbnail size (the size slider): cells and grid follow; the current image stays in view."""
        side = max(THUMB_SIDES[0], min(THUMB_SIDES[1], int(side)))
        self._delegate.thumb_side = side
        cell = self._delegate.cell_size()
        self.setGridSize(QSize(cell.width() + 6, cell.height() + 6))
        self.doItemsLayout()
        if self.currentIndex().isValid():
            self.scrollTo(self.currentIndex())

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.currentImageChanged.emit(current.data(IMAGE_ID_ROLE) if current.isValid() else None)

    def _on_rows_shifted(self, first: int, last: int) -> None:
        """A go-to's rows moved from an estimated place to their counted one: the current image
        (moved along) is shown there."""
        current = self.currentIndex()
        if current.isValid() and first <= current.row() <= last:
            self.scrollTo(current)

    def _on_rows_arrived(self, first: int, last: int) -> None:
        """The current row was a placeholder (its page read on the worker): now it has its image."""
        current = self.currentIndex()
        if current.isValid() and first <= current.row() <= last:
            self._on_current_changed(current, current)

    def _prune_offscreen_requests(self) -> None:
        model = self.gallery_model()
        if model.store.closed:  # the window closed its catalog (a timer after): nothing to read
            return
        rows = self.visible_rows()
        ids = [i for row in rows if (i := model.held_id(row)) is not None]  # (no page read here)
        self._thumbs.retain({thumb_key(image_id) for image_id in ids})
        model.store.hint_visible(ids)  # a verdict fill evaluates these first

    def select_image(self, image_id: int) -> bool:
        """Whether the gallery shows ``image_id``; if so it becomes current (at once, or in a
        paged gallery far from every sampled key when the query worker has counted its row)."""
        return self.gallery_model().row_later(image_id, self._go_to_row)

    def _go_to_row(self, row: int) -> None:
        index = self.model().index(row, 0)
        self.setCurrentIndex(index)
        self.scrollTo(index)
