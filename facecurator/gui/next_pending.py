"""A / R's next pending face in a large Triage grid, asked of the catalog on the query worker.

After a decision the selection moves to the next pending face (``TriagePage.advance``). An id
list's grid is walked a batch of rows at a time; a large source's grid holds a few pages only
(keyset pages, :class:`~facecurator.gui.paged_ids.PagedIds`, or a listed view's file,
:class:`~facecurator.gui.view_ids.ListedIds`), and walking it page after page on the GUI thread
read 37 pages at 1M on "Accepted" for each decision. Beyond the next few rows the catalog is
asked instead, on the query worker (the GUI thread never waits for it; the row worker reads
the grid's rows meanwhile): the first pending face
after the current row in the grid's own order and filter, wrapping to the start
(:meth:`~facecurator.services.catalog.face_pages.FacePages.next_pending`: one LIMIT-ed read;
a listed view's ids from its file, their decisions read a chunk at a time), and its row: counted
on the worker from the nearest sampled key, or (no sample near it yet) the grid's go-to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from facecurator.gui.key_sources import Key
from facecurator.gui.view_ids import ListedIds
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q

if TYPE_CHECKING:
    from facecurator.gui.store import CurationStore
    from facecurator.gui.triage_model import FaceModel

#: The next pending face is looked for in the next rows held, this many, their rows read in one
#: go on the GUI thread (the next face is most often one of them: no wait for a worker); beyond,
#: a large grid asks the catalog on the query worker.
NEAR: Final = 8

#: The worker's answer: (the face, its row if counted there, else None: the grid's go-to; a paged
#: grid's keys of that row's page, read there too), or None: no face of the grid is pending.
Found = tuple[int, int | None, list[Key] | None] | None


def look_later(
    store: CurationStore,
    model: FaceModel,
    from_row: int,
    answered: Callable[[Found], None],
    done: Callable[[], None],
) -> bool:
    """Have the query worker find the first pending face of ``model``'s large grid after
    ``from_row`` (wrapping), told to ``answered`` on the GUI thread (not when the grid is no
    longer shown, or its rows moved meanwhile: rows inserted by a scan); ``done()`` once the
    look is over, whatever its end (answered, not, or failed). False: the grid is an id list
    (walked by the caller)."""
    paged, listed = model.paged, model.listed
    source = model.face_pages()  # (a copy: its kept and dropped faces as now)
    run: Callable[[Catalog], Found]
    if paged is not None and source is not None:
        after, face, generation = paged.key_at(from_row), model.held_id(from_row), paged.generation

        def run(catalog: Catalog) -> Found:
            start = after
            if start is None and face is not None:  # (its page dropped meanwhile)
                start = source.keys_of(catalog, [face]).get(face)
            key = None if start is None else source.next_pending(catalog, start)
            if key is None:  # none after it: from the start
                key = source.next_pending(catalog, None)
            if key is None:
                return None
            near = paged.row_near(catalog, key, source)
            return int(key[-1]), None if near is None else near[0], None if near is None else near[1]

        def shown() -> bool:
            return model.paged is paged and not paged.retired and paged.generation == generation

    elif isinstance(listed, ListedIds):
        rows = listed.listed_rows

        def run(catalog: Catalog) -> Found:
            try:
                ids = listed.id_array()[:rows]
            except OSError:  # (closed meanwhile: another view shown)
                return None
            ahead = q.first_pending(catalog, ids[from_row + 1 :])
            if ahead is not None:
                return ids[from_row + 1 + ahead], from_row + 1 + ahead, None
            before = q.first_pending(catalog, ids[: from_row + 1])
            return None if before is None else (ids[before], before, None)

        def shown() -> bool:
            return model.listed is listed

    else:
        return False

    def got(found: Found) -> None:
        done()
        if not shown():
            return
        if found is not None and found[1] is not None and found[2] is not None and paged is not None:
            paged.hold_read(found[1], found[2], paged.generation)  # (its page, read with its row)
        answered(found)

    # (on the query worker, not the row worker: a far look takes seconds at 1M on PostgreSQL and
    # held every grid row read behind it, its cells "loading..." -- review19; a look that
    # failed, the server gone: logged by the store; the selection stays)
    store.query(run, got, failed=lambda _error: done())  # type: ignore[arg-type]
    return True
