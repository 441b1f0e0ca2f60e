"""A large gallery opened on a filter, the face filter or another sort is listed on a worker
into a file and read a page at a time (gui/view_ids.py, gui/gallery_views.py): after the view
is listed and after End the model holds a few pages of ids, whatever the size; its rows are the
catalog's (``queries.image_ids``) in order; the current image and the selection stay across a
refresh; the GUI thread runs no unbounded query of the images. Both backends.

Sizes are scaled down (the paging threshold, the pages and the chunks lowered): the shape is
checked, not a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from helpers.paging import scale_listing, seeded, unbounded
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest

from facecurator.domain.protocols import ImageRef
from facecurator.gui import view_ids
from facecurator.gui.gallery import IMAGE_ID_ROLE
from facecurator.services.catalog import Catalog, views
from facecurator.services.catalog import queries as q
from facecurator.services.filtering import face_filter

N_IMAGES = 1200
PAGE = 32
HELD_PAGES = 4
#: The most ids the model may hold: its pages.
MAX_HELD = HELD_PAGES * PAGE


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> None:
    scale_listing(monkeypatch, page=PAGE, held=HELD_PAGES)


@pytest.fixture(params=["sqlite", "postgresql"])
def big_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    target, root = seeded(request, tmp_path, N_IMAGES, 1)
    with Catalog(target) as catalog:  # every third image's face rejected
        faces = catalog.faces(image_ids=list(range(1, N_IMAGES + 1, 3)))
        catalog.decide([f.id for f in faces], "rejected", reason="test")
    return target, root


def _complete(model) -> bool:
    listed = model.listed
    return model.view_complete and listed.complete and model.rowCount() == len(listed) == listed.written


def _rows_agree(view, model, reference: list[int]) -> None:
    rows = view.visible_rows()
    assert len(rows) > 4
    assert [model.image_id(r) for r in rows] == reference[rows.start : rows.stop]


def test_a_large_gallery_on_a_filter_or_another_sort_is_paged(
    qtbot, make_window, listed, big_target: tuple[str, Path]
) -> None:
    target, root = big_target
    window = make_window(target)
    store, model, view = window.store, window.gallery_model, window.gallery
    statements: list[str] = []
    conn = store.catalog._db  # the GUI thread's connection
    if hasattr(conn, "set_trace_callback"):
        conn.set_trace_callback(statements.append)  # SQLite
    else:  # PostgreSQL: every statement through its execute
        execute = conn.execute
        conn.execute = lambda sql, *args: (statements.append(sql), execute(sql, *args))[1]
    with qtbot.waitSignal(store.sourceChanged, timeout=60_000):
        assert window.open_source(str(root), scan=False)
    window.tabs.setCurrentWidget(window.gallery_page)
    ruleset = store.ruleset_version
    bar = view.verticalScrollBar()

    def reference(filter_name: str, sort: str) -> list[int]:
        with Catalog(target) as catalog:
            return q.image_ids(
                catalog, source_root=str(root), filter_name=filter_name, sort=sort, ruleset=ruleset
            )

    grown: list[int] = []
    model.rowsInserted.connect(lambda _p, first, last: grown.append(last + 1))
    for filter_name, sort in (("rejected", "name"), ("pending", "group"), ("all", "faces")):
        expected = reference(filter_name, sort)
        assert 0 < len(expected) <= N_IMAGES
        grown.clear()
        model.sort_key = sort
        model.set_filter(filter_name) if model.filter_name != filter_name else model.rebuild()
        qtbot.waitUntil(lambda: _complete(model), timeout=30_000)
        assert model.rowCount() == len(expected), (filter_name, sort)
        assert model.held_ids <= MAX_HELD, (filter_name, sort, model.held_ids)
        assert grown and grown[-1] == len(expected)  # rows added at the end as they were listed
        view.setFocus()
        QTest.keyClick(view, Qt.Key.Key_Home)
        qtbot.wait(1)
        _rows_agree(view, model, expected)
        QTest.keyClick(view, Qt.Key.Key_End)
        assert view.currentIndex().row() == len(expected) - 1
        assert view.currentIndex().data(IMAGE_ID_ROLE) == expected[-1]
        for fraction in (0.5, 0.13):  # the scroll bar dragged
            bar.setValue(int(bar.maximum() * fraction))
            qtbot.wait(1)
            _rows_agree(view, model, expected)
        assert model.held_ids <= MAX_HELD, (filter_name, sort, model.held_ids)
        assert view.select_image(expected[len(expected) // 2])  # "go to image": a row not held
        assert view.currentIndex().row() == len(expected) // 2
        if sort == "group":  # the person headers know their group's size in the view
            group = store.image(expected[0]).row.group
            header = model.group_header(0)
            assert header is not None and header[0] == group
            assert header[1] == sum(1 for i in expected if store.image(i).row.group == group)

    # the face filter (Find), under the person sort: the images with a face it selects
    model.sort_key = "group"
    model.filter_name = "all"
    model.set_face_filter(face_filter("person~p1"))
    qtbot.waitUntil(lambda: _complete(model), timeout=30_000)
    expected = [i for i in reference("all", "group") if store.image(i).row.group.startswith("p1")]
    assert model.rowCount() == len(expected) and model.ids() == expected
    assert model.held_ids <= MAX_HELD

    # the current image and the selection stay across a refresh (a scan adds an image)
    middle = expected[len(expected) // 2]
    assert view.select_image(middle)
    other = model.index_of(expected[3])
    view.selectionModel().select(other, QItemSelectionModel.SelectionFlag.Select)
    with Catalog(target) as catalog:
        (new,) = catalog.record_listed(
            [ImageRef(uri=f"{root}/p1/!first.jpg", name="p1/!first.jpg", group="p1", size=1, mtime_ns=1)],
            source_root=str(root),
        )
    store.add_listed(str(root), [new])  # shown under "all" only: the face filter keeps it out
    model.set_face_filter(None)
    qtbot.waitUntil(lambda: _complete(model), timeout=30_000)
    everything = reference("all", "group")
    assert new in everything and model.rowCount() == N_IMAGES + 1
    assert view.currentIndex().data(IMAGE_ID_ROLE) == middle  # kept across the new view
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with Catalog(target) as catalog:
        (newer,) = catalog.record_listed(
            [ImageRef(uri=f"{root}/p2/!x.jpg", name="p2/!x.jpg", group="p2", size=1, mtime_ns=1)],
            source_root=str(root),
        )
    store.add_listed(str(root), [newer])  # a live update: the view is read again, then swapped
    qtbot.waitUntil(lambda: resets == [1] and _complete(model), timeout=30_000)
    assert model.rowCount() == N_IMAGES + 2
    assert view.currentIndex().data(IMAGE_ID_ROLE) == middle
    assert view.currentIndex().row() == model.ids().index(middle)
    selected = {index.data(IMAGE_ID_ROLE) for index in view.selectionModel().selectedIndexes()}
    assert {middle, expected[3]} <= selected
    assert model.held_ids <= MAX_HELD

    # no statement of the GUI thread reads the images without a bound
    reads = unbounded(statements, "images")
    assert not reads, reads
    assert any("FROM images" in sql for sql in statements)  # the trace saw the rows read


def test_a_listed_view_announces_its_first_chunk_then_doublings(
    listed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "gallery"
    seed_catalog(tmp_path / "c.sqlite3", root, 500, 1)
    monkeypatch.setattr(views, "CHUNK", 20)
    ids = view_ids.ListedIds()
    announced: list[tuple[int, bool]] = []
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        expected = q.image_ids(catalog, source_root=str(root), sort="group")
        sql = views.view_sql("all", "group", source_root=str(root), ruleset=0)
        ids.fill(catalog, sql, lambda listed: announced.append((listed.written, listed.complete)))
    # the first chunk at once, then each doubling, then complete: a million ids in a dozen steps
    assert announced == [(40, False), (80, False), (160, False), (320, False), (500, True)]
    assert len(ids) == 0  # rows are the model's to show
    ids.grow(100)
    assert len(ids) == 100 and ids[99] == expected[99] and ids.held <= MAX_HELD
    ids.grow(500)
    assert ids[-1] == expected[-1] and ids.every_id() == expected
    assert ids.locate(expected[444]) == 444 and ids.known([expected[3], -1]) == [expected[3]]
    assert ids.held <= MAX_HELD
    ids.close()
