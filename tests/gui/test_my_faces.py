"""Triage's "My faces" (issue 17): the operator's window takes a batch of pending faces nobody
holds, takes more on request, and gives them back when it closes; another operator never
gets the same faces meanwhile. On both backends (SQLite: the one operator takes them alike)."""

from __future__ import annotations

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.gui.my_faces import MINE
from facecurator.gui.store import CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache, DecodedImageCache
from facecurator.gui.triage import TriagePage
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.assign import held_ids, take
from facecurator.services.catalog.dialect import NOW_EPOCH


def test_my_faces_takes_a_batch_more_on_request_and_gives_them_back(
    qtbot, catalog_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    seed_catalog(catalog_target, "/team", n_images=8, faces_per_image=2, varied=False)
    catalog = Catalog(catalog_target)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    page = TriagePage(store, AsyncPixmapCache(64), DecodedImageCache())
    qtbot.addWidget(page)
    try:
        store.open_source("/team")
        assert store.wait_until_idle()
        all_ids = sorted(store.face_ids())
        page.my_faces.batch = 5
        assert not page.take_button.isVisible()
        page.filter_combo.setCurrentIndex(page.filter_combo.findData(MINE))
        qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
        mine = page.model.ids()
        assert mine == all_ids[:5] and page.model.filter_name == MINE
        assert not page.take_button.isHidden()
        with Catalog(catalog_target) as bobs:  # another operator, meanwhile: the next faces, never alice's
            bob = take(bobs, "bob", 5)
        assert bob == all_ids[5:10]
        page.take_button.click()
        qtbot.waitUntil(lambda: page.model.rowCount() == 10, timeout=10_000)
        assert page.model.ids() == all_ids[:5] + all_ids[10:15]
        # the open window renews its lease (on the store's query worker): 10 minutes -> 2 hours
        page.my_faces.lease_s = 7200.0
        page.my_faces._renewal.timeout.emit()
        with Catalog(catalog_target) as check:

            def lease_left() -> float:
                query = f"SELECT min(lease_until) - {NOW_EPOCH} FROM assignments WHERE operator = 'alice'"
                return float(check._db.execute(query).fetchone()[0])

            qtbot.waitUntil(lambda: lease_left() > 3600, timeout=10_000)
        page.release_faces()  # the window closes
        with Catalog(catalog_target) as check:
            assert held_ids(check, "alice") == []
            assert take(check, "carol", 100) == all_ids[:5] + all_ids[10:]  # alice's came back
            who = check._db.execute(
                "SELECT operator, action, faces FROM assignment_log WHERE operator = 'alice' ORDER BY id"
            ).fetchall()
        assert [tuple(row) for row in who] == [
            ("alice", "take", 5),
            ("alice", "take", 5),
            ("alice", "release", 10),
        ]
    finally:
        store.shutdown()
        catalog.close()


def test_my_faces_and_take_more_are_translated(qtbot, qapp, tmp_path) -> None:
    from facecurator.gui import i18n

    catalog = Catalog(tmp_path / "c.sqlite3")
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    page = TriagePage(store, AsyncPixmapCache(64), DecodedImageCache())
    qtbot.addWidget(page)
    try:
        assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"  # the page retranslates itself
        mine = page.filter_combo.findData(MINE)
        qtbot.waitUntil(lambda: page.filter_combo.itemText(mine) == "我的人脸", timeout=5000)
        assert page.take_button.text() == "再领取"
    finally:
        i18n.install_translator(qapp, "en")
        store.shutdown()
        catalog.close()
