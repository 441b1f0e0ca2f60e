"""A scan spread over many machines through a server catalog (issue 17, items 3 and 4).

``facecurator scan SOURCE --catalog postgresql://…`` started on several machines: each
lists the source into the job's queue (``services/catalog/claims.py``; images already
queued are kept), claims a few images at a time (``FOR UPDATE SKIP LOCKED`` with a
lease its heartbeat renews), and runs the ordinary :func:`facecurator.services.jobs.scan`
over what it claimed. An image is marked done once its outcome is committed; a worker
that dies (killed, unplugged) stops renewing, its leases run out and the others claim
its images again. An image stored before the worker died is cached (same identity,
detector and settings): claimed again, it is never detected nor paid again.

Cloud calls of every worker book their slots in the catalog's rate budget
(:class:`~facecurator.services.catalog.claims.SharedBudget`, installed into
:mod:`facecurator.cloud.ratelimit` for the scan), so the workers of one account share
its QPS cap instead of each taking all of it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Final

from facecurator.cloud import ratelimit
from facecurator.domain.identity import Embedder
from facecurator.domain.protocols import Detector, ImageRef, Source
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.claims import LEASE_S, Counters, SharedBudget, WorkQueue
from facecurator.services.jobs import CancelToken, ImageOutcome, ScanProgress, ScanReport, scan
from facecurator.services.scan_report import RECENT_FAILURES

log = logging.getLogger("facecurator.shared_scan")

#: Images claimed at a time: enough to keep the workers busy, few enough that a dead
#: worker holds little and the images are spread evenly.
CLAIM_SIZE: Final = 16
#: Finished images are marked done in groups of this many (and whenever a claim is made).
MARK_EVERY: Final = 16
#: Longest wait between looks at the queue while other workers hold its last images.
MAX_IDLE_WAIT: Final = 1.0


def job_key(source: Source, detector: Detector) -> str:
    """What a job is: one source scanned by one detector with one setting."""
    return f"{source.root} | {detector.name} | {detector.settings_key}"


def scan_shared(
    source: Source,
    detector: Detector,
    catalog: Catalog,
    *,
    jobs: int | None = None,
    progress: Callable[[ScanProgress], None] | None = None,
    on_image: Callable[[ImageOutcome], None] | None = None,
    cancel: CancelToken | None = None,
    embedder: Embedder | None = None,
    lease_s: float = LEASE_S,
    claim_size: int = CLAIM_SIZE,
    on_embed_error: Callable[[str, str], None] | None = None,
    recent_errors: int = RECENT_FAILURES,
) -> ScanReport:
    """Do this machine's share of scanning ``source`` into a server catalog (see the module doc).

    Returns this worker's report (``total``: the images it handled), bounded: its counts and
    the ``recent_errors`` last failures, whatever the number of images (each failure is
    told to ``on_image`` / ``on_embed_error`` as it happens, and kept in the work queue:
    :func:`~facecurator.services.catalog.claims.failures`). Raises like
    :func:`~facecurator.services.jobs.scan`.
    """
    cancel = cancel or CancelToken()
    queue = WorkQueue(catalog, job_key(source, detector), lease_s=lease_s)
    queue.start_pass()
    queue.register()
    counters = Counters()
    heartbeat = queue.heartbeat(counters)
    budget = SharedBudget(catalog.location)
    previous = ratelimit.share_slots(budget.book)
    claims = _Claims(queue, source, cancel, claim_size)
    started = time.monotonic()

    def outcome(result: ImageOutcome) -> None:
        claims.finished(result.ref.uri, result.error)
        counters.done += 1
        counters.rate = counters.done / max(time.monotonic() - started, 1e-6)
        if on_image is not None:
            on_image(result)

    def embed_failed(uri: str, reason: str) -> None:
        queue.note_failure(uri, f"no face embedding: {reason}")  # rare: one statement each
        if on_embed_error is not None:
            on_embed_error(uri, reason)

    try:
        report = ScanReport.bounded(recent_errors)  # counts and the last failures: constant memory
        while True:
            # A round scans what can be claimed now; it ends with everything it claimed stored.
            done = scan(
                source, detector, catalog, jobs=jobs, progress=progress, on_image=outcome, cancel=cancel,
                refs=claims.round(), embedder=embedder, recent_errors=recent_errors,
                on_embed_error=embed_failed,
            )  # fmt: skip
            claims.flush()
            report.add(done)
            if report.cancelled or report.aborted or not claims.wait_for_claimable():
                break
        report.elapsed = time.monotonic() - started
        counters.state = "cancelled" if report.cancelled else "done"
        if claims.listed_all and not report.cancelled and queue.progress().left == 0:
            queue.mark_missing(source.root)  # in the database: the listing is never held
        return report
    except BaseException:
        counters.state = "failed"
        raise
    finally:
        ratelimit.share_slots(previous)
        budget.close()
        heartbeat.stop()
        if heartbeat.error is not None:
            log.warning("the scan worker's heartbeat stopped: %s", heartbeat.error)


class _Claims:
    """The images this worker scans, as :func:`scan` iterates them: the source is listed
    into the queue a chunk at a time, and images are claimed as they are needed."""

    def __init__(self, queue: WorkQueue, source: Source, cancel: CancelToken, claim_size: int) -> None:
        self.queue = queue
        self.cancel = cancel
        self.claim_size = claim_size
        self.listed_all = False
        self._listing = source.iter_images()
        self._done: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()

    def finished(self, uri: str, error: str | None) -> None:
        with self._lock:
            self._done.append((uri, error))
            due = len(self._done) >= MARK_EVERY
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            done, self._done = self._done, []
        self.queue.finished(done)

    def _list_more(self) -> None:
        chunk = list(itertools.islice(self._listing, 1000))
        if not chunk:
            self.listed_all = True
            return
        self.queue.enqueue(chunk)

    def round(self) -> Iterator[ImageRef]:
        """Images claimed as :func:`scan` asks for them, until none can be claimed now."""
        while not self.cancel.cancelled:
            if not self.listed_all:
                self._list_more()
            self.flush()
            refs = self.queue.claim(self.claim_size)
            if refs:
                yield from refs
            elif self.listed_all:
                return

    def wait_for_claimable(self) -> bool:
        """After a round: wait while other workers hold the last images, until one of them
        can be claimed (they died: its lease ran out) -> True, or none is left -> False."""
        while not self.cancel.cancelled:
            waiting, first = self.queue.waiting_on_others()
            if waiting == 0:
                return False
            if first is not None and first <= 0:
                return True
            deadline = time.monotonic() + min(MAX_IDLE_WAIT, max(0.05, first or 0.0))
            while time.monotonic() < deadline and not self.cancel.cancelled:
                time.sleep(0.05)
        return False
