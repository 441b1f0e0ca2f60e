"""Choosing what to open: a local folder or an OSS bucket/prefix.

The dialog returns the contract's source string (a folder path or
``oss://BUCKET/PREFIX``), so the window opens either kind the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facecurator.gui.cloud_names import oss_source_text

if TYPE_CHECKING:
    from facecurator.gui.oss_browser import OssBrowser


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


class SourceChooser(QDialog):
    """Tabs: local folder (path, browse, recent) and OSS (profile, bucket, folder-like listing)."""

    def __init__(
        self, recent: list[str], parent: QWidget | None = None, *, profile: str | None = None
    ) -> None:
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
        self.recent_list.itemDoubleClicked.connect(self._accept_recent)
        local_layout = QVBoxLayout(local)
        local_layout.addLayout(row)
        local_layout.addWidget(self.recent_list)
        self.tabs.addTab(local, self.tr("Local folder"))
        # OSS tab: profile, bucket and a folder-like listing fetched page by page.
        self.oss_index = -1
        self.oss: OssBrowser | None = None
        if oss_sources_available():
            from facecurator.gui.oss_browser import OssBrowser

            # Preselect the profile of the window's open source.
            self.oss = OssBrowser(self, profile=profile or getattr(parent, "source_profile", None))
            self.oss.profilesRequested.connect(self._open_profiles)
            self.bucket_edit = self.oss.bucket_edit
            self.prefix_edit = self.oss.prefix_edit
            self.oss_index = self.tabs.addTab(self.oss, self.tr("OSS bucket"))
        else:
            placeholder = QWidget()
            self.bucket_edit = QLineEdit(placeholder)
            self.prefix_edit = QLineEdit(placeholder)
            self.oss_index = self.tabs.addTab(placeholder, self.tr("OSS bucket"))
            self.tabs.setTabEnabled(self.oss_index, False)
            self.tabs.setTabToolTip(self.oss_index, self.tr("OSS sources are not available in this build"))
        self._listed_once = False
        self.tabs.currentChanged.connect(self._tab_changed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(720, 520)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a folder"), self.path_edit.text())
        if folder:
            self.path_edit.setText(folder)

    def _accept_recent(self, item: QListWidgetItem) -> None:
        self._use_recent(item.text())
        self.accept()

    def _use_recent(self, text: str) -> None:
        if text.startswith("oss://"):
            bucket, _, prefix = text[len("oss://") :].partition("/")
            if self.oss is not None:
                self._listed_once = True  # list this location, not the profile's default bucket
                self.oss.set_location(bucket, prefix, list_now=True)
            else:
                self.bucket_edit.setText(bucket)
                self.prefix_edit.setText(prefix)
            self.tabs.setCurrentIndex(self.oss_index)
        else:
            self.path_edit.setText(text)
            self.tabs.setCurrentIndex(0)

    def _tab_changed(self, index: int) -> None:
        # The first visit to the OSS tab lists the profile's buckets (and default bucket).
        if index == self.oss_index and self.oss is not None and not self._listed_once:
            self._listed_once = True
            if self.oss.bucket():
                self.oss.navigate(self.oss.prefix_edit.text())
                self.oss.list_buckets()
            else:
                self.oss._profile_chosen()

    def _open_profiles(self) -> None:
        from facecurator.gui.cloud_dialog import CloudProfilesDialog

        dialog = CloudProfilesDialog.open_for(self, profile=self.profile())
        if self.oss is not None:
            dialog.profilesChanged.connect(self.oss.reload_profiles)

    def source_text(self) -> str:
        """The chosen source string ('' when nothing was entered)."""
        if self.tabs.currentIndex() == self.oss_index:
            if self.oss is not None:
                return self.oss.source_text()
            return (
                oss_source_text(self.bucket_edit.text(), self.prefix_edit.text())
                if self.bucket_edit.text()
                else ""
            )
        text = self.path_edit.text().strip()
        return str(Path(text).expanduser()) if text else ""

    def profile(self) -> str | None:
        """The cloud profile chosen on the OSS tab (None on the local tab)."""
        if self.tabs.currentIndex() == self.oss_index and self.oss is not None:
            return self.oss.profile()
        return None

    @classmethod
    def ask(
        cls, recent: list[str], parent: QWidget | None = None, *, profile: str | None = None
    ) -> SourceChoice | None:
        """Show the dialog; the chosen source or None (tests monkeypatch this)."""
        dialog = cls(recent, parent, profile=profile)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted and dialog.source_text():
                return SourceChoice(dialog.source_text(), dialog.profile())
            return None
        finally:
            dialog.deleteLater()
