"""A view's keys read a page at a time (the base of :class:`~facecurator.gui.paged_ids.PagedIds`):
the pages held, read by keyset from a neighbouring page held (PgDown, a scroll), from the nearest
key of a sparse sample taken on the store's query worker (a scroll bar dragged, End), or, until
that sample arrives, with an ``OFFSET`` on the index; a page painted (:meth:`PagedKeys.shown`)
whose read would walk more than :data:`SAMPLE_STEP` rows, or any page of a sparse view (a
decision state's), is read on a worker instead (its rows placeholders until it arrives,
``arrived``). The pages of a far go-to's estimated row (the island) are read from it by keyset;
placing and moving it is :mod:`facecurator.gui.paged_ids`'s.
At most :data:`MAX_PAGES` pages are held (least recently read dropped).

A page whose read fails (the catalog out of reach: its server gone or restarting; a read on the
GUI thread from inside the model's ``data()`` must not raise into Qt) is a placeholder: the model
is told (``failed``: the window says so, and has it asked again after a wait), and until a page is
read again every page not held is read on the worker (no connection tried on the GUI thread at
each paint while the server is gone).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Final

from facecurator.errors import CatalogError, FacecuratorError
from facecurator.gui.key_sample import Sample
from facecurator.gui.key_sources import ImagePages, Key, KeySource, far_page
from facecurator.gui.page_rows import PageRows
from facecurator.services.catalog import Catalog

log = logging.getLogger(__name__)

#: The store's query worker: ``query(run(catalog), callback(result))``.
Query = Callable[[Callable[[Catalog], object], Callable[[Any], None]], Any]

#: Rows per page read (a few screenfuls of the gallery).
PAGE: Final = 128
#: Pages held; the least recently read is dropped beyond.
MAX_PAGES: Final = 40
#: One key sampled every this many rows (a jump reads at most this many index entries).
SAMPLE_STEP: Final = 1024
#: Sampled keys read per query (a walk of SAMPLE_STEP * SAMPLE_CHUNK rows: ~0.1 s at a million).
SAMPLE_CHUNK: Final = 64
#: A page read on the worker that would walk more rows than this by OFFSET is read from a key
#: near it whose row is counted in one pass instead (``far_page``: 0.6 s at 3 000 000 faces on
#: SQLite, 1.6 s on PostgreSQL, where a walk of this many rows takes 1.4 s; 0.13 s on SQLite).
FAR_ROWS: Final = SAMPLE_STEP * SAMPLE_CHUNK
#: Pages asked of the worker and not read yet that are still read when their turn comes (the
#: latest asked; an older one, scrolled past by a drag, is skipped).
MAX_WANTED: Final = 8


class PagedKeys(PageRows):
    """The keys of a view, ``count`` rows, read a page at a time: the image ids of ``source_root``
    in name order, or the rows of another :class:`KeySource` (``keys``).

    Args:
        catalog: the GUI thread's catalog (pages are read through it: LIMIT-ed, indexed).
        source_root: the source shown.
        count: how many rows the view has (counted on a worker).
        first: the keys of the first page, if read already (else read when first shown).
        keys: the view's order (default: the source's images by name, :class:`ImagePages`).
    """

    def __init__(
        self,
        catalog: Catalog,
        source_root: str,
        count: int,
        first: Sequence[Key] | None = None,
        keys: KeySource | None = None,
    ) -> None:
        self._catalog = catalog
        self.source_root = source_root
        self.keys: KeySource = ImagePages(source_root) if keys is None else keys
        self._count = count
        self._pages: OrderedDict[int, Sequence[Key]] = OrderedDict()
        self._row_of: dict[int, int] = {}  # id -> row, of the held pages only
        #: the jump sample: keys of rows 0, SAMPLE_STEP ... as walked, shifted by rows inserted since
        self._sample = Sample()
        self._sampled = False  # the sample walked to the end (or not needed)
        if first:
            self._hold(0, first[:PAGE])
        #: pages read from the catalog since the list was made (tests count them)
        self.reads = 0
        #: the model no longer shows this list (set by the model)
        self.retired = False
        self._sampling = 0  # samplings started: a chunk of an older one is dropped
        #: the store's query worker (set by :meth:`sample_later`): the sample and go-tos' counts
        self._query: Query | None = None
        #: a worker of far pages (set by the model; None: the query worker): a drag's page does
        #: not wait there behind the counts of an open (15.5 s at 1M on PostgreSQL)
        self.page_query: Query | None = None
        #: told ``(first row, last row)`` when a page read on the worker arrived (set by the model)
        self.arrived: Callable[[int, int], None] | None = None
        #: told ``(rows, error, again)`` when the read of a page of ``rows`` rows failed: its rows
        #: are placeholders, not asked again until ``again()`` (set by the model: after a wait)
        self.failed: Callable[[int, FacecuratorError, Callable[[], None]], None] | None = None
        #: told when a page is read after one failed (set by the model: the failure is over)
        self.answered: Callable[[], None] | None = None
        #: a page read failed and none was read since: every page not held is read on the worker
        self.failing = False
        self._failed_pages: set[int] = set()  # failed pages waiting for their ``again()``
        self._wanted: OrderedDict[int, int] = OrderedDict()  # pages asked of the worker: their ask
        self._asks = 0
        self._asking: int | None = None  # the page being asked (a synchronous query answers at once)
        self._generation = 0  # inserts so far: a page read before one is dropped
        #: the pages ``[first, last]`` held at a far go-to's estimated row (their rows are the
        #: estimate's until its exact row is counted: then moved, ``shifted``), and its own page
        #: (never dropped meanwhile)
        self._island: list[int] | None = None
        self._anchors: list[tuple[Key, int]] = []  # far pages' keys and their counted rows (far_page)
        self._pin: int | None = None
        self._frame = 0  # islands placed or moved: a page read on the worker before is not held

    def _page_size(self) -> int:
        return PAGE

    def _id_at(self, page: int, offset: int) -> int | None:
        keys = self._page(page)
        return keys[offset][-1] if offset < len(keys) else None  # short: deleted meanwhile

    def shown(self, row: int) -> int | None:
        """The id of ``row`` to paint: its page read now when that is cheap (held, next to a held
        page, near a sampled key or an end; a sparse view's: held only), else asked of the query
        worker: None (a placeholder) until it arrives (``arrived`` is told). Without a worker: read
        now."""
        number, offset = divmod(row, PAGE)
        held = number in self._pages
        if not held and number in self._failed_pages:  # (a placeholder until asked again)
            return None
        if not held and self._query is not None and (self.failing or self._later(number)):
            keys = self._read_later(number)  # (while reads fail: every page on the worker)
        else:
            try:
                keys = self._page(number)
            except CatalogError as exc:  # (the server gone: said, asked again; not raised into Qt)
                self._page_failed(number, exc)
                return None
            if not held:
                self._page_read()
        return None if keys is None or offset >= len(keys) else keys[offset][-1]

    def _page_failed(self, number: int, error: FacecuratorError) -> None:
        """Page ``number`` could not be read: a placeholder until the model asks it again
        (``failed``), and pages are read on the worker meanwhile (:attr:`failing`)."""
        log.warning("page %d of %s not read: %s", number, self.source_root, error)
        self.failing = True
        if self.failed is None or number in self._failed_pages:
            return
        self._failed_pages.add(number)
        generation = self._generation

        def again() -> None:
            self._failed_pages.discard(number)
            first, last = number * PAGE, min(self._count, (number + 1) * PAGE) - 1
            if self.arrived is not None and generation == self._generation and first <= last:
                self.arrived(first, last)  # (painted again: asked again)

        self.failed(max(0, min(PAGE, self._count - number * PAGE)), error, again)

    def _ask_again(self, error: FacecuratorError, again: Callable[[], object]) -> None:
        """A worker job (a sample's chunk, a go-to's count) failed, the catalog out of reach:
        said as a failed read (``failed``), ``again()`` once the window asks it again (after the
        row reads' wait), unless the list is no longer shown."""
        log.warning("a query of %s failed: %s", self.source_root, error)
        self.failing = True  # (pages read on the worker until one is: the failure over then)
        if self.failed is None:
            return

        def asked() -> None:
            if not self.retired:
                again()

        self.failed(1, error, asked)

    def _page_read(self) -> None:
        """A page was read: if reads failed before, that is over."""
        if self.failing:
            self.failing = False
            if self.answered is not None:
                self.answered()

    def peek(self, row: int) -> int | None:
        """The id of ``row`` if its page is held (no query), else None."""
        keys = self._pages.get(row // PAGE)
        return None if keys is None or not 0 <= row % PAGE < len(keys) else keys[row % PAGE][-1]

    # -- RowIndex's interface (the model's ``_rows``) ----------------------------------------

    def get(self, image_id: int, default: int | None = None) -> int | None:
        """The row of an id on a held page (no query: a thumbnail arriving for a row off every
        held page has nothing to repaint); :meth:`locate` asks the catalog."""
        return self._row_of.get(image_id, default)

    def __contains__(self, image_id: object) -> bool:
        return isinstance(image_id, int) and bool(self.known([image_id]))

    def known(self, image_ids: Sequence[int]) -> list[int]:
        """The ids among these that are in the list, in the order given (one query)."""
        keys = self.keys.keys_of(self._catalog, list(image_ids))
        return [i for i in image_ids if i in keys]

    def _rank(self, catalog: Catalog, key: Key, sample: Sample, source: KeySource | None = None) -> int:
        """The row of ``key``: counted from the nearest sampled key before it (keys compare in
        Python as in SQL: text by code point, SQLite's BINARY and PostgreSQL's "C"), else from the
        start."""
        source = self.keys if source is None else source
        anchor = sample.anchor(key)
        if anchor < 0:
            return source.rank(catalog, key)
        return sample.row(anchor) + source.rank(catalog, key, sample.keys[anchor])

    def _counted_near(self, key: Key) -> bool:
        """Whether counting the row of ``key`` walks at most about :data:`SAMPLE_STEP` rows (and
        those a scan inserted there since the sample was walked): a sampled key follows it, or the
        sample (none: the start) is within a step of the end."""
        sample = self._sample
        anchor = sample.anchor(key)
        return anchor + 1 < len(sample) or self._count - sample.row(anchor) <= SAMPLE_STEP

    # -- pages ----------------------------------------------------------------------------------

    @property
    def held(self) -> int:
        """How many ids the list holds now (the held pages' and the sample's)."""
        return sum(len(keys) for keys in self._pages.values()) + len(self._sample)

    def inserted(self, at: int) -> None:
        """A row was added at row ``at`` (the model announced it): every held page may have
        shifted (read again as needed); the sampled keys at or after it move a row down (a chunk
        of the sample on its way is dropped: :meth:`sample_on` walks on from the last key)."""
        self._count += 1
        self._pages.clear()
        self._row_of.clear()
        self._sample = self._sample.shifted(at)
        self._sampling += 1  # (a chunk on its way may be of the rows before)
        self._generation += 1  # (so is a page on its way)
        self._wanted.clear()
        self._failed_pages.clear()  # (of other rows now: asked when painted)
        self._anchors = []
        self._island = self._pin = None
        self._frame += 1

    def every_id(self) -> list[int]:
        """Every id in order, read now in one query (a whole-gallery operation, not a view)."""
        return self.keys.every_id(self._catalog)

    def set_sample(self, keys: Sequence[Key]) -> None:
        """The keys of rows 0, :data:`SAMPLE_STEP`, ... (read on a worker): jumps start there."""
        self._sample, self._sampled = Sample.stepped(keys, SAMPLE_STEP), True

    def sample_later(self, query: Query, ids: Sequence[int] | None = None) -> None:
        """Have ``query`` (the store's query worker) read the sample when the list is long enough
        to jump in: the keys of ``ids`` (the ids of rows 0, :data:`SAMPLE_STEP` ..., when known:
        one query), else :data:`SAMPLE_CHUNK` keys a query (each a bounded walk: the worker's
        other queries, a count, go between them; jumps into the part read so far start there at
        once)."""
        self._query = query
        self._sampling += 1
        self._sample, self._sampled = Sample(), False
        self._sampling_again()
        if self._count <= SAMPLE_STEP:
            return
        if ids is not None:  # the ids of rows 0, SAMPLE_STEP ... known (an open's listing): their keys
            self._sample_of(query, ids, self._sampling)
            return
        self._sample_from(query, None, self._sampling)

    def sample_on(self) -> None:
        """After rows were inserted (:meth:`inserted`): the sample's walk, if it had not reached the
        end, goes on from its last key; what else was on its way is asked again (a go-to)."""
        self._sampling_again()
        if self._query is not None and not self._sampled and self._count > SAMPLE_STEP:
            last = self._sample.keys[-1] if len(self._sample) else None
            self._sample_from(self._query, last, self._sampling)

    def _sampling_again(self) -> None:
        """Sampling starts again, or goes on after inserts: what was on its way is asked again (a
        go-to)."""

    def _sample_of(self, query: Query, ids: Sequence[int], sampling: int) -> None:
        keys, wanted, step = self.keys, list(ids), SAMPLE_STEP

        def got(found: dict[int, Key] | FacecuratorError) -> None:
            if self.retired or sampling != self._sampling:
                return
            if isinstance(found, FacecuratorError):  # (the server gone: asked again)
                self._ask_again(found, lambda: self._sample_of(query, ids, sampling))
                return
            self._page_read()
            if len(found) == len(wanted):
                self._sample, self._sampled = Sample.stepped([found[i] for i in wanted], step), True
            else:  # some left the list meanwhile: walked instead
                self._sample_from(query, None, sampling)

        query(lambda c: {} if self.retired else keys.keys_of(c, wanted), got)

    def _sample_from(self, query: Query, start: Key | None, sampling: int) -> None:
        """Walk the sample on from ``start`` a chunk a query; from the start, the view's every key
        in one pass if its source counts them so (``sample_whole``: a far page reads from the
        nearest of them, not from a key counted over half the view)."""
        keys, step, rows = self.keys, SAMPLE_STEP, SAMPLE_STEP * SAMPLE_CHUNK

        def read(catalog: Catalog) -> tuple[Sequence[Key], bool]:
            # (a list no longer shown, or resampled, when its turn comes is not walked)
            if self.retired or sampling != self._sampling:
                return [], False
            if start is None and (whole := keys.sample_whole(catalog, step)) is not None:
                return whole, True
            return keys.sample(catalog, step, start=start, rows=rows), False

        def got(read: tuple[Sequence[Key], bool] | FacecuratorError) -> None:
            if self.retired or sampling != self._sampling:
                return
            if isinstance(read, FacecuratorError):  # (the server gone: asked again)
                self._ask_again(read, lambda: self._sample_from(query, start, sampling))
                return
            self._page_read()
            found, whole = read
            if whole:  # every key at once
                self._sample, self._sampled = Sample.stepped(found, step), True
                return
            new = list(found[1:] if start is not None else found)  # (a chunk starts at the last key)
            self._sample = self._sample.extended(new, step)
            if len(found) >= SAMPLE_CHUNK:  # a whole chunk (its first key the last one before): more
                self._sample_from(query, self._sample.keys[-1], sampling)
            else:
                self._sampled = True

        query(read, got)

    def _page(self, number: int) -> Sequence[Key]:
        keys = self._pages.get(number)
        if keys is not None:
            self._pages.move_to_end(number)
            return keys
        keys = self._read(number)
        self._hold(number, keys)
        return keys

    def _read(self, number: int) -> Sequence[Key]:
        self.reads += 1
        bounds, _walked, island = self._args(number, self._pages, self._sample)
        keys = self.keys.page(self._catalog, **bounds)
        if island:
            self._join(number)
        return keys

    def _args(
        self, number: int, pages: dict[int, Sequence[Key]], sample: Sample
    ) -> tuple[dict[str, Any], int, bool]:
        """(the ``page`` arguments, the rows walked by its OFFSET, whether it is of the island) of
        page ``number`` given the held ``pages``: at or beside the island, from its nearest held
        page by keyset (the estimate's rows); else after or before a page held beside it
        (scrolling), else :meth:`_bounds`."""
        island = self._island
        if island is not None and island[0] - 1 <= number <= island[1] + 1:
            near = min(
                (m for m in pages if island[0] <= m <= island[1]), key=lambda m: abs(m - number), default=None
            )
            if near is not None:
                walked = (abs(near - number) - 1) * PAGE
                if near < number:
                    return {"after": pages[near][-1], "offset": walked, "limit": PAGE}, walked, True
                return {"before": pages[near][0], "offset": walked, "limit": PAGE}, walked, True
        before, after = pages.get(number - 1), pages.get(number + 1)
        if before:  # the next page of one held (scrolling down): after its last key
            return {"after": before[-1], "limit": PAGE}, 0, False
        if after:  # the page before one held (scrolling up): before its first key
            return {"before": after[0], "limit": PAGE}, 0, False
        return (*self._bounds(number, sample), False)

    def _join(self, number: int) -> None:
        """Page ``number`` was read from the island: the island reaches it; a counted page held
        just beyond its new end is dropped (read again from the island when shown: no seam)."""
        assert self._island is not None
        self._island = [min(self._island[0], number), max(self._island[1], number)]
        for beyond in (self._island[0] - 1, self._island[1] + 1):
            for key in self._pages.pop(beyond, ()):
                self._row_of.pop(key[-1], None)

    def _bounds(self, number: int, sample: Sample) -> tuple[dict[str, Any], int]:
        """(the ``page`` arguments, the rows walked by its OFFSET) of page ``number`` read with no
        page beside it held: from the nearest sampled key before it, back from the end, or (no
        sample there yet) from the start."""
        first_row = number * PAGE
        rows = max(0, min(PAGE, self._count - first_row))
        after_it = self._count - first_row - rows  # rows after this page
        anchor = sample.at_or_before(first_row)
        if anchor >= 0 and first_row - sample.row(anchor) <= after_it:
            # from the nearest sampled key before it (the last one read, while the sample is read)
            offset = first_row - sample.row(anchor)
            return {"start": sample.keys[anchor], "offset": offset, "limit": PAGE}, offset
        if after_it < first_row:  # nearer the end (End, the last pages): the index walked back
            return {"offset": after_it, "limit": rows, "backward": True}, after_it
        return {"offset": first_row, "limit": PAGE}, first_row  # no sample yet: OFFSET on the index

    def _later(self, number: int) -> bool:
        """Whether page ``number`` is read on the worker: its read now would walk more than
        :data:`SAMPLE_STEP` rows (no page beside it held, no sampled key near it, far from both
        ends), or the view's rows may lie far apart in what its reads walk (``sparse``: a decision
        state's few faces), also a page beside a held one (PgDown, a scroll) unless it is of a
        go-to's island. The End key of "Accepted" at 1M on PostgreSQL froze the GUI thread 15.5 s;
        its PgDown read 45 of 234 pages in over 100 ms (up to 1.24 s: walks of up to 5 440 images)."""
        _bounds, walked, island = self._args(number, self._pages, self._sample)
        return walked > SAMPLE_STEP or (self.keys.sparse and not island)

    def _read_later(self, number: int) -> Sequence[Key] | None:
        """Have the query worker read page ``number`` (from the sample read by its turn); held and
        announced (``arrived``) when it comes. Its keys if the query answered at once."""
        assert self._query is not None
        if number in self._wanted:
            self._wanted.move_to_end(number)
            return None
        self._asks += 1
        ask, generation, source, frame = self._asks, self._generation, self.keys, self._frame
        anchors = self._anchors  # (a new list after an insert)
        self._wanted[number] = ask
        while len(self._wanted) > MAX_WANTED:  # scrolled past: not read
            self._wanted.popitem(last=False)

        def read(catalog: Catalog) -> tuple[Sequence[Key], bool] | FacecuratorError | None:
            # (a list no longer shown, a page scrolled past or read meanwhile is not read)
            if self.retired or generation != self._generation or self._wanted.get(number) != ask:
                return None
            pages = dict(self._pages)  # (the GUI thread's: a copy)
            if number in pages or frame != self._frame:
                return None
            bounds, walked, island = self._args(number, pages, self._sample)
            try:
                if walked > FAR_ROWS and source.counted_far:  # from a key counted in one pass
                    first, rows = number * PAGE, min(PAGE, self._count - number * PAGE)
                    bounds = far_page(catalog, source, first, self._count, rows, anchors, FAR_ROWS) or bounds
                return source.page(catalog, **bounds), island
            except FacecuratorError as exc:  # (answered: the page is asked again when painted)
                return exc

        def got(read: tuple[Sequence[Key], bool] | FacecuratorError | None) -> None:
            if self.retired or generation != self._generation:
                return
            if self._wanted.get(number) == ask:
                del self._wanted[number]
            if isinstance(read, FacecuratorError):  # not announced: asked again after a wait
                self._page_failed(number, read)
                return
            if read is not None:
                self._page_read()
            # (read before an island was placed or moved: of other rows, not held)
            span = self._island
            if read is not None and number not in self._pages and frame == self._frame:
                keys, island = read
                if island or span is None or not span[0] - 1 <= number <= span[1] + 1:
                    self.reads += 1  # (a counted page beside the island is read from it instead)
                    if island:
                        self._join(number)
                    self._hold(number, keys)
            # announced whatever came (also a page read meanwhile beside one that arrived, or
            # dropped since): its rows painted as placeholders are painted again (read then)
            first, last = number * PAGE, min(self._count, (number + 1) * PAGE) - 1
            if self.arrived is not None and self._asking != number and first <= last:
                self.arrived(first, last)

        self._asking = number
        try:
            (self.page_query or self._query)(read, got)
        finally:
            self._asking = None
        return self._pages.get(number)

    def _hold(self, number: int, keys: Sequence[Key]) -> None:
        self._pages[number] = keys
        first = number * PAGE
        for offset, key in enumerate(keys):
            self._row_of[key[-1]] = first + offset
        while len(self._pages) > MAX_PAGES:
            oldest = next(iter(self._pages))
            if oldest == self._pin:  # (an estimated go-to's page: its island is read from it)
                self._pages.move_to_end(oldest)
                oldest = next(iter(self._pages))
            for key in self._pages.pop(oldest):
                self._row_of.pop(key[-1], None)
