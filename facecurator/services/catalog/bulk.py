"""Set-based work over a whole catalog: store a rule set's verdicts, decide by stored verdict.

One statement per chunk, whatever the number of faces, on both backends (issue 11: ``decide
--accept-qualified`` on 300 000 faces in seconds, not minutes):

* :func:`store_verdicts_sql` evaluates the faces of a range of images with the SQL twin
  of the rule set (:mod:`facecurator.domain.rules.verdict_sql`) and stores the verdicts
  missing (``INSERT ... SELECT``): no face is read into Python.
* :func:`stored_target_plan` counts a bulk decision's targets and finds where its chunks end
  (face ids) in one statement; :func:`decide_stored` decides the pending faces of a chunk's face
  id range (or the next ones, by face id) whose stored verdict
  is (not) qualified, in an open decision batch: the audit rows first (each face's
  previous decision, as :mod:`.batches` writes them), then the decisions, copied from
  those audit rows. Faces another operator holds are left out unless ``include_held``
  (the rule: :mod:`.assign`).
  With no ``reason`` (``decide --reject-unqualified``: each face's own failing reasons),
  each audit row's reason is the one stored with the face's verdict.
* :func:`unreasoned_faces` and :func:`put_reasons` compute those reasons once where a
  verdict was stored without them (in SQL: the reason texts are made in Python by the one
  evaluation), a chunk of faces at a time.
* :func:`decide_each` decides a chunk of ``(face id, its own reason)`` pairs (a selection
  rejected by face ids) with one prepared statement and one copy, whatever the number of reasons.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from facecurator.domain.rules.verdict_sql import ATTRIBUTES, FaceColumns, Param, VerdictSql
from facecurator.services.catalog import batches
from facecurator.services.catalog.assign import not_held_by_others
from facecurator.services.catalog.dialect import POSTGRESQL, Connection, dialect_of, json_number
from facecurator.services.catalog.rows import _FACE_SELECT, _face_from_row, _ids_json, _now
from facecurator.services.catalog.schema import ACTION_DECIDE

if TYPE_CHECKING:
    from pathlib import Path

    from facecurator.domain.face import Face
    from facecurator.services.catalog.database import Catalog


def _measure_value(name: str, param: Param) -> str:
    """A named measure's value: ``detection_faces.measures`` holds ``MeasureSet.to_json``
    (``{"eyes_visible": {"value": 0.21, "reason": "..."}}``; see rows.py)."""
    return json_number("df.measures", param(f'$."{name}".value'))


#: The face attributes of a detection_faces row ``df`` of an image ``i`` (see rows.py).
FACE_COLUMNS: Final = FaceColumns(
    {
        **{name: f"df.{name}" for name in ATTRIBUTES if name != "face_count"},
        "face_count": "(SELECT count(*) FROM faces AS fc"
        " WHERE fc.image_id = i.id AND fc.detection_id = i.detection_id)",
    },
    measure=_measure_value,
)


def set_based(db: Connection) -> None:
    """PostgreSQL, inside the caller's transaction: hash and merge joins for the rest of it, and
    no JIT. The server estimates the faces' join with their images (two correlated columns) at
    one row and so picks nested loops of key lookups, one per face of the catalog: a statement
    over every face at 1M / 3M took tens of seconds. Without nested loops (a ``LATERAL`` subquery
    still is one: the lookups the statement asks for) its cost estimate passes ``jit_above_cost``,
    and compiling took 7.7 s of a 4.2 s statement at 100 000 images (load 11)."""
    if dialect_of(db) == POSTGRESQL:
        db.execute("SET LOCAL enable_nestloop = off")
        db.execute("SET LOCAL jit = off")


@contextlib.contextmanager
def set_based_read(db: Connection) -> Iterator[None]:
    """:func:`set_based` for one read outside a transaction (PostgreSQL's reads autocommit):
    set for the session, reset after (an aborted transaction's rollback resets it anyway)."""
    if dialect_of(db) != POSTGRESQL:
        yield
        return
    db.execute("SET enable_nestloop = off")
    db.execute("SET jit = off")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            db.execute("RESET enable_nestloop")
            db.execute("RESET jit")


#: The newest images :func:`any_missing_verdict` looks at first, by key lookups (milliseconds).
MISSING_TAIL: Final = 2_000


def any_missing_verdict(catalog: Catalog, ruleset: int, *, source_root: str | None) -> bool:
    """Whether a face of a readable image has no stored verdict of ``ruleset``: the look an open
    (the gallery's and Triage's views, the fill), a Find and a fill take before trusting the
    stored verdicts.

    First among the newest :data:`MISSING_TAIL` images (where a scan adds and a fill, which walks
    by id, stops: a first open, a fill left half done are answered there at once), then in one
    statement (PostgreSQL: the faces hashed against the verdicts once, see :func:`set_based`).
    The open's look was ``queries.images_missing_verdicts(limit=1)``, in catalog (name) order:
    at 1 000 000 images / 3 000 000 faces with every verdict stored (a reopen: every face looked
    at) SQLite 6.6-7.4 s CPU against 1.3 s here; PostgreSQL planned it as nested loops (23-27 s,
    15.7 M buffers) or a hash anti-join (1.1-4.3 s) by its guess of how few faces miss (load 6-18).
    """
    params: dict[str, Any] = {"ruleset": ruleset}
    where = f"""i.status = 'ok' AND {_root(source_root, params)}
          AND NOT EXISTS (SELECT 1 FROM verdicts AS v WHERE v.ruleset = :ruleset AND v.face_id = f.id)"""
    faces = "CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id"
    if catalog.dialect == POSTGRESQL:
        faces = _FACES_BY_IMAGE  # by key, image by image (else every face hashed against the tail)
    with catalog._reading("missing verdicts") as db:
        last = db.execute("SELECT max(id) FROM images").fetchone()[0]
        if last is None:
            return False
        params["tail"] = last - MISSING_TAIL
        newest = f"SELECT EXISTS (SELECT 1 FROM images AS i {faces} WHERE i.id > :tail AND {where})"
        if db.execute(newest, params).fetchone()[0]:
            return True
        every = f"""SELECT EXISTS (SELECT 1 FROM faces AS f
            CROSS JOIN images AS i ON i.id = f.image_id AND i.detection_id = f.detection_id WHERE {where})"""
        with set_based_read(db):
            return bool(db.execute(every, params).fetchone()[0])


def _root(source_root: str | None, params: dict[str, Any]) -> str:
    if source_root is None:
        return "1 = 1"
    params["root"] = source_root
    return "i.source_root = :root"


def id_bounds(catalog: Catalog, table: str) -> tuple[int, int]:
    """(smallest, largest) id of ``images`` or ``faces``; (1, 0) when empty."""
    assert table in ("images", "faces")
    with catalog._reading(table) as db:
        low, high = db.execute(f"SELECT min(id), max(id) FROM {table}").fetchone()
    return (1, 0) if low is None else (int(low), int(high))


#: PostgreSQL: each image's faces read by the faces' unique index (image, detection, idx) as the
#: images of the range come (a ``LATERAL`` subquery kept apart by ``OFFSET 0``: a nested loop).
#: Joined plainly the server estimated the faces' join with their images at one row (two
#: correlated join columns) and hashed the range's images against a scan of every face: each
#: 10 000-image statement 0.9 s at 1M / 3M, a fill that finds every verdict stored (a reopen's,
#: ``decide``'s) 100 of them, 55 s at load 11-15.
_FACES_BY_IMAGE: Final = (
    "CROSS JOIN LATERAL (SELECT f.id, f.detection_id, f.idx FROM faces AS f WHERE f.image_id = i.id"
    " AND f.detection_id = i.detection_id OFFSET 0) AS f"
)


def store_verdicts_sql(
    catalog: Catalog,
    ruleset: int,
    verdict: VerdictSql,
    *,
    source_root: str | None = None,
    image_ids: Sequence[int] | None = None,
    id_range: tuple[int, int] | None = None,
) -> int:
    """Evaluate and store the missing verdicts of ``ruleset`` for the readable images of
    ``image_ids`` or of an image id range (inclusive), in one statement; the number stored."""
    params: dict[str, Any] = dict(verdict.params)
    params["ruleset"] = ruleset
    where = ["i.status = 'ok'", _root(source_root, params), "v.face_id IS NULL"]
    if image_ids is not None:
        where.append("i.id IN (SELECT value FROM json_each(:ids))")
        params["ids"] = _ids_json(image_ids)
    if id_range is not None:
        where.append("i.id BETWEEN :low AND :high")
        params["low"], params["high"] = id_range
    faces = "CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id"
    if catalog.dialect == POSTGRESQL:
        faces = _FACES_BY_IMAGE
    letters = tuple(f"t.o{k}" for k in range(len(verdict.outcomes)))
    columns = "".join(f", {expression} AS o{k}" for k, expression in enumerate(verdict.outcomes))
    sql = f"""INSERT INTO verdicts (ruleset, face_id, status, blur, outcomes)
        SELECT :ruleset, t.id, {verdict.status(letters)}, t.blur, {verdict.encoded(letters)}
        FROM (SELECT f.id AS id, {verdict.blur_100} AS blur{columns}
              FROM images AS i
              {faces}
              CROSS JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
              LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id
              WHERE {" AND ".join(where)}) AS t
        WHERE 1 = 1
        ON CONFLICT (ruleset, face_id) DO NOTHING"""
    with catalog._write("store verdicts") as db:
        return max(0, int(db.execute(sql, params).rowcount))


#: The audit reason of a rejected face whose verdict names no reason.
UNNAMED_REASON: Final = "unqualified"


def _targets(
    params: dict[str, Any],
    *,
    qualified: bool,
    source_root: str | None,
    me: str | None,
    reasoned: bool = False,
    in_order: bool = False,
    upto: bool = False,
    pg: bool = False,
    verdicts_first: bool = False,
) -> str:
    """FROM ... WHERE of the pending faces after face id ``:after`` whose stored verdict is
    (not) qualified; ``me``: leaving out the faces another operator holds; ``reasoned``: only
    the verdicts stored with their reasons; ``in_order`` (PostgreSQL, a chunk ``ORDER BY f.id
    LIMIT``): the faces in id order, each one's image, verdict and decision looked up by key
    as they come (see :data:`_IN_ORDER`); ``upto``: only the faces up to face id ``:upto``
    (``pg``: in the shape of :data:`_IN_RANGE`); ``verdicts_first`` (SQLite): the rule set's
    verdicts in face id order first (:data:`_VERDICTS_FIRST`; ``ORDER BY v.face_id``)."""
    where = [
        "f.id > :after" + (" AND f.id <= :upto" if upto else ""),
        "i.status = 'ok'",
        _root(source_root, params),
        "coalesce(d.state, 'pending') = 'pending'",
        "v.status = :qualified" if qualified else "v.status <> :qualified",
    ]
    if reasoned:
        where.append("v.reasons IS NOT NULL")
    params["qualified"] = 1
    if me is not None:
        where.append(not_held_by_others("f.id", params, me))
    if in_order or (upto and pg):
        face, image, verdict = where[0], " AND ".join(where[1:3]), where[4]
        rest = " AND ".join(where[3:4] + where[5:])
        shape = _IN_RANGE if upto else _IN_ORDER
        return shape.format(face=face, image=image, verdict=verdict, where=rest)
    if verdicts_first:
        return _VERDICTS_FIRST.format(
            face=where[0].replace("f.id", "v.face_id"), where=" AND ".join(where[1:])
        )
    # faces first (by id from :after), then its image, verdict and decision by key
    return f"""FROM faces AS f
        CROSS JOIN images AS i ON i.id = f.image_id AND i.detection_id = f.detection_id
        CROSS JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id
        LEFT JOIN decisions AS d ON d.face_id = f.id
        WHERE {" AND ".join(where)}"""


#: :func:`_targets` on SQLite: the rule set's verdicts by their key's range (in face id order), each
#: one's face, image and decision looked up by key. From the faces, every face's image and verdict
#: was looked up before its verdict could leave it out: at 1M / 3M (a third qualified) a chunk's
#: 50 000 targets read in 0.14 s of CPU (0.066 s verdicts first), the count of them 2.4-3.0 s (0.92 s).
_VERDICTS_FIRST: Final = """FROM verdicts AS v
        CROSS JOIN faces AS f ON f.id = v.face_id
        CROSS JOIN images AS i ON i.id = f.image_id AND i.detection_id = f.detection_id
        LEFT JOIN decisions AS d ON d.face_id = f.id
        WHERE v.ruleset = :ruleset AND {face} AND {where}"""


#: :func:`_targets` on PostgreSQL for a chunk: each joined table a ``LATERAL`` subquery kept apart
#: by ``OFFSET 0``, so the plan is the faces in id order and a nested loop of key lookups that
#: stops at the chunk's ``LIMIT``. Joined plainly, the server estimated the join of the faces
#: with their images at one row (two correlated join columns) and the decisions' ``coalesce`` at
#: 0.5 %: it hashed every face after ``:after`` against the decisions and sorted the lot, each
#: chunk (200 faces or 50 000) 20-45 s at 1M / 3M faces (load 10-15): ``decide --accept-qualified``
#: 576 s, 506 s of it in its 26 chunks.
_IN_ORDER: Final = """FROM (SELECT f.id, f.image_id, f.detection_id FROM faces AS f WHERE {face}
                      ORDER BY f.id OFFSET 0) AS f
        CROSS JOIN LATERAL (SELECT i.id FROM images AS i WHERE i.id = f.image_id
                            AND i.detection_id = f.detection_id AND {image} OFFSET 0) AS i
        CROSS JOIN LATERAL (SELECT v.status, v.reasons FROM verdicts AS v WHERE v.ruleset = :ruleset
                            AND v.face_id = f.id AND {verdict} OFFSET 0) AS v
        LEFT JOIN LATERAL (SELECT d.state, d.reason, d.who, d.at FROM decisions AS d
                           WHERE d.face_id = f.id OFFSET 0) AS d ON 1 = 1
        WHERE {where}"""


#: :func:`_targets` on PostgreSQL for a chunk of a face id range (:func:`stored_target_plan`), under
#: :func:`set_based`: the range's faces, verdicts and decisions each read once by their keys' range
#: and hashed or merged, each remaining face's image looked up by key (the ``LATERAL`` subquery).
_IN_RANGE: Final = """FROM faces AS f
        CROSS JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id
            AND v.face_id > :after AND v.face_id <= :upto AND {verdict}
        LEFT JOIN decisions AS d ON d.face_id = f.id AND d.face_id > :after AND d.face_id <= :upto
        CROSS JOIN LATERAL (SELECT i.id FROM images AS i WHERE i.id = f.image_id
                            AND i.detection_id = f.detection_id AND {image} OFFSET 0) AS i
        WHERE {face} AND {where}"""


def stored_target_plan(
    catalog: Catalog,
    ruleset: int,
    *,
    qualified: bool,
    source_root: str | None,
    me: str | None,
    reasoned: bool,
    sizes: Sequence[int],
) -> tuple[int, list[int]]:
    """A bulk decision by stored verdict planned in one statement (no face read into Python):
    (its targets, the faces others hold included; the face ids that end its chunks). Chunk
    ``k`` is the faces after the previous end up to its end: ``sizes[k]`` targets that ``me``
    may decide (its last chunk the rest; the last end is the last target's id, held or not)."""
    params: dict[str, Any] = {"ruleset": ruleset, "after": 0}
    targets = _targets(params, qualified=qualified, source_root=source_root, me=None, reasoned=reasoned)
    free = "1" if me is None else f"CASE WHEN {not_held_by_others('f.id', params, me)} THEN 1 ELSE 0 END"
    ends, total = [], 0
    for size in sizes:
        total += size
        ends.append(total)
    params["ends"] = _ids_json(ends)
    sql = f"""SELECT id, total FROM (
            SELECT id, free, sum(free) OVER w AS n, row_number() OVER w AS k, count(*) OVER () AS total
            FROM (SELECT f.id AS id, {free} AS free {targets}) AS s
            WINDOW w AS (ORDER BY id ROWS UNBOUNDED PRECEDING)) AS t
        WHERE free = 1 AND n IN (SELECT value FROM json_each(:ends)) OR k = total
        ORDER BY id"""
    with catalog._reading("bulk decision targets") as db, set_based_read(db):
        rows = db.execute(sql, params).fetchall()
    return (int(rows[0][1]) if rows else 0), [int(row[0]) for row in rows]


def count_stored_targets(
    catalog: Catalog,
    ruleset: int,
    *,
    qualified: bool,
    source_root: str | None,
    me: str | None,
    reasoned: bool,
) -> int:
    """How many faces :func:`decide_stored` would decide over the whole catalog now (SQLite: cheaper
    than :func:`stored_target_plan`, whose window functions took 16-35 s at 1M / 3M where the count
    took 11 s, load 12-16)."""
    params: dict[str, Any] = {"ruleset": ruleset, "after": 0}
    sql = "SELECT count(*) " + _targets(
        params, qualified=qualified, source_root=source_root, me=me, reasoned=reasoned, verdicts_first=True
    )
    with catalog._reading("bulk decision targets") as db:
        return int(db.execute(sql, params).fetchone()[0])


def decide_stored(
    db: Connection,
    path: Path,
    *,
    ruleset: int,
    qualified: bool,
    after: int,
    limit: int,
    state: str,
    reason: str | None,
    who: str,
    batch_id: int | None,
    source_root: str | None,
    me: str | None,
    upto: int | None = None,
) -> tuple[int, int, int]:
    """Decide one chunk of a bulk decision by stored verdict (the next ``limit`` faces to
    decide after face id ``after``, in id order; ``upto``: every one up to that face id, a
    chunk of :func:`stored_target_plan`), inside the caller's write transaction.

    Returns (batch id, 0 when none is open yet; faces decided; the last face id decided).
    The batch is opened by the first chunk with a face to decide (never an empty batch)."""
    params: dict[str, Any] = {"ruleset": ruleset, "after": after, "limit": limit, "upto": upto}
    pg = dialect_of(db) == POSTGRESQL
    targets = _targets(
        params, qualified=qualified, source_root=source_root, me=me, reasoned=reason is None,
        in_order=pg and upto is None, upto=upto is not None, pg=pg, verdicts_first=not pg,
    )  # fmt: skip
    if upto is not None:
        set_based(db)
    if not batch_id and not db.execute(f"SELECT EXISTS (SELECT 1 {targets})", params).fetchone()[0]:
        return 0, 0, after
    at = _now()
    batch = batches._batch(db, path, batch_id, who, at, changing=True)
    assert batch is not None
    last = db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    params.update(batch=batch, at=at, who=who, action=ACTION_DECIDE, state=state, reason=reason)
    # no reason given: each face's own, stored with its verdict ('' when it names none)
    why = ":reason" if reason is not None else "coalesce(nullif(v.reasons, ''), :unnamed)"
    params.setdefault("unnamed", UNNAMED_REASON)
    db.execute(
        "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state, reason,"
        " prev_reason, prev_who, prev_at)"
        f" SELECT :batch, :at, :who, f.id, :action, 'pending', :state, {why}, d.reason, d.who, d.at"
        f" {targets} ORDER BY {'f.id' if pg else 'v.face_id'}" + (" LIMIT :limit" if upto is None else ""),
        params,
    )
    count, last_face = _decisions_from_audit(db, batch, last)
    return batch, count, after if last_face is None else last_face


def _decisions_from_audit(db: Connection, batch: int, last: int) -> tuple[int, int | None]:
    """Write the decisions of the audit rows just added to ``batch`` (ids after ``last``):
    (how many, the largest face id; None when none).

    PostgreSQL: the faces that have a decision row (put back to pending, or an undone first
    decision) updated, then the others inserted plainly: an upsert's speculative insertion took
    1.75-1.83 s for 85 702 new decisions where a plain insert took 1.23-1.34 s (load 10)."""
    # The rows after ``last`` (read under this write's lock) by the primary key's range, the batch
    # only checked (``+ 0``): by ``audit_by_batch`` each chunk read every row the batch had so
    # far (877 603 to count the last 50 000 at 1M, 0.35 s; 13 ms by the key).
    written: dict[str, Any] = {"batch": batch, "last": last}
    count, low, high = db.execute(
        "SELECT count(*), min(face_id), max(face_id) FROM audit WHERE id > :last AND batch_id + 0 = :batch",
        written,
    ).fetchone()
    if not count:
        return 0, None
    if dialect_of(db) == POSTGRESQL:
        written.update(low=low, high=high)  # the chunk's faces: its decisions read by their key's range
        db.execute(
            "UPDATE decisions AS d SET state = a.new_state, reason = a.reason, who = a.who, at = a.at"
            " FROM audit AS a WHERE a.id > :last AND a.batch_id + 0 = :batch AND d.face_id = a.face_id"
            " AND d.face_id BETWEEN :low AND :high",
            written,
        )
        db.execute(
            "INSERT INTO decisions (face_id, state, reason, who, at)"
            " SELECT a.face_id, a.new_state, a.reason, a.who, a.at FROM audit AS a"
            " WHERE a.id > :last AND a.batch_id + 0 = :batch AND NOT EXISTS (SELECT 1 FROM decisions AS d"
            " WHERE d.face_id = a.face_id AND d.face_id BETWEEN :low AND :high)",
            written,
        )
        return int(count), int(high)
    db.execute(
        "INSERT INTO decisions (face_id, state, reason, who, at)"
        " SELECT face_id, new_state, reason, who, at FROM audit WHERE id > :last AND batch_id + 0 = :batch"
        " ON CONFLICT (face_id) DO UPDATE SET state = excluded.state,"
        " reason = excluded.reason, who = excluded.who, at = excluded.at",
        written,
    )
    return int(count), int(high)


#: :func:`unreasoned_faces` on PostgreSQL: the verdicts without reasons in face id order (their
#: primary key's order), each one's face, image, detection and decision looked up by key as they
#: come (``LATERAL`` subqueries kept apart by ``OFFSET 0``), so a chunk stops at its ``LIMIT``.
#: Joined plainly, the server hashed every face with every image (the join estimated at two rows),
#: probed the verdicts per face and sorted the lot for each chunk: 2.0 s a 5 000-face chunk at
#: 100 000 images / 300 000 faces, over 20 s at 1M / 3M (hours for the GUI's fill of 2M reasons).
_UNREASONED_PG: Final = """FROM verdicts AS v
        CROSS JOIN LATERAL (SELECT f.id, f.image_id, f.detection_id, f.idx FROM faces AS f
                            WHERE f.id = v.face_id OFFSET 0) AS f
        CROSS JOIN LATERAL (SELECT i.id, i.detection_id FROM images AS i WHERE i.id = f.image_id
                            AND i.detection_id = f.detection_id AND i.status = 'ok' AND {root}
                            OFFSET 0) AS i
        CROSS JOIN LATERAL (SELECT df.* FROM detection_faces AS df WHERE df.detection_id = f.detection_id
                            AND df.idx = f.idx OFFSET 0) AS df
        LEFT JOIN LATERAL (SELECT d.state, d.reason, d.who, d.at FROM decisions AS d
                           WHERE d.face_id = f.id OFFSET 0) AS d ON 1 = 1"""


def unreasoned_faces(
    catalog: Catalog, ruleset: int, *, after: int, limit: int, source_root: str | None
) -> list[tuple[int, Face, int]]:
    """The next ``limit`` faces (by id, after face id ``after``) of the readable images whose
    stored verdict of ``ruleset`` is not qualified and was stored without its reasons, as
    ``(face id, face, number of faces of its image)``: what their evaluation needs."""
    params: dict[str, Any] = {"ruleset": ruleset, "after": after, "limit": limit}
    if catalog.dialect == POSTGRESQL:
        sql = f"""{_FACE_SELECT}, {FACE_COLUMNS["face_count"]}
            {_UNREASONED_PG.format(root=_root(source_root, params))}
            WHERE v.ruleset = :ruleset AND v.face_id > :after AND v.status <> 1 AND v.reasons IS NULL
            ORDER BY v.face_id LIMIT :limit"""
        with catalog._reading("verdict reasons") as db:
            return [(int(row[0]), _face_from_row(row), int(row[-1])) for row in db.execute(sql, params)]
    sql = f"""{_FACE_SELECT}, {FACE_COLUMNS["face_count"]}
        FROM verdicts AS v
        CROSS JOIN faces AS f ON f.id = v.face_id
        CROSS JOIN images AS i ON i.id = f.image_id AND i.detection_id = f.detection_id
        CROSS JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
        LEFT JOIN decisions AS d ON d.face_id = f.id
        WHERE v.ruleset = :ruleset AND v.face_id > :after AND v.status <> 1 AND v.reasons IS NULL
          AND i.status = 'ok' AND {_root(source_root, params)}
        ORDER BY v.face_id LIMIT :limit"""
    with catalog._reading("verdict reasons") as db:  # the face count last
        return [(int(row[0]), _face_from_row(row), int(row[-1])) for row in db.execute(sql, params)]


def put_reasons(catalog: Catalog, ruleset: int, rows: Sequence[tuple[int, str]]) -> None:
    """Store ``(face id, reasons)`` with the faces' stored verdicts of ``ruleset``, in one transaction."""
    if not rows:
        return
    if catalog.dialect == POSTGRESQL:  # one statement: the per-row UPDATEs were most of a fill's time
        params = {"ruleset": ruleset, "ids": [face_id for face_id, _ in rows], "texts": [r for _, r in rows]}
        with catalog._write("store verdicts") as db:
            db.execute(
                "UPDATE verdicts AS v SET reasons = t.reasons"
                " FROM unnest(CAST(:ids AS BIGINT[]), CAST(:texts AS TEXT[])) AS t(face_id, reasons)"
                " WHERE v.ruleset = :ruleset AND v.face_id = t.face_id",
                params,
            )
        return
    with catalog._write("store verdicts") as db:
        db.executemany(
            "UPDATE verdicts SET reasons = ? WHERE ruleset = ? AND face_id = ?",
            [(reasons, ruleset, face_id) for face_id, reasons in rows],
        )


def decide_each(
    db: Connection,
    path: Path,
    decisions: Sequence[tuple[int, str | None]],
    *,
    state: str,
    who: str,
    batch_id: int | None,
    me: str | None,
) -> tuple[int, int]:
    """Decide one chunk of ``(face id, its own reason)`` in an open decision batch, inside the
    caller's write transaction: only the faces still pending and, with ``me``, not held by
    another operator. The audit rows first (one prepared statement for the chunk), then the
    decisions copied from them, as :func:`decide_stored` does.

    Returns (batch id, 0 when none is open yet; faces decided). The batch is opened only
    when a face is still to decide (never an empty batch)."""
    params: dict[str, Any] = {}
    free = "" if me is None else " AND " + not_held_by_others("f.id", params, me)
    still = (
        "FROM faces AS f LEFT JOIN decisions AS d ON d.face_id = f.id"
        f" WHERE f.id {{}} AND coalesce(d.state, 'pending') = 'pending'{free}"
    )
    params["ids"] = _ids_json([face for face, _ in decisions])
    ids_in = "IN (SELECT value FROM json_each(:ids))"
    if not db.execute(f"SELECT EXISTS (SELECT 1 {still.format(ids_in)})", params).fetchone()[0]:
        return batch_id or 0, 0
    at = _now()
    batch = batches._batch(db, path, batch_id, who, at, changing=True)
    assert batch is not None
    last = db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    del params["ids"]
    params.update(batch=batch, at=at, who=who, action=ACTION_DECIDE, state=state)
    db.executemany(
        "INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state, reason,"
        " prev_reason, prev_who, prev_at)"
        " SELECT :batch, :at, :who, f.id, :action, 'pending', :state, :reason, d.reason, d.who, d.at"
        f" {still.format('= :face')}",
        [dict(params, face=face, reason=reason) for face, reason in decisions],
    )
    count, _ = _decisions_from_audit(db, batch, last)
    return batch, count
