"""The zh_CN UI shows no English: every visible widget text of the window, its menus,
its panels and dialogs, and the texts built at run time (face details, on-image labels,
badges, status), walked after driving the window as an operator does."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTabBar,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

from facecurator.domain.filters import (
    ASSIGNED_WORD,
    CHOICE_FIELDS,
    FIELDS,
    KEYWORDS,
    ME_WORD,
    NONE_WORD,
    OUTCOME_WORDS,
)
from facecurator.domain.rules import list_presets
from facecurator.gui.overlay import face_label_lines
from facecurator.gui.scan import detector_names

#: Words that are the same in every language: names, formats, units, products.
NEUTRAL = {
    "facecurator",
    "oss",
    "imm",
    "json",
    "csv",
    "coco",
    "vggface",
    "jpeg",
    "jpg",
    "png",
    "heic",
    "heif",
    "webp",
    "tif",
    "tiff",
    "gif",
    "bmp",
    "qt",
    "english",
    "local",
    "green",
    "faces",
    "sqlite",
    "eta",
    "ctrl",
    "shift",
    "tab",
    "space",
    "pgup",
    "pgdown",
    "alt",
    "del",
    "esc",
    "moderation",
    "ltai",
    "hangzhou",
    "alibaba",
    "cloud",
    "bucket",
    "prefix",
    "url",
    "cpu",
    "gpu",
    "dlib",
    "mediapipe",
    "resnet",
    "toml",
    "accesskey",
    "secret",
    "sts",
    "service",
    "gnome",
    "keyring",
    "aliyuncs",
    "com",
    "cip",
    "https",
}
# Scales and ids the data itself carries (blur scales, condition ids), not UI words.
ID_TOKEN = re.compile(
    r"https?://\S+"  # URLs
    r"|\b(?:local-\d+-\d+|\d+-\d+|[A-Za-z]+_[A-Za-z_]+|[A-Z][A-Z0-9_]{2,})\b"  # scales, ids, ENV_NAMES
)
FILE_TOKEN = re.compile(r"\b[\w.-]+\.(?:json|csv|toml|jpg|png|txt)\b|\b\w+/")  # file and folder names
WORD = re.compile(r"[A-Za-z]{3,}")


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) of every visible text under ``root``."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        where = f"{type(widget).__name__}#{widget.objectName()}"
        if isinstance(widget, QLabel) and widget.objectName() == "keyringBackend" and not widget.toolTip():
            continue  # a usable keyring: the label is the backend's own name ("SecretService Keyring")
        if isinstance(widget, QLabel):
            yield where, html.unescape(re.sub(r"<[^>]+>", " ", widget.text()))
        elif isinstance(widget, QAbstractButton):
            yield where, widget.text()
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield f"{where}[{i}]", widget.itemText(i)
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                yield f"{where}[{i}]", widget.tabText(i)
        elif isinstance(widget, QGroupBox):
            yield where, widget.title()
        elif isinstance(widget, QLineEdit):
            yield where, widget.placeholderText()
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            yield from item_texts(widget, where)
        elif isinstance(widget, QGraphicsView) and widget.scene() is not None:
            yield from scene_texts(widget, where)
        if widget.toolTip() and widget.objectName() != "keyringBackend":  # that one: the core's words
            yield f"{where}.toolTip", widget.toolTip()
        if widget.isWindow():
            yield f"{where}.windowTitle", widget.windowTitle()


#: Rows of an item view read (the gallery and triage hold thousands; the first screenfuls do).
MAX_ROWS = 200


def item_texts(view: QAbstractItemView, where: str) -> Iterator[tuple[str, str]]:
    """The texts a list, table, tree or grid shows (and its rows' tooltips), built at run time
    from its model: the Problems dock's reasons, the label list, the log, the gallery's and the
    triage grid's cells, the header of a table."""
    if isinstance(view, QListWidget):
        cells = [(f"[{r}]", view.item(r)) for r in range(min(view.count(), MAX_ROWS))]
    elif isinstance(view, QTableWidget):
        headers = [view.horizontalHeaderItem(c) for c in range(view.columnCount())]
        yield from ((f"{where}.header", h.text()) for h in headers if h is not None)
        cells = [
            (f"[{r},{c}]", view.item(r, c))
            for r in range(min(view.rowCount(), MAX_ROWS))
            for c in range(view.columnCount())
        ]
    elif isinstance(view, QTreeWidget):
        cells = [
            (f"[{r},{c}]", view.topLevelItem(r))
            for r in range(min(view.topLevelItemCount(), MAX_ROWS))
            for c in range(view.columnCount())
        ]
        for key, item in cells:
            column = int(key.split(",")[1].rstrip("]"))
            yield f"{where}{key}", item.text(column)
            yield f"{where}{key}.toolTip", item.toolTip(column)
        return
    else:
        model = view.model()
        if model is None:
            return
        root = QModelIndex()
        for row in range(min(model.rowCount(root), MAX_ROWS)):
            index = model.index(row, 0, root)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str) and value:
                    yield f"{where}[{row}].{role.name}", html.unescape(re.sub(r"<[^>]+>", " ", value))
        return
    for key, item in cells:
        if item is not None:
            yield f"{where}{key}", item.text()
            if item.toolTip():
                yield f"{where}{key}.toolTip", item.toolTip()


def scene_texts(view: QGraphicsView, where: str) -> Iterator[tuple[str, str]]:
    """The texts of a graphics scene (the statistics' titles and axes, the image view's items)."""
    for item in view.scene().items():
        if not item.isVisible():
            continue
        if isinstance(item, QGraphicsTextItem):
            yield f"{where}.{type(item).__name__}", item.toPlainText()
        elif isinstance(item, QGraphicsSimpleTextItem):
            yield f"{where}.{type(item).__name__}", item.text()
        if item.toolTip():
            yield f"{where}.{type(item).__name__}.toolTip", item.toolTip()


def menu_texts(menu: QMenu, where: str = "menu") -> Iterator[tuple[str, str]]:
    yield where, menu.title()
    for action in menu.actions():
        if action.menu() is not None:
            yield from menu_texts(action.menu(), f"{where}/{action.menu().title()}")
        elif not action.isSeparator():
            yield f"{where}/{action.objectName()}", action.text()


#: The filter language's syntax (field names, keywords, values, ``--where``): the same in
#: every language, like a programming language's keywords; "alice" is the example's data.
SYNTAX = {
    *FIELDS,
    *KEYWORDS,
    *OUTCOME_WORDS,
    ASSIGNED_WORD,
    ME_WORD,
    NONE_WORD,
    *(value for values in CHOICE_FIELDS.values() for value in values),
    "where",
    "alice",
}


#: A comparison of the filter language ("yaw>20", "person~alice", "decision=pending", "--where").
EXPRESSION = re.compile(r"--where\b|\b[A-Za-z_]+\s*(?:<=|>=|!=|[<>=~:])\s*[-+\w.]*")


def english_words(text: str, allowed: set[str], *, about_filters: bool = False) -> list[str]:
    """The English words of ``text``. A word of the filter language counts only outside an
    expression ("yaw>20 and not failed:x" is the language's syntax, a bare "pending" or "Yaw"
    in a sentence is an untranslated word), unless the text is about the language itself
    (``about_filters``: the Find bar's help, a refused expression's reason naming fields)."""
    text = ID_TOKEN.sub(" ", text)
    for token in sorted(allowed, key=len, reverse=True):
        text = text.replace(token, " ")
    text = FILE_TOKEN.sub(" ", text)
    expression = bool(EXPRESSION.search(text))
    text = EXPRESSION.sub(" ", text)
    syntax = SYNTAX if about_filters else {*KEYWORDS, "where"} if expression else set()
    return [w for w in WORD.findall(text) if w.lower() not in NEUTRAL and w.lower() not in syntax]


def allowed_tokens(window) -> set[str]:
    """Data, not UI: file, folder and person names, preset and detector names, paths."""
    from facecurator.cloud.profiles import list_profiles

    tokens = set(list_presets()) | set(detector_names()) | {"green-pro", "default"} | set(list_profiles())
    tokens.add(str(window.store.source_root or ""))
    for image_id in window.store.image_ids():
        row = window.store.image(image_id).row
        # the image's name, never its error text: that reason must be translated
        tokens.update({row.name, row.name.rsplit("/", 1)[-1], row.group, row.uri})
    tokens.add(window.store.ruleset.name)
    return {t for t in tokens if t}


def test_the_chinese_ui_shows_no_english(qtbot, zh, opened_window) -> None:
    window = opened_window
    for top in QApplication.topLevelWidgets():  # windows other tests left open, in English
        if top is not window and top.isVisible():
            top.close()
    window.retranslate_ui()
    image_id = next(i for i in window.gallery_model.ids() if window.store.image(i).faces)
    assert window.gallery.select_image(image_id)
    qtbot.waitUntil(lambda: window.image_view.image_id == image_id)
    face = window.store.image(image_id).faces[0]
    window.image_view.select_face(face.id)
    found: list[tuple[str, str]] = []
    allowed = allowed_tokens(window)

    def check(where: str, text: str) -> None:
        about_filters = "filterExpression" in where or where.startswith("filter error")
        words = english_words(text, allowed, about_filters=about_filters)
        if words:
            found.append((where, f"{words}: {text.strip()[:100]}"))

    for where, text in visible_texts(window):
        check(where, text)
    for action in window.menuBar().actions():
        if action.menu() is not None:
            for where, text in menu_texts(action.menu()):
                check(where, text)
    # texts built at run time
    check("details", re.sub(r"<[^>]+>", " ", window.details.text()))
    for line in face_label_lines(face.face):
        check("on-image label", line)
    window.tabs.setCurrentWidget(window.triage)
    qtbot.waitUntil(lambda: window.triage.current_face_id() is not None)
    for where, text in visible_texts(window.triage):
        check(where, text)
    sheet = window.show_shortcuts()
    for where, text in visible_texts(sheet):
        check(where, text)
    for row in range(sheet.table.rowCount()):
        check("sheet", sheet.table.item(row, 0).text())
    sheet.reject()
    # every optional panel and dialog, opened as the toolbar / menus open them
    for key, action in window.panel_actions.items():
        if not action.isEnabled():
            continue
        action.trigger()
        for top in QApplication.topLevelWidgets():
            if top is not window and top.isVisible():
                for where, text in visible_texts(top):
                    check(f"{key}:{where}", text)
                top.close()
    walked = list(visible_texts(window))
    for dock_where, text in walked:
        check(f"after panels:{dock_where}", text)
    # the statistics' plots (titles, axes, legends) are among the texts walked
    plots = [text for where, text in walked if where.startswith("GraphicsLayoutWidget#.QGraphics")]
    assert len(plots) >= 5, walked
    # narrow, with the statistics open: the details under the image, the labels that find no room
    # listed under it (their rows and tooltips), the Problems dock's real failures
    from facecurator.gui.stats import open_statistics

    open_statistics(window)
    window.resize(1024, 768)
    crowded = max(window.gallery_model.ids(), key=lambda i: len(window.store.image(i).faces))
    window.show_image(crowded)
    qtbot.waitUntil(lambda: window.label_list.list.count() > 0)
    walked = list(visible_texts(window))
    assert any("labelListRows[" in where for where, _t in walked), "the label list was not walked"
    assert sum("problemsList[" in where and "toolTip" not in where for where, _t in walked) >= 3
    for where, text in walked:
        check(f"narrow:{where}", text)
    window.cloud_profiles_action.trigger()
    for top in QApplication.topLevelWidgets():
        if top is not window and top.isVisible():
            for where, text in visible_texts(top):
                check(f"cloud:{where}", text)
            top.close()
    window.undo_action.trigger()
    check("status", window.statusBar().currentMessage())
    # per-image errors (reasons built by the core, stored in the catalog): problems, tooltips, view
    errors = [i for i in window.store.image_ids() if window.store.image(i).row.status == "error"]
    assert errors, "the test folder holds broken files"
    problems = window.problems.list
    for row in range(problems.count()):
        check("problems", problems.item(row).text())
    window.tabs.setCurrentWidget(window.gallery_page)
    for image_id in errors:
        check("error tooltip", window.gallery_model._tooltip(image_id))
        window.show_image(image_id)
        message = window.image_view._message_item
        check("error in the view", message.text() if message is not None else "")
    # the filter bar: a good filter (status line), a refused one (its reason), the ranges menu
    window.filter_bar.set_expression("yaw>1 or not yaw>1")
    check("filter status", window.statusBar().currentMessage())
    # (the operator's own words in a bad expression are data: ids here)
    for bad in ("yaw>", "no_such=2", "decision=may_be", "(yaw>2", "failed:no_such", "yaw>x_y"):
        window.filter_bar.set_expression(bad)
        assert window.filter_bar.error_label.isVisibleTo(window)
        check(f"filter error {bad}", window.filter_bar.error_label.text())
    window.filter_bar.clear()
    for where, text in visible_texts(window.filter_bar._ranges_menu):
        check(f"ranges:{where}", text)
    for label in window.filter_bar._range_labels.values():
        check("ranges label", label.text())
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_the_walk_finds_english(qtbot, opened_window) -> None:
    """The check itself: in English the same walk finds words (it would catch a miss)."""
    window = opened_window
    allowed = allowed_tokens(window)
    texts = [text for _where, text in visible_texts(window)]
    assert any(english_words(text, allowed) for text in texts)
    assert QApplication.instance() is not None and Qt.Key.Key_A and QAction
