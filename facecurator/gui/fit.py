"""Text that must not be cut silently: a combo box whose current text does not fit shows it
whole in its tooltip (narrow windows, long translations)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QToolButton


def combo_text_room(combo: QComboBox) -> int:
    """The width (pixels) the combo box gives its current text."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return field.width()


def combo_text_fits(combo: QComboBox, text: str | None = None) -> bool:
    """Whether ``text`` (default: the current text) is shown whole in the combo box."""
    shown = combo.currentText() if text is None else text
    return combo.fontMetrics().horizontalAdvance(shown) <= combo_text_room(combo)


class _WholeTextTip(QObject):
    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self._combo = combo
        combo.installEventFilter(self)
        combo.currentTextChanged.connect(lambda _t: self.update())

    def update(self) -> None:
        combo = self._combo
        combo.setToolTip("" if combo_text_fits(combo) else combo.currentText())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LanguageChange, QEvent.Type.Show):
            self.update()
        return False


def tooltip_when_cut(*combos: QComboBox) -> None:
    """Give each combo box its current text as tooltip whenever that text does not fit."""
    for combo in combos:
        _WholeTextTip(combo).update()


def never_cut(*combos: QComboBox) -> None:
    """Keep each combo box at least as wide as its longest entry (the layout may not squeeze it),
    also when its entries are renamed (a language switch)."""
    for combo in combos:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        def fit(*_args: object, combo: QComboBox = combo) -> None:
            metrics = combo.fontMetrics()
            widths = [metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())]
            needed = max(widths, default=0)
            chrome = combo.width() - combo_text_room(combo)  # frame, padding, arrow: the same at any width
            combo.setMinimumWidth(max(combo.sizeHint().width(), needed + chrome))

        model = combo.model()
        model.dataChanged.connect(fit)
        model.rowsInserted.connect(fit)
        model.rowsRemoved.connect(fit)
        fit()


#: Pixels between a menu button's text and its arrow.
ARROW_GAP = 4


def menu_arrow_gap(button: QToolButton) -> int:
    """Pixels between the right edge of an instant-popup menu button's (centred) text and the left
    edge of its menu arrow, which styles such as Fusion draw in the bottom-right corner."""
    indicator = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    text = button.fontMetrics().horizontalAdvance(button.text())
    text_right = (button.width() + text) // 2
    arrow_left = button.width() + 4 - indicator  # where Fusion's CC_ToolButton puts it
    return arrow_left - text_right


def leave_room_for_the_arrow(button: QToolButton) -> None:
    """Widen a menu button (after its text changed) so its centred text clears the arrow by
    :data:`ARROW_GAP`, whatever the language (a CJK glyph reaches down to where the arrow is)."""
    indicator = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    text = button.fontMetrics().horizontalAdvance(button.text())
    # centred text: its right edge is (width + text) / 2; the arrow starts at width + 4 - indicator
    needed = text + 2 * (indicator - 4 + ARROW_GAP)
    button.setMinimumWidth(max(button.sizeHint().width(), needed))
