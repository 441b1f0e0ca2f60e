"""The GUI's view of the catalog: ids in memory, rows fetched as they are shown, change signals.

:class:`CurationStore` is the one object every view reads from. It follows the
Anki browser's shape (``aqt/browser/table/model.py``): the store and its models
hold *ids* (a few megabytes for 100 000 images), and a row is read from the
catalog and evaluated by the services' review
(:func:`facecurator.services.review.review`, ``image_ids=``) only when a view
asks for it, then kept in a bounded cache (a large source's paged grids ask on the row worker,
:meth:`~facecurator.gui.store_rows.StoreRows.read_later`, and paint the rows when they are in:
no row is read by id on the GUI thread while paging). Filters, sorts and counts are SQL
queries (:mod:`facecurator.services.catalog.queries`) over verdicts stored per
rule set version (:mod:`facecurator.services.browse`). There is no second copy
of the review here.

Opening a source and changing the rules follow napari's "snapshot, compute,
apply" (``components/_layer_slicer.py``): the request is tagged with a
generation id, a worker thread (its own ``Catalog`` connection) lists the ids,
a child process stores the missing verdicts (:mod:`facecurator.services.verdict_fill`:
evaluating on a thread would hold the GIL the event loop needs), and the result is
applied on the GUI thread unless a newer request superseded it. The reading half
(row cache, the views' queries) is :mod:`facecurator.gui.store_rows`. Opening is two steps: the ids arrive
first (``sourceImagesListed``: the gallery shows the catalog at once; ``sourceListed``
once its face ids are in too), then the
verdicts the filters need are filled, the rows on screen first
(:meth:`hint_visible`), and ``sourceChanged`` / ``rulesChanged`` announce the
applied result. Decisions are synchronous on the GUI thread and only drop the
decided rows from the cache, so nothing is lost to a pending request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableSequence, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, Literal

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThreadPool, QTimer, Signal, Slot

from facecurator.domain.rules import RuleSet
from facecurator.errors import FacecuratorError
from facecurator.gui.latency import favour_the_gui_thread
from facecurator.gui.rowindex import RowIndex
from facecurator.gui.store_decisions import StoreDecisions
from facecurator.gui.store_jobs import (
    ListKind,
    _ComputeJob,
    _Failed,
    _FillJob,
    _Listed,
    _QueryJob,
    _Superseded,
    fill_verdicts,
    list_ids,
)
from facecurator.gui.store_rows import ImageSummary
from facecurator.services import browse
from facecurator.services.catalog import Catalog, ImageRow
from facecurator.services.catalog import queries as q
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity
from facecurator.services.review import (
    ReviewedFace,
    ReviewedImage,
)
from facecurator.services.verdict_fill import stop_lingering
from facecurator.sources import read_image_bytes

log = logging.getLogger("facecurator.gui.store")


#: Image-level filters of the gallery (label keys; the window translates them).
IMAGE_FILTERS: Final = q.IMAGE_FILTERS
#: Face-level filters of the triage grid.
FACE_FILTERS: Final = q.FACE_FILTERS
IMAGE_SORTS: Final = q.IMAGE_SORTS

#: Quiet time after scanned images arrive before their verdicts are stored in the background.
FILL_DELAY_MS: Final = 500

LoadKind = Literal["open", "rules"]


@dataclass(frozen=True, slots=True)
class _Request:
    """A snapshot of what to compute, taken on the GUI thread."""

    generation: int
    kind: LoadKind
    source_root: str | None
    ruleset: RuleSet


class CurationStore(QObject, StoreDecisions):
    """Ids of one source's images and faces, rows fetched on demand from one catalog.

    Signals carry lists of ids; listeners update only those rows. Opening a
    source and changing the rules are asynchronous (see the module docstring).
    """

    sourceOpening = Signal(str)  # a source is being opened (its listing starts on the worker)
    sourceImagesListed = Signal(str)  # the image ids of a source being opened are in: the gallery
    sourceListed = Signal(str)  # then its face ids too: every view can show it
    sourceChanged = Signal(str)  # a source was opened (ids and verdicts): models rebuild
    imagesAdded = Signal(list)  # image ids now in the store
    imagesListed = Signal(list)  # image ids a scan listed before reading them (no faces yet)
    imagesChanged = Signal(list)  # image ids whose row, faces, verdicts or decisions changed
    facesAdded = Signal(list)  # face ids now in the store
    facesChanged = Signal(list)  # face ids whose decision changed
    rulesChanged = Signal(object)  # RuleSet; every verdict was re-evaluated
    busyChanged = Signal(bool)  # an open / rule change started computing (True) or ended (False)
    loadFailed = Signal(str, object)  # kind ("open" | "rules"), the exception
    _listed = Signal(object)  # _Listed, emitted on the worker, delivered on the GUI thread
    _computed = Signal(object, object)  # _Request, its identity checks (GalleryIdentities | None)
    _compute_failed = Signal(object, object)  # _Request, exception
    _answered = Signal(object, object)  # callback, result of a query run on the query worker
    rowReadFailed = Signal(object)  # a RowReadFailure while row reads fail, None once one is answered
    rowsRead = Signal(list, list)  # image ids, face ids asked of the row worker (read_later): in

    def __init__(self, catalog: Catalog, ruleset: RuleSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        #: the rule set of the verdicts shown (a requested one applies when its verdicts are stored)
        self.ruleset = ruleset
        # While the catalog's check on open runs, only read it: recording a new rule set version
        # is a write, which would wait for the check here; then an open's worker records it
        # (its verdicts are read under it once the open is applied).
        checking = catalog.pending_check is not None and not catalog.pending_check.done
        self._ruleset_id = browse.ruleset_id(catalog, ruleset, create=not checking)
        self._requested_ruleset = ruleset
        self._generation = 0
        self._pending: _Request | None = None
        self._latest_generation = 0  # read by workers to stop superseded work early
        self._generation_lock = threading.Lock()
        self._visible: list[int] = []  # image ids on screen, evaluated first by a fill
        #: images re-read while a request was pending (their verdicts are stored again on apply)
        self._touched_images: set[int] = set()
        self._sync = False
        self._pool = self._serial_pool("fc-store")  # one load at a time; newer requests wait, then win
        self._fill_timer = QTimer(self)
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(FILL_DELAY_MS)
        self._fill_timer.timeout.connect(self._fill_in_background)
        self._query_pool = self._serial_pool("fc-query")
        self._queries = 0  # queries sent to the query worker and not answered yet
        #: a view's listing (a large gallery's filter or sort, gui/view_ids.py): a thread of its
        #: own, so it does not wait behind the counts and samples on the query worker
        self._view_pool = self._serial_pool("fc-view")
        #: a listed view's counts (estimated, exact): beside its listing, not behind the counts
        #: of the whole source that an open asks of the query worker
        self._count_pool = self._serial_pool("fc-count")
        #: a listed view's pages ahead of its listing (long OFFSET walks): not behind the counts,
        #: and the query worker's go-tos and pages not behind them
        self._ahead_pool = self._serial_pool("fc-view-ahead")
        #: a paged grid's far pages (a scroll-bar drag, End): not behind the counts of an open,
        #: Triage's and the header's, on the query worker (seconds each at 1M on PostgreSQL)
        self._page_pool = self._serial_pool("fc-page")
        #: the source's counts (the header's, Triage's pending): seconds at 1M, asked again on
        #: every sourceChanged; not in front of the query worker's samples and go-tos' rows
        self._source_count_pool = self._serial_pool("fc-source-counts")
        #: whether a view listed as an open began has every verdict stored (a walk of the source
        #: when all are: seconds at 1M), not in front of the view's counts on their worker
        self._look_pool = self._serial_pool("fc-look")
        #: Triage's listing (a Find over its faces): not behind the gallery's listing of the same Find
        self._face_view_pool = self._serial_pool("fc-face-view")
        #: a large grid's rows as painted (read_later): not behind its pages or the counts
        self._row_pool = self._serial_pool("fc-rows")
        #: set when the window shuts the store down: a listing stops at its next chunk
        self.shutting_down = threading.Event()
        self._answered.connect(self._answer)
        self._listed.connect(self._apply_listing)
        self._computed.connect(self._apply)
        self._compute_failed.connect(self._on_compute_failed)
        self.source_root: str | None = None
        #: cloud profile used to read ``oss://`` images (None: the default profile)
        self.profile: str | None = None
        self._image_order: MutableSequence[int] = []
        self._face_order: MutableSequence[int] = []
        self._image_set = RowIndex()  # membership without a set of every id (see RowIndex)
        self._deferred_images: tuple[int, int] | None = None
        self._face_set = RowIndex()
        self._rows: OrderedDict[int, ReviewedImage] = OrderedDict()  # bounded row cache
        self._face_rows: dict[int, ReviewedFace] = {}  # faces of the cached rows
        self._summaries: OrderedDict[int, ImageSummary] = OrderedDict()
        #: id lists of (kind, filter, sort) computed on the worker, valid until the next change;
        #: handed to the first model that asks (with their index, see :meth:`row_index`)
        self._lists: dict[tuple[str, str, str | None], tuple[MutableSequence[int], RowIndex]] = {}
        self._face_counts: dict[str, int] = {}
        self._face_samples: dict[str, Sequence[int]] = {}
        self._handed: tuple[MutableSequence[int], RowIndex] | None = None
        self._start_row_reads()
        #: the catalog batch ids of each operation of this session, newest last (one undo
        #: step each, as the core returns them: :func:`facecurator.services.review.undo_step`)
        self._undo_steps: list[tuple[int, ...]] = []
        #: ids a scan listed while an open was pending: added once its listing is applied
        self._listed_later: list[tuple[str, list[int]]] = []
        self._listed_generation = 0  # the open request whose ids are shown
        self._listed_only: set[int] = set()  # images shown as listed by a scan, not read since
        #: the identity checks of the open source (None: no embeddings), computed on the worker
        self._identities: GalleryIdentities | None = None
        #: set once the gallery applied an open's image listing and had a turn to paint it (the
        #: worker lists the faces after that); set at once when that listing was superseded
        self._images_shown = threading.Event()

    # -- loading ---------------------------------------------------------------

    def _serial_pool(self, name: str) -> QThreadPool:
        """A worker pool of one thread (its tasks run in turn), named for traces and dumps."""
        pool = QThreadPool(self)
        pool.setObjectName(name)
        pool.setMaxThreadCount(1)
        return pool

    def open_source(self, source_root: str | None) -> None:
        """List ``source_root`` (None: the whole catalog) and fill its verdicts in the background.

        ``sourceListed`` comes first (the ids: the views can show the catalog),
        then ``sourceChanged`` once every verdict the filters need is stored
        (``loadFailed("open", exc)`` if the catalog cannot be read).
        """
        self.sourceOpening.emit(source_root or "")
        self._submit("open", source_root)

    def set_ruleset(self, ruleset: RuleSet) -> None:
        """Store the verdicts of ``ruleset`` in the background (rows on screen first), then
        announce it with ``rulesChanged``. A newer call (or ``open_source``) supersedes a
        pending one, whose result is dropped."""
        self._requested_ruleset = ruleset
        pending = self._pending
        if pending is not None and pending.kind == "open":
            self._submit("open", pending.source_root)  # the source being opened, under the new rules
        elif uses_identity(ruleset) and self._identities is None:
            # The identity checks were not loaded (the rules did not need them): reload with them.
            self._submit("open", self.source_root)
        else:
            self._submit("rules", self.source_root)

    @property
    def busy(self) -> bool:
        """True while an open or a rule change is computing."""
        return self._pending is not None

    @property
    def requested_ruleset(self) -> RuleSet:
        """The rule set the views will show once the pending work is applied."""
        return self._requested_ruleset

    @property
    def listing(self) -> bool:
        """True while a source is being opened and its ids are not listed yet (the views still
        show the previous source); once listed, the views show it while its verdicts fill."""
        pending = self._pending
        if pending is None or pending.kind != "open":
            return False
        return self._listed_generation != pending.generation

    @property
    def pending_kind(self) -> LoadKind | None:
        return self._pending.kind if self._pending is not None else None

    @property
    def pending_source_root(self) -> str | None:
        return self._pending.source_root if self._pending is not None else None

    def hint_visible(self, image_ids: Sequence[int]) -> None:
        """The images on screen now: a verdict fill evaluates them before the others."""
        self._visible = list(image_ids)

    def wait_until_idle(self, timeout: float = 60.0) -> bool:
        """Process events until the pending work is applied (tests, scripts); False on timeout."""
        deadline = time.monotonic() + timeout
        while (self._pending is not None or self._queries) and time.monotonic() < deadline:
            self._pool.waitForDone(5)
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        return self._pending is None and not self._queries

    @contextmanager
    def force_sync(self) -> Iterator[None]:
        """Within this block, opens and rule changes compute and apply before returning."""
        previous, self._sync = self._sync, True
        try:
            yield
        finally:
            self._sync = previous

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Supersede pending work and wait for the worker (window close)."""
        self.shutting_down.set()
        with self._generation_lock:
            self._generation += 1
            self._latest_generation = self._generation
        self._pending = None
        self._fill_timer.stop()
        self._row_retry.stop()
        self._images_shown.set()
        done = self._query_pool.waitForDone(timeout_ms) and self._view_pool.waitForDone(timeout_ms)
        done = self._count_pool.waitForDone(timeout_ms) and done
        done = self._look_pool.waitForDone(timeout_ms) and done
        done = self._face_view_pool.waitForDone(timeout_ms) and done
        done = self._ahead_pool.waitForDone(timeout_ms) and done
        done = self._page_pool.waitForDone(timeout_ms) and done
        done = self._row_pool.waitForDone(timeout_ms) and done
        done = self._source_count_pool.waitForDone(timeout_ms) and done
        done = self._pool.waitForDone(timeout_ms) and done
        stop_lingering(timeout_ms / 1000)  # a fill's child still storing reasons closes the catalog
        return done

    def _fill_in_background(self) -> None:
        """Store the verdicts of faces a scan added (current rule set), on the worker."""
        if self._pending is not None:
            self._fill_timer.start()  # the pending request's fill will get them; look again later
            return
        self._pool.start(_FillJob(self.catalog.location, self.ruleset, self.source_root))

    def _submit(self, kind: LoadKind, source_root: str | None) -> None:
        with self._generation_lock:
            self._generation += 1
            self._latest_generation = self._generation
        request = _Request(self._generation, kind, source_root, self._requested_ruleset)
        self._pending = request
        self._touched_images = set()
        if self._sync:
            try:
                with Catalog(self.catalog.location) as catalog:
                    if kind == "open":
                        for step in ("images", "image_ids", "faces"):
                            self._apply_listing(self._list(catalog, request, step))
                    identities = self._fill(catalog, request)
            except Exception as exc:  # noqa: BLE001 - reported like a worker failure
                self._on_compute_failed(request, exc)
            else:
                self._apply(request, identities)
            return
        favour_the_gui_thread()  # the worker runs Python; keep the event loop's turns short
        self.busyChanged.emit(True)  # also when a new request replaces a pending one
        self._pool.start(_ComputeJob(self, request))

    def _is_stale(self, request: _Request) -> bool:
        return request.generation != self._latest_generation

    def _list(self, catalog: Catalog, request: _Request, kind: ListKind) -> _Listed:
        """Step one of an open (worker): :func:`~facecurator.gui.store_jobs.list_ids`."""
        listed = list_ids(catalog, request, kind)
        if self._is_stale(request):
            raise _Superseded
        return listed

    def _fill(self, catalog: Catalog, request: _Request) -> GalleryIdentities | None:
        """Step two (worker): the identity checks (when the catalog holds embeddings), then
        the verdicts of the requested rule set stored, visible rows first."""
        # The identity checks cost seconds on a 100k-face catalog: only for rules that use them
        # (the Identities dock computes its own).
        identities = (
            gallery_identities(
                catalog, source_root=request.source_root, threshold=threshold_of(request.ruleset)
            )
            if uses_identity(request.ruleset)
            else None
        )
        done = fill_verdicts(
            catalog,
            request.ruleset,
            source_root=request.source_root,
            first=self._visible,
            is_stale=lambda: self._is_stale(request),
            identities=identities,
        )
        if not done or self._is_stale(request):
            raise _Superseded
        return identities

    @Slot(object)
    def _apply_listing(self, listed: _Listed) -> None:
        """Show the ids of the source being opened (GUI thread): its images (``sourceImagesListed``:
        the gallery shows them), then its faces (``sourceListed``: every view)."""
        request = listed.request
        if self._pending is None or request.generation != self._pending.generation:
            self._images_shown.set()
            return
        if listed.kind == "image_ids":  # a deferred listing's ids (and any a scan added since)
            arrived = [i for i in self._image_order if i not in listed.index]
            self._image_order, self._image_set, self._deferred_images = listed.order, listed.index, None
            for image_id in arrived:
                self._image_set[image_id] = len(self._image_order)
                self._image_order.append(image_id)
            return
        if listed.kind == "images":
            # after this turn's paint (the views reset now): the worker lists the faces then
            QTimer.singleShot(0, self._images_shown.set)
            self.source_root = request.source_root
            self._deferred_images = listed.deferred
            self._image_order, self._image_set = listed.order, listed.index
            self._face_order, self._face_set = [], RowIndex()  # the faces views show none meanwhile
            # the rows of this source read since the open began (a view listed early painted
            # them) are kept: read under the same rules and identity checks, they are the same
            # (read again, the page painted was read twice on the GUI thread)
            root = request.source_root
            self._forget_rows_but(lambda image: root is None or image.row.source_root == root)
            self._lists = {} if listed.view is None else {("images", "all", "name"): listed.view}
            self.sourceImagesListed.emit(request.source_root or "")
            return
        self._listed_generation = request.generation
        self._face_order, self._face_set = listed.order, listed.index
        self._face_counts = dict(listed.counts or {})
        self._face_samples = dict(listed.samples or {})
        if listed.view is not None:
            self._lists[("faces", "pending", None)] = listed.view
        self.sourceListed.emit(request.source_root or "")
        later, self._listed_later = self._listed_later, []
        for root, ids in later:  # listed by a scan after this listing was read
            self._append_listed(root, ids)

    @Slot(object, object)
    def _apply(self, request: _Request, identities: GalleryIdentities | None = None) -> None:
        """Install a computed result on the GUI thread in one step (stale ones are dropped)."""
        if self._pending is None or request.generation != self._pending.generation:
            log.debug("dropped a superseded %s result (generation %d)", request.kind, request.generation)
            return
        # the rows read are kept when they were evaluated under the same rules and no identity
        # checks (an open's fill stores verdicts the evaluation of a row does not read)
        same = request.ruleset == self.ruleset and identities is None and self._identities is None
        self.ruleset = request.ruleset
        self._identities = identities
        self._ruleset_id = browse.ruleset_id(self.catalog, request.ruleset)
        if same:
            self._forget_rows_but(lambda _image: True)
        else:
            self._forget_rows()
        if self._touched_images:
            # Re-scanned while this was computing: their new faces may have missed the fill.
            self._touched_images = set()
            self._fill_timer.start()
        self._pending = None
        if request.kind == "open":
            self.sourceChanged.emit(request.source_root or "")
        else:
            self.rulesChanged.emit(request.ruleset)
        self.busyChanged.emit(False)

    @Slot(object, object)
    def _on_compute_failed(self, request: _Request, exc: object) -> None:
        if self._pending is None or request.generation != self._pending.generation:
            return
        self._pending = None
        self._requested_ruleset = self.ruleset
        log.error("%s failed: %s", "opening the source" if request.kind == "open" else "re-evaluating", exc)
        self.loadFailed.emit(request.kind, exc)
        self.busyChanged.emit(False)

    def list_view(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on the view listing's worker (newest last); an error to ``callback`` too."""
        self.query(run, callback, pool=self._view_pool, failed=callback)

    def count_view(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on the view counts' own worker (a listed view's estimate, then its count)."""
        self.query(run, callback, pool=self._count_pool)

    def read_ahead(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on the worker of a listed view's pages ahead of its listing."""
        self.query(run, callback, pool=self._ahead_pool)

    def read_page(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on the page worker (far pages; all while reads fail); an error to ``callback``."""
        self.query(run, callback, pool=self._page_pool, failed=callback)

    def read_rows(
        self,
        run: Callable[[Catalog], object],
        callback: Callable[[object], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """:meth:`query` on the row worker (a large grid's rows as painted: ``read_later``);
        ``failed(error)`` if it fails (asked again: row_reads.py)."""
        self.query(run, callback, pool=self._row_pool, failed=failed)

    def count_source(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on the source counts' own worker (the header's, Triage's pending)."""
        self.query(run, callback, pool=self._source_count_pool)

    def look_view(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`query` on a worker of its own (whether a view's verdicts are all stored)."""
        self.query(run, callback, pool=self._look_pool)

    def list_faces_view(self, run: Callable[[Catalog], object], callback: Callable[[object], None]) -> None:
        """:meth:`list_view` on Triage's listing worker (an error to ``callback`` too)."""
        self.query(run, callback, pool=self._face_view_pool, failed=callback)

    def query(
        self,
        run: Callable[[Catalog], object],
        callback: Callable[[object], None],
        *,
        pool: QThreadPool | None = None,
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``run(catalog)`` on the query worker (its own connection); ``callback(result)`` on
        the GUI thread. For counts over the whole source: a few hundred ms of SQL at 100k faces.
        Not run once the window closed the catalog (a deferred recount, say). A failure (a
        FacecuratorError: the server gone) is logged, and answered by ``failed(error)`` if given."""
        if self.closed:
            return
        if self._sync:
            try:
                with Catalog(self.catalog.location) as catalog:
                    result = run(catalog)
            except FacecuratorError as exc:
                if failed is None:
                    raise
                failed(exc)
                return
            callback(result)
            return
        self._queries += 1
        (pool or self._query_pool).start(_QueryJob(self, run, callback, failed))

    @Slot(object, object)
    def _answer(self, callback: Callable[[object], None], result: object) -> None:
        self._queries = max(0, self._queries - 1)
        if not isinstance(result, _Failed):
            callback(result)

    # -- scans -------------------------------------------------------------------

    def refresh_images(self, image_ids: Sequence[int]) -> None:
        """Re-read images (after a scan recorded them) and announce new/changed ones."""
        ids = list(dict.fromkeys(image_ids))
        if not ids or self.closed:  # (a scan's last batch after the window closed the catalog)
            return
        if self._pending is not None:
            self._touched_images.update(ids)
        images = [
            image
            for image in self._read(ids)
            if self.source_root is None or image.row.source_root == self.source_root
        ]
        self._fill_timer.start()  # their verdicts are stored in the background (no disk sync here)
        added_images: list[int] = []
        changed_images: list[int] = []
        added_faces: list[int] = []
        redetected = False  # an image that had faces got new ones (they replace the old)
        for image in images:
            image_id = image.row.id
            new_faces = [face.id for face in image.faces if face.id not in self._face_set]
            if self._knows_image(image_id):
                changed_images.append(image_id)
                # a listed image had no faces: its faces are simply new
                redetected = redetected or (bool(new_faces) and image_id not in self._listed_only)
            else:
                added_images.append(image_id)
                self._image_set[image_id] = len(self._image_order)
                self._image_order.append(image_id)
            self._listed_only.discard(image_id)
            added_faces.extend(new_faces)
        self._keep(images)
        if redetected:
            # Keep the catalog order without the replaced faces; every face new to the store is
            # announced (also those of images the scan committed since: they are in the order now).
            known_before = self._face_set
            self._face_order = q.face_ids(self.catalog, source_root=self.source_root)
            self._face_set = RowIndex(self._face_order)
            known = set(known_before.known(self._face_order))
            added_faces = [face_id for face_id in self._face_order if face_id not in known]
        else:
            for face_id in dict.fromkeys(added_faces):
                self._face_set[face_id] = len(self._face_order)
                self._face_order.append(face_id)
        if added_images:
            self.imagesAdded.emit(added_images)
        if changed_images:
            self.imagesChanged.emit(changed_images)
        if added_faces:
            self.facesAdded.emit(added_faces)

    def add_listed(self, source_root: str, image_ids: Sequence[int]) -> None:
        """Images a scan of ``source_root`` listed before reading any (status ``listed``):
        shown at once, their rows read when painted; the scan then refreshes each one."""
        if self._pending is not None and self._pending.kind == "open":
            self._listed_later.append((source_root, list(image_ids)))
            return
        self._append_listed(source_root, image_ids)

    def _append_listed(self, source_root: str, image_ids: Sequence[int]) -> None:
        if self.closed or (self.source_root is not None and source_root != self.source_root):
            return  # another source than the one shown
        known = set(self._image_set.known(list(image_ids)))
        known.update(i for i in image_ids if self._knows_image(i))
        new = [i for i in image_ids if i not in known]
        if not new:
            return
        for image_id in new:
            self._image_set[image_id] = len(self._image_order)
            self._image_order.append(image_id)
        self._listed_only.update(new)
        self._lists.clear()
        self.imagesListed.emit(new)

    # -- io ------------------------------------------------------------------------

    def read_bytes(self, row: ImageRow) -> bytes:
        """The encoded image of a row (local path, or OSS object read with the source's profile);
        called on worker threads."""
        return read_image_bytes(row.uri, profile=self.profile)
