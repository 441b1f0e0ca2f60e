"""Faces split between operators, so nobody reviews a face someone else is reviewing (issue 17).

Two ways a pending face becomes one operator's (table ``assignments``, schema step 8):

* **taken** (:func:`take`): an operator's Triage ("My faces") takes a batch of pending faces
  nobody holds, with a lease on the database's clock; it renews the lease while it is open
  (:func:`renew`) and gives the faces back when it closes (:func:`release`). A process that
  dies stops renewing: its faces are free again once the lease ran out, and taken by the
  next operator who asks. Two operators taking at once get disjoint faces: on PostgreSQL
  the candidates are locked with ``FOR UPDATE SKIP LOCKED`` (each skips what the other is
  taking) and the face id is the key; SQLite serialises the writers.
* **assigned** (:func:`assign`, ``facecurator assign --operators alice,bob``): the pending
  faces (of a filter) split in contiguous runs between operators, without a lease, until
  :func:`unassign`.

A face is *held* by an operator when its row is theirs and assigned, or its lease has not
run out. Only pending faces are taken or assigned; a decided face keeps its row (who had
it) until its lease runs out. Every take, assignment and release is written to the
append-only ``assignment_log`` (who did it, for whom, how many faces, the id range).
Works alike on both backends: on a SQLite catalog the one operator simply holds it all.

**The rule for deciding a face someone else holds** (one owner: :func:`held_by_others` and
:func:`not_held_by_others`, applied by every decision path of
:class:`~facecurator.services.catalog.decisions.DecisionStore`): a decision never silently
takes a face from the operator holding it. A decision of named faces (a key press in the
GUI) on a face another operator holds is refused with
:class:`~facecurator.errors.FaceHeldError` naming the holder and until when; the front end
asks ("Held by bob until 14:05 — decide anyway?") and decides again with ``include_held``.
A bulk decision (``facecurator decide``, the GUI's accept/reject all) leaves such faces as
they are and counts them as skipped, unless ``include_held`` (``--include-held``). A face
decided anyway stays assigned to its holder; the audit row names who decided it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from facecurator.errors import CatalogError
from facecurator.services.catalog.dialect import NOW_EPOCH, POSTGRESQL
from facecurator.services.catalog.rows import _ids_json, _now, _os_user

if TYPE_CHECKING:
    from facecurator.services.catalog.database import Catalog

#: How long taken faces stay an operator's without a renewal (a GUI renews every third of it).
LEASE_S: Final = 600.0
#: Faces a Triage takes at a time.
TAKE_SIZE: Final = 200


def _live(alias: str) -> str:
    """The SQL term "the assignment row ``alias`` holds its face now" (assigned, or leased)."""
    return f"({alias}.lease_until IS NULL OR {alias}.lease_until > {NOW_EPOCH})"


_LIVE: Final = _live("a")
_PENDING_FACES: Final = """
    SELECT f.id FROM images AS i
    CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
    LEFT JOIN decisions AS d ON d.face_id = f.id
    LEFT JOIN assignments AS a ON a.face_id = f.id
    WHERE i.status = 'ok' AND coalesce(d.state, 'pending') = 'pending' AND {where}
"""


@dataclass(frozen=True, slots=True)
class Holding:
    """What one operator holds: faces, of which pending, and whether any is only leased."""

    operator: str
    faces: int
    pending: int
    leased: int


def _unheld_in_scope(
    params: dict[str, Any], source_root: str | None, among: Sequence[int] | None
) -> list[str]:
    """The WHERE terms of pending faces nobody holds, within a source and/or given ids
    (their parameters are added to ``params``)."""
    where = [f"(a.face_id IS NULL OR NOT {_LIVE})"]
    if source_root is not None:
        where.append("i.source_root = :root")
        params["root"] = source_root
    if among is not None:
        where.append("f.id IN (SELECT value FROM json_each(:among))")
        params["among"] = _ids_json(among)
    return where


@dataclass(frozen=True, slots=True)
class Hold:
    """A face another operator holds: who, and until when (epoch seconds; None: assigned)."""

    face_id: int
    operator: str
    until: float | None


def held_by_others(db: Any, face_ids: Sequence[int], operator: str) -> list[Hold]:
    """Of ``face_ids``, those an operator other than ``operator`` holds now (inside the
    caller's transaction: ``db`` is its connection), by face id."""
    if not face_ids:
        return []
    rows = db.execute(
        f"""SELECT a.face_id, a.operator, a.lease_until FROM assignments AS a
            WHERE a.face_id IN (SELECT value FROM json_each(:ids)) AND a.operator <> :me AND {_LIVE}
            ORDER BY a.face_id""",
        {"ids": _ids_json(face_ids), "me": operator},
    ).fetchall()
    return [Hold(int(face), str(who), None if until is None else float(until)) for face, who, until in rows]


def not_held_by_others(face: str, params: dict[str, Any], operator: str) -> str:
    """The SQL term "the face ``face`` (an id expression) is not held by an operator other than
    ``operator``" (its parameter is added to ``params``): the faces a decision of ``operator``
    may change without asking (the rule: :func:`held_by_others`)."""
    params["holder_me"] = operator
    return (
        "NOT EXISTS (SELECT 1 FROM assignments AS h"
        f" WHERE h.face_id = {face} AND h.operator <> :holder_me AND {_live('h')})"
    )


def me() -> str:
    """The operator this process decides as (``FACECURATOR_OPERATOR``, else the login name)."""
    return _os_user()


def take(
    catalog: Catalog,
    operator: str,
    n: int = TAKE_SIZE,
    *,
    lease_s: float = LEASE_S,
    source_root: str | None = None,
    among: Sequence[int] | None = None,
) -> list[int]:
    """Take up to ``n`` pending faces nobody holds (catalog order: by face id), leased for
    ``lease_s`` seconds. Returns the ids taken now (not those the operator held already)."""
    params: dict[str, Any] = {"me": operator, "n": int(n)}
    where = _unheld_in_scope(params, source_root, among)
    # NO KEY UPDATE: a decision written meanwhile (its foreign key's KEY SHARE) is not held up.
    lock = " FOR NO KEY UPDATE OF f SKIP LOCKED" if catalog.dialect == POSTGRESQL else ""
    select = _PENDING_FACES.format(where=" AND ".join(where)) + f" ORDER BY f.id LIMIT :n{lock}"
    with catalog._write(f"take faces for {operator}", exclusive=_serialised(catalog)) as db:
        ids = [row[0] for row in db.execute(select, params).fetchall()]
        if not ids:
            return []
        taken = db.execute(
            f"""INSERT INTO assignments (face_id, operator, lease_until, assigned_at, assigned_by)
               SELECT f.id, :me, {NOW_EPOCH} + :lease, :at, :me FROM faces AS f
               WHERE f.id IN (SELECT value FROM json_each(:ids))
               ON CONFLICT (face_id) DO UPDATE SET operator = excluded.operator,
                   lease_until = excluded.lease_until, assigned_at = excluded.assigned_at,
                   assigned_by = excluded.assigned_by
               WHERE assignments.lease_until IS NOT NULL AND assignments.lease_until <= {NOW_EPOCH}
               RETURNING face_id""",
            {"me": operator, "lease": float(lease_s), "at": _now(), "ids": _ids_json(ids)},
        ).fetchall()
        got = sorted(row[0] for row in taken)
        _log(db, operator, operator, "take", got, lease_s)
    return got


def renew(catalog: Catalog, operator: str, *, lease_s: float = LEASE_S) -> int:
    """Renew the lease of the pending faces ``operator`` took (those still theirs); returns how many.

    A face whose lease ran out and that someone else took meanwhile is not theirs any more.
    """
    with catalog._write(f"renew the faces of {operator}", exclusive=_serialised(catalog)) as db:
        cursor = db.execute(
            f"""UPDATE assignments SET lease_until = {NOW_EPOCH} + ?
               WHERE operator = ? AND lease_until IS NOT NULL AND lease_until > {NOW_EPOCH}
                 AND NOT EXISTS (SELECT 1 FROM decisions AS d
                                 WHERE d.face_id = assignments.face_id AND d.state <> 'pending')""",
            (float(lease_s), operator),
        )
        return int(cursor.rowcount)


def release(catalog: Catalog, operator: str) -> int:
    """Give back every face ``operator`` took (leased); assigned faces stay. Returns how many."""
    with catalog._write(f"release the faces of {operator}", exclusive=_serialised(catalog)) as db:
        rows = db.execute(
            "DELETE FROM assignments WHERE operator = ? AND lease_until IS NOT NULL RETURNING face_id",
            (operator,),
        ).fetchall()
        ids = sorted(row[0] for row in rows)
        _log(db, operator, operator, "release", ids, None)
    return len(ids)


def assign(
    catalog: Catalog,
    operators: Sequence[str],
    *,
    among: Sequence[int] | None = None,
    source_root: str | None = None,
    who: str | None = None,
) -> dict[str, int]:
    """Split the pending faces nobody holds (of ``among`` / ``source_root``) between
    ``operators``, in contiguous runs of catalog order (an image's faces stay together),
    without a lease. Returns ``operator -> faces given``."""
    names = [name.strip() for name in operators if name.strip()]
    if not names or len(set(names)) != len(names):
        raise CatalogError("assign: name each operator once (--operators alice,bob)")
    who = who or _os_user()
    params: dict[str, Any] = {}
    where = _unheld_in_scope(params, source_root, among)
    sql = _PENDING_FACES.format(where=" AND ".join(where)) + " ORDER BY i.source_root, i.name, i.id, f.idx"
    given: dict[str, int] = {}
    with catalog._write("assign faces to operators") as db:
        ids = [row[0] for row in db.execute(sql, params).fetchall()]
        share, extra = divmod(len(ids), len(names))
        start = 0
        for k, name in enumerate(names):
            run = ids[start : start + share + (1 if k < extra else 0)]
            start += len(run)
            db.executemany(
                """INSERT INTO assignments (face_id, operator, lease_until, assigned_at, assigned_by)
                   VALUES (?, ?, NULL, ?, ?)
                   ON CONFLICT (face_id) DO UPDATE SET operator = excluded.operator, lease_until = NULL,
                       assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by""",
                [(face_id, name, _now(), who) for face_id in run],
            )
            _log(db, who, name, "assign", run, None)
            given[name] = len(run)
    return given


def unassign(catalog: Catalog, operators: Sequence[str] | None = None, *, who: str | None = None) -> int:
    """Take back the faces assigned (not taken) to ``operators`` (default: everyone)."""
    who = who or _os_user()
    with catalog._write("take back assigned faces") as db:
        rows: list[Any] = []
        for name in [None] if operators is None else operators:
            rows += db.execute(
                "DELETE FROM assignments WHERE lease_until IS NULL"
                + ("" if name is None else " AND operator = ?")
                + " RETURNING face_id, operator",
                () if name is None else (name,),
            ).fetchall()
        by_operator: dict[str, list[int]] = {}
        for face_id, operator in rows:
            by_operator.setdefault(operator, []).append(face_id)
        for operator, ids in sorted(by_operator.items()):
            _log(db, who, operator, "unassign", sorted(ids), None)
    return len(rows)


def held_ids(catalog: Catalog, operator: str, *, source_root: str | None = None) -> list[int]:
    """The faces ``operator`` holds (assigned, or taken and not run out), in catalog order."""
    params: dict[str, Any] = {"me": operator}
    root = ""
    if source_root is not None:
        root = " AND i.source_root = :root"
        params["root"] = source_root
    sql = f"""SELECT f.id FROM images AS i
              CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
              JOIN assignments AS a ON a.face_id = f.id
              WHERE i.status = 'ok' AND a.operator = :me AND {_LIVE}{root}
              ORDER BY i.source_root, i.name, i.id, f.idx"""
    with catalog._reading("the faces assigned to you") as db:
        return [row[0] for row in db.execute(sql, params)]


def holdings(catalog: Catalog) -> list[Holding]:
    """Every operator holding faces now: how many, pending, taken with a lease."""
    with catalog._reading("the operators' faces") as db:
        rows = db.execute(
            f"""SELECT a.operator, count(*),
                   coalesce(sum(CASE WHEN coalesce(d.state, 'pending') = 'pending' THEN 1 ELSE 0 END), 0),
                   coalesce(sum(CASE WHEN a.lease_until IS NOT NULL THEN 1 ELSE 0 END), 0)
               FROM assignments AS a LEFT JOIN decisions AS d ON d.face_id = a.face_id
               WHERE {_LIVE} GROUP BY a.operator ORDER BY a.operator"""
        ).fetchall()
    return [Holding(str(op), int(n), int(p), int(leased)) for op, n, p, leased in rows]


def _log(db: Any, who: str, operator: str, action: str, ids: Sequence[int], lease_s: float | None) -> None:
    if not ids:
        return
    db.execute(
        "INSERT INTO assignment_log (at, who, operator, action, faces, first_face, last_face, lease_s)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (_now(), who, operator, action, len(ids), min(ids), max(ids), lease_s),
    )


def _serialised(catalog: Catalog) -> bool:
    """SQLite: a writer's lock from the start (no deferred upgrade); PostgreSQL: row locks."""
    return catalog.dialect != POSTGRESQL
