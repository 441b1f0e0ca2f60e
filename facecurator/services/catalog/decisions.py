"""Decisions, their undo and the audit trail: the decision batches of :mod:`.batches`,
each written in one catalog transaction.

A part of :class:`~facecurator.services.catalog.database.Catalog` (same
connection, same transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facecurator.errors import CatalogError, FaceHeldError
from facecurator.services.catalog import batches
from facecurator.services.catalog.access import CatalogAccess
from facecurator.services.catalog.assign import Hold, held_by_others
from facecurator.services.catalog.dialect import POSTGRESQL
from facecurator.services.catalog.messages import catalog_text
from facecurator.services.catalog.rows import AuditRow, _os_user
from facecurator.services.catalog.schema import DECISION_STATES, DecisionState


def _check_state(state: str) -> None:
    if state not in DECISION_STATES:
        raise CatalogError(f"unknown decision {state!r} (expected one of {', '.join(DECISION_STATES)})")


class DecisionStore(CatalogAccess):
    """Catalog methods for decisions, undo and the audit trail."""

    def decide(
        self,
        face_ids: Sequence[int],
        state: DecisionState,
        *,
        reason: str | None = None,
        who: str | None = None,
        include_held: bool = False,
    ) -> int:
        """Set the decision of faces, in one transaction, audited under one new (complete) batch.

        Faces already in ``state`` are left as they are (not re-audited). A face another
        operator holds is refused (FaceHeldError) unless ``include_held`` (the rule:
        :mod:`.assign`).

        Returns:
            the new batch id, or 0 when no face changed (no batch is recorded,
            so :meth:`undo` never lands on an empty batch).

        Raises:
            CatalogError: unknown state or face ids (nothing is changed then).
            FaceHeldError: a face is held by another operator (nothing is changed).
        """
        return self._record(
            face_ids, state, reason, who, batch_id=None, chunk=False, include_held=include_held
        ).batch_id

    def decide_chunk(
        self,
        face_ids: Sequence[int],
        state: DecisionState,
        *,
        reason: str | None = None,
        who: str | None = None,
        batch_id: int | None = None,
        include_held: bool = False,
    ) -> batches.Written:
        """One chunk of a bulk decision: the faces still pending get ``state``, in its open batch.

        The first chunk (``batch_id`` None) opens the batch; :meth:`finish_batch` closes
        it. Faces no longer pending (someone decided them first) are reported as skipped,
        and so are faces another operator holds, unless ``include_held``.

        Raises:
            BatchUndoneError: the batch was undone meanwhile (nothing is written).
        """
        return self._record(
            face_ids, state, reason, who, batch_id=batch_id, chunk=True, include_held=include_held
        )

    def _record(
        self,
        face_ids: Sequence[int],
        state: DecisionState,
        reason: str | None,
        who: str | None,
        *,
        batch_id: int | None,
        chunk: bool,
        include_held: bool,
    ) -> batches.Written:
        """:meth:`decide` (a new complete batch) or :meth:`decide_chunk` (``chunk``: the faces
        still pending, in the open batch ``batch_id``), in one write transaction; faces another
        operator holds refused (``decide``) or skipped (``chunk``) unless ``include_held``."""
        _check_state(state)
        who = who or _os_user()
        held: list[int] = []
        with self._write(f"record {state} decisions") as db:
            if not include_held:
                holds = held_by_others(db, face_ids, who)
                if holds and not chunk:
                    raise self._held_error(holds)
                held = [hold.face_id for hold in holds]
            taken = set(held)
            free = [face_id for face_id in face_ids if face_id not in taken] if held else face_ids
            written = batches.decide(
                db, self.path, free, state, reason=reason, who=who, batch_id=batch_id,
                keep_open=chunk, only_pending=chunk,
            )  # fmt: skip
            self._announce(db, written.batch_id, written.changed)
        if held:
            return batches.Written(written.batch_id, written.changed, written.skipped + tuple(held))
        return written

    def _held_error(self, holds: Sequence[Hold]) -> FaceHeldError:
        shown = ", ".join(str(hold.face_id) for hold in holds[:10]) + (" ..." if len(holds) > 10 else "")
        holders = ", ".join(sorted({hold.operator for hold in holds}))
        return FaceHeldError(
            catalog_text("decide.held", path=self.path, ids=shown, holders=holders),
            holds=tuple((hold.face_id, hold.operator, hold.until) for hold in holds),
        )

    def decide_by_verdict(
        self,
        *,
        ruleset: int,
        qualified: bool,
        after: int,
        limit: int,
        state: DecisionState,
        reason: str | None,
        who: str | None = None,
        batch_id: int | None = None,
        source_root: str | None = None,
        me: str | None = None,
        upto: int | None = None,
    ) -> tuple[int, int, int]:
        """One chunk of a bulk decision by stored verdict (:func:`.bulk.decide_stored`): the
        next ``limit`` pending faces after face id ``after`` (``upto``: every one up to that
        face id) whose verdict of ``ruleset`` is
        (not) ``qualified`` get ``state``, in the open batch ``batch_id`` (None: opened by the
        first chunk with a face to decide), in one write transaction; with ``reason`` None,
        each face's own reasons as stored with its verdict (faces whose verdict has none yet
        are left out). ``me``: faces another
        operator holds are left out. Returns (batch id, 0 while none is open; faces decided;
        the last face id decided, ``after`` when none).

        Raises:
            BatchUndoneError: the batch was undone meanwhile (nothing is written).
        """
        from facecurator.services.catalog.bulk import decide_stored

        _check_state(state)
        with self._write(f"record {state} decisions") as db:
            batch, changed, last = decide_stored(
                db, self.path, ruleset=ruleset, qualified=qualified, after=after, limit=limit, state=state,
                reason=reason, who=who or _os_user(), batch_id=batch_id, source_root=source_root, me=me,
                upto=upto,
            )  # fmt: skip
            if changed:
                self._announce(db, batch, [batch])
        return batch, changed, last

    def decide_each(
        self,
        decisions: Sequence[tuple[int, str | None]],
        state: DecisionState,
        *,
        who: str | None = None,
        batch_id: int | None = None,
        me: str | None = None,
    ) -> tuple[int, int]:
        """One chunk of a bulk decision whose faces each have their own reason
        (:func:`.bulk.decide_each`): the faces of ``(face id, reason)`` still pending get
        ``state``, in the open batch ``batch_id`` (None: opened when a face is to decide), in
        one write transaction. ``me``: faces another operator holds are left out. Returns
        (batch id, 0 while none is open; faces decided).

        Raises:
            BatchUndoneError: the batch was undone meanwhile (nothing is written).
        """
        from facecurator.services.catalog.bulk import decide_each

        _check_state(state)
        with self._write(f"record {state} decisions") as db:
            batch, changed = decide_each(
                db, self.path, decisions, state=state, who=who or _os_user(), batch_id=batch_id, me=me
            )
            if changed:
                self._announce(db, batch, [batch])
        return batch, changed

    def finish_batch(self, batch_id: int) -> None:
        """Mark a bulk decision's batch complete (from now on it can be undone)."""
        with self._write("complete the decision batch") as db:
            batches.finish(db, batch_id)

    def batch_writer(self, batch_id: int) -> tuple[str, bool]:
        """(state, whether its writer still runs) of a decision batch."""
        with self._reading("decision batch") as db:
            return batches.open_batch_writer(db, batch_id)

    def undo_last(self, *, who: str | None = None, batch_id: int | None = None) -> batches.Undone | None:
        """Undo the most recent decision batch not undone yet (or exactly ``batch_id``).

        Each face gets back its previous state, reason, who and when; the undo
        itself is appended to the audit trail (action ``"undo"``). Calling again
        walks further back. The batch may have been made by another process; one
        whose writer was killed is undone whole (``interrupted``). With ``batch_id``
        (the ids :func:`facecurator.services.review.decide_in_chunks` returns), exactly
        that batch is undone, whatever was decided after it.

        Returns:
            what was undone; None when there is nothing left to undo (``batch_id``:
            not a decision batch, or undone already).

        Raises:
            BatchBusyError: that batch is still being written by a running process
                (nothing is undone).
        """
        with self._write("undo the last decisions") as db:
            undone = batches.undo_last(db, self.path, who or _os_user(), batch_id=batch_id)
            if undone is not None:
                self._announce(db, undone.batch_id, undone.face_ids)
            return undone

    def _announce(self, db: Any, batch_id: int, face_ids: Sequence[int]) -> None:
        """On a server catalog, tell the other processes (delivered when the write commits;
        they read what changed from the audit trail, see :mod:`.feed`)."""
        if self.dialect == POSTGRESQL and face_ids:
            from facecurator.services.catalog.postgres import DECISIONS_CHANNEL

            db.execute("SELECT pg_notify(?, ?)", (DECISIONS_CHANNEL, str(batch_id)))

    def undo(self, *, who: str | None = None, batch_id: int | None = None) -> list[int] | None:
        """:meth:`undo_last`, returning the restored face ids (None: nothing to undo)."""
        undone = self.undo_last(who=who, batch_id=batch_id)
        return None if undone is None else undone.face_ids

    def replay_trail(self, entries: Sequence[Any], trail_batches: dict[int, Any]) -> tuple[int, int]:
        """Re-apply audit entries read from a damaged copy of this catalog (``catalog restore``).

        Returns:
            (entries re-applied, entries whose face this catalog does not know).
        """
        with self._write("re-apply the decisions made since the backup") as db:
            return batches.replay(db, entries, trail_batches)

    def audit(
        self, face_id: int | None = None, limit: int | None = None, *, batch_id: int | None = None
    ) -> list[AuditRow]:
        """Audit entries, newest first.

        Args:
            face_id: only this face's history.
            limit: at most this many (the newest).
            batch_id: only the entries of one decide()/undo() batch.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if face_id is not None:
            clauses.append("face_id = ?")
            params.append(face_id)
        if batch_id is not None:
            clauses.append("batch_id = ?")
            params.append(batch_id)
        sql = (
            "SELECT id, batch_id, at, who, face_id, action, old_state, new_state, reason FROM audit"
            + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
            + " ORDER BY id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._reading("audit trail") as db:
            rows = db.execute(sql, params).fetchall()
        return [AuditRow(*row) for row in rows]
