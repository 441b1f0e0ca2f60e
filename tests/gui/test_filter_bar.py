"""The filter bar, quick filters, triage sort, natural order, group headers and size sliders."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from PySide6.QtCore import Qt

from facecurator.domain.filter_python import face_number
from facecurator.domain.filters import natural_key
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.gui import i18n

N_IMAGES = 60


@pytest.fixture
def window(make_window, tmp_path: Path):
    path = tmp_path / "c.sqlite3"
    root = tmp_path / "virtual"
    root.mkdir()
    seed_catalog(path, str(root), n_images=N_IMAGES, faces_per_image=2)
    window = make_window(path)
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    window.root = root
    return window


def _type(qtbot, bar, text: str) -> None:
    bar.edit.setFocus()
    bar.edit.selectAll()
    qtbot.keyClick(bar.edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(bar.edit, text)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)


def _triage_faces(window) -> list:
    model = window.triage.model
    return [window.store.face(model.face_id(row)) for row in range(model.rowCount())]


def test_typed_expression_filters_triage_and_gallery(qtbot, window) -> None:
    window.triage.filter_combo.setCurrentIndex(0)  # all faces
    everything = window.store.faces()
    bar = window.filter_bar
    _type(qtbot, bar, "yaw>20 and not person~p1")
    shown = _triage_faces(window)
    expected = [f for f in everything if abs(f.face.pose.yaw) > 20 and "p1" not in f.image.group]
    assert [f.id for f in shown] == [f.id for f in expected] and expected
    images = {f.image.id for f in expected}
    assert set(window.gallery_model.ids()) == images
    # bulk scope of the gallery = the matching faces only
    window.tabs.setCurrentWidget(window.gallery_page)
    assert {f.id for f in window.scope_faces()} == {f.id for f in expected}
    assert "yaw>20" in bar.toolTip()
    bar.clear()
    assert window.triage.model.rowCount() == len(everything)


def test_bad_expression_says_where_and_keeps_the_last_filter(qtbot, window, language) -> None:
    window.triage.filter_combo.setCurrentIndex(0)
    bar = window.filter_bar
    _type(qtbot, bar, "blur<10")
    rows = window.triage.model.rowCount()
    _type(qtbot, bar, "blur<10 or failed:no_hats")
    assert bar.error_label.isVisibleTo(bar)
    text = bar.error_label.text()
    assert "no_hats" in text
    if language == "zh_CN":
        assert "条件" in text and "Filter not applied" not in text
    else:
        assert "no condition 'no_hats'" in text
    assert bar.edit.cursorPosition() == len("blur<10 or failed:")
    assert window.triage.model.rowCount() == rows  # the last good filter stays
    _type(qtbot, bar, "blur<10 or failed:blur")
    assert not bar.error_label.isVisibleTo(bar)


def test_quick_filters_write_the_same_language(qtbot, window) -> None:
    window.triage.filter_combo.setCurrentIndex(0)
    bar = window.filter_bar
    combo = bar.failed_combo
    assert [combo.itemData(i) for i in range(1, combo.count())] == [
        c.id for c in window.store.ruleset.conditions
    ]
    combo.setCurrentIndex(combo.findData("pose_yaw"))
    shown = _triage_faces(window)
    assert shown and all(abs(f.face.pose.yaw) > 30 for f in shown)
    assert bar.expression() == "failed:pose_yaw"
    combo.setCurrentIndex(0)
    low, high = bar.range_boxes["yaw"]
    low.setValue(10)
    high.setValue(20)
    shown = _triage_faces(window)
    assert shown and all(10 <= abs(f.face.pose.yaw) <= 20 for f in shown)
    _type(qtbot, bar, "person=p3")
    assert bar.expression() == "(person=p3) and yaw>=10 and yaw<=20"
    assert all(f.image.group == "p3" for f in _triage_faces(window))
    window.store.decide([_triage_faces(window)[0].id], "accepted")
    bar.decision_combo.setCurrentIndex(bar.decision_combo.findData("accepted"))
    assert len(_triage_faces(window)) == 1
    # a typo in the typed part (quick filters on): its position is in what was typed
    _type(qtbot, bar, "person=p3 and blur<<2")
    assert bar.error_label.isVisibleTo(bar) and "“<2”" in bar.error_label.text()
    assert bar.edit.cursorPosition() == len("person=p3 and blur<")
    # the rules change: the failed-condition list follows the active rule set
    bar.clear()
    with window.store.force_sync():
        window.set_rules("enrollment-strict")
    ids = [combo.itemData(i) for i in range(1, combo.count())]
    assert ids == [c.id for c in window.store.ruleset.conditions] and "min_face_size" in ids


def test_completion_offers_fields_and_conditions(qtbot, window) -> None:
    bar = window.filter_bar
    bar.edit.setFocus()
    qtbot.keyClicks(bar.edit, "yaw>3 and fai")
    completer = bar.completer
    assert completer.completionPrefix() == "fai"
    found = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
    assert "failed:no_sunglasses" in found and "failed:pose_yaw" in found
    bar._insert_completion("failed:pose_yaw")
    assert bar.edit.text() == "yaw>3 and failed:pose_yaw"


def test_triage_sorts_by_any_field(qtbot, window) -> None:
    triage = window.triage
    triage.filter_combo.setCurrentIndex(0)
    triage.sort_combo.setCurrentIndex(triage.sort_combo.findData("yaw"))
    values = [face_number(f.face, "yaw") for f in _triage_faces(window)]
    assert values == sorted(values) and len(set(values)) > 5
    qtbot.mouseClick(triage.sort_order, Qt.MouseButton.LeftButton)
    values = [face_number(f.face, "yaw") for f in _triage_faces(window)]
    assert values == sorted(values, reverse=True)
    triage.sort_combo.setCurrentIndex(triage.sort_combo.findData("file"))
    names = [f.image.name for f in _triage_faces(window)]
    assert names == sorted(names, key=natural_key, reverse=True)


def test_gallery_natural_order_also_for_images_streaming_in(qtbot, window) -> None:
    model, store = window.gallery_model, window.store
    names = [store.image(i).row.name for i in model.ids()]
    assert names == sorted(names, key=natural_key)
    assert names.index("p2/img2.jpg") < names.index("p10/img10.jpg")  # not p10 < p2
    # an image recorded by a scan now lands in its natural place, not at the end
    catalog = store.catalog
    det = catalog.store_detection("new", "import:test", "k", DetectionResult([], 64, 64))
    ref = ImageRef(uri=f"{window.root}/p2/img3.jpg", name="p2/img3.jpg", group="p2", size=1, mtime_ns=1)
    image_id = catalog.record_image(
        ref,
        source_root=str(window.root),
        identity="new",
        status="ok",
        error=None,
        detection_id=det,
        width=64,
        height=64,
        detector="import:test",
    )
    store.refresh_images([image_id])
    names = [store.image(i).row.name for i in model.ids()]
    assert names == sorted(names, key=natural_key)
    assert model.row_of(image_id) == names.index("p2/img3.jpg")


def test_person_sort_has_group_headers_and_sizes_follow_the_sliders(qtbot, window) -> None:
    model = window.gallery_model
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("group"))
    groups = [window.store.image(i).row.group for i in model.ids()]
    assert groups == sorted(groups, key=natural_key)
    headers = [(row, model.group_header(row)) for row in range(model.rowCount())]
    starts = [(row, header) for row, header in headers if header is not None]
    assert len(starts) == len(set(groups))
    assert starts[0] == (0, (groups[0], groups.count(groups[0])))
    window.thumb_slider.setValue(100)
    assert window.gallery.gridSize().width() == 100 + 16 + 6
    window.triage.size_slider.setValue(80)
    assert window.triage.view.gridSize().width() == 80 + 8 + 4
    grab = window.gallery.viewport().grab()  # the header strip paints without error
    assert not grab.isNull()


def test_every_core_filter_message_is_marked_for_translation() -> None:
    from facecurator.domain.filters import FILTER_MESSAGES
    from facecurator.gui.core_words import TEMPLATES

    assert set(FILTER_MESSAGES.values()) == set(TEMPLATES)


def test_every_per_image_reason_is_marked_for_translation(qapp) -> None:
    from facecurator.domain.error_texts import ERROR_MESSAGES, error_text
    from facecurator.gui.core_errors import ERROR_TEMPLATES, error_line

    assert set(ERROR_MESSAGES.values()) == set(ERROR_TEMPLATES)
    i18n.install_translator(qapp, "zh_CN")
    try:
        inner = error_text("image.truncated", detail="broken data stream")
        line = error_line(f"/p/x.jpg: {error_text('image.cannot_decode', detail=inner)}")
        assert line == "/p/x.jpg: 无法解码：文件被截断或已损坏（broken data stream）"
        assert error_line("/p/y.jpg: a reason no template built") == "/p/y.jpg: a reason no template built"
    finally:
        i18n.install_translator(qapp, "en")


def test_the_cost_line_is_translated(qapp) -> None:
    from facecurator.cloud.cost import COST_MESSAGES, estimate
    from facecurator.gui.core_words import COST_TEMPLATES, cost_line

    assert set(COST_MESSAGES.values()) <= set(COST_TEMPLATES)
    green, imm = estimate("green", 3), estimate("imm", 2)
    assert cost_line(green) == green.describe()  # English: the core's own line
    i18n.install_translator(qapp, "zh_CN")
    try:
        assert cost_line(green) == "3 次付费调用 × USD 0.6/1000 = USD 0.0018 (文档标价)"
        line = cost_line(imm)
        assert (
            line.startswith("2 次付费调用；价格未知")
            and "profiles.toml" in line
            and "documentation" not in line
        )
    finally:
        i18n.install_translator(qapp, "en")


def test_find_assigned_me_shows_only_my_faces(qtbot, window, monkeypatch: pytest.MonkeyPatch) -> None:
    """``assigned:me`` in the Find bar: the faces held now by this operator (SQL), in triage and
    the gallery; not bob's, not a lease of mine that ran out."""
    from facecurator.services.catalog.assign import assign, take

    monkeypatch.setenv("FACECURATOR_OPERATOR", "alice")
    window.triage.filter_combo.setCurrentIndex(0)  # all faces
    ids = sorted(f.id for f in window.store.faces())
    catalog = window.store.catalog
    assign(catalog, ["alice"], among=ids[0:6], who="lead")
    assign(catalog, ["bob"], among=ids[6:12], who="lead")
    assert take(catalog, "alice", 4, lease_s=-1.0) == ids[12:16]  # ran out: nobody's
    assert take(catalog, "alice", 2, among=ids[20:22]) == ids[20:22]
    mine = ids[0:6] + ids[20:22]
    bar = window.filter_bar
    _type(qtbot, bar, "assigned:me")
    assert sorted(f.id for f in _triage_faces(window)) == mine
    by_id = {f.id: f for f in window.store.faces()}
    assert set(window.gallery_model.ids()) == {by_id[i].image.id for i in mine}
    window.tabs.setCurrentWidget(window.gallery_page)
    assert sorted(f.id for f in window.scope_faces()) == mine
    # beside a verdict term: SQL answers assigned:, Python the rest
    _type(qtbot, bar, "assigned:me and qualified=no")
    expected = [i for i in mine if not window.store.face(i).verdict.qualified]
    assert sorted(f.id for f in _triage_faces(window)) == expected
    _type(qtbot, bar, "assigned:none")
    nobody = [i for i in ids if i not in mine and i not in ids[6:12]]
    assert sorted(f.id for f in _triage_faces(window)) == nobody
    assert "assigned:me" in bar.edit.toolTip()
