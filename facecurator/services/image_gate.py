"""Which image contents a scan has detected, or is detecting, right now.

The identity of a local file (size + mtime + SHA-256) is only known once a
worker has read and hashed it, after the scan thread checked its cache by path.
A copy of an image (a moved file, ``cp -p``, a second path to the same bytes)
must still not be detected, possibly paid, a second time: the contract keeps
one result per (identity, detector, settings). The gate is keyed by
:func:`~facecurator.domain.protocols.bytes_key` (the identity without its mtime),
so a plain ``cp`` (same bytes, new mtime) is stored again without a call.
"""

from __future__ import annotations

import threading
from typing import Final

#: What :meth:`ImageGate.claim` answers.
DETECT: Final = "detect"
KNOWN: Final = "known"
CLOSED: Final = "closed"


class ImageGate:
    """Shared by a scan's workers, seeded with the identities the catalog has detected.

    A worker :meth:`claim` s an identity before detecting it; the scan thread
    :meth:`release` s it once the result is stored (or failed), which wakes a worker
    holding another copy of the same bytes.
    """

    def __init__(self, known: set[str]) -> None:
        self._known = known
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}
        self._closed = False

    def claim(self, identity: str) -> str:
        """:data:`DETECT` (the caller detects, the scan releases), :data:`KNOWN` (stored
        already) or :data:`CLOSED` (the scan ended while waiting for another copy)."""
        while True:
            with self._lock:
                if self._closed:
                    return CLOSED
                if identity in self._known:
                    return KNOWN
                event = self._running.get(identity)
                if event is None:
                    self._running[identity] = threading.Event()
                    return DETECT
            event.wait()

    def release(self, identity: str, *, stored: bool) -> None:
        with self._lock:
            if stored:
                self._known.add(identity)
            event = self._running.pop(identity, None)
        if event is not None:
            event.set()

    def close(self) -> None:
        """The scan ended: a worker waiting for another copy's result gives up."""
        with self._lock:
            self._closed = True
            events = list(self._running.values())
            self._running.clear()
        for event in events:
            event.set()
