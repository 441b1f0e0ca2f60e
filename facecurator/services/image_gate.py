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
from collections import OrderedDict
from typing import Any, Final, Protocol

#: What :meth:`ImageGate.claim` answers.
DETECT: Final = "detect"
KNOWN: Final = "known"
CLOSED: Final = "closed"


#: Identities a :class:`CatalogKnown` keeps of what its scan stored lately.
RECENT_STORED: Final = 10_000


class Known(Protocol):
    """The identities (bytes keys) a scan need not detect: a set, or a catalog lookup."""

    def __contains__(self, key: object, /) -> bool: ...

    def add(self, key: str, /) -> None: ...


class CatalogKnown:
    """The known identities of a long shared scan, looked up in a server catalog one at a time
    (its own connection, behind a lock: the workers ask from their threads) instead of a set
    of every identity the catalog holds, which would grow with it. What this scan stored
    lately is kept too (its transaction may not be committed when a worker asks)."""

    def __init__(self, location: str, detector: str, settings_keys: tuple[str, ...]) -> None:
        """``settings_keys``: a detection stored under any of them counts (jobs.reusable_keys)."""
        from facecurator.services.catalog import postgres

        _, self._db = postgres.connect(location, timeout=30)
        self._lock = threading.Lock()
        self._detector = detector
        self._keys = tuple(settings_keys)
        self._recent: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        from facecurator.domain.protocols import bytes_key_pattern

        key = str(key)
        with self._lock:
            if key in self._recent:
                return True
            size, _, digest = key.partition(":")
            # a local file's bytes key is size:digest (any mtime); any other identity is itself
            pattern = bytes_key_pattern(f"{size}:0:{digest}") if size.isdigit() and digest else None
            same = "identity = ?" if pattern is None else "(identity = ? OR identity GLOB ?)"
            keys = ", ".join("?" * len(self._keys))
            where = (self._detector, *self._keys)
            row: Any = self._db.execute(
                f"SELECT 1 FROM detections WHERE detector = ? AND settings_key IN ({keys})"
                f" AND {same} LIMIT 1",
                (*where, key) if pattern is None else (*where, key, pattern),
            ).fetchone()
            return row is not None

    def add(self, key: str) -> None:
        with self._lock:
            self._recent[key] = None
            if len(self._recent) > RECENT_STORED:
                self._recent.popitem(last=False)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class ImageGate:
    """Shared by a scan's workers, seeded with the identities the catalog has detected.

    A worker :meth:`claim` s an identity before detecting it; the scan thread
    :meth:`release` s it once the result is stored (or failed), which wakes a worker
    holding another copy of the same bytes.
    """

    def __init__(self, known: Known) -> None:
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
        close = getattr(self._known, "close", None)
        if close is not None:
            close()
