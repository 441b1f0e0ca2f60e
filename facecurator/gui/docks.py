"""The main window's docks and status-bar widgets: problems, log, detection progress."""

from __future__ import annotations

import logging
import time
from typing import Final

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QWidget,
)

from facecurator.gui.core_errors import error_line
from facecurator.gui.logs import Notice, Notifier
from facecurator.gui.store import CurationStore
from facecurator.services.jobs import ScanProgress

#: Lines the Log dock keeps (the oldest dropped beyond).
MAX_LOG_LINES: Final = 2000
#: Failed images the Problems dock lists per event-loop turn: each line's reason is translated
#: (parsed against every template of the core's messages, ~0.16 ms a line), and a source's
#: 10 000 failed images listed at once held the GUI thread 1.6 s of CPU (3.7 s at load 9).
PROBLEMS_PER_TURN: Final = 100


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ScanStatus(QWidget):
    """Status-bar widget: progress bar, count / rate / ETA text and a cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("scanProgress")
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.label = QLabel(self)
        self.label.setObjectName("scanProgressText")
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelScan")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_progress(self, progress: ScanProgress) -> None:
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
            count = f"{progress.done}/{progress.total}"
        else:
            self.bar.setRange(0, 0)  # busy: the source is still being listed
            count = str(progress.done)
        failed = self.tr(" · {n} failed").format(n=progress.failed) if progress.failed else ""
        self.label.setText(
            self.tr("{count} images · {rate:.1f}/s · ETA {eta}{failed}").format(
                count=count, rate=progress.rate, eta=format_seconds(progress.eta), failed=failed
            )
        )


class ProblemsDock(QDockWidget):
    """Images that failed (unreadable, unsupported, detector error) with their reasons."""

    imageActivated = Signal(int)

    def __init__(self, store: CurationStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsDock")
        self._store = store
        self.list = QListWidget(self)
        self.list.setObjectName("problemsList")
        self.list.itemActivated.connect(self._activated)
        self.list.itemDoubleClicked.connect(self._activated)
        self.setWidget(self.list)
        self._items: dict[int, QListWidgetItem] = {}
        self._asked = 0  # the latest rebuild's query (an older answer is dropped)
        store.sourceListed.connect(lambda _root: self.rebuild())  # errors need no verdict
        store.imagesAdded.connect(self.update_images)
        store.imagesChanged.connect(self.update_images)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(
            self.tr("Problems ({n})").format(n=len(self._items)) if self._items else self.tr("Problems")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.update_images(list(self._items))  # the reasons in the new language
            self.retranslate_ui()
        super().changeEvent(event)

    def rebuild(self) -> None:
        """List the source's failed images: one SQL query on the store's query worker."""
        self.list.clear()
        self._items = {}
        self.retranslate_ui()
        self._asked += 1
        asked = self._asked
        self._store.error_rows_later(lambda rows: self._show(asked, rows))

    def _show(self, asked: int, rows: list[tuple[int, str, str, str | None]], start: int = 0) -> None:
        """List ``rows`` from ``start``, :data:`PROBLEMS_PER_TURN` a turn (the rest next turn)."""
        if asked != self._asked:
            return  # a newer rebuild asked again
        stop = start + PROBLEMS_PER_TURN
        for image_id, name, uri, error in rows[start:stop]:
            if image_id not in self._items:
                self._add(image_id, name, uri, error)
        self.retranslate_ui()
        if stop < len(rows):
            QTimer.singleShot(0, self, lambda: self._show(asked, rows, stop))

    def _add(self, image_id: int, name: str, uri: str, error: str | None) -> None:
        item = QListWidgetItem(self._line(name, error))
        item.setData(Qt.ItemDataRole.UserRole, image_id)
        item.setToolTip(uri)
        self.list.addItem(item)
        self._sized(item)
        self._items[image_id] = item

    def _line(self, name: str, error: str | None) -> str:
        return f"{name} — {error_line(error) if error else self.tr('unknown error')}"

    def _sized(self, item: QListWidgetItem) -> None:
        """Keep the line's size with it (measured now): a layout then reads it, instead of
        measuring every line's text again as lines come in (thousands of them)."""
        item.setData(Qt.ItemDataRole.SizeHintRole, None)  # (its text changed: measured anew)
        item.setSizeHint(self.list.sizeHintForIndex(self.list.indexFromItem(item)))

    def update_images(self, image_ids: list[int]) -> None:
        """Add, update or drop the lines of changed images. On PostgreSQL the rows not in memory
        (a decision forgets its images' rows) are not read by id on the GUI thread -- two round
        trips an image: a decision of 100 images' faces stalled the window 1.35 s at 1M -- their
        status and error are asked of the query worker, in one query (SQLite reads them now)."""
        later: list[int] = []
        for image_id in image_ids:
            if not self._store.has_image(image_id):
                continue
            if self._store.rows_later and not self._store.cached(image_id):
                later.append(image_id)
                continue
            row = self._store.image(image_id).row
            self._update(image_id, row.name, row.uri, row.status, row.error)
        if later:
            asked = self._asked
            self._store.problems_later(later, lambda found: self._problems_read(asked, found))
        self.retranslate_ui()

    def _problems_read(self, asked: int, found: dict[int, tuple[str, str, str, str | None]]) -> None:
        if asked != self._asked:
            return  # the list was rebuilt meanwhile (another source): it has them as they are
        for image_id, (name, uri, status, error) in found.items():
            if self._store.has_image(image_id):
                self._update(image_id, name, uri, status, error)
        self.retranslate_ui()

    def _update(self, image_id: int, name: str, uri: str, status: str, error: str | None) -> None:
        item = self._items.get(image_id)
        if status == "error":
            if item is None:
                self._add(image_id, name, uri, error)
            else:
                item.setText(self._line(name, error))
                self._sized(item)
        elif item is not None:
            self.list.takeItem(self.list.row(item))
            del self._items[image_id]

    def image_ids(self) -> list[int]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        self.imageActivated.emit(item.data(Qt.ItemDataRole.UserRole))


class LogDock(QDockWidget):
    """Every notice of this session, newest last (errors in red)."""

    def __init__(self, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logDock")
        self.list = QListWidget(self)
        self.list.setObjectName("logList")
        self.setWidget(self.list)
        # Scrolled to the newest line once a turn, not at each notice: a scroll lays the list out,
        # and a layout measured every line's text (2 000 lines: ~17 ms a notice; a page of a
        # moved folder's missing files posts one a cell)
        self._scroll = QTimer(self)
        self._scroll.setSingleShot(True)
        self._scroll.setInterval(0)
        self._scroll.timeout.connect(self.list.scrollToBottom)
        for notice in notifier.history:
            self.add(notice)
        notifier.posted.connect(self.add)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Log"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def add(self, notice: Notice) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(notice.at))
        item = QListWidgetItem(f"{stamp}  {notice.text}")
        if notice.level >= logging.ERROR:
            item.setForeground(Qt.GlobalColor.red)
        elif notice.level >= logging.WARNING:
            item.setForeground(Qt.GlobalColor.darkYellow)
        self.list.addItem(item)
        # its size kept with it (measured once): a layout reads it instead of measuring the text
        item.setSizeHint(self.list.sizeHintForIndex(self.list.model().index(self.list.count() - 1, 0)))
        if self.list.count() > MAX_LOG_LINES:
            self.list.takeItem(0)
        self._scroll.start()
