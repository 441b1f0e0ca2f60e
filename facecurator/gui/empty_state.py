"""What the gallery page shows before any source is open: the ways to start.

Open a folder, open a bucket (``oss://``), one of the recent sources, or drop
photos (or a folder) on the window. It covers the gallery page until a source
is open, and comes back if none is (e.g. the first one failed to open).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QFrame):
    """The first-start panel: big buttons, recent sources, and the drop hint."""

    recentChosen = Signal(str)

    def __init__(
        self,
        open_folder: Callable[[], None],
        open_bucket: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setAutoFillBackground(True)
        self.title = QLabel(self)
        self.title.setObjectName("emptyStateTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.open_folder_button = QPushButton(self)
        self.open_folder_button.setObjectName("emptyOpenFolder")
        self.open_folder_button.clicked.connect(open_folder)
        self.open_bucket_button = QPushButton(self)
        self.open_bucket_button.setObjectName("emptyOpenBucket")
        self.open_bucket_button.clicked.connect(open_bucket)
        for button in (self.open_folder_button, self.open_bucket_button):
            button.setMinimumWidth(260)
            button.setMinimumHeight(36)
        self.recent_label = QLabel(self)
        self.recent_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recent_box = QVBoxLayout()
        self.recent_buttons: list[QPushButton] = []
        self.drop_hint = QLabel(self)
        self.drop_hint.setObjectName("emptyDropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setStyleSheet(
            "border: 2px dashed #9aa0a6; border-radius: 8px; padding: 24px; color: #5f6368"
        )
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addSpacing(16)
        for button in (self.open_folder_button, self.open_bucket_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.recent_label)
        layout.addLayout(self.recent_box)
        layout.addSpacing(16)
        layout.addWidget(self.drop_hint, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        self.retranslate_ui()

    def set_recent(self, sources: list[str]) -> None:
        for button in self.recent_buttons:
            button.deleteLater()
        self.recent_buttons = []
        for text in sources[:5]:
            button = QPushButton(text, self)
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(text)
            button.clicked.connect(lambda _c=False, t=text: self.recentChosen.emit(t))
            self.recent_box.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.recent_buttons.append(button)
        self.recent_label.setVisible(bool(sources))

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("No photos open yet"))
        self.open_folder_button.setText(self.tr("Open a folder…"))
        self.open_bucket_button.setText(self.tr("Open a bucket (oss://)…"))
        self.recent_label.setText(self.tr("Recent sources"))
        self.drop_hint.setText(self.tr("or drop photos or a folder here"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
