"""A large gallery opened on a view that needs verdicts ("qualified", "unqualified") or with a
Find, no verdict stored yet, lists it as the open begins (gui/gallery_views.py ``_list_early``,
services/find_rest.py ``view_find``): its first rows are shown before the open's count of the
source, decided on the view worker (a stored verdict in SQL, a face without one evaluated
there), with the Find bar's progress out of an estimated total; the GUI thread lists, plans,
decides and evaluates nothing; the rows are the images the Python verdicts select, in order,
and the view is not listed again once the open stored the verdicts (also when no rule set
version was recorded as the open began: the listing looks it up). Both backends; the open's
count of the source and the view's worker are held (the order is checked, not a time)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers.find_steps import hold_find_steps
from helpers.paging import scale_listing, seeded, traced, unbounded

from facecurator.domain.filter_python import verdict_status
from facecurator.gui.gallery import IMAGE_ID_ROLE
from facecurator.gui.gallery_header import count_text
from facecurator.services import find_rest, review
from facecurator.services.catalog import Catalog, bulk, pages, views
from facecurator.services.catalog import queries as q
from facecurator.services.filtering import face_filter
from facecurator.services.find_rest import FindRest

N_IMAGES = 1200
BATCH = 20
#: The step the view's worker is held at while the GUI looks.
HELD_AT = 3
#: (gallery filter, Find typed before the open or None, no rule set version recorded as it begins)
VIEWS = [
    ("qualified", None, False),
    ("unqualified", None, False),
    ("all", "qualified=yes and yaw>0", False),
    ("qualified", None, True),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    return seeded(request, tmp_path, N_IMAGES, 1)


def _passing(target: str, root: Path, rules, filter_name: str, find: str | None) -> list[int]:
    """The images the view selects by the faces' Python verdicts, in name order."""
    selected = None if find is None else face_filter(find, rules)
    with Catalog(target) as catalog:
        passing = set()
        for image in review.review(catalog, rules, source_root=str(root)):
            faces = image.faces if selected is None else selected.select(image.faces)
            if filter_name != "all":
                faces = [f for f in faces if verdict_status(f.verdict) == filter_name]
            if faces:
                passing.add(image.row.id)
        order = q.image_ids(catalog, source_root=str(root), sort="name")
    return [i for i in order if i in passing]


@pytest.mark.parametrize("view", VIEWS, ids=["qualified", "unqualified", "find", "unrecorded"])
def test_a_view_needing_verdicts_is_listed_as_the_open_begins(
    qtbot,
    make_window,
    big_target: tuple[str, Path],
    view: tuple[str, str | None, bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scale_listing(monkeypatch, page=32, held=4)
    monkeypatch.setattr(find_rest, "BATCH", BATCH)
    target, root = big_target
    filter_name, find, unrecorded = view
    window = make_window(target)
    store, model, bar = window.store, window.gallery_model, window.filter_bar
    window.tabs.setCurrentWidget(window.gallery_page)
    expected = _passing(target, root, store.ruleset, filter_name, find)
    assert 0 < len(expected) < N_IMAGES

    # what was listed, decided or evaluated on the GUI thread; the Find held at its HELD_AT-th step
    on_gui, gui, reached, release = hold_find_steps(monkeypatch, "decide", HELD_AT)
    chunks = views.view_chunks
    monkeypatch.setattr(views, "view_chunks", lambda *a, **k: (gui("list"), chunks(*a, **k))[1])
    counted = threading.Event()  # the open's count of the source held: its listing comes after
    count = pages.present_count_and_last
    monkeypatch.setattr(pages, "present_count_and_last", lambda *a: (counted.wait(60), count(*a))[1])
    progress: list[tuple[int, int, int, bool]] = []
    model.findProgress.connect(lambda *p: progress.append(p))
    statements = traced(store.catalog)  # the GUI thread's (SQLite)

    if unrecorded:  # as when the catalog's check on open runs: the open's worker records it
        monkeypatch.setattr(store, "_ruleset_id", 0)
    model.filter_name = filter_name
    if find is not None:
        model.face_filter = face_filter(find, store.ruleset)
    assert window.open_source(str(root), scan=False)
    # the first rows come before the open's count of the source, the view's worker held
    qtbot.waitUntil(reached.is_set, timeout=30_000)  # (a look on the GUI thread may replace the list)
    qtbot.waitUntil(lambda: model.listed is not None and model.rowCount() > 0, timeout=30_000)
    assert store.source_root is None and store.busy  # the source not counted yet
    listed = model.listed
    # (no count shown beside a Find decided in Python: the rows written, as announced -- at each
    # doubling or every PROGRESS_S: the held step's may not be yet)
    shown = model.rowCount()
    assert shown <= listed.written < len(expected) and not listed.complete
    assert [model.index(r, 0).data(IMAGE_ID_ROLE) for r in range(shown)] == expected[:shown]
    # determinate progress: images checked out of an estimate of those to check
    qtbot.waitUntil(lambda: bool(progress) and progress[-1][2] > 0, timeout=30_000)
    checked, found, total, done = progress[-1]
    assert not done and 0 < found <= checked < total and shown <= found <= listed.written
    assert abs(total - N_IMAGES) <= N_IMAGES // 5, total  # every image may pass: none stored
    assert not bar.progress_label.isHidden() and "%" in bar.progress_label.text()
    # the header's count: the rows found so far, still growing (not blank, not "about")
    assert model.view_count == (model.rowCount(), False) and model.count_growing
    label = window.gallery_header.count_label.text()
    assert (
        label == count_text((model.rowCount(), False), growing=True) != count_text((model.rowCount(), False))
    )

    with qtbot.waitSignal(store.sourceChanged, timeout=120_000):  # the open's listing and verdicts
        counted.set()
    release.set()  # (the Find not done at the open's end)
    qtbot.waitUntil(lambda: model.view_complete, timeout=60_000)
    # read under the version shown (unrecorded: looked up once the open recorded it), so kept at
    # the open's end -- a verdict filter's Find not done then is listed by SQL (the fill stored
    # every verdict; its two reads a step were slower), the rows found shown meanwhile
    assert listed.ruleset == store.ruleset_version != 0
    if filter_name == "all":
        assert model.listed is listed
    else:
        assert model.listed is not listed and not listed.complete and model.listed.planned[2]
    assert model.rowCount() == len(expected) and model.ids() == expected
    assert not model.count_growing and window.gallery_header.count_label.text() == count_text(
        (len(expected), False)
    )
    qtbot.waitUntil(lambda: bar.progress_label.isHidden(), timeout=10_000)
    assert not on_gui, on_gui
    reads = unbounded(statements, "images")
    assert not reads, reads


def test_a_view_opened_on_stored_verdicts_is_listed_by_sql(
    qtbot, make_window, big_target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reopen (every verdict stored under the version recorded): the view listed as the open
    begins is listed by SQL whole at once (as fast as before), its count estimated then exact;
    a look beside it finds no verdict missing, so nothing is decided as a Find."""
    from facecurator.services import browse

    scale_listing(monkeypatch, page=32, held=4)
    target, root = big_target
    window = make_window(target)
    store, model = window.store, window.gallery_model
    window.tabs.setCurrentWidget(window.gallery_page)
    with Catalog(target) as catalog:
        browse.fill_verdicts(catalog, store.ruleset)
    expected = _passing(target, root, store.ruleset, "qualified", None)
    decided: list[object] = []
    decide = FindRest.decide
    monkeypatch.setattr(FindRest, "decide", lambda *a: (decided.append(a), decide(*a))[1])
    looked: list[object] = []
    missing, release = bulk.any_missing_verdict, threading.Event()  # the looks held until released
    held = lambda *a, **k: (looked.append(a), release.wait(30), missing(*a, **k))[2]  # noqa: E731
    monkeypatch.setattr(bulk, "any_missing_verdict", held)
    chunks = views.view_chunks

    def held_chunks(*args, **kwargs):  # a listing stops after its first chunk until released
        for n, chunk in enumerate(chunks(*args, **kwargs)):
            if n == 1:
                release.wait(30)
            yield chunk

    monkeypatch.setattr(views, "view_chunks", held_chunks)
    changed: list[str] = []
    store.sourceChanged.connect(changed.append)
    model.filter_name = "qualified"
    assert window.open_source(str(root), scan=False)
    early = model.listed
    assert early is not None and not early.unchecked
    # the view's estimate is not behind the look (a walk of the source when every verdict is stored)
    qtbot.waitUntil(lambda: bool(looked) and model.view_count is not None, timeout=30_000)
    assert not early.complete and model.view_count[1]  # estimated, the listing held
    release.set()
    qtbot.waitUntil(lambda: bool(changed), timeout=60_000)  # (the view listed again then)
    qtbot.waitUntil(lambda: early.complete and model.view_complete and model._refresh is None, timeout=60_000)
    assert early.planned == ("qualified", None, True)  # SQL whole from the start: the filter's own test
    assert model.ids() == expected and model.view_count == (len(expected), False)
    assert looked and not decided
