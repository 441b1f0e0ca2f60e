"""PagedIds without a window, its query worker a queue run by hand: a far go-to is shown at an
estimated row after one query, then moved to its row counted in one query; placed again when
rows were inserted meanwhile (a scan's), not told once the list is no longer shown. SQLite: the
order of the answers is the point (both backends are in the paged grids' tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog
from helpers.paging import hold_sample

from facecurator.gui import paged_ids, paged_keys
from facecurator.gui.key_sources import ImagePages
from facecurator.services.catalog import Catalog, pages
from facecurator.services.catalog import queries as q

_ByHand = tuple[
    list[int],
    paged_ids.PagedIds,
    list[tuple[Callable[[Catalog], Any], Callable[[Any], None]]],
    Callable[..., None],
    list[tuple[int, int, int]],
    list[dict[int, int]],
    "_Spy",
]


class _Spy:
    """The calls of ``ImagePages.rank`` (their ``start``: None counts from the first row) and the
    OFFSETs of ``.page`` from now on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ranks: list[Any] = []
        self.walks: list[int] = []
        rank, page = ImagePages.rank, ImagePages.page

        def ranked(source: Any, catalog: Catalog, key: Any, start: Any = None, /) -> int:
            self.ranks.append(start)
            return rank(source, catalog, key, start)

        def paged(source: Any, catalog: Catalog, **bounds: Any) -> Any:
            self.walks.append(bounds.get("offset", 0))
            return page(source, catalog, **bounds)

        monkeypatch.setattr(ImagePages, "rank", ranked)
        monkeypatch.setattr(ImagePages, "page", paged)


@contextmanager
def _run_by_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_ByHand]:
    """A PagedIds over a seeded catalog of 1 000 images (one face each), its query worker the
    queue ``jobs`` run by hand (``work(n)``: the next n queries on a second connection), its
    moves recorded (``shifts``), a list for its answers (``told``) and a :class:`_Spy`."""
    target, root = str(tmp_path / "c.sqlite3"), str(tmp_path / "photos")
    seed_catalog(target, root, 1000, 1)
    jobs: list[tuple[Callable[[Catalog], Any], Callable[[Any], None]]] = []
    spy = _Spy(monkeypatch)
    with Catalog(target) as catalog, Catalog(target) as worker:

        def work(queries: int = 1000) -> None:
            for _ in range(queries):
                if jobs:
                    run, answer = jobs.pop(0)
                    answer(run(worker))

        ids = q.image_ids(catalog, source_root=root, sort="name")
        paged = paged_ids.PagedIds(catalog, root, len(ids))
        paged.sample_later(lambda run, answer: jobs.append((run, answer)))
        shifts: list[tuple[int, int, int]] = []
        paged.shifted = lambda *moved: shifts.append(moved)
        yield ids, paged, jobs, work, shifts, [], spy


def test_a_far_go_to_is_shown_at_an_estimated_row_then_moved_to_its_counted_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sample taken: "go to" an image far from both ends lands after one query of the worker
    (its row estimated from the keys of a sample of the ids, its page read by keyset from its
    key: no count of the rows before it), its neighbours read from that page; its exact row is
    then counted in one pass (one read SAMPLE_STEP * SAMPLE_CHUNK rows on says it is that far),
    and the estimate's rows move there (``shifted``), each image at its row; placed again after
    rows are inserted."""
    for name, value in {"SAMPLE_STEP": 64, "SAMPLE_CHUNK": 2, "PAGE": 32}.items():
        monkeypatch.setattr(paged_keys, name, value)
    hold_sample(monkeypatch)
    estimated: list[int] = []
    estimate_of = paged_ids.PagedIds._estimate

    def estimate(paged: paged_ids.PagedIds, *args: Any) -> int:  # (off by 47 rows: its page moves)
        estimated.append(estimate_of(paged, *args))
        return 653 if len(estimated) == 1 else estimated[-1]

    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", estimate)
    # (an estimate within FAR_GUESS walks of the start: a read a walk ahead says whether it is far;
    # beyond, it is counted at once: test_paged_triage's go-to estimated far)
    monkeypatch.setattr(paged_ids, "FAR_GUESS", 100)
    with _run_by_hand(tmp_path, monkeypatch) as (ids, paged, jobs, work, shifts, told, spy):
        assert paged.rows_later([ids[700]], told.append) == [ids[700]]
        assert not told and len(jobs) == 1
        work(1)
        assert len(told) == 1 and list(told[0]) == [ids[700]]
        estimate = told[0][ids[700]]
        assert estimate == 653 and 0 <= estimated[0] < 1000
        assert spy.ranks == [] and max(spy.walks) == 0  # no row counted: nothing walked
        assert paged.peek(estimate) == ids[700]
        # its neighbours, a page and more away, read from its page by keyset at once
        for row in range(estimate - 40, estimate + 40):
            assert paged.shown(row) == ids[700 + row - estimate]
        assert len(jobs) == 1  # (the count's first walk; no page asked of the worker)
        spy.walks.clear()
        work()
        # one read SAMPLE_STEP * SAMPLE_CHUNK rows on says it is far, then one count (no walk after
        # walk: 32 of them for the face at 70 % of 3 000 000), then its page by keyset
        assert [w for w in spy.walks if w] == [64 * 2]
        assert spy.ranks == [None]  # counted in one pass (rank_far), not from a walked key
        assert shifts and shifts[-1][2] == 700 - estimate
        for row in range(660, 740):
            assert paged.shown(row) == ids[row]
        assert not jobs
        # a go-to while rows are inserted (a scan): placed again
        paged.rows_later([ids[300]], told.append)
        work(1)
        assert list(told[-1]) == [ids[300]] and paged.peek(told[-1][ids[300]]) == ids[300]
        paged.inserted(0)
        paged.inserted(0)  # (two rows, then the sample's walk goes on, as the grids do)
        paged.sample_on()
        work()
        assert len(told) == 3 and list(told[-1]) == [ids[300]]
        paged.retired = True  # no longer shown: neither placed nor counted on
        paged.rows_later([ids[800]], told.append)
        work()
        assert len(told) == 3


def test_the_rows_beside_an_estimated_go_to_are_read_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until its row is counted, the pages beside a go-to shown at an estimated row are read from
    its page by keyset (the estimate's rows, in order, no seam): a page asked of the worker before
    they reached it, of the counted rows, is not held beside them but read from them when shown;
    a page far from them is read as before (the counted rows)."""
    for name, value in {"SAMPLE_STEP": 64, "SAMPLE_CHUNK": 2, "PAGE": 32, "MAX_PAGES": 12}.items():
        monkeypatch.setattr(paged_keys, name, value)
    hold_sample(monkeypatch)
    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", lambda *_a: 653)  # 47 rows off
    target, root = str(tmp_path / "c.sqlite3"), str(tmp_path / "photos")
    seed_catalog(target, root, 1000, 1)
    jobs: list[tuple[Callable[[Catalog], Any], Callable[[Any], None]]] = []
    with Catalog(target) as catalog, Catalog(target) as worker:
        ids = q.image_ids(catalog, source_root=root, sort="name")
        paged = paged_ids.PagedIds(catalog, root, len(ids))
        paged.sample_later(lambda run, answer: jobs.append((run, answer)))
        arrived: list[tuple[int, int]] = []
        paged.arrived = lambda first, last: arrived.append((first, last))
        paged.rows_later([ids[700]], lambda _rows: None)
        run, answer = jobs.pop(0)
        answer(run(worker))  # shown at 653 (page 20), its row's count queued
        counting = jobs.pop(0)
        assert paged.shown(27 * 32) is None and len(jobs) == 1  # far: asked of the worker, read
        run, answer = jobs.pop(0)
        answer(run(worker))
        assert paged.peek(27 * 32) == ids[27 * 32]  # (the counted rows)
        assert paged.shown(25 * 32) is None and len(jobs) == 1
        run, answer = jobs.pop(0)
        counted_rows = run(worker)  # (read before the rows below reached it: the counted rows)
        for row in range(21 * 32, 25 * 32):  # scrolled down from the go-to: read from its page
            assert paged.shown(row) == ids[row + 47]
        answer(counted_rows)  # page 25 (counted rows) arrives beside them: not held
        assert arrived[-1] == (25 * 32, 26 * 32 - 1) and paged.peek(25 * 32) is None
        # read from them as they reach the page held of the counted rows: it goes, read again
        assert all(paged.shown(row) == ids[row + 47] for row in range(25 * 32, 28 * 32))
        assert paged.shown(40) == ids[40]  # far from them, near the start: the counted rows
        jobs.insert(0, counting)
        while jobs:
            run, answer = jobs.pop(0)
            answer(run(worker))
        assert all(paged.shown(row) == ids[row] for row in range(690, 760))


def test_the_sample_is_walked_to_the_end_a_chunk_a_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The jump sample is read a chunk of SAMPLE_CHUNK keys a query, each from the last key of
    the one before, until the end: the keys of rows 0, SAMPLE_STEP, 2 SAMPLE_STEP ... (the chain
    stopped after its second chunk: a key fewer than a chunk is new in each after the first)."""
    for name, value in {"SAMPLE_STEP": 64, "SAMPLE_CHUNK": 2, "PAGE": 32}.items():
        monkeypatch.setattr(paged_keys, name, value)
    target, root = str(tmp_path / "c.sqlite3"), str(tmp_path / "photos")
    seed_catalog(target, root, 1000, 1)
    jobs: list[tuple[Callable[[Catalog], Any], Callable[[Any], None]]] = []
    walks: list[int] = []
    page = pages.page
    monkeypatch.setattr(
        pages, "page", lambda *a, **bounds: (walks.append(bounds["offset"]), page(*a, **bounds))[1]
    )
    with Catalog(target) as catalog, Catalog(target) as worker:
        ids = q.image_ids(catalog, source_root=root, sort="name")
        paged = paged_ids.PagedIds(catalog, root, len(ids))
        paged.sample_later(lambda run, answer: jobs.append((run, answer)))
        queries = 0
        while jobs:
            run, answer = jobs.pop(0)
            answer(run(worker))
            queries += 1
        assert [key[-1] for key in paged._sample.keys] == ids[::64]
        assert queries == 16 and max(walks) == 64  # (a key 64 rows on from the one before: 1 new a query)


def test_several_ids_are_placed_from_one_estimated_row_or_counted_when_far_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sample taken: several ids near one another (a selection put back) land after one query
    of the worker at rows estimated from the first one's (their places from one LIMIT-ed read of
    the keys from the lowest: no count), then move with it to its counted row; of ids further
    apart than SPAN sample steps the first one and its neighbours land so at once, the far ones
    once counted (before: all counted first, from the start, before any was told)."""
    for name, value in {"SAMPLE_STEP": 64, "SAMPLE_CHUNK": 2, "PAGE": 32}.items():
        monkeypatch.setattr(paged_keys, name, value)
    hold_sample(monkeypatch)
    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", lambda *_a: 653)  # (47 rows off)
    monkeypatch.setattr(paged_ids, "FAR_GUESS", 100)
    with _run_by_hand(tmp_path, monkeypatch) as (ids, paged, jobs, work, shifts, told, spy):
        chosen = [700, 690, 702, 760]  # (the first one current; over three pages)
        assert paged.rows_later([ids[r] for r in chosen], told.append) == [ids[r] for r in chosen]
        assert not told and len(jobs) == 1
        work(1)
        assert told == [{ids[r]: r - 47 for r in chosen}]
        assert spy.ranks == [] and max(spy.walks) == 0  # nothing counted, nothing walked
        work()  # its row counted: the estimate's rows moved there, each id at its row
        assert (
            shifts
            and shifts[-1][2] == 47
            and [s[:2] for s in shifts] == [((690 - 47) // 32 * 32, (760 - 47) // 32 * 32 + 31)]
        )
        assert [paged[r] for r in chosen] == [ids[r] for r in chosen]
        # far apart (more than SPAN steps): the first one and those near it placed at once from its
        # estimated row, the far one told once counted on the query worker (one count)
        spy.ranks.clear()
        told.clear()
        paged.rows_later([ids[900], ids[905], ids[100]], told.append)
        work(1)
        assert told == [{ids[900]: 653, ids[905]: 658}] and spy.ranks == []
        work()
        assert told[1] == {ids[100]: 100} and len(told) == 2
        assert [paged[r] for r in (900, 905, 100)] == [ids[900], ids[905], ids[100]]
