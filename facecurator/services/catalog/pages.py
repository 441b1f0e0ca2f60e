"""Keyset pages of a source's images in natural name order: a gallery without a list of every id.

The gallery's default view (a source's present images by name, no filter) is read a page at a
time from the covering index ``images_by_root_natural (source_root, name_key, name, id,
status)``, the Anki browser shape at any size: the view knows the COUNT (one indexed count),
reads the next page after the last key it has (``WHERE (name_key, name, id) > (?, ?, ?) ORDER
BY ... LIMIT n``: a range start on the index, whatever the row), and maps a row number to a key
with a sparse sample of the keys (every ``step``-th row, taken once on a worker) plus a short
``OFFSET`` from the nearest sampled key. Every query here has a ``LIMIT`` or is a count, so a
page costs its own rows on SQLite and on PostgreSQL alike.

A key is ``(name_key, name, id)``; its last item is the image id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from facecurator.services.catalog.rows import _ids_json

if TYPE_CHECKING:
    from facecurator.services.catalog.database import Catalog

#: One image's place in the natural name order: (name_key, name, id).
Key = tuple[str, str, int]

_KEY: Final = "i.name_key, i.name, i.id"
_PRESENT: Final = "i.source_root = :root AND i.status != 'missing'"
#: The same test of images read by id: the source written as an expression (``|| ''``) so that
#: SQLite reads the ids by primary key, not the source's index (which it picked at 1M: a scan of
#: every image of the source for one id, 0.22 s); PostgreSQL plans it by the ids alike.
_PRESENT_BY_ID: Final = "i.source_root || '' = :root AND i.status != 'missing'"


def _key(row: Sequence[Any]) -> Key:
    return (str(row[0]), str(row[1]), int(row[2]))


def present_count(catalog: Catalog, source_root: str) -> int:
    """How many present images the source has (one count on the index)."""
    return present_count_and_last(catalog, source_root)[0]


def present_count_and_last(catalog: Catalog, source_root: str) -> tuple[int, int]:
    """How many present images the source has, and the largest image id of the catalog (images
    recorded later have larger ids): one count on the index and one read of the key's end."""
    with catalog._reading("image count") as db:
        sql = f"SELECT count(*) FROM images AS i WHERE {_PRESENT}"
        count = db.execute(sql, {"root": source_root}).fetchone()[0]
        last = db.execute("SELECT max(id) FROM images").fetchone()[0]
    return int(count), int(last or 0)


def keyset(
    where: str, columns: str, params: dict[str, Any], *, after: Sequence[Any] | None = None,
    before: Sequence[Any] | None = None, start: Sequence[Any] | None = None, backward: bool = False,
) -> tuple[str, str]:  # fmt: skip
    """``where`` narrowed to the rows after the key ``after``, before ``before`` or from ``start``
    on (its first items bound to ``columns``, a comma-separated list), and the ORDER BY of that
    read (descending before ``before`` and ``backward``: its rows read back from the key or from
    the end). Fills ``params``."""
    names = columns.split(", ")
    bound = after or before or start
    if bound is not None:
        marks = ", ".join(f":b{n}" for n in range(len(names)))
        where += f" AND ({columns}) {'>' if after else '<' if before else '>='} ({marks})"
        params.update({f"b{n}": bound[n] for n in range(len(names))})
    return where, columns if before is None and not backward else ", ".join(f"{name} DESC" for name in names)


def page(
    catalog: Catalog, source_root: str, *, after: Key | None = None, before: Key | None = None,
    start: Key | None = None, offset: int = 0, limit: int, backward: bool = False,
) -> list[Key]:  # fmt: skip
    """Up to ``limit`` keys in name order: after the key ``after``, or the ones just before
    ``before`` (still in name order), or from the key ``start`` on skipping ``offset`` rows, or
    the rows from ``offset`` (no key: the index walked from its start; ``backward``: the rows
    before the last ``offset`` ones, the index walked from its end)."""
    params: dict[str, Any] = {"root": source_root, "limit": limit, "offset": offset}
    where, order = keyset(_PRESENT, _KEY, params, after=after, before=before, start=start, backward=backward)
    with catalog._reading("a page of images") as db:
        rows = db.execute(
            f"SELECT {_KEY} FROM images AS i WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
            params,
        ).fetchall()
    keys = [_key(row) for row in rows]
    return keys[::-1] if before is not None or backward else keys


def keys_of(catalog: Catalog, source_root: str, image_ids: Sequence[int]) -> dict[int, Key]:
    """``id -> key`` of those of these images that are present in the source (one query)."""
    if not image_ids:
        return {}
    with catalog._reading("image keys") as db:
        rows = db.execute(
            f"SELECT {_KEY} FROM images AS i "
            f"WHERE i.id IN (SELECT value FROM json_each(:ids)) AND {_PRESENT_BY_ID}",
            {"ids": _ids_json(image_ids), "root": source_root},
        ).fetchall()
    return {int(row[2]): _key(row) for row in rows}


def rank(catalog: Catalog, source_root: str, key: Key, start: Key | None = None) -> int:
    """The row of ``key`` in the name order: how many present images come before it (one count
    over a range of the index); ``start``: how many from the key ``start`` on (a shorter range,
    from a sampled key)."""
    params: dict[str, Any] = {"root": source_root}
    where = below(keyset(_PRESENT, _KEY, params, start=start)[0], _KEY, params, key)
    with catalog._reading("an image's row") as db:
        row = db.execute(f"SELECT count(*) FROM images AS i WHERE {where}", params).fetchone()
    return int(row[0])


def below(where: str, columns: str, params: dict[str, Any], key: Sequence[Any]) -> str:
    """``where`` narrowed to the rows before ``key`` (its first items bound to ``columns``)."""
    names = columns.split(", ")
    params.update({f"k{n}": key[n] for n in range(len(names))})
    return f"{where} AND ({columns}) < ({', '.join(f':k{n}' for n in range(len(names)))})"


def sample(
    catalog: Catalog, source_root: str, step: int, *, start: Key | None = None, rows: int | None = None
) -> list[Key]:
    """The keys of rows 0, ``step``, 2 ``step`` ... in name order (for a worker; a million images
    give ``1 000 000 / step`` keys); ``start``/``rows``: of the ``rows`` rows from the key
    ``start`` on only (a walk in chunks: :func:`walked`)."""
    return walked(lambda **bounds: page(catalog, source_root, **bounds), step, start, rows)


def walked(read: Callable[..., Sequence[Any]], step: int, start: Any, rows: int | None) -> list[Any]:
    """The keys of rows 0, ``step``, 2 ``step`` ... of the first ``rows`` rows (None: all) from the
    key ``start`` on (None: from the first row), each read ``step`` rows on from the one before
    by OFFSET with ``read`` (a view's ``page``: LIMIT 1, nothing kept of the rows walked). Rows
    numbered in SQL instead (``row_number()`` over the walk) took 13 times as long for images
    (0.115 -> 0.008 s a 65 536-row chunk at 1M) and twice as long for faces (0.16 -> 0.08 s)."""
    keys = [start] if start is not None else list(read(offset=0, limit=1))
    while keys and (rows is None or len(keys) * step < rows):
        after = read(start=keys[-1], offset=step, limit=1)
        if not after:
            break
        keys.append(after[0])
    return keys


def last_id(catalog: Catalog, table: str = "images") -> int:
    """The largest id of ``table`` ("images" or "faces"; 0: none): the end of the ids a go-to's
    row is estimated from (the primary key's last entry)."""
    if table not in ("images", "faces"):
        raise ValueError(table)
    with catalog._reading("the last id") as db:
        row = db.execute(f"SELECT id FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
    return 0 if row is None else int(row[0])
