"""What the tests of a paged view share (tests/gui/test_paged_triage.py): the paging scaled down
to a test's size, a seeded catalog on either backend, paging down past the pages held, and the
GUI thread's statements that read rows without a bound."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.catalogs import seed_catalog


def scale_paging(
    monkeypatch: pytest.MonkeyPatch, *, minimum: int, page: int, held: int, step: int, chunk: int
) -> None:
    """Views of ``minimum`` rows or more are paged, ``page`` rows a page, ``held`` pages held, a
    key sampled every ``step`` rows, ``chunk`` sampled keys read a query."""
    from facecurator.gui import paged_ids, paged_keys

    monkeypatch.setattr(paged_ids, "PAGED_MIN", minimum)
    values = {"PAGE": page, "MAX_PAGES": held, "SAMPLE_STEP": step, "SAMPLE_CHUNK": chunk}
    for name, value in values.items():
        monkeypatch.setattr(paged_keys, name, value)


def scale_listing(monkeypatch: pytest.MonkeyPatch, *, page: int, held: int) -> None:
    """A large gallery's listed views (gui/view_ids.py) scaled down: views of 1 000 images or more
    listed, ``page`` ids a page, ``held`` pages held, chunks of 40 then 150 ids, a refresh 10 ms
    after a scan's images."""
    from facecurator.gui import gallery_views, paged_ids, view_ids
    from facecurator.services.catalog import views

    monkeypatch.setattr(paged_ids, "PAGED_MIN", 1000)
    monkeypatch.setattr(view_ids, "PAGE", page)
    monkeypatch.setattr(view_ids, "MAX_PAGES", held)
    monkeypatch.setattr(view_ids, "SEARCH_CHUNK", 100)
    monkeypatch.setattr(views, "FIRST_CHUNK", 40)
    monkeypatch.setattr(views, "CHUNK", 150)
    monkeypatch.setattr(gallery_views, "REFRESH_DELAY_MS", 10)


def seeded(request: pytest.FixtureRequest, tmp_path: Path, images: int, faces: int) -> tuple[str, Path]:
    """(catalog target, source folder) of ``images`` images of ``faces`` faces, on the backend of
    the test's parameter ("sqlite" or "postgresql": the ``pg_url`` fixture's server)."""
    root = tmp_path / "gallery"
    root.mkdir()
    target = str(tmp_path / "c.sqlite3") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    seed_catalog(target, root, images, faces)
    return target, root


def opened(qtbot: Any, make_window: Callable[[str], Any], target: str, root: Path) -> Any:
    """A window on ``target`` with the source ``root`` opened (every verdict stored)."""
    window = make_window(target)
    with qtbot.waitSignal(window.store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    return window


def gallery_shown(qtbot: Any, make_window: Callable[[str], Any], target: str, root: Path) -> Any:
    """:func:`opened`, its queries answered and the gallery's tab shown."""
    window = opened(qtbot, make_window, target, root)
    qtbot.waitUntil(lambda: not window.store._queries, timeout=30_000)
    window.tabs.setCurrentWidget(window.gallery_page)
    return window


def rows_agree(qtbot: Any, view: Any, id_of: Callable[[int], int], reference: list[int]) -> Callable[[], int]:
    """A check that the rows ``view`` shows hold the ids of ``reference`` at their rows (and more
    than a few are shown); it answers the top row shown."""

    def check() -> int:
        qtbot.wait(1)
        rows = view.visible_rows()
        assert len(rows) > 4
        assert [id_of(r) for r in rows] == reference[rows.start : rows.stop]
        return int(rows.start)

    return check


def page_down_past(bar: Any, rows_agree: Callable[[], int], beyond: int) -> None:
    """Scroll down a page at a time (PgDown held) until the top row shown is past ``beyond``;
    ``rows_agree`` checks the rows shown and answers the top one."""
    top = 0
    for _ in range(400):
        bar.setValue(bar.value() + bar.pageStep())
        top = rows_agree()
        if top > beyond:
            return
    raise AssertionError(f"paging down stopped at row {top}")


def up_and_dragged(bar: Any, rows_agree: Callable[[], int]) -> None:
    """From where the view is (its end): five pages up (each a keyset read before a page held),
    then the scroll bar dragged to 50 %, 13 % and 77 % (reads from a sampled key); the rows
    checked after each."""
    rows_agree()
    for _ in range(5):
        bar.setValue(bar.value() - bar.pageStep())
        rows_agree()
    for fraction in (0.5, 0.13, 0.77):
        bar.setValue(int(bar.maximum() * fraction))
        rows_agree()


def traced(catalog: Any) -> list[str]:
    """The statements the GUI thread's connection runs from now on (SQLite: its trace callback;
    PostgreSQL has none: the list stays empty)."""
    statements: list[str] = []
    db = getattr(catalog, "_db", None)
    if db is not None and hasattr(db, "set_trace_callback"):
        db.set_trace_callback(statements.append)
    return statements


def unbounded(statements: list[str], *tables: str) -> list[str]:
    """The statements reading from all of ``tables`` with no LIMIT, count or id list."""
    return [
        sql for sql in statements
        if all(f"FROM {t}" in sql or f"JOIN {t}" in sql for t in tables)
        and not any(b in sql for b in ("LIMIT", "count(", "json_each"))
    ]  # fmt: skip


def hold_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paged views take no sample (as while a view's sample is still being walked at a size)."""
    from facecurator.gui import paged_ids

    monkeypatch.setattr(paged_ids.PagedIds, "_sample_of", lambda *_a: None)
    monkeypatch.setattr(paged_ids.PagedIds, "_sample_from", lambda *_a: None)


def page_reads(
    monkeypatch: pytest.MonkeyPatch, source: type, name: str = "page"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the GUI thread's, the workers') calls of ``source.page`` (or of its method ``name``,
    e.g. "rank") from now on: their bounds (the keyword arguments; positional ones after the
    catalog under "args")."""
    on_gui: list[dict[str, Any]] = []
    on_worker: list[dict[str, Any]] = []
    read = getattr(source, name)

    def called(self: Any, catalog: Any, *args: Any, **bounds: Any) -> Any:
        on_main = threading.current_thread() is threading.main_thread()
        (on_gui if on_main else on_worker).append(dict(bounds, args=args) if args else bounds)
        return read(self, catalog, *args, **bounds)

    monkeypatch.setattr(source, name, called)
    return on_gui, on_worker


def row_reads(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """(the GUI thread's, the workers') reads of rows by id through the services' review from
    now on (store_rows: a row painted, the current face or image, a next image's face): their
    image ids."""
    from facecurator.gui import row_reads, store_rows

    on_gui: list[int] = []
    on_worker: list[int] = []
    read = store_rows.review

    def called(catalog: Any, ruleset: Any, **how: Any) -> Any:
        on_main = threading.current_thread() is threading.main_thread()
        (on_gui if on_main else on_worker).extend(how.get("image_ids") or ())
        return read(catalog, ruleset, **how)

    monkeypatch.setattr(store_rows, "review", called)
    monkeypatch.setattr(row_reads, "review", called)  # (the row worker's reads)
    return on_gui, on_worker


def far_jumps_fill_in(
    qtbot: Any, view: Any, id_of_row: Callable[[int], Any], reference: list[int], step: int
) -> None:
    """The scroll bar of ``view`` dragged into the middle (rows more than two sample steps from
    both ends): the rows shown are placeholders (``id_of_row`` None) at first, then hold the ids of
    ``reference`` and are announced (the model's dataChanged)."""
    model = view.model()
    announced: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: announced.append((first.row(), last.row())))

    def filled(rows: range) -> bool:
        qtbot.wait(1)
        return [id_of_row(r) for r in rows] == reference[rows.start : rows.stop]

    bar = view.verticalScrollBar()
    for fraction in (0.5, 0.3):
        bar.setValue(int(bar.maximum() * fraction))
        rows = view.visible_rows()
        assert rows.start > 2 * step and len(reference) - rows.stop > 2 * step
        index = model.index(rows.start, 0)
        assert id_of_row(rows.start) is None and model.data(index) is None  # a placeholder
        view._prune_offscreen_requests()  # (its timer after a scroll: reads no page of these)
        qtbot.waitUntil(lambda rows=rows: filled(rows), timeout=30_000)
        # announced when the worker's answer comes (also when the page was read meanwhile on the
        # GUI thread beside a neighbour that arrived first: its placeholders are painted again)
        qtbot.waitUntil(lambda s=rows.start: any(a <= s <= b for a, b in announced), timeout=30_000)


def walked_at_most(reads: list[dict[str, Any]], rows: int) -> bool:
    """Whether every one of these page reads skipped at most ``rows`` rows."""
    return all(int(bounds.get("offset", 0)) <= rows for bounds in reads)


@contextlib.contextmanager
def query_worker_busy(qtbot: Any, store: Any) -> Iterator[Callable[[], bool]]:
    """The store's query worker held by a long query (an open's counts at 1M) for the block;
    yields whether that query has ended (it must not have while the block runs)."""
    release, running, done = threading.Event(), threading.Event(), threading.Event()

    def busy(_catalog: Any) -> None:
        running.set()
        release.wait(120)
        done.set()

    store.query(busy, lambda _r: None)
    qtbot.waitUntil(running.is_set, timeout=30_000)
    try:
        yield done.is_set
    finally:
        release.set()
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)


def row_worker_held(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """From now on a read of rows off the GUI thread (row_reads' review: the row worker's) waits
    for the second event once it has set the first: (started, release)."""
    from facecurator.gui import row_reads, store_rows

    started, release = threading.Event(), threading.Event()
    read = store_rows.review

    def held(catalog: Any, ruleset: Any, **how: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            started.set()
            release.wait(30)
        return read(catalog, ruleset, **how)

    monkeypatch.setattr(store_rows, "review", held)
    monkeypatch.setattr(row_reads, "review", held)  # (the row worker's reads)
    return started, release
