"""The status-bar notice "N faces not checked by the photograph model" and its re-scan button.

The local detector runs the CLIP photograph model only for rules that use a measure it
feeds (``clip_reasons.rules_need_model``). After a scan under rules that do not (the
default, moderation-2.0), switching to rules that do (enrollment-strict) leaves faces whose
``photograph`` is unknown: they are never green, and the operator is told how many, with
one button that detects again. That scan runs the model (its rules need it) and re-detects
only the images whose stored detection lacks it (by the settings key); images already
scanned with the model are not detected again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from facecurator.detect.quality.clip_reasons import NO_MODEL_KEY, REASON_NO_MODEL, rules_need_model
from facecurator.domain.rules import RuleSet
from facecurator.gui.background import run_in_background
from facecurator.services.catalog import Catalog

log = logging.getLogger("facecurator.gui.model_check")


def count_unchecked(catalog_path: str, source_root: str | None) -> tuple[int, int]:
    """(images, faces) of ``source_root`` scanned without the photograph model: the images whose
    detection's key says so, the faces whose reading was skipped for it (its own connection)."""
    with Catalog(catalog_path) as catalog:
        return catalog.unchecked_faces(NO_MODEL_KEY, REASON_NO_MODEL, source_root)


class ModelCheckNotice(QWidget):
    """A status-bar widget, hidden unless the rules need the model and some faces lack it."""

    def __init__(self, rescan: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelCheckNotice")
        self.label = QLabel(self)
        self.button = QPushButton(self)
        self.button.setObjectName("modelCheckRescan")
        self.button.clicked.connect(lambda: rescan())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        # (images, faces) last counted; (0, 0) when nothing is missing or the rules do not need it
        self.counts = (0, 0)
        self._asked = 0
        self.setVisible(False)

    def check(self, rules: RuleSet, catalog_path: str, source_root: str | None) -> None:
        """Count, off the GUI thread, what ``rules`` would need re-detected; show or hide."""
        self._asked += 1
        asked = self._asked
        if source_root is None or not rules_need_model(rules.conditions):
            self._show((0, 0))
            return

        def shown(counts: tuple[int, int]) -> None:
            if asked == self._asked:  # a later rule change or scan asked again: its answer wins
                self._show(counts)

        def failed(exc: BaseException) -> None:
            log.warning("cannot count the faces scanned without the photograph model: %s", exc)

        run_in_background(lambda: count_unchecked(catalog_path, source_root), shown, failed, receiver=self)

    def _show(self, counts: tuple[int, int]) -> None:
        self.counts = counts
        images, faces = counts
        if not images:
            self.setVisible(False)
            return
        self.label.setText(
            QCoreApplication.translate(
                "MainWindow",
                "{faces} faces in {images} images not checked by the photograph model these rules use "
                "(scanned without it): they are not qualified until detected again",
            ).format(faces=faces, images=images)
        )
        self.button.setText(QCoreApplication.translate("MainWindow", "Detect again with the model"))
        self.button.setToolTip(
            QCoreApplication.translate(
                "MainWindow", "Detects only the images scanned without the photograph model"
            )
        )
        self.setVisible(True)
