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

import re
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog
from helpers.paging import gallery_shown

from facecurator.gui import paged_ids, paged_keys, row_reads
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q

N_IMAGES = 1200


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
