"""The app's answer to a damaged catalog: say so, and offer to restore the last good backup.

Shown instead of the main window when the catalog fails its integrity check on
open (facecurator never writes into a damaged catalog). Restoring puts the
damaged file aside, copies the newest sound backup in its place and re-applies
the decisions made since from the audit trail
(:func:`facecurator.services.catalog.backup.restore`, the same as
``facecurator catalog restore``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from facecurator.errors import CatalogDamagedError, FacecuratorError
from facecurator.gui.core_errors import core_message
from facecurator.services.catalog.backup import BackupInfo, RestoreReport, list_backups, restore
from facecurator.services.catalog.health import BackgroundCheck


class CatalogRepairDialog(QDialog):
    """A damaged catalog: the problems, the newest sound backup, Restore or Quit.

    After :meth:`restore` succeeded, ``report`` holds what was done and the
    dialog is accepted; a failed restore is shown in the dialog, which stays open.
    """

    def __init__(self, error: CatalogDamagedError, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogRepairDialog")
        self.path = Path(path)
        self.report: RestoreReport | None = None
        self.setWindowTitle(self.tr("The catalog is damaged"))
        self.summary = QLabel(self)
        self.summary.setObjectName("catalogRepairSummary")
        self.summary.setWordWrap(True)
        self.summary.setText(
            self.tr(
                "The catalog {path} is damaged, so facecurator does not open it and writes nothing to it."
            ).format(path=self.path)
        )
        self.details = QPlainTextEdit(core_message(error), self)
        self.details.setObjectName("catalogRepairDetails")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(120)
        self.backup: BackupInfo | None = next(iter(list_backups(self.path, verify=True)), None)
        self.backup_label = QLabel(self)
        self.backup_label.setObjectName("catalogRepairBackup")
        self.backup_label.setWordWrap(True)
        self.backup_label.setText(self._backup_text())
        self.status = QLabel(self)
        self.status.setObjectName("catalogRepairStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton(
            self.tr("Restore from backup"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setEnabled(bool(self.backup and self.backup.ok))
        self.quit_button = buttons.addButton(self.tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.restore)
        self.quit_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.details, self.backup_label, self.status, buttons):
            layout.addWidget(widget)

    def _backup_text(self) -> str:
        backup = self.backup
        if backup is None:
            return self.tr(
                "There is no backup of this catalog yet (one is taken before bulk changes, at most daily)."
            )
        when = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if not backup.ok:
            return self.tr("The newest backup ({when}) is damaged too.").format(when=when)
        return self.tr(
            "Newest backup: {when}, {n} decisions. Restoring it keeps the damaged file aside and "
            "re-applies the decisions made since from the audit trail."
        ).format(when=when, n=backup.decisions)

    def restore(self) -> RestoreReport | None:
        """Restore the newest sound backup; accept the dialog when done."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.report = restore(self.path)
        except FacecuratorError as exc:
            self.status.setText(self.tr("Restoring failed: {error}").format(error=core_message(exc)))
            self.status.show()
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self.accept()
        return self.report

    def result_text(self) -> str:
        """One line for the status bar about the restore just done."""
        report = self.report
        if report is None:
            return ""
        return self.tr(
            "Catalog restored from the backup of {when}: {n} decisions made since re-applied, "
            "{m} could not be (faces scanned after the backup); the damaged file is kept as {copy}"
        ).format(
            when=report.backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            n=report.reapplied,
            m=report.not_reapplied + report.unreadable,
            copy=report.damaged_copy or "-",
        )


class CheckWatch(QObject):
    """Calls ``on_damaged(error)`` on the GUI thread when a check running in the background
    (:attr:`Catalog.pending_check`) finds the catalog damaged."""

    finished = Signal(object)  # the CatalogDamagedError, or None

    def __init__(
        self, check: BackgroundCheck, on_damaged: Callable[[CatalogDamagedError], None], parent: QObject
    ) -> None:
        super().__init__(parent)
        self.finished.connect(lambda error: on_damaged(error) if error is not None else None)
        check.when_done(self.finished.emit)  # emitted from the check's thread: queued to this one
