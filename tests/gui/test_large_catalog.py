"""A 100 000-face catalog: opening it and changing the rules never freeze the window.

The store loads and re-evaluates on a worker thread ("snapshot, compute,
apply"); these tests drive the real window over a synthetic catalog (25 000
images × 4 faces, inserted directly like ``tests/test_cli.py`` does) and watch
the event loop with :class:`~facecurator.gui.latency.EventLoopMonitor`.
"""

from __future__ import annotations

import gc
import shutil
import time
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from helpers.heap import app_like_heap
from helpers.idle_floor import IdleFloor
from PySide6.QtCore import QCoreApplication

from facecurator.domain.rules import ImageContext, load_rules
from facecurator.gui.latency import EventLoopMonitor
from facecurator.gui.store_rows import ROW_CACHE_SIZE
from facecurator.services.catalog import Catalog
from facecurator.services.review import review

N_IMAGES = 25_000
FACES_PER_IMAGE = 4
N_FACES = N_IMAGES * FACES_PER_IMAGE

#: The founders' bar is no stall over 100 ms. On a machine shared by several test runs an
#: idle Qt app alone measured 232 ms gaps at load 6 on 2 cores, so the bar is held against
#: that floor, measured side by side over the same seconds (helpers/idle_floor.py): the
#: window's longest gap may exceed the idle app's by at most FLOOR_MARGIN_S.
FLOOR_MARGIN_S = 0.100
#: Ceilings kept whatever the floor (a floor of a second would not excuse a second's stall).
MAX_GAP_S = 1.0
P99_GAP_S = 0.250
#: SQL statements the GUI thread may run while a source opens and its views settle (a
#: screenful of rows, the current image): each reads a page, never the catalog.
MAX_GUI_STATEMENTS = 60


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(catalog file, source root) of 100 000 faces, built once for this module (~3 s)."""
    base = tmp_path_factory.mktemp("big")
    root = base / "gallery"
    root.mkdir()
    seed_catalog(base / "catalog.sqlite3", root, N_IMAGES, FACES_PER_IMAGE)
    return base / "catalog.sqlite3", root


@pytest.fixture
def big_window(make_window, big_catalog: tuple[Path, Path], tmp_path: Path):
    """A window over a private copy of the big catalog (decisions never leak between tests),
    with the process's heap frozen after it is built, as the app's start does."""
    source, root = big_catalog
    copy = tmp_path / "catalog.sqlite3"
    shutil.copy2(source, copy)
    window = make_window(copy)
    with app_like_heap():
        yield window, root


def _assert_responsive(monitor: EventLoopMonitor, floor: IdleFloor, what: str) -> None:
    assert monitor.ticks > 20, f"{what}: the monitor barely ran ({monitor.ticks} ticks)"
    assert monitor.max_gap <= floor.max_gap + FLOOR_MARGIN_S, (
        f"{what}: the event loop stalled {monitor.max_gap * 1000:.0f} ms, an idle Qt app beside it "
        f"{floor.max_gap * 1000:.0f} ms (allowed: {FLOOR_MARGIN_S * 1000:.0f} ms more)"
    )
    assert monitor.max_gap < MAX_GAP_S, f"{what}: the event loop stalled {monitor.max_gap * 1000:.0f} ms"
    assert monitor.percentile(0.99) < P99_GAP_S, (
        f"{what}: event-loop gap p99 {monitor.percentile(0.99) * 1000:.0f} ms"
    )


def _laid_out(view) -> bool:
    """A batched list view has placed its last row (its layout ran to the end)."""
    model = view.model()
    rows = model.rowCount()
    return rows == 0 or view.visualRect(model.index(rows - 1, 0)).isValid()


def _settled(window) -> bool:
    """The work an open or a rule change leaves to later event-loop turns is done:
    both views' batched layouts ran to the end and the deferred counts were made."""
    return _laid_out(window.gallery) and _laid_out(window.triage.view) and not window._counts_timer.isActive()


def _review(path: Path, rules, source_root: str | None):
    """The core's review() of the catalog file, the reference the window must agree with.

    The cyclic GC is paused as the store does (it only slows building 100k faces).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with Catalog(path) as catalog:
            return review(catalog, rules, source_root=source_root)
    finally:
        if was_enabled:
            gc.enable()


def _verdicts(images) -> dict[int, object]:
    return {face.id: face.verdict for image in images for face in image.faces}


def test_open_and_two_rule_changes_never_freeze_the_window(qtbot, qtmodeltester, big_window) -> None:
    window, root = big_window
    store = window.store
    monitor = EventLoopMonitor(interval_ms=10)

    # Open: the request returns at once, the status bar says it is busy, the result arrives later.
    statements: list[str] = []
    store.catalog._db.set_trace_callback(statements.append)  # the GUI thread's connection
    with IdleFloor() as floor:
        monitor.start()
        started = time.perf_counter()
        assert window.open_source(str(root), scan=False)
        assert store.busy and window.busy_bar.isVisibleTo(window)
        assert store.image_ids() == []  # the old (empty) data stays until the new data is applied
        with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
            pass
        open_s = time.perf_counter() - started
        assert not store.busy and not window.busy_bar.isVisibleTo(window)
        assert len(store.image_ids()) == N_IMAGES and len(store.face_ids()) == N_FACES
        assert window.gallery_model.rowCount() == N_IMAGES
        assert window.triage.model.rowCount() == N_FACES  # the default "pending" filter: all of them
        qtbot.waitUntil(lambda: _settled(window), timeout=60_000)  # measured while they run too
        monitor.stop()
    store.catalog._db.set_trace_callback(None)
    _assert_responsive(monitor, floor, f"opening {N_FACES} faces ({open_s:.1f} s)")
    # The ids are held, not the rows: the GUI thread read a few pages, the worker the rest.
    assert len(statements) <= MAX_GUI_STATEMENTS, f"{len(statements)} statements on the GUI thread"
    assert not any("verdicts" in sql and "INSERT" in sql for sql in statements)
    assert len(store._rows) <= ROW_CACHE_SIZE < N_IMAGES

    # Two rule changes in a row: the first is superseded, only the last one is applied.
    first, last = load_rules("enrollment-strict"), load_rules("moderation-1.0")
    applied: list[object] = []
    store.rulesChanged.connect(applied.append)
    face_resets: list[int] = []
    window.triage.model.modelReset.connect(lambda: face_resets.append(1))
    changed_ranges: list[tuple[int, int]] = []
    window.triage.model.dataChanged.connect(lambda a, b, _r=(): changed_ranges.append((a.row(), b.row())))
    with IdleFloor() as floor:
        monitor.start()
        started = time.perf_counter()
        assert window.set_rules(first)
        assert store.busy  # the first evaluation is under way
        assert window.set_rules(last)
        qtbot.waitUntil(lambda: not store.busy, timeout=60_000)
        rules_s = time.perf_counter() - started
        qtbot.waitUntil(lambda: len(applied) == 1 and _settled(window), timeout=60_000)
        monitor.stop()
    _assert_responsive(monitor, floor, f"two rule changes over {N_FACES} faces ({rules_s:.1f} s)")

    assert applied == [last] and store.ruleset is last
    assert _verdicts(store.images()) == _verdicts(_review(store.catalog.path, last, store.source_root))
    context = ImageContext(face_count=FACES_PER_IMAGE)
    assert any(first.evaluate(face.face, context) != face.verdict for face in store.faces()[:2000]), (
        "the superseded rule set must disagree somewhere for this test to mean anything"
    )
    # One dataChanged over the whole range (no per-row signals, no reset) under the "pending" filter.
    assert face_resets == [] and changed_ranges == [(0, N_FACES - 1)]

    qtmodeltester.check(window.gallery_model, force_py=True)
    qtmodeltester.check(window.triage.model, force_py=True)


def test_the_gallery_shows_the_images_before_the_faces_are_listed(qtbot, big_window) -> None:
    """An open lists the images first: the gallery shows them while the faces (four times as
    many rows here) are listed; Triage shows the faces once they are all in."""
    window, root = big_window
    store = window.store
    seen: list[tuple[str, int, int, int]] = []

    def note(step: str) -> None:
        seen.append(
            (step, window.gallery_model.rowCount(), len(store.face_ids()), window.triage.model.rowCount())
        )

    store.sourceImagesListed.connect(lambda _root: note("images"))
    store.sourceListed.connect(lambda _root: note("faces"))
    with qtbot.waitSignal(store.sourceListed, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    assert seen == [("images", N_IMAGES, 0, 0), ("faces", N_IMAGES, N_FACES, N_FACES)]
    assert store.wait_until_idle()


def test_decisions_made_while_the_rules_recompute_are_kept(qtbot, big_window) -> None:
    window, root = big_window
    store = window.store
    assert window.open_source(str(root), scan=False)
    assert store.wait_until_idle()
    strict = load_rules("enrollment-strict")
    decided = store.face_ids()[:3]

    assert window.set_rules(strict)
    assert store.busy
    assert store.decide(decided, "rejected", reason="blurry")  # on disk now, while the worker evaluates
    assert [store.face(i).decision for i in decided] == ["rejected"] * 3
    assert store.wait_until_idle()

    assert store.ruleset is strict
    assert [store.face(i).decision for i in decided] == ["rejected"] * 3  # not lost to the snapshot
    expected = {
        face.id: (face.verdict, face.decision)
        for image in _review(store.catalog.path, strict, store.source_root)
        for face in image.faces
    }
    assert {face.id: (face.verdict, face.decision) for face in store.faces()} == expected
    store.undo()
    assert [store.face(i).decision for i in decided] == ["pending"] * 3


def test_opening_again_supersedes_a_pending_open(qtbot, big_window, photo_dir: Path) -> None:
    """The last source asked for wins; the superseded one is never shown."""
    window, root = big_window
    store = window.store
    shown: list[str] = []
    store.sourceChanged.connect(shown.append)
    assert window.open_source(str(root), scan=False)
    assert window.open_source(str(photo_dir), scan=False)
    assert store.wait_until_idle()
    QCoreApplication.processEvents()  # any answer still queued from the worker is delivered now
    assert shown == [str(photo_dir.resolve())]
    assert store.source_root == str(photo_dir.resolve())
    assert window.windowTitle().endswith(str(photo_dir.resolve()))
    assert all(store.image(i).row.source_root == store.source_root for i in store.image_ids())
