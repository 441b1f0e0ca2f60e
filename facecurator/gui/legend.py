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
        self._room: int | None = None
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(
            "QLabel#colourLegend { background: rgba(0, 0, 0, 150); color: #e8eaed;"
            " padding: 2px 6px; border-radius: 3px; }"
        )
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setText(legend_html())
        self.fit_to(self._room)

    def fit_to(self, width: int | None) -> None:
        """One line when it fits in ``width`` pixels (None: no limit), else wrapped to that width
        (a narrow view never cuts it)."""
        self._room = width
        self.setWordWrap(False)
        self.setMinimumSize(0, 0)
        self.setMaximumSize(16777215, 16777215)
        natural = self.sizeHint().width()
        if width is None or natural <= width:
            self.adjustSize()
            return
        self.setWordWrap(True)
        self.setFixedWidth(max(width, 60))
        self.setFixedHeight(self.heightForWidth(self.width()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
