"""What a scan tells its caller: the cancel flag, progress, each image's outcome, the report.

A scan's :class:`ScanReport` keeps counts, and by default every failure and every image id
(one desktop scan: what it prints and reviews afterwards). A long scan (a machine's share of
a shared scan, :mod:`facecurator.services.shared_scan`, over millions of images) asks for a
*bounded* report instead (:meth:`ScanReport.bounded`): the counts, and only the most recent
failures — constant memory. Its caller hears of each failure as it happens (``on_image``,
``on_embed_error``) and the failures are kept in the catalog, so none is lost.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import MutableSequence
from dataclasses import dataclass, field

from facecurator.domain.protocols import ImageRef

#: Failures a bounded report keeps (the most recent ones).
RECENT_FAILURES = 100


class CancelToken:
    """Thread-safe cancellation flag shared by a front end and a running job."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True, slots=True)
class ScanProgress:
    done: int
    total: int | None  # None while the source is still being listed
    failed: int
    cached: int
    rate: float  # images per second so far
    eta: float | None  # seconds, when the total is known
    current: str


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    ref: ImageRef
    image_id: int
    status: str  # "ok" | "error"
    error: str | None
    cached: bool


@dataclass(slots=True)
class ScanReport:
    total: int = 0
    ok: int = 0
    failed: int = 0
    cached: int = 0
    detected: int = 0
    paid_calls: int = 0
    cancelled: bool = False
    #: why the batch stopped by itself (refused credentials), else None
    aborted: str | None = None
    #: (uri, reason) of the failed images: all of them, or the ``recent`` last ones
    errors: MutableSequence[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    #: the images scanned (in order); empty in a bounded report
    image_ids: list[int] = field(default_factory=list)
    #: images whose faces were embedded by this scan (identity checks)
    embedded: int = 0
    #: (uri, reason) of images whose embedding failed (the images themselves are ok): all,
    #: or the ``recent`` last ones
    embed_errors: MutableSequence[tuple[str, str]] = field(default_factory=list)
    #: how many embeddings failed (``len(embed_errors)`` unless bounded)
    embed_failed: int = 0
    #: the most images in flight at once (the worker count when fixed)
    in_flight: int = 0
    #: None: every failure and image id is kept; n: a bounded report (the n last failures)
    recent: int | None = None

    @classmethod
    def bounded(cls, recent: int = RECENT_FAILURES) -> ScanReport:
        """A report whose memory does not grow with the images scanned (see the module doc)."""
        return cls(errors=deque(maxlen=recent), embed_errors=deque(maxlen=recent), recent=recent)

    def add_image(self, image_id: int, failure: tuple[str, str] | None, cached: bool) -> None:
        self.total += 1
        if self.recent is None:
            self.image_ids.append(image_id)
        if failure is None:
            self.ok += 1
        else:
            self.failed += 1
            self.errors.append(failure)
        if cached:
            self.cached += 1

    def add_embed_error(self, uri: str, reason: str) -> None:
        self.embed_failed += 1
        self.embed_errors.append((uri, reason))

    def add(self, part: ScanReport) -> None:
        """Add another report's counts and failures (one round of a shared scan) to this one."""
        for name in ("total", "ok", "failed", "cached", "detected", "paid_calls", "embedded", "embed_failed"):
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.errors.extend(part.errors)
        self.embed_errors.extend(part.embed_errors)
        if self.recent is None:
            self.image_ids.extend(part.image_ids)
        self.cancelled = self.cancelled or part.cancelled
        self.aborted = self.aborted or part.aborted
        self.in_flight = max(self.in_flight, part.in_flight)
