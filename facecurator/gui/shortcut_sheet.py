"""The sheet of review keys (``?`` / ``F1``), where the keys are remapped too.

One row per command of :mod:`facecurator.gui.keymap`: what it does and its keys.
Double-click (or F2 on) a keys cell to type other keys, separated by ``;``
(``Right; PgDown``); *OK* keeps them in the settings, *Defaults* restores the
built-in ones. Keys bound to two commands are refused with the clash named.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facecurator.gui.keymap import DEFAULT_KEYS, KeyMap, describe, format_sequences, parse_sequences


class ShortcutSheet(QDialog):
    """The keys of the Gallery, the image view and Triage; editable."""

    def __init__(self, keymap: KeyMap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self._keymap = keymap
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(DEFAULT_KEYS), 2, self)
        self.table.setObjectName("shortcutTable")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.error = QLabel(self)
        self.error.setObjectName("shortcutError")
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda: self._fill(dict(DEFAULT_KEYS))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._fill(keymap.bindings())
        self.retranslate_ui()
        self.resize(600, 520)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.intro.setText(
            self.tr(
                "These keys work in the gallery, the image view and Triage. Double-click "
                "the keys of a command to change them; separate several keys with ';'."
            )
        )
        self.table.setHorizontalHeaderLabels([self.tr("Command"), self.tr("Keys")])
        for row, command in enumerate(DEFAULT_KEYS):
            item = self.table.item(row, 0)
            if item is not None:
                item.setText(describe(command))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _fill(self, bindings: dict[str, tuple[str, ...]]) -> None:
        for row, command in enumerate(DEFAULT_KEYS):
            what = QTableWidgetItem(describe(command))
            what.setFlags(what.flags() & ~Qt.ItemFlag.ItemIsEditable)
            what.setData(Qt.ItemDataRole.UserRole, command)
            self.table.setItem(row, 0, what)
            keys = format_sequences(bindings[command], native=True)  # Qt's key names, translated
            self.table.setItem(row, 1, QTableWidgetItem(keys))

    def edited_bindings(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for row, command in enumerate(DEFAULT_KEYS):
            item = self.table.item(row, 1)
            out[command] = parse_sequences(item.text() if item is not None else "")
        return out

    def accept(self) -> None:
        bindings = self.edited_bindings()
        clashes = self._keymap.conflicts(bindings)
        if clashes:
            sequence, commands = next(iter(clashes.items()))
            self.error.setText(
                self.tr("{key} is bound to both \u201c{a}\u201d and \u201c{b}\u201d.").format(
                    key=format_sequences((sequence,), native=True),
                    a=describe(commands[0]),
                    b=describe(commands[1]),
                )
            )
            self.error.show()
            return
        self._keymap.set_bindings(bindings)
        super().accept()
