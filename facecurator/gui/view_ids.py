"""A large gallery's filtered or re-sorted view: its ids in a scratch file, read a page at a time.

:class:`ListedIds` stands where a model holds its id list (``LazyIdModel._ids`` and its row
index ``_rows``) for a view of a large source other than the default one (which
:mod:`facecurator.gui.paged_ids` reads by keyset): a named filter, the filter bar's face
filter, the person sort, a sort by counts. The view's query
(:mod:`facecurator.services.catalog.views`) runs on the store's query worker and writes the
ids, in order, a chunk at a time into an unnamed temporary file; each chunk is announced to
the GUI thread (``grown``), which adds its rows to the model -- the first ones are shown
while the rest streams. The model may show more rows than are written (the view's count,
estimated or exact, known before its listing ends: the scroll bar's range is the view's):
a row not written yet reads as :data:`UNLISTED` (a blank cell until its page comes). A row
is read from the file with the page around it (``pread``, no query); a page past the rows
written (a jump ahead of the listing) is read on a worker of the store from the view's query
(``far``: its rows at that OFFSET, a view SQL answers whole in an index's order) and announced
(``arrived``), then read from the file once the listing wrote it. At most :data:`MAX_PAGES`
pages are held, each once every id of it is written or read. The GUI thread never reads the
whole list (except :meth:`ListedIds.every_id`, a whole-gallery operation) and runs no query
for it.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from array import array
from collections import OrderedDict
from collections import OrderedDict as Ordered
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QObject, Signal

from facecurator.gui.page_rows import PageRows
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import views as v

if TYPE_CHECKING:
    import numpy as np  # imported where a whole list is searched: not on the window's start

#: Rows per page read from the file.
PAGE: Final = 128
#: Pages held; the least recently read is dropped beyond.
MAX_PAGES: Final = 40
#: Ids read at once when the whole file is searched (an id's row, membership).
SEARCH_CHUNK: Final = 1 << 20
_ID_BYTES: Final = 8
#: Seconds between announcements of a listing whose ids are kept a few at a time (``keep``).
PROGRESS_S: Final = 0.5
#: The id of a row the model shows that the worker has not written yet.
UNLISTED: Final = -1
#: Pages past the rows written asked of the worker and still read when their turn comes (the
#: latest asked: a screenful; an older one, scrolled past, is skipped: each read walks the rows
#: before it, seconds at a million).
MAX_FAR: Final = 2

#: A worker of the store: ``query(run(catalog), callback(result))``.
Query = Callable[[Callable[[Catalog], object], Callable[[Any], None]], Any]


class ListedIds(PageRows):
    """The ids of one view, in order, written by a worker (:meth:`fill`) and read by page.

    Its length is the rows the model shows (:meth:`grow`: the rows written so far, or the
    view's count while it is being listed); ``written`` is how many the worker has written
    (read on the GUI thread when a chunk is announced); a row past it is :data:`UNLISTED`.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="facecurator-view-")  # noqa: SIM115 - closed by close()
        self._fd = self._file.fileno()
        self._lock = threading.Lock()
        self._count = 0
        self.written = 0
        #: the worker wrote every id (the count is final)
        self.complete = False
        self._filling = False
        self._closed = False
        self._halted = False
        #: what the worker lists, set before its first chunk: (the filter listed, the image
        #: clause beside it or None, whether that is exact: False for a Find decided in part in
        #: Python, whose clause selects the images that may pass), and the rule set version read
        self.planned: tuple[str, tuple[str, dict[str, Any]] | None, bool] | None = None
        self.ruleset = 0
        #: planned without looking whether every verdict is stored (a view listed as an open began)
        self.unchecked = False
        self._pages: OrderedDict[int, array[int]] = OrderedDict()
        self._row_of: dict[int, int] = {}  # id -> row, of the held pages only
        #: images per person of the view (the person sort's headers), filled by the worker
        self.group_sizes: dict[str, int] = {}
        #: pages read from the file since the list was made (tests count them)
        self.reads = 0
        #: the view's query (set by the worker when SQL answers the view whole, in order): a
        #: page past the rows written is read from it on ``query``, then told to ``arrived``
        self.far: tuple[str, dict[str, Any]] | None = None
        self.query: Query | None = None
        self.arrived: Callable[[int, int], None] | None = None
        self._far_held: set[int] = set()  # pages held that were read past the rows written
        self._far_wanted: Ordered[int, int] = Ordered()  # pages asked of the worker: their ask
        self._far_asks = 0

    # -- PageRows ---------------------------------------------------------------------------

    def _page_size(self) -> int:
        return PAGE

    def _id_at(self, page: int, offset: int) -> int | None:
        ids = self._page(page)
        return ids[offset] if offset < len(ids) else UNLISTED

    # -- RowIndex's interface (the model's ``_rows``) ----------------------------------------

    def get(self, image_id: int, default: int | None = None) -> int | None:
        """The row of an id on a held page (no search: :meth:`locate` searches the file)."""
        return self._row_of.get(image_id, default)

    def __contains__(self, image_id: object) -> bool:
        return isinstance(image_id, int) and self.locate(image_id) is not None

    def known(self, image_ids: Sequence[int]) -> list[int]:
        """The ids among these that are in the list, in the order given (one pass over the file)."""
        if not image_ids:
            return []
        import numpy as np

        wanted = np.fromiter(image_ids, dtype=np.int64, count=len(image_ids))
        found: set[int] = set()
        for _start, chunk in self._chunks():
            found.update(int(i) for i in chunk[np.isin(chunk, wanted)])
        return [i for i in image_ids if i in found]

    def locate(self, image_id: int) -> int | None:
        """The row of any id of the list (a held page's, else one pass over the file)."""
        row = self._row_of.get(image_id)
        if row is not None:
            return row
        import numpy as np

        for start, chunk in self._chunks():
            hits = np.flatnonzero(chunk == image_id)
            if hits.size:
                return start + int(hits[0])
        return None

    # -- pages ----------------------------------------------------------------------------------

    @property
    def held(self) -> int:
        """How many ids the list holds in memory now (its held pages)."""
        return sum(len(ids) for ids in self._pages.values())

    def grow(self, rows: int) -> None:
        """The model shows ``rows`` rows now (those past ``written``: :data:`UNLISTED`)."""
        self._count = rows

    @property
    def listed_rows(self) -> int:
        """The rows shown that hold an id (written by the worker)."""
        return min(self._count, self.written)

    def every_id(self) -> list[int]:
        """Every id in order (a whole-gallery operation, not a view): read from the file now."""
        return [int(i) for _start, chunk in self._chunks() for i in chunk]

    def id_array(self) -> array[int]:
        """Every id in order as a compact array (one read of the file)."""
        ids = array("q")
        for _start, chunk in self._chunks():
            ids.frombytes(chunk.tobytes())
        return ids

    def _chunks(self) -> Iterator[tuple[int, np.ndarray[Any, Any]]]:
        import numpy as np

        rows = self.listed_rows
        for start in range(0, rows, SEARCH_CHUNK):
            size = min(SEARCH_CHUNK, rows - start)
            data = os.pread(self._fd, size * _ID_BYTES, start * _ID_BYTES)
            yield start, np.frombuffer(data, dtype=np.int64)

    def _page(self, number: int) -> array[int]:
        ids = self._pages.get(number)
        first = number * PAGE
        complete = self.complete  # (read before written: once complete, written is final)
        written = self.written  # (the worker adds to it meanwhile: read once)
        if ids is not None and number in self._far_held and (written >= first + PAGE or complete):
            self._drop(number)  # read ahead of the listing, written since: the file's from now on
            ids = None
        if ids is not None:
            self._pages.move_to_end(number)
            return ids
        if first >= written and not complete and self.far is not None and self.query is not None:
            self._read_far(number)
            return array("q")  # (UNLISTED until it arrives)
        self.reads += 1
        size = max(0, min(PAGE, self._count - first, written - first))
        ids = array("q")
        ids.frombytes(os.pread(self._fd, size * _ID_BYTES, first * _ID_BYTES))
        if size < PAGE and not (complete and first + size >= written):
            # written in part, or shown in part (the rows grown short of a complete list's, its
            # last announcement not applied yet): read again when more is (not held)
            return ids
        self._hold(number, ids)
        return ids

    def _hold(self, number: int, ids: array[int]) -> None:
        self._pages[number] = ids
        for offset, image_id in enumerate(ids):
            self._row_of[image_id] = number * PAGE + offset
        while len(self._pages) > MAX_PAGES:
            self._drop(next(iter(self._pages)))

    def _drop(self, number: int) -> None:
        self._far_held.discard(number)
        for image_id in self._pages.pop(number, ()):
            self._row_of.pop(image_id, None)

    def _read_far(self, number: int) -> None:
        """Have the worker (``query``) read page ``number``, past the rows written, from the view's
        query (its rows at that OFFSET: a walk of the rows before it, as a jump not sampled);
        held and announced (``arrived``) when it comes, unless the listing wrote it meanwhile."""
        assert self.far is not None and self.query is not None
        if number in self._far_wanted:
            self._far_wanted.move_to_end(number)
            return
        self._far_asks += 1
        ask, (sql, params), end = self._far_asks, self.far, (number + 1) * PAGE
        self._far_wanted[number] = ask
        while len(self._far_wanted) > MAX_FAR:  # scrolled past: not read
            self._far_wanted.popitem(last=False)

        def read(catalog: Catalog) -> list[int] | None:
            # (a list dropped, a page scrolled past or written meanwhile is not read)
            if self._closed or self._far_wanted.get(number) != ask or self.written >= end:
                return None
            return v.view_page(catalog, sql, params, offset=number * PAGE, limit=PAGE)

        def got(ids: list[int] | None) -> None:
            if self._far_wanted.get(number) == ask:
                del self._far_wanted[number]
            if self._closed or ids is None:
                return
            if number not in self._pages and self.written < end and not self.complete:
                self.reads += 1
                self._hold(number, array("q", ids))
                self._far_held.add(number)
            if self.arrived is not None:  # (painted again: read from the file if written since)
                self.arrived(number * PAGE, min(self._count, end) - 1)

        self.query(read, got)

    # -- the worker's half ------------------------------------------------------------------

    def fill(
        self,
        catalog: Catalog,
        sql: tuple[str, dict[str, Any]],
        announce: Callable[[ListedIds], None],
        groups: tuple[str, dict[str, Any]] | Callable[[], dict[str, int]] | None = None,
        stop: Callable[[], bool] = lambda: False,
        keep: Callable[[Iterator[array[int]], Callable[[], bool]], Iterator[array[int]]] | None = None,
    ) -> ListedIds:
        """Write the view's ids (its query ``sql``) into the file, a chunk at a time, calling
        ``announce(self)`` after the first and at each doubling (the worker's side: a queued
        signal); stops early once :meth:`close` was called or ``stop()`` is true (the window
        closes). ``groups``: the view's WHERE clause, to count its images per person (the
        person sort) before the last announcement, or a function answering the counts.
        ``keep(chunks, stop)``: the ids kept of the query's chunks (a Find SQL cannot answer
        whole: :class:`facecurator.services.find_rest.FindRest`), stopping as the listing does."""
        with self._lock:
            if self._closed:
                return self
            self._filling = True
        try:
            announced = 0
            stopped = lambda: self._closed or self._halted or stop()  # noqa: E731
            chunks = v.view_chunks(catalog, *sql, stop=stopped)
            last = time.monotonic()
            for chunk in chunks if keep is None else keep(chunks, stopped):
                if chunk:
                    os.pwrite(self._fd, chunk.tobytes(), self.written * _ID_BYTES)
                    self.written += len(chunk)
                # the first chunk, then each doubling: a million ids come in a dozen steps, not
                # fifty; a kept few (a Find decided in Python) also every PROGRESS_S (its progress)
                if (chunk and self.written >= 2 * announced) or (
                    keep is not None and time.monotonic() - last >= PROGRESS_S
                ):
                    announced, last = self.written, time.monotonic()
                    announce(self)
            if groups is not None and not stopped():
                self.group_sizes = groups() if callable(groups) else v.group_sizes(catalog, *groups)
            self.complete = not stopped()
            announce(self)
            # the GUI thread's whole-list searches (locate, known) need NumPy: imported here,
            # on the worker once the view is listed, not on the GUI thread at the first search
            import numpy  # noqa: F401
        finally:
            with self._lock:
                self._filling = False
                if self._closed:
                    self._file.close()
        return self

    def halt(self) -> None:
        """The worker stops at its next chunk (a refresh of the view is listed in its place);
        the rows written stay readable, the list is never complete."""
        self._halted = True

    def close(self) -> None:
        """Drop the list (a newer view replaced it): the worker stops at its next chunk, and
        the file is closed (deleted) once nobody writes to it."""
        with self._lock:
            self._closed = True
            if not self._filling:
                self._file.close()
        self._pages.clear()
        self._row_of.clear()
        self._far_held.clear()

    def __del__(self) -> None:  # dropped unclosed (its model went with the window): the file too
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()


class Announcer(QObject):
    """Carries a worker's "more ids written" to the GUI thread (a queued signal)."""

    grown = Signal(object)  # ListedIds
