"""The Log and Problems docks keep up with thousands of lines: a page of a moved folder posts one
"Cannot show" a cell, and at 2 000 lines each notice laid the whole Log out again on the GUI thread
(every line's text measured: ~17-21 ms a notice); a source's failed images are listed in the
Problems dock a few hundred a turn."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QStyledItemDelegate

from facecurator.gui.docks import MAX_LOG_LINES, PROBLEMS_PER_TURN, LogDock, ProblemsDock
from facecurator.gui.logs import Notifier


class CountingDelegate(QStyledItemDelegate):
    """The list's delegate, counting the lines whose text it measures (no size kept with them)."""

    measured = 0

    def sizeHint(self, option: Any, index: Any) -> Any:
        if index.data(Qt.ItemDataRole.SizeHintRole) is None:
            self.measured += 1
        return super().sizeHint(option, index)


def test_a_notice_measures_its_own_line_not_every_line_of_a_full_log(qtbot: Any) -> None:
    notifier = Notifier()
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = LogDock(notifier, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.resize(900, 600)
    window.show()
    delegate = CountingDelegate(dock.list)
    dock.list.setItemDelegate(delegate)
    for i in range(MAX_LOG_LINES):
        notifier.warning(f"line {i}")
    QApplication.processEvents()
    delegate.measured = 0
    for i in range(50):  # as a page of missing files posts them
        notifier.warning(f"Cannot show /photos/p{i}.jpg: cannot read file: it was deleted or moved")
        QApplication.processEvents()
    # each new line measured once, as it is added (every line at each notice: 50 x 2 000 before)
    assert delegate.measured <= 50
    assert dock.list.count() == MAX_LOG_LINES  # the oldest dropped
    newest = dock.list.item(dock.list.count() - 1)
    assert newest.text().endswith("Cannot show /photos/p49.jpg: cannot read file: it was deleted or moved")
    bar = dock.list.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()  # scrolled to the newest line
    assert dock.list.visualItemRect(newest).intersects(dock.list.viewport().rect())


class ErrorsStore(QObject):
    """The store as the Problems dock uses it: a source's failed images answered later."""

    sourceListed = Signal(object)
    imagesAdded = Signal(list)
    imagesChanged = Signal(list)

    def __init__(self) -> None:
        super().__init__()
        self.answer: Any = None

    def error_rows_later(self, callback: Any) -> None:
        self.answer = callback


def test_a_source_with_thousands_of_failed_images_is_listed_a_turn_at_a_time(qtbot: Any) -> None:
    """Each problem line's reason is translated (parsed against every template, ~0.16 ms): 10 000
    failed images listed in one turn held the GUI thread 1.6 s. Now a few hundred a turn."""
    store = ErrorsStore()
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = ProblemsDock(store, window)  # type: ignore[arg-type]
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.show()
    reason = "cannot read file: not a JPEG (truncated)"
    rows = [(i, f"p{i % 10}/img{i}.jpg", f"/photos/p{i % 10}/img{i}.jpg", reason) for i in range(1000)]
    dock.rebuild()
    store.answer(rows)  # the query worker's answer, on the GUI thread
    assert 0 < dock.list.count() <= PROBLEMS_PER_TURN  # the rest in the turns after
    qtbot.waitUntil(lambda: dock.list.count() == 1000, timeout=10_000)
    assert dock.image_ids() == list(range(1000))  # in the answer's order
    assert "1000" in dock.windowTitle()
    dock.rebuild()  # a newer listing (another source): the old answer's rest is not listed
    store.answer(rows[:3])
    qtbot.wait(50)
    assert dock.image_ids() == [0, 1, 2]
