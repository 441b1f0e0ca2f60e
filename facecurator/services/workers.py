"""Worker plumbing of a scan: one detector clone per thread, storing finished work in
groups, and a bounded wait after a cancel (Ctrl-C must stop a scan within a second,
even when a detection hangs: work still running after :data:`CANCEL_GRACE` is
abandoned, its detector closed only once it returns)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, TypeVar

log = logging.getLogger("facecurator.jobs")

T = TypeVar("T")

#: After a cancel (Ctrl-C, the GUI's Cancel), images already being detected get this
#: long to finish and be stored; the scan then returns (the rest is not stored).
CANCEL_GRACE = 0.5
#: How often a waiting scan looks at its cancel token (seconds).
POLL_INTERVAL = 0.05


class DetectorPool:
    """One detector (or embedder) clone per worker thread, all closed at the end."""

    def __init__(self, prototype: Any) -> None:
        self._prototype = prototype
        self._local = threading.local()
        self._lock = threading.Lock()
        self._instances: list[Any] = []

    def get(self) -> Any:
        detector = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._prototype.clone()
            self._local.detector = detector
            with self._lock:
                self._instances.append(detector)
        return detector

    def close(self) -> None:
        with self._lock:
            for detector in self._instances:
                try:
                    detector.close()
                except Exception:
                    log.exception("closing detector failed")
            self._instances.clear()


def drain(
    in_flight: dict[Future[T], Any],
    record: Callable[[list[T]], None],
    *,
    timeout: float,
) -> None:
    """Store the work finished within ``timeout`` seconds (0: only what is finished now),
    as one group."""
    if not in_flight:
        return
    done, _ = wait(list(in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
    # Deterministic order among simultaneously finished work keeps catalogs reproducible.
    finished = []
    for future in sorted(done, key=lambda f: in_flight[f].uri):
        in_flight.pop(future)
        if not future.cancelled():
            finished.append(future.result())
    record(finished)


def finish_in_flight(
    in_flight: dict[Future[T], Any],
    record: Callable[[list[T]], None],
    cancelled: Callable[[], bool],
) -> None:
    """Wait for the work in flight; after a cancel, only :data:`CANCEL_GRACE` seconds
    (work not started is dropped, what finishes in time is stored)."""
    deadline: float | None = None
    while in_flight:
        if cancelled() and deadline is None:
            for future in in_flight:
                future.cancel()
            deadline = time.monotonic() + CANCEL_GRACE
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            drain(in_flight, record, timeout=min(POLL_INTERVAL, remaining))
        else:
            drain(in_flight, record, timeout=POLL_INTERVAL)


def close_when_done(running: list[Future[T]], pools: list[DetectorPool]) -> None:
    remaining = [len(running)]
    lock = threading.Lock()

    def one_done(_: Future[T]) -> None:
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            for pool in pools:
                pool.close()

    for future in running:
        future.add_done_callback(one_done)
