"""The Log dock keeps up with a flood of notices: a page of a moved folder posts one "Cannot show"
a cell, and at 2 000 lines each notice laid the whole list out again on the GUI thread (every
line's text measured: ~17-21 ms a notice, 0.5-1 s of the GUI thread for one Triage page)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QStyledItemDelegate

from facecurator.gui.docks import MAX_LOG_LINES, LogDock
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
