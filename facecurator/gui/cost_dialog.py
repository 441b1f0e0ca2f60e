"""Confirming a paid detection run: how many images go to Alibaba Cloud, and what it costs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from facecurator.gui.core_words import cost_line
from facecurator.gui.scan import CostQuestion, detector_description


class CostConfirmDialog(QDialog):
    """The estimate of one paid run; Accept starts it."""

    def __init__(self, question: CostQuestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costConfirmDialog")
        self.question = question
        self.setWindowTitle(self.tr("Detect with {name}?").format(name=question.detector))
        estimate = question.estimate
        self.summary = QLabel(self)
        self.summary.setObjectName("costSummary")
        self.summary.setWordWrap(True)
        self.summary.setText(
            self.tr(
                "{description}\n\n{n} of {total} images of {source} will be sent to Alibaba Cloud; "
                "{cached} were detected with {name} before and are not sent again."
            ).format(
                description=detector_description(question.detector),
                n=question.to_detect,
                total=question.total,
                source=question.source,
                cached=question.cached,
                name=question.detector,
            )
        )
        self.cost = QLabel(self)
        self.cost.setObjectName("costEstimate")
        self.cost.setWordWrap(True)
        if not estimate.price_known:
            cost_text = self.tr("Estimated cost: unknown (no documented price; set one in the profile)")
        else:
            cost_text = self.tr(
                "Estimated cost: {currency} {total:.2f} ({calls} calls × {unit:g} per 1000)"
            ).format(
                currency=estimate.currency,
                total=estimate.total,
                calls=estimate.calls,
                unit=estimate.unit_price_per_1000,
            )
        self.cost.setText(f"<b>{cost_text}</b>")
        self.detail = QLabel(cost_line(estimate), self)
        self.detail.setObjectName("costDetail")
        self.detail.setWordWrap(True)
        self.detail.setEnabled(False)  # the core's own line, greyed: for the record
        buttons = QDialogButtonBox(self)
        self.start_button = buttons.addButton(
            self.tr("Start paid run"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.cost)
        layout.addWidget(self.detail)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    @classmethod
    def ask(cls, question: CostQuestion, parent: QWidget | None, answer: Callable[[bool], None]) -> None:
        """Show the estimate (window-modal, without waiting); ``answer(True)`` when the operator
        starts the run, ``answer(False)`` otherwise (tests monkeypatch this)."""
        dialog = cls(question, parent)
        dialog.finished.connect(lambda result: answer(result == QDialog.DialogCode.Accepted.value))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
