"""The view orders a paged grid reads by keyset (:class:`KeySource`): a source's images by name
(:class:`ImagePages`); Triage's faces are :class:`~facecurator.services.catalog.face_pages.FacePages`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import pages as p
from facecurator.services.catalog import queries as q

#: A far go-to's row is estimated from the view's keys of this many ranges of ids, each
#: :data:`ESTIMATE_SPAN` ids long, spread over the ids (read by primary key: a few thousand rows
#: whatever the size).
ESTIMATE_RANGES: Final = 64
ESTIMATE_SPAN: Final = 32

#: A row's place in a view's order; its last item is the row's id.
Key = tuple[Any, ...]


class KeySource(Protocol):
    """The keyset queries of one view's order (each LIMIT-ed, a count, or by a list of ids)."""

    def page(
        self, catalog: Catalog, *, after: Any = None, before: Any = None, start: Any = None,
        offset: int = 0, limit: int, backward: bool = False,
    ) -> Sequence[Key]: ...  # fmt: skip
    def keys_of(self, catalog: Catalog, ids: Sequence[int], /) -> dict[int, Any]: ...
    def rank(self, catalog: Catalog, key: Any, start: Any = None, /) -> int: ...
    def sample(
        self, catalog: Catalog, step: int, /, *, start: Any = None, rows: int | None = None
    ) -> Sequence[Key]: ...
    def every_id(self, catalog: Catalog, /) -> list[int]: ...
    def last_id(self, catalog: Catalog, /) -> int: ...


@dataclass(frozen=True)
class ImagePages:
    """The present images of ``source_root`` in natural name order (the gallery's default view)."""

    source_root: str

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

    def sample(
        self, catalog: Catalog, step: int, /, *, start: Any = None, rows: int | None = None
    ) -> list[p.Key]:
        return p.sample(catalog, self.source_root, step, start=start, rows=rows)

    def every_id(self, catalog: Catalog, /) -> list[int]:
        return q.image_ids(catalog, source_root=self.source_root, sort="name")

    def last_id(self, catalog: Catalog, /) -> int:
        return p.last_id(catalog)


def share_before(catalog: Catalog, source: KeySource, key: Key) -> float | None:
    """About the share of a view's rows that come before ``key``: of the view's keys among a
    sample of the ids (:data:`ESTIMATE_RANGES` ranges of :data:`ESTIMATE_SPAN` ids, spread
    evenly up to the last id: one query by primary key), those before it (keys compare in
    Python as in SQL). None: the sample holds none of the view's rows."""
    last = source.last_id(catalog)
    stride = max(ESTIMATE_SPAN, last // ESTIMATE_RANGES + 1)
    ids = [i for low in range(1, last + 1, stride) for i in range(low, min(low + ESTIMATE_SPAN, last + 1))]
    sampled = source.keys_of(catalog, ids).values()
    wanted = tuple(key)
    return sum(tuple(k) < wanted for k in sampled) / len(sampled) if sampled else None
