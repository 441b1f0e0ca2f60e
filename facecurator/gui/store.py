"""The GUI's view of the catalog: reviewed images and faces, plus change signals.

:class:`CurationStore` is the one object every view reads from. It owns the GUI
thread's :class:`~facecurator.services.catalog.Catalog` and the current rule set;
it loads through :func:`facecurator.services.review.review` and writes through
``Catalog.decide`` / ``undo`` and the core's bulk helpers, then re-reads the
touched rows from the catalog and announces exactly which ids changed, so the
models emit ``dataChanged`` for those rows only (never a reset on a decision).

Verdicts are never stored: a rule change re-runs the review (no detection) and
emits ``rulesChanged``; every open view re-colours from the new verdicts.

Opening a source and changing the rules take seconds on a 100k-face catalog,
so they follow napari's "snapshot, compute, apply" pattern
(``components/_layer_slicer.py``): the request is captured on the GUI thread
and tagged with a generation id, a worker thread reads (with its own
``Catalog`` connection) and evaluates, and the result is applied on the GUI
thread in one step, unless a newer request superseded it (then it is dropped,
and a superseded evaluation stops early). Meanwhile the views keep showing the
old data and ``busyChanged`` drives a busy indicator. Decisions stay
synchronous on the GUI thread; faces decided (or images re-scanned) while a
result was computing are re-read when it is applied, so nothing is lost.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from facecurator.domain.face import BLUR_SCALE_MODERATION_2
from facecurator.domain.filters import natural_key
from facecurator.domain.rules import RuleSet, convert_blur
from facecurator.errors import FacecuratorError
from facecurator.gui.latency import favour_the_gui_thread
from facecurator.gui.overlay import face_status
from facecurator.services.catalog import Catalog, FaceRow, ImageRow
from facecurator.services.identity import uses_identity
from facecurator.services.review import (
    ReviewedFace,
    ReviewedImage,
    accept_qualified,
    bulk_targets,
    evaluate,
    reject_unqualified,
    review,
    undo_step,
)
from facecurator.sources import read_image_bytes

log = logging.getLogger("facecurator.gui.store")


#: Image-level filters of the gallery (label keys; the window translates them).
IMAGE_FILTERS: Final = ("all", "pending", "qualified", "unqualified", "accepted", "rejected", "errors")
#: Face-level filters of the triage grid.
FACE_FILTERS: Final = ("all", "pending", "qualified", "unqualified", "unknown", "accepted", "rejected")
IMAGE_SORTS: Final = ("name", "group", "faces", "blur", "problems")

SUMMARY_CACHE_SIZE: Final = 4096
#: Faces evaluated between two checks whether a newer request superseded this one.
EVALUATION_CHUNK: Final = 5000

#: Quiet time after an apply before the replaced data is freed (see ``CurationStore._dispose``).
DISPOSE_DELAY_MS: Final = 1000

LoadKind = Literal["open", "rules"]

_Chunk = Callable[[int, int], None] | None


@dataclass(frozen=True, slots=True)
class ImageSummary:
    """What a gallery cell needs about one image (computed lazily, cached)."""

    faces: int
    qualified: int
    unqualified: int
    unknown: int
    accepted: int
    rejected: int
    pending: int
    sharpest_blur: float | None  # lowest blur among its faces, on the 0-100 scale

    @property
    def decided(self) -> bool:
        return self.faces > 0 and self.pending == 0


@dataclass(frozen=True, slots=True)
class _Request:
    """A snapshot of what to compute, taken on the GUI thread."""

    generation: int
    kind: LoadKind
    source_root: str | None
    ruleset: RuleSet
    #: "rules": the images in memory when the request was made (rows are immutable)
    images: list[ReviewedImage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A computed result, indexed on the worker so applying it is a few assignments."""

    request: _Request
    images: dict[int, ReviewedImage]
    order: list[int]
    faces: dict[int, ReviewedFace]
    face_order: list[int]


class _Superseded(Exception):
    """A newer request made this one pointless (raised inside the worker)."""


class CurationStore(QObject):
    """Reviewed images/faces of one source, read from and written to one catalog.

    Signals carry lists of ids; listeners update only those rows. Opening a
    source and changing the rules are asynchronous (see the module docstring):
    ``sourceChanged`` / ``rulesChanged`` announce the applied result.
    """

    sourceChanged = Signal(str)  # a new source was loaded: models rebuild
    imagesAdded = Signal(list)  # image ids now in the store
    imagesChanged = Signal(list)  # image ids whose row, faces, verdicts or decisions changed
    facesAdded = Signal(list)  # face ids now in the store
    facesChanged = Signal(list)  # face ids whose decision changed
    rulesChanged = Signal(object)  # RuleSet; every verdict was re-evaluated
    busyChanged = Signal(bool)  # an open / rule change started computing (True) or ended (False)
    loadFailed = Signal(str, object)  # kind ("open" | "rules"), the exception
    _computed = Signal(object)  # _Loaded, emitted on the worker, delivered on the GUI thread
    _compute_failed = Signal(object, object)  # _Request, exception

    def __init__(self, catalog: Catalog, ruleset: RuleSet, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        #: the rule set of the verdicts in memory (a requested one applies when computed)
        self.ruleset = ruleset
        self._requested_ruleset = ruleset
        self._generation = 0
        self._pending: _Request | None = None
        self._latest_generation = 0  # read by workers to stop superseded work early
        self._generation_lock = threading.Lock()
        #: images decided or re-read since the pending request's snapshot (patched on apply)
        self._touched_images: set[int] = set()
        self._sync = False
        self._gc_paused = False
        self._garbage: list[dict[int, Any] | list[ReviewedImage]] = []
        self._dispose_timer = QTimer(self)
        self._dispose_timer.setSingleShot(True)
        self._dispose_timer.setInterval(DISPOSE_DELAY_MS)
        self._dispose_timer.timeout.connect(self._start_disposal)
        self._pool = QThreadPool(self)
        self._pool.setObjectName("fc-store")
        self._pool.setMaxThreadCount(1)  # one load at a time; newer requests wait, then win
        self._computed.connect(self._apply)
        self._compute_failed.connect(self._on_compute_failed)
        self.source_root: str | None = None
        #: cloud profile used to read ``oss://`` images (None: the default profile)
        self.profile: str | None = None
        self._images: dict[int, ReviewedImage] = {}
        self._image_order: list[int] = []
        self._faces: dict[int, ReviewedFace] = {}
        self._face_order: list[int] | None = None  # face ids in image order (cached)
        self._summaries: OrderedDict[int, ImageSummary] = OrderedDict()
        #: the catalog batch ids of each operation of this session, newest last (one undo
        #: step each, as the core returns them: :func:`facecurator.services.review.undo_step`)
        self._undo_steps: list[tuple[int, ...]] = []

    # -- loading ---------------------------------------------------------------

    def open_source(self, source_root: str | None) -> None:
        """Load every reviewed image of ``source_root`` (None: the whole catalog) in the background.

        ``sourceChanged`` is emitted on the GUI thread once the data is in
        memory (``loadFailed("open", exc)`` if the catalog cannot be read); the
        current data stays readable until then.
        """
        self._submit("open", source_root)

    def set_ruleset(self, ruleset: RuleSet) -> None:
        """Re-evaluate every face under ``ruleset`` in the background and announce it.

        No detection and no catalog read: the faces (and decisions) in memory
        are evaluated again. A newer call (or ``open_source``) supersedes a
        pending one, whose result is dropped; ``rulesChanged`` is emitted once,
        for the rule set that was applied.
        """
        self._requested_ruleset = ruleset
        pending = self._pending
        if pending is not None and pending.kind == "open":
            # The source being loaded must be evaluated under the new rules: reload it.
            self._submit("open", pending.source_root)
        elif uses_identity(ruleset) and not any(f.identity is not None for f in self._faces.values()):
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
    def pending_kind(self) -> LoadKind | None:
        return self._pending.kind if self._pending is not None else None

    @property
    def pending_source_root(self) -> str | None:
        return self._pending.source_root if self._pending is not None else None

    def wait_until_idle(self, timeout: float = 60.0) -> bool:
        """Process events until the pending work is applied (tests, scripts); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._pending is not None and time.monotonic() < deadline:
            self._pool.waitForDone(5)
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        return self._pending is None

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
        with self._generation_lock:
            self._generation += 1
            self._latest_generation = self._generation
        self._pending = None
        self._dispose_timer.stop()
        self._garbage = []
        done = self._pool.waitForDone(timeout_ms)
        self._resume_gc()
        return done

    def _dispose(self, *containers: dict[int, Any] | list[ReviewedImage]) -> None:
        """Free replaced data on the worker, a piece at a time, once the views have repainted.

        Dropping 100k reviewed faces at once deallocates about a million
        objects in one C call that holds the GIL (~100 ms). Emptied item by item
        in a Python loop on the worker, the GUI thread gets the GIL back between
        items, but a repaint (hundreds of Python callbacks, each waiting for the
        GIL) right after an apply would still crawl: hence the delay.
        """
        self._garbage.extend(containers)
        self._dispose_timer.start()

    def _start_disposal(self) -> None:
        garbage, self._garbage = self._garbage, []
        if garbage:
            self._pool.start(_DisposeJob(garbage))

    def _pause_gc(self) -> None:
        """Keep the cyclic GC off while a load builds millions of objects.

        A collection triggered by the worker's allocations walks every tracked
        object with the GIL held (measured: 100-300 ms gaps in the event loop
        at 100k faces); the loaded rows hold no reference cycles.
        """
        if not self._gc_paused and gc.isenabled():
            gc.disable()
            self._gc_paused = True

    def _resume_gc(self) -> None:
        """Re-enable the GC, first moving the loaded (long-lived, acyclic) objects out of its reach.

        Without ``gc.freeze()`` the first collection after a load would walk the
        two million new objects on the GUI thread. The trade-off: cyclic garbage
        made during the load is only reclaimed at exit.
        """
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()
            gc.enable()

    def _submit(self, kind: LoadKind, source_root: str | None) -> None:
        with self._generation_lock:
            self._generation += 1
            self._latest_generation = self._generation
        request = _Request(
            self._generation,
            kind,
            source_root,
            self._requested_ruleset,
            [self._images[i] for i in self._image_order] if kind == "rules" else [],
        )
        self._pending = request
        self._touched_images = set()
        if self._sync:
            self._pause_gc()
            try:
                loaded = self._compute(request)
            except Exception as exc:  # noqa: BLE001 - reported like a worker failure
                self._on_compute_failed(request, exc)
            else:
                self._apply(loaded)
            return
        favour_the_gui_thread()  # the worker runs Python; keep the event loop's turns short
        self._pause_gc()
        self.busyChanged.emit(True)  # also when a new request replaces a pending one
        self._pool.start(_ComputeJob(self, request))

    def _is_stale(self, request: _Request) -> bool:
        return request.generation != self._latest_generation

    def _compute(self, request: _Request) -> _Loaded:
        """The worker's part (no Qt, no GUI-thread state beyond the request)."""
        if request.kind == "open":
            # SQLite connections are per thread: the worker opens its own.
            with Catalog(self.catalog.path) as catalog:
                if self._is_stale(request):
                    raise _Superseded
                # review() computes the identity checks when the rules use them (seconds
                # on a 100k-face catalog: not on every open; the Identities dock has its own).
                images = review(catalog, request.ruleset, source_root=request.source_root)
        else:
            images = _reevaluate(request.images, request.ruleset, lambda: self._is_stale(request))
        if self._is_stale(request):
            raise _Superseded
        if request.kind == "open":
            # Natural order (img_2 before img_10), computed here on the worker: the gallery's
            # name sort then costs the GUI thread nothing.
            images.sort(
                key=lambda image: (image.row.source_root, natural_key(image.row.name), image.row.name)
            )
        order = [image.row.id for image in images]
        return _Loaded(
            request,
            {image.row.id: image for image in images},
            order,
            {face.id: face for image in images for face in image.faces},
            [face.id for image in images for face in image.faces],
        )

    @Slot(object)
    def _apply(self, loaded: _Loaded) -> None:
        """Install a computed result on the GUI thread in one step (stale ones are dropped)."""
        request = loaded.request
        if self._pending is None or request.generation != self._pending.generation:
            log.debug("dropped a superseded %s result (generation %d)", request.kind, request.generation)
            self._dispose(loaded.images, loaded.faces, request.images)
            return
        self._dispose(self._images, self._faces, request.images)
        self._images = loaded.images
        self._image_order = loaded.order
        self._faces = loaded.faces
        self._face_order = loaded.face_order
        self._summaries.clear()
        self.ruleset = request.ruleset
        self.source_root = request.source_root
        touched, self._touched_images = self._touched_images, set()
        if touched:
            # Decided or re-scanned while this was computing: re-read them now (few rows).
            for image in self._review_images(sorted(touched)):
                if request.source_root is None or image.row.source_root == request.source_root:
                    self._put(image)
        self._pending = None
        self._resume_gc()
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
        self._resume_gc()
        self._requested_ruleset = self.ruleset
        log.error("%s failed: %s", "opening the source" if request.kind == "open" else "re-evaluating", exc)
        self.loadFailed.emit(request.kind, exc)
        self.busyChanged.emit(False)

    def _put(self, image: ReviewedImage) -> bool:
        """Store one reviewed image; True when it is new."""
        new = image.row.id not in self._images
        old = self._images.get(image.row.id)
        if old is not None:
            for face in old.faces:
                self._faces.pop(face.id, None)
        self._images[image.row.id] = image
        self._face_order = None
        if new:
            self._image_order.append(image.row.id)
        for face in image.faces:
            self._faces[face.id] = face
        self._summaries.pop(image.row.id, None)
        return new

    def refresh_images(self, image_ids: Sequence[int]) -> None:
        """Re-read images (after a scan recorded them) and announce new/changed ones."""
        ids = list(dict.fromkeys(image_ids))
        if not ids:
            return
        if self._pending is not None:
            self._touched_images.update(ids)
        added_images: list[int] = []
        changed_images: list[int] = []
        added_faces: list[int] = []
        for image in self._review_images(ids):
            if self.source_root is not None and image.row.source_root != self.source_root:
                continue
            before = (
                {face.id for face in self._images[image.row.id].faces}
                if image.row.id in self._images
                else set()
            )
            if self._put(image):
                added_images.append(image.row.id)
            else:
                changed_images.append(image.row.id)
            added_faces.extend(face.id for face in image.faces if face.id not in before)
        if added_images:
            self.imagesAdded.emit(added_images)
        if changed_images:
            self.imagesChanged.emit(changed_images)
        if added_faces:
            self.facesAdded.emit(added_faces)

    def _review_images(self, image_ids: Sequence[int]) -> list[ReviewedImage]:
        # review(image_ids=...) lists the whole source to filter it, too slow per
        # scanned image on a 100k catalog: this reads just these ids and hands them
        # to the services' one evaluation.
        rows: list[ImageRow] = [self.catalog.image(image_id) for image_id in image_ids]
        by_image: dict[int, list[FaceRow]] = {row.id: [] for row in rows}
        for face_row in self.catalog.faces(image_ids=list(image_ids)):
            by_image[face_row.image_id].append(face_row)
        present = [(row, by_image[row.id]) for row in rows if row.status != "missing"]
        return evaluate(present, self.ruleset)

    # -- reading -----------------------------------------------------------------

    def image_ids(self) -> list[int]:
        return list(self._image_order)

    def face_ids(self) -> list[int]:
        if self._face_order is None:
            self._face_order = [
                face.id for image_id in self._image_order for face in self._images[image_id].faces
            ]
        return list(self._face_order)

    def image(self, image_id: int) -> ReviewedImage:
        return self._images[image_id]

    def has_image(self, image_id: int) -> bool:
        return image_id in self._images

    def face(self, face_id: int) -> ReviewedFace:
        return self._faces[face_id]

    def has_face(self, face_id: int) -> bool:
        return face_id in self._faces

    def images(self) -> list[ReviewedImage]:
        return [self._images[i] for i in self._image_order]

    def faces(self, face_ids: Iterable[int] | None = None) -> list[ReviewedFace]:
        if face_ids is None:
            return [face for image_id in self._image_order for face in self._images[image_id].faces]
        return [self._faces[i] for i in face_ids if i in self._faces]

    def summary(self, image_id: int) -> ImageSummary:
        """Counts for one image, computed on first use and kept in a bounded LRU."""
        cached = self._summaries.get(image_id)
        if cached is not None:
            self._summaries.move_to_end(image_id)
            return cached
        faces = self._images[image_id].faces
        statuses = [face_status(face.verdict) for face in faces]
        decisions = [face.decision for face in faces]
        # Compare blur on one scale (the core's documented mapping); unmappable ones are left out.
        blurs = [
            value
            for face in faces
            if face.face.blur is not None
            and (value := convert_blur(face.face.blur.value, face.face.blur.scale, BLUR_SCALE_MODERATION_2))
            is not None
        ]
        summary = ImageSummary(
            faces=len(faces),
            qualified=statuses.count("qualified"),
            unqualified=statuses.count("unqualified"),
            unknown=statuses.count("unknown"),
            accepted=decisions.count("accepted"),
            rejected=decisions.count("rejected"),
            pending=decisions.count("pending"),
            sharpest_blur=min(blurs) if blurs else None,
        )
        self._summaries[image_id] = summary
        if len(self._summaries) > SUMMARY_CACHE_SIZE:
            self._summaries.popitem(last=False)
        return summary

    def image_matches(self, image_id: int, filter_name: str) -> bool:
        image = self._images[image_id]
        if filter_name == "all":
            return True
        if filter_name == "errors":
            return image.row.status == "error"
        summary = self.summary(image_id)
        return {
            "pending": summary.pending,
            "qualified": summary.qualified,
            "unqualified": summary.unqualified,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
        }.get(filter_name, 0) > 0

    def matching_face_ids(self, filter_name: str) -> list[int]:
        """Face ids (image order) passing a triage filter; one pass, no per-face method call
        (100k faces: a few tens of ms on the GUI thread)."""
        if filter_name == "all":
            return self.face_ids()
        images, order = self._images, self._image_order
        if filter_name in ("pending", "accepted", "rejected"):
            return [
                face.id
                for image_id in order
                for face in images[image_id].faces
                if face.row.decision.state == filter_name
            ]
        return [
            face.id
            for image_id in order
            for face in images[image_id].faces
            if face_status(face.verdict) == filter_name
        ]

    def face_matches(self, face_id: int, filter_name: str) -> bool:
        face = self._faces[face_id]
        if filter_name == "all":
            return True
        if filter_name in ("pending", "accepted", "rejected"):
            return face.decision == filter_name
        return face_status(face.verdict) == filter_name

    def sorted_image_ids(self, ids: Sequence[int], key: str) -> list[int]:
        """``ids`` ordered by a gallery sort key (stable; name breaks ties)."""
        images = self._images
        if key == "name":
            return sorted(ids, key=lambda i: natural_key(images[i].row.name))
        ordered = sorted(ids, key=lambda i: (images[i].row.group, images[i].row.name))
        if key == "group":
            return ordered
        if key == "faces":
            return sorted(ordered, key=lambda i: -self.summary(i).faces)
        if key == "blur":  # sharpest first; images without a blur measure last
            return sorted(
                ordered,
                key=lambda i: (self.summary(i).sharpest_blur is None, self.summary(i).sharpest_blur or 0.0),
            )
        if key == "problems":  # errors, then most unqualified faces
            return sorted(
                ordered,
                key=lambda i: (self._images[i].row.status != "error", -self.summary(i).unqualified),
            )
        return list(ids)

    # -- rules -------------------------------------------------------------------

    # -- decisions ---------------------------------------------------------------

    def decide(self, face_ids: Sequence[int], state: str, *, reason: str | None = None) -> int:
        """Record a decision (committed before this returns) and refresh those faces."""
        ids = [i for i in face_ids if i in self._faces]
        if not ids:
            return 0
        batch = self.catalog.decide(ids, state, reason=reason)  # type: ignore[arg-type]
        if batch:
            self._undo_steps.append((batch,))
            self._reload_faces(ids)
        return batch

    def undo(self) -> list[int] | None:
        """Undo this window's last operation (a bulk one as a whole); the restored face ids.

        Each operation's step is the batch ids the core created for it, undone
        exactly (never an older or another process's decision). With nothing done
        in this session, the catalog's newest batch is undone (e.g. one made by
        the command line). None when there is nothing to undo.
        """
        if self._undo_steps:
            restored = undo_step(self.catalog, self._undo_steps.pop())
        else:
            restored = self.catalog.undo() or []
        if not restored:
            return None
        self._reload_faces(restored)
        return restored

    def accept_qualified(self, face_ids: Sequence[int] | None = None, on_chunk: _Chunk = None) -> int:
        """Accept the pending qualified faces among ``face_ids`` (None: the whole source).

        Returns how many it changed (faces someone else decided meanwhile are skipped).
        """
        targets = bulk_targets(self.faces(face_ids), qualified=True)
        if not targets:
            return 0
        step: list[int] = []
        try:
            done = accept_qualified(
                self.catalog,
                self.ruleset,
                targets,
                source_root=self.source_root,
                on_chunk=on_chunk,
                on_batch=step.append,
            )
        finally:
            self._after_bulk(targets, step)
        return done.count

    def reject_unqualified(self, face_ids: Sequence[int] | None = None, on_chunk: _Chunk = None) -> int:
        """Reject the pending unqualified faces among ``face_ids``, recording each one's reasons."""
        targets = bulk_targets(self.faces(face_ids), qualified=False)
        if not targets:
            return 0
        step: list[int] = []
        try:
            done = reject_unqualified(
                self.catalog,
                self.ruleset,
                targets,
                source_root=self.source_root,
                on_chunk=on_chunk,
                on_batch=step.append,
            )
        finally:
            self._after_bulk(targets, step)
        return done.count

    def _after_bulk(self, targets: Sequence[int], step: Sequence[int]) -> None:
        # Even a bulk that failed half-way committed its first chunks: show them, undoably.
        if step:
            self._undo_steps.append(tuple(step))
        self._reload_faces(targets)

    def reload_decisions(self, face_ids: Sequence[int]) -> None:
        """Show decisions made elsewhere (another operator on a shared catalog): re-read those faces."""
        self._reload_faces([i for i in face_ids if i in self._faces])

    def _reload_faces(self, face_ids: Sequence[int]) -> None:
        """Re-read the decisions of ``face_ids`` from the catalog and announce them."""
        image_ids = list(dict.fromkeys(self._faces[i].row.image_id for i in face_ids if i in self._faces))
        if not image_ids:
            return
        if self._pending is not None:
            self._touched_images.update(image_ids)
        rows = {row.id: row for row in self.catalog.faces(image_ids=image_ids)}
        changed: list[int] = []
        for image_id in image_ids:
            image = self._images[image_id]
            faces = []
            for face in image.faces:
                row = rows.get(face.id)
                if row is not None and row.decision != face.row.decision:
                    face = ReviewedFace(row, face.image, face.verdict)
                    self._faces[face.id] = face
                    changed.append(face.id)
                faces.append(face)
            self._images[image_id] = ReviewedImage(image.row, faces)
            self._summaries.pop(image_id, None)
        if changed:
            self.facesChanged.emit(changed)
            self.imagesChanged.emit(image_ids)

    # -- io ------------------------------------------------------------------------

    def read_bytes(self, row: ImageRow) -> bytes:
        """The encoded image of a row (local path, or OSS object read with the source's profile);
        called on worker threads."""
        return read_image_bytes(row.uri, profile=self.profile)


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
            loaded = store._compute(request)
        except _Superseded:
            return
        except Exception as exc:
            if not isinstance(exc, FacecuratorError):
                log.exception("%s failed", request.kind)
            store._compute_failed.emit(request, exc)
        else:
            store._computed.emit(loaded)


class _DisposeJob(QRunnable):
    """Empties containers of replaced data item by item (see ``CurationStore._dispose``)."""

    def __init__(self, containers: list[dict[int, Any] | list[ReviewedImage]]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._containers = containers

    def run(self) -> None:
        containers, self._containers = self._containers, []
        for container in containers:
            if isinstance(container, dict):
                while container:
                    container.popitem()
            else:
                while container:
                    container.pop()


def _reevaluate(
    images: Sequence[ReviewedImage], ruleset: RuleSet, is_stale: Callable[[], bool]
) -> list[ReviewedImage]:
    """``images`` under ``ruleset`` through the services' one evaluation, in chunks so a
    superseded request stops within one chunk (raises ``_Superseded``)."""
    identities = {face.id: face.identity for image in images for face in image.faces}

    def stop_if_stale() -> None:
        if is_stale():
            raise _Superseded

    return evaluate(
        [(image.row, [face.row for face in image.faces]) for image in images],
        ruleset,
        identity_of=identities.get,
        chunk=EVALUATION_CHUNK,
        between_chunks=stop_if_stale,
    )
