"""The store's background jobs: open / rule change, verdict fills, read-only queries.

Each job opens its own :class:`~facecurator.services.catalog.Catalog` (SQLite
connections are per thread) and answers through the store's queued signals.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, MutableSequence, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from PySide6.QtCore import QRunnable

from facecurator.domain.rules import RuleSet
from facecurator.errors import FacecuratorError
from facecurator.gui import paged_keys
from facecurator.gui.paged_ids import pages_faces, pages_gallery
from facecurator.gui.rowindex import RowIndex
from facecurator.services import browse
from facecurator.services.catalog import Catalog, bulk, pages
from facecurator.services.catalog import queries as q
from facecurator.services.identity import GalleryIdentities
from facecurator.services.verdict_fill import fill_verdicts_apart

#: The listing steps of an open (see :func:`list_ids`).
ListKind = Literal["images", "image_ids", "faces"]

if TYPE_CHECKING:
    from facecurator.gui.store import CurationStore, _Request

log = logging.getLogger("facecurator.gui.store")

#: Images evaluated per committed step of a verdict fill (a superseded fill stops within one).
EVALUATION_CHUNK: Final = 500
#: Longest wait of an open's worker for the gallery to show its images before listing the faces.
IMAGES_SHOWN_WAIT_S: Final = 2.0
#: Verdict fills run in a child process (see :mod:`facecurator.services.verdict_fill`): a
#: thread evaluating faces holds the GIL the event loop needs. False: on the worker thread.
FILL_IN_CHILD_PROCESS = True

_Chunk = Callable[[int, int], None] | None


class _Failed:
    """The answer of a query that failed (logged; its callback is not called)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


class _Superseded(Exception):
    """A newer request made this one pointless (raised inside the worker)."""


def fill_verdicts(
    catalog: Catalog,
    ruleset: RuleSet,
    *,
    source_root: str | None,
    first: Sequence[int] = (),
    is_stale: Callable[[], bool] | None = None,
    identities: GalleryIdentities | None = None,
) -> bool:
    """Store the missing verdicts of ``ruleset`` (visible rows first), from a worker thread.

    Nothing to store: answered by one query on this thread. Otherwise in a child
    process (:data:`FILL_IN_CHILD_PROCESS`), which computes the identity checks itself
    when the rules use them. True when every verdict is stored, False when stopped.
    """
    ruleset_id = browse.ruleset_id(catalog, ruleset)
    if not bulk.any_missing_verdict(catalog, ruleset_id, source_root=source_root):
        return True  # a reopen: every verdict is stored already
    if FILL_IN_CHILD_PROCESS:
        return fill_verdicts_apart(
            catalog.location,
            ruleset,
            source_root=source_root,
            first=first,
            chunk=EVALUATION_CHUNK,
            is_stale=is_stale,
        )
    return browse.fill_verdicts(
        catalog,
        ruleset,
        source_root=source_root,
        first=first,
        chunk=EVALUATION_CHUNK,
        is_stale=is_stale,
        identities=identities,
    )


class _ComputeJob(QRunnable):
    """Runs one request on the store's worker thread and posts the outcome back."""

    def __init__(self, store: CurationStore, request: _Request) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._store = store
        self._request = request

    def run(self) -> None:
        store, request = self._store, self._request
        if store._is_stale(request):
            return  # superseded before it started
        try:
            # SQLite connections are per thread: the worker opens its own (reads go on while
            # the check on open runs in the background; a write waits for it).
            with Catalog(store.catalog.location, check_later=True) as catalog:
                if request.kind == "open":  # the images first: the gallery shows them meanwhile
                    store._images_shown.clear()
                    images = store._list(catalog, request, "images")
                    store._listed.emit(images)
                    # the faces' listing (seconds of SQL at 300 000 faces) starts once the gallery
                    # has applied and painted the images: it would slow that turn down otherwise
                    store._images_shown.wait(IMAGES_SHOWN_WAIT_S)
                    if images.deferred is not None:  # shown from its count: its ids now
                        store._listed.emit(store._list(catalog, request, "image_ids"))
                    store._listed.emit(store._list(catalog, request, "faces"))
                identities = store._fill(catalog, request)
        except _Superseded:
            return
        except Exception as exc:
            if not isinstance(exc, FacecuratorError):
                log.exception("%s failed", request.kind)
            store._compute_failed.emit(request, exc)
        else:
            store._computed.emit(request, identities)


class _QueryJob(QRunnable):
    """One read-only query on the query worker, answered through the store's signal."""

    def __init__(
        self,
        store: CurationStore,
        run: Callable[[Catalog], object],
        callback: Callable[[object], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._store, self._run, self._callback, self._failed = store, run, callback, failed

    def run(self) -> None:
        result: object
        try:
            with Catalog(self._store.catalog.location, check_later=True) as catalog:
                result = self._run(catalog)
        except FacecuratorError as exc:  # e.g. the window closed the catalog meanwhile
            log.warning("query failed: %s", exc)
            result = _Failed(exc)  # answered all the same: the store counts its queries
        callback: Callable[[Any], None] = self._callback
        if isinstance(result, _Failed) and self._failed is not None:  # (a failure it handles)
            callback, result = self._failed, result.error
        try:
            self._store._answered.emit(callback, result)
        except RuntimeError:  # the store (its window) was deleted meanwhile: nobody to answer
            log.debug("query answered after the store was deleted")


class _FillJob(QRunnable):
    """Stores the missing verdicts of a source under a rule set (after a scan added faces)."""

    def __init__(self, path: object, ruleset: RuleSet, source_root: str | None) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._args = (path, ruleset, source_root)

    def run(self) -> None:
        path, ruleset, source_root = self._args
        try:
            with Catalog(path) as catalog:  # type: ignore[arg-type]
                # the fill computes the identity checks itself when the rules use them.
                fill_verdicts(catalog, ruleset, source_root=source_root)
        except FacecuratorError as exc:  # the next fill or open tries again
            log.warning("storing verdicts failed: %s", exc)


@dataclass(frozen=True, slots=True)
class _Listed:
    """Ids of an opened source (step one of an open): its images, then its faces."""

    request: _Request
    #: images: shown first (their ids, or only their count, ``deferred``); image_ids: the ids of
    #: a deferred listing, read once the gallery painted; faces
    kind: ListKind
    order: MutableSequence[int]  # the store's order (images: natural name order; faces: catalog order)
    index: RowIndex
    #: the default view's list (gallery by name, pending faces), computed and indexed on the worker
    #: (None: the gallery reads its pages itself, :func:`pages_gallery`)
    view: tuple[MutableSequence[int], RowIndex] | None
    #: a large source's images shown from their count: (images, largest image id), ids later
    deferred: tuple[int, int] | None = None
    #: faces: how many pass a Triage filter ("all", "pending"), counted as they were listed (a
    #: large source's Triage grid is paged: its "pending" list is counted, not kept)
    counts: dict[str, int] | None = None
    #: faces, a paged Triage's: the ids of every SAMPLE_STEP-th face of those lists (its sample)
    samples: dict[str, MutableSequence[int]] | None = None


def list_ids(catalog: Catalog, request: _Request, kind: ListKind) -> _Listed:
    """Step one of an open (the store's worker): the source's image ids, or its face ids, in
    catalog order (the images are sent first: the gallery shows them while the faces are listed).
    A source whose gallery is paged shows its count first (``deferred``); its ids are read next
    (``image_ids``), once the gallery painted."""
    view: MutableSequence[int] | None
    order: MutableSequence[int]
    counts: dict[str, int] | None = None
    samples: dict[str, MutableSequence[int]] | None = None
    root = request.source_root
    if kind == "images" and root is not None:
        count, last = pages.present_count_and_last(catalog, root)
        if pages_gallery(root, count):  # the paged gallery shows the count; ids read next
            return _Listed(request, kind, array("q"), RowIndex(), None, deferred=(count, last))
    if kind != "faces":
        listed, view = q.source_image_lists(catalog, source_root=request.source_root, view=False)
        if kind == "images" and not pages_gallery(request.source_root, len(listed)):
            view = listed  # the gallery's own list (it grows on its own)
        order = array("q", listed)  # the store's, compact (a million ids: 8 MB, not ~36 MB)
        del listed
    else:
        order, view = q.source_face_lists(catalog, source_root=request.source_root)
        counts = {"all": len(order), "pending": len(view)}
        if pages_faces(request.source_root, len(order)):  # Triage reads its pages itself
            # every SAMPLE_STEP-th face of each list: its jumps' sample, not a walk of the faces
            step = paged_keys.SAMPLE_STEP
            samples = {"all": order[::step], "pending": view[::step]}
            view = None
    index = RowIndex(order).built()
    listed_view = None if view is None else (view, RowIndex(view).built())
    return _Listed(request, kind, order, index, listed_view, counts=counts, samples=samples)
