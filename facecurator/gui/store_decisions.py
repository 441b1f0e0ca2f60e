"""The store's decisions: recorded on the GUI thread (committed before they return),
undone by this window's own steps, and the decided faces' rows dropped from the
cache and announced.

A part of :class:`~facecurator.gui.store.CurationStore` (split from store.py); the
reading half it relies on is :class:`~facecurator.gui.store_rows.StoreRows`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer, SignalInstance

from facecurator.errors import CatalogError
from facecurator.gui.store_jobs import _Chunk
from facecurator.gui.store_rows import StoreRows
from facecurator.services.catalog import queries as q
from facecurator.services.review import (
    BulkDecision,
    accept_qualified,
    bulk_targets,
    reject_unqualified,
    undo_step,
)

log = logging.getLogger(__name__)

#: At most this long (ms) between two re-reads of other operators' decisions while they fail.
RELOAD_RETRY_MAX_MS = 10_000


class StoreDecisions(StoreRows):
    """Decisions on the store's faces (see the module docstring)."""

    facesChanged: SignalInstance
    imagesChanged: SignalInstance
    _undo_steps: list[tuple[int, ...]]
    _touched_images: set[int]
    #: the open / rule change being computed (store.py's ``_Request``), None when idle
    _pending: object | None
    #: faces decided by another operator whose re-read failed (asked again: reload_decisions)
    _decided_elsewhere: frozenset[int] = frozenset()
    _reload_failures = 0
    _reload_waiting = False

    def decide(
        self, face_ids: Sequence[int], state: str, *, reason: str | None = None, include_held: bool = False
    ) -> int:
        """Record a decision (committed before this returns) and refresh those faces.

        Raises:
            FaceHeldError: another operator holds one of them (``include_held``: decide anyway).
        """
        ids = self._face_set.known(face_ids)
        if not ids:
            return 0
        batch = self.catalog.decide(ids, state, reason=reason, include_held=include_held)  # type: ignore[arg-type]
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
        return self._bulk(accept_qualified, face_ids, qualified=True, on_chunk=on_chunk)

    def reject_unqualified(self, face_ids: Sequence[int] | None = None, on_chunk: _Chunk = None) -> int:
        """Reject the pending unqualified faces among ``face_ids``, recording each one's reasons."""
        return self._bulk(reject_unqualified, face_ids, qualified=False, on_chunk=on_chunk)

    def _bulk(
        self,
        run: Callable[..., BulkDecision],
        face_ids: Sequence[int] | None,
        *,
        qualified: bool,
        on_chunk: _Chunk,
    ) -> int:
        """One bulk decision (``run``: the services' accept_qualified / reject_unqualified)."""
        targets = bulk_targets(self.faces(face_ids), qualified=qualified)
        if not targets:
            return 0
        step: list[int] = []
        try:
            done = run(
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
        """Show decisions made elsewhere (another operator on a shared catalog): re-read those faces.

        A read that fails (the server restarted: the first statement on the window's dropped
        connection fails, the next one opens it again) is asked again after a pause, the faces
        kept -- it raised into Qt and the faces kept their old decision (review19)."""
        self._decided_elsewhere = self._decided_elsewhere.union(face_ids)
        ids = sorted(self._decided_elsewhere)
        try:
            self._reload_faces(ids)  # only the faces of the open source (see _reload_faces)
        except CatalogError as exc:
            if self._reload_failures == 0:
                log.warning("other operators' decisions shown once the catalog answers: %s", exc)
            self._reload_failures += 1
            if not self._reload_waiting:  # one retry in flight, whatever else comes meanwhile
                self._reload_waiting = True
                delay = min(RELOAD_RETRY_MAX_MS, 250 * 2 ** min(self._reload_failures, 8))
                QTimer.singleShot(delay, self, self._reload_again)  # type: ignore[call-overload]
            return
        self._decided_elsewhere = frozenset()
        self._reload_failures = 0

    def _reload_again(self) -> None:
        self._reload_waiting = False
        if self.closed:  # (the window closed meanwhile: nothing to show them in)
            self._decided_elsewhere = frozenset()
            return
        self.reload_decisions(())

    def _reload_faces(self, face_ids: Sequence[int]) -> None:
        """Drop the rows of ``face_ids`` from the cache (re-read when shown) and announce them."""
        ids = self._face_set.known(list(dict.fromkeys(face_ids)))
        if not ids:
            return
        image_ids = list(dict.fromkeys(q.image_of_faces(self.catalog, ids).values()))
        if self._pending is not None:
            self._touched_images.update(image_ids)
        self._forget_rows(image_ids)
        self.facesChanged.emit(ids)
        self.imagesChanged.emit(image_ids)
