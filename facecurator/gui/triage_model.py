"""Triage's model: the face ids of the grid (filtered, sorted) and their crops.

:class:`FaceModel` holds ids only; rows are read from the store on demand and crops
come from the shared :class:`~facecurator.gui.thumbnails.AsyncPixmapCache`. The
grid and the page around it are :mod:`facecurator.gui.triage`.
"""

from __future__ import annotations

from collections.abc import Callable, MutableSequence, Sequence
from typing import Any, Final

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QPixmap

from facecurator.gui import paged_ids
from facecurator.gui.face_details import face_title, state_word
from facecurator.gui.lazy_model import LazyIdModel
from facecurator.gui.my_faces import MINE
from facecurator.gui.overlay import face_status
from facecurator.gui.paged_ids import PagedIds, pages_faces
from facecurator.gui.paged_inserts import PagedInserts
from facecurator.gui.rowindex import RowIndex
from facecurator.gui.rule_words import translate_reason
from facecurator.gui.store import CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache, DecodedImageCache, render_face_crop
from facecurator.gui.triage_delegate import (
    DECISION_ROLE,
    FACE_STATUS_ROLE,
)
from facecurator.gui.view_ids import Announcer, ListedIds
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import queries as q
from facecurator.services.catalog import views as v
from facecurator.services.catalog.face_pages import STATES, FacePages, latest_changes
from facecurator.services.catalog.queries import FACE_FILTERS
from facecurator.services.filtering import FilterError, sort_faces
from facecurator.services.find_rest import VERDICT_TERMS, face_view_sql, plan_view, view_find

#: Side of the sharp crop shown in the preview panel.
PREVIEW_CROP_SIDE: Final = 448
FACE_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 11


# Rows laid out per event-loop turn (a few ms each).
LAYOUT_BATCH: Final = 2000
#: New faces of a paged grid inserted row by row up to this many; more: one rebuild.
PAGED_INSERT_ONE_BY_ONE: Final = 50


def crop_key(face_id: int) -> str:
    return f"c{face_id}"


def preview_key(face_id: int) -> str:
    return f"P{face_id}"


class FaceModel(LazyIdModel):
    """Face ids of the open source under a face filter; data read from the store per row."""

    id_role = FACE_ID_ROLE
    #: the worker's answer whether a listed Find applies: (ListedIds, FilterError or None)
    _filter_checked = Signal(object, object)

    def __init__(
        self,
        store: CurationStore,
        crops: AsyncPixmapCache,
        decoded: DecodedImageCache,
        parent: Any = None,
    ) -> None:
        super().__init__(store, crops, "c", "pending", parent)
        self._crops = crops
        self._decoded = decoded
        # "My faces": the ids this operator holds (set by the Triage page: MyFaces.held)
        self.mine: Callable[[], list[int]] = list
        #: the sort (FACE_SORTS key, descending)
        self.sort_key = "image"
        self.descending = False
        self._counting = 0  # rebuilds so far: a count answered for an older one is dropped
        # a verdict filter listed as an open began: (the source, the list)
        self._early: tuple[str, object] | None = None
        store.sourceOpening.connect(self._list_early)
        # a paged grid's new faces (a scan's), located on the query worker
        self._inserts = PagedInserts(self, store.query, PAGED_INSERT_ONE_BY_ONE, self.rebuild, whole=False)
        store.facesAdded.connect(self._on_faces_added)
        store.facesChanged.connect(self._on_faces_changed)
        self._announcer = Announcer(self)
        self._announcer.grown.connect(self._on_find_grown)
        self._filter_checked.connect(self._on_filter_checked)

    def _cached(self, item_id: int) -> bool:
        return self._store.face_cached(item_id)

    def _read_ids(self, image_ids: list[int], face_ids: list[int]) -> list[int]:
        return face_ids

    def _row_data(self, item_id: int, role: int) -> Any:
        face = self._store.face(item_id)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{face.image.name.rsplit('/', 1)[-1]} #{face.row.index + 1}"
        if role == Qt.ItemDataRole.ToolTipRole:
            reasons = "\n".join(translate_reason(r) for r in face.verdict.against) or self.tr("qualified")
            return f"{face_title(face.image.name, face.row.index)}\n{reasons}\n{state_word(face.decision)}"
        if role == FACE_STATUS_ROLE:
            return face_status(face.verdict)
        if role == DECISION_ROLE:
            return face.decision
        return None

    # -- ids -------------------------------------------------------------------------------

    def face_id(self, row: int) -> int:
        return self._ids[row]

    def set_sort(self, key: str, descending: bool = False) -> None:
        """Order the grid by a field (``FACE_SORTS``); "image" is the catalog order."""
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.rebuild()

    def rebuild(self) -> None:
        old = self._ids
        self._rebuild()
        if isinstance(old, ListedIds) and old is not self._ids:
            old.close()  # its listing stops at its next batch

    def _rebuild(self) -> None:
        self._counting += 1
        if (paged := self.paged) is not None:
            paged.retired = True
        if self._store.listing:  # the open's faces are not listed yet (a large source's: their
            # count not known, a filter would read every face here): none, rebuilt once they are
            self.beginResetModel()
            self._ids, self._rows = [], RowIndex()
            self.endResetModel()
            return
        if self._pageable():
            self._rebuild_paged()
            return
        if self._find_listable():
            self._list_find()
            return
        ids = self.ids_now(self._listed_ids)
        if ids is None:  # (the server gone: kept, rebuilt again once reads resume)
            return
        self.beginResetModel()
        self._ids = ids
        self._rows = self._store.row_index(ids)  # NumPy-sorted, no dict of every id
        self.endResetModel()

    def _listed_ids(self) -> MutableSequence[int]:
        """The grid's ids held as a list: its filter's (SQL), the face filter's, in its order."""
        store = self._store
        ids = self.mine() if self.filter_name == MINE else store.matching_face_ids(self.filter_name)  # SQL
        # its SQL part in the catalog, the rest on those faces
        ids = self._face_filtered(ids, store.faces_passing, fallback=True)
        if self.sort_key != "image" or self.descending:  # a field's order: the faces are read
            ids = [
                face.id for face in sort_faces(store.faces(ids), self.sort_key, descending=self.descending)
            ]
        return ids

    # -- a Find over a large source's faces, listed on a worker ------------------------------------

    def _find_listable(self) -> bool:
        """A Find or a verdict filter ("qualified", "unqualified") over a large source's faces
        (catalog order): listed on a worker into a file (ListedIds), as the gallery's views are;
        no id list on the GUI thread."""
        store = self._store
        face_filter = self.face_filter
        return (
            (self.filter_name in VERDICT_TERMS or (face_filter is not None and not face_filter.everything))
            and self.filter_name in FACE_FILTERS
            and self.sort_key == "image"
            and not self.descending
            and not store.closed
            and store.source_root is not None
            and pages_faces(store.source_root, store.face_count())
        )

    def _list_early(self, root: str) -> None:
        """An open of ``root`` began with a verdict filter shown (catalog order): listed at once as
        a Find, not after the open listed every face (8-16 s at 3M faces, load 5-8), if the
        catalog has ids enough; kept once the open listed the faces if the source is large."""
        store = self._store
        ordered = self.sort_key == "image" and not self.descending
        if self.filter_name not in VERDICT_TERMS or not ordered or not root or store.closed:
            return
        if v.last_id(store.catalog) < paged_ids.PAGED_MIN:  # (one read of the key's end)
            return
        self._counting += 1
        if (paged := self.paged) is not None:
            paged.retired = True
        # under a recorded rule set version with the source's first face's verdict stored, listed by
        # SQL as if every verdict were (a reopen: the Find, two reads a step, listed every row
        # 1.4-2.4 x later), as a Find once a look beside it finds one missing; else as a Find at
        # once (a first open: the SQL listing of a filter nothing passes yet walked every face,
        # 8.9 s at 1M, before the Find behind it on the listing worker)
        version = store.ruleset_version  # (a first open's: none stored, a Find at once)
        stored = bool(version) and q.first_face_has_verdict(store.catalog, version, source_root=root)
        self._list_find(root, early=not stored)
        self._early = (root, self._ids)
        if stored:
            self._look_early(root, self._ids)

    def _look_early(self, root: str, listed: object) -> None:
        """Look on a worker of its own whether a face of ``root`` misses its verdict; if so (a
        first open), the verdict filter listed by SQL as the open began is listed again as a Find
        in its place, while the open goes on."""
        store = self._store
        version = store.ruleset_version

        def missing(catalog: Catalog) -> bool:
            return bulk.any_missing_verdict(catalog, version, source_root=root)

        def looked(answer: object) -> None:
            if answer is not True or listed is not self._ids or store.pending_kind != "open":
                return
            early = self._early is not None and self._early[1] is listed
            self._counting += 1
            self._list_find(root, early=True)
            if isinstance(listed, ListedIds):
                listed.close()  # its listing stops at its next chunk
            if early:
                self._early = (root, self._ids)

        store.look_view(missing, looked)

    def _on_listed(self, *, images: bool) -> None:
        """The open listed its images, then its faces: a verdict filter listed as it began stays
        (the source is large), else rebuilt as before."""
        early, self._early = self._early, None
        if early is not None and early[1] is self._ids:
            if images:
                self._early = early
                return
            if early[0] == self._store.source_root and self._find_listable():
                return
        super()._on_listed(images=images)

    def _list_find(self, root: str | None = None, *, early: bool | None = None) -> None:
        """The faces of the filter and the Find, in Triage's order, listed on Triage's listing
        worker: what SQL answers in SQL, the rest decided a batch at a time
        (:class:`~facecurator.services.find_rest.FindRest`); rows added as they come.

        A verdict filter is the filter "all" and its Find term (``view_find``) while the open's
        fill stores the verdicts (as the gallery's, early17): planned without looking whether
        every verdict is stored (that look walks the source: 8.4 s at 1M), a stored verdict
        decides in SQL, a face without one is evaluated, and once a few screens are found the
        rest waits for the fill. Else (the fill done) its own SQL test, as before."""
        store = self._store
        listed = ListedIds()
        self.beginResetModel()
        self._ids = self._rows = listed
        self.endResetModel()
        filter_name, face_filter = self.filter_name, self.face_filter
        root = store.source_root if root is None else root
        assert root is not None
        ruleset, rules, identities = store.ruleset_version, store.ruleset, store.identities
        listed.ruleset = ruleset
        if early is None:
            early = store.pending_kind == "open"  # the open's fill storing the verdicts
        find = None if face_filter is None or face_filter.everything else face_filter.node
        shown, node = view_find(filter_name, find) if early else (filter_name, find)
        announce, checked = self._announcer.grown.emit, self._filter_checked.emit

        def run(catalog: Catalog) -> ListedIds:
            view, keep, plan, finder = shown, None, None, None
            if node is not None:
                plan, finder, error = plan_view(
                    catalog, filter_name, node, find, source_root=root, ruleset=ruleset, rules=rules,
                    identities=identities, checked=not early,
                )  # fmt: skip
                if find is not None:  # an error: not applied, the faces unfiltered, the bar says why
                    checked(listed, error)
            if finder is not None:  # (as the gallery's: gallery_views.ViewModel._fill_later)
                versioned = lambda version: setattr(listed, "ruleset", version)  # noqa: E731
                finder.beside_open(ruleset, versioned, (lambda: store.busy) if early else None)
                keep = finder.keep(catalog, faces=True)
            elif find is None:  # a verdict filter SQL answers whole: its own test
                view, plan = filter_name, None
            listed.planned = (view, None, keep is None)
            sql = face_view_sql(view, source_root=root, ruleset=ruleset, plan=plan, dialect=catalog.dialect)
            return listed.fill(catalog, sql, announce, stop=store.shutting_down.is_set, keep=keep)

        def done(result: object) -> None:  # (failed -- the server gone -- said, listed again when back)
            if not isinstance(result, Exception):
                store.page_answered()  # (a failure said is over)
            elif listed is self._ids:
                store.page_failed(0, self.rowCount(), result, lambda: self._list_again(listed))

        store.list_faces_view(run, done)

    def _list_again(self, listed: ListedIds) -> None:
        """A listing that failed is asked again (if its view is still the one shown)."""
        if listed is self._ids:
            self.rebuild()

    def _on_verdicts_stored(self) -> None:
        """The open's verdicts are stored: a verdict filter listed whole or by SQL under the version
        shown stays, else (a Find still being decided: two reads a step, 474 000 of 1.07M faces 209 s
        after the fill at 1M) it is listed again by SQL, its own test (rebuilt as before)."""
        listed = self._ids
        if (
            isinstance(listed, ListedIds)
            and (listed.complete or (listed.planned is not None and listed.planned[2]))
            and self.filter_name in VERDICT_TERMS
            and listed.ruleset == self._store.ruleset_version
        ):
            return  # (listed whole, or by SQL under the version shown: the same rows again)
        super()._on_verdicts_stored()

    def _on_filter_checked(self, listed: ListedIds, error: FilterError | None) -> None:
        if listed is self._ids:
            self.faceFilterFailed.emit(error)

    def _on_find_grown(self, listed: ListedIds) -> None:
        """The worker listed more faces of the Find shown: their rows are added at the end."""
        if listed is not self._ids:
            return
        shown = len(listed)
        if listed.written > shown:
            self.beginInsertRows(QModelIndex(), shown, listed.written - 1)
            listed.grow(listed.written)
            self.endInsertRows()

    # -- a large source's grid, a page at a time -------------------------------------------------

    def _pageable(self) -> bool:
        """All faces, or those of a decision state, in catalog order with no other filter, of a
        large source: read a page at a time (PagedIds over FacePages)."""
        store = self._store
        return (
            self.filter_name in ("all", *STATES)
            and self.sort_key == "image"
            and not self.descending
            and self.face_filter is None
            and not store.closed
            and pages_faces(store.source_root, store.face_count())
        )

    def _rebuild_paged(self) -> None:
        """Count the view (known from the open's listing, else on the query worker: the grid is
        empty meanwhile), then show it from its count."""
        store = self._store
        assert store.source_root is not None
        state = None if self.filter_name == "all" else self.filter_name
        source = FacePages(store.source_root, state)
        count = store.listed_face_count(self.filter_name)
        if count is not None:  # as the open listed them (also every SAMPLE_STEP-th face's id)
            self._show_paged(source, count, store.listed_face_sample(self.filter_name))
            return
        if state is None:
            self._show_paged(source, store.face_count())
            return
        self.beginResetModel()
        self._ids, self._rows = [], RowIndex()
        self.endResetModel()
        counting = self._counting  # a rebuild meanwhile makes this count stale

        def counted(count: int) -> None:
            if counting == self._counting:
                self._show_paged(source, count)

        store.query(source.count, counted)  # type: ignore[arg-type]

    def _show_paged(self, source: FacePages, count: int, sampled: Sequence[int] | None = None) -> None:
        store = self._store
        assert store.source_root is not None
        paged = PagedIds(store.catalog, store.source_root, count, keys=source)
        self._watch(paged)
        # jumps (End, a dragged scroll bar) start from its keys; far rows are read on the worker
        # from the reset on (the views' steps after it: the current row, a go-to put back)
        paged.page_query = store.read_page
        paged.sample_later(lambda run, got: store.query(run, got, failed=got), sampled)
        self.beginResetModel()
        self._ids = self._rows = paged
        self.endResetModel()

    def face_pages(self) -> FacePages | None:
        """A copy of the paged grid's view (for a worker: its kept and dropped faces as now);
        None when the grid is an id list."""
        source = None if self.paged is None else self.paged.keys
        if not isinstance(source, FacePages):
            return None
        return FacePages(source.source_root, source.state, set(source.kept), set(source.dropped))

    def _paged_changed(self, paged: PagedIds, face_ids: list[int]) -> None:
        """Decisions changed while a decision-state grid is paged: the faces it showed stay in it
        (kept), those that came to its state meanwhile stay out (dropped) until it is rebuilt."""
        source = paged.keys
        assert isinstance(source, FacePages)
        if source.state is None:
            return
        was = latest_changes(self._store.catalog, [i for i in face_ids if i not in source.kept])
        for face_id, (old, new) in was.items():
            if old == source.state and new != source.state and face_id not in source.dropped:
                source.kept.add(face_id)
            elif new == source.state and old != source.state:
                source.dropped.add(face_id)

    def _paged_added(self, paged: PagedIds, face_ids: list[int]) -> None:
        """Faces a scan added while the grid is paged: each inserted at its row (located on the
        query worker before any is inserted: each one's row counts the others), or many in one
        rebuild."""
        self._inserts.add(paged, face_ids)

    def _passes(self, face_id: int) -> bool:
        if self.filter_name == MINE:  # a face new to the store is nobody's until taken
            return False
        if not self._store.face_matches(face_id, self.filter_name):
            return False
        if self.face_filter is None or self.face_filter.needs_catalog:  # assigned: for the batch
            return True
        return self.face_filter.matches(self._store.face(face_id))

    def _on_faces_added(self, face_ids: list[int]) -> None:
        if (paged := self.paged) is not None:
            self._paged_added(paged, face_ids)
            return
        if isinstance(self._ids, ListedIds):  # a listed Find: shown when it is applied again
            return
        new = [i for i in face_ids if i not in self._rows and self._passes(i)]
        if new and self.face_filter is not None and self.face_filter.needs_catalog:  # assigned: in SQL
            new = list(self._face_filtered(new, self._store.faces_passing, fallback=False))
        if new:
            self._append(new)

    def _on_faces_changed(self, face_ids: list[int]) -> None:
        # Decided faces stay in a "pending" grid until the operator refilters:
        # removing rows under the cursor would make the grid jump.
        if (paged := self.paged) is not None:
            self._paged_changed(paged, face_ids)  # (repainted: the rows of its held pages)
            rows = sorted(row for i in face_ids if (row := paged.get(i)) is not None)
        elif isinstance(self._rows, ListedIds):  # a listed Find: the rows of its held pages
            rows = sorted(row for i in face_ids if (row := self._rows.get(i)) is not None)
        else:
            rows = sorted(self._rows[i] for i in face_ids if i in self._rows)
        for row in rows:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [DECISION_ROLE, Qt.ItemDataRole.ToolTipRole])

    # -- crops ------------------------------------------------------------------------------

    def crop(self, row: int) -> QPixmap | None:
        """The cached crop of a row's face, queueing a render on a miss."""
        face_id = self._shown(row)
        if face_id is None:  # a placeholder (its page on its way)
            return None
        key = crop_key(face_id)
        pixmap = self._crops.get(key)
        if pixmap is None and self._crops.error(key) is None:
            if not self._store.face_cached(face_id) and not self.read_now([face_id]):
                return None  # (asked of the row worker: painted again when in)
            face = self._store.face(face_id)
            image_row, canonical, read, decoded = face.image, face.face, self._store.read_bytes, self._decoded
            self._crops.request(key, lambda: render_face_crop(image_row, canonical, read, decoded))
        return pixmap

    def crop_error(self, row: int) -> str | None:
        face_id = self._shown(row)
        return None if face_id is None else self._crops.error(crop_key(face_id))
