"""The face details' text: sized by its height at the panel's width (issue 13, key press ->
next face: a QLabel's own size hints laid the tables out at several widths, every word on its
own line among them, ~9 ms of each Triage key press). The text is never cut for it."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication


def _needed_height(label) -> float:
    """The height the label's text takes at the width it is shown in."""
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)  # as a QLabel lays it out
    document.setHtml(label.text())
    document.setTextWidth(label.contentsRect().width() - 2 * label.margin())
    return document.size().height()


def test_the_details_text_follows_each_text_and_width_and_is_never_cut(qtbot) -> None:
    from facecurator.gui.face_details import FaceDetailsPanel

    panel = FaceDetailsPanel()
    qtbot.addWidget(panel)
    panel.show()
    label = panel._label
    line = label.fontMetrics().lineSpacing()
    for words, width in ((5, 320), (400, 320), (400, 240), (6, 240), (400, 460), (400, 320)):
        panel.resize(width, 200)
        panel.show_face(None, "", " ".join(f"word{i}" for i in range(words)))
        for _ in range(3):
            QApplication.processEvents()
        shown = label.contentsRect().height() - 2 * label.margin()
        needed = _needed_height(label)
        assert needed - 2 <= shown <= needed + 2 * line, (words, width, shown, needed)
        # the panel scrolls the rest: its size never asks for the text laid out word by word
        assert label.minimumSizeHint().height() <= 2 * line + 2 * label.margin(), label.minimumSizeHint()
