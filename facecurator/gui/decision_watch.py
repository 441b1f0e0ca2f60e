"""Decisions of the other operators on a shared (PostgreSQL) catalog, shown as they happen.

A thread of its own follows the catalog's :class:`~facecurator.services.catalog.feed.DecisionFeed`
(LISTEN/NOTIFY) and hands the face ids to the store on the GUI thread, which re-reads
only those faces (``CurationStore.reload_decisions``). A SQLite catalog has no watcher:
its window is the one desktop's, as before.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from facecurator.services.catalog.dialect import POSTGRESQL

if TYPE_CHECKING:
    from facecurator.gui.store import CurationStore
    from facecurator.services.catalog.feed import DecisionFeed

log = logging.getLogger(__name__)


class DecisionWatcher(QObject):
    """Emits ``decided(face ids)`` on the GUI thread for each decision made by another process."""

    decided = Signal(list)

    def __init__(self, store: CurationStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._location = store.catalog.location
        self._stopping = threading.Event()
        self._feed: DecisionFeed | None = None
        self._thread: threading.Thread | None = None
        self.decided.connect(store.reload_decisions)
        if store.catalog.dialect == POSTGRESQL:
            self._thread = threading.Thread(target=self._run, name="decision-watch", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        from facecurator.services.catalog.feed import DecisionFeed

        try:
            feed = DecisionFeed(self._location, others_only=True)
        except Exception as exc:  # noqa: BLE001 - the window works on without it
            log.warning("decisions of other operators will not show until reopened: %s", exc)
            return
        self._feed = feed
        try:
            while not self._stopping.is_set():
                entries = feed.wait(timeout=1.0)
                if entries and not self._stopping.is_set():
                    self.decided.emit(sorted({entry.face_id for entry in entries}))
        except Exception as exc:  # noqa: BLE001 - e.g. the server went away
            log.warning("stopped following other operators' decisions: %s", exc)
        finally:
            feed.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop following (the window closes); waits for the thread up to ``timeout`` s."""
        self._stopping.set()
        if self._feed is not None:
            self._feed.stop()
        if self._thread is not None:
            self._thread.join(timeout)
