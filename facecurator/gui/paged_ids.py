"""A model's ids read a page at a time: a large source's gallery or Triage grid without a list of
every id.

:class:`PagedIds` stands where a model holds its id list (``LazyIdModel._ids``, and its row
index ``_rows``) when the view is a source's images in name order with no filter
(:class:`~facecurator.gui.key_sources.ImagePages`, :mod:`facecurator.services.catalog.pages`)
or its faces in Triage's order (:class:`~facecurator.services.catalog.face_pages.FacePages`):
any :class:`~facecurator.gui.key_sources.KeySource`. Its pages are read as
:class:`~facecurator.gui.paged_keys.PagedKeys` says (by keyset from a page held or a sampled
key, on a worker when far); here the rows of ids are located (a go-to, a selection put back, a
scan's new rows: ``paged_inserts``). A "go to" far from every sampled key
(:meth:`PagedIds.rows_later`) is shown at once at an estimated row, its page read by keyset from
its key (the island: its neighbours are read from it), then moved to its counted row
(``shifted``). At most ``paged_keys.MAX_PAGES`` pages are held, so the model holds a few
thousand ids at any size.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Final

from facecurator.errors import CatalogError, FacecuratorError
from facecurator.gui import paged_keys
from facecurator.gui.key_sources import Key, KeySource, page_around, share_before
from facecurator.gui.paged_keys import PagedKeys, Query
from facecurator.services.catalog import Catalog

__all__ = ["PAGED_MIN", "PagedIds", "Query", "pages_faces", "pages_gallery"]

#: Several ids placed at once from one estimated row (a selection put back) span at most this many
#: sample steps (one LIMIT-ed read); ids further apart are placed when counted (the first one and
#: those near it at once).
SPAN: Final = 4
#: A placement: (the first id's row, its page's keys, whether exact, the placed ids' rows).
Placed = tuple[int, list[Key], bool, dict[int, int]]

#: An estimated go-to: (its ids, the first one placed; their keys; its estimated row; ``found``)
Going = tuple[Sequence[int], dict[int, Key], int, Callable[[dict[int, int]], None]]

#: Galleries of at least this many images (a source's, by name, no filter) are read a page at a
#: time; smaller ones are held as an id list (a scan inserts into it row by row).
PAGED_MIN: Final = 50_000
#: A far go-to's estimated row this many walks of ``SAMPLE_STEP`` * ``SAMPLE_CHUNK`` rows past the
#: nearest sampled key (or the start) is counted in one pass at once, with no read a walk ahead to
#: tell (0.3-0.45 s on PostgreSQL at 3M faces, 2.3 s before the walk read each image's faces by
#: index); nearer, that read says whether a walk reaches it (the estimate may be off).
FAR_GUESS: Final = 3


def pages_gallery(source_root: str | None, images: int) -> bool:
    """Whether the gallery of a source of ``images`` images, by name with no filter, is read a
    page at a time (a source's; the whole catalog's order has no index to walk)."""
    return source_root is not None and images >= PAGED_MIN


def pages_faces(source_root: str | None, faces: int) -> bool:
    """Whether Triage's grid of a source of ``faces`` faces (all, or of a decision state, in
    catalog order, no other filter) is read a page at a time."""
    return source_root is not None and faces >= PAGED_MIN


class PagedIds(PagedKeys):
    """The ids of a view, ``count`` of them, read on demand (:class:`PagedKeys`: the pages), with
    the rows of ids located: at once near a held page or a sampled key, else on the query worker;
    a far go-to shown at an estimated row and moved to its counted row (``shifted``)."""

    #: the go-to whose row is an estimate (its ids, their keys, the first one's estimated row, ``found``)
    _going: Going | None = None
    _goes = 0  # go-tos placed: only the latest lands
    _placed_again: Going | None = None
    #: told ``(first row, last row, by)`` when the rows of an estimated go-to's pages moved
    #: ``by`` rows to their counted place (set by the model)
    shifted: Callable[[int, int, int], None] | None = None

    def key_at(self, row: int) -> Key | None:
        """The key of ``row`` if its page is held (no query), else None."""
        number, offset = divmod(row, paged_keys.PAGE)
        keys = self._pages.get(number)
        return None if keys is None or not 0 <= offset < len(keys) else keys[offset]

    @property
    def generation(self) -> int:
        """Rows inserted so far (a row counted before one may have moved since)."""
        return self._generation

    def row_near(self, catalog: Catalog, key: Key, source: KeySource) -> tuple[int, list[Key]] | None:
        """For a worker: (the row of ``key`` in ``source``, a copy of the view's; the keys of its
        page) when that row is counted from the nearest sampled key before it by a walk of at most
        about ``SAMPLE_STEP`` rows (:meth:`_counted_near`), its page read around the key; else None
        (a go-to's estimate then: :meth:`rows_later`)."""
        if not self._counted_near(key):
            return None
        row = self._rank(catalog, key, self._sample, source)
        return page_around(catalog, source, key, paged_keys.PAGE, row)

    def hold_read(self, row: int, keys: Sequence[Key], generation: int) -> None:
        """Hold the page of ``row`` read on a worker (:meth:`row_near`), unless rows were inserted
        since (``generation``), a go-to's island is placed or the page is held: its rows shown at
        once (a decision state's page is otherwise read on the worker once painted, and a key
        pressed on a row not read yet read it on the GUI thread: 0.4-1.4 s at 1M)."""
        number = row // paged_keys.PAGE
        if generation == self._generation and self._island is None and number not in self._pages and keys:
            self._hold(number, keys)

    def locate(self, image_id: int) -> int | None:
        """The row of any id of the list (one indexed count), None if not in it."""
        return self.rows_in(self._catalog, [image_id]).get(image_id)

    def rows_in(self, catalog: Catalog, ids: Sequence[int]) -> dict[int, int]:
        """The rows of those of ``ids`` in the list (``id -> row``) read through ``catalog`` (a
        worker's: ``paged_inserts``): each an indexed count from the sample read by then."""
        rows = {i: row for i in ids if (row := self._row_of.get(i)) is not None}
        keys, sample = self.keys.keys_of(catalog, [i for i in ids if i not in rows]), self._sample
        return rows | {i: self._rank(catalog, key, sample) for i, key in keys.items()}

    def new_rows(self, catalog: Catalog, ids: Sequence[int]) -> dict[int, int]:
        """The rows of those of ``ids`` in the list once they are all inserted (``id -> row``): ids a
        scan added, in the catalog but not announced yet (no row of the list counts them), read
        through ``catalog`` (a worker's: ``paged_inserts``). Each is counted from the nearest
        sampled key before it (a walk of about :data:`~facecurator.gui.paged_keys.SAMPLE_STEP`
        rows), plus those of them before that key (the sample's rows do not count them)."""
        sample, source = self._sample, self.keys
        keys = source.keys_of(catalog, list(ids))
        new = sorted(tuple(key) for key in keys.values())
        rows: dict[int, int] = {}
        for item_id, key in keys.items():
            anchor = sample.anchor(key)
            if anchor < 0:  # (counted from the start: every row before it)
                rows[item_id] = source.rank(catalog, key)
            else:
                start = sample.keys[anchor]
                rows[item_id] = (
                    sample.row(anchor) + bisect_left(new, start) + source.rank(catalog, key, start)
                )
        return rows

    def rows_later(self, ids: Sequence[int], found: Callable[[dict[int, int]], None]) -> list[int]:
        """The ids among ``ids`` in the list (one indexed look-up); their rows (``id -> row``)
        are told to ``found``: at once when each is on a held page or its count walks at most
        ``SAMPLE_STEP`` rows from a sampled key (or the end); else (a go-to, a selection put back)
        after one turn of the page worker, at rows estimated from the first id's and its page read
        (:meth:`_go_estimated`; moved once its row is counted: ``shifted``); ids further from the
        first than :data:`SPAN` sample steps are told later, counted in one query on the query
        worker (``found`` is then told twice); rows inserted meanwhile (a scan): placed again;
        not told once the list is no longer shown."""
        rows = {i: row for i in ids if (row := self._row_of.get(i)) is not None}
        unheld = [i for i in ids if i not in rows]
        try:  # (the GUI thread's reads: the server gone, asked again after the wait; taken as shown)
            keys = self.keys.keys_of(self._catalog, unheld) if unheld else {}
            shown = [i for i in ids if i in rows or i in keys]
            if not shown:
                return shown
            if self._query is None or all(self._counted_near(key) for key in keys.values()):
                rows.update((i, self._rank(self._catalog, key, self._sample)) for i, key in keys.items())
                found(rows)
                return shown
        except CatalogError as exc:
            self._ask_again(exc, lambda: self.rows_later(ids, found))
            return list(ids)
        # a go-to, or several ids near one another (a selection put back): shown at once at rows
        # estimated from the first one's, moved once its row is counted
        for i, row in rows.items():  # (the held ones' keys: their rows are placed with the others)
            keys[i] = self._pages[row // paged_keys.PAGE][row % paged_keys.PAGE]
        self._go_estimated(shown, keys, found)
        return shown

    def _count_later(
        self, ids: Sequence[int], keys: dict[int, Key], found: Callable[[dict[int, int]], None]
    ) -> None:
        """Count the rows of ``ids`` (their ``keys``) in one query on the query worker, from the
        sample read by its turn (ids too far apart to be placed from one estimated row); rows
        inserted meanwhile: counted again."""
        assert self._query is not None
        generation, source = self._generation, self.keys

        def read(catalog: Catalog) -> dict[int, int] | None:
            if self.retired or generation != self._generation:
                return None
            sample = self._sample
            return {i: self._rank(catalog, key, sample, source) for i, key in keys.items()}

        def got(counted: dict[int, int] | FacecuratorError | None) -> None:
            if self.retired:
                return
            if isinstance(counted, FacecuratorError):  # (the server gone: asked again)
                self._ask_again(counted, lambda: self._count_later(ids, keys, found))
            elif generation != self._generation:  # rows inserted meanwhile: the rows moved
                self.rows_later(ids, found)
            elif counted is not None:
                found(counted)

        self._query(read, got)

    # -- a far go-to: shown at an estimated row, moved to its row once counted -------------------

    def _go_estimated(
        self, ids: Sequence[int], keys: dict[int, Key], found: Callable[[dict[int, int]], None]
    ) -> None:
        """Have the worker place ``ids[0]`` (its key in ``keys``) at its row estimated from a sample
        of the ids by primary key (or counted, if the sample reached it meanwhile), with its page
        read by keyset from its key, and the other ids at their rows from it (:meth:`_place_all`);
        ``found`` is told those rows when they arrive, and the first id's exact row is counted on
        (:meth:`_correct`). Ids too far from it: counted, then told (:meth:`_count_later`)."""
        assert self._query is not None
        self._goes += 1
        generation, source, go, first = self._generation, self.keys, self._goes, ids[0]

        def read(catalog: Catalog) -> Placed | None:
            if self.retired or generation != self._generation or go != self._goes:
                return None
            return self._place_all(catalog, source, first, keys)

        def got(placed: Placed | FacecuratorError | None) -> None:
            if self.retired or go != self._goes:
                return
            if isinstance(placed, FacecuratorError):  # (the server gone: asked again)
                self._ask_again(placed, lambda: self.rows_later(ids, found) if go == self._goes else None)
            elif generation != self._generation:  # rows inserted meanwhile: placed again
                self._go_estimated(ids, keys, found)
            elif placed is not None:
                row, page, exact, rows = placed
                self._land(row, page, exact)
                if not exact:
                    self._going = (ids, keys, row, found)
                    assert self._island is not None  # (the estimate's rows: every id's moves with it)
                    low, high = min(rows.values()) // paged_keys.PAGE, max(rows.values()) // paged_keys.PAGE
                    self._island = [min(self._island[0], low), max(self._island[1], high)]
                    self._correct(keys[first])
                found(rows)
                rest = [i for i in ids if i not in rows]
                if rest:  # (further apart than SPAN sample steps: counted, told when they are)
                    self._count_later(rest, {i: keys[i] for i in rest}, found)

        (self.page_query or self._query)(read, got)  # (a few LIMIT-ed reads: not behind the counts)

    def _place_all(self, catalog: Catalog, source: KeySource, first: int, keys: dict[int, Key]) -> Placed:
        """For the worker: :meth:`_place` of ``first`` (its row, its page, whether exact), and the
        rows of the ids of ``keys`` from it -- their places in one LIMIT-ed read of the keys from
        the lowest of them (at most :data:`SPAN` sample steps of rows); when they do not all fit
        in it, those within half of it on either side of ``first`` (two LIMIT-ed reads: the others
        are counted, :meth:`_count_later`); none outside the view at that row."""
        row, page, exact = self._place(catalog, source, keys[first])
        if len(keys) == 1:
            return row, page, exact, {first: row}
        lowest, window = min(keys.values(), key=tuple), SPAN * paged_keys.SAMPLE_STEP
        read = source.page(catalog, start=lowest, limit=window)
        places = {key[-1]: n for n, key in enumerate(read)}
        if any(key[-1] not in places for key in keys.values()):  # spread: a window around first
            before = source.page(catalog, before=keys[first], limit=window // 2)
            read = [*before, *source.page(catalog, start=keys[first], limit=window // 2)]
            places = {key[-1]: n for n, key in enumerate(read)}
        start = row - places[keys[first][-1]]  # the row of the window's first key
        rows = {i: start + places[key[-1]] for i, key in keys.items() if key[-1] in places}
        return row, page, exact, {i: r for i, r in rows.items() if 0 <= r < self._count} | {first: row}

    def _place(self, catalog: Catalog, source: KeySource, key: Key) -> tuple[int, list[Key], bool]:
        """(the row of ``key``, the keys of its page, whether the row is exact) for the worker: the
        row counted when the sample reaches it, else estimated; its page read around its key (two
        LIMIT-ed reads); a page short of rows before or after it says the row exactly."""
        exact = self._counted_near(key)
        row = (
            self._rank(catalog, key, self._sample, source) if exact else self._estimate(catalog, source, key)
        )
        keys: list[Key] = []
        for _ in range(2):
            offset = row % paged_keys.PAGE
            before = list(source.page(catalog, before=key, limit=offset)) if offset else []
            after = list(source.page(catalog, start=key, limit=paged_keys.PAGE - offset))
            keys = before + after
            if len(before) < offset:  # fewer rows before it than estimated: that many
                row, exact = len(before), True
            elif len(after) < paged_keys.PAGE - offset and row + len(after) != self._count:  # near the end
                row, exact = max(0, self._count - len(after)), True
            else:
                break
        return row, keys, exact

    def _estimate(self, catalog: Catalog, source: KeySource, key: Key) -> int:
        """About the row of ``key``: the share of the view's keys before it among those of a sample
        of the ids (:func:`~facecurator.gui.key_sources.share_before`), of the count; after the last
        sampled key before it and before the end."""
        share = share_before(catalog, source, key)
        anchor = self._sample.anchor(key)
        low = self._sample.row(anchor) + (anchor >= 0)
        guess = (low + self._count) // 2 if share is None else round(self._count * share)
        return max(low, min(guess, self._count - 1))

    def _land(self, row: int, keys: list[Key], exact: bool) -> None:
        """Hold the page of a go-to's row: a counted one as any page; an estimated one as the
        island's page, every other page dropped (their rows are counted ones: the island's
        neighbours are read from it by keyset)."""
        number = row // paged_keys.PAGE
        if self._island is not None or not exact:
            self._frame += 1
            self._island = self._pin = self._going = None
            self._pages.clear()
            self._row_of.clear()
            self._wanted.clear()
        if not exact:
            self._island, self._pin = [number, number], number
        if keys:
            self._hold(number, keys)

    def _correct(self, key: Key) -> None:
        """Count the exact row of the estimated go-to's ``key`` on the worker, then move the island
        there (:meth:`_shift`): from the nearest key before it of the sample (none: the start) when
        it is within :data:`SAMPLE_STEP` * :data:`SAMPLE_CHUNK` rows of it (one LIMIT-ed read says
        so), else in one pass over the view (``rank_far``: 0.7-2 s at 3 000 000 faces; it was a
        walk of that many rows a query, 32 of them for the face at 70 %: 4-34 s on SQLite, 42.9 s
        on PostgreSQL, where each walk took 1.4 s)."""
        assert self._query is not None and self._going is not None
        frame, source, wanted, count = self._frame, self.keys, tuple(key), self._count
        estimated = self._going[2]

        def read(catalog: Catalog) -> tuple[int, list[Key]] | None:
            if self.retired or frame != self._frame:
                return None
            sample = self._sample
            if self._counted_near(key):  # the sample reached it
                return page_around(
                    catalog, source, key, paged_keys.PAGE, self._rank(catalog, key, sample, source)
                )
            near = sample.anchor(key)
            start, start_row = (sample.keys[near], sample.row(near)) if near >= 0 else (None, 0)
            walk = paged_keys.SAMPLE_STEP * paged_keys.SAMPLE_CHUNK
            far = estimated - start_row > FAR_GUESS * walk  # (far past any estimate's error)
            if not far:
                ahead = source.page(catalog, start=start, offset=walk, limit=1)
                far = bool(ahead) and tuple(ahead[0]) <= wanted
            if far:  # one pass over the view (from its end when the key is thought in its second half)
                ranked = source.rank_far(catalog, key, count if 2 * estimated > count else None)
                return page_around(catalog, source, key, paged_keys.PAGE, ranked)
            return page_around(
                catalog, source, key, paged_keys.PAGE, start_row + source.rank(catalog, key, start)
            )

        def got(counted: tuple[int, list[Key]] | FacecuratorError | None) -> None:
            if self.retired or frame != self._frame or counted is None:
                return
            if isinstance(counted, FacecuratorError):  # (the server gone: counted again)
                self._ask_again(counted, lambda: self._correct(key) if frame == self._frame else None)
            else:
                self._shift(*counted)

        self._query(read, got)

    def _shift(self, row: int, keys: list[Key]) -> None:
        """The estimated go-to's row is ``row`` (``keys``: its page): the island's held pages move
        there (their keys, packed into the pages of the counted rows), and ``shifted`` tells the
        model."""
        assert self._island is not None and self._going is not None and self._pin is not None
        (first, last), (_ids, _keys, estimated, _found) = self._island, self._going
        by = row - estimated
        low = high = self._pin
        while low - 1 in self._pages and low - 1 >= first:
            low -= 1
        while high + 1 in self._pages and high + 1 <= last:
            high += 1
        held = [k for number in range(low, high + 1) for k in self._pages[number]]
        start = low * paged_keys.PAGE + by  # the row of held[0]
        for number in range(first, last + 1):
            for k in self._pages.pop(number, ()):
                self._row_of.pop(k[-1], None)
        self._frame += 1
        self._island = self._pin = self._going = None
        for number in range(-(-start // paged_keys.PAGE), (start + len(held)) // paged_keys.PAGE + 1):
            rows = held[number * paged_keys.PAGE - start : (number + 1) * paged_keys.PAGE - start]
            if len(rows) == paged_keys.PAGE or (rows and number * paged_keys.PAGE + len(rows) == self._count):
                self._hold(number, rows)
        self._hold(row // paged_keys.PAGE, keys)
        if by and self.shifted is not None:
            self.shifted(first * paged_keys.PAGE, min(self._count, (last + 1) * paged_keys.PAGE) - 1, by)

    def inserted(self, at: int) -> None:
        """A row was added at ``at``: as :meth:`PagedKeys.inserted`; an estimated go-to on its way
        is placed again once the inserts are in (:meth:`sample_on`)."""
        self._placed_again = self._going or self._placed_again
        self._going = None
        super().inserted(at)

    def _sampling_again(self) -> None:
        going, self._placed_again = self._placed_again, None
        if going is not None:  # an estimated go-to before rows were inserted: placed again
            self._go_estimated(going[0], going[1], going[3])
