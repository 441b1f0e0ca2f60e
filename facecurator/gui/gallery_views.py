"""The gallery model's half for a large source's other views: a filter, the face filter, another sort.

The default view of a large source (by name, no filter) is read by keyset pages
(:class:`~facecurator.gui.paged_ids.PagedIds`); every other view of a source of at least
``paged_ids.PAGED_MIN`` images is a :class:`~facecurator.gui.view_ids.ListedIds`: its query
runs on the store's query worker and streams the ids into a scratch file, the first rows
shown at once and the rest added as they come (rows inserted at the end: the scroll and
the current image stay). A refresh of the same view (verdicts stored, a scan added images)
is read into a new list while the old one stays shown, and swapped in one reset when
complete; the view then puts its current image and selection back (:class:`GalleryView`).

A face filter SQL cannot answer whole (a verdict term while verdicts are missing, say) is
listed the same way: the query lists the images that may pass, and the worker keeps those
that do (:class:`~facecurator.services.find_rest.FindRest`: a stored verdict decides in SQL,
the faces without one are evaluated), a few hundred at a time; the rows kept are shown as
they come, ``findProgress`` tells how far it got, and a new view stops it at its next batch.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any, Final

from PySide6.QtCore import QModelIndex, QTimer, Signal

from facecurator.gui import paged_ids
from facecurator.gui.lazy_model import LazyIdModel
from facecurator.gui.store import CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache
from facecurator.gui.view_ids import Announcer, ListedIds
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import views as v
from facecurator.services.filtering import FilterError, find_plan
from facecurator.services.find_rest import FindRest

#: Quiet time after a scan added images to a listed view before it is read again.
REFRESH_DELAY_MS: Final = 1000


class ViewModel(LazyIdModel):
    """A LazyIdModel whose ids may be a large source's listed view (see the module text)."""

    #: a listed view's every id is written (its count is final; the person sort's sizes are in)
    viewComplete = Signal()
    #: a Find SQL cannot answer whole being listed: (images checked, images found, done)
    findProgress = Signal(int, int, bool)
    #: the worker's answer whether a listing's face filter applies: (ListedIds, FilterError or
    #: None: it does)
    _filter_checked = Signal(object, object)

    sort_key: str
    _group_sizes: dict[str, int]

    def __init__(
        self, store: CurationStore, pixmaps: AsyncPixmapCache, key_prefix: str, filter_name: str, parent: Any
    ) -> None:
        super().__init__(store, pixmaps, key_prefix, filter_name, parent)
        self._announcer = Announcer(self)
        self._announcer.grown.connect(self._on_view_grown)
        #: the view (filter, sort, face filter) the listed ids shown are of
        self._listed_view: tuple[str, str, object] | None = None
        #: the listed view whose completion the model applied last (see :attr:`view_complete`)
        self._completed: ListedIds | None = None
        #: a refresh of the listed view shown, being read (swapped in when complete)
        self._refresh: ListedIds | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(lambda: self._reset_listed(refresh=True))
        #: the listed view shown and its FindRest (a Find decided in part in Python: the
        #: worker puts it in the list)
        self._finding: tuple[ListedIds, list[FindRest]] | None = None
        self._filter_checked.connect(self._on_filter_checked)

    def _listable(self) -> bool:
        """A large source's view other than the default one: listed into a file on a worker."""
        store = self._store
        return not store.closed and store.image_count() >= paged_ids.PAGED_MIN

    def _view(self) -> tuple[str, str, object]:
        return self.filter_name, self.sort_key, self.face_filter

    @property
    def view_complete(self) -> bool:
        """A listed view is shown whole: every id written and shown, the person sizes in."""
        return self.listed is not None and self._completed is self.listed

    @property
    def listed(self) -> ListedIds | None:
        """The listed view shown (None: an id list or keyset pages)."""
        return self._ids if isinstance(self._ids, ListedIds) else None

    def _drop_listed(self, old: object) -> None:
        """The ids ``old`` were replaced (after the reset: the view read them until then): a
        listed view's file is closed, and a refresh being read."""
        self._refresh_timer.stop()
        for listed in (self._refresh, old):
            if isinstance(listed, ListedIds) and listed is not self._ids:
                listed.close()
        self._refresh = None
        if not isinstance(self._ids, ListedIds):
            self._listed_view = None
        if self._finding is not None and self._finding[0] is not self._ids:
            self._end_finding()

    def _end_finding(self) -> None:
        """The Find being decided is no longer shown: its progress goes (its listing stops)."""
        if self._finding is not None and self._finding[1]:
            self.findProgress.emit(0, 0, True)
        self._finding = None

    def _reset_listed(self, *, refresh: bool = False) -> None:
        """List the view (filter, face filter, sort) on the query worker. ``refresh``: the
        view shown is read again and kept until the new list is complete."""
        store = self._store
        if refresh and self.listed is None:
            return
        listed = ListedIds()
        self._listed_view = self._view()
        if refresh:
            if self._refresh is not None:
                self._refresh.close()
            self._refresh = listed
        else:
            old = self._ids
            self._end_finding()
            self.beginResetModel()
            self._ids = self._rows = listed
            self._group_sizes = {}
            self.endResetModel()
            self._drop_listed(old)
        filter_name, sort, face_filter = self.filter_name, self.sort_key, self.face_filter
        root, ruleset = store.source_root, store.ruleset_version
        rules, identities = store.ruleset, store.identities
        announce, checked = self._announcer.grown.emit, self._filter_checked.emit
        finders: list[FindRest] = []  # the worker's, when the Find is decided in part in Python
        if not refresh:
            self._finding = (listed, finders)

        def run(catalog: Catalog) -> ListedIds:
            extra: tuple[str, dict[str, Any]] | None = None
            keep: Callable[[Iterator[array[int]], Callable[[], bool]], Iterator[array[int]]] | None = None
            groups: tuple[str, dict[str, Any]] | Callable[[], dict[str, int]] | None = None
            if face_filter is not None and not face_filter.everything:
                try:
                    plan = find_plan(catalog, face_filter.node, source_root=root, ruleset=ruleset)
                except FilterError as error:  # not applied: the view unfiltered, the bar says why
                    checked(listed, error)
                else:
                    checked(listed, None)
                    extra = plan.may
                    if not plan.whole:  # the images that may pass, decided a batch at a time
                        finder = FindRest(
                            plan, rules, source_root=root, identities=identities, groups=sort == "group"
                        )
                        finders.append(finder)
                        keep = lambda chunks, stop: finder.chunks(catalog, chunks, stop=stop)  # noqa: E731
                        groups = lambda: finder.group_sizes or {}  # noqa: E731
            sql = v.view_sql(filter_name, sort, source_root=root, ruleset=ruleset, extra=extra)
            if sort == "group" and groups is None:  # the person headers' sizes
                groups = v.where(filter_name, source_root=root, ruleset=ruleset, extra=extra)
            return listed.fill(catalog, sql, announce, groups, stop=store.shutting_down.is_set, keep=keep)

        store.list_view(run, lambda _result: None)

    def _on_filter_checked(self, listed: ListedIds, error: FilterError | None) -> None:
        """The worker planned a listing's face filter: it applies (None), or not (the bar says
        why; the view is listed unfiltered)."""
        if listed is self._ids or listed is self._refresh:
            self.faceFilterFailed.emit(error)

    def _on_view_grown(self, listed: ListedIds) -> None:
        """A worker wrote more of a listed view: its rows are added (or a refresh swapped in)."""
        if listed is self._refresh:
            if listed.complete:
                self._refresh = None
                old = self.listed
                self.beginResetModel()
                listed.grow(listed.written)
                self._ids = self._rows = listed
                self._group_sizes = listed.group_sizes
                self.endResetModel()
                if old is not None:
                    old.close()
                self._completed = listed
                self.viewComplete.emit()
            return
        if listed is not self._ids:
            return
        finding = self._finding
        if finding is not None and finding[0] is listed and finding[1]:
            self.findProgress.emit(finding[1][0].checked, listed.written, listed.complete)
            if listed.complete:
                self._finding = None
        shown = len(listed)
        if listed.written > shown:
            self.beginInsertRows(QModelIndex(), shown, listed.written - 1)
            listed.grow(listed.written)
            self.endInsertRows()
        if listed.complete:
            self._group_sizes = listed.group_sizes
            if self._group_sizes and shown:  # the person headers of the rows shown meanwhile
                self.dataChanged.emit(self.index(0, 0), self.index(shown - 1, 0))
            self._completed = listed
            self.viewComplete.emit()

    def _listed_added(self) -> None:
        """Images a scan added while a listed view is shown: it is read again once they settle."""
        self._refresh_timer.start()
