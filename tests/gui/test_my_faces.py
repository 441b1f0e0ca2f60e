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


def _alices_triage(qtbot, target: str, n_images: int) -> tuple[Catalog, CurationStore, TriagePage]:
    """A Triage page on a catalog of ``n_images`` x 2 alike faces under /team."""
    seed_catalog(target, "/team", n_images=n_images, faces_per_image=2, varied=False)
    catalog = Catalog(target)
    store = CurationStore(catalog, load_rules("moderation-2.0"))
    page = TriagePage(store, AsyncPixmapCache(64), DecodedImageCache())
    qtbot.addWidget(page)
    return catalog, store, page


def test_my_faces_takes_a_batch_more_on_request_and_gives_them_back(
    qtbot, catalog_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    catalog, store, page = _alices_triage(qtbot, catalog_target, 8)
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


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_my_faces_takes_the_next_batch_by_itself_when_few_are_left(
    qtbot, qapp, catalog_target: str, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    from facecurator.gui import i18n
    from facecurator.gui.my_faces import REFILL_BELOW

    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    catalog, store, page = _alices_triage(qtbot, catalog_target, 40)
    try:
        i18n.install_translator(qapp, language)
        store.open_source("/team")
        assert store.wait_until_idle()
        page.my_faces.batch = REFILL_BELOW + 5
        page.filter_combo.setCurrentIndex(page.filter_combo.findData(MINE))
        qtbot.waitUntil(lambda: page.model.rowCount() == REFILL_BELOW + 5, timeout=10_000)
        mine = page.model.ids()
        store.decide(mine[:5], "accepted")  # 20 of 25 pending: not yet
        assert page.my_faces.pending_held() == REFILL_BELOW and not page.my_faces.taking
        store.decide(mine[5:6], "rejected")  # 19 left: the next batch comes by itself
        qtbot.waitUntil(lambda: page.model.rowCount() == 2 * (REFILL_BELOW + 5), timeout=10_000)
        new = set(page.model.ids()) - set(mine)
        assert len(new) == REFILL_BELOW + 5 and all(store.face(i).decision == "pending" for i in new)
        expected = {
            "en": f"Fewer than {REFILL_BELOW} of your faces were pending: took {REFILL_BELOW + 5} more",
            "zh_CN": f"你的待定人脸已少于 {REFILL_BELOW} 张：又领取了 {REFILL_BELOW + 5} 张",
        }[language]
        qtbot.waitUntil(lambda: page.hint.text() == expected, timeout=5000)
        # not shown: no refill however few are left
        page.filter_combo.setCurrentIndex(0)
        store.decide(page.my_faces.held()[6:40], "accepted")
        assert not page.my_faces.active and not page.my_faces.taking
        assert store.wait_until_idle()
    finally:
        store.shutdown()
        catalog.close()  # first: the page's recount on the language switch asks nothing more
        i18n.install_translator(qapp, "en")
