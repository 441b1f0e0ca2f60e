"""The paid-run controller: price a cloud detection run on a worker, then ask the operator.

Everything goes through signals; no slot waits in a nested event loop.
:meth:`PaidRunController.begin` returns at once; the listing runs on the cloud
pool while a window-modal progress dialog (shown when it takes a moment) can
cancel it; then the cost dialog opens (``CostConfirmDialog.ask``, non-blocking)
and its answer arrives as :attr:`PaidRunController.approved` (start the run with
the planned refs) followed by :attr:`PaidRunController.finished`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from facecurator.errors import FacecuratorError
from facecurator.gui.background import run_in_background
from facecurator.gui.core_errors import core_message
from facecurator.gui.logs import Notifier
from facecurator.gui.scan import CostQuestion, PlanCancelled, PlanProgress, plan_paid_scan

log = logging.getLogger("facecurator.gui.window")

# How long the listing may take before its progress dialog shows (ms).
PROGRESS_DELAY_MS = 500


@dataclass(frozen=True, slots=True)
class PaidRunRequest:
    """One paid run asked for: the detector, the source, its profile and the worker count."""

    detector: str
    root: str
    catalog_path: str
    profile: str | None
    jobs: int | None = None


class _Planning:
    """The state of one estimate in flight: its request, progress, dialog and ticker."""

    def __init__(self, request: PaidRunRequest, box: QProgressDialog, ticker: QTimer) -> None:
        self.request = request
        self.progress = PlanProgress()
        self.box = box
        self.ticker = ticker


class PaidRunController(QObject):
    """Prices a paid run, asks, and reports the answer through signals (see the module docstring)."""

    # The operator started the run (or nothing needed paying for): (PaidRunRequest, CostQuestion).
    approved = Signal(object, object)
    # The planning is over: True when ``approved`` was emitted, False when nothing starts.
    finished = Signal(bool)
    # Planning began (True) or ended (False).
    busyChanged = Signal(bool)
    # A status-bar message: (text, timeout in ms, 0 = until replaced).
    status = Signal(str, int)

    def __init__(self, parent: QWidget, notifier: Notifier) -> None:
        super().__init__(parent)
        self._parent = parent
        self._notifier = notifier
        self._planning: _Planning | None = None
        self._asking: CostQuestion | None = None

    @property
    def busy(self) -> bool:
        """True from :meth:`begin` until ``finished``."""
        return self._planning is not None or self._asking is not None

    def begin(self, request: PaidRunRequest) -> bool:
        """Start pricing ``request`` on a worker; False (and nothing happens) while another is in flight."""
        if self.busy:
            return False
        root = request.root
        text = self.tr("Estimating the cost: listing {source}…").format(source=root)
        box = QProgressDialog(text, self.tr("Cancel"), 0, 0, self._parent)
        box.setObjectName("costEstimateProgress")
        box.setWindowTitle(self.tr("Paid run"))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setMinimumDuration(PROGRESS_DELAY_MS)
        box.setAutoReset(False)
        box.setAutoClose(False)
        ticker = QTimer(self)
        ticker.setInterval(200)
        planning = _Planning(request, box, ticker)
        self._planning = planning
        ticker.timeout.connect(
            lambda: box.setLabelText(
                self.tr("Estimating the cost: {n} images listed in {source}…").format(
                    n=planning.progress.listed, source=root
                )
            )
        )
        box.canceled.connect(lambda: self._cancelled(planning))
        run_in_background(
            lambda: plan_paid_scan(
                root,
                request.detector,
                request.catalog_path,
                profile=request.profile,
                progress=planning.progress,
            ),
            lambda question: self._planned(planning, question),
            lambda exc: self._failed(planning, exc),
            receiver=self,
        )
        self.busyChanged.emit(True)
        self.status.emit(text, 0)
        ticker.start()
        return True

    def cancel(self) -> None:
        """Stop the estimate in flight (its worker ends at the next listed page); nothing starts."""
        if self._planning is not None:
            self._cancelled(self._planning)

    # -- the outcomes: the first one of a planning wins (closing the box also emits canceled) --

    def _end_planning(self, planning: _Planning) -> bool:
        """Close the progress dialog; False when ``planning`` is no longer the one in flight."""
        if self._planning is not planning:
            return False
        self._planning = None
        planning.ticker.stop()
        planning.box.canceled.disconnect()
        planning.box.close()
        planning.box.deleteLater()
        planning.ticker.deleteLater()
        return True

    def _cancelled(self, planning: _Planning) -> None:
        planning.progress.cancelled.set()
        if self._end_planning(planning):
            self.status.emit(self.tr("Cost estimate cancelled"), 4000)
            self._finish(False)

    def _failed(self, planning: _Planning, error: BaseException) -> None:
        if not self._end_planning(planning):
            return
        request = planning.request
        if not isinstance(error, PlanCancelled):
            if not isinstance(error, FacecuratorError):
                log.error("estimating %s on %s failed", request.detector, request.root, exc_info=error)
            self._notifier.error(
                self.tr("Cannot estimate the {name} run on {root}: {error}").format(
                    name=request.detector, root=request.root, error=core_message(error)
                )
            )
        self._finish(False)

    def _planned(self, planning: _Planning, question: CostQuestion) -> None:
        if not self._end_planning(planning):
            return
        request = planning.request
        log.info(
            "paid run %s on %s: %d of %d images to send: %s",
            request.detector,
            request.root,
            question.to_detect,
            question.total,
            question.estimate.describe(),
        )
        if not question.to_detect:
            self.status.emit(
                self.tr("Every image was detected with {name} before: no paid call needed").format(
                    name=request.detector
                ),
                6000,
            )
            self._approve(request, question)
            return
        from facecurator.gui.cost_dialog import CostConfirmDialog

        self._asking = question
        CostConfirmDialog.ask(question, self._parent, lambda yes: self._answered(request, question, yes))

    def _answered(self, request: PaidRunRequest, question: CostQuestion, yes: bool) -> None:
        if self._asking is not question:
            return
        self._asking = None
        if yes:
            self._approve(request, question)
        else:
            self.status.emit(self.tr("Paid run not started"), 4000)
            self._finish(False)

    def _approve(self, request: PaidRunRequest, question: CostQuestion) -> None:
        self._asking = None
        self.busyChanged.emit(False)
        self.approved.emit(request, question)
        self.finished.emit(True)

    def _finish(self, approved: bool) -> None:
        self.busyChanged.emit(False)
        self.finished.emit(approved)
