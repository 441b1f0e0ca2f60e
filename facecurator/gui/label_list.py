"""The labels that found no room on the image, listed under the image view.

In a crowded photo some faces have no free spot for their label (a label never covers a
face: :mod:`facecurator.gui.label_layout`). Such a face gets a number on its box
(:attr:`facecurator.gui.overlay.OverlayContext.marker`) and its label here, under the same
number, so every face's label is visible somewhere. Clicking an entry selects its face.
A row is one line: cut with "…" where the list is narrower than it, the whole label its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from facecurator.gui.image_view import ImageView
from facecurator.gui.overlay import face_label_lines

# Rows shown before the list scrolls (the image keeps the rest of the height).
VISIBLE_ROWS = 4
# Pixels of a row's width the style keeps around its text (margins).
ROW_MARGIN = 8


class _OneLine(QStyledItemDelegate):
    """Paints a row on one line as wide as the list: its text cut with "…" where it is wider."""

    def __init__(self, rows: QListWidget) -> None:
        super().__init__(rows)
        self._rows = rows

    def shown(self, text: str) -> str:
        room = max(self._rows.viewport().width() - ROW_MARGIN, 20)
        return self._rows.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.text = self.shown(option.text)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(min(hint.width(), self._rows.viewport().width()), hint.height())


class LabelList(QWidget):
    """A caption and one row per face whose label is not on the image: "<n>  <label lines>"."""

    def __init__(self, view: ImageView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelList")
        self._view = view
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("labelListRows")
        self.list.setWordWrap(False)  # one line a row: a narrow list cuts it (see _OneLine)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._one_line = _OneLine(self.list)
        self.list.setItemDelegate(self._one_line)
        self.list.itemClicked.connect(self._select)
        self.list.itemActivated.connect(self._select)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.list)
        view.labelsPlaced.connect(self.refresh)
        self.retranslate_ui()
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.caption.setText(self.tr("Labels with no room on the image (the numbers are on the boxes):"))
        self.refresh()

    def refresh(self) -> None:
        """Re-list the view's unplaced labels (hidden when every label is on the image)."""
        self.list.clear()
        entries = self._view.unplaced_labels()
        for number, reviewed in entries:
            lines = face_label_lines(reviewed.face)
            text = f"{number}  " + " · ".join(lines)
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, reviewed.id)
            item.setToolTip(text)
        rows = min(len(entries), VISIBLE_ROWS)
        row_height = self.list.sizeHintForRow(0) if entries else 0
        self.list.setFixedHeight(rows * max(row_height, 1) + 2 * self.list.frameWidth() + 2)
        self.setVisible(bool(entries))

    def texts(self) -> list[str]:
        """The whole rows (for tests and the screenshot script)."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def shown_texts(self) -> list[str]:
        """The rows as painted: cut with "…" where the list is narrower than them."""
        return [self._one_line.shown(text) for text in self.texts()]

    def _select(self, item: QListWidgetItem) -> None:
        self._view.select_face(item.data(Qt.ItemDataRole.UserRole))


def with_label_list(view: ImageView, parent: QWidget) -> tuple[QWidget, LabelList]:
    """The image view with its label list under it, in one widget (for the gallery's splitter)."""
    box = QWidget(parent)
    box.setObjectName("imagePane")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(view, 1)
    labels = LabelList(view, box)
    layout.addWidget(labels)
    return box, labels
