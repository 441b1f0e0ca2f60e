"""Triage's "My faces": this operator's share of the pending faces (issue 17).

Shown, it takes a batch of pending faces nobody holds (:func:`facecurator.services.catalog.assign.take`,
on the store's query worker), renews their lease every third of it while the window is
open, and gives them back when the window closes (:meth:`MyFaces.release`); a window that
dies stops renewing, and its faces go to the next operator who asks once the lease has run
out. "Take more" takes another batch, and so does the page by itself (:attr:`MyFaces.refilled`)
once the operator has decided most of them: fewer than :data:`REFILL_BELOW` pending left.
Faces assigned with ``facecurator assign`` are shown too. On a SQLite catalog the one operator
takes them alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from facecurator.errors import CatalogError
from facecurator.gui.store import CurationStore
from facecurator.services.catalog import assign

log = logging.getLogger(__name__)

#: The Triage filter name of "My faces" (beside the catalog's FACE_FILTERS).
MINE = "mine"
#: "My faces" takes another batch by itself when fewer of its faces than this are pending.
REFILL_BELOW = 20


class MyFaces(QObject):
    """The faces this operator holds, taken and renewed through the store's catalog."""

    taken = Signal(int)  # how many faces a take got (0: none was free)
    refilled = Signal(int)  # a take started by itself (few pending left): how many it got

    def __init__(
        self,
        store: CurationStore,
        parent: QObject | None = None,
        *,
        lease_s: float = assign.LEASE_S,
        batch: int = assign.TAKE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self.operator = assign.me()
        self.lease_s = lease_s
        self.batch = batch
        self.taking = False
        self._renewal = QTimer(self)
        self._renewal.setInterval(max(1000, int(lease_s * 1000 / 3)))
        self._renewal.timeout.connect(self._renew)
        #: whether "My faces" is shown (the Triage page sets it): only then it refills itself
        self.active = False
        self.refill_below = REFILL_BELOW
        store.facesChanged.connect(self._after_decisions)

    def held(self) -> list[int]:
        """The faces held now (of the open source), in catalog order (one query)."""
        if self._store.closed:
            return []
        return assign.held_ids(self._store.catalog, self.operator, source_root=self._store.source_root)

    def take_more(self, then: Callable[[int], None] | None = None) -> None:
        """Take another batch of pending faces nobody holds (off the GUI thread); ``taken`` tells."""
        if self.taking or self._store.closed:
            return
        self.taking = True
        operator, lease_s, batch, root = self.operator, self.lease_s, self.batch, self._store.source_root

        def done(ids: object) -> None:
            self.taking = False
            count = len(ids) if isinstance(ids, list) else 0
            self._renewal.start()
            self.taken.emit(count)
            if then is not None:
                then(count)

        self._store.query(
            lambda catalog: assign.take(catalog, operator, batch, lease_s=lease_s, source_root=root), done
        )

    def pending_held(self) -> int:
        """How many of the faces held now are still pending (as the store knows them)."""
        store = self._store
        return sum(1 for i in self.held() if store.has_face(i) and store.face(i).decision == "pending")

    def _after_decisions(self, _face_ids: object) -> None:
        """Decisions were made: with "My faces" shown and fewer than ``refill_below`` of them
        pending, take the next batch (``refilled`` says how many came)."""
        if not self.active or self.taking or self._store.closed:
            return
        if self.pending_held() < self.refill_below:
            self.take_more(then=self.refilled.emit)

    def _renew(self) -> None:
        operator, lease_s = self.operator, self.lease_s
        self._store.query(lambda catalog: assign.renew(catalog, operator, lease_s=lease_s), lambda _n: None)

    def release(self) -> None:
        """Give back the faces taken (the window closes); assigned ones stay."""
        self._renewal.stop()
        if self._store.closed:
            return
        try:
            assign.release(self._store.catalog, self.operator)
        except CatalogError as exc:  # the lease runs out by itself
            log.warning("could not give the taken faces back: %s", exc)
