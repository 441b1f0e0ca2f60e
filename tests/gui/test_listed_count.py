"""A large gallery opened on a filter shows its first rows and its count before its listing
ends (gui/gallery_views.py, services/catalog/views.py): the count is an estimate first ("about
N images"), then exact, and the model shows that many rows (those not listed yet blank) so the
scroll bar's range is the view's; the GUI thread runs no unbounded query of the images. Both
backends; the listing is held after its first chunk (the shape is checked, not a time).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.paging import scale_listing, seeded, unbounded

from facecurator.gui.gallery import IMAGE_ID_ROLE
from facecurator.gui.gallery_header import count_text
from facecurator.services import review
from facecurator.services.catalog import Catalog, pages, views
from facecurator.services.catalog import queries as q

N_IMAGES = 1200
FIRST = 40


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Views of 1 000+ images listed (small pages, first chunks of 40 ids); every listing stops
    after its first chunk until the event is set."""
    scale_listing(monkeypatch, page=32, held=4)
    release = threading.Event()
    chunks = views.view_chunks

    def held_chunks(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for n, chunk in enumerate(chunks(*args, **kwargs)):
            if n == 1:
                release.wait(60)
            yield chunk

    monkeypatch.setattr(views, "view_chunks", held_chunks)
    yield release
    release.set()


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    target, root = seeded(request, tmp_path, N_IMAGES, 1)
    with Catalog(target) as catalog:  # every third image's face rejected: "pending" is two thirds
        faces = catalog.faces(image_ids=list(range(1, N_IMAGES + 1, 3)))
        catalog.decide([f.id for f in faces], "rejected", reason="test")
    return target, root


def ids_of_pending(target: str, root: Path) -> list[int]:
    with Catalog(target) as catalog:
        return q.image_ids(catalog, source_root=str(root), filter_name="pending", sort="name")


def _open_then_filter_pending(qtbot: Any, window: Any, root: Path) -> None:
    """Open the source unfiltered, wait for every image, then filter the gallery on "pending"."""
    store = window.store
    with qtbot.waitSignal(store.sourceImagesListed, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    window.tabs.setCurrentWidget(window.gallery_page)
    qtbot.waitUntil(lambda: store.image_count() == N_IMAGES, timeout=60_000)
    window.gallery_model.set_filter("pending")


def _traced(conn: Any) -> list[str]:
    statements: list[str] = []
    if hasattr(conn, "set_trace_callback"):
        conn.set_trace_callback(statements.append)  # SQLite
    else:  # PostgreSQL: every statement through its execute
        execute = conn.execute
        conn.execute = lambda sql, *args: (statements.append(sql), execute(sql, *args))[1]
    return statements


@pytest.mark.parametrize("early", [True, False], ids=["opened-on-filter", "filter-chosen"])
def test_a_filtered_view_shows_rows_and_its_count_before_its_listing_ends(
    qtbot,
    make_window,
    held: threading.Event,
    big_target: tuple[str, Path],
    early: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target, root = big_target
    window = make_window(target)
    store, model, view = window.store, window.gallery_model, window.gallery
    statements = _traced(store.catalog._db)  # the GUI thread's connection
    counts: list[tuple[int, bool] | None] = []
    model.countChanged.connect(lambda: counts.append(model.view_count))
    if early:  # opened on the filter: listed as the open begins, shown before the open's count
        model.filter_name = "pending"
        counted = threading.Event()
        count = pages.present_count_and_last
        monkeypatch.setattr(pages, "present_count_and_last", lambda *a: (counted.wait(60), count(*a))[1])
        assert window.open_source(str(root), scan=False)
        window.tabs.setCurrentWidget(window.gallery_page)
        qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=30_000)
        assert store.source_root is None and window.gallery.isVisible()  # the source not counted yet
        assert [model.index(r, 0).data(IMAGE_ID_ROLE) for r in range(5)] == ids_of_pending(target, root)[:5]
        with qtbot.waitSignal(store.sourceImagesListed, timeout=60_000):
            counted.set()
    else:
        _open_then_filter_pending(qtbot, window, root)
    expected = ids_of_pending(target, root)
    assert len(expected) == N_IMAGES - N_IMAGES // 3
    listed = model.listed
    assert listed is not None

    # the listing is held after its first chunk: the first rows are shown, and the count is
    # known, first as an estimate, then exact; the model shows that many rows
    qtbot.waitUntil(lambda: model.view_count == (len(expected), False), timeout=30_000)
    assert not listed.complete and listed.written == FIRST
    assert model.rowCount() == len(expected)
    assert [model.index(r, 0).data(IMAGE_ID_ROLE) for r in range(FIRST)] == expected[:FIRST]
    assert model.index(FIRST, 0).data(IMAGE_ID_ROLE) is None  # not listed yet: a blank cell
    assert model.index(len(expected) - 1, 0).data() is None
    shown = [c for c in counts if c is not None]
    assert shown[0][1] and abs(shown[0][0] - len(expected)) <= len(expected) // 10, shown  # estimated
    assert shown[-1] == (len(expected), False)
    label = window.gallery_header.count_label.text()
    assert label == count_text((len(expected), False)) and "about" not in label
    assert count_text((5, True)) != count_text((5, False))
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0
    maximum = bar.maximum()  # the scroll bar's range is the view's count already

    held.set()
    qtbot.waitUntil(lambda: listed.complete and model.view_complete, timeout=30_000)
    assert model.rowCount() == len(expected) and model.view_count == (len(expected), False)
    assert model.ids() == expected
    middle = len(expected) // 2
    assert model.index(middle, 0).data(IMAGE_ID_ROLE) == expected[middle]
    qtbot.wait(10)
    assert bar.maximum() == maximum
    reads = unbounded(statements, "images")
    assert not reads, reads


def test_a_jump_ahead_of_the_listing_reads_its_rows_on_the_worker(
    qtbot, make_window, held: threading.Event, big_target: tuple[str, Path]
) -> None:
    """The listing held after its first chunk: the scroll bar dragged to 80 % shows the view's
    rows there once the query worker read their page from the view's query (not blank until the
    listing gets there); the GUI thread runs no unbounded query; once the listing wrote them,
    the rows (read from its file) are the same."""
    target, root = big_target
    window = make_window(target)
    store, model, view = window.store, window.gallery_model, window.gallery
    _open_then_filter_pending(qtbot, window, root)
    expected = ids_of_pending(target, root)
    listed = model.listed
    assert listed is not None
    qtbot.waitUntil(lambda: model.view_count == (len(expected), False), timeout=30_000)
    statements = _traced(store.catalog._db)  # the GUI thread's connection
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() * 8 // 10)
    rows = range(view.visible_rows().start, min(view.visible_rows().stop, len(expected)))
    assert rows.start > FIRST + 64 and len(rows) > 5

    def shown() -> list[int]:
        return [model.index(r, 0).data(IMAGE_ID_ROLE) for r in rows]

    qtbot.waitUntil(lambda: shown() == expected[rows.start : rows.stop], timeout=30_000)
    assert not listed.complete and listed.written == FIRST  # read ahead of the listing
    reads = unbounded(statements, "images")
    assert not reads, reads
    held.set()
    qtbot.waitUntil(lambda: listed.complete and model.view_complete, timeout=30_000)
    view.viewport().repaint()
    assert shown() == expected[rows.start : rows.stop]
    assert model.ids() == expected


def test_an_open_on_a_filter_reads_each_painted_row_once(
    qtbot, make_window, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows a view listed as the open begins paints are read then, and not again when the
    open's listing and its end come (each read was a GUI-thread stall of a page of rows; since
    session 15 they are read on the store's row worker on PostgreSQL, none on the GUI thread)."""
    scale_listing(monkeypatch, page=32, held=4)
    target, root = big_target
    read: Counter[int] = Counter()  # image id -> the statements that read its row (any thread)
    on_gui: list[int] = []  # ... those on the GUI thread
    by_id = review.images_by_id

    def traced(catalog: Any, ids: Any) -> Any:
        read.update(ids)
        if threading.current_thread() is threading.main_thread():
            on_gui.extend(ids)
        return by_id(catalog, ids)

    monkeypatch.setattr(review, "images_by_id", traced)
    window = make_window(target)
    store, model, view = window.store, window.gallery_model, window.gallery
    window.tabs.setCurrentWidget(window.gallery_page)
    model.filter_name = "pending"
    counted = threading.Event()  # the open's count of the source held: its listing comes after
    count = pages.present_count_and_last
    monkeypatch.setattr(pages, "present_count_and_last", lambda *a: (counted.wait(60), count(*a))[1])
    assert window.open_source(str(root), scan=False)
    qtbot.waitUntil(lambda: model.rowCount() > 0 and bool(read), timeout=30_000)
    assert store.source_root is None  # painted before the open's listing
    painted = [model.index(r, 0).data(IMAGE_ID_ROLE) for r in view.visible_rows()]
    assert painted and set(painted) <= set(read)
    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):  # the open's listing, then its end
        counted.set()
    qtbot.waitUntil(lambda: model.view_complete, timeout=30_000)
    view.viewport().repaint()  # the rows shown painted again after the open
    assert [model.index(r, 0).data(IMAGE_ID_ROLE) for r in view.visible_rows()] == painted
    twice = {i: n for i, n in read.items() if n > 1}
    assert not twice, f"rows read more than once: {twice}"
    if store.rows_later:  # PostgreSQL: on the row worker (SQLite: on the GUI thread, ~1 ms a read)
        assert not on_gui, f"{len(on_gui)} rows read on the GUI thread"


def test_the_estimate_is_a_sample_of_the_catalogs_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers.catalogs import seed_catalog

    root = tmp_path / "gallery"
    seed_catalog(tmp_path / "c.sqlite3", root, 3000, 1)
    monkeypatch.setattr(views, "SAMPLE_RANGES", 8)
    monkeypatch.setattr(views, "SAMPLE_SPAN", 40)
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        faces = catalog.faces(image_ids=list(range(1, 3001, 4)))
        catalog.decide([f.id for f in faces], "rejected", reason="test")
        estimate = views.estimate(catalog, "rejected", source_root=str(root), ruleset=0)
        exact = views.count(catalog, *views.where("rejected", source_root=str(root), ruleset=0))
        assert views.estimate(catalog, "rejected", source_root="/elsewhere", ruleset=0) is None
    assert exact == 750
    assert estimate is not None and abs(estimate - exact) <= 100  # 320 of 3000 ids sampled
