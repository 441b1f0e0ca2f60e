"""Choosing what to open: a local folder now, an OSS bucket/prefix with the cloud work.

The dialog returns the contract's source string (a folder path or
``oss://BUCKET/PREFIX``), so the window opens either kind the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True, slots=True)
class SourceChoice:
    text: str  # folder path or oss://BUCKET/PREFIX
    profile: str | None = None  # cloud profile for OSS sources


def oss_sources_available() -> bool:
    try:
        import facecurator.sources.oss  # noqa: F401
    except ImportError:
        return False
    return True


def oss_source_text(bucket: str, prefix: str) -> str:
    bucket = bucket.strip().strip("/")
    prefix = prefix.strip().lstrip("/")
    return f"oss://{bucket}/{prefix}" if prefix else f"oss://{bucket}/"


class SourceChooser(QDialog):
    """Tabs: local folder (path, browse, recent) and OSS (bucket, prefix, profile)."""

    def __init__(self, recent: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open a source"))
        self.setObjectName("sourceChooser")
        self.tabs = QTabWidget(self)
        # Local folder tab.
        local = QWidget()
        self.path_edit = QLineEdit(local)
        self.path_edit.setPlaceholderText(self.tr("Folder with photos (sub-folders = persons)"))
        browse = QPushButton(self.tr("Browse…"), local)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.recent_list = QListWidget(local)
        for text in recent:
            self.recent_list.addItem(text)
        self.recent_list.itemClicked.connect(lambda item: self._use_recent(item.text()))
        self.recent_list.itemDoubleClicked.connect(
            lambda item: (self._use_recent(item.text()), self.accept())
        )
        local_layout = QVBoxLayout(local)
        local_layout.addLayout(row)
        local_layout.addWidget(self.recent_list)
        self.tabs.addTab(local, self.tr("Local folder"))
        # OSS tab: the hook the cloud work fills in (OssSource + profiles).
        oss = QWidget()
        self.bucket_edit = QLineEdit(oss)
        self.prefix_edit = QLineEdit(oss)
        self.profile_edit = QLineEdit(oss)
        self.profile_edit.setPlaceholderText(self.tr("default"))
        form = QFormLayout(oss)
        form.addRow(self.tr("Bucket"), self.bucket_edit)
        form.addRow(self.tr("Prefix"), self.prefix_edit)
        form.addRow(self.tr("Profile"), self.profile_edit)
        index = self.tabs.addTab(oss, self.tr("OSS bucket"))
        if not oss_sources_available():
            self.tabs.setTabEnabled(index, False)
            self.tabs.setTabToolTip(index, self.tr("OSS sources arrive with the cloud work"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a folder"), self.path_edit.text())
        if folder:
            self.path_edit.setText(folder)

    def _use_recent(self, text: str) -> None:
        if text.startswith("oss://"):
            bucket, _, prefix = text[len("oss://") :].partition("/")
            self.bucket_edit.setText(bucket)
            self.prefix_edit.setText(prefix)
            self.tabs.setCurrentIndex(1)
        else:
            self.path_edit.setText(text)
            self.tabs.setCurrentIndex(0)

    def source_text(self) -> str:
        """The chosen source string ('' when nothing was entered)."""
        if self.tabs.currentIndex() == 1:
            return (
                oss_source_text(self.bucket_edit.text(), self.prefix_edit.text())
                if self.bucket_edit.text()
                else ""
            )
        text = self.path_edit.text().strip()
        return str(Path(text).expanduser()) if text else ""

    def profile(self) -> str | None:
        return self.profile_edit.text().strip() or None

    @classmethod
    def ask(cls, recent: list[str], parent: QWidget | None = None) -> SourceChoice | None:
        """Show the dialog; the chosen source or None (tests monkeypatch this)."""
        dialog = cls(recent, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.source_text():
            return SourceChoice(dialog.source_text(), dialog.profile())
        return None
