"""The rules editor: choose a preset, edit every condition, save named presets.

The editor is built from the core's declarative description of each condition
kind (``Condition.param_specs``): one row per condition with a widget per
parameter (spin box, check box or list), so a new condition kind in
:mod:`facecurator.domain.rules` appears here without GUI code. Every accepted
edit produces a new immutable :class:`~facecurator.domain.rules.RuleSet`
(through the core's ``replace_condition`` / ``with_condition`` /
``without_condition`` helpers) and, debounced, emits :attr:`RulesEditor.rulesChanged`,
so the open views re-colour without re-detection. An edit the core refuses
(e.g. an age range whose minimum is above its maximum) is shown in the row and
not emitted.

Wiring (main window)::

    editor = RulesEditor(store.ruleset, count_qualified=store_counter, parent=window)
    editor.rulesChanged.connect(store.set_ruleset)
    editor.show()
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from facecurator.domain.rules import (
    CONDITION_TYPES,
    DEFAULT_PRESET,
    BlurCondition,
    Condition,
    ImageContext,
    RuleSet,
    convert_blur,
    delete_user_preset,
    is_builtin_preset,
    list_presets,
    load_rules,
    make_condition,
    save_user_preset,
)
from facecurator.errors import ConfigError
from facecurator.gui.condition_row import ConditionRow, new_condition
from facecurator.gui.core_errors import core_message
from facecurator.gui.rule_words import term

log = logging.getLogger("facecurator.gui.rules_editor")

DEBOUNCE_MS: Final = 150
MODIFIED_SUFFIX: Final = " (modified)"

# ``count_qualified(rules) -> (qualified, total)`` over the faces of the current view.
QualifiedCounter = Callable[[RuleSet], tuple[int, int]]
# ``ask_name(parent, title, label, suggestion) -> name or None``
AskName = Callable[[QWidget, str, str, str], "str | None"]
# ``confirm(parent, title, question) -> yes?``
Confirm = Callable[[QWidget, str, str], bool]


def _ask_name(parent: QWidget, title: str, label: str, suggestion: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, text=suggestion)
    return text if ok else None


def _confirm(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


def base_name(name: str) -> str:
    """A rule set's name without the editor's "(modified)" suffix."""
    return name.removesuffix(MODIFIED_SUFFIX)


# --------------------------------------------------------------------------- the editor


class RulesEditor(QDialog):
    """Non-modal editor of the current rule set; emits ``rulesChanged(RuleSet)`` on every edit.

    Args:
        rules: the rule set to start from (default: the default preset).
        count_qualified: optional ``rules -> (qualified, total)`` for the live preview line.
        ask_name: asks for a preset name (tests inject one; default: ``QInputDialog``).
        confirm: asks a yes/no question (tests inject one; default: ``QMessageBox``).
        debounce_ms: quiet time after an edit before ``rulesChanged`` is emitted.
    """

    rulesChanged = Signal(object)  # RuleSet
    presetsChanged = Signal()

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        count_qualified: QualifiedCounter | None = None,
        ask_name: AskName | None = None,
        confirm: Confirm | None = None,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rulesEditor")
        self.setModal(False)
        self._count_qualified = count_qualified
        self._ask_name = ask_name or _ask_name
        self._confirm = confirm or _confirm
        self._rules = rules or load_rules(DEFAULT_PRESET)
        self._modified = base_name(self._rules.name) != self._rules.name
        self._rows: dict[str, ConditionRow] = {}
        self._switching = False

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._emit_now)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.preset_label = QLabel(self)
        self.preset_combo = QComboBox(self)
        self.preset_combo.setMinimumContentsLength(18)
        self.preset_label.setBuddy(self.preset_combo)
        self.save_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        top.addWidget(self.preset_label)
        top.addWidget(self.preset_combo, 1)
        top.addWidget(self.save_button)
        top.addWidget(self.delete_button)
        layout.addLayout(top)

        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.description)

        policy = QHBoxLayout()
        self.unknown_label = QLabel(self)
        self.unknown_combo = QComboBox(self)
        self.unknown_combo.addItem("", "fail")
        self.unknown_combo.addItem("", "pass")
        self.unknown_label.setBuddy(self.unknown_combo)
        policy.addWidget(self.unknown_label)
        policy.addWidget(self.unknown_combo, 1)
        layout.addLayout(policy)

        self.rows_host = QWidget(self)
        self.rows_layout = QVBoxLayout(self.rows_host)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.rows_host)
        layout.addWidget(scroll, 1)

        bottom = QHBoxLayout()
        self.add_button = QPushButton(self)
        self.add_menu = QMenu(self.add_button)
        self.add_button.setMenu(self.add_menu)
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        self.preview = QLabel(self)
        self.preview.setObjectName("rulesPreview")
        bottom.addWidget(self.preview)
        layout.addLayout(bottom)

        self.message = QLabel(self)
        self.message.setObjectName("rulesMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

        self.preset_combo.activated.connect(self._on_preset_chosen)
        self.save_button.clicked.connect(lambda: self.save_as())
        self.delete_button.clicked.connect(lambda: self.delete_preset())
        self.unknown_combo.currentIndexChanged.connect(self._on_unknown_changed)
        self.add_menu.triggered.connect(lambda action: self.add_condition(str(action.data())))

        self.retranslate_ui()
        self._refresh_presets()
        self._rebuild_rows()
        self._update_preview()
        self.resize(560, 640)

    # -- public API ------------------------------------------------------------

    def rules(self) -> RuleSet:
        """The rule set as currently edited (named "<preset> (modified)" after an unsaved edit)."""
        return self._rules

    @property
    def modified(self) -> bool:
        return self._modified

    def set_rules(self, rules: RuleSet, *, emit: bool = False) -> None:
        """Show ``rules`` (e.g. the store's after a catalog switch); ``emit`` announces it too."""
        self._debounce.stop()
        self._rules = rules
        self._modified = base_name(rules.name) != rules.name
        self._refresh_presets()
        self._rebuild_rows()
        self._show_message(None)
        if emit:
            self._emit_now()
        else:
            self._update_preview()

    def follow_rules(self, rules: RuleSet) -> None:
        """Show a rule set applied elsewhere; ignores the echo of this editor's own emission."""
        if rules is self._rules or rules == self._rules:
            return
        self.set_rules(rules)

    def load_preset(self, name: str) -> bool:
        """Switch to the preset ``name`` and emit it at once. False (with a message) if it cannot be read."""
        try:
            rules = load_rules(name)
        except ConfigError as exc:
            self._show_message(core_message(exc), error=True)
            self._refresh_presets()
            return False
        self.set_rules(rules, emit=True)
        return True

    def add_condition(self, kind: str) -> Condition:
        """Append a new condition of ``kind`` with default parameters."""
        condition = new_condition(kind, self._rules)
        self._commit(self._rules.with_condition(condition))
        self._rebuild_rows()
        return condition

    def remove_condition(self, condition_id: str) -> None:
        self._commit(self._rules.without_condition(condition_id))
        self._rebuild_rows()

    def set_param(self, condition_id: str, name: str, value: Any) -> None:
        """Set one parameter through its widget, exactly as a user edit does."""
        self._rows[condition_id].fields[name].set(value)

    def set_unknown_policy(self, policy: str) -> None:
        self.unknown_combo.setCurrentIndex(self.unknown_combo.findData(policy))

    def row(self, condition_id: str) -> ConditionRow:
        return self._rows[condition_id]

    def flush(self) -> None:
        """Emit a pending change now (e.g. before the window closes)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit_now()

    def save_as(self, name: str | None = None) -> bool:
        """Save the rules as the user preset ``name`` (asked for when None).

        Built-in names are refused with a message; an existing user preset is
        replaced only after confirmation.
        """
        if name is None:
            name = self._ask_name(
                self,
                self.tr("Save rules as preset"),
                self.tr("Preset name:"),
                self._suggested_name(),
            )
            if name is None:
                return False
        name = name.strip()
        if not name:
            self._show_message(self.tr("A preset needs a name."), error=True)
            return False
        if is_builtin_preset(name):
            self._show_message(
                self.tr("“{name}” is a built-in preset and cannot be changed; choose another name.").format(
                    name=name
                ),
                error=True,
            )
            return False
        if name.endswith(MODIFIED_SUFFIX):
            self._show_message(
                self.tr("A preset name cannot end with “{suffix}”.").format(suffix=MODIFIED_SUFFIX.strip()),
                error=True,
            )
            return False
        if name in list_presets() and not self._confirm(
            self,
            self.tr("Replace preset"),
            self.tr("A preset named “{name}” exists. Replace it?").format(name=name),
        ):
            return False
        rules = self._rules.renamed(name)
        try:
            path = save_user_preset(rules)
        except ConfigError as exc:
            self._show_message(core_message(exc), error=True)
            return False
        log.info("saved rules preset %s to %s", name, path)
        self._rules = rules
        self._modified = False
        self._refresh_presets()
        self._show_message(self.tr("Saved preset “{name}”.").format(name=name))
        self.presetsChanged.emit()
        self._emit_now()  # the name changed: views and the catalog's remembered rules follow
        return True

    def delete_preset(self, name: str | None = None) -> bool:
        """Delete the user preset ``name`` (default: the one shown) after confirmation.

        The editor then switches to the default preset.
        """
        name = name or base_name(self._rules.name)
        if is_builtin_preset(name):
            self._show_message(
                self.tr("“{name}” is a built-in preset and cannot be deleted.").format(name=name), error=True
            )
            return False
        if not self._confirm(
            self, self.tr("Delete preset"), self.tr("Delete the preset “{name}”?").format(name=name)
        ):
            return False
        try:
            delete_user_preset(name)
        except ConfigError as exc:
            self._show_message(core_message(exc), error=True)
            return False
        self.presetsChanged.emit()
        if base_name(self._rules.name) == name:
            self.load_preset(DEFAULT_PRESET)
        else:
            self._refresh_presets()
        self._show_message(self.tr("Deleted preset “{name}”.").format(name=name))
        return True

    # -- translation -------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Rules"))
        self.preset_label.setText(self.tr("&Preset:"))
        self.save_button.setText(self.tr("&Save as…"))
        self.save_button.setToolTip(self.tr("Save these rules as a named preset"))
        self.delete_button.setText(self.tr("&Delete"))
        self.delete_button.setToolTip(self.tr("Delete this user preset"))
        self.unknown_label.setText(self.tr("&Unmeasured attributes:"))
        self.unknown_combo.setItemText(0, self.tr("count against the face (not qualified)"))
        self.unknown_combo.setItemText(1, self.tr("are ignored"))
        self.add_button.setText(self.tr("&Add condition"))
        self.add_menu.clear()
        for kind, cls in CONDITION_TYPES.items():
            action = self.add_menu.addAction(term(cls.label or kind))
            action.setData(kind)
        self._refresh_presets()
        self._update_preview()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def hideEvent(self, event: Any) -> None:
        # Close, Escape and the window's close button all hide the dialog: never lose the last edit.
        self.flush()
        super().hideEvent(event)

    # -- internals ---------------------------------------------------------------

    def _suggested_name(self) -> str:
        name = base_name(self._rules.name)
        return self.tr("{name} copy").format(name=name) if is_builtin_preset(name) else name

    def _refresh_presets(self) -> None:
        self._switching = True
        try:
            self.preset_combo.clear()
            current = base_name(self._rules.name)
            for name in list_presets():
                shown = name
                if is_builtin_preset(name):
                    shown = self.tr("{name} (built-in)").format(name=name)
                self.preset_combo.addItem(shown, name)
            index = self.preset_combo.findData(current)
            if index < 0:  # rules from a file or the catalog, not a preset
                self.preset_combo.addItem(current, current)
                index = self.preset_combo.count() - 1
            if self._modified:
                self.preset_combo.setItemText(index, self.tr("{name} (modified)").format(name=current))
            self.preset_combo.setCurrentIndex(index)
        finally:
            self._switching = False
        self.delete_button.setEnabled(current in list_presets() and not is_builtin_preset(current))
        self.description.setText(term(self._rules.description) if self._rules.description else "")
        self.description.setVisible(bool(self._rules.description))
        policy_index = self.unknown_combo.findData(self._rules.unknown)
        self.unknown_combo.blockSignals(True)
        self.unknown_combo.setCurrentIndex(policy_index)
        self.unknown_combo.blockSignals(False)

    def _rebuild_rows(self) -> None:
        for row in self._rows.values():
            row.setParent(None)
            row.deleteLater()
        self._rows.clear()
        for position, condition in enumerate(self._rules.conditions):
            row = ConditionRow(condition, self.rows_host)
            row.edited.connect(self._on_row_edited)
            row.removeRequested.connect(self.remove_condition)
            self.rows_layout.insertWidget(position, row)
            self._rows[condition.id] = row

    def _on_preset_chosen(self, index: int) -> None:
        if self._switching:
            return
        name = self.preset_combo.itemData(index)
        if not isinstance(name, str):
            return
        if name == base_name(self._rules.name) and not self._modified:
            return
        if self._modified and not self._confirm(
            self,
            self.tr("Discard changes"),
            self.tr("Discard the unsaved changes to “{name}”?").format(name=base_name(self._rules.name)),
        ):
            self._refresh_presets()
            return
        self.load_preset(name)

    def _on_unknown_changed(self, index: int) -> None:
        policy = self.unknown_combo.itemData(index)
        if policy and policy != self._rules.unknown:
            self._commit(replace(self._rules, unknown=policy))

    def _on_row_edited(self, condition_id: str) -> None:
        row = self._rows.get(condition_id)
        if row is None:
            return
        old = self._rules.condition(condition_id)
        values = row.values()
        if isinstance(old, BlurCondition) and values["scale"] != old.scale and values["max"] == old.max:
            # A new scale carries the limit over (25 on 0-100 -> 5 on 0-20), as the core converts blurs.
            converted = convert_blur(old.max, old.scale, values["scale"])
            if converted is not None:
                values["max"] = round(converted, 1)
                row.show_values({"max": values["max"]})
        try:
            condition = self._rebuilt(old, values)
            rules = self._rules.replace_condition(condition_id, condition)
        except ConfigError as exc:
            row.set_problem(core_message(exc))
            self._debounce.stop()  # never emit a half-edited, refused rule
            return
        if condition.id != condition_id:
            del self._rows[condition_id]
            self._rows[condition.id] = row
        row.set_condition_id(condition.id)
        row.set_problem(None)
        self._commit(rules)

    def _rebuilt(self, old: Condition, values: dict[str, Any]) -> Condition:
        """``old`` with new parameter values; a default id follows the parameters (pose_yaw -> pose_roll)."""
        if old.id != old.default_id():
            return make_condition(old.kind, id=old.id, **values)
        condition = make_condition(old.kind, **values)
        taken = {c.id for c in self._rules.conditions if c.id != old.id}
        if condition.id in taken:
            condition = make_condition(old.kind, id=old.id, **values)
        return condition

    def _commit(self, rules: RuleSet) -> None:
        """Accept an edit: rename to "(modified)", refresh the header, emit after the quiet time."""
        if not self._modified:
            rules = rules.renamed(base_name(rules.name) + MODIFIED_SUFFIX)
            self._modified = True
            self._rules = rules
            self._refresh_presets()
        self._rules = rules
        self._show_message(None)
        self._debounce.start()

    def _emit_now(self) -> None:
        self._update_preview()
        self.rulesChanged.emit(self._rules)

    def _update_preview(self) -> None:
        if self._count_qualified is None:
            self.preview.hide()
            return
        try:
            qualified, total = self._count_qualified(self._rules)
        except Exception as exc:
            log.exception("rules preview failed")
            self.preview.setText(self.tr("preview unavailable: {error}").format(error=exc))
        else:
            self.preview.setText(
                self.tr("{qualified} of {total} faces qualified").format(qualified=qualified, total=total)
            )
        self.preview.show()

    def _show_message(self, text: str | None, *, error: bool = False) -> None:
        self.message.setText(text or "")
        self.message.setStyleSheet("color: #c62828;" if error else "")
        self.message.setVisible(bool(text))


# --------------------------------------------------------------------------- main-window hook


class StoreQualifiedCounter:
    """``rules -> (qualified, total)`` over every face the store holds (the preview line)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __call__(self, rules: RuleSet) -> tuple[int, int]:
        qualified = total = 0
        for image in self._store.iter_images():  # a page of rows in memory at a time
            context = ImageContext(face_count=len(image.faces))
            for face in image.faces:
                total += 1
                qualified += rules.is_qualified(face.row.face, context)
        return qualified, total


def open_rules_editor(window: Any) -> RulesEditor:
    """Show the main window's rules editor (one per window), wired to its store.

    Edits go through ``window.set_rules`` (every view re-colours, the choice is
    remembered); a rule change made elsewhere (the toolbar's preset list) is
    shown in the editor; a saved or deleted preset re-lists the toolbar's presets.
    """
    editor = window.findChild(RulesEditor, "rulesEditor")
    if editor is None:
        store = window.store
        editor = RulesEditor(store.ruleset, count_qualified=StoreQualifiedCounter(store), parent=window)
        editor.setWindowFlag(Qt.WindowType.Tool, True)  # stays above the main window, not modal
        editor.rulesChanged.connect(window.set_rules)
        editor.presetsChanged.connect(window.refresh_presets)
        store.rulesChanged.connect(editor.follow_rules)
    editor.show()
    editor.raise_()
    editor.activateWindow()
    return editor
