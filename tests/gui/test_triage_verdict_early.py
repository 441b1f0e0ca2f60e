"""A large source's Triage grid on a verdict filter ("qualified", "unqualified") opened before
its verdicts are stored is listed as a Find on Triage's listing worker (gui/triage_model.py
``_list_find``, services/find_rest.py ``view_find``), as the gallery's (early17): its first rows
are shown as the open begins, before it listed the faces and while its fill is still storing
the verdicts (the code before showed none until then, and then built the list on the GUI
thread); a stored verdict decides in SQL, a face without one is evaluated on the worker; the GUI
thread decides and evaluates nothing; kept once the open listed the faces; not done at the
open's end, listed again by SQL; the rows are the faces the Python verdicts select, in order. Both
backends; the fill and the listing are held (the order is checked, not a time)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers.find_steps import hold_find_steps
from helpers.paging import scale_listing, seeded

from facecurator.domain.filter_python import verdict_status
from facecurator.gui import store as store_module
from facecurator.gui.view_ids import ListedIds
from facecurator.services import find_rest, review
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import queries as q
from facecurator.services.find_rest import FindRest

N_IMAGES = 1200  # of one face each: Triage's grid is a large source's
BATCH = 20
#: The step the listing worker is held at while the GUI looks.
HELD_AT = 3


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    return seeded(request, tmp_path, N_IMAGES, 1)


def _passing(target: str, root: Path, rules, filter_name: str) -> list[int]:
    """The faces of ``filter_name``'s status by their Python verdicts, in Triage's order."""
    with Catalog(target) as catalog:
        passing = {
            face.id
            for image in review.review(catalog, rules, source_root=str(root))
            for face in image.faces
            if verdict_status(face.verdict) == filter_name
        }
        order = q.face_ids(catalog, source_root=str(root))
    return [i for i in order if i in passing]


@pytest.mark.parametrize(
    "view", [("qualified", False), ("unqualified", False), ("qualified", True)],
    ids=["qualified", "unqualified", "unrecorded"],
)  # fmt: skip
def test_a_triage_verdict_filter_is_listed_before_the_verdicts_are_stored(
    qtbot, make_window, big_target: tuple[str, Path], view: tuple[str, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    scale_listing(monkeypatch, page=32, held=4)
    monkeypatch.setattr(find_rest, "BATCH", BATCH)
    target, root = big_target
    filter_name, unrecorded = view
    window = make_window(target)
    store, model = window.store, window.triage.model
    window.tabs.setCurrentWidget(window.triage)
    expected = _passing(target, root, store.ruleset, filter_name)
    assert 0 < len(expected) < N_IMAGES

    # what was decided or evaluated on the GUI thread; the Find held at its HELD_AT-th step
    on_gui, _gui, reached, release = hold_find_steps(monkeypatch, "decide_faces", HELD_AT)
    filled = threading.Event()  # the open's fill held: no verdict stored until released
    fill = store_module.fill_verdicts
    monkeypatch.setattr(store_module, "fill_verdicts", lambda *a, **k: (filled.wait(60), fill(*a, **k))[1])
    faces_listed, list_ids = threading.Event(), store_module.list_ids  # the open's face listing held
    monkeypatch.setattr(
        store_module,
        "list_ids",
        lambda c, r, kind: (kind != "faces" or faces_listed.wait(60), list_ids(c, r, kind))[1],
    )
    if unrecorded:  # as when the catalog's check on open runs: the open's worker records it
        monkeypatch.setattr(store, "_ruleset_id", 0)
    model.filter_name = filter_name
    assert window.open_source(str(root), scan=False)
    # the first rows come as the open begins: its faces not listed, no verdict stored, the
    # listing worker held
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=30_000)
    assert store.listing and store.busy
    listed = model._ids
    shown = model.rowCount()
    assert shown <= listed.written < len(expected) and not listed.complete
    assert [model.face_id(r) for r in range(shown)] == expected[:shown]
    with qtbot.waitSignal(store.sourceListed, timeout=60_000):  # kept once the faces are listed
        faces_listed.set()
    assert model._ids is listed and model.rowCount() >= shown

    with qtbot.waitSignal(store.sourceChanged, timeout=120_000):  # the open's verdicts
        filled.set()
    release.set()
    # the Find not done at the open's end: listed again by SQL (its own test), swapped in
    qtbot.waitUntil(lambda: model._ids is not listed and model._ids.complete, timeout=60_000)
    qtbot.waitUntil(lambda: model.rowCount() == model._ids.written, timeout=60_000)
    assert model._ids.ruleset == store.ruleset_version != 0
    assert [model.face_id(r) for r in range(model.rowCount())] == expected
    assert not on_gui, on_gui


def _stored(make_window, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, then: str = ""):
    """(a window on Triage, the steps decided as a Find): every verdict stored before the open
    (``then``: a statement run after, on the catalog), the listing scaled down."""
    from facecurator.services import browse

    scale_listing(monkeypatch, page=32, held=4)
    target, _root = big_target
    window = make_window(target)
    window.tabs.setCurrentWidget(window.triage)
    with Catalog(target) as catalog:
        browse.fill_verdicts(catalog, window.store.ruleset)
        if then:
            catalog._db.execute(then)
    decided: list[object] = []
    decide = FindRest.decide_faces
    monkeypatch.setattr(FindRest, "decide_faces", lambda *a: (decided.append(a), decide(*a))[1])
    return window, decided


def test_a_triage_verdict_filter_on_stored_verdicts_is_listed_by_sql(
    qtbot, make_window, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reopen (every verdict stored under the version recorded): the verdict filter listed as
    the open begins is listed by SQL whole at once (its own test), a look beside it finds no
    verdict missing, so nothing is decided as a Find, and it is kept at the open's end."""
    window, decided = _stored(make_window, big_target, monkeypatch)
    target, root = big_target
    store, model = window.store, window.triage.model
    expected = _passing(target, root, store.ruleset, "qualified")
    looked: list[object] = []
    missing = bulk.any_missing_verdict
    monkeypatch.setattr(bulk, "any_missing_verdict", lambda *a, **k: (looked.append(a), missing(*a, **k))[1])
    model.filter_name = "qualified"
    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    early = model._ids
    qtbot.waitUntil(lambda: early.complete and model.rowCount() == early.written, timeout=60_000)
    assert model._ids is early and early.planned == ("qualified", None, True)  # SQL whole, kept
    assert [model.face_id(r) for r in range(model.rowCount())] == expected
    assert looked and not decided
    # the counts: the listed ids read from its file on the worker, not the GUI thread
    read_on_gui: list[bool] = []
    id_array = ListedIds.id_array
    monkeypatch.setattr(
        ListedIds,
        "id_array",
        lambda self: (
            read_on_gui.append(threading.current_thread() is threading.main_thread()),
            id_array(self),
        )[1],
    )
    window.triage._recount()
    n = len(expected)
    qtbot.waitUntil(lambda: window.triage.counts.text() == f"{n} faces · {n} pending", timeout=30_000)
    assert read_on_gui and not any(read_on_gui)


def test_a_triage_verdict_filter_with_verdicts_missing_is_listed_again_as_a_find(
    qtbot, make_window, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some verdicts missing (a scan's new faces, say; the source's first face has its own): the
    verdict filter is listed by SQL as the open begins, a look beside it finds a verdict missing,
    and it is listed again as a Find in its place while the open goes on; its rows at the end are
    the faces the Python verdicts select."""
    unstored = "SELECT id FROM faces WHERE image_id % 3 = 0"
    window, decided = _stored(
        make_window, big_target, monkeypatch, f"DELETE FROM verdicts WHERE face_id IN ({unstored})"
    )
    target, root = big_target
    store, model = window.store, window.triage.model
    expected = _passing(target, root, store.ruleset, "qualified")
    filled = threading.Event()  # the open's fill held until the Find is listed
    fill = store_module.fill_verdicts
    monkeypatch.setattr(store_module, "fill_verdicts", lambda *a, **k: (filled.wait(60), fill(*a, **k))[1])
    model.filter_name = "qualified"
    assert window.open_source(str(root), scan=False)
    early = model._ids
    assert early.planned is None or early.planned[2]  # by SQL (planned on the worker)
    qtbot.waitUntil(lambda: bool(decided) and model._ids is not early, timeout=30_000)
    assert model._ids.planned == ("all", None, False)  # a Find
    with qtbot.waitSignal(store.sourceChanged, timeout=120_000):
        filled.set()
    qtbot.waitUntil(lambda: model._ids.complete and model.rowCount() == model._ids.written, timeout=60_000)
    assert [model.face_id(r) for r in range(model.rowCount())] == expected
