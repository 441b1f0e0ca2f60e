"""The view orders a paged grid reads by keyset (:class:`KeySource`): a source's images by name
(:class:`ImagePages`); Triage's faces are :class:`~facecurator.services.catalog.face_pages.FacePages`."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Protocol

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import pages as p
from facecurator.services.catalog import queries as q

#: A far go-to's row is estimated from the view's keys of this many ranges of ids, each
#: :data:`ESTIMATE_SPAN` ids long, spread over the ids (read by primary key: a few thousand rows
#: whatever the size).
ESTIMATE_RANGES: Final = 64
ESTIMATE_SPAN: Final = 32

#: A far page's key is picked among the keys of this many ids spread evenly over the ids.
FAR_IDS: Final = 4096
#: The far pages' counted keys a list keeps (``far_page``'s anchors).
FAR_ANCHORS: Final = 32

#: A row's place in a view's order; its last item is the row's id.
Key = tuple[Any, ...]


class KeySource(Protocol):
    """The keyset queries of one view's order (each LIMIT-ed, a count, or by a list of ids);
    ``rank_far`` counts a key's row in one pass over the view (a row far from every sampled key;
    given the view's ``count`` when the key is thought to be in its second half, it may count the
    rows after it instead).
    ``counted_far``: a far page is read from a key counted so (:func:`far_page`), not by OFFSET.
    ``sample_whole``: the jump sample in one pass (None: walked a chunk a query).
    ``sparse``: its rows may lie far apart in what a page's read walks (a decision state's few
    faces), so every page not held is read on a worker, even from an end, a sampled key or a page
    held beside it (PgDown)."""

    counted_far: ClassVar[bool]

    @property
    def sparse(self) -> bool: ...

    def page(
        self, catalog: Catalog, *, after: Any = None, before: Any = None, start: Any = None,
        offset: int = 0, limit: int, backward: bool = False,
    ) -> Sequence[Key]: ...  # fmt: skip
    def keys_of(self, catalog: Catalog, ids: Sequence[int], /) -> dict[int, Any]: ...
    def rank(self, catalog: Catalog, key: Any, start: Any = None, /) -> int: ...
    def rank_far(self, catalog: Catalog, key: Any, count: int | None = None, /) -> int: ...
    def sample(
        self, catalog: Catalog, step: int, /, *, start: Any = None, rows: int | None = None
    ) -> Sequence[Key]: ...
    def sample_whole(self, catalog: Catalog, step: int, /) -> Sequence[Key] | None: ...
    def every_id(self, catalog: Catalog, /) -> list[int]: ...
    def last_id(self, catalog: Catalog, /) -> int: ...


@dataclass(frozen=True)
class ImagePages:
    """The present images of ``source_root`` in natural name order (the gallery's default view)."""

    source_root: str
    #: (an OFFSET walk of its covering index is cheaper: 0.13 s to the middle of 1M images on
    #: PostgreSQL, against 0.23 s for far_page)
    counted_far: ClassVar[bool] = False

    @property
    def sparse(self) -> bool:
        return False  # (every present image of the source: a page walks its own rows)

    def page(
        self, catalog: Catalog, *, after: Any = None, before: Any = None, start: Any = None,
        offset: int = 0, limit: int, backward: bool = False,
    ) -> list[p.Key]:  # fmt: skip
        bounds = {"after": after, "before": before, "start": start}
        return p.page(catalog, self.source_root, **bounds, offset=offset, limit=limit, backward=backward)

    def keys_of(self, catalog: Catalog, ids: Sequence[int], /) -> dict[int, p.Key]:
        return p.keys_of(catalog, self.source_root, ids)

    def rank(self, catalog: Catalog, key: p.Key, start: p.Key | None = None, /) -> int:
        return p.rank(catalog, self.source_root, key, start)

    def rank_far(self, catalog: Catalog, key: p.Key, count: int | None = None, /) -> int:
        return self.rank(catalog, key)  # (one range of the covering index from its start)

    def sample(
        self, catalog: Catalog, step: int, /, *, start: Any = None, rows: int | None = None
    ) -> list[p.Key]:
        return p.sample(catalog, self.source_root, step, start=start, rows=rows)

    def sample_whole(self, catalog: Catalog, step: int, /) -> None:
        return None  # (walked: ~1 s at 1 000 000 images, a chunk a query)

    def every_id(self, catalog: Catalog, /) -> list[int]:
        return q.image_ids(catalog, source_root=self.source_root, sort="name")

    def last_id(self, catalog: Catalog, /) -> int:
        return p.last_id(catalog)


def _id_sample(
    catalog: Catalog, source: KeySource, ranges: int = ESTIMATE_RANGES, span: int = ESTIMATE_SPAN
) -> list[Key]:
    """The view's keys among a sample of the ids (``ranges`` ranges of ``span`` ids, spread evenly
    up to the last id: one query by primary key), in the view's order (keys compare in Python as
    in SQL)."""
    last = source.last_id(catalog)
    stride = max(span, last // ranges + 1)
    ids = [i for low in range(1, last + 1, stride) for i in range(low, min(low + span, last + 1))]
    return sorted(tuple(k) for k in source.keys_of(catalog, ids).values())


def share_before(catalog: Catalog, source: KeySource, key: Key) -> float | None:
    """About the share of a view's rows that come before ``key``: of the view's keys among a
    sample of the ids, those before it. None: the sample holds none of the view's rows."""
    sampled = _id_sample(catalog, source)
    return bisect_left(sampled, tuple(key)) / len(sampled) if sampled else None


def far_page(
    catalog: Catalog, source: KeySource, first_row: int, count: int, limit: int,
    anchors: list[tuple[Key, int]] | None = None, reach: int = 0,
) -> dict[str, Any] | None:  # fmt: skip
    """The ``page`` arguments of the rows from ``first_row`` of a view of ``count`` rows, far from
    every key the list knows: from the nearest of ``anchors`` (keys and their counted rows: the
    far pages read before) within ``reach`` rows of it, else from the key at about that share of
    the view among those of :data:`FAR_IDS` ids spread over the ids, its row counted in one pass
    (``rank_far``), then a walk of the estimate's error to the key at ``first_row`` (at 3 000 000
    faces 4-6 % of the rows with the go-to's 64 ranges of 32 ids, whose ids are neighbours); both
    keys are added to ``anchors`` (the drag's next pages walk from them). None: the sample holds
    none of the view's rows. An OFFSET walk from the start to the middle took 4-31 s at 3 000 000
    faces (PostgreSQL: 1.4 s for each 65 536 rows)."""
    near = min(anchors or (), key=lambda anchor: abs(anchor[1] - first_row), default=None)
    if near is not None and abs(near[1] - first_row) <= reach:
        key, row = near
    else:
        sampled = _id_sample(catalog, source, FAR_IDS, 1)
        if not sampled:
            return None
        key = sampled[min(len(sampled) - 1, first_row * len(sampled) // max(count, 1))]
        row = source.rank_far(catalog, key, count if 2 * first_row > count else None)
        if anchors is not None:
            anchors[:] = [*anchors[-(FAR_ANCHORS - 1) :], (key, row)]
    if row != first_row:  # the key at first_row, walked to from it (the next pages walk from there)
        found = (
            source.page(catalog, before=key, offset=row - first_row - 1, limit=1)
            if row > first_row
            else source.page(catalog, start=key, offset=first_row - row, limit=1)
        )
        if not found:
            return None
        key = found[0]
        if anchors is not None:
            anchors[:] = [*anchors[-(FAR_ANCHORS - 1) :], (key, first_row)]
    return {"start": key, "limit": limit}


def page_around(catalog: Catalog, source: KeySource, key: Key, page: int, row: int) -> tuple[int, list[Key]]:
    """(``row``, the keys of its page of ``page`` rows): read around ``key``, the key at ``row``
    (by keyset)."""
    offset = row % page
    before = list(source.page(catalog, before=key, limit=offset)) if offset else []
    return row, before + list(source.page(catalog, start=key, limit=page - offset))
