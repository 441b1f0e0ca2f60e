"""The main window's detection runs: start, progress, cancel, the paid-call counter.

A part of :class:`~facecurator.gui.main_window.MainWindow`. A paid (cloud) run
is priced and confirmed first by :class:`~facecurator.gui.paid_run.PaidRunController`
through signals: :meth:`DetectionRuns.start_scan` returns at once and the run
starts when the operator approves it. Texts are translated in the window's
context (see :mod:`facecurator.gui.actions`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from facecurator.detect.registry import is_cloud
from facecurator.domain.protocols import ImageRef
from facecurator.errors import FacecuratorError
from facecurator.gui.core_errors import core_message, warm_messages
from facecurator.gui.docks import ScanStatus, format_seconds
from facecurator.gui.model_check import ModelCheckNotice
from facecurator.gui.paid_run import PaidRunController, PaidRunRequest
from facecurator.gui.scan import CostQuestion, ScanController, detector_available
from facecurator.gui.thumbnails import AsyncPixmapCache
from facecurator.gui.window_base import WindowBase
from facecurator.services.identity import uses_identity
from facecurator.services.jobs import ScanProgress, ScanReport
from facecurator.sources import source_kind

log = logging.getLogger("facecurator.gui.window")

#: Thumbnails decoded at once while a scan runs (each a JPEG-draft decode that releases the GIL).
SCAN_THUMB_WORKERS: Final = 1


class DetectionRuns(WindowBase):
    """Detection runs of the main window (a part of MainWindow)."""

    scanner: ScanController
    paid_run: PaidRunController
    scan_status: ScanStatus
    model_check: ModelCheckNotice
    thumbnails: AsyncPixmapCache
    paid_calls_label: QLabel
    last_scan_report: ScanReport
    _paid_calls_total: int

    def _build_runs(self) -> None:
        """The scan controller, the paid-run controller and their status-bar widgets."""
        self.scanner = ScanController(self)
        self.paid_run = PaidRunController(self, self.notifier)
        self.paid_run.approved.connect(self._on_paid_run_approved)
        self.paid_run.busyChanged.connect(
            lambda busy: self.scan_action.setEnabled(not busy and not self.scanner.running)
        )
        self.paid_run.status.connect(self.statusBar().showMessage)
        self.scan_status = ScanStatus(self)
        self.scan_status.cancel_button.clicked.connect(self.cancel_scan)
        self.statusBar().addPermanentWidget(self.scan_status)
        # faces scanned without the CLIP photograph model that the rules now use: one button re-detects
        self.model_check = ModelCheckNotice(lambda: self.start_scan("local"), self)  # the model is local
        self.statusBar().addPermanentWidget(self.model_check)
        self.paid_calls_label = QLabel(self)
        self.paid_calls_label.setObjectName("paidCalls")
        self._paid_calls_total = 0

    def _connect_runs(self) -> None:
        self.scanner.progress.connect(self._on_scan_progress)
        self.scanner.imagesDone.connect(self.store.refresh_images)
        self.scanner.imagesListed.connect(self.store.add_listed)
        self.scanner.finished.connect(self._on_scan_finished)
        self.scanner.failed.connect(self._on_scan_failed)
        self.scanner.stopped.connect(self._on_scan_stopped)
        self.store.rulesChanged.connect(lambda _rules: self.check_photo_model())
        self.store.sourceChanged.connect(lambda _root: self.check_photo_model())
        # While a scan runs the thumbnails (a listed image's too, before the scan reads it) are
        # decoded one at a time: one JPEG-draft decode beside the detectors, not a pool of them.
        self.scanner.started.connect(lambda _source: self.thumbnails.set_max_workers(SCAN_THUMB_WORKERS))
        self.scanner.stopped.connect(lambda: self.thumbnails.set_max_workers(None))
        # The first failure a scan or a thumbnail reports is shown translated: its patterns are
        # compiled here, off the GUI thread, before any is.
        threading.Thread(target=warm_messages, name="fc-warm-messages", daemon=True).start()

    def current_detector(self) -> str:
        return str(self.detector_combo.currentData() or "local")

    @property
    def profile(self) -> str | None:
        """The cloud profile of the open source (None: the default profile)."""
        return self.source_profile

    def start_scan(
        self, detector: str | None = None, *, jobs: int | None = None, embed: bool = False
    ) -> bool:
        """Detect faces in the open source; False (with a notice) when it cannot start.

        A paid detector is priced and confirmed first: then True means the estimate
        is under way, and ``paid_run.finished(started)`` tells how it ended.
        ``embed``: also compute face embeddings (identity checks); such a run uses
        the local detector (offline; its cached detections are reused).
        """
        if self.store.listing:
            # It would scan the source still shown, not the one being opened (once its ids are
            # listed, it is the one shown: a scan may start while its verdicts are stored).
            self.notifier.warning(
                QCoreApplication.translate("MainWindow", "Wait until the source is loaded, then detect")
            )
            return False
        root = self.store.source_root
        if root is None:
            self.notifier.warning(QCoreApplication.translate("MainWindow", "Open a folder first"))
            return False
        name = "local" if embed else detector or self.current_detector()
        ok, why = detector_available(name, source_kind(root))
        if not ok:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Detector {name}: {why}").format(name=name, why=why)
            )
            return False
        if is_cloud(name):
            request = PaidRunRequest(name, root, str(self.store.catalog.path), self.source_profile, jobs)
            return self.paid_run.begin(request)
        return self._start_run(name, root, jobs=jobs, embed=embed)

    def _on_paid_run_approved(self, request: PaidRunRequest, question: CostQuestion) -> None:
        if self.store.source_root != request.root or self.scanner.running:
            return  # another source was opened (or a run started) while the operator decided
        self._start_run(request.detector, request.root, jobs=request.jobs, refs=question.refs)

    def _start_run(
        self,
        name: str,
        root: str,
        *,
        jobs: int | None,
        refs: Sequence[ImageRef] | None = None,
        embed: bool = False,
    ) -> bool:
        if not embed:  # an embedding run's local detector is not the operator's choice
            self.settings.setValue("detector", name)
        started = self.scanner.start(
            root,
            name,
            str(self.store.catalog.path),
            jobs=jobs,
            profile=self.source_profile,
            refs=refs,
            embed=embed,
            auto_embed=self.identity_embeddings,
            rules=self.store.ruleset,
        )
        if started:
            self.scan_action.setEnabled(False)
            self.cancel_action.setEnabled(True)
            self.scan_status.setVisible(True)
            self.scan_status.bar.setRange(0, 0)
            self.scan_status.label.setText(
                QCoreApplication.translate("MainWindow", "Starting the {name} detector…").format(name=name)
            )
            self.statusBar().showMessage(
                QCoreApplication.translate("MainWindow", "Detecting faces in {root}").format(root=root)
            )
        return started

    def update_paid_calls(self) -> None:
        """The catalog's paid-call counter in the status bar (hidden while it is zero)."""
        try:
            calls = self.store.catalog.paid_calls()
        except FacecuratorError as exc:
            log.warning("cannot read the paid-call counter: %s", exc)
            return
        self._paid_calls_total = sum(calls.values())
        self.paid_calls_label.setVisible(self._paid_calls_total > 0)
        self._set_paid_calls_text()
        self.paid_calls_label.setToolTip("\n".join(f"{service}: {n}" for service, n in sorted(calls.items())))

    def _set_paid_calls_text(self) -> None:
        self.paid_calls_label.setText(
            QCoreApplication.translate("MainWindow", "Paid calls: {n}").format(n=self._paid_calls_total)
        )

    def _paid_calls_text(self) -> str:
        try:
            calls = self.store.catalog.paid_calls()
        except FacecuratorError as exc:
            return core_message(exc)
        if not calls:
            return "0"
        return f"{sum(calls.values())} (" + ", ".join(f"{k} {v}" for k, v in sorted(calls.items())) + ")"

    def open_cloud_profiles(self) -> None:
        from facecurator.gui.cloud_dialog import CloudProfilesDialog

        CloudProfilesDialog.open_for(self, profile=self.source_profile)

    def cancel_scan(self) -> None:
        if self.scanner.running:
            self.scanner.cancel()
            self.scan_status.label.setText(
                QCoreApplication.translate("MainWindow", "Cancelling: finishing the images in progress…")
            )

    def _on_scan_progress(self, progress: ScanProgress) -> None:
        self.scan_status.show_progress(progress)

    def _on_scan_finished(self, report: ScanReport) -> None:
        verb = (
            QCoreApplication.translate("MainWindow", "Detection cancelled")
            if report.cancelled
            else QCoreApplication.translate("MainWindow", "Detection finished")
        )
        text = QCoreApplication.translate(
            "MainWindow", "{verb}: {total} images ({cached} cached, {failed} failed) in {t}"
        ).format(
            verb=verb,
            total=report.total,
            cached=report.cached,
            failed=report.failed,
            t=format_seconds(report.elapsed),
        )
        if report.failed:
            self.notifier.warning(text)
            self.problems.raise_()
        else:
            self.notifier.info(text)
        for uri, error in report.embed_errors:
            self.notifier.warning(
                QCoreApplication.translate("MainWindow", "No face embedding: {error}").format(
                    error=core_message(error if uri in error else f"{uri}: {error}")
                )
            )
        if report.embedded and self.store.source_root is not None and uses_identity(self.store.ruleset):
            # New embeddings: reload so the rules' identity conditions see them.
            self.store.open_source(self.store.source_root)
        self.last_scan_report = report

    def _on_scan_failed(self, message: str) -> None:
        self.notifier.error(
            QCoreApplication.translate("MainWindow", "Detection failed: {message}").format(
                message=core_message(message)
            )
        )

    def check_photo_model(self) -> None:
        """Show how many faces the current rules need the photograph model for and lack it."""
        self.model_check.check(self.store.ruleset, str(self.store.catalog.path), self.store.source_root)

    def _on_scan_stopped(self) -> None:
        self.check_photo_model()
        self.update_paid_calls()
        self.scan_action.setEnabled(not self.paid_run.busy)
        self.cancel_action.setEnabled(False)
        self.scan_status.setVisible(False)
