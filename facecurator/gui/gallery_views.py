"""The gallery model's half for a large source's other views: a filter, the face filter, another sort.

The default view of a large source (by name, no filter) is read by keyset pages
(:class:`~facecurator.gui.paged_ids.PagedIds`); every other view of a source of at least
``paged_ids.PAGED_MIN`` images is a :class:`~facecurator.gui.view_ids.ListedIds`: its query
runs on the store's query worker and streams the ids into a scratch file, the first rows
shown at once and the rest added as they come (rows inserted at the end: the scroll and
the current image stay). A refresh of the same view (verdicts stored, a scan added images)
is read into a new list while the old one stays shown, and swapped in one reset when
complete; the view then puts its current image and selection back (:class:`GalleryView`).

The view's count is known before its listing ends: once the first rows are shown an
estimate (a sample of the catalog's ids, ~30 ms) and then the exact count (one ``count(*)``,
seconds before the listing's end at a million images) are read on a worker of their own;
the model shows that many rows (those not written yet blank: ``view_ids.UNLISTED``), so the
scroll bar's range is the view's, and :attr:`ViewModel.view_count` says whether it is an
estimate. The listing's end makes it exact (the rows it wrote, if they differ). A Find
decided in part in Python is counted at its listing's end only.

A face filter SQL cannot answer whole (a verdict term while verdicts are missing, say) is
listed the same way: the query lists the images that may pass, and the worker keeps those
that do (:class:`~facecurator.services.find_rest.FindRest`: a stored verdict decides in SQL,
the faces without one are evaluated), a few hundred at a time; the rows kept are shown as
they come, ``findProgress`` tells how far it got, and a new view stops it at its next batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QModelIndex, QTimer, Signal

from facecurator.gui import paged_ids
from facecurator.gui.lazy_model import LazyIdModel
from facecurator.gui.rowindex import RowIndex
from facecurator.gui.store import CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache
from facecurator.gui.view_ids import Announcer, ListedIds
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import views as v
from facecurator.services.catalog.queries import VERDICT_SORTS
from facecurator.services.filtering import FilterError
from facecurator.services.find_rest import FindRest, Keep, plan_view, view_find

#: Quiet time after a scan added images to a listed view before it is read again.
REFRESH_DELAY_MS: Final = 1000
#: A listed view still being listed this long after its first rows is counted exactly beside
#: its listing (a listing of 100 000 images ends first: no count competes with it).
EXACT_COUNT_AFTER_MS: Final = 1000


class ViewModel(LazyIdModel):
    """A LazyIdModel whose ids may be a large source's listed view (see the module text)."""

    #: a listed view's every id is written (its count is final; the person sort's sizes are in)
    viewComplete = Signal()
    #: the view's count, or whether it is an estimate, changed (:attr:`view_count`)
    countChanged = Signal()
    #: a Find SQL cannot answer whole being listed (a verdict filter while verdicts are missing
    #: too): (images checked, images found, about how many to check (0: not known yet), done)
    findProgress = Signal(int, int, int, bool)
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
        self._find_total = 0  # about how many images its FindRest checks (0: not known yet)
        self._filter_checked.connect(self._on_filter_checked)
        #: the listed view's count shown: (images, estimated); None: not known yet
        self._listed_count: tuple[int, bool] | None = None
        #: the rows of the listed view shown that the worker had written at its last announcement
        self._written_shown = 0
        #: the listed view whose count was asked (once, at its first rows), and its source
        self._counted: ListedIds | None = None
        self._listed_root: str | None = None
        #: a view listed as an open began (the view, the source; the list), before the open's
        #: count of the source said whether it is large: kept if it is, else replaced
        self._early: tuple[tuple[tuple[str, str, object], str | None], ListedIds] | None = None
        store.sourceOpening.connect(self._list_early)
        store.loadFailed.connect(lambda kind, _exc: self._drop_early() if kind == "open" else None)

    @property
    def listing_early(self) -> bool:
        """The view of a source being opened is listed and shown (before the open's ids)."""
        return self._early is not None and self._early[1] is self._ids

    @property
    def view_count(self) -> tuple[int, bool] | None:
        """How many rows the view has and whether that is an estimate (a listed view being
        read); None: not known yet (a listed view before its first rows)."""
        if self.listed is None or (self._listed_count is None and self.count_growing):
            return self.rowCount(), False
        return self._listed_count

    @property
    def count_growing(self) -> bool:
        """A Find decided in part in Python is being listed (not counted before its end): the
        view's count is the rows found so far, still growing."""
        listed = self.listed
        return listed is not None and _decided_in_python(listed) and not listed.complete

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

    def _drop_listed(self, old: object) -> None:
        """The ids ``old`` were replaced (after the reset: the view read them until then): a
        listed view's file is closed, and a refresh being read."""
        self._refresh_timer.stop()
        for listed in (self._refresh, old):
            if isinstance(listed, ListedIds) and listed is not self._ids:
                listed.close()
        self._refresh = None
        if self._early is not None and self._early[1] is not self._ids:
            self._early = None
        if not isinstance(self._ids, ListedIds):
            self._listed_view = None
        if self._finding is not None and self._finding[0] is not self._ids:
            self._end_finding()

    def _end_finding(self) -> None:
        """The Find being decided is no longer shown: its progress goes (its listing stops)."""
        if self._finding is not None and self._finding[1]:
            self.findProgress.emit(0, 0, 0, True)
        self._finding = None
        self._find_total = 0

    def _reset_listed(self, *, refresh: bool = False) -> None:
        """List the view (filter, face filter, sort) on the query worker. ``refresh``: the
        view shown is read again and kept until the new list is complete."""
        store = self._store
        early, self._early = self._early, None
        if early is not None and early[1] is self._ids and early[0] == (self._view(), store.source_root):
            return  # listed and shown since the open began (the count of the source said: large)
        if refresh and self.listed is None:
            return
        listed = ListedIds()
        self._listed_view = self._view()
        if refresh:
            if self._refresh is not None:
                self._refresh.close()
            self._refresh = listed
        else:
            self._show_listed(listed, store.source_root)
        self._fill_later(listed, store.source_root, refresh=refresh)

    def _show_listed(self, listed: ListedIds, root: str | None) -> None:
        """Show ``listed`` (a view of ``root`` being listed) in place of the ids shown."""
        old = self._ids
        self._end_finding()
        self.beginResetModel()
        self._ids = self._rows = listed
        self._group_sizes = {}
        self._listed_count, self._written_shown, self._listed_root = None, 0, root
        self.endResetModel()
        listed.query = self._read_ahead  # (a page ahead of the listing)
        listed.arrived = lambda first, last: self._far_arrived(listed, first, last)
        self._drop_listed(old)
        self.countChanged.emit()

    def _read_ahead(self, run: Callable[[Catalog], object], got: Callable[[Any], None]) -> None:
        """``run`` on the store's worker of pages ahead of a listing (not once the window shuts)."""
        store = self._store
        store.read_ahead(lambda catalog: None if store.shutting_down.is_set() else run(catalog), got)

    def _far_arrived(self, listed: ListedIds, first: int, last: int) -> None:
        """Rows ahead of the listing were read on the query worker: painted again."""
        if listed is self._ids and first <= last < self.rowCount():
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0))
            self.rowsArrived.emit(first, last)

    def _list_early(self, root: str) -> None:
        """An open of ``root`` began: a view other than the default one is listed and shown at
        once, its first rows before the open's count of the source is done (~0.3 s at a million
        images, seconds under load), if the catalog has ids enough. A verdict filter or a Find
        is listed as a Find (:func:`~facecurator.services.find_rest.view_find`: a stored verdict
        decides in SQL, a face without one is evaluated on the worker), planned without looking
        whether every verdict is stored (that look walks the source). Not a sort by a verdict
        (it aggregates every face's). Kept if the source is large (:meth:`_reset_listed`), else
        replaced by the source's id list."""
        store = self._store
        default = self.filter_name == "all" and self.sort_key == "name" and self.face_filter is None
        if default or self.sort_key in VERDICT_SORTS or store.closed:
            return
        if v.last_id(store.catalog) < paged_ids.PAGED_MIN:  # (one read of the key's end)
            return  # a catalog too small for any source of it to be listed
        listed = ListedIds()
        self._listed_view = self._view()
        self._show_listed(listed, root or None)
        self._early = ((self._listed_view, root or None), listed)
        # under a recorded rule set version the view is listed by SQL as if every verdict were
        # stored (a reopen: as fast as before), and listed as a Find if a look beside it finds
        # one missing; under none, as a Find at once (nothing can be stored under it yet)
        stored = bool(store.ruleset_version) and view_find(self.filter_name, None)[1] is not None
        stored = stored or (self.face_filter is not None and bool(store.ruleset_version))
        self._fill_later(listed, root or None, early=not stored, stored=stored)
        if stored:
            self._look_early(listed, root or None)

    def _look_early(self, listed: ListedIds, root: str | None) -> None:
        """Look (on a worker of its own: not in front of the view's estimate, 24 s instead of 2 s on
        a reopen at 1M) whether a face of ``root`` misses its verdict; if so,
        the view listed by SQL as the open began is listed again as a Find (in its place)."""
        ruleset = listed.ruleset

        def missing(catalog: Catalog) -> bool:
            return bulk.any_missing_verdict(catalog, ruleset, source_root=root)

        def looked(answer: object) -> None:
            if answer is not True or listed is not self._ids or self._store.closed:
                return
            early = self._early
            fresh = ListedIds()
            self._show_listed(fresh, root)
            if early is not None and early[1] is listed:
                self._early = (early[0], fresh)
            self._fill_later(fresh, root, early=True)

        self._store.look_view(missing, looked)

    def _drop_early(self) -> None:
        """The open failed: the view listed as it began is no longer shown."""
        if self.listing_early:
            old = self._ids
            self.beginResetModel()
            self._ids, self._rows = [], RowIndex()
            self.endResetModel()
            self._drop_listed(old)
        self._early = None

    def _fill_later(
        self,
        listed: ListedIds,
        root: str | None,
        *,
        refresh: bool = False,
        early: bool = False,
        stored: bool = False,
    ) -> None:
        """List the model's view of ``root`` into ``listed`` on the store's view worker (``early``:
        as an open begins, see :meth:`_list_early`)."""
        store = self._store
        filter_name, sort, face_filter = self.filter_name, self.sort_key, self.face_filter
        ruleset = listed.ruleset = store.ruleset_version
        listed.unchecked = early
        rules, identities = store.ruleset, store.identities
        announce, checked = self._announcer.grown.emit, self._filter_checked.emit
        finders: list[FindRest] = []  # the worker's, when the Find is decided in part in Python
        if not refresh:
            self._finding = (listed, finders)
        find = None if face_filter is None or face_filter.everything else face_filter.node

        def run(catalog: Catalog) -> ListedIds:
            extra: tuple[str, dict[str, Any]] | None = None
            keep: Keep | None = None
            groups: tuple[str, dict[str, Any]] | Callable[[], dict[str, int]] | None = None
            shown, node = view_find(filter_name, find)  # a verdict filter: "all" and its Find term
            plan = None
            if node is not None:
                plan, finder, error = plan_view(
                    catalog, filter_name, node, find, source_root=root, ruleset=ruleset, rules=rules,
                    identities=identities, groups=sort == "group", checked=not early, stored=stored,
                )  # fmt: skip
                if find is not None:  # an error: not applied, the view unfiltered, the bar says why
                    checked(listed, error)
                extra = None if plan is None else plan.may
                if finder is not None:  # the images that may pass, decided a batch at a time
                    # (no version recorded as the open began: the open records it; early: the
                    # rest once the open's fill stored their verdicts)
                    versioned = lambda version: setattr(listed, "ruleset", version)  # noqa: E731
                    finder.beside_open(ruleset, versioned, (lambda: store.busy) if early else None)
                    finders.append(finder)
                    keep = finder.keep(catalog)
                    groups = lambda: finder.group_sizes or {}  # noqa: E731
            if find is None and keep is None and plan is not None:
                # a verdict filter SQL answers whole: its own test (EXISTS over the verdicts; the
                # Find term's clause joins each face's detection and decision: 1.30 x the listing)
                shown, extra = filter_name, None
            listed.planned = (shown, extra, keep is None)
            sql = v.view_sql(shown, sort, source_root=root, ruleset=ruleset, extra=extra)
            if keep is None and sort in v.INDEXED_SORTS:  # a page ahead of the listing: read from it
                listed.far = sql
            if sort == "group" and groups is None:  # the person headers' sizes
                groups = v.where(shown, source_root=root, ruleset=ruleset, extra=extra)
            return listed.fill(catalog, sql, announce, groups, stop=store.shutting_down.is_set, keep=keep)

        def done(result: object) -> None:  # (failed -- the server gone -- said, listed again when back)
            if not isinstance(result, Exception):
                store.page_answered()  # (a failure said is over)
            elif listed is self._ids or listed is self._refresh:
                store.page_failed(self.rowCount(), 0, result, lambda: self._list_again(listed))

        store.list_view(run, done)

    def _list_again(self, listed: ListedIds) -> None:
        """A listing that failed is asked again (if its view is still the one shown or coming)."""
        if listed is self._ids or listed is self._refresh:
            self.rebuild()

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
                self._listed_count, self._written_shown = (listed.written, False), listed.written
                self._listed_root = self._store.source_root
                self.endResetModel()
                if old is not None:
                    old.close()
                if self._finding is not None and self._finding[0] is not listed:
                    self._end_finding()  # (a halted Find's progress)
                self._completed = listed
                self.countChanged.emit()
                self.viewComplete.emit()
            return
        if listed is not self._ids:
            return
        finding = self._finding
        if finding is not None and finding[0] is listed and finding[1]:
            self.findProgress.emit(finding[1][0].checked, listed.written, self._find_total, listed.complete)
            if listed.complete:
                self._finding = None
        # complete read before written: once complete, written is final (the other way round, a
        # last chunk written in between was left out of a view taken as complete)
        complete = listed.complete
        shown, before, written = len(listed), self._written_shown, listed.written
        # every row written is shown; the rows past them are the count's until the end
        self._show_rows(listed, written if complete else max(shown, written), written)
        if before < min(shown, written):  # rows shown blank until now: their ids are in
            self.dataChanged.emit(self.index(before, 0), self.index(min(shown, written) - 1, 0))
        if complete:
            self._group_sizes = listed.group_sizes
            if self._group_sizes and shown:  # the person headers of the rows shown meanwhile
                self.dataChanged.emit(self.index(0, 0), self.index(min(shown, written) - 1, 0))
            self._listed_count = (written, False)
            self._completed = listed
            self.countChanged.emit()
            self.viewComplete.emit()
        elif self._counted is not listed and (written or _decided_in_python(listed)):
            # its first rows (a Find decided in Python: its first step): its count is asked now
            self._counted = listed
            self._count_later(listed)

    def _show_rows(self, listed: ListedIds, rows: int, written: int) -> None:
        """The listed view shows ``rows`` rows (rows added or taken at the end), ``written`` of
        them known to be written."""
        shown = len(listed)
        self._written_shown = min(rows, written)
        if rows > shown:
            self.beginInsertRows(QModelIndex(), shown, rows - 1)
            listed.grow(rows)
            self.endInsertRows()
        elif rows < shown:
            self.beginRemoveRows(QModelIndex(), rows, shown - 1)
            listed.grow(rows)
            self.endRemoveRows()

    def _count_later(self, listed: ListedIds) -> None:
        """Read the listed view's estimated count, then (:data:`EXACT_COUNT_AFTER_MS` later, if
        its listing goes on) its exact one, on the store's worker of view counts, from what the
        worker lists (``listed.planned``). A Find decided in part in Python is counted at its
        listing's end; its progress's total is estimated (the images that may pass)."""
        store = self._store
        root, ruleset, planned = self._listed_root, listed.ruleset, listed.planned
        if planned is None:
            return
        shown, extra, exact = planned

        def estimate(catalog: Catalog) -> int | None:
            if listed.complete:
                return None
            return v.estimate(catalog, shown, source_root=root, ruleset=ruleset, extra=extra)

        if not exact:  # the images to check: the progress's total
            store.count_view(estimate, lambda n: self._checked_of(listed, n))  # type: ignore[arg-type]
            if listed.unchecked and ruleset:  # planned without looking: look now, beside it

                def missing(catalog: Catalog) -> bool | None:
                    if listed.complete:
                        return None
                    return bulk.any_missing_verdict(catalog, ruleset, source_root=root)

                store.count_view(missing, lambda m: self._looked(listed, m))  # type: ignore[arg-type]
            return

        def count(catalog: Catalog) -> int | None:
            if listed.complete:
                return None
            return v.count(catalog, *v.where(shown, source_root=root, ruleset=ruleset, extra=extra))

        store.count_view(estimate, lambda n: self._counted_as(listed, n, estimated=True))  # type: ignore[arg-type]

        def count_exactly() -> None:  # a listing still going on: counted beside it
            if listed is self._ids and not listed.complete and not store.closed:
                store.count_view(count, lambda n: self._counted_as(listed, n, estimated=False))  # type: ignore[arg-type]

        QTimer.singleShot(EXACT_COUNT_AFTER_MS, self, count_exactly)

    def _looked(self, listed: ListedIds, missing: bool | None) -> None:
        """Whether a face of the source misses its verdict, for a view listed as a Find as the
        open began (planned without looking): none -- a reopen -- and the view is listed again
        by SQL whole (its FindRest's two reads a step took about 3 x the SQL listing: 91 against
        32 s for "qualified" at 1M), the rows found shown until that list is complete."""
        if missing is False:
            self._relist_by_sql(listed)

    def _relist_by_sql(self, listed: ListedIds) -> None:
        """Every verdict of the listed Find's source is stored: its listing stops where it got
        (its rows shown) and the view is listed again by SQL whole, swapped in when complete."""
        if listed is not self._ids or listed.complete or self._store.closed:
            return
        listed.halt()
        fresh = ListedIds()
        if self._refresh is not None:
            self._refresh.close()
        self._refresh = fresh
        self._fill_later(fresh, self._listed_root, refresh=True, stored=True)

    def _checked_of(self, listed: ListedIds, total: int | None) -> None:
        """The estimated number of images a Find decided in part in Python checks arrived."""
        finding = self._finding
        if total is None or finding is None or finding[0] is not listed or not finding[1]:
            return
        self._find_total = total
        self.findProgress.emit(finding[1][0].checked, listed.written, total, listed.complete)

    def _counted_as(self, listed: ListedIds, count: int | None, *, estimated: bool) -> None:
        """A count of the listed view being read arrived: shown, and the rows made as many
        (never fewer than written); an estimate never replaces the exact count."""
        if count is None or listed is not self._ids or listed.complete:
            return
        if estimated and self._listed_count is not None and not self._listed_count[1]:
            return
        self._listed_count = (count, estimated)
        self._show_rows(listed, max(count, self._written_shown), self._written_shown)
        self.countChanged.emit()

    def _on_verdicts_stored(self) -> None:
        """The open's verdicts are stored: a view listed as a Find under the rule set version
        shown (a verdict filter opened before they were: :meth:`_list_early`) stays -- each row
        read a stored verdict or evaluated the face under the same rules, so a listing again
        would list the same rows (a verdict filter's not listed whole yet: listed again by SQL,
        its rows shown meanwhile); under another version (none was recorded as it began) it is
        listed again, its listing stopped where it got (one view listing runs at a time)."""
        listed = self.listed
        if listed is not None and _decided_in_python(listed):
            if listed.ruleset == self._store.ruleset_version and self._listed_view == self._view():
                # a verdict filter's Find still being decided: the fill stored every verdict, the
                # rest is listed by SQL (the Find, two reads a step, ended 1.24 x later at 1M)
                if self._needs_verdicts():
                    self._relist_by_sql(listed)
                return
            if self._needs_verdicts():
                listed.halt()
        super()._on_verdicts_stored()

    def _on_rules_changed(self, rules: object) -> None:
        """New rules: a view listed as a Find still being decided under the old ones stops
        where it got (the view is listed again under the new rules; one listing at a time)."""
        listed = self.listed
        if listed is not None and _decided_in_python(listed) and not listed.complete:
            listed.halt()
        super()._on_rules_changed(rules)

    def _listed_added(self) -> None:
        """Images a scan added while a listed view is shown: it is read again once they settle."""
        self._refresh_timer.start()


def _decided_in_python(listed: ListedIds) -> bool:
    """``listed`` is listed as a Find decided in part in Python (a FindRest keeps its rows)."""
    return listed.planned is not None and not listed.planned[2]
