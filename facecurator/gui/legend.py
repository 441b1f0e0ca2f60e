"""The colour legend in a corner of the image view: what each box colour and tag means."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from facecurator.gui.face_details import state_word
from facecurator.gui.overlay import DEFAULT_PALETTE, OverlayPalette


def legend_html(palette: OverlayPalette = DEFAULT_PALETTE) -> str:
    """One line: pending faces by verdict, then decided faces by decision (translated)."""
    entries = (
        (palette.qualified, "■", "qualified"),
        (palette.unqualified, "■", "unqualified"),
        (palette.unknown, "■", "unknown"),
        (palette.accepted, "✓", "accepted"),
        (palette.rejected_tag, "✗", "rejected"),
    )
    return " ".join(
        f"<span style='color:{colour}'><b>{mark}</b></span>&nbsp;{state_word(word)}"
        for colour, mark, word in entries
    )


class ColourLegend(QLabel):
    """A small translucent strip over the view's bottom-left corner."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("colourLegend")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(
            "QLabel#colourLegend { background: rgba(0, 0, 0, 150); color: #e8eaed;"
            " padding: 2px 6px; border-radius: 3px; }"
        )
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setText(legend_html())
        self.adjustSize()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
