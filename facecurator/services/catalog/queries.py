"""The catalog's query layer: ids in display order, filters, sorts and counts in SQL.

Nothing here builds a face object: the answers are ids and numbers, so a
100 000-image gallery costs a few megabytes of ids, not a gigabyte of rows
(the Anki browser shape: the views hold ids and fetch rows as they are shown).
Verdict-dependent filters and sorts read the ``verdicts`` table, filled per
rule set version by :mod:`facecurator.services.browse`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, MutableSequence, Sequence
from typing import TYPE_CHECKING, Any, Final

from facecurator.errors import CatalogError
from facecurator.services.catalog.dialect import POSTGRESQL, Connection, dialect_of
from facecurator.services.catalog.rows import _IMAGE_COLUMNS, ImageRow, _ids_json, _now

if TYPE_CHECKING:
    from facecurator.services.catalog.database import Catalog

#: Stored verdict statuses (``verdicts.status``).
QUALIFIED: Final = 1
UNQUALIFIED: Final = 0
UNKNOWN: Final = 2
STATUS_CODES: Final = {"qualified": QUALIFIED, "unqualified": UNQUALIFIED, "unknown": UNKNOWN}

#: Rule set versions whose verdicts are kept (the most recently used ones).
KEEP_RULESETS: Final = 4

#: Image-level filters of the gallery and face-level filters of the triage grid.
IMAGE_FILTERS: Final = ("all", "pending", "qualified", "unqualified", "accepted", "rejected", "errors")
FACE_FILTERS: Final = ("all", "pending", "qualified", "unqualified", "unknown", "accepted", "rejected")
IMAGE_SORTS: Final = ("name", "group", "faces", "blur", "problems")
#: Filters and sorts that read stored verdicts.
VERDICT_FILTERS: Final = frozenset({"qualified", "unqualified", "unknown"})
VERDICT_SORTS: Final = frozenset({"blur", "problems"})
#: Sorts in natural name order (digit runs read as numbers): by the stored keys
#: ``images.name_key`` / ``group_key`` (:func:`order_keys`: the same order in Python).
NATURAL_SORTS: Final = frozenset({"name", "group"})

# Per-image counts over the faces of its current detection (only images read successfully
# have faces, as in review()). ``{where}`` restricts the images.
_PER_IMAGE: Final = """
    SELECT f.image_id AS image_id, count(*) AS faces,
           sum(CASE WHEN d.state IS NULL OR d.state = 'pending' THEN 1 ELSE 0 END) AS pending,
           sum(CASE WHEN d.state = 'accepted' THEN 1 ELSE 0 END) AS accepted,
           sum(CASE WHEN d.state = 'rejected' THEN 1 ELSE 0 END) AS rejected,
           sum(CASE WHEN v.status = 1 THEN 1 ELSE 0 END) AS qualified,
           sum(CASE WHEN v.status = 0 THEN 1 ELSE 0 END) AS unqualified,
           min(v.blur) AS blur
    FROM images AS i
    CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
    LEFT JOIN decisions AS d ON d.face_id = f.id
    LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id
    WHERE i.status = 'ok' AND {where}
    GROUP BY f.image_id
"""

_IMAGE_FILTER_SQL: Final = {
    "all": "1 = 1",
    "errors": "i.status = 'error'",
    "pending": "s.pending > 0",
    "accepted": "s.accepted > 0",
    "rejected": "s.rejected > 0",
    "qualified": "s.qualified > 0",
    "unqualified": "s.unqualified > 0",
}

_IMAGE_SORT_SQL: Final = {
    "name": "i.name_key, i.name, i.source_root, i.id",
    "group": "i.group_key, i.group_name, i.name_key, i.name, i.id",
    "faces": "coalesce(s.faces, 0) DESC, i.group_name, i.name, i.id",
    "blur": "s.blur IS NULL, s.blur, i.group_name, i.name, i.id",
    "problems": "i.status != 'error', coalesce(s.unqualified, 0) DESC, i.group_name, i.name, i.id",
}


def _count(condition: str) -> str:
    """How many rows meet ``condition`` (0 for none), in SQL both SQLite and PostgreSQL read
    (PostgreSQL cannot sum a boolean)."""
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _root(source_root: str | None, params: dict[str, Any]) -> str:
    if source_root is None:
        return "1 = 1"
    params["root"] = source_root
    return "i.source_root = :root"


def ruleset_id(catalog: Catalog, key: str, name: str, *, create: bool = True) -> int:
    """The id of a rule set version (created on first use); older versions beyond
    :data:`KEEP_RULESETS` lose their stored verdicts. ``create=False``: only read it
    (0 when there is none yet: no verdict is stored under 0)."""
    with catalog._reading("rule set versions") as db:
        row = db.execute("SELECT id FROM rulesets WHERE key = ?", (key,)).fetchone()
    if row is not None:
        return int(row[0])
    if not create:
        return 0
    with catalog._write(f"record rule set {name}") as db:
        row = db.execute("SELECT id FROM rulesets WHERE key = ?", (key,)).fetchone()
        if row is not None:  # another connection made it meanwhile
            return int(row[0])
        new_id = db.execute(
            "INSERT INTO rulesets (key, name, used_at) VALUES (?, ?, ?) RETURNING id", (key, name, _now())
        ).fetchone()[0]
        newest_first = [r[0] for r in db.execute("SELECT id FROM rulesets ORDER BY used_at DESC, id DESC")]
        old = newest_first[KEEP_RULESETS:]
        for old_id in old:
            db.execute("DELETE FROM verdicts WHERE ruleset = ?", (old_id,))
            db.execute("DELETE FROM rulesets WHERE id = ?", (old_id,))
    return int(new_id)


def image_ids(
    catalog: Catalog,
    *,
    source_root: str | None = None,
    filter_name: str = "all",
    sort: str | None = None,
    ruleset: int = 0,
) -> list[int]:
    """Present images (not ``missing``) passing an image filter, in a gallery sort order.

    ``sort=None`` is the catalog order (source root, name), the order of :func:`review`.
    """
    if filter_name not in _IMAGE_FILTER_SQL:
        raise CatalogError(f"unknown image filter {filter_name!r}")
    if sort is not None and sort not in _IMAGE_SORT_SQL:
        raise CatalogError(f"unknown image sort {sort!r}")
    params: dict[str, Any] = {"ruleset": ruleset}
    root = _root(source_root, params)
    order = "i.source_root, i.name" if sort is None else _IMAGE_SORT_SQL[sort]
    needs_counts = filter_name not in ("all", "errors") or sort in ("faces", "blur", "problems")
    if needs_counts:
        sql = (
            f"WITH s AS ({_PER_IMAGE.format(where=root)}) "
            f"SELECT i.id FROM images AS i LEFT JOIN s ON s.image_id = i.id "
            f"WHERE i.status != 'missing' AND {root} AND {_IMAGE_FILTER_SQL[filter_name]} ORDER BY {order}"
        )
    else:
        sql = (
            f"SELECT i.id FROM images AS i WHERE i.status != 'missing' AND {root} "
            f"AND {_IMAGE_FILTER_SQL[filter_name]} ORDER BY {order}"
        )
    with catalog._reading("image ids") as db:
        return [row[0] for row in _rows(db, sql, params)]


def source_image_lists(
    catalog: Catalog, *, source_root: str | None = None, view: bool = True
) -> tuple[list[int], list[int] | None]:
    """What opening a source lists first: its present images in natural name order (the list
    :func:`image_ids` gives with ``"name"``), ids only, read from the index in its order (no
    name is read, nothing sorted in Python), twice: the store's list and the gallery's (two
    lists: each grows on its own; ``view=False``: the gallery reads its pages itself, None)."""
    with catalog._reading("image ids") as db:
        by_name = [row[0] for row in _rows(db, *_present_ids(source_root, _IMAGE_SORT_SQL["name"]))]
    return by_name, list(by_name) if view else None


#: Ids per JSON parameter of a count over a long id list (see :func:`pending_among`).
IDS_CHUNK: Final = 50_000
#: Rows psycopg fetches per call on a long answer: one fetchall of 3 000 000 rows held the GIL
#: for seconds (the GUI's event loop with it, when a worker listed a million images' faces).
FETCH_CHUNK: Final = 20_000


def _rows(db: Connection, sql: str, params: dict[str, Any]) -> Iterable[Any]:
    """The rows of a long answer (thousands of ids), read the fastest way for the connection:
    SQLite's cursor iterated, psycopg's fetched :data:`FETCH_CHUNK` rows per call (its cursor's
    iteration runs Python per row: 100 000 ids 0.47 -> 0.25 s; SQLite's fetchall is the slower
    one there)."""
    cursor = db.execute(sql, params)
    if dialect_of(db) != POSTGRESQL:
        return cursor
    return (row for chunk in iter(lambda: cursor.fetchmany(FETCH_CHUNK), []) for row in chunk)


def _present_ids(source_root: str | None, order: str) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    root = _root(source_root, params)
    return f"SELECT i.id FROM images AS i WHERE {root} AND i.status != 'missing' ORDER BY {order}", params


def source_face_lists(
    catalog: Catalog, *, source_root: str | None = None
) -> tuple[MutableSequence[int], MutableSequence[int]]:
    """What opening a source lists next, in one query: (faces in catalog order, pending faces in
    catalog order) — the lists :func:`face_ids` gives with ``"all"`` and ``"pending"``."""
    params: dict[str, Any] = {}
    root = _root(source_root, params)
    # compact: 8 bytes an id (a list of 3 000 000 ints is ~110 MB, this 24 MB)
    faces = array("q")
    pending = array("q")
    with catalog._reading("face ids") as db:
        for face_id, undecided in _rows(
            db,
            "SELECT f.id, coalesce(d.state, 'pending') = 'pending' FROM images AS i "
            "CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id "
            "LEFT JOIN decisions AS d ON d.face_id = f.id "
            f"WHERE i.status = 'ok' AND {root} ORDER BY i.source_root, i.name, i.id, f.idx",
            params,
        ):
            faces.append(face_id)
            if undecided:
                pending.append(face_id)
    return faces, pending


def order_keys(catalog: Catalog, sort: str, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """``image id -> its key`` in a name sort ("name": natural name order, "group": person then
    name), from the stored natural keys: the order SQL gives (``_IMAGE_SORT_SQL``), which the
    views insert new images by. One query, no row."""
    rows = _image_columns(catalog, ids, "i.name_key, i.name, i.source_root, i.group_key, i.group_name")
    if sort == "group":
        return {row[0]: (row[4], row[5], row[1], row[2], row[0]) for row in rows}
    return {row[0]: (row[1], row[2], row[3], row[0]) for row in rows}


def image_names(catalog: Catalog, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """``image id -> (name, source root, group)`` for these images (one query)."""
    rows = _image_columns(catalog, ids, "i.name, i.source_root, i.group_name")
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def image_problems(catalog: Catalog, ids: Sequence[int]) -> dict[int, tuple[str, str, str, str | None]]:
    """``image id -> (name, uri, status, error)`` for these images (one query, no row evaluated:
    what the problems dock shows of a changed image)."""
    rows = _image_columns(catalog, ids, "i.name, i.uri, i.status, i.error")
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def _image_columns(catalog: Catalog, ids: Sequence[int], columns: str) -> list[Any]:
    """``(id, *columns)`` of these images (one query; none for no id)."""
    if not ids:
        return []
    with catalog._reading("image names") as db:
        return db.execute(
            f"SELECT i.id, {columns} FROM images AS i WHERE i.id IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        ).fetchall()


def face_ids(
    catalog: Catalog,
    *,
    source_root: str | None = None,
    filter_name: str = "all",
    ruleset: int = 0,
    image_ids: Sequence[int] | None = None,
) -> list[int]:
    """Faces of present, readable images passing a face filter, in catalog order (image, then index).

    Faces without a stored verdict for ``ruleset`` count as ``unknown``.
    """
    params: dict[str, Any] = {"ruleset": ruleset}
    clauses = ["i.status = 'ok'", _root(source_root, params)]
    joins = ""
    if filter_name in ("pending", "accepted", "rejected"):
        joins = "LEFT JOIN decisions AS d ON d.face_id = f.id"
        clauses.append("coalesce(d.state, 'pending') = :state")
        params["state"] = filter_name
    elif filter_name in STATUS_CODES:
        joins = "LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id"
        clauses.append("coalesce(v.status, 2) = :status")
        params["status"] = STATUS_CODES[filter_name]
    elif filter_name != "all":
        raise CatalogError(f"unknown face filter {filter_name!r}")
    if image_ids is not None:
        clauses.append("i.id IN (SELECT value FROM json_each(:ids))")
        params["ids"] = _ids_json(image_ids)
    sql = (
        "SELECT f.id FROM images AS i "
        "CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id "
        f"{joins} WHERE {' AND '.join(clauses)} ORDER BY i.source_root, i.name, i.id, f.idx"
    )
    with catalog._reading("face ids") as db:
        return [row[0] for row in _rows(db, sql, params)]


def pending_face_ids(
    catalog: Catalog, *, ruleset: int, qualified: bool, source_root: str | None = None
) -> list[int]:
    """Pending faces whose stored verdict of ``ruleset`` is qualified (``qualified``) or not,
    in catalog order: the targets of a bulk decision. Faces without a stored verdict are left out
    (store them first: :func:`facecurator.services.browse.fill_verdicts`)."""
    params: dict[str, Any] = {"ruleset": ruleset, "qualified": QUALIFIED}
    root = _root(source_root, params)
    test = "v.status = :qualified" if qualified else "v.status != :qualified"
    sql = (
        "SELECT f.id FROM images AS i "
        "CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id "
        "JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id "
        "LEFT JOIN decisions AS d ON d.face_id = f.id "
        f"WHERE i.status = 'ok' AND {root} AND coalesce(d.state, 'pending') = 'pending' AND {test} "
        "ORDER BY i.source_root, i.name, i.id, f.idx"
    )
    with catalog._reading("bulk decision targets") as db:
        return [row[0] for row in _rows(db, sql, params)]


def images_by_id(catalog: Catalog, ids: Sequence[int]) -> list[ImageRow]:
    """The rows of these images, in the order given (unknown ids left out)."""
    if not ids:
        return []
    with catalog._reading("images") as db:
        rows = db.execute(
            f"SELECT {_IMAGE_COLUMNS} FROM images AS i WHERE i.id IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        ).fetchall()
    by_id = {row[0]: ImageRow(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def images_after(
    catalog: Catalog, source_root: str, after: tuple[str, int] | None, limit: int
) -> list[ImageRow]:
    """The next ``limit`` present images of ``source_root`` in catalog order after the key
    ``(name, id)``: a page of a walk that holds one page at a time, whatever the catalog's size.

    The key is a range start on the ``(source_root, name)`` index (each page costs its own rows,
    not a scan from the first image).
    """
    params: dict[str, Any] = {"limit": limit, "root": source_root}
    clauses = ["i.source_root = :root", "i.status != 'missing'"]
    if after is not None:
        clauses.append("(i.name, i.id) > (:a_name, :a_id)")
        params.update(a_name=after[0], a_id=after[1])
    with catalog._reading("images") as db:
        rows = db.execute(
            f"SELECT {_IMAGE_COLUMNS} FROM images AS i WHERE {' AND '.join(clauses)} "
            "ORDER BY i.source_root, i.name, i.id LIMIT :limit",
            params,
        ).fetchall()
    return [ImageRow(*row) for row in rows]


def image_of_faces(catalog: Catalog, face_ids: Iterable[int]) -> dict[int, int]:
    """``face id -> image id`` for these faces."""
    ids = list(face_ids)
    if not ids:
        return {}
    with catalog._reading("faces") as db:
        return dict(
            db.execute(
                "SELECT id, image_id FROM faces WHERE id IN (SELECT value FROM json_each(?))",
                (_ids_json(ids),),
            ).fetchall()
        )


def images_missing_verdicts(
    catalog: Catalog,
    ruleset: int,
    *,
    source_root: str | None = None,
    limit: int = 1000,
    after_id: int | None = None,
) -> list[int]:
    """Up to ``limit`` readable images (catalog order) with a face that has no stored verdict;
    ``after_id``: of the images with a larger id, in id order (a walk that never scans the
    images it passed again)."""
    params: dict[str, Any] = {"ruleset": ruleset, "limit": limit}
    root = _root(source_root, params)
    walk = ""
    if after_id is not None:
        walk, params["after"] = " AND i.id > :after", after_id
    order = "i.source_root, i.name" if after_id is None else "i.id"
    sql = f"""SELECT i.id FROM images AS i
              WHERE i.status = 'ok' AND {root}{walk} AND EXISTS (
                  SELECT 1 FROM faces AS f
                  WHERE f.image_id = i.id AND f.detection_id = i.detection_id
                    AND NOT EXISTS (SELECT 1 FROM verdicts AS v
                                    WHERE v.ruleset = :ruleset AND v.face_id = f.id))
              ORDER BY {order} LIMIT :limit"""
    with catalog._reading("missing verdicts") as db:
        return [row[0] for row in _rows(db, sql, params)]


def first_face_has_verdict(catalog: Catalog, ruleset: int, *, source_root: str) -> bool:
    """Whether the source's first readable face (by image id) has a stored verdict under
    ``ruleset``: one look by primary keys (a reopen's verdicts are stored, a first open's not)."""
    sql = """SELECT EXISTS (SELECT 1 FROM verdicts AS v WHERE v.ruleset = :ruleset AND v.face_id = (
                 SELECT f.id FROM images AS i JOIN faces AS f
                   ON f.image_id = i.id AND f.detection_id = i.detection_id
                 WHERE i.status = 'ok' AND i.source_root = :root ORDER BY i.id LIMIT 1))"""
    with catalog._reading("missing verdicts") as db:
        return bool(db.execute(sql, {"ruleset": ruleset, "root": source_root}).fetchone()[0])


def put_verdicts(
    catalog: Catalog, ruleset: int, rows: Sequence[tuple[int, int, float | None, str, str]]
) -> None:
    """Store ``(face id, status, blur 0-100, outcomes, reasons)`` verdicts of a rule set version,
    in one transaction (``outcomes``: :func:`facecurator.domain.filter_sql.encode_outcomes`;
    ``reasons``: :func:`facecurator.services.review.reasons_text`)."""
    if not rows:
        return
    with catalog._write("store verdicts") as db:
        db.executemany(
            "INSERT INTO verdicts (ruleset, face_id, status, blur, outcomes, reasons)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ruleset, face_id) DO UPDATE SET"
            " status = excluded.status, blur = excluded.blur, outcomes = excluded.outcomes,"
            " reasons = excluded.reasons",
            [(ruleset, *row) for row in rows],
        )


def counts(catalog: Catalog, *, source_root: str | None = None, ruleset: int = 0) -> dict[str, int]:
    """The contract's ``summary`` counts (images, errors, faces, qualified, accepted, rejected,
    pending) in SQL; ``qualified`` counts the stored verdicts of ``ruleset``.

    Three statements each planned well: the images; the faces with their qualified verdicts in
    one pass; the decided faces from the decisions (by primary keys); pending is every face less
    the decided ones. One statement with the decisions and the verdicts left-joined to every face
    was, on PostgreSQL, a probe of both primary keys per face (the faces' join with their images
    is estimated at one row: two correlated join columns): 9.5-10 s at 1 000 000 images / 3 000
    000 faces under load 8, 15-20 s at 11-13; there the qualified verdicts are hash-joined."""
    params: dict[str, Any] = {"ruleset": ruleset}
    root = _root(source_root, params)
    with catalog._reading("counts") as db:
        errors_sql = _count("i.status = 'error'")
        images, errors = db.execute(
            f"SELECT count(*), {errors_sql} FROM images AS i WHERE i.status != 'missing' AND {root}",
            params,
        ).fetchone()
        decided = dict.fromkeys(("accepted", "rejected"), 0)
        for state, number in db.execute(
            f"""SELECT d.state, count(*) FROM decisions AS d CROSS JOIN faces AS f ON f.id = d.face_id
                CROSS JOIN images AS i ON i.id = f.image_id AND i.detection_id = f.detection_id
                WHERE d.state != 'pending' AND i.status = 'ok' AND {root} GROUP BY d.state""",
            params,
        ).fetchall():
            decided[state] = int(number)
        faces_sql = f"""SELECT count(*), count(v.face_id) FROM images AS i
                CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
                LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id AND v.status = 1
                WHERE i.status = 'ok' AND {root}"""
        if dialect_of(db) == POSTGRESQL:
            with db.raw.transaction():  # (SET LOCAL: for this statement's transaction only)
                # a hash join of the qualified verdicts, not a probe per face (planned as a
                # nested loop over the one row estimated); no JIT (compiling took 0.1 s)
                db.raw.execute("SET LOCAL enable_nestloop = off")
                db.raw.execute("SET LOCAL jit = off")
                faces, qualified = db.execute(faces_sql, params).fetchone()
        else:
            faces, qualified = db.execute(faces_sql, params).fetchone()
    return {
        "images": images,
        "errors": errors,
        "faces": faces,
        "qualified": qualified,
        "accepted": decided["accepted"],
        "rejected": decided["rejected"],
        "pending": int(faces) - decided["accepted"] - decided["rejected"],
    }


def header_counts(catalog: Catalog, *, source_root: str | None = None) -> dict[str, int]:
    """The gallery header's figures: the source's ``images`` (not missing), ``faces`` and
    ``pending`` faces, without the verdicts (:func:`counts` joins them: 1.8-5.2 s at 1 000 000
    images / 3 000 000 faces on PostgreSQL at load 4); pending: every face less the decided
    ones. On PostgreSQL the faces are each image's detection's ``face_count`` (an image has a
    face row per face of its detection: ``record_image``), a join of the images with their
    detections estimated right (1.05 s there; the faces' join with their images is estimated at
    one row); SQLite counts the faces' join (its covering index; the detections read by primary
    key were slower there: 4.7-5.5 s against 1-2.3 s)."""
    params: dict[str, Any] = {}
    root = _root(source_root, params)
    with catalog._reading("counts") as db:
        if dialect_of(db) == POSTGRESQL:
            images, faces = db.execute(
                "SELECT count(*), coalesce(sum(CASE WHEN i.status = 'ok' THEN d.face_count ELSE 0 END), 0)"
                " FROM images AS i LEFT JOIN detections AS d ON d.id = i.detection_id"
                f" WHERE i.status != 'missing' AND {root}",
                params,
            ).fetchone()
        else:
            images = db.execute(
                f"SELECT count(*) FROM images AS i WHERE i.status != 'missing' AND {root}", params
            ).fetchone()[0]
            faces = db.execute(
                "SELECT count(*) FROM images AS i"
                " CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id"
                f" WHERE i.status = 'ok' AND {root}",
                params,
            ).fetchone()[0]
        decided = db.execute(
            "SELECT count(*) FROM decisions AS d CROSS JOIN faces AS f ON f.id = d.face_id"
            " CROSS JOIN images AS i ON i.id = f.image_id AND i.detection_id = f.detection_id"
            f" WHERE d.state != 'pending' AND i.status = 'ok' AND {root}",
            params,
        ).fetchone()[0]
    return {"images": int(images), "faces": int(faces), "pending": int(faces) - int(decided)}


def pending_among(catalog: Catalog, face_ids: Sequence[int]) -> int:
    """How many of these faces are pending."""
    if not face_ids:
        return 0
    seen: set[int] = set()
    decided = 0
    with catalog._reading("decisions") as db:
        # a chunk at a time: one JSON text of 3 000 000 ids (or one set of them) is made in one C
        # call holding the GIL half a second (a worker's: the GUI's event loop stalled with it)
        for start in range(0, len(face_ids), IDS_CHUNK):
            chunk = [i for i in face_ids[start : start + IDS_CHUNK] if i not in seen]
            seen.update(chunk)
            decided += db.execute(
                "SELECT count(*) FROM decisions WHERE state != 'pending' "
                "AND face_id IN (SELECT value FROM json_each(?))",
                (_ids_json(chunk),),
            ).fetchone()[0]
    return len(seen) - int(decided)


def first_pending(catalog: Catalog, face_ids: Sequence[int]) -> int | None:
    """The index in ``face_ids`` of the first pending face (None: none is), their decisions read
    a chunk at a time: a few hundred ids first (the next pending face is most often near), each
    chunk four times the last, up to :data:`IDS_CHUNK`."""
    start, size = 0, 512
    with catalog._reading("decisions") as db:
        while start < len(face_ids):
            chunk = list(face_ids[start : start + size])
            decided = {
                int(row[0])
                for row in db.execute(
                    "SELECT face_id FROM decisions WHERE state != 'pending' "
                    "AND face_id IN (SELECT value FROM json_each(?))",
                    (_ids_json(chunk),),
                )
            }
            for offset, face_id in enumerate(chunk):
                if face_id not in decided:
                    return start + offset
            start, size = start + len(chunk), min(4 * size, IDS_CHUNK)
    return None


def error_images(
    catalog: Catalog, *, source_root: str | None = None
) -> list[tuple[int, str, str, str | None]]:
    """``(id, name, uri, error)`` of the images whose last read failed, in catalog order.

    Sorted after they are found: SQLite walked the source's name index for the order, reading
    every image of the source (3.4 s at 1 000 000 images, 16 s under load on the query worker,
    where a scan's new rows waited behind it), not its status index (0.1 ms)."""
    params: dict[str, Any] = {}
    root = _root(source_root, params)
    with catalog._reading("image errors") as db:
        return [
            (row[0], row[1], row[2], row[3])
            for row in db.execute(
                f"SELECT i.id, i.name, i.uri, i.error FROM images AS i WHERE i.status = 'error' AND {root} "
                "ORDER BY i.source_root, i.name || ''",
                params,
            )
        ]
