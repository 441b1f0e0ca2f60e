"""The main window as an operator uses it: open, browse, select, decide by key, undo, rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from facecurator.gui.gallery import IMAGE_ID_ROLE, thumb_key
from facecurator.gui.overlay import DEFAULT_PALETTE, face_status
from facecurator.gui.thumbnails import thumbs_dir
from facecurator.services.catalog import Catalog


def decisions_on_disk(catalog_path: Path) -> dict[int, str]:
    """Decisions as a separate connection (another process, a crash survivor) sees them."""
    with Catalog(catalog_path) as fresh:
        return {row.id: row.decision.state for row in fresh.faces()}


def first_image_with_faces(window, minimum: int = 1) -> int:
    for image_id in window.store.image_ids():
        if len(window.store.image(image_id).faces) >= minimum:
            return image_id
    pytest.fail(f"no image with {minimum}+ faces in the test folder")


def test_open_folder_shows_thumbnails_and_problems(qtbot, opened_window, photo_dir: Path) -> None:
    window = opened_window
    model = window.gallery_model
    rows = model.rowCount()
    assert rows == len(list(p for p in photo_dir.rglob("*") if p.is_file()))
    assert window.windowTitle().endswith(str(photo_dir.resolve()))
    ok_ids = [i for i in model.ids() if window.store.image(i).row.status == "ok"]
    for row in range(rows):  # what the delegate does on paint
        model.thumbnail(row)
    qtbot.waitUntil(lambda: all(window.thumbnails.contains(thumb_key(i)) for i in ok_ids), timeout=15_000)
    # Thumbnails were written to the disk cache: a second open is instant.
    assert len(list(thumbs_dir().glob("*-256.jpg"))) == len(ok_ids)
    # Broken files are listed with their reasons and open in the image view.
    problems = window.problems.image_ids()
    assert problems and all(window.store.image(i).row.status == "error" for i in problems)
    item = window.problems.list.item(0)
    assert "empty" in item.text() or "not an image" in item.text() or "cannot decode" in item.text()
    rect = window.problems.list.visualItemRect(item)
    # A real double-click is press, release, double-click (Qt's item views need the press).
    qtbot.mouseClick(window.problems.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.problems.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.image_view.image_id == problems[0]
    assert window.store.image(problems[0]).row.error in window.details.text()


def test_gallery_filters_and_sort(opened_window) -> None:
    window = opened_window
    model = window.gallery_model
    total = model.rowCount()
    model.set_filter("errors")
    assert 0 < model.rowCount() < total
    assert all(
        model.index(r, 0).data(Qt.ItemDataRole.UserRole + 3) == "error" for r in range(model.rowCount())
    )
    model.set_filter("qualified")
    assert all(window.store.summary(i).qualified for i in model.ids())
    model.set_filter("all")
    model.set_sort("faces")
    counts = [window.store.summary(i).faces for i in model.ids()]
    assert counts == sorted(counts, reverse=True)


def test_select_face_shows_attributes_and_failing_reasons(qtbot, opened_window) -> None:
    window = opened_window
    store = window.store
    faces = [face for face in store.faces() if not face.verdict.qualified]
    if not faces:
        pytest.skip("every detected face qualified; nothing to explain")
    face = faces[0]
    assert window.gallery.select_image(face.image.id)
    qtbot.waitUntil(lambda: window.image_view.image_id == face.image.id)
    item = window.image_view.face_items()[face.id]
    # Click on the box edge (scene -> viewport coordinates).
    box = face.face.box
    point = window.image_view.mapFromScene(QPointF(box.x + box.w / 2, box.y + 1))
    qtbot.mouseClick(window.image_view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.image_view.selected_face == face.id
    text = window.details.text()
    for reason in face.verdict.reasons:
        assert reason.replace("<", "&lt;").replace(">", "&gt;") in text
    assert "yaw" in text and "blur" in text
    assert item.context().highlighted


def test_triage_keys_decide_durably_and_undo(qtbot, opened_window, catalog_path: Path) -> None:
    window = opened_window
    triage = window.triage
    window.tabs.setCurrentWidget(triage)
    model = triage.model
    assert model.rowCount() >= 2
    view = triage.view
    view.setFocus()
    first = triage.current_face_id()
    assert first == model.face_id(0)
    scroll_before = view.verticalScrollBar().value()

    with qtbot.waitSignal(triage.faceShown, timeout=1000) as shown:
        qtbot.keyClick(view, Qt.Key.Key_A)
    assert decisions_on_disk(catalog_path)[first] == "accepted"
    second = shown.args[0]
    assert second != first and triage.current_face_id() == second
    assert view.verticalScrollBar().value() == scroll_before  # the grid did not jump
    assert triage.last_decision_latency is not None and triage.last_decision_latency < 0.05

    qtbot.keyClick(view, Qt.Key.Key_R)
    assert decisions_on_disk(catalog_path)[second] == "rejected"
    third = triage.current_face_id()
    qtbot.keyClick(view, Qt.Key.Key_S)  # skip: no decision
    assert decisions_on_disk(catalog_path).get(third) == "pending"

    # Decided rows change in place: still in the pending grid, tagged.
    assert model.row_of(first) == 0
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole + 13) == "accepted"

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    on_disk = decisions_on_disk(catalog_path)
    assert on_disk[second] == "pending" and on_disk[first] == "accepted"
    assert triage.current_face_id() == second  # back on the face just undone
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert decisions_on_disk(catalog_path)[first] == "pending"


def test_triage_preview_is_a_sharp_large_crop(qtbot, opened_window) -> None:
    window = opened_window
    window.tabs.setCurrentWidget(window.triage)
    big = max(window.store.faces(), key=lambda face: face.face.box.w)
    assert window.triage.select_face(big.id)
    qtbot.waitUntil(lambda: window.triage.preview_pixmap(big.id) is not None, timeout=10_000)
    from facecurator.gui.thumbnails import CROP_SIDE

    assert window.triage.preview_pixmap(big.id).width() > CROP_SIDE  # not the grid's crop upscaled
    assert window.triage.preview.pixmap().width() > 200
    assert big.image.name in window.triage.details.text()


def test_bulk_accept_qualified_over_the_filter(opened_window, catalog_path: Path) -> None:
    window = opened_window
    window.tabs.setCurrentWidget(window.triage)
    qualified = {face.id for face in window.store.faces() if face.verdict.qualified}
    if not qualified:
        pytest.skip("no qualified face detected in the test folder")
    window.triage.view.clearSelection()
    window.triage.accept_button.click()
    on_disk = decisions_on_disk(catalog_path)
    assert {i for i, state in on_disk.items() if state == "accepted"} == qualified
    assert all(on_disk[i] == "pending" for i in on_disk if i not in qualified)
    window.triage.reject_button.click()
    on_disk = decisions_on_disk(catalog_path)
    assert all(on_disk[i] == "rejected" for i in on_disk if i not in qualified)
    assert all(face.decision != "pending" for face in window.store.faces())
    # One Ctrl+Z undoes the whole bulk rejection (several catalog batches: one per reason).
    window.undo_action.trigger()
    on_disk = decisions_on_disk(catalog_path)
    assert all(on_disk[i] == "pending" for i in on_disk if i not in qualified)
    assert all(on_disk[i] == "accepted" for i in qualified)
    window.undo_action.trigger()
    assert set(decisions_on_disk(catalog_path).values()) == {"pending"}


def render_item(item) -> QImage:
    """Paint one face item as the scene would, at 1:1, into a white image."""
    box = item.face.face.box
    image = QImage(int(box.x + box.w) + 40, int(box.y + box.h) + 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    return image


def test_rule_change_recolours_open_views(qtbot, opened_window) -> None:
    window = opened_window
    image_id = first_image_with_faces(window)
    assert window.gallery.select_image(image_id)
    qtbot.waitUntil(lambda: window.image_view.image_id == image_id)
    face_id, item = next(iter(window.image_view.face_items().items()))
    window.image_view.set_overlay_options(labels=False, landmarks=False)
    box = item.face.face.box
    before = render_item(item).pixelColor(int(box.x), int(box.y + box.h / 2))
    before_status = face_status(window.store.face(face_id).verdict)
    # A rule set nothing passes: a blur limit of 0 on the 0-100 scale.
    from facecurator.domain.rules import RuleSet

    impossible = RuleSet.from_toml(
        'schema_version = 1\nname = "nothing-passes"\nunknown = "fail"\n'
        '[[conditions]]\nkind = "pose"\naxis = "yaw"\nmax_degrees = 0\n'
    )
    with qtbot.waitSignal(window.store.rulesChanged, timeout=2000):
        assert window.set_rules(impossible)
    after_status = face_status(window.store.face(face_id).verdict)
    assert after_status == "unqualified"
    after = render_item(window.image_view.face_items()[face_id]).pixelColor(
        int(box.x), int(box.y + box.h / 2)
    )
    assert after.name() != before.name() or before_status == "unqualified"
    assert abs(after.red() - QColor(DEFAULT_PALETTE.unqualified).red()) < 40
    assert window.rules_combo.currentData() == "nothing-passes"
    # The triage model re-coloured in place too.
    row = window.triage.model.row_of(face_id)
    if row is not None:
        assert window.triage.model.index(row, 0).data(Qt.ItemDataRole.UserRole + 12) == "unqualified"


def test_drop_a_folder_and_state_persists(qtbot, make_window, catalog_path: Path, photo_dir: Path) -> None:
    window = make_window(catalog_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo_dir))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.store.wait_until_idle()
    assert window.store.source_root == str(photo_dir.resolve())
    assert window.recent_sources()[0] == str(photo_dir.resolve())
    # within the offscreen screen (restoreGeometry clamps to it) and above the window's
    # minimum width while its two toolbars still share one row
    window.resize(761, 503)
    window.overlay_actions["landmarks"].trigger()  # off
    window.close()
    again = make_window(catalog_path, size=None)  # geometry from the saved state
    assert again.size().width() == 761  # (the height is bounded below by the layout)
    assert not again.overlay_actions["landmarks"].isChecked()
    assert again.recent_sources()[0] == str(photo_dir.resolve())
    assert again.recent_menu.actions()[0].text() == str(photo_dir.resolve())


def test_gallery_cell_paints_badges(qtbot, opened_window) -> None:
    window = opened_window
    image_id = first_image_with_faces(window)
    index = window.gallery_model.index_of(image_id)
    assert index.data(IMAGE_ID_ROLE) == image_id
    window.gallery_model.thumbnail(index.row())  # queue the render, as painting does
    qtbot.waitUntil(lambda: window.thumbnails.contains(thumb_key(image_id)), timeout=10_000)
    rect = window.gallery.visualRect(index)
    shot = window.gallery.viewport().grab(rect).toImage()
    # The face-count pill sits in the top-left corner of the thumbnail box, in a verdict colour.
    summary = window.store.summary(image_id)
    expected = (
        DEFAULT_PALETTE.unqualified
        if summary.unqualified
        else (DEFAULT_PALETTE.unknown if summary.unknown else DEFAULT_PALETTE.qualified)
    )
    found = [shot.pixelColor(x, y) for x in range(8, 40) for y in range(8, 20)]
    want = QColor(expected)
    assert any(abs(c.red() - want.red()) < 40 and abs(c.green() - want.green()) < 40 for c in found)


def test_source_chooser_local_and_oss(
    qtbot, make_window, catalog_path: Path, photo_dir: Path, monkeypatch
) -> None:
    from facecurator.gui.source_chooser import SourceChoice, SourceChooser, oss_source_text

    dialog = SourceChooser([str(photo_dir), "oss://bucket/people/"])
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(photo_dir))
    assert dialog.source_text() == str(photo_dir)
    dialog.recent_list.itemClicked.emit(dialog.recent_list.item(1))
    assert dialog.tabs.currentIndex() == 1 and dialog.bucket_edit.text() == "bucket"
    assert dialog.source_text() == "oss://bucket/people/"
    assert oss_source_text(" b ", "/a/b") == "oss://b/a/b"

    window = make_window(catalog_path)
    monkeypatch.setattr(
        SourceChooser, "ask", classmethod(lambda cls, recent, parent=None: SourceChoice(str(photo_dir)))
    )
    window.open_source_action.trigger()
    assert window.store.wait_until_idle()
    assert window.store.source_root == str(photo_dir.resolve())
    assert window.gallery_model.rowCount() > 0


def test_labels_never_cover_each_other_and_follow_the_selection(qtbot, opened_window) -> None:
    from facecurator.gui.overlay import label_rect

    window = opened_window
    image_id = first_image_with_faces(window, minimum=2)
    assert window.gallery.select_image(image_id)
    view = window.image_view
    qtbot.waitUntil(lambda: view.image_id == image_id)
    items = view.face_items()

    def placed_labels() -> list:
        scale = view.transform().m11()
        shown = [item for item in items.values() if item.context().show_labels]
        return [label_rect(item.face.face, scale, item.context().label_at) for item in shown]

    rects = placed_labels()
    assert len(rects) == len(items)  # every face has its label (laid out, not hidden)
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    for face_id, item in items.items():  # whichever face is selected gets its label, still no overlap
        view.select_face(face_id)
        assert item.context().show_labels and item.context().highlighted
        rects = placed_labels()
        assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_zoom_keys_wheel_and_overlay_toggles(qtbot, opened_window) -> None:
    window = opened_window
    image_id = first_image_with_faces(window)
    assert window.gallery.select_image(image_id)
    view = window.image_view
    qtbot.waitUntil(lambda: view.image_id == image_id)
    view.setFocus()
    fitted = view.transform().m11()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.transform().m11() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.transform().m11() == pytest.approx(fitted / 1.25)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert view.transform().m11() == pytest.approx(1.0)
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.transform().m11() == pytest.approx(fitted, rel=0.02)
    item = next(iter(view.face_items().values()))
    assert item.context().show_boxes and item.context().show_landmarks
    window.overlay_actions["boxes"].trigger()
    window.overlay_actions["landmarks"].trigger()
    assert not item.context().show_boxes and not item.context().show_landmarks
    window.overlay_actions["boxes"].trigger()
    assert item.context().show_boxes
    # Tab walks through the faces; A accepts the selected one from the image view.
    view.select_face(None)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    selected = view.selected_face
    assert selected in view.face_items()
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert window.store.face(selected).decision == "accepted"
