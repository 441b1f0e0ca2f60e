"""The gallery's other views (a filter, another sort) as an ordered id list streamed in chunks.

The default view (a source's images by name, no filter) is read in keyset pages
(:mod:`facecurator.services.catalog.pages`). Any other view -- a named filter (pending,
qualified, ...), the filter bar's face filter, the person sort or a sort by counts -- is
one query here, read a chunk at a time on a worker and written to a scratch file the GUI
pages through (:mod:`facecurator.gui.view_ids`): nothing on the GUI thread reads the
whole list, and the GUI never holds it.

The filters are written per image (``EXISTS`` over the image's faces of its current
detection) rather than as one aggregate over the whole source: with the name and person
sorts the rows then come in the order of an index (``images_by_root_natural``,
``images_by_root_person``), the first ones at once, a long list streaming behind them. The
sorts by counts (faces, blur, problems) aggregate first (no index orders by a count): their
first rows come when the aggregate is done. Both forms select the images
:func:`facecurator.services.catalog.queries.image_ids` selects, in its order (a test holds
them equal).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

from facecurator.errors import CatalogError
from facecurator.services.catalog import queries as q
from facecurator.services.catalog.dialect import POSTGRESQL, dialect_of, to_postgres
from facecurator.services.catalog.rows import _ids_json

if TYPE_CHECKING:
    from facecurator.services.catalog.database import Catalog

_FACES: Final = "FROM faces AS f{join} WHERE f.image_id = i.id AND f.detection_id = i.detection_id AND {test}"
_DECIDED: Final = " JOIN decisions AS d ON d.face_id = f.id"
_VERDICT: Final = " JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id"


def _exists(join: str, test: str) -> str:
    return f"i.status = 'ok' AND EXISTS (SELECT 1 {_FACES.format(join=join, test=test)})"


#: Each gallery filter as a test of one image (the images ``queries._IMAGE_FILTER_SQL`` selects).
IMAGE_TESTS: Final = {
    "all": "1 = 1",
    "errors": "i.status = 'error'",
    # "no decision other than pending" as an anti-join: PostgreSQL estimated the left join's
    # ``d.state IS NULL OR ...`` at one row and re-scanned every face per image
    "pending": _exists(
        "", "NOT EXISTS (SELECT 1 FROM decisions AS d WHERE d.face_id = f.id AND d.state != 'pending')"
    ),
    "accepted": _exists(_DECIDED, "d.state = 'accepted'"),
    "rejected": _exists(_DECIDED, "d.state = 'rejected'"),
    "qualified": _exists(_VERDICT, f"v.status = {q.QUALIFIED}"),
    "unqualified": _exists(_VERDICT, f"v.status = {q.UNQUALIFIED}"),
}
#: Sorts whose order an index gives (rows stream); the others aggregate first.
INDEXED_SORTS: Final = ("name", "group")

#: Ids read per chunk after the first (psycopg's and SQLite's rows made a chunk at a time).
CHUNK: Final = q.FETCH_CHUNK
#: The first chunk: a screenful or two, shown while the rest streams.
FIRST_CHUNK: Final = 512


def where(
    filter_name: str,
    *,
    source_root: str | None,
    ruleset: int,
    extra: tuple[str, dict[str, Any]] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause over ``images AS i`` of a view: present images of the source passing
    the filter (and ``extra``, an image-level clause such as the face filter's), with its
    parameters."""
    params: dict[str, Any] = {"ruleset": ruleset}
    present = f"i.status != 'missing' AND {q._root(source_root, params)}"
    return f"{present} AND {_test(filter_name, extra, params)}", params


def _test(filter_name: str, extra: tuple[str, dict[str, Any]] | None, params: dict[str, Any]) -> str:
    """The filter's own test of one image (and ``extra``'s), beside the source's present images."""
    if filter_name not in IMAGE_TESTS:
        raise CatalogError(f"unknown gallery filter {filter_name!r}")
    if extra is None:
        return IMAGE_TESTS[filter_name]
    params.update(extra[1])
    return f"{IMAGE_TESTS[filter_name]} AND {extra[0]}"


def view_sql(
    filter_name: str,
    sort: str,
    *,
    source_root: str | None,
    ruleset: int,
    extra: tuple[str, dict[str, Any]] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The query of a view's image ids in the sort's order (the order of ``queries.image_ids``)."""
    if sort not in q._IMAGE_SORT_SQL:
        raise CatalogError(f"unknown gallery sort {sort!r}")
    clause, params = where(filter_name, source_root=source_root, ruleset=ruleset, extra=extra)
    order = q._IMAGE_SORT_SQL[sort]
    if sort in INDEXED_SORTS:
        return f"SELECT i.id FROM images AS i WHERE {clause} ORDER BY {order}", params
    counts = q._PER_IMAGE.format(where=q._root(source_root, params))
    return (
        f"WITH s AS ({counts}) SELECT i.id FROM images AS i LEFT JOIN s ON s.image_id = i.id "
        f"WHERE {clause} ORDER BY {order}",
        params,
    )


def view_chunks(
    catalog: Catalog, sql: str, params: dict[str, Any], *, stop: Callable[[], bool] = lambda: False
) -> Iterator[array[int]]:
    """The ids a view query answers, a chunk at a time (:data:`FIRST_CHUNK` first, then
    :data:`CHUNK`), for a worker; ``stop()`` ends the read between chunks."""
    with catalog._reading("a view's image ids") as db:
        if dialect_of(db) != POSTGRESQL:
            _mapped(db)
            yield from _chunks(db.execute(sql, params), stop)
            return
        # psycopg's cursor holds the whole answer before the first row: a server-side cursor
        # (in a read transaction of its own) sends the rows as they are fetched
        with db.raw.transaction(), db.raw.cursor(name="facecurator_view") as cursor:
            # no JIT: the plan's cost (a million rows) made the server compile it first, 0.7-0.9 s
            # before the first row at 1M (a fast-start plan: 0.07 s without)
            db.raw.execute("SET LOCAL jit = off")
            cursor.execute(to_postgres(sql), params)
            yield from _chunks(cursor, stop)


#: SQLite: the bytes of the catalog file a listing or a count reads through a memory map. A
#: view in name order walks the table in no order of its pages, read a page at a time by
#: ``pread`` otherwise: "pending" at 1M took 12-17 s (4.0-4.4 s CPU) unmapped, 7.5 s (2.4 s)
#: mapped (sqlite3, load 9-11).
MAPPED_BYTES: Final = 1 << 31


def _mapped(db: Any) -> None:
    """This SQLite connection reads the catalog through a memory map (:data:`MAPPED_BYTES`)."""
    db.execute(f"PRAGMA mmap_size = {MAPPED_BYTES}")


def _chunks(cursor: Any, stop: Callable[[], bool]) -> Iterator[array[int]]:
    size = FIRST_CHUNK
    while not stop():
        rows = cursor.fetchmany(size)
        if not rows:
            return
        yield array("q", [row[0] for row in rows])
        size = CHUNK


def group_sizes(catalog: Catalog, clause: str, params: dict[str, Any]) -> dict[str, int]:
    """How many images of a view (its :func:`where` clause) each person (group) has: one
    grouped count."""
    with catalog._reading("images per person") as db:
        rows = db.execute(
            f"SELECT i.group_name, count(*) FROM images AS i WHERE {clause} GROUP BY i.group_name", params
        ).fetchall()
    return {str(group): int(count) for group, count in rows}


#: The estimate's sample: this many ranges of image ids, each :data:`SAMPLE_SPAN` ids long,
#: spread evenly over the catalog's ids (a range of the primary key each: a few thousand rows
#: read whatever the catalog's size).
SAMPLE_RANGES: Final = 32
SAMPLE_SPAN: Final = 64


def estimate(
    catalog: Catalog,
    filter_name: str,
    *,
    source_root: str | None,
    ruleset: int,
    extra: tuple[str, dict[str, Any]] | None = None,
) -> int | None:
    """About how many images of the source pass a view's filter: those passing among a sample
    of the catalog's ids (:data:`SAMPLE_RANGES` ranges spread over them), scaled to every id.
    One query of a few thousand rows by the primary key on either backend, before any count
    of the source (the planner's estimate of an anti-join is far off: PostgreSQL guessed one
    row for "pending"). None: the sample holds none of the source's images."""
    params: dict[str, Any] = {"ruleset": ruleset}
    test = _test(filter_name, extra, params)
    with catalog._reading("a view's estimated count") as db:
        last = int(db.execute("SELECT max(id) FROM images").fetchone()[0] or 0)
        stride = max(SAMPLE_SPAN, last // SAMPLE_RANGES + 1)
        starts = range(1, last + 1, stride)
        sample = [i for low in starts for i in range(low, min(low + SAMPLE_SPAN, last + 1))]
        params["ids"] = _ids_json(sample)
        source = f"i.status != 'missing' AND {q._root(source_root, params)}"
        row = db.execute(  # the sampled ids by the primary key (a WHERE on the source: its index walked)
            f"SELECT sum(CASE WHEN {source} THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {source} AND {test} THEN 1 ELSE 0 END) FROM images AS i "
            "WHERE i.id IN (SELECT value FROM json_each(:ids))",
            params,
        ).fetchone()
    sampled, passed = int(row[0] or 0), int(row[1] or 0)
    return None if sampled == 0 else round(passed * last / len(sample))


def last_id(catalog: Catalog) -> int:
    """The largest image id of the catalog (0: none): a source has at most that many images."""
    with catalog._reading("the last image id") as db:
        row = db.execute("SELECT id FROM images ORDER BY id DESC LIMIT 1").fetchone()
    return 0 if row is None else int(row[0])


def count(catalog: Catalog, clause: str, params: dict[str, Any]) -> int:
    """How many images a view has (its :func:`where` clause): one count, no row read out."""
    with catalog._reading("a view's count") as db:
        if dialect_of(db) != POSTGRESQL:
            _mapped(db)
        return int(db.execute(f"SELECT count(*) FROM images AS i WHERE {clause}", params).fetchone()[0])


def view_page(catalog: Catalog, sql: str, params: dict[str, Any], *, offset: int, limit: int) -> list[int]:
    """The ids of rows ``offset`` .. ``offset + limit - 1`` of a view's query (its ``ORDER BY``
    last): for a worker, a jump ahead of the view's listing (an OFFSET walk of the rows before)."""
    with catalog._reading("a page of a view") as db:
        if dialect_of(db) != POSTGRESQL:
            _mapped(db)
        bounded = f"{sql} LIMIT :view_limit OFFSET :view_offset"
        rows = db.execute(bounded, {**params, "view_limit": limit, "view_offset": offset}).fetchall()
    return [int(row[0]) for row in rows]
