"""Decisions of the other operators on a shared (PostgreSQL) catalog, shown as they happen,
and the machines scanning into it.

A thread of its own follows the catalog's :class:`~facecurator.services.catalog.feed.DecisionFeed`
(LISTEN/NOTIFY) and hands the face ids to the store on the GUI thread, which re-reads
only those faces (``CurationStore.reload_decisions``). Every few seconds it also reads
the shared scans' state (``claims.team_summary``) for :class:`TeamStatusLabel` in the
status bar. A SQLite catalog has no watcher: its window is the one desktop's, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from facecurator.errors import CatalogError
from facecurator.gui.i18n import counted
from facecurator.services.catalog.dialect import POSTGRESQL

if TYPE_CHECKING:
    from facecurator.gui.store import CurationStore
    from facecurator.services.catalog.claims import WorkerInfo
    from facecurator.services.catalog.feed import DecisionFeed

log = logging.getLogger(__name__)

# Seconds between two looks at the shared scans (machines, rate, images left).
TEAM_STATUS_EVERY = 5.0
# At most this many seconds between two looks while the catalog's server is gone.
RETRY_MAX = 5.0


class TeamStatusLabel(QLabel):
    """Shows "3 machines scanning · 24.0 images/s · 1200 images left" while a shared scan runs;
    its tooltip names each machine with its own rate and count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamStatus")
        self.summary: tuple[int, float, int] | None = None
        self.machines: tuple[WorkerInfo, ...] = ()
        self.hide()

    def show_summary(self, summary: object) -> None:
        """Show a :class:`~facecurator.services.catalog.claims.TeamSummary` (None: hide)."""
        counts = getattr(summary, "counts", None)
        self.summary = counts if isinstance(counts, tuple) else None
        self.machines = tuple(getattr(summary, "working", ())) if self.summary else ()
        self._render()

    def _render(self) -> None:
        if self.summary is None or (self.summary[0] == 0 and self.summary[2] == 0):
            self.hide()
            return
        working, rate, left = self.summary
        text = QCoreApplication.translate(
            "TeamStatus", "%n machine(s) scanning · {rate} images/s · {left} images left", "", working
        )
        self.setText(counted(text, working).format(rate=f"{rate:.1f}", left=left))
        self.setToolTip(
            "\n".join(
                QCoreApplication.translate(
                    "TeamStatus", "{host} (process {pid}): {rate} images/s, {done} images done"
                ).format(host=w.host, pid=w.pid, rate=f"{w.rate:.1f}", done=w.done)
                for w in self.machines
            )
        )
        self.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)


class DecisionWatcher(QObject):
    """Emits ``decided(face ids)`` on the GUI thread for each decision made by another process."""

    decided = Signal(list)
    teamStatus = Signal(object)  # a TeamSummary, or None

    def __init__(self, store: CurationStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.team_label = TeamStatusLabel(parent)
        self.teamStatus.connect(self.team_label.show_summary)
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
        from facecurator.services.catalog.claims import team_summary

        self._feed = feed
        looked = 0.0
        failing = 0  # looks failed in a row: the server gone or restarting
        try:
            while not self._stopping.is_set():
                try:
                    entries = feed.wait(timeout=1.0)
                    if entries and not self._stopping.is_set():
                        self.decided.emit(sorted({entry.face_id for entry in entries}))
                    if time.monotonic() - looked >= TEAM_STATUS_EVERY and not self._stopping.is_set():
                        looked = time.monotonic()
                        self.teamStatus.emit(team_summary(feed.catalog))
                except CatalogError as exc:  # looked at again: the feed reconnects (review19)
                    if not failing:
                        log.warning("other operators' decisions show again once the catalog is back: %s", exc)
                    failing += 1
                    self._stopping.wait(min(RETRY_MAX, 0.5 * 2 ** min(failing, 8)))
                    continue
                if failing:
                    log.info("following other operators' decisions again")
                    failing = 0
        except Exception as exc:  # noqa: BLE001 - not the catalog's: nothing to wait for
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
