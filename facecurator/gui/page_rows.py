"""A view's ids read a page at a time, as a sequence: what the listed view (view_ids.ListedIds)
and the keyset-paged one (paged_ids.PagedIds) share — a row is (page, offset)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload


class PageRows(Sequence[int]):
    """Rows ``0 .. len - 1``, each read from its page; subclasses say how big a page is and
    what id stands at an offset of one (reading the page if it is not held)."""

    _count: int

    def _page_size(self) -> int:
        raise NotImplementedError

    def _id_at(self, page: int, offset: int) -> int | None:
        """The id at ``offset`` of page ``page``, None past the page's end (fewer rows than
        counted: deleted meanwhile)."""
        raise NotImplementedError

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, row: int) -> int: ...
    @overload
    def __getitem__(self, row: slice) -> list[int]: ...
    def __getitem__(self, row: int | slice) -> int | list[int]:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(self._count))]
        if row < 0:
            row += self._count
        if not 0 <= row < self._count:
            raise IndexError(row)
        size = self._page_size()
        found = self._id_at(row // size, row % size)
        if found is None:
            raise IndexError(row)
        return found

    def __iter__(self) -> Iterator[int]:
        for row in range(self._count):
            yield self[row]
