"""A large gallery is read a page at a time (gui/paged_ids.py): the model knows the count and
holds a few pages of ids, whatever the size; paging, End, a dragged scroll bar and "go to image"
land on the rows of the catalog's name order; the current image stays current across a decision
and a new image; the GUI thread's queries are LIMIT-ed pages, counts or id lists. Both backends.

The sizes are scaled down (the paging threshold and the pages held are lowered for the test):
what is checked is the shape, not a time.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from helpers.paging import (
    far_jumps_fill_in,
    gallery_shown,
    hold_sample,
    page_reads,
    query_worker_busy,
    row_reads,
    row_worker_held,
    seeded,
    traced,
    unbounded,
    walked_at_most,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from facecurator.domain.protocols import ImageRef
from facecurator.errors import CatalogError
from facecurator.gui import paged_ids, paged_keys
from facecurator.gui.gallery import IMAGE_ID_ROLE, STATUS_ROLE
from facecurator.gui.key_sources import ImagePages
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q

N_IMAGES = 1200
PAGE = 32
HELD_PAGES = 4
SAMPLE_STEP = 128
#: The most ids the model may hold: its pages, and one sampled key per SAMPLE_STEP rows.
MAX_HELD = HELD_PAGES * PAGE + N_IMAGES // SAMPLE_STEP + 1


@pytest.fixture
def paged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paged_ids, "PAGED_MIN", 1000)
    monkeypatch.setattr(paged_keys, "PAGE", PAGE)
    monkeypatch.setattr(paged_keys, "MAX_PAGES", HELD_PAGES)
    monkeypatch.setattr(paged_keys, "SAMPLE_STEP", SAMPLE_STEP)


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    target, root = seeded(request, tmp_path, N_IMAGES, 1)
    return target, root


def _current(view) -> tuple[int, int]:
    index = view.currentIndex()
    return index.row(), index.data(IMAGE_ID_ROLE)


def test_a_large_gallery_holds_pages_and_lands_on_the_right_rows(
    qtbot, make_window, paged, big_target: tuple[str, Path]
) -> None:
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    assert len(reference) == N_IMAGES
    window = make_window(target)
    store, model, view = window.store, window.gallery_model, window.gallery
    statements: list[str] = []
    if hasattr(store.catalog, "_db") and hasattr(store.catalog._db, "set_trace_callback"):
        store.catalog._db.set_trace_callback(statements.append)  # the GUI thread's connection (SQLite)
    shown: list[tuple[int, int, int]] = []  # (rows, image ids listed, images counted) when shown
    store.sourceImagesListed.connect(
        lambda _r: shown.append((model.rowCount(), len(store.image_ids()), store.image_count()))
    )
    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    # shown from the count: the ids were read after the gallery painted, not before
    assert shown == [(N_IMAGES, 0, N_IMAGES)]
    assert store.image_ids() == reference and store.image_count() == N_IMAGES
    assert model.rowCount() == N_IMAGES and model.held_ids <= MAX_HELD
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)  # the sample is in
    window.tabs.setCurrentWidget(window.gallery_page)
    last = model.index(N_IMAGES - 1, 0)
    qtbot.waitUntil(lambda: view.visualRect(last).isValid(), timeout=30_000)  # the batched layout's end

    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Home)
    assert _current(view) == (0, reference[0])
    bar = view.verticalScrollBar()

    def shown_rows_agree() -> int:
        qtbot.wait(1)
        rows = view.visible_rows()
        assert len(rows) > 4
        assert [model.image_id(r) for r in rows] == reference[rows.start : rows.stop]
        return rows.start

    top, beyond = 0, 2 * HELD_PAGES * paged_keys.PAGE  # past more pages than are held
    for _ in range(400):  # paging down, a page at a time (PgDown held)
        bar.setValue(bar.value() + bar.pageStep())
        top = shown_rows_agree()
        if top > beyond:
            break
    assert top > beyond, f"paging down stopped at row {top}"
    QTest.keyClick(view, Qt.Key.Key_End)
    assert _current(view) == (N_IMAGES - 1, reference[-1])
    shown_rows_agree()
    for _ in range(5):  # and up from the end (a keyset read before the page held)
        bar.setValue(bar.value() - bar.pageStep())
        shown_rows_agree()
    for fraction in (0.5, 0.13, 0.77):  # the scroll bar dragged
        bar.setValue(int(bar.maximum() * fraction))
        shown_rows_agree()
    assert view.select_image(reference[777])  # "go to image": a row on no held page
    assert _current(view) == (777, reference[777])
    assert model.held_ids <= MAX_HELD, f"the model holds {model.held_ids} ids"

    # the current image stays current across a decision of its face (a live update) ...
    face = store.image(reference[777]).faces[0].id
    store.decide([face], "accepted")
    assert _current(view) == (777, reference[777])
    # ... and across an image a scan adds before it (inserted at its row once the query worker
    # located it, no reset)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with Catalog(target) as catalog:
        (new,) = catalog.record_listed(
            [ImageRef(uri=f"{root}/!first.jpg", name="!first.jpg", group="", size=1, mtime_ns=1)],
            source_root=str(root),
        )
    store.add_listed(str(root), [new])
    qtbot.waitUntil(lambda: model.rowCount() == N_IMAGES + 1, timeout=30_000)  # (located on the worker)
    assert resets == []
    # (every held page shifted: the current row's, far from both ends, is read on the query worker)
    qtbot.waitUntil(lambda: _current(view) == (778, reference[777]), timeout=30_000)
    assert model.image_id(0) == new and model.image_id(N_IMAGES) == reference[-1]
    assert model.held_ids <= MAX_HELD

    # no statement of the GUI thread reads the images without a bound: a LIMIT-ed page, a
    # count, or rows by a list of ids
    reads = unbounded(statements, "images")
    assert not reads, reads
    if statements:
        assert any("LIMIT" in sql for sql in statements)  # the trace saw the pages


def _opened_and_laid_out(qtbot, make_window, target: str, root: Path) -> Any:
    """A window on ``target`` with ``root`` open, the gallery shown and laid out to its end."""
    window = gallery_shown(qtbot, make_window, target, root)
    model, view = window.gallery_model, window.gallery
    last = model.index(N_IMAGES - 1, 0)
    qtbot.waitUntil(lambda: view.visualRect(last).isValid(), timeout=30_000)  # the batched layout's end
    return window


def test_a_jump_before_the_sample_reads_its_page_on_the_worker(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample held back: a drag into the middle of the gallery shows empty cells, reads its
    page on the query worker (no OFFSET walk on the GUI thread) and fills in with the right
    images; the ends are read at once; "go to image" far from both ends, and the current image
    put back after the view is read again, are counted on the worker (no rank on the GUI thread)."""
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    hold_sample(monkeypatch)
    gui_reads, worker_reads = page_reads(monkeypatch, ImagePages)
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    statements = traced(store.catalog)
    gui_reads.clear()

    far_jumps_fill_in(
        qtbot, view, lambda r: model.data(model.index(r, 0), IMAGE_ID_ROLE), reference, SAMPLE_STEP
    )
    assert model.thumbnail(view.visible_rows().start - 4 * PAGE) is None  # (a row on no page held)
    assert worker_reads and not walked_at_most(worker_reads, SAMPLE_STEP)
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    assert not unbounded(statements, "images")
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert model.data(model.index(N_IMAGES - 1, 0), IMAGE_ID_ROLE) == reference[-1]
    bar.setValue(0)
    assert model.data(model.index(0, 0), IMAGE_ID_ROLE) == reference[0]
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    # "go to image" far from both ends and every sampled key: shown current at once at an
    # estimated row (its page read by keyset from its key on the worker), then moved along with
    # its rows to its row counted on the worker, still current and shown
    gui_ranks, worker_ranks = page_reads(monkeypatch, ImagePages, "rank")
    row = N_IMAGES * 7 // 10
    estimate = row - 45  # (an estimate 45 rows off)
    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", lambda *_a: estimate)
    landed: list[tuple[int, int]] = []
    view.currentImageChanged.connect(lambda _i: landed.append(_current(view)))
    with qtbot.waitSignal(
        view.currentImageChanged, timeout=30_000, check_params_cb=lambda i: i == reference[row]
    ):
        assert view.select_image(reference[row])
    assert landed == [(estimate, reference[row])]
    qtbot.waitUntil(lambda: _current(view) == (row, reference[row]), timeout=30_000)
    assert view.visualRect(view.currentIndex()).intersects(view.viewport().rect())
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    assert worker_ranks and not gui_ranks, gui_ranks
    near = row + 1 if (row + 1) % PAGE else row - 1  # on a page held (painted): at once
    qtbot.waitUntil(lambda: model.held_id(near) is not None, timeout=30_000)
    assert view.select_image(reference[near]) and _current(view) == (near, reference[near])
    assert not view.select_image(max(reference) + 1)
    # the view read again (a new paged list, no sample yet): the current image put back at its
    # row, counted on the worker
    model.rebuild()
    qtbot.waitUntil(lambda: _current(view) == (near, reference[near]), timeout=30_000)
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    assert not gui_ranks, gui_ranks


def test_a_page_the_worker_failed_to_read_is_asked_again(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's read of a jump's page fails once (a dropped connection, say): its cells stay
    empty, and the next paint asks for the page again; it fills in."""
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    hold_sample(monkeypatch)
    failed: list[dict[str, Any]] = []
    read = ImagePages.page

    def page(self: Any, catalog: Any, **bounds: Any) -> Any:
        if threading.current_thread() is not threading.main_thread() and not failed:
            failed.append(bounds)
            raise CatalogError("reading a page: the connection dropped (planted by the test)")
        return read(self, catalog, **bounds)

    monkeypatch.setattr(ImagePages, "page", page)
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    rows = view.visible_rows()

    def ids() -> list[int | None]:
        return [model.data(model.index(r, 0), IMAGE_ID_ROLE) for r in rows]

    assert ids()[0] is None  # a placeholder
    qtbot.waitUntil(lambda: bool(failed) and not store._queries, timeout=30_000)
    assert failed and failed[0].get("offset", 0) > SAMPLE_STEP  # the failed read was the far page's
    qtbot.waitUntil(lambda: ids() == reference[rows.start : rows.stop], timeout=30_000)  # asked again


def test_a_far_page_is_not_read_behind_the_query_workers_counts(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The query worker busy (an open's counts, Triage's "pending" count: seconds each at 1M on
    PostgreSQL, where a drag to 50 % filled 15.5-20 s late behind them): a far page dragged to,
    and a far go-to's estimated row, are read on the page worker and shown while the query
    worker's query still runs."""
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    hold_sample(monkeypatch)
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    with query_worker_busy(qtbot, store) as done:
        far_jumps_fill_in(
            qtbot, view, lambda r: model.data(model.index(r, 0), IMAGE_ID_ROLE), reference, SAMPLE_STEP
        )
        assert not done()  # filled in while the query worker was still busy
        # "go to image" far from both ends and every sampled key: shown at its estimated row
        # (its exact row is counted on the query worker after the count)
        row = N_IMAGES * 7 // 10
        with qtbot.waitSignal(
            view.currentImageChanged, timeout=30_000, check_params_cb=lambda i: i == reference[row]
        ):
            assert view.select_image(reference[row])
        assert not done()


def test_a_far_go_to_is_counted_while_the_source_is_counted(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header's counts of the source (asked again whenever the verdicts are stored: 4.6-15 s
    at 1M on PostgreSQL) run on a worker of their own: a far go-to shown at an estimated row is
    moved to its counted row while they still run (behind them it waited 10.6 s)."""
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    hold_sample(monkeypatch)
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    store, view = window.store, window.gallery
    release, running, done = threading.Event(), threading.Event(), threading.Event()
    counts = q.header_counts  # (the header's: images, faces, pending)

    def slow_counts(*args: Any, **kwargs: Any) -> Any:  # a count of a million images
        running.set()
        release.wait(120)
        done.set()
        return counts(*args, **kwargs)

    monkeypatch.setattr(q, "header_counts", slow_counts)
    window._recount()
    qtbot.waitUntil(running.is_set, timeout=30_000)
    row = N_IMAGES * 7 // 10
    estimate = row - 45  # (an estimate 45 rows off)
    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", lambda *_a: estimate)
    try:
        assert view.select_image(reference[row])
        qtbot.waitUntil(lambda: _current(view) == (row, reference[row]), timeout=30_000)
        assert not done.is_set()  # its row counted while the source's counts still ran
    finally:
        release.set()
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)


def test_the_gallery_stays_where_a_drag_put_it_when_the_page_arrives(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gallery laid out in batches of fewer rows than it has (as 2 000 of 1M), the sample held
    back: the scroll bar dragged to the middle shows placeholders, its page is read on the worker,
    and when it arrives and its rows are repainted the gallery is still where the drag put it,
    the rows shown the right images. Before, the arrival laid the whole grid out again
    (QListView on any dataChanged) and the first batch clamped the scroll position: the gallery
    jumped back to the batch's last rows."""
    from facecurator.gui import gallery

    monkeypatch.setattr(gallery, "LAYOUT_BATCH", 64)
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    hold_sample(monkeypatch)
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    model, view = window.gallery_model, window.gallery
    assert view.batchSize() == 64
    bar = view.verticalScrollBar()
    full = bar.maximum()
    bar.setValue(full // 2)
    dragged, area = bar.value(), view.viewport().rect()
    shown = [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]
    assert shown and all(model.held_id(r) is None for r in shown)  # (placeholders: read on the worker)
    qtbot.waitUntil(lambda: all(model.held_id(r) is not None for r in shown), timeout=30_000)
    view.executeDelayedItemsLayout()  # (a layout the announcement scheduled runs now, if any)
    qtbot.waitUntil(lambda: bar.maximum() == full, timeout=30_000)  # (its batches all laid out)
    assert bar.value() == dragged, "the gallery jumped away as the page arrived"
    assert [model.held_id(r) for r in shown] == reference[shown[0] : shown[-1] + 1]


def test_paging_a_large_gallery_reads_its_rows_on_the_worker(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gallery with no row cached, stepped through with PgDown (next image) and paged with
    the scroll bar: on PostgreSQL no row is read by id on the GUI thread (a round trip or two a
    page, waits under load at 1M); the row worker reads them, the cells are painted and the
    current image shown once they are in, each step on the next image as before. On SQLite
    they are read at once, as before."""
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    shown: list[int] = []
    window.image_view.imageShown.connect(shown.append)
    view.setCurrentIndex(model.index(1, 0))
    store._forget_rows()  # (no row cached: each step's rows are read)
    gui_rows, worker_rows = row_reads(monkeypatch)
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: shown[-1:] == [reference[0]], timeout=30_000)
    for row in range(1, 2 * PAGE, 7):
        view.setCurrentIndex(model.index(row - 1, 0))
        QTest.keyClick(view, Qt.Key.Key_PageDown)
        assert view.currentIndex().row() == row
        qtbot.waitUntil(lambda row=row: shown[-1:] == [reference[row]], timeout=30_000)
    bar, area = view.verticalScrollBar(), view.viewport().rect()

    def painted() -> bool:  # the cells shown hold their images' rows (a status), in name order
        rows = [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]
        ids = [model.held_id(r) for r in rows]
        read = [model.index(r, 0).data(STATUS_ROLE) for r in rows]
        return ids == reference[rows[0] : rows[-1] + 1] and None not in read

    for _ in range(3):
        bar.setValue(bar.value() + bar.pageStep())
        qtbot.waitUntil(painted, timeout=30_000)
    if store.rows_later:  # PostgreSQL
        assert not gui_rows, f"{len(gui_rows)} rows read by id on the GUI thread"
        assert len(set(worker_rows)) > 2 * PAGE  # (read on the row worker instead)
    else:  # SQLite: read at once (0.3-2 ms a read at 1M)
        assert gui_rows and not worker_rows


@pytest.mark.parametrize("big_target", ["postgresql"], indirect=True)  # (SQLite reads rows at once)
def test_the_current_image_changed_elsewhere_while_its_row_is_read_is_shown(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gallery's current image's row is on the row worker when another operator decides one
    of its faces: that read's answer is old (not kept), and the image is read again and shown.
    Nothing asked again, so the image view said "loading…" until the current image changed."""
    target, root = big_target
    with Catalog(target) as catalog:
        reference = q.image_ids(catalog, source_root=str(root), sort="name")
    window = _opened_and_laid_out(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    assert store.rows_later
    shown: list[int] = []
    window.image_view.imageShown.connect(shown.append)
    view.setCurrentIndex(model.index(41, 0))
    store._forget_rows()  # (no row cached)
    started, release = row_worker_held(monkeypatch)
    # (the problems dock reads every changed image's row on the GUI thread, which hid this)
    store.imagesChanged.disconnect(window.problems.update_images)
    image = reference[40]
    view.setCurrentIndex(model.index(40, 0))
    try:
        qtbot.waitUntil(started.is_set, timeout=30_000)  # its row read on the worker, held there
        with Catalog(target) as other:  # another operator accepts its faces meanwhile
            faces = [f for (f,) in other._db.execute("SELECT id FROM faces WHERE image_id = ?", (image,))]
            other.decide(faces, "accepted")
        view.scrollToBottom()  # (its cell out of sight: no paint asks for its row again)
        qtbot.waitUntil(lambda: not view.visualRect(model.index(40, 0)).intersects(view.viewport().rect()))
        store.reload_decisions(faces)  # (what the decision watcher hands over)
    finally:
        release.set()
    qtbot.waitUntil(lambda: shown[-1:] == [image], timeout=30_000)
    assert faces and all(store.face(f).decision == "accepted" for f in faces)
