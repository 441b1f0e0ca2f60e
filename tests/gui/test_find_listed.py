"""A Find SQL cannot answer whole (a verdict term while some faces have no stored verdict) on a
large gallery is listed on the view worker like any other view (gui/gallery_views.py,
services/find_rest.py): the GUI thread runs no unbounded read and evaluates nothing; the rows
found are shown while the listing runs, with its progress in the Find bar; a new Find stops the
old listing at its next batch; the rows are the images the Python predicate selects, in order.
Both backends; sizes scaled down (the paging threshold, pages, chunks and batches lowered)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers.paging import opened, scale_listing, seeded, unbounded

from facecurator.services import find_rest, review
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.filtering import face_filter
from facecurator.services.find_rest import FindRest

N_IMAGES = 1200
PAGE = 32
HELD_PAGES = 4
BATCH = 20
#: The batch the first Find's worker is held at (the GUI looks meanwhile).
HELD_AT = 4
#: The images (every third) whose faces lose their stored verdict.
UNSTORED = "SELECT id FROM faces WHERE image_id % 3 = 0"


@pytest.fixture
def scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    scale_listing(monkeypatch, page=PAGE, held=HELD_PAGES)
    monkeypatch.setattr(find_rest, "BATCH", BATCH)


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    return seeded(request, tmp_path, N_IMAGES, 1)


def _expected(target: str, root: Path, store, expression: str) -> list[int]:
    """The images with a face the Python predicate selects, in the gallery's name order."""
    selected = face_filter(expression, store.ruleset)
    with Catalog(target) as catalog:
        passing = {
            image.row.id
            for image in review.review(catalog, store.ruleset, source_root=str(root))
            if selected.select(image.faces)
        }
        order = q.image_ids(catalog, source_root=str(root), sort="name", ruleset=store.ruleset_version)
    return [i for i in order if i in passing]


def _expected_faces(target: str, root: Path, store, expression: str, state: str) -> list[int]:
    """The faces of Triage's filter ``state`` the Python predicate selects, in its order."""
    selected = face_filter(expression, store.ruleset)
    with Catalog(target) as catalog:
        passing = {
            f.id for image in review.review(catalog, store.ruleset) for f in selected.select(image.faces)
        }
        order = q.face_ids(catalog, source_root=str(root), filter_name=state)
    return [i for i in order if i in passing]


def _gui_statements(store) -> list[str]:
    """The statements the GUI thread's connection runs from now on (SQLite: its trace; PostgreSQL:
    every statement through its execute)."""
    statements: list[str] = []
    conn = store.catalog._db
    if hasattr(conn, "set_trace_callback"):
        conn.set_trace_callback(statements.append)
    else:
        execute = conn.execute
        conn.execute = lambda sql, *args: (statements.append(sql), execute(sql, *args))[1]
    return statements


def test_a_find_sql_cannot_answer_is_listed_on_a_worker(
    qtbot, make_window, scaled, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, root = big_target
    window = opened(qtbot, make_window, target, root)  # every verdict stored
    store, model, bar = window.store, window.gallery_model, window.filter_bar
    window.tabs.setCurrentWidget(window.gallery_page)
    with Catalog(target) as other:  # then a third of them gone (a scan's new faces, say)
        other._db.execute(f"DELETE FROM verdicts WHERE face_id IN ({UNSTORED})")
        if hasattr(other._db, "commit"):
            other._db.commit()
    first, second = "not failed:blur", "failed:blur and yaw>5"
    expected_first, expected = (_expected(target, root, store, e) for e in (first, second))
    assert 0 < len(expected) < N_IMAGES and 0 < len(expected_first) < N_IMAGES and expected != expected_first

    statements = _gui_statements(store)
    on_gui: list[str] = []  # what was decided or evaluated on the GUI thread
    decided: list[FindRest] = []
    reached, release = threading.Event(), threading.Event()
    decide, evaluate = FindRest.decide, find_rest.review

    def held_decide(self: FindRest, catalog, image_ids):
        if threading.current_thread() is threading.main_thread():
            on_gui.append("decide")
        decided.append(self)
        if decided.count(self) == HELD_AT and len(set(map(id, decided))) == 1:  # the first Find's
            reached.set()
            release.wait(30)
        return decide(self, catalog, image_ids)

    def counted_review(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            on_gui.append("review")
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(FindRest, "decide", held_decide)
    monkeypatch.setattr(find_rest, "review", counted_review)
    progress: list[tuple[int, int, bool]] = []
    model.findProgress.connect(lambda checked, found, _total, done: progress.append((checked, found, done)))

    model.set_face_filter(face_filter(first, store.ruleset))
    # the first batches' rows are shown while the worker is held (its listing is not done)
    assert reached.wait(30)
    listed = model.listed
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10_000)
    assert not listed.complete and model.rowCount() < len(expected_first)
    assert [model.image_id(r) for r in range(model.rowCount())] == expected_first[: model.rowCount()]
    qtbot.waitUntil(lambda: bool(progress) and not bar.progress_label.isHidden(), timeout=10_000)
    checked, found, done = progress[-1]
    assert not done and 0 < found <= checked < N_IMAGES
    assert str(found) in bar.progress_label.text()

    # a new Find: the old listing stops at its next batch, the new one lists the rows
    model.set_face_filter(face_filter(second, store.ruleset))
    assert model.listed is not listed
    release.set()
    qtbot.waitUntil(lambda: model.view_complete, timeout=60_000)
    old = decided[0]
    assert decided.count(old) == HELD_AT and old.checked == HELD_AT * BATCH  # stopped: no batch more
    assert model.rowCount() == len(expected) and model.ids() == expected
    assert model.held_ids <= HELD_PAGES * PAGE
    qtbot.waitUntil(lambda: bar.progress_label.isHidden(), timeout=10_000)
    assert progress[-1][2]

    # the GUI thread evaluated nothing and read no list of images or faces without a bound
    assert not on_gui, on_gui
    assert len({id(f) for f in decided}) == 2
    reads = unbounded(statements, "images") + unbounded(statements, "faces")
    assert not reads, reads


def test_a_find_in_the_find_bar_lists_both_grids_on_workers(
    qtbot, make_window, scaled, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed in the Find bar, the Find applies to Triage's grid too: its faces are listed on a
    worker of their own the same way (not an id list of every face on the GUI thread)."""
    target, root = big_target
    window = opened(qtbot, make_window, target, root)  # every verdict stored
    store, gallery, triage = window.store, window.gallery_model, window.triage.model
    with Catalog(target) as other:
        other._db.execute(f"DELETE FROM verdicts WHERE face_id IN ({UNSTORED})")
        if hasattr(other._db, "commit"):
            other._db.commit()
    expression = "failed:blur and yaw>5"
    images = _expected(target, root, store, expression)
    faces = _expected_faces(target, root, store, expression, triage.filter_name)
    assert 0 < len(faces) < N_IMAGES
    statements = _gui_statements(store)
    on_gui: list[str] = []
    evaluate = find_rest.review

    def counted_review(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            on_gui.append("review")
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(find_rest, "review", counted_review)
    window.filter_bar.set_expression(expression)
    qtbot.waitUntil(lambda: gallery.view_complete, timeout=60_000)
    qtbot.waitUntil(lambda: triage.listed is not None and triage.listed.complete, timeout=60_000)
    qtbot.waitUntil(lambda: triage.rowCount() == len(faces), timeout=10_000)
    assert gallery.ids() == images
    assert triage.ids() == faces and triage.held_ids <= HELD_PAGES * PAGE
    window.tabs.setCurrentWidget(window.triage)
    qtbot.wait(10)
    assert not on_gui, on_gui
    reads = unbounded(statements, "images") + unbounded(statements, "faces")
    assert not reads, reads


def test_a_find_typed_while_the_open_lists_its_faces_reads_none_on_the_gui_thread(
    qtbot, make_window, scaled, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Find typed after the gallery shows a large source's images but before the open listed
    its faces (their count unknown: Triage's grid could not tell it is large) shows no face until
    they are listed, then lists the Find on a worker; the GUI thread reads no face list."""
    from facecurator.gui import store as store_module

    target, root = big_target
    window = make_window(target)
    store, gallery, triage = window.store, window.gallery_model, window.triage.model
    held, release = threading.Event(), threading.Event()
    list_ids = store_module.list_ids

    def held_faces(catalog, request, kind):
        if kind == "faces":  # the open's face listing waits until the Find is typed
            held.set()
            release.wait(30)
        return list_ids(catalog, request, kind)

    monkeypatch.setattr(store_module, "list_ids", held_faces)
    expression = "failed:blur and yaw>5"
    images = _expected(target, root, store, expression)
    faces = _expected_faces(target, root, store, expression, triage.filter_name)
    statements = _gui_statements(store)
    assert window.open_source(str(root), scan=False)
    qtbot.waitUntil(lambda: held.is_set() and gallery.rowCount() > 0, timeout=60_000)
    assert store.listing
    window.filter_bar.set_expression(expression)
    assert triage.rowCount() == 0
    reads = unbounded(statements, "faces")
    assert not reads, reads  # Triage waits for the faces' listing
    release.set()
    qtbot.waitUntil(lambda: not store.listing, timeout=60_000)
    qtbot.waitUntil(lambda: triage.listed is not None and triage.listed.complete, timeout=60_000)
    qtbot.waitUntil(lambda: triage.rowCount() == len(faces) and gallery.view_complete, timeout=60_000)
    assert triage.ids() == faces and gallery.ids() == images
    reads = unbounded(statements, "images") + unbounded(statements, "faces")
    assert not reads, reads
