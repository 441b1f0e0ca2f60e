"""A large source's Triage grid is read a page at a time (FacePages through gui/paged_ids.py): the
model knows the count and holds a few pages of face ids, whatever the size; paging, End, a
dragged scroll bar and "go to face" land on the rows of Triage's order; the keyboard flow
(A decides and moves on), undo and another operator's decisions keep every row where it was (a
decided face stays in the "Pending" grid until it is rebuilt); the counts come from SQL; the
GUI thread's queries are LIMIT-ed pages, counts or rows by id. Both backends; a shape, not a
time: a few hundred images, with the paging threshold, the page and the pages held made small.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from helpers.paging import (
    far_jumps_fill_in,
    hold_sample,
    page_down_past,
    page_reads,
    query_worker_busy,
    row_reads,
    row_worker_held,
    rows_agree,
    scale_paging,
    seeded,
    traced,
    unbounded,
    up_and_dragged,
    walked_at_most,
)
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from facecurator.gui import paged_ids, paged_keys
from facecurator.gui.triage_delegate import DECISION_ROLE
from facecurator.gui.triage_model import FACE_ID_ROLE
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.catalog.face_pages import FacePages

N_IMAGES = 700
FACES = 2
PAGE = 32
HELD_PAGES = 4
SAMPLE_STEP = 128
#: The most ids the model may hold: its pages, and one sampled key per SAMPLE_STEP rows.
MAX_HELD = HELD_PAGES * PAGE + N_IMAGES * FACES // SAMPLE_STEP + 1


@pytest.fixture
def paged(monkeypatch: pytest.MonkeyPatch) -> None:
    # the faces (1400) are paged, the images (700) not
    # (the sample read 3 keys a query: in several chunks)
    scale_paging(monkeypatch, minimum=1000, page=PAGE, held=HELD_PAGES, step=SAMPLE_STEP, chunk=3)


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    target, root = seeded(request, tmp_path, N_IMAGES, FACES)
    with Catalog(target) as catalog:  # every 5th face accepted before: "Pending" is not "All"
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide(every[5::5], "accepted")
        catalog.decide(every[:1], "accepted")  # a batch of its own (undone below)
    return target, root


def test_a_large_triage_grid_holds_pages_and_keeps_its_rows(
    qtbot, make_window, paged, big_target: tuple[str, Path]
) -> None:
    target, root = big_target
    with Catalog(target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        reference = q.face_ids(catalog, source_root=str(root), filter_name="pending")
    assert len(every) == N_IMAGES * FACES and len(reference) == len(every) - len(every[::5])
    window = make_window(target)
    store, page = window.store, window.triage
    model, view = page.model, page.view
    statements = traced(store.catalog)

    def _current(view) -> tuple[int, int]:
        index = view.currentIndex()
        return index.row(), index.data(FACE_ID_ROLE)

    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    window.tabs.setCurrentWidget(page)
    assert model.filter_name == "pending"
    # shown from the count the open's listing made (no "pending" list kept), pages held only
    assert model.paged is not None and store._lists.get(("faces", "pending", None)) is None
    assert model.rowCount() == len(reference) and model.held_ids <= MAX_HELD
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)  # the sample is in
    last = model.index(len(reference) - 1, 0)
    qtbot.waitUntil(lambda: view.visualRect(last).isValid(), timeout=30_000)  # the batched layout's end
    qtbot.waitUntil(lambda: page.counts.text().startswith(f"{len(reference)} "), timeout=30_000)
    assert f"· {len(reference)} " in page.counts.text()  # every face of the grid is pending

    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Home)
    assert _current(view) == (0, reference[0])
    bar = view.verticalScrollBar()
    shown_rows_agree = rows_agree(qtbot, view, model.face_id, reference)
    page_down_past(bar, shown_rows_agree, 2 * HELD_PAGES * paged_keys.PAGE)  # past the pages held
    QTest.keyClick(view, Qt.Key.Key_End)
    assert _current(view) == (len(reference) - 1, reference[-1])
    assert model.held_ids <= MAX_HELD, f"after End the model holds {model.held_ids} ids"
    up_and_dragged(bar, shown_rows_agree)
    assert page.select_face(reference[777])  # "go to face": a row on no held page
    assert _current(view) == (777, reference[777])

    # the keyboard flow: A accepts the current face and moves to the next pending one; the
    # decided face stays in its row, also once its page was dropped and read again
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_A)
    assert _current(view) == (778, reference[778])
    QTest.keyClick(view, Qt.Key.Key_R)
    assert _current(view) == (779, reference[779])
    again = every[0]
    with Catalog(target) as other:  # another operator decides a face on no held page ...
        other.decide([reference[100]], "rejected")
        with other._reading("the batch") as db:  # ... and undoes a decision made before the count
            sql = "SELECT max(batch_id) FROM audit WHERE face_id = :f"
            batch = db.execute(sql, {"f": again}).fetchone()[0]
        assert other.undo(batch_id=batch) == [again]
    store.reload_decisions([reference[100], again])
    assert model.rowCount() == len(reference)
    QTest.keyClick(view, Qt.Key.Key_End)
    QTest.keyClick(view, Qt.Key.Key_Home)
    shown_rows_agree()
    for row in (100, 777, 778):
        assert page.select_face(reference[row]) and _current(view) == (row, reference[row])
        shown_rows_agree()
    window.undo_action.trigger()  # Ctrl+Z: the R on row 778 undone
    assert model.rowCount() == len(reference)
    bar.setValue(0)
    bar.setValue(bar.maximum())
    assert page.select_face(reference[778]) and _current(view) == (778, reference[778])
    shown_rows_agree()
    assert model.held_ids <= MAX_HELD, f"the model holds {model.held_ids} ids"
    # the counts: the decided faces are still shown, no longer pending
    qtbot.waitUntil(lambda: f"· {len(reference) - 2} pending" in page.counts.text(), timeout=30_000)
    assert page.counts.text().startswith(f"{len(reference)} faces")

    # "All faces": counted from the store's listing, paged the same way
    page.filter_combo.setCurrentIndex(page.filter_combo.findData("all"))
    assert model.paged is not None and model.rowCount() == len(every)
    bar.setValue(bar.maximum() // 2)
    rows = view.visible_rows()
    qtbot.wait(1)
    assert [model.face_id(r) for r in rows] == every[rows.start : rows.stop]
    # "Accepted": counted on the query worker, then paged
    page.filter_combo.setCurrentIndex(page.filter_combo.findData("accepted"))
    with Catalog(target) as catalog:
        accepted = q.face_ids(catalog, source_root=str(root), filter_name="accepted")
    qtbot.waitUntil(lambda: model.rowCount() == len(accepted), timeout=30_000)
    assert [model.face_id(r) for r in range(model.rowCount())] == accepted

    # the GUI thread read no faces without a bound: LIMIT-ed pages, counts, rows by a list of ids
    assert not unbounded(statements, "images", "faces")
    if statements:
        assert any("a page" in sql or "LIMIT" in sql for sql in statements)  # the trace saw the pages


def _all_faces_laid_out(
    qtbot: Any, make_window: Any, big_target: tuple[str, Path], filter_name: str = "all"
) -> tuple[list[int], Any, Any]:
    """(every face id in order, the store, Triage) of a window opened on the target's source,
    Triage on "All faces" (or ``filter_name``: its faces), its paged grid laid out to its end and
    the worker idle."""
    target, root = big_target
    with Catalog(target) as catalog:
        state = {} if filter_name == "all" else {"filter_name": filter_name}
        every = q.face_ids(catalog, source_root=str(root), **state)
    window = make_window(target)
    store, triage = window.store, window.triage
    model, view = triage.model, triage.view
    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    window.tabs.setCurrentWidget(triage)
    triage.filter_combo.setCurrentIndex(triage.filter_combo.findData(filter_name))
    if filter_name != "all":  # (a decision state: counted on the query worker)
        qtbot.waitUntil(lambda: model.rowCount() == len(every), timeout=30_000)
    assert model.paged is not None and model.rowCount() == len(every)
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)
    last = model.index(len(every) - 1, 0)
    qtbot.waitUntil(lambda: view.visualRect(last).isValid(), timeout=30_000)  # the batched layout's end
    return every, store, triage


def test_a_jump_before_the_sample_reads_its_page_on_the_worker(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample held back (a view not opened from the listing, its sample still being taken):
    a drag into the middle shows placeholders, reads its page on the query worker (no OFFSET
    walk on the GUI thread) and fills in with the right faces; the ends stay synchronous."""
    hold_sample(monkeypatch)
    gui_reads, worker_reads = page_reads(monkeypatch, FacePages)
    every, store, triage = _all_faces_laid_out(qtbot, make_window, big_target)
    model, view = triage.model, triage.view
    statements = traced(store.catalog)
    gui_reads.clear()

    far_jumps_fill_in(qtbot, view, lambda r: model.data(model.index(r, 0), FACE_ID_ROLE), every, SAMPLE_STEP)
    assert model.crop(view.visible_rows().start - 4 * PAGE) is None  # (a row on no page held)
    assert worker_reads and not walked_at_most(worker_reads, SAMPLE_STEP)
    # the GUI thread walked no more than a sample step of rows: keyset pages beside the ones read
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    assert not unbounded(statements, "images", "faces")
    # the ends are read at once (a short walk from the start or the end)
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    rows = view.visible_rows()
    assert model.data(model.index(rows.stop - 1, 0), FACE_ID_ROLE) == every[rows.stop - 1]
    bar.setValue(0)
    assert model.data(model.index(0, 0), FACE_ID_ROLE) == every[0]
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    # "go to face" on a row far from both ends and every sampled key: shown current at once at
    # an estimated row (its page read by keyset from its key on the worker), then moved along
    # with its rows to its row counted on the worker, still current and shown
    gui_ranks, worker_ranks = page_reads(monkeypatch, FacePages, "rank")
    gui_far, worker_far = page_reads(monkeypatch, FacePages, "rank_far")
    worker_reads.clear()
    row = len(every) * 7 // 10
    estimate = row + 45  # (an estimate 45 rows off)
    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", lambda *_a: estimate)
    landed: list[tuple[int, int | None]] = []
    triage.currentFaceChanged.connect(lambda _f: landed.append((view.currentIndex().row(), _f)))
    with qtbot.waitSignal(
        triage.currentFaceChanged, timeout=30_000, check_params_cb=lambda f: f == every[row]
    ):
        assert triage.select_face(every[row])
    assert landed == [(estimate, every[row])]
    qtbot.waitUntil(lambda: view.currentIndex().row() == row, timeout=30_000)
    assert triage.current_face_id() == every[row]
    assert view.visualRect(view.currentIndex()).intersects(view.viewport().rect())
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads
    # its row counted in one pass over the faces on the worker (rank_far), after one read a walk
    # ahead said it is that far: not walk after walk (32 for the face at 70 % of 3M: 42.9 s on
    # PostgreSQL), nor counted on the GUI thread
    assert len(worker_far) == 1 and not worker_ranks and not gui_ranks and not gui_far
    walks = [r for r in worker_reads if r.get("offset") == SAMPLE_STEP * 3 and r["limit"] == 1]
    assert len(walks) == 1, walks
    # a face on a page held is found at once; one not in the grid is not
    near = row + 1 if (row + 1) % PAGE else row - 1
    qtbot.waitUntil(lambda: model.held_id(near) is not None, timeout=30_000)
    assert triage.select_face(every[near]) and view.currentIndex().row() == near
    assert not triage.select_face(max(every) + 1)


def test_a_go_to_estimated_far_is_counted_without_a_walk_ahead(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample held back: a "go to face" whose estimated row is many walks past the start (of
    the sample and of any estimate's error) is counted in one pass at once, with no LIMIT-ed read
    a walk ahead to tell (2.3 s on PostgreSQL at 3M faces), and, in the view's second half, as
    the view's rows less those from it on (fewer to count); it lands at its row."""
    hold_sample(monkeypatch)
    every, _store, triage = _all_faces_laid_out(qtbot, make_window, big_target)
    model, view = triage.model, triage.view
    gui_reads, worker_reads = page_reads(monkeypatch, FacePages)
    gui_far, worker_far = page_reads(monkeypatch, FacePages, "rank_far")
    row = len(every) - 200  # (more than FAR_GUESS walks of SAMPLE_STEP * SAMPLE_CHUNK rows)
    assert row > paged_ids.FAR_GUESS * SAMPLE_STEP * 3
    monkeypatch.setattr(paged_ids.PagedIds, "_estimate", lambda *_a: row + 45)
    assert triage.select_face(every[row])
    qtbot.waitUntil(lambda: view.currentIndex().row() == row, timeout=30_000)
    assert triage.current_face_id() == every[row] and model.face_id(row) == every[row]
    assert len(worker_far) == 1 and not gui_far and worker_far[0]["args"][1] == len(every)
    assert not [r for r in worker_reads if r.get("offset") == SAMPLE_STEP * 3 and r["limit"] == 1]
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads


def test_a_far_drag_reads_its_page_from_a_key_counted_in_one_pass(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample held back: a page dragged to far from every sampled key is read on the worker
    from a key of the id sample near its share of the view, that key's row counted in one pass
    (``rank_far``), then a walk of the estimate's error -- not an OFFSET walk from the start (at
    3 000 000 faces 1.4 s for each 65 536 rows on PostgreSQL: the middle filled 8.5 s later);
    the drag's other pages walk from that key."""
    hold_sample(monkeypatch)
    monkeypatch.setattr(paged_keys, "FAR_ROWS", SAMPLE_STEP)
    every, _store, triage = _all_faces_laid_out(qtbot, make_window, big_target)
    model, view = triage.model, triage.view
    gui_reads, worker_reads = page_reads(monkeypatch, FacePages)
    gui_far, worker_far = page_reads(monkeypatch, FacePages, "rank_far")
    far_jumps_fill_in(qtbot, view, lambda r: model.data(model.index(r, 0), FACE_ID_ROLE), every, SAMPLE_STEP)
    # one count a drag: its other pages walked from that key (far_page's anchors), not counted again
    assert 1 <= len(worker_far) <= 2 and not gui_far
    # (the id sample holds every face here: the key's row is the page's, nothing walked)
    assert worker_reads and walked_at_most(worker_reads, PAGE), worker_reads
    assert walked_at_most(gui_reads, SAMPLE_STEP), gui_reads


def test_a_far_page_is_read_while_the_query_worker_is_busy(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample held back and the query worker busy (a long count): a drag into the middle of
    Triage's grid fills in from the page worker while that count still runs."""
    hold_sample(monkeypatch)
    every, store, triage = _all_faces_laid_out(qtbot, make_window, big_target)
    model, view = triage.model, triage.view
    with query_worker_busy(qtbot, store) as done:
        face_of = lambda r: model.data(model.index(r, 0), FACE_ID_ROLE)  # noqa: E731
        far_jumps_fill_in(qtbot, view, face_of, every, SAMPLE_STEP)
        assert not done()  # filled in while the query worker was still busy


@pytest.mark.parametrize("state", [None, "pending"])
def test_a_far_page_reads_from_the_sample_taken_in_one_pass(
    big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, state: str | None
) -> None:
    """A view not opened from the listing (its sample not known): its jump sample, every
    SAMPLE_STEP-th key, comes in one query of the query worker (its faces counted per image), so
    a page dragged to far from both ends right after it is read at once from the nearest sampled
    key -- no row counted over half the view (``rank_far``: 1.5-1.8 s at 3M faces on
    PostgreSQL under load 10) and no walk of more than a sample step. Walked a chunk of
    SAMPLE_CHUNK keys a query instead (before), the first answer held the first chunk only and
    such a page was counted (as SQLite still walks it: there the first answer is that chunk). The
    worker run by hand; both backends."""
    monkeypatch.setattr(paged_keys, "SAMPLE_STEP", SAMPLE_STEP)
    monkeypatch.setattr(paged_keys, "SAMPLE_CHUNK", 3)
    monkeypatch.setattr(paged_keys, "PAGE", PAGE)
    target, root = big_target
    _gui_far, worker_far = page_reads(monkeypatch, FacePages, "rank_far")
    gui_reads, _worker_reads = page_reads(monkeypatch, FacePages)
    jobs: list[Any] = []
    with Catalog(target) as catalog, Catalog(target) as worker:
        every = q.face_ids(catalog, source_root=str(root), filter_name=state or "all")
        source = FacePages(str(root), state)
        paged = paged_ids.PagedIds(catalog, str(root), len(every), keys=source)
        paged.sample_later(lambda run, answer: jobs.append((run, answer)))
        run, answer = jobs.pop(0)
        answer(run(worker))  # the worker's first answer
        if catalog.dialect != "postgresql":  # walked: the first chunk, then the next asked
            assert [key[-1] for key in paged._sample.keys] == every[: 3 * SAMPLE_STEP : SAMPLE_STEP]
            assert len(jobs) == 1
            return
        assert not jobs and [key[-1] for key in paged._sample.keys] == every[::SAMPLE_STEP]
        for row in (len(every) // 2, len(every) * 7 // 10 + 5):
            assert paged.shown(row) == every[row]  # read now, near a sampled key
        assert not jobs and not worker_far
        assert gui_reads and walked_at_most(gui_reads, SAMPLE_STEP), gui_reads


@pytest.mark.parametrize("sampled", [True, False], ids=["sampled", "no-sample"])
def test_a_decision_state_grid_reads_no_far_page_on_the_gui_thread(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    """The grid on "Accepted" holding the faces at the start of the source (as the 1M seed's 30 000 of 3M):
    the End key and a dragged scroll bar show placeholders and read their pages on the query
    worker, with the sample in or not (an end or a sampled key near is no bound on what the
    read walks: on PostgreSQL at 1M the End key's page froze the GUI thread 13.6 s); the GUI
    thread reads only the pages beside one held (by keyset); the rows are Triage's."""
    target, root = big_target
    with Catalog(target) as catalog:
        catalog.decide(q.face_ids(catalog, source_root=str(root))[:1100], "accepted")
    if not sampled:
        hold_sample(monkeypatch)
    gui_reads, worker_reads = page_reads(monkeypatch, FacePages)
    accepted, _store, triage = _all_faces_laid_out(qtbot, make_window, big_target, "accepted")
    assert len(accepted) >= 1000  # (paged)
    model, view = triage.model, triage.view
    view.setFocus()
    gui_reads.clear()
    worker_reads.clear()

    def face(row: int) -> Any:
        return model.data(model.index(row, 0), FACE_ID_ROLE)

    QTest.keyClick(view, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: triage.current_face_id() == accepted[-1], timeout=30_000)
    assert view.currentIndex().row() == len(accepted) - 1
    assert worker_reads, "the End key's page was not read on the worker"
    bar = view.verticalScrollBar()
    for fraction in (0.5, 0.2, 0.8):
        bar.setValue(int(bar.maximum() * fraction))
        rows = view.visible_rows()
        qtbot.waitUntil(
            lambda rows=rows: [face(r) for r in rows] == accepted[rows.start : rows.stop], timeout=30_000
        )
    # no page on the GUI thread, not even a keyset one beside a held page (PgDown's: see below)
    assert not gui_reads, gui_reads


def test_page_down_in_a_decision_state_reads_its_pages_on_the_worker(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Triage on "Accepted" stepped through with PgDown (Triage's next image) and paged down with the scroll
    bar: no page is read on the GUI thread, though each is beside a held one -- in a decision state
    its walk of the images may be thousands long on PostgreSQL (45 of 234 such pages of the 1M
    seed's "Accepted" over 100 ms, up to 1.24 s); the next pages are read on the worker by keyset
    from the held ones, a step onto a row not read yet is taken once it arrives, and every step
    lands on the next image's face, the rows shown Triage's."""
    target, root = big_target
    with Catalog(target) as catalog:
        catalog.decide(q.face_ids(catalog, source_root=str(root))[:1100], "accepted")
    gui_reads, worker_reads = page_reads(monkeypatch, FacePages)
    accepted, _store, triage = _all_faces_laid_out(qtbot, make_window, big_target, "accepted")
    model, view = triage.model, triage.view
    view.setFocus()
    qtbot.waitUntil(lambda: model.held_id(0) is not None, timeout=30_000)
    view.setCurrentIndex(model.index(0, 0))
    gui_reads.clear()
    worker_reads.clear()
    row = 0
    while row < 3 * PAGE:  # (the first 1 100 faces accepted: two of each image, next image = 2 rows)
        QTest.keyClick(view, Qt.Key.Key_PageDown)
        qtbot.waitUntil(lambda row=row: view.currentIndex().row() == row + FACES, timeout=30_000)
        row += FACES
        qtbot.waitUntil(lambda row=row: triage.current_face_id() == accepted[row], timeout=30_000)
    bar, area = view.verticalScrollBar(), view.viewport().rect()
    for _ in range(4):
        bar.setValue(bar.value() + bar.pageStep())
        shown = [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]
        qtbot.waitUntil(
            lambda shown=shown: [model.held_id(r) for r in shown] == accepted[shown[0] : shown[-1] + 1],
            timeout=30_000,
        )
    assert not gui_reads, gui_reads
    assert any("after" in r for r in worker_reads), worker_reads  # (by keyset from the page held)


def test_the_grid_stays_on_the_end_when_the_end_keys_page_arrives(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Triage on "Accepted" (a decision state: the End key's page read on the worker, its rows placeholders
    until it arrives), laid out in batches of fewer rows than the grid has (as 2 000 of the 1M
    seed's 30 000 accepted faces): when the page arrives and its rows are repainted the grid
    stays on its last rows, the current face shown, every row shown filled. Before, the arrival
    laid the whole grid out again (QListView on any dataChanged), the first batch clamped the
    scroll position and the grid jumped back to the batch's last rows, away from the current face,
    onto rows no page was read for (the End-key benchmark's "not filled")."""
    from facecurator.gui import triage_view as triage_module

    monkeypatch.setattr(triage_module, "LAYOUT_BATCH", 64)
    target, root = big_target
    with Catalog(target) as catalog:
        catalog.decide(q.face_ids(catalog, source_root=str(root))[:1100], "accepted")
    accepted, _store, triage = _all_faces_laid_out(qtbot, make_window, big_target, "accepted")
    model, view = triage.model, triage.view
    assert view.batchSize() == 64 and len(accepted) > 10 * 64
    bar = view.verticalScrollBar()
    full = bar.maximum()
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_End)
    last = len(accepted) - 1
    assert view.currentIndex().row() == last
    at_end = bar.value()  # (the last row in view)
    assert model.held_id(last) is None  # (its page on its way: a placeholder)
    qtbot.waitUntil(lambda: model.held_id(last) is not None, timeout=30_000)  # arrived, announced
    view.executeDelayedItemsLayout()  # (a layout the announcement scheduled runs now, if any)
    qtbot.waitUntil(lambda: bar.maximum() == full, timeout=30_000)  # (its batches all laid out)
    assert bar.value() == at_end, "the grid jumped away from its end as the page arrived"
    area = view.viewport().rect()
    assert view.visualRect(view.currentIndex()).intersects(area)
    assert triage.current_face_id() == accepted[-1]
    shown = [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]
    assert shown and shown[-1] == last
    qtbot.waitUntil(
        lambda: [model.held_id(r) for r in shown] == accepted[shown[0] : last + 1], timeout=30_000
    )


def test_paging_a_large_grid_reads_its_rows_on_the_worker(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Triage on "Accepted" with no row cached, stepped through with PgDown (next image), paged
    with the scroll bar and sent to its end: on PostgreSQL no row is read by id on the GUI thread
    (at 1M under load those reads -- the painted rows' and the current face's -- were the PgDown
    stalls left after e823a32, 0.10-0.46 s); the row worker reads them, the cells are painted
    and the current face shown once they are in, and every step lands on the next image's face
    as before. On SQLite they are read at once, as before."""
    target, root = big_target
    with Catalog(target) as catalog:
        catalog.decide(q.face_ids(catalog, source_root=str(root))[:1100], "accepted")
    accepted, store, triage = _all_faces_laid_out(qtbot, make_window, big_target, "accepted")
    model, view = triage.model, triage.view
    shown: list[int] = []
    triage.faceShown.connect(shown.append)
    view.setFocus()
    qtbot.waitUntil(lambda: model.held_id(1) is not None, timeout=30_000)
    view.setCurrentIndex(model.index(1, 0))
    store._forget_rows()  # (no row cached: each step's rows are read)
    gui_rows, worker_rows = row_reads(monkeypatch)
    view.setCurrentIndex(model.index(0, 0))
    qtbot.waitUntil(lambda: shown[-1:] == [accepted[0]], timeout=30_000)
    row = 0
    while row < 3 * PAGE:  # (two faces of each image accepted: the next image is 2 rows on)
        QTest.keyClick(view, Qt.Key.Key_PageDown)
        row += FACES
        qtbot.waitUntil(lambda row=row: shown[-1:] == [accepted[row]], timeout=30_000)
        assert view.currentIndex().row() == row
    bar, area = view.verticalScrollBar(), view.viewport().rect()

    def painted() -> bool:  # the cells shown hold their faces' rows (a decision), in Triage's order
        rows = [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]
        ids = [model.held_id(r) for r in rows]
        decided = [model.index(r, 0).data(DECISION_ROLE) for r in rows]
        return ids == accepted[rows[0] : rows[-1] + 1] and decided == ["accepted"] * len(rows)

    for _ in range(3):
        bar.setValue(bar.value() + bar.pageStep())
        qtbot.waitUntil(painted, timeout=30_000)
    QTest.keyClick(view, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: shown[-1:] == [accepted[-1]], timeout=30_000)
    qtbot.waitUntil(painted, timeout=30_000)
    if store.rows_later:  # PostgreSQL
        assert not gui_rows, f"{len(gui_rows)} rows read by id on the GUI thread"
        assert len(set(worker_rows)) > 3 * PAGE // FACES  # (read on the row worker instead)
    else:  # SQLite: read at once (0.3-2 ms a read at 1M: the next face waits for no worker)
        assert gui_rows and not worker_rows


NONE_LEFT = "No pending face left in this view"
LOOKING = "Looking for the next pending face…"


def test_a_decision_among_decided_faces_finds_the_next_pending_one_beyond_the_held_pages(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A / R moves on to the next pending face. In a grid with none pending near (the "Accepted"
    grid) it looked at every row, a page and a row read at a time on the GUI thread (30 000 rows at
    1M, on each decision); then at the rows of its held pages only (a pending face beyond them was
    not found: the next row was taken); now at the next rows held, then the catalog is asked on
    the row worker, and no page is read on the GUI thread. With none left the selection stays."""
    target, root = big_target
    with Catalog(target) as catalog:
        catalog.decide(q.face_ids(catalog, source_root=str(root))[:1100], "accepted")
    accepted, store, triage = _all_faces_laid_out(qtbot, make_window, big_target, "accepted")
    window, model, view = triage.window(), triage.model, triage.view
    far = 1000
    assert len(accepted) > far and model.paged is not None
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: triage.current_face_id() == accepted[0], timeout=30_000)
    store.decide([accepted[5], accepted[far]], "pending")  # put back: the grid's two pending faces
    assert model.held_id(far) is None  # (beyond the held pages)
    gui_pages, _ = page_reads(monkeypatch, FacePages)
    gui_looks, worker_looks = page_reads(monkeypatch, FacePages, "next_pending")
    batches: list[int] = []  # the rows A / R's look reads on the GUI thread, a batch at a time
    prefetch, among, looking = store.prefetch_faces, triage._pending_among, []
    monkeypatch.setattr(
        store, "prefetch_faces", lambda ids: (looking and batches.append(len(ids)), prefetch(ids))[1]
    )
    monkeypatch.setattr(
        triage, "_pending_among", lambda *a: (looking.append(1), among(*a), looking.clear())[1]
    )
    QTest.keyClick(view, Qt.Key.Key_R)
    assert view.currentIndex().row() == 5  # the pending face 5 rows on: at once
    QTest.keyClick(view, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: triage.current_face_id() == accepted[far], timeout=30_000)  # beyond them
    assert view.currentIndex().row() == far and worker_looks and not gui_looks
    said: list[str] = []  # (the status bar's: a notice may show over it)
    window.statusBar().messageChanged.connect(said.append)
    QTest.keyClick(view, Qt.Key.Key_R)  # none pending left: it stays, and says so
    qtbot.waitUntil(lambda: NONE_LEFT in said, timeout=30_000)
    assert view.currentIndex().row() == far and triage.current_face_id() == accepted[far]
    assert {store.face(accepted[row]).decision for row in (0, 5, far)} == {"rejected"}
    assert not gui_pages, f"{len(gui_pages)} pages read on the GUI thread"
    assert len(batches) <= 3 and sum(batches) <= 3 * 8, batches  # (was a read a row, then 1 024)


def test_a_decision_finds_the_next_pending_face_of_all_faces_beyond_the_held_pages(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In "All faces" with every face decided but two far apart, A on the first moves to the other
    (its row counted on the row worker from the sample: the pages there read as a go-to's, a
    bounded walk), then stays there once it is decided too."""
    target, root = big_target
    far = 1001  # (not one of the fixture's every 5th accepted)
    with Catalog(target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide([face for row, face in enumerate(every) if row not in (0, far)], "accepted")
    every, store, triage = _all_faces_laid_out(qtbot, make_window, big_target)
    window, model, view = triage.window(), triage.model, triage.view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: triage.current_face_id() == every[0], timeout=30_000)
    assert model.held_id(far) is None
    gui_pages, _ = page_reads(monkeypatch, FacePages)
    QTest.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: triage.current_face_id() == every[far], timeout=30_000)
    assert view.currentIndex().row() == far
    said: list[str] = []  # (the status bar's: a notice may show over it)
    window.statusBar().messageChanged.connect(said.append)
    QTest.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: NONE_LEFT in said, timeout=30_000)
    assert view.currentIndex().row() == far and triage.current_face_id() == every[far]
    assert store.face(every[0]).decision == store.face(every[far]).decision == "accepted"
    assert walked_at_most(gui_pages, SAMPLE_STEP), gui_pages  # (no walk from an end)


def test_a_key_pressed_while_the_next_pending_face_is_looked_for_decides_nothing(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A far look takes seconds at 1M (review19: 1.3 s 100 000 faces on, ~20 s expected at 1M on
    PostgreSQL) while the selection stays on the face just decided: R pressed meanwhile for the
    next face rejected the face just accepted. It is refused now, and the status bar says a look
    is under way until the next pending face is shown. The look is not on the row worker: the
    grid's rows are read meanwhile (on it, every cell said "loading..." for the look's seconds)."""
    target, root = big_target
    far = 1001
    with Catalog(target) as catalog:
        every = q.face_ids(catalog, source_root=str(root))
        catalog.decide([face for row, face in enumerate(every) if row not in (0, far)], "accepted")
    every, store, triage = _all_faces_laid_out(qtbot, make_window, big_target)
    window, view = triage.window(), triage.view
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: triage.current_face_id() == every[0], timeout=30_000)
    release, asked = threading.Event(), threading.Event()
    next_pending = FacePages.next_pending

    def slow(self: FacePages, *args: Any) -> Any:
        asked.set()
        release.wait(60)
        return next_pending(self, *args)

    monkeypatch.setattr(FacePages, "next_pending", slow)
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    try:
        QTest.keyClick(view, Qt.Key.Key_A)
        qtbot.waitUntil(asked.is_set, timeout=30_000)
        assert LOOKING in said  # (not always the current message: a notice may show over it)
        said.clear()
        QTest.keyClick(view, Qt.Key.Key_R)  # (meant for the next face, not shown yet)
        qtbot.wait(200)
        assert store.face(every[0]).decision == "accepted" and triage.current_face_id() == every[0]
        assert LOOKING in said  # (said again)
        rows: list[object] = []  # a row read meanwhile answers
        store.read_rows(lambda _catalog: "read", rows.append, rows.append)
        qtbot.waitUntil(lambda: rows == ["read"], timeout=10_000)
        assert not release.is_set()  # (the look still held)
    finally:
        release.set()
    qtbot.waitUntil(lambda: triage.current_face_id() == every[far], timeout=30_000)
    assert window.statusBar().currentMessage() != LOOKING
    QTest.keyClick(view, Qt.Key.Key_R)  # (the look over: keys decide again)
    qtbot.waitUntil(lambda: store.face(every[far]).decision == "rejected", timeout=30_000)
    assert store.face(every[0]).decision == "accepted"


@pytest.mark.parametrize("big_target", ["postgresql"], indirect=True)  # (SQLite reads rows at once)
def test_the_current_face_decided_elsewhere_while_its_row_is_read_is_shown(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The current face's row is on the row worker when another operator decides it: that read's
    answer is old (not kept), and the face is read again and shown with its new decision. The
    read in flight counted as asking for it, so the face panel said "loading…" until the current
    face changed (unless a cell or a dock read it again)."""
    target, _root = big_target
    accepted, store, triage = _all_faces_laid_out(qtbot, make_window, big_target, "accepted")
    model, view = triage.model, triage.view
    assert store.rows_later
    shown: list[int] = []
    triage.faceShown.connect(shown.append)
    qtbot.waitUntil(lambda: model.held_id(41) is not None, timeout=30_000)
    view.setCurrentIndex(model.index(41, 0))
    store._forget_rows()  # (no row cached)
    started, release = row_worker_held(monkeypatch)
    # (the problems dock reads every changed image's row on the GUI thread, which hid this: not
    # what is under test)
    store.imagesChanged.disconnect(triage.window().problems.update_images)
    face = accepted[40]
    view.setCurrentIndex(model.index(40, 0))
    try:
        qtbot.waitUntil(started.is_set, timeout=30_000)  # its row read on the worker, held there
        with Catalog(target) as other:  # another operator rejects it meanwhile
            other.decide([face], "rejected")
        view.scrollToBottom()  # (its cell out of sight: no paint asks for its row again)
        qtbot.waitUntil(lambda: not view.visualRect(model.index(40, 0)).intersects(view.viewport().rect()))
        store.reload_decisions([face])  # (what the decision watcher hands over)
    finally:
        release.set()
    qtbot.waitUntil(lambda: shown[-1:] == [face], timeout=30_000)
    assert store.face_cached(face) and store.face(face).decision == "rejected"


def test_a_decision_in_a_listed_verdict_grid_finds_the_next_pending_face_far_on(
    qtbot, make_window, paged, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict filter over a large source's faces is listed into a file (ListedIds): A there
    also finds the next pending face far on (the ids read from the file and their decisions from
    the catalog on the row worker, not on the GUI thread), then stays once none is left."""
    target, root = big_target
    window = make_window(target)
    store, triage = window.store, window.triage
    model, view = triage.model, triage.view
    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    qtbot.waitUntil(lambda: not store.busy, timeout=60_000)  # (every verdict stored: listed once)
    window.tabs.setCurrentWidget(triage)
    for name in ("unqualified", "qualified"):
        triage.filter_combo.setCurrentIndex(triage.filter_combo.findData(name))

        # (complete: the worker wrote every id; the model shows them once each chunk's announcement
        # is in, on the GUI thread: read before that, the grid had 0 or 512 of its 923 rows)
        def shown() -> bool:
            listed = model.listed
            return listed is not None and listed.complete and model.rowCount() == listed.written

        qtbot.waitUntil(shown, timeout=60_000)
        if model.rowCount() >= 400:
            break
    assert model.listed is not None and model.rowCount() >= 400
    listed = model.listed.every_id()
    far = next(row for row in range(300, len(listed)) if store.face(listed[row]).decision == "pending")
    store.decide([face for row, face in enumerate(listed) if row not in (0, far)], "rejected")
    # (listed again meanwhile, as it may be on PostgreSQL: a look asked before is not answered)
    qtbot.waitUntil(lambda: not store._queries and shown())
    assert model.listed.every_id() == listed
    view.setFocus()
    view.move_to_row(0)
    looks: list[bool] = []  # on the GUI thread?
    first_pending = q.first_pending
    monkeypatch.setattr(
        q,
        "first_pending",
        lambda *a: (looks.append(threading.current_thread() is threading.main_thread()), first_pending(*a))[
            1
        ],
    )
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    QTest.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: triage.current_face_id() == listed[far], timeout=30_000)
    assert view.currentIndex().row() == far
    QTest.keyClick(view, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: NONE_LEFT in said, timeout=30_000)
    assert view.currentIndex().row() == far and store.face(listed[far]).decision == "accepted"
    assert looks and not any(looks)  # (asked on the worker only)
