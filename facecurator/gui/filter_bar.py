"""The filter bar over Gallery and Triage: the face filter language, with completion and quick filters.

The operator types an expression (``yaw>20 and not failed:no_sunglasses``,
``person~alice``; :mod:`facecurator.domain.filters`) or picks quick filters: a
failed condition of the active rule set, a decision, and ranges of yaw, blur,
face size and confidence. Quick filters are written as text of the same
language and joined to the typed expression with ``and``, so every filter the
bar shows is one expression (its tooltip), the one ``--where`` takes. A bad
expression shows its translated reason and marks the character; the last good
filter stays applied meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from facecurator.domain.filters import (
    CHOICE_FIELDS,
    FIELDS,
    KEYWORDS,
    OUTCOME_WORDS,
    FilterError,
    format_number,
)
from facecurator.domain.rules import RuleSet
from facecurator.gui.core_words import filter_error_text
from facecurator.gui.face_details import condition_name
from facecurator.gui.fit import leave_room_for_the_arrow, tooltip_when_cut
from facecurator.services.filtering import FaceFilter, face_filter

#: Range quick filters: field, lowest, highest, step, decimals.
RANGES: Final = (
    ("yaw", 0.0, 180.0, 5.0, 0),
    ("blur", 0.0, 100.0, 1.0, 0),
    ("size", 0.0, 4000.0, 8.0, 0),
    ("confidence", 0.0, 1.0, 0.05, 2),
)
#: Typing pause before the filter applies (Enter applies at once).
APPLY_DELAY_MS: Final = 300


class FilterBar(QWidget):
    """Expression line + quick filters; emits ``filterChanged`` with a :class:`FaceFilter` (None: none)."""

    filterChanged = Signal(object)

    def __init__(self, ruleset: RuleSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._ruleset = ruleset
        self._applied: FaceFilter | None = None
        self._applied_text = ""
        self.label = QLabel(self)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("filterExpression")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(140)
        self._words = QStringListModel(self)
        self.completer = QCompleter(self._words, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(self.edit)
        self.completer.activated.connect(self._insert_completion)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.returnPressed.connect(self.apply)
        self.failed_combo = QComboBox(self)
        self.failed_combo.setObjectName("filterFailed")
        # narrow when the window is (1024 px and less): the list itself shows whole names
        self.failed_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.failed_combo.setMinimumContentsLength(10)
        self.failed_combo.setMaximumWidth(320)
        self.failed_combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.decision_combo = QComboBox(self)
        self.decision_combo.setObjectName("filterDecision")
        for state in ("", *CHOICE_FIELDS["decision"]):
            self.decision_combo.addItem("", state)
        self.decision_combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.decision_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.decision_combo.setMinimumContentsLength(11)
        tooltip_when_cut(self.failed_combo, self.decision_combo)  # narrow: the whole name on hover
        self.ranges_button = QToolButton(self)
        self.ranges_button.setObjectName("filterRanges")
        self.ranges_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._ranges_menu = QMenu(self)
        ranges = QWidget(self._ranges_menu)
        form = QFormLayout(ranges)
        self._range_labels: dict[str, QLabel] = {}
        self.range_boxes: dict[str, tuple[QDoubleSpinBox, QDoubleSpinBox]] = {}
        for name, low, high, step, decimals in RANGES:
            pair = []
            row = QHBoxLayout()
            for bound in ("min", "max"):
                box = QDoubleSpinBox(ranges)
                box.setObjectName(f"range_{name}_{bound}")
                box.setRange(low - step, high)  # the lowest value (shown as "–") means no bound
                box.setSingleStep(step)
                box.setDecimals(decimals)
                box.setSpecialValueText("–")
                box.setValue(low - step)
                box.setKeyboardTracking(False)
                box.valueChanged.connect(lambda _v: self.apply())
                pair.append(box)
                row.addWidget(box)
            self.range_boxes[name] = (pair[0], pair[1])
            label = QLabel(ranges)
            self._range_labels[name] = label
            form.addRow(label, row)
        action = QWidgetAction(self._ranges_menu)
        action.setDefaultWidget(ranges)
        self._ranges_menu.addAction(action)
        self.ranges_button.setMenu(self._ranges_menu)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("filterClear")
        self.clear_button.clicked.connect(self.clear)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("filterError")
        self.error_label.setStyleSheet("color: #d93025")
        self.error_label.setWordWrap(True)  # a long reason wraps; it never widens the window
        self.error_label.hide()
        #: how far the gallery's listing of a Find decided in part in Python got (show_progress)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("findProgress")
        self.progress_label.hide()
        self._progress: tuple[int, int, int] | None = None
        self._error: FilterError | None = None
        #: the error shown is a grid's (show_grid_problem), not the expression's own
        self._grid_error = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        outer.setSpacing(2)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        outer.addWidget(self.error_label)
        layout.addWidget(self.label)
        layout.addWidget(self.edit, 3)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.failed_combo, 1)
        layout.addWidget(self.decision_combo)
        layout.addWidget(self.ranges_button)
        layout.addWidget(self.clear_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_DELAY_MS)
        self._timer.timeout.connect(self.apply)
        self.set_ruleset(ruleset)
        self.retranslate_ui()

    # -- texts -------------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.label.setText(self.tr("Find:"))
        self.edit.setPlaceholderText(
            self.tr("e.g. yaw>20 and not failed:no_sunglasses · person~alice · blur<10 or size<80")
        )
        self.edit.setToolTip(
            self.tr(
                "Filter faces: fields {fields}; failed:/unknown:/passed:CONDITION; "
                "assigned:me, assigned:NAME, assigned:none (held now by you, by NAME, by nobody); "
                "and, or, not, parentheses; a bare word searches file and person names. "
                "The same expression works on the command line: --where"
            ).format(fields=" ".join(FIELDS))
        )
        self.decision_combo.setItemText(0, self.tr("Any decision"))
        self.decision_combo.setItemText(1, self.tr("Pending"))
        self.decision_combo.setItemText(2, self.tr("Accepted"))
        self.decision_combo.setItemText(3, self.tr("Rejected"))
        self.ranges_button.setText(self.tr("Ranges"))
        leave_room_for_the_arrow(self.ranges_button)
        self.ranges_button.setToolTip(self.tr("Yaw, blur, face size and confidence ranges (– = no limit)"))
        labels = {
            "yaw": self.tr("Yaw (°, either way)"),
            "blur": self.tr("Blur (0–100)"),
            "size": self.tr("Face size (px)"),
            "confidence": self.tr("Confidence"),
        }
        for name, label in self._range_labels.items():
            label.setText(labels[name])
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Show every face again"))
        self._fill_failed_combo()
        self._show_state()
        self._show_progress()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # -- rules -------------------------------------------------------------------------------

    def set_ruleset(self, ruleset: RuleSet) -> None:
        """The conditions ``failed:`` may name and the quick filter lists (the rules changed)."""
        self._ruleset = ruleset
        self._fill_failed_combo()
        words = [f"{name}" for name in FIELDS]
        words += [f"{outcome}:{c.id}" for outcome in OUTCOME_WORDS for c in ruleset.conditions]
        words += [f"{name}={value}" for name, values in CHOICE_FIELDS.items() for value in values]
        words += list(KEYWORDS)
        self._words.setStringList(words)
        if self._applied_text:
            self.apply(force=True)  # a condition may have left the rules: say so

    def _fill_failed_combo(self) -> None:
        current = self.failed_combo.currentData()
        self.failed_combo.blockSignals(True)
        self.failed_combo.clear()
        self.failed_combo.addItem(self.tr("Any condition"), "")
        for condition in self._ruleset.conditions:
            text = self.tr("Failed: {label}").format(label=condition_name(condition.id))
            self.failed_combo.addItem(text, condition.id)
            self.failed_combo.setItemData(
                self.failed_combo.count() - 1, f"failed:{condition.id}", Qt.ItemDataRole.ToolTipRole
            )
        found = self.failed_combo.findData(current) if current else 0
        self.failed_combo.setCurrentIndex(max(found, 0))
        self.failed_combo.blockSignals(False)

    # -- the expression ------------------------------------------------------------------------

    def quick_parts(self) -> list[str]:
        """The quick filters as expressions of the language."""
        parts: list[str] = []
        failed = self.failed_combo.currentData()
        if failed:
            parts.append(f"failed:{failed}")
        decision = self.decision_combo.currentData()
        if decision:
            parts.append(f"decision={decision}")
        for name, (low, high) in self.range_boxes.items():
            if low.value() > low.minimum():
                parts.append(f"{name}>={format_number(low.value())}")
            if high.value() > high.minimum():
                parts.append(f"{name}<={format_number(high.value())}")
        return parts

    def expression(self) -> str:
        """The whole filter: the typed expression and the quick filters, joined with ``and``."""
        typed = self.edit.text().strip()
        parts = self.quick_parts()
        if typed and parts:
            return " and ".join([f"({typed})", *parts])
        return typed or " and ".join(parts)

    def set_expression(self, text: str) -> None:
        """Type ``text`` (replacing the typed part; quick filters stay) and apply it."""
        self.edit.setText(text)
        self.apply()

    def clear(self) -> None:
        for combo in (self.failed_combo, self.decision_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for low, high in self.range_boxes.values():
            for box in (low, high):
                box.blockSignals(True)
                box.setValue(box.minimum())
                box.blockSignals(False)
        self.edit.clear()
        self.apply()

    @property
    def current_filter(self) -> FaceFilter | None:
        return self._applied

    def apply(self, force: bool = False) -> None:
        """Parse the expression; apply it when it is good (and new), else show why not."""
        self._timer.stop()
        text = self.expression()
        typed = self.edit.text().strip()
        try:
            if typed and typed != text:
                face_filter(typed, self._ruleset)  # its own errors, at positions in what was typed
            selected = face_filter(text, self._ruleset) if text else None
        except FilterError as error:
            self._show_error(error)
            return
        self._error = None
        self._grid_error = False
        self.error_label.hide()
        self.edit.setStyleSheet("")
        if text == self._applied_text and not force:
            self._show_state()
            return
        self._applied, self._applied_text = selected, text
        self._show_state()
        self.filterChanged.emit(selected)

    def show_grid_problem(self, error: FilterError | None) -> None:
        """A grid could not apply the filter (the catalog cannot answer it yet): say why here,
        as for an expression that does not parse; None: it applies again (the message goes)."""
        if error is not None:
            self._grid_error = True
            self._show_error(error)
        elif self._grid_error:
            self._grid_error = False
            self._error = None
            self.error_label.hide()
            self.edit.setStyleSheet("")

    def show_progress(self, checked: int, found: int, total: int, done: bool) -> None:
        """The gallery is deciding a Find (or a verdict filter) in part in Python (verdicts not
        all stored yet): ``checked`` images looked at of about ``total`` (0: not known yet),
        ``found`` shown so far; ``done``: it ended (or was replaced)."""
        self._progress = None if done else (checked, found, total)
        self._show_progress()

    def _show_progress(self) -> None:
        if self._progress is None:
            self.progress_label.hide()
            return
        checked, found, total = self._progress
        if total:
            text = self.tr("Finding… {found} found, {checked} of about {total} images checked ({percent} %)")
            percent = min(100, checked * 100 // max(total, 1))
            total = max(total, checked)
            text = text.format(found=found, checked=checked, total=total, percent=percent)
            self.progress_label.setText(text)
        else:
            self.progress_label.setText(
                self.tr("Finding… {found} of {checked} images checked so far").format(
                    found=found, checked=checked
                )
            )
        self.progress_label.setToolTip(
            self.tr(
                "Some faces have no stored verdict yet: their images are evaluated now, a few "
                "hundred at a time; the rows found are shown as they come"
            )
        )
        self.progress_label.show()

    def _show_error(self, error: FilterError) -> None:
        self._error = error
        typed = self.edit.text().strip()
        where = ""
        if error.expression == typed and typed:
            where = self.tr("at “{text}”").format(text=typed[error.position : error.position + 12] or "…")
        reason = filter_error_text(error)
        text = self.tr("Filter not applied: {reason} {where}").format(reason=reason, where=where)
        self.error_label.setText(text)
        self.error_label.setToolTip(error.expression)
        self.error_label.show()
        self.edit.setStyleSheet("QLineEdit { border: 1px solid #d93025; }")
        if error.expression == typed:  # the cursor at the bad character
            lead = len(self.edit.text()) - len(self.edit.text().lstrip())
            self.edit.setCursorPosition(min(lead + error.position, len(self.edit.text())))

    def _show_state(self) -> None:
        text = self._applied_text
        self.setToolTip(self.tr("Filter: {expression}").format(expression=text) if text else "")
        self.clear_button.setEnabled(bool(text or self.edit.text()))

    # -- completion ------------------------------------------------------------------------------

    def _on_edited(self, text: str) -> None:
        self._timer.start()
        prefix = _last_word(text[: self.edit.cursorPosition()])
        if len(prefix) < 1:
            self._hide_popup()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0 or (
            self.completer.completionCount() == 1 and self.completer.currentCompletion() == prefix
        ):
            self._hide_popup()
            return
        self.completer.complete()

    def _hide_popup(self) -> None:
        popup = self.completer.popup()
        if popup is not None:
            popup.hide()

    def _insert_completion(self, word: str) -> None:
        text, cursor = self.edit.text(), self.edit.cursorPosition()
        prefix = _last_word(text[:cursor])
        start = cursor - len(prefix)
        self.edit.setText(text[:start] + word + text[cursor:])
        self.edit.setCursorPosition(start + len(word))
        self._timer.start()

    def completions(self) -> Sequence[str]:
        return self._words.stringList()


def _last_word(text: str) -> str:
    """The word being typed at the end of ``text`` (after a blank or a parenthesis)."""
    for i in range(len(text) - 1, -1, -1):
        if text[i] in " ()":
            return text[i + 1 :]
    return text
