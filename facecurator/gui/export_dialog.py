"""The export dialog: destination, format, margin, include-rejected; runs the export off the GUI thread.

The export runs in :class:`~facecurator.gui.export_thread.ExportThread` with its own
:class:`~facecurator.services.catalog.Catalog` (SQLite connections are per
thread): it reviews the catalog under the current rules, maps the faces to
export items and calls :func:`facecurator.services.export.export`, reporting
progress and polling for cancellation between images. Nothing is published
until the whole set is staged, so a cancelled or failed export leaves the
destination unchanged. Failures are shown in the dialog (not in a modal box)
naming the step that failed, and logged.

Wiring (main window)::

    ExportDialog.ask(window, catalog_path=store.catalog.path, rules=store.ruleset,
                     source_root=store.source_root)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facecurator.domain.rules import RuleSet
from facecurator.gui.core_errors import core_message
from facecurator.gui.export_thread import STEP_CATALOG, STEP_DESTINATION, STEP_EXPORT, ExportThread, ReadBytes
from facecurator.gui.i18n import gui_settings
from facecurator.services.export import (
    DEFAULT_MARGIN,
    EXPORT_FORMATS,
    MAX_MARGIN,
    ExportSummary,
    read_manifest,
)

log = logging.getLogger("facecurator.gui.export")

# ``choose_folder(parent, title, start) -> folder or None``
ChooseFolder = Callable[[QWidget, str, str], "str | None"]
SETTINGS_PREFIX: Final = "export/"


def _choose_folder(parent: QWidget, title: str, start: str) -> str | None:
    folder = QFileDialog.getExistingDirectory(parent, title, start)
    return folder or None


def _open_url(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


class ExportDialog(QDialog):
    """Choose where and how to export, run it with progress and cancel, then open the folder.

    Args:
        catalog_path: the catalog file (the export thread opens its own connection).
        rules: the rule set whose verdicts the manifest records.
        source_root: export only this source's faces (None: the whole catalog).
        profile: cloud profile for ``oss://`` images and destinations.
        choose_folder: folder picker (tests inject one; default: ``QFileDialog``).
        open_url: opens the finished export (tests inject one; default: ``QDesktopServices``).
        read_bytes: image reader for the export (default: by uri through ``facecurator.sources``).
    """

    exportFinished = Signal(object)  # ExportSummary
    exportFailed = Signal(str, str)  # step, message
    exportCancelled = Signal()

    def __init__(
        self,
        *,
        catalog_path: str | os.PathLike[str],
        rules: RuleSet,
        source_root: str | None = None,
        profile: str | None = None,
        choose_folder: ChooseFolder | None = None,
        open_url: Callable[[QUrl], bool] | None = None,
        read_bytes: ReadBytes | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setModal(False)
        self.catalog_path = catalog_path
        self.rules = rules
        self.source_root = source_root
        self.profile = profile
        self._choose_folder = choose_folder or _choose_folder
        self._open_url = open_url or _open_url
        self._read_bytes = read_bytes
        self.thread_: ExportThread | None = None
        self.summary: ExportSummary | None = None
        self._close_when_done = False
        self._notifier: Any = None

        layout = QVBoxLayout(self)
        form = QFormLayout()
        dest_row = QHBoxLayout()
        self.dest_edit = QLineEdit(self)
        self.dest_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton(self)
        dest_row.addWidget(self.dest_edit, 1)
        dest_row.addWidget(self.browse_button)
        self.dest_label = QLabel(self)
        self.dest_label.setBuddy(self.dest_edit)
        form.addRow(self.dest_label, dest_row)

        self.format_combo = QComboBox(self)
        for fmt in EXPORT_FORMATS:
            self.format_combo.addItem("", fmt)
        self.format_label = QLabel(self)
        self.format_label.setBuddy(self.format_combo)
        form.addRow(self.format_label, self.format_combo)

        self.margin_spin = QDoubleSpinBox(self)
        self.margin_spin.setRange(0.0, MAX_MARGIN)
        self.margin_spin.setSingleStep(0.05)
        self.margin_spin.setDecimals(2)
        self.margin_spin.setValue(DEFAULT_MARGIN)
        self.margin_label = QLabel(self)
        self.margin_label.setBuddy(self.margin_spin)
        form.addRow(self.margin_label, self.margin_spin)

        self.rejected_check = QCheckBox(self)
        form.addRow("", self.rejected_check)
        layout.addLayout(form)

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)  # shown once there is something to count
        self.progress_bar.hide()  # until an export starts
        layout.addWidget(self.progress_bar)
        self.status = QLabel(self)
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(120)
        self.details.hide()
        layout.addWidget(self.details)

        buttons = QHBoxLayout()
        self.open_button = QPushButton(self)
        self.open_button.hide()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        self.export_button = QPushButton(self)
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.close_button = QPushButton(self)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.browse_button.clicked.connect(self.browse)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.open_button.clicked.connect(self.open_destination)
        self.dest_edit.textChanged.connect(self._update_buttons)

        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # never destroy a running QThread
        self._restore_settings()
        self.retranslate_ui()
        self._set_status(self.tr("Accepted faces are exported; pending faces never are."))
        self._update_buttons()
        self.setMinimumWidth(560)

    @classmethod
    def ask(cls, parent: QWidget | None = None, **kwargs: Any) -> ExportDialog:
        """Open the dialog non-modally (tests monkeypatch this) and return it."""
        dialog = cls(parent=parent, **kwargs)
        dialog.show()
        return dialog

    # -- public API ------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True from :meth:`start` until the export thread's end has been handled."""
        return self.thread_ is not None

    def browse(self) -> None:
        start = self.dest_edit.text().strip()
        if not start or start.startswith("oss://"):
            start = str(Path.home())
        folder = self._choose_folder(self, self.tr("Export to folder"), start)
        if folder:
            self.dest_edit.setText(folder)

    def start(self, *, replace: bool = False) -> bool:
        """Start the export with the dialog's settings; False (with a message) if they are
        incomplete, or while the operator is asked whether to replace an earlier export
        in the destination folder (``replace`` True: already asked)."""
        if self.running:
            return False
        dest = self.dest_edit.text().strip()
        if not dest:
            self._set_status(self.tr("Choose a destination folder or enter oss://bucket/prefix."), error=True)
            return False
        if not dest.startswith("oss://"):
            dest = os.path.abspath(os.path.expanduser(dest))  # noqa: PTH100, PTH111 - lexical, like the core
            earlier = read_manifest(Path(dest))
            if earlier is not None and not replace:
                self._ask_replace(dest, earlier)
                return False
        self._save_settings()
        self.summary = None
        self.details.clear()
        self.details.hide()
        self.open_button.hide()
        self.progress_bar.setRange(0, 0)  # busy until the image count is known
        self.progress_bar.show()
        thread = ExportThread(
            catalog_path=self.catalog_path,
            rules=self.rules,
            dest=dest,
            fmt=self.format_combo.currentData(),
            margin=self.margin_spin.value(),
            include_rejected=self.rejected_check.isChecked(),
            source_root=self.source_root,
            profile=self.profile,
            read_bytes=self._read_bytes,
            parent=self,
        )
        thread.progress.connect(self._on_progress)
        thread.stepChanged.connect(self._on_step)
        thread.succeeded.connect(self._on_succeeded)
        thread.failed.connect(self._on_failed)
        thread.cancelled.connect(self._on_cancelled)
        thread.finished.connect(self._on_thread_finished)
        self.thread_ = thread
        self._set_status(self.tr("Reading the catalog…"))
        thread.start()
        self._update_buttons()
        return True

    def _ask_replace(self, dest: str, earlier: dict[str, Any]) -> None:
        """Ask (without blocking) whether the earlier export in ``dest`` may be replaced."""
        counts = earlier.get("counts") if isinstance(earlier.get("counts"), dict) else {}
        exported = counts.get("exported") if isinstance(counts, dict) else None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Replace the earlier export?"),
            self.tr(
                "{dest} already holds an export ({n} faces, rules {rules}). Exporting again replaces it."
            ).format(
                dest=dest, n=exported if isinstance(exported, int) else "?", rules=earlier.get("rules", "?")
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("replaceExport")
        replace_button = box.addButton(self.tr("Replace"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self.start(replace=True) if button is replace_button else None
        )
        self._set_status(self.tr("Waiting: replace the earlier export?"))
        box.open()

    def cancel(self) -> None:
        """Stop a running export (between images; the destination stays unchanged)."""
        if self.running:
            assert self.thread_ is not None
            self.thread_.requestInterruption()
            self._set_status(self.tr("Cancelling…"))
            self.cancel_button.setEnabled(False)

    def open_destination(self) -> bool:
        if self.summary is None or self.summary.dest.startswith("oss://"):
            return False
        return self._open_url(QUrl.fromLocalFile(self.summary.dest))

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel a running export and wait for its thread (the app is quitting).

        A cancelled export publishes nothing, so quitting never leaves a half-written DEST.
        """
        if self.thread_ is None:
            return True
        self.thread_.requestInterruption()
        return self.thread_.wait(timeout_ms)

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the export thread ends (for shutdown and tests)."""
        return self.thread_ is None or self.thread_.wait(timeout_ms)

    def set_rules(self, rules: RuleSet) -> None:
        """Use ``rules`` for the next export (the main window's rules changed)."""
        self.rules = rules

    def set_source_root(self, source_root: str | None) -> None:
        self.source_root = source_root or None

    def attach_notifier(self, notifier: Any) -> None:
        """Also report outcomes to ``notifier`` (``.info(text)`` / ``.error(text)``: status bar + log)."""
        self._notifier = notifier

    def _notify(self, level: str, text: str) -> None:
        if self._notifier is not None:
            getattr(self._notifier, level)(text)

    # -- translation -------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Export"))
        self.dest_label.setText(self.tr("&Destination:"))
        self.dest_edit.setPlaceholderText(self.tr("Folder, or oss://bucket/prefix"))
        self.browse_button.setText(self.tr("&Browse…"))
        self.format_label.setText(self.tr("&Format:"))
        names = {
            "folders": self.tr("Folders — one folder of face crops per person"),
            "coco": self.tr("COCO — crops plus annotations.coco.json and the original images"),
            "vggface2": self.tr("VGGFace2 — data/ crops plus bounding-box and landmark CSVs"),
        }
        for index in range(self.format_combo.count()):
            fmt = self.format_combo.itemData(index)
            self.format_combo.setItemText(index, names.get(fmt, fmt))
        self.margin_label.setText(self.tr("Crop &margin:"))
        self.margin_spin.setToolTip(
            self.tr("Added on every side, as a fraction of the face box (0.4 gives a crop 1.8× the box)")
        )
        self.rejected_check.setText(self.tr("Also export &rejected faces (under rejected/, flagged)"))
        self.open_button.setText(self.tr("&Open folder"))
        self.export_button.setText(self.tr("&Export"))
        self.cancel_button.setText(self.tr("&Cancel export"))
        self.close_button.setText(self.tr("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:
        if self.running:
            # Never block the GUI on a running export: cancel it and close when the thread ends.
            self._close_when_done = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    # -- internals ---------------------------------------------------------------

    def _step_name(self, step: str) -> str:
        return {
            STEP_CATALOG: self.tr("reading the catalog"),
            STEP_DESTINATION: self.tr("preparing the destination"),
            STEP_EXPORT: self.tr("writing the export"),
        }.get(step, step)

    def _on_step(self, step: str) -> None:
        if step == STEP_EXPORT:
            self._set_status(self.tr("Reading images and writing face crops…"))

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setFormat(self.tr("%v of %m images"))
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        if self.thread_ is not None and not self.thread_.isInterruptionRequested():
            self._set_status(self.tr("Exporting: {done} of {total} images").format(done=done, total=total))

    def _on_succeeded(self, summary: ExportSummary) -> None:
        self.summary = summary
        self.progress_bar.setRange(0, max(self.progress_bar.maximum(), 1))
        self.progress_bar.setValue(self.progress_bar.maximum())
        text = self.tr("Exported {n} faces to {dest} ({files} files).").format(
            n=summary.exported, dest=summary.dest, files=summary.files
        )
        if summary.skipped_pending:
            text += " " + self.tr("{n} pending faces were not exported.").format(n=summary.skipped_pending)
        if summary.failed:
            text += " " + self.tr("{n} images failed; see below.").format(n=len(summary.failed))
            self.details.setPlainText(
                "\n".join(f"{source}: {core_message(reason)}" for source, reason in summary.failed)
            )
            self.details.show()
        self._set_status(text, error=False)
        self.open_button.setVisible(not summary.dest.startswith("oss://"))
        self._notify("info", text)
        self.exportFinished.emit(summary)

    def _on_failed(self, step: str, message: str) -> None:
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        text = self.tr("Export failed while {step}: {message}")
        shown = text.format(step=self._step_name(step), message=core_message(message))
        self._set_status(shown, error=True)
        self._notify("error", shown)
        self.exportFailed.emit(step, message)

    def _on_cancelled(self, _message: str) -> None:
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self._set_status(self.tr("Export cancelled; the destination was not changed."))
        self.exportCancelled.emit()

    def _on_thread_finished(self) -> None:
        thread, self.thread_ = self.thread_, None
        if thread is not None:
            thread.deleteLater()
        self._update_buttons()
        if self._close_when_done:
            self._close_when_done = False
            self.close()

    def _update_buttons(self, *_args: Any) -> None:
        running = self.running
        for widget in (
            self.dest_edit,
            self.browse_button,
            self.format_combo,
            self.margin_spin,
            self.rejected_check,
        ):
            widget.setEnabled(not running)
        self.export_button.setEnabled(not running and bool(self.dest_edit.text().strip()))
        self.cancel_button.setEnabled(running)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #c62828;" if error else "")
        self.status.setProperty("error", error)

    def _restore_settings(self) -> None:
        settings = gui_settings()
        self.dest_edit.setText(str(settings.value(SETTINGS_PREFIX + "dest", "") or ""))
        index = self.format_combo.findData(settings.value(SETTINGS_PREFIX + "format", "folders"))
        self.format_combo.setCurrentIndex(max(index, 0))
        try:
            margin = float(str(settings.value(SETTINGS_PREFIX + "margin", DEFAULT_MARGIN)))
        except (TypeError, ValueError):
            margin = DEFAULT_MARGIN
        self.margin_spin.setValue(margin)
        self.rejected_check.setChecked(
            str(settings.value(SETTINGS_PREFIX + "include_rejected", "false")).lower() == "true"
        )

    def _save_settings(self) -> None:
        settings = gui_settings()
        settings.setValue(SETTINGS_PREFIX + "dest", self.dest_edit.text().strip())
        settings.setValue(SETTINGS_PREFIX + "format", self.format_combo.currentData())
        settings.setValue(SETTINGS_PREFIX + "margin", self.margin_spin.value())
        settings.setValue(SETTINGS_PREFIX + "include_rejected", self.rejected_check.isChecked())
        settings.sync()


# --------------------------------------------------------------------------- main-window hook


def open_export_dialog(window: Any) -> ExportDialog:
    """Show the main window's export dialog (one per window) for its catalog, source and rules.

    Outcomes also go to the window's notifier (status bar + log), so a failure
    is seen even after the dialog was closed.
    """
    dialog = window.findChild(ExportDialog, "exportDialog")
    if dialog is None:
        store = window.store
        dialog = ExportDialog.ask(
            window,
            catalog_path=store.catalog.path,
            rules=store.ruleset,
            source_root=store.source_root,
            profile=getattr(window, "profile", None),
        )
        store.rulesChanged.connect(dialog.set_rules)
        store.sourceChanged.connect(dialog.set_source_root)
        dialog.attach_notifier(window.notifier)
    else:
        dialog.set_rules(window.store.ruleset)
        dialog.set_source_root(window.store.source_root)
        dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
