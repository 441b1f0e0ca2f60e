"""A large grid's rows read on the row worker (gui/row_reads.py) while the catalog's server
refuses connections (each read opens one): the read fails, the window says so (which read, why,
when it tries again), the current image says "loading…", and once the server takes connections
again the read is asked again by itself and the image is shown, the failure gone (review15: a
failed read marked its rows unreadable until the next change, so the image said "loading…" after
the server was back). A real PostgreSQL server: the test cluster's database closed to new
connections (``ALLOW_CONNECTIONS false``) and opened again; the window's own connection stays
(a server stopped and started cuts it too: it is opened again at its next use, but meanwhile the
GUI thread's own page reads fail out of the model's data(): not this test's subject).
PostgreSQL only: SQLite reads these rows at once on the GUI thread (no row worker, no server)."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog
from helpers.paging import gallery_shown, opened
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from facecurator.gui import paged_ids, paged_keys, row_reads
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q

N_IMAGES = 1200
#: A seeded catalog: its URL, its source folder, its image ids by name (or pending face ids).
Seeded = tuple[str, Path, list[int]]


def test_rows_read_while_the_server_is_down_are_shown_once_it_is_back(
    qtbot, pg_cluster: Any, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paged_ids, "PAGED_MIN", 1000)
    monkeypatch.setattr(paged_keys, "PAGE", 32)
    monkeypatch.setattr(paged_keys, "MAX_PAGES", 4)
    monkeypatch.setattr(paged_keys, "SAMPLE_STEP", 128)
    monkeypatch.setattr(row_reads, "RETRY_MAX_MS", 1000)  # (the test's wait: tried every second)
    target = pg_cluster.new_database()
    name = pg_cluster.dbname(target)
    root = tmp_path / "gallery"
    root.mkdir()
    seed_catalog(target, root, N_IMAGES, 1)
    with Catalog(target) as catalog:
        image = q.image_ids(catalog, source_root=str(root), sort="name")[40]
    window = gallery_shown(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    assert store.rows_later and model.reads_later
    view.setCurrentIndex(model.index(41, 0))
    qtbot.waitUntil(lambda: store.cached(model.index(41, 0).data(model.id_role) or -1), timeout=30_000)
    shown: list[int] = []
    window.image_view.imageShown.connect(shown.append)
    failures: list[Any] = []
    store.rowReadFailed.connect(failures.append)
    store._forget_rows()  # (no row cached)
    pg_cluster.admin(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
    try:
        view.setCurrentIndex(model.index(40, 0))
        assert model.index(40, 0).data(model.id_role) == image
        qtbot.waitUntil(lambda: len(failures) >= 3, timeout=30_000)  # asked again, and again
        assert all(failure is not None for failure in failures)
        assert [failure.retry_ms for failure in failures[:3]] == [250, 500, 1000]
        label = window.row_failure_label
        assert label.isVisible()
        text = label.text()
        assert re.match(r"Reading the rows shown from the catalog failed \(images: \d+, faces: 0\): ", text)
        assert "is not currently accepting connections" in text and text.endswith("trying again in 1 s")
        message = window.image_view._message_item
        assert message is not None and message.text() == "loading…"
        assert not store.cached(image) and not shown
    finally:
        pg_cluster.admin(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")
    qtbot.waitUntil(lambda: shown[-1:] == [image], timeout=30_000)
    assert failures[-1] is None and store.row_failure is None and label.isHidden()


def test_the_failure_is_said_in_chinese(qtbot, zh, make_window, tmp_path: Path) -> None:
    from facecurator.gui.row_reads import RowReadFailure

    window = make_window(tmp_path / "c.sqlite3")
    error = (
        "postgresql://fc@db/gallery: cannot open catalog: connection failed: connection to server"
        ' on socket "/run/.s.PGSQL.5432" failed: No such file or directory'
    )
    window.store.row_failure = RowReadFailure(3, 0, error, 2000)
    window._show_row_failure()
    text = window.row_failure_label.text()
    assert text.startswith("从目录读取所显示的行失败（图片：3，人脸：0）：")
    assert text.endswith("—— 2 秒后重试")
    assert "cannot open catalog" not in text, text
    window.store.row_failure = None
    window._show_row_failure()
    assert window.row_failure_label.isHidden()


@pytest.fixture
def own_server(pg_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A cluster of the test's own (stopped and started under the window), the paging scaled down,
    the failed reads asked again every second at most, and the window's role one that gives its
    password (from a .pgpass file: the errors must not show it)."""
    from helpers.pgcluster import Cluster

    monkeypatch.setattr(paged_ids, "PAGED_MIN", 1000)
    monkeypatch.setattr(paged_keys, "PAGE", 32)
    monkeypatch.setattr(paged_keys, "MAX_PAGES", 4)
    monkeypatch.setattr(paged_keys, "SAMPLE_STEP", 128)
    monkeypatch.setattr(row_reads, "RETRY_MAX_MS", 1000)
    cluster = Cluster(pg_cluster.bindir)
    try:
        Catalog(cluster.url(cluster.template)).close()
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"*:*:*:{cluster.SECRET_ROLE}:{cluster.secret_password}\n")
        pgpass.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
        yield cluster
    finally:
        cluster.stop()


def seeded_on(cluster: Any, tmp_path: Path, images: int, faces: int, faces_listed: bool = False) -> Seeded:
    """A new database of ``cluster`` seeded with ``images`` images of ``faces`` faces: its URL
    with the role that gives its password, the source folder, and its image ids by name (its
    pending face ids: ``faces_listed``)."""
    root = tmp_path / "gallery"
    root.mkdir()
    seeded = cluster.new_database()
    seed_catalog(seeded, root, images, faces)
    url = str(cluster.url(cluster.dbname(seeded), role=cluster.SECRET_ROLE))
    with Catalog(url) as catalog:
        if faces_listed:
            ids = q.face_ids(catalog, source_root=str(root), filter_name="pending")
        else:
            ids = q.image_ids(catalog, source_root=str(root), sort="name")
    return url, root, list(ids)


def refused(window: Any, since: int, cluster: Any, url: str) -> None:
    """The one error said since notice ``since``: the decision refused, naming the catalog, not
    its password."""
    errors = [n.text for n in window.notifier.history[since:] if n.level == logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("Saving the decision failed: "), errors
    assert f"postgresql://{cluster.SECRET_ROLE}@/{cluster.dbname(url)}" in errors[0]
    assert cluster.secret_password not in errors[0]


def failure_said(qtbot: Any, window: Any) -> None:
    """The window says the rows shown cannot be read, and why (the server refuses)."""
    store, label = window.store, window.row_failure_label
    qtbot.waitUntil(lambda: store.row_failure is not None and label.isVisible(), timeout=30_000)
    assert label.text().startswith("Reading the rows shown from the catalog failed (")
    assert "cannot open catalog" in store.row_failure.error


def nothing_raised(raised: list[Any]) -> None:
    """No exception was raised into Qt (by a paint, a model's data(), a slot): each one's trace."""
    assert not raised, [
        f"{kind.__name__}: {error} {''.join(traceback.format_tb(tb))}" for kind, error, tb in raised
    ]


def triage_on(
    qtbot: Any, make_window: Any, cluster: Any, tmp_path: Path, images: int
) -> tuple[Any, str, list[int]]:
    """A window on Triage of a new database of ``images`` images x 2 faces, its queries done: it,
    the database's URL, its pending face ids."""
    target, root, pending = seeded_on(cluster, tmp_path, images, 2, faces_listed=True)
    window = opened(qtbot, make_window, target, root)
    window.tabs.setCurrentWidget(window.triage)
    qtbot.waitUntil(lambda: not window.store._queries, timeout=30_000)
    return window, target, pending


def asked_while_down(qtbot: Any, window: Any, cluster: Any, ask: Callable[[], None]) -> None:
    """``ask()`` with the server stopped: the failure said, nothing raised; then started again."""
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            ask()
            failure_said(qtbot, window)
            qtbot.wait(1500)
        nothing_raised(raised)
    finally:
        cluster.start_server()


def on_disk(url: str, face: int) -> str | None:
    """The decision of ``face`` as a new connection reads it."""
    with Catalog(url) as catalog:
        rows = catalog._db.execute("SELECT state FROM decisions WHERE face_id = ?", (face,)).fetchall()
    return rows[0][0] if rows else None


def test_the_window_comes_back_by_itself_after_the_server_restarted(
    qtbot, own_server: Any, make_window, tmp_path: Path
) -> None:
    """The server stopped and started under the window: nothing is raised into Qt meanwhile (the
    gallery's page read on the GUI thread from the model's data() -- before, it raised out of it),
    its rows are placeholders and the window says which read failed; a decision the operator makes
    is refused, naming the catalog (not its password), and not shown as made. Once the server is
    back the current image moved meanwhile is shown, the failure is gone, the page that failed is
    read, and the refused decision made again is on disk (read back through a new connection)."""
    cluster = own_server
    target, root, order = seeded_on(cluster, tmp_path, N_IMAGES, 1)
    image, decided = order[40], order[41]
    window = gallery_shown(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    assert model.is_paged and model.reads_later
    view.setCurrentIndex(model.index(41, 0))
    qtbot.waitUntil(lambda: window.image_view.image_id == decided and store.cached(decided), timeout=30_000)
    face = store.image(decided).faces[0].id
    window.image_view.select_face(face)
    view.setFocus()
    shown: list[int] = []
    window.image_view.imageShown.connect(shown.append)
    arrived: list[tuple[int, int]] = []
    model.rowsArrived.connect(lambda first, last: arrived.append((first, last)))
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            since = len(window.notifier.history)
            qtbot.keyClick(view, Qt.Key.Key_A)  # the operator accepts the face shown
            refused(window, since, cluster, target)
            assert store.face(face).decision == "pending"  # not shown as made
            assert window.image_view.face_items()[face].face.decision == "pending"
            assert view.currentIndex().row() == 41  # (not moved on to the next image)
            store._forget_rows()  # (no row cached: the rows of the image moved to are read)
            view.setCurrentIndex(model.index(40, 0))  # (the rows around it: page 2 read on the GUI thread)
            failure_said(qtbot, window)
            qtbot.wait(1500)  # (asked again meanwhile, and failing)
        nothing_raised(raised)
        assert not shown and not store.cached(image)
    finally:
        cluster.start_server()
    qtbot.waitUntil(lambda: shown[-1:] == [image], timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)
    # the page whose read failed on the GUI thread (rows 64-95) is announced again by itself (its
    # placeholders painted again), and read when painted
    qtbot.waitUntil(lambda: (64, 95) in arrived, timeout=30_000)
    page = model.index(70, 0)
    qtbot.waitUntil(lambda: page.data(model.id_role) == order[70], timeout=30_000)
    view.setCurrentIndex(model.index(41, 0))
    qtbot.waitUntil(lambda: shown[-1:] == [decided], timeout=30_000)
    window.image_view.select_face(face)
    since = len(window.notifier.history)
    qtbot.keyClick(view, Qt.Key.Key_A)  # made again, now that the server is back
    assert not [n.text for n in window.notifier.history[since:] if n.level == logging.ERROR]
    assert on_disk(target, face) == "accepted"


def test_triage_comes_back_by_itself_after_the_server_restarted(
    qtbot, own_server: Any, make_window, tmp_path: Path
) -> None:
    """The same in a large Triage grid (its pages of face ids, then its faces' rows): the server
    stopped, A on the current face refused, its rows forgotten (the page around it read on the GUI
    thread) and a face on no held page made current -- nothing raised into Qt, the failure said;
    started again, the current face moved meanwhile is shown and the refused decision made again
    is on disk."""
    cluster = own_server
    window, target, pending = triage_on(qtbot, make_window, cluster, tmp_path, 700)
    store, page = window.store, window.triage
    model, view = page.model, page.view
    assert model.is_paged and model.reads_later and model.rowCount() == len(pending) == 1400
    shown: list[int] = []
    page.faceShown.connect(shown.append)
    face = pending[40]
    view.setCurrentIndex(model.index(40, 0))
    qtbot.waitUntil(lambda: shown[-1:] == [face], timeout=30_000)
    view.setFocus()
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            since = len(window.notifier.history)
            QTest.keyClick(view, Qt.Key.Key_A)
            refused(window, since, cluster, target)
            assert store.face(face).decision == "pending" and view.currentIndex().row() == 40
            store._forget_rows()  # (the rows around the current face: page 2 read on the GUI thread)
            view.update()
            qtbot.wait(50)
            row = 300  # a face on no held page, scrolled to
            view.setCurrentIndex(model.index(row, 0))
            view.scrollTo(model.index(row, 0))
            failure_said(qtbot, window)
            qtbot.wait(1500)
        nothing_raised(raised)
        assert shown[-1] == face
    finally:
        cluster.start_server()
    qtbot.waitUntil(lambda: shown[-1:] == [pending[row]], timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)
    view.setCurrentIndex(model.index(40, 0))
    qtbot.waitUntil(lambda: shown[-1:] == [face], timeout=30_000)
    since = len(window.notifier.history)
    QTest.keyClick(view, Qt.Key.Key_A)
    assert not [n.text for n in window.notifier.history[since:] if n.level == logging.ERROR]
    assert on_disk(target, face) == "accepted"


@pytest.mark.parametrize("grid", ["gallery", "triage"])
def test_a_small_grid_comes_back_by_itself_after_the_server_restarted(
    qtbot, own_server: Any, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grid: str
) -> None:
    """A grid held as an id list (not paged) on a server reads its rows on the GUI thread as
    painted, and the current image / face's: the server stopped, those reads fail soft (asked of
    the row worker, which says so and asks again) -- nothing raised into Qt; started again, the
    current image / face moved meanwhile is shown."""
    monkeypatch.setattr(paged_ids, "PAGED_MIN", 50_000)
    cluster = own_server
    target, root, ids = seeded_on(cluster, tmp_path, 300, 1, faces_listed=grid == "triage")
    window = gallery_shown(qtbot, make_window, target, root)
    store = window.store
    if grid == "triage":
        window.tabs.setCurrentWidget(window.triage)
        model, view, shown_signal = window.triage.model, window.triage.view, window.triage.faceShown
    else:
        model, view, shown_signal = window.gallery_model, window.gallery, window.image_view.imageShown
    assert not model.is_paged and not model.reads_later and model.rowCount() == len(ids) == 300
    shown: list[int] = []
    shown_signal.connect(shown.append)
    view.setCurrentIndex(model.index(41, 0))
    qtbot.waitUntil(lambda: shown[-1:] == [ids[41]], timeout=30_000)
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            store._forget_rows()  # (the rows painted and the current one's: read on the GUI thread)
            view.update()
            qtbot.wait(50)
            view.setCurrentIndex(model.index(200, 0))
            view.scrollTo(model.index(200, 0))
            failure_said(qtbot, window)
            qtbot.wait(1500)
        nothing_raised(raised)
        assert shown[-1] == ids[41]
    finally:
        cluster.start_server()
    qtbot.waitUntil(lambda: shown[-1:] == [ids[200]], timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)


def test_a_small_gallery_s_actions_while_the_server_is_down(
    qtbot, own_server: Any, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gallery held as an id list, the server stopped: "go to image" shows "loading…", a bulk
    decision is refused naming the catalog, another filter keeps the grid as it is and says the
    read failed -- nothing raised into Qt; started again, the filter is applied by itself."""
    monkeypatch.setattr(paged_ids, "PAGED_MIN", 50_000)
    cluster = own_server
    target, root, ids = seeded_on(cluster, tmp_path, 300, 1)
    window = gallery_shown(qtbot, make_window, target, root)
    store, model = window.store, window.gallery_model
    assert not model.is_paged and model.rowCount() == 300
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            store._forget_rows()
            window.show_image(ids[250])  # (a go-to: the problems dock's, Triage's double click)
            message = window.image_view._message_item
            assert message is not None and message.text() == "loading…"
            since = len(window.notifier.history)
            assert window.bulk_decide("accept-qualified") == 0
            errors = [n.text for n in window.notifier.history[since:] if n.level == logging.ERROR]
            assert len(errors) == 1 and errors[0].startswith("Bulk decision failed: "), errors
            assert f"postgresql://{cluster.SECRET_ROLE}@/{cluster.dbname(target)}" in errors[0]
            window.filter_combo.setCurrentIndex(window.filter_combo.findData("errors"))
            assert model.filter_name == "errors" and model.rowCount() == 300  # (kept meanwhile)
            failure_said(qtbot, window)
            qtbot.wait(1500)
        nothing_raised(raised)
    finally:
        cluster.start_server()
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=30_000)  # (no image failed: none)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)


def test_a_large_gallery_s_view_listed_while_the_server_is_down(
    qtbot, own_server: Any, make_window, tmp_path: Path
) -> None:
    """A large gallery's other view (sorted by person: listed on a worker into a file) asked while
    the server is down: its listing fails -- said, nothing raised -- and is listed again by itself
    once the server is back (before, its failed listing was never answered: the view stayed empty)."""
    cluster = own_server
    target, root, _ids = seeded_on(cluster, tmp_path, N_IMAGES, 1)
    window = gallery_shown(qtbot, make_window, target, root)
    store, model = window.store, window.gallery_model
    assert model.is_paged and model.rowCount() == N_IMAGES
    asked_while_down(
        qtbot, window, cluster, lambda: window.sort_combo.setCurrentIndex(window.sort_combo.findData("group"))
    )
    qtbot.waitUntil(lambda: model.listed is not None and model.listed.complete, timeout=30_000)
    qtbot.waitUntil(lambda: model.rowCount() == N_IMAGES, timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)


def test_a_go_to_asked_while_the_server_is_down_lands_once_it_is_back(
    qtbot, own_server: Any, make_window, tmp_path: Path
) -> None:
    """A large gallery's go-to (the problems dock's, Triage's double click) asked while the server
    is down: nothing raised, the failure said, and the image becomes current by itself once the
    server is back (before, its row's count was refused and never answered: the go-to was lost)."""
    cluster = own_server
    target, root, order = seeded_on(cluster, tmp_path, N_IMAGES, 1)
    window = gallery_shown(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    assert model.is_paged and model.rowCount() == N_IMAGES
    wanted = order[1100]
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            window.show_image(wanted)
            failure_said(qtbot, window)
            qtbot.wait(1500)
        nothing_raised(raised)
    finally:
        cluster.start_server()
    qtbot.waitUntil(lambda: view.currentIndex().row() == 1100, timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)


def test_a_paged_view_s_sample_asked_while_the_server_is_down_is_read_once_it_is_back(
    qtbot, own_server: Any, make_window, tmp_path: Path
) -> None:
    """A large gallery back on its paged view (from a filter's listed one) while the server is
    down: its key sample's walk is refused -- said, nothing raised -- and walked by itself once the
    server is back (before, never answered: every far page and go-to walked from the start), and
    a go-to asked meanwhile lands then."""
    cluster = own_server
    target, root, order = seeded_on(cluster, tmp_path, N_IMAGES, 1)
    window = gallery_shown(qtbot, make_window, target, root)
    store, model, view = window.store, window.gallery_model, window.gallery
    window.filter_combo.setCurrentIndex(window.filter_combo.findData("errors"))
    qtbot.waitUntil(lambda: model.listed is not None and model.listed.complete, timeout=30_000)
    cluster.stop_server()
    try:
        with qtbot.capture_exceptions() as raised:
            window.filter_combo.setCurrentIndex(window.filter_combo.findData("all"))
            paged = model.paged
            assert paged is not None and model.rowCount() == N_IMAGES
            failure_said(qtbot, window)
            assert not paged._sampled
            window.show_image(order[1100])
            qtbot.wait(1500)
        nothing_raised(raised)
    finally:
        cluster.start_server()
    qtbot.waitUntil(lambda: paged._sampled, timeout=30_000)
    assert len(paged._sample) == -(-N_IMAGES // paged_keys.SAMPLE_STEP)
    qtbot.waitUntil(lambda: view.currentIndex().row() == 1100, timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)


def test_triage_s_listed_view_asked_while_the_server_is_down_is_listed_once_it_is_back(
    qtbot, own_server: Any, make_window, tmp_path: Path
) -> None:
    """A large Triage grid's verdict filter ("qualified": listed on Triage's worker into a file) asked while
    the server is down: its listing fails -- said, nothing raised -- and is listed again by itself
    once the server is back (before, its refused listing was never answered: the grid stayed
    empty), the failure gone."""
    cluster = own_server
    target, root, pending = seeded_on(cluster, tmp_path, 700, 2, faces_listed=True)
    window = opened(qtbot, make_window, target, root)
    store, page = window.store, window.triage
    model = page.model
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: not store._queries, timeout=30_000)
    assert model.is_paged and model.rowCount() == len(pending) == 1400
    with Catalog(target) as catalog:
        ruleset = store.ruleset_version
        expected = len(q.face_ids(catalog, source_root=str(root), filter_name="qualified", ruleset=ruleset))
    assert expected > 0
    combo = page.filter_combo
    asked_while_down(qtbot, window, cluster, lambda: combo.setCurrentIndex(combo.findData("qualified")))
    qtbot.waitUntil(lambda: model.listed is not None and model.listed.complete, timeout=30_000)
    qtbot.waitUntil(lambda: model.rowCount() == expected, timeout=30_000)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)


def test_a_small_triage_grid_s_filter_while_the_server_is_down(
    qtbot, own_server: Any, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Triage grid held as an id list, another filter chosen with the server stopped: the grid
    kept as it is, the failure said, nothing raised (its ids are read on the GUI thread:
    LazyIdModel.ids_now); started again, the filter is applied by itself."""
    monkeypatch.setattr(paged_ids, "PAGED_MIN", 50_000)
    cluster = own_server
    window, _target, pending = triage_on(qtbot, make_window, cluster, tmp_path, 150)
    store, model, combo = window.store, window.triage.model, window.triage.filter_combo
    assert not model.is_paged and model.rowCount() == len(pending) == 300

    def accepted() -> None:
        combo.setCurrentIndex(combo.findData("accepted"))
        assert model.filter_name == "accepted" and model.rowCount() == 300  # (kept meanwhile)

    asked_while_down(qtbot, window, cluster, accepted)
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=30_000)  # (none accepted)
    qtbot.waitUntil(lambda: store.row_failure is None and window.row_failure_label.isHidden(), timeout=30_000)
