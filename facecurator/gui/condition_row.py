"""One row of the rules editor: a condition's parameter widgets, generated from its ``ParamSpec``s.

Also how the editor starts a new condition of a kind (:func:`new_condition`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from facecurator.domain.rules import CONDITION_TYPES, Condition, ParamSpec, RuleSet, make_condition
from facecurator.errors import ConfigError
from facecurator.gui.rule_words import choice_label, param_label, term

MAX_DECIMALS: Final = 4
# float parameters whose whole range is within this get two decimals (scores), else one
_SCORE_RANGE: Final = 1.0


@dataclass
class _ParamField:
    """One parameter's widget and how to read and write it."""

    spec: ParamSpec
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]


# (No nested functions in this module: pyside6-lupdate's Python parser loses the
# class context after one, and the messages that follow would get no context.)


def _set_combo_data(combo: QComboBox, value: Any) -> None:
    combo.setCurrentIndex(max(combo.findData(value), 0))


def _spin_value(spin: QSpinBox, optional: bool) -> int | None:
    value = spin.value()
    return None if optional and value == spin.minimum() else value


def _set_spin_value(spin: QSpinBox, value: Any) -> None:
    spin.setValue(spin.minimum() if value is None else int(value))


def _set_float_value(spin: QDoubleSpinBox, value: Any) -> None:
    """Show ``value`` exactly: a preset limit like 0.955 widens the spin box's decimals (max 4)
    rather than being rounded, which would silently change it on the next edit of its row."""
    value = float(value)
    decimals = spin.decimals()
    while decimals < MAX_DECIMALS and round(value, decimals) != value:
        decimals += 1
    spin.setDecimals(decimals)
    spin.setValue(value)


def _param_field(spec: ParamSpec, parent: QWidget, on_edit: Callable[[], None]) -> _ParamField:
    """The editing widget for one ``ParamSpec``: generated from its type, range, unit and choices."""
    if spec.type == "bool":
        box = QCheckBox(parent)
        box.toggled.connect(on_edit)
        return _ParamField(spec, box, box.isChecked, lambda v: box.setChecked(bool(v)))
    if spec.type == "choice":
        combo = QComboBox(parent)
        for choice in spec.choices:
            combo.addItem(choice_label(choice), choice)
        combo.currentIndexChanged.connect(on_edit)
        return _ParamField(spec, combo, combo.currentData, partial(_set_combo_data, combo))
    unit = f" {term(spec.unit)}" if spec.unit and spec.unit != "°" else spec.unit
    if spec.type == "int":
        spin = QSpinBox(parent)
        low = int(spec.minimum) if spec.minimum is not None else -(10**9)
        high = int(spec.maximum) if spec.maximum is not None else 10**9
        # An optional value uses the spin box's "special value" one below the
        # minimum, shown as "no limit": the Qt idiom for "unset".
        spin.setRange(low - 1 if spec.optional else low, high)
        if spec.optional:
            spin.setSpecialValueText(QCoreApplication.translate("RulesEditor", "no limit"))
        spin.setSuffix(unit)
        spin.valueChanged.connect(on_edit)
        return _ParamField(
            spec, spin, partial(_spin_value, spin, spec.optional), partial(_set_spin_value, spin)
        )
    spin_f = QDoubleSpinBox(parent)
    low_f = spec.minimum if spec.minimum is not None else -1e9
    high_f = spec.maximum if spec.maximum is not None else 1e9
    spin_f.setDecimals(2 if high_f - low_f <= _SCORE_RANGE else 1)
    spin_f.setRange(low_f, high_f)
    spin_f.setSingleStep(0.05 if high_f - low_f <= _SCORE_RANGE else 1.0)
    spin_f.setSuffix(unit)
    spin_f.setKeyboardTracking(True)
    spin_f.valueChanged.connect(on_edit)
    return _ParamField(spec, spin_f, spin_f.value, partial(_set_float_value, spin_f))


class ConditionRow(QGroupBox):
    """One condition: its parameters, its problem (if the core refuses an edit) and a remove button."""

    edited = Signal(str)  # condition id
    removeRequested = Signal(str)  # condition id

    def __init__(self, condition: Condition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.condition_id = condition.id
        self.kind = condition.kind
        self._loading = False
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setObjectName("conditionId")
        self.summary.setStyleSheet("color: palette(placeholder-text);")
        header.addWidget(self.summary, 1)
        self.remove_button = QToolButton(self)
        self.remove_button.setAutoRaise(True)
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.condition_id))
        header.addWidget(self.remove_button)
        layout.addLayout(header)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.fields: dict[str, _ParamField] = {}
        self._labels: dict[str, QLabel] = {}
        for spec in type(condition).param_specs:
            param = _param_field(spec, self, self._on_edit)
            label = QLabel(self)
            label.setBuddy(param.widget)
            form.addRow(label, param.widget)
            self.fields[spec.name] = param
            self._labels[spec.name] = label
        layout.addLayout(form)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.show_condition(condition)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(term(type_label(self.kind)))
        self.remove_button.setText(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Remove this condition"))
        for name, label in self._labels.items():
            spec = self.fields[name].spec
            label.setText(self.tr("{label}:").format(label=param_label(name)))
            label.setToolTip(term(spec.help))
            self.fields[name].widget.setToolTip(term(spec.help))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_condition(self, condition: Condition) -> None:
        """Put ``condition``'s values into the widgets (without emitting ``edited``)."""
        self.condition_id = condition.id
        self._loading = True
        try:
            for name, value in condition.param_values().items():
                self.fields[name].set(value)
        finally:
            self._loading = False
        self.set_condition_id(condition.id)
        self.set_problem(None)

    def set_condition_id(self, condition_id: str) -> None:
        self.condition_id = condition_id
        self.summary.setText(self.tr("id: {id}").format(id=condition_id))

    def show_values(self, values: dict[str, Any]) -> None:
        """Put some parameter values into the widgets without emitting ``edited``."""
        self._loading = True
        try:
            for name, value in values.items():
                self.fields[name].set(value)
        finally:
            self._loading = False

    def values(self) -> dict[str, Any]:
        return {name: param.get() for name, param in self.fields.items()}

    def set_problem(self, message: str | None) -> None:
        self.problem.setText(message or "")
        self.problem.setVisible(bool(message))

    def _on_edit(self, *_args: Any) -> None:
        if not self._loading:
            self.edited.emit(self.condition_id)


# Starting parameters of a newly added condition where the core's defaults are not a usable rule.
NEW_CONDITION_PARAMS: Final[dict[str, dict[str, Any]]] = {"age_range": {"min": 18}}


def type_label(kind: str) -> str:
    cls = CONDITION_TYPES.get(kind)
    return cls.label if cls is not None and cls.label else kind


def new_condition(kind: str, rules: RuleSet) -> Condition:
    """A condition of ``kind`` with default parameters and an id not yet used in ``rules``.

    A required choice (the pose axis) takes the first choice no condition of
    that kind uses yet, so "add head angle" thrice gives pitch, yaw, roll.
    """
    cls = CONDITION_TYPES[kind]
    params: dict[str, Any] = dict(NEW_CONDITION_PARAMS.get(kind, {}))
    for spec in cls.param_specs:
        field_default = cls.__dataclass_fields__[spec.name].default
        if spec.type == "choice" and not isinstance(field_default, str):
            used = {getattr(c, spec.name) for c in rules.conditions if c.kind == kind}
            params[spec.name] = next((c for c in spec.choices if c not in used), spec.choices[0])
    try:
        condition = make_condition(kind, **params)
    except ConfigError:
        # No valid defaults (e.g. a range with both bounds open): start optional
        # parameters at their lowest value, one by one, until the core accepts it.
        for spec in cls.param_specs:
            if spec.optional and params.get(spec.name) is None and spec.minimum is not None:
                params[spec.name] = int(spec.minimum) if spec.type == "int" else spec.minimum
                try:
                    condition = make_condition(kind, **params)
                    break
                except ConfigError:
                    continue
        else:
            raise
    taken = {c.id for c in rules.conditions}
    number = 2
    while condition.id in taken:
        condition = make_condition(kind, id=f"{condition.default_id()}_{number}", **params)
        number += 1
    return condition
