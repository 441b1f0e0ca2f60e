"""Batch scanning: list a source, detect every image on a worker pool, store results.

Design (snapshot, compute, apply): the calling thread lists the source, checks
the catalog cache and is the only one that writes the catalog; worker threads
read, decode and detect (each with its own detector instance, since detector
graphs are not thread-safe). A cached image (same identity, detector and
settings) is never detected again, so an interrupted batch resumes where it
stopped and a re-scan of an unchanged source makes no detector call at all.
One image's failure is recorded with its reason and never stops the batch.

A copy of an image (same identity: moved, ``cp -p``) is detected once, however it
is found (see :mod:`facecurator.services.image_gate`). The images finished
together are stored in one transaction and reported after its commit. After a
cancel, images in flight get :data:`CANCEL_GRACE` to finish; the scan then returns.
Cloud (rate-capped) detectors keep as many calls in flight as the service's cap
and the measured latency need (:class:`facecurator.cloud.concurrency.InFlightSizer`).

With an ``embedder`` (identity checks), each worker also computes the face
descriptors of the image it just detected (same bytes, its own embedder clone);
they are cached with the detection. Cached detections not yet embedded are
embedded on the workers too. An embedding failure never fails the image: the
image keeps its faces, without descriptors, and the reason is in the report.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Final

from facecurator.cloud.concurrency import MAX_IN_FLIGHT, InFlightSizer
from facecurator.domain.error_texts import error_text
from facecurator.domain.face import Face
from facecurator.domain.image_names import is_supported_name
from facecurator.domain.protocols import Detector, ImageRef, Source, bytes_key
from facecurator.services import image_gate
from facecurator.services.catalog import Catalog, ImageRow
from facecurator.services.scan_report import CancelToken as CancelToken
from facecurator.services.scan_report import ImageOutcome as ImageOutcome
from facecurator.services.scan_report import ScanProgress as ScanProgress
from facecurator.services.scan_report import ScanReport as ScanReport
from facecurator.services.scan_work import _detect_one, _embed_one, _WorkDone
from facecurator.services.workers import (
    POLL_INTERVAL,
    DetectorPool,
    close_when_done,
    drain,
    finish_in_flight,
)

if TYPE_CHECKING:
    from facecurator.domain.identity import Embedder  # NumPy: imported when the checks run

#: Images :func:`list_source` records and announces first: more than a screenful of thumbnails.
FIRST_LISTED: Final = 256


def scan(
    source: Source,
    detector: Detector,
    catalog: Catalog,
    *,
    jobs: int | None = None,
    progress: Callable[[ScanProgress], None] | None = None,
    on_image: Callable[[ImageOutcome], None] | None = None,
    cancel: CancelToken | None = None,
    refs: Iterable[ImageRef] | None = None,
    embedder: Embedder | None = None,
    complete: bool = False,
    prepared: bool = False,
    recent_errors: int | None = None,
    on_embed_error: Callable[[str, str], None] | None = None,
) -> ScanReport:
    """Detect every image of ``source`` not already in the catalog's cache.

    Args:
        source: what to scan.
        refs: an already listed subset of ``source`` (from :func:`plan`); default: list it.
        detector: prototype detector; each worker uses ``detector.clone()``.
        catalog: written from the calling thread only.
        jobs: worker threads (default: the CPU count; for a detector with a ``rate_cap``
            (cloud, I/O-bound), the calls in flight are sized from the cap and the
            latency measured per image, see :class:`InFlightSizer`).
        progress: called on the calling thread after each image.
        on_image: called on the calling thread with each image's outcome.
        cancel: stop submitting work; images in flight get :data:`CANCEL_GRACE` to
            finish and be stored.
        embedder: when given, face descriptors are computed on the workers and
            cached with each detection (``embedder.clone()`` per worker).
        complete: ``refs`` is the whole source's listing (from :func:`list_source`): the
            total is known at once and images no longer listed are marked missing.
        prepared: the caller ran ``catalog.prepare_bulk_change()`` already (:func:`list_source`).
        recent_errors: a bounded report keeping only this many recent failures and no image
            ids (:meth:`ScanReport.bounded`: a long shared scan); default: all of them.
        on_embed_error: called on the calling thread with (uri, reason) of each image whose
            embedding failed.

    Raises:
        CatalogDamagedError: the catalog is damaged (checked, and backed up at most
            daily, before anything is written).
    """
    if not prepared:
        catalog.prepare_bulk_change()
    whole_source = refs is None or complete  # images no longer listed are marked missing at the end
    listed_total: int | None = None
    if complete and refs is not None:
        refs = list(refs)
        listed_total = len(refs)
    cap = None if jobs else getattr(detector, "rate_cap", None)
    sizer = InFlightSizer(cap) if cap else None
    jobs = MAX_IN_FLIGHT if sizer else max(1, jobs or os.cpu_count() or 1)
    cancel = cancel or CancelToken()
    report = ScanReport() if recent_errors is None else ScanReport.bounded(recent_errors)
    started = time.monotonic()
    # The source's rows, to skip unchanged images; a shared scan (a server catalog, images
    # claimed a few at a time) looks each one up instead of loading millions of rows.
    known: Any = (
        _RowLookup(catalog)
        if refs is not None and catalog.dialect == "postgresql"
        else {row.uri: row for row in catalog.images(source_root=source.root)}
    )
    pool = DetectorPool(detector)
    # ... and the detected identities likewise (a set of millions would grow with the catalog).
    gate = image_gate.ImageGate(
        image_gate.CatalogKnown(catalog.location, detector.name, reusable_keys(detector))
        if isinstance(known, _RowLookup)
        else {
            bytes_key(i)
            for key in reusable_keys(detector)
            for i in catalog.detected_identities(detector.name, key)
        }
    )
    embed_pool = DetectorPool(embedder) if embedder is not None else None
    listing = _Listing(iter(refs) if refs is not None else source.iter_images(), keep_uris=whole_source)
    in_flight: dict[Future[_WorkDone], ImageRef] = {}

    def max_in_flight() -> int:
        return sizer.limit() if sizer else jobs * 3

    def emit(ref: ImageRef, image_id: int, status: str, error: str | None, cached: bool) -> None:
        report.add_image(image_id, None if status == "ok" else (ref.uri, error or "unknown error"), cached)
        if on_image:
            on_image(ImageOutcome(ref, image_id, status, error, cached))
        if progress:
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = report.total / elapsed
            total = listing.count if listing.exhausted else listed_total
            eta = (total - report.total) / rate if total is not None and rate > 0 else None
            progress(ScanProgress(report.total, total, report.failed, report.cached, rate, eta, ref.name))

    def store_embeddings(done: _WorkDone, detection_id: int) -> None:
        if embedder is None:
            return
        if done.embed_error is not None:
            report.add_embed_error(done.ref.uri, done.embed_error)
            if on_embed_error is not None:
                on_embed_error(done.ref.uri, done.embed_error)
            return
        if done.embeddings is None:
            return
        vectors = [None if e is None else (e.method, e.to_bytes()) for e in done.embeddings.faces]
        catalog.store_embeddings(detection_id, embedder.key, done.embeddings.phash, vectors)
        report.embedded += 1

    ready: list[tuple[ImageRef, int, str, str | None, bool]] = []

    def record(dones: list[_WorkDone]) -> None:
        """Store a group of finished images in ONE transaction (one fsync), then report
        them: what is reported is on disk, as before, for a fraction of the syncs."""
        if not dones:
            return
        with catalog.transaction():
            for done in dones:
                finish(done)
        for args in ready:
            emit(*args)
        ready.clear()

    def finish(done: _WorkDone) -> None:
        ref = done.ref
        if done.embed_only is not None:
            store_embeddings(done, done.embed_only[1])
            return
        if sizer and not done.auth_failure and not done.known:
            sizer.observe(done.busy)
        if done.auth_failure and not cancel.cancelled:
            # Refused credentials fail every image alike: stop instead of paying for retries.
            report.aborted = done.error
            cancel.cancel()
        if done.known:
            assert done.identity is not None
            detection_id = find_reusable(catalog, done.identity, detector)
            if detection_id is None:
                # The same bytes under another identity (a plain copy): stored again, never detected again.
                identity = done.identity
                same = _first_reusable(
                    detector, lambda key: catalog.find_same_bytes(identity, detector.name, key)
                )
                if same is not None:
                    detection_id = catalog.copy_detection(same, done.identity)
                    if embedder is not None and catalog.copy_embeddings(same, detection_id):
                        report.embedded += 1
            if detection_id is not None:
                width, height = catalog.detection_size(detection_id)
                image_id = catalog.record_image(
                    ref,
                    source_root=source.root,
                    identity=done.identity,
                    status="ok",
                    error=None,
                    detection_id=detection_id,
                    width=width,
                    height=height,
                    detector=detector.name,
                )
                ready.append((ref, image_id, "ok", None, True))
                return
        if done.result is None:
            if done.claimed:
                gate.release(bytes_key(done.identity or ""), stored=False)
            image_id = catalog.record_image(
                ref,
                source_root=source.root,
                identity=done.identity,
                status="error",
                error=done.error,
                detection_id=None,
                width=None,
                height=None,
                detector=detector.name,
            )
            ready.append((ref, image_id, "error", done.error, False))
            return
        assert done.identity is not None
        result = done.result
        detection_id = catalog.store_detection(done.identity, detector.name, detector.settings_key, result)
        gate.release(bytes_key(done.identity), stored=True)
        store_embeddings(done, detection_id)
        if result.paid_calls:
            catalog.add_paid_calls(getattr(detector, "registry_name", detector.name), result.paid_calls)
            report.paid_calls += result.paid_calls
        report.detected += 1
        image_id = catalog.record_image(
            ref,
            source_root=source.root,
            identity=done.identity,
            status="ok",
            error=None,
            detection_id=detection_id,
            width=result.width,
            height=result.height,
            detector=detector.name,
        )
        ready.append((ref, image_id, "ok", None, False))

    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fc-detect")
    try:
        for ref in listing:
            if cancel.cancelled:
                break
            if ref.problem is not None or not is_supported_name(ref.name):
                # Never read, never a silent skip: a per-image error with its reason.
                suffix = PurePosixPath(ref.name).suffix or "(no extension)"
                error = f"{ref.uri}: {ref.problem or error_text('image.unsupported_type', suffix=suffix)}"
                image_id = catalog.record_image(
                    ref,
                    source_root=source.root,
                    identity=None,
                    status="error",
                    error=error,
                    detection_id=None,
                    width=None,
                    height=None,
                    detector=detector.name,
                )
                emit(ref, image_id, "error", error, cached=False)
                continue
            cached_id = _cached_image_id(catalog, known.get(ref.uri), ref, detector, source.root)
            if cached_id is not None:
                emit(ref, cached_id, "ok", None, cached=True)
                job = _embedding_job(catalog, embedder, cached_id) if embed_pool is not None else None
                if job is not None and embed_pool is not None:
                    while len(in_flight) >= max_in_flight() and not cancel.cancelled:
                        drain(in_flight, record, timeout=POLL_INTERVAL)
                    if cancel.cancelled:
                        break
                    future = executor.submit(_embed_one, source, embed_pool, ref, *job)
                    in_flight[future] = ref
                continue
            while len(in_flight) >= max_in_flight() and not cancel.cancelled:
                drain(in_flight, record, timeout=POLL_INTERVAL)
            if cancel.cancelled:
                break
            future = executor.submit(_detect_one, source, pool, ref, gate, embed_pool)
            in_flight[future] = ref
            drain(in_flight, record, timeout=0)
        finish_in_flight(in_flight, record, lambda: cancel.cancelled)
        if whole_source and listing.exhausted and not cancel.cancelled:
            # Images deleted since the last scan stop showing (their decisions are kept).
            catalog.forget_missing(source.root, listing.uris)
    except BaseException:
        cancel.cancel()  # KeyboardInterrupt included: what was stored stays stored
        raise
    finally:
        gate.close()  # a worker waiting for another copy's result gives up
        for future in in_flight:
            future.cancel()
        running = [future for future in in_flight if not future.done()]
        executor.shutdown(wait=False, cancel_futures=True)
        pools = [pool] if embed_pool is None else [pool, embed_pool]
        if running:
            # Images still being detected after the grace period are abandoned (not
            # stored); their detectors are closed when they return, never under them.
            close_when_done(running, pools)
        else:
            for each in pools:
                each.close()
    report.cancelled = cancel.cancelled
    report.in_flight = sizer.peak if sizer else jobs
    report.elapsed = time.monotonic() - started
    return report


@dataclass(frozen=True, slots=True)
class ScanPlan:
    """What a scan would do: used to estimate a paid batch before it starts."""

    refs: list[ImageRef]
    total: int
    to_detect: int


def reusable_keys(detector: Detector) -> tuple[str, ...]:
    """The settings keys whose stored detections serve ``detector``, best first (the local
    detector without the photograph model reuses detections made with it)."""
    return tuple(getattr(detector, "reusable_keys", None) or (detector.settings_key,))


def find_reusable(catalog: Catalog, identity: str, detector: Detector) -> int | None:
    """The stored detection of ``identity`` that serves ``detector`` (:func:`reusable_keys`)."""
    return _first_reusable(detector, lambda key: catalog.find_detection(identity, detector.name, key))


def _first_reusable(detector: Detector, lookup: Callable[[str], int | None]) -> int | None:
    """``lookup``'s first answer over ``detector``'s reusable settings keys, best first."""
    for key in reusable_keys(detector):
        found = lookup(key)
        if found is not None:
            return found
    return None


def plan(source: Source, detector: Detector, catalog: Catalog) -> ScanPlan:
    """List ``source`` and count the images the detector would be called for.

    Only identities known without reading (OSS ETag, unchanged local files) can
    be checked, so the count is an upper bound for local folders with changed files.
    """
    refs = list(source.iter_images())
    known = {row.uri: row for row in catalog.images(source_root=source.root)}
    to_detect = 0
    for ref in refs:
        if ref.problem is not None or not is_supported_name(ref.name):
            continue
        row = known.get(ref.uri)
        identity = ref.quick_identity
        if identity is None and row is not None and row.size == ref.size and row.mtime_ns == ref.mtime_ns:
            identity = row.identity
        if identity is None or find_reusable(catalog, identity, detector) is None:
            to_detect += 1
    return ScanPlan(refs=refs, total=len(refs), to_detect=to_detect)


class _Listing:
    """Wraps a (possibly lazy) listing and counts what it yielded."""

    def __init__(self, refs: Iterator[ImageRef], *, keep_uris: bool) -> None:
        self._refs = refs
        self._keep_uris = keep_uris  # only to mark the images no longer listed
        self.count = 0
        self.exhausted = False
        self.uris: set[str] = set()

    def __iter__(self) -> Iterator[ImageRef]:
        for ref in self._refs:
            self.count += 1
            if self._keep_uris:
                self.uris.add(ref.uri)
            yield ref
        self.exhausted = True


class _RowLookup:
    """``known.get(uri)`` one query at a time (see :func:`scan`)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def get(self, uri: str) -> ImageRow | None:
        return self.catalog.image_by_uri(uri)


def list_source(
    source: Source, catalog: Catalog, on_first: Callable[[list[int]], None] | None = None
) -> tuple[list[ImageRef], list[int]]:
    """List the whole source before anything is detected: the images the catalog does not know
    yet are recorded as ``listed`` (a view shows them at once). Returns (the listing, the new
    ids); pass the listing to :func:`scan` with ``complete=True, prepared=True``.
    ``on_first``: called with the new ids of the first :data:`FIRST_LISTED` images, recorded
    in a transaction of their own, before the rest is listed (a screenful shows at once).

    Raises:
        CatalogDamagedError: the catalog is damaged (checked before anything is written).
    """
    catalog.prepare_bulk_change()
    images = source.iter_images()
    refs: list[ImageRef] = []
    new: list[int] = []
    if on_first is not None:
        refs = list(itertools.islice(images, FIRST_LISTED))
        new = catalog.record_listed(refs, source_root=source.root)
        on_first(new)
    rest = list(images)
    return refs + rest, new + catalog.record_listed(rest, source_root=source.root)


def _cached_image_id(
    catalog: Catalog, row: ImageRow | None, ref: ImageRef, detector: Detector, source_root: str
) -> int | None:
    """The image id when this image's detection is already cached, else None."""
    identity = ref.quick_identity
    if identity is None and row is not None and row.size == ref.size and row.mtime_ns == ref.mtime_ns:
        identity = row.identity
    if identity is None:
        return None
    detection_id = find_reusable(catalog, identity, detector)
    if detection_id is None:
        return None
    if (
        row is not None
        and row.identity == identity
        and row.detection_id == detection_id
        and row.status == "ok"
    ):
        return row.id  # unchanged: nothing to write
    detection = catalog.detection_size(detection_id)
    return catalog.record_image(
        ref,
        source_root=source_root,
        identity=identity,
        status="ok",
        error=None,
        detection_id=detection_id,
        width=detection[0],
        height=detection[1],
        detector=detector.name,
    )


def _embedding_job(
    catalog: Catalog, embedder: Embedder | None, image_id: int
) -> tuple[int, int, list[Face], int | None, int | None] | None:
    """(image id, detection id, faces, width, height) when a cached detection still needs embedding."""
    if embedder is None:
        return None
    row = catalog.image(image_id)
    if row.detection_id is None or catalog.has_embeddings(row.detection_id, embedder.key):
        return None
    faces = [f.face for f in catalog.faces(image_ids=[image_id])]
    if not faces:
        catalog.store_embeddings(row.detection_id, embedder.key, None, [])
        return None
    return image_id, row.detection_id, faces, row.width, row.height
