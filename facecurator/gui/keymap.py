"""One keyboard model for the Gallery, the image view and Triage, remappable.

Every review key is a *command* (``next_image``, ``accept``, ``zoom_face``, …)
bound to one or more key sequences. The defaults are :data:`DEFAULT_KEYS`; the
operator's own bindings are kept in the GUI settings (``keys/<command>``, the
sequences in portable text separated by ``;``) and edited in the shortcut sheet
(``?`` / ``F1``, :mod:`facecurator.gui.shortcut_sheet`).

:class:`KeyMap` only answers "which command is this key press?"; the
:class:`~facecurator.gui.review_keys.ReviewKeys` controller carries the
commands out in whichever page has the focus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from PySide6.QtCore import QCoreApplication, QKeyCombination, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: command -> default key sequences (portable text), in the order the sheet lists them.
DEFAULT_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "next_image": ("Right", "PgDown", "Space"),
    "prev_image": ("Left", "PgUp"),
    "next_face": ("Tab",),
    "prev_face": ("Shift+Tab",),
    "accept": ("A",),
    "reject": ("R",),
    "skip": ("S",),
    "undo": ("Ctrl+Z",),
    "zoom_face": ("Z",),
    "fit": ("F",),
    "actual_size": ("1",),
    "shortcuts": ("?", "F1"),
}

#: What each command does, as the shortcut sheet says it (translated in context "KeyMap").
DESCRIPTIONS: Final[Mapping[str, str]] = {
    "next_image": QT_TRANSLATE_NOOP("KeyMap", "Next image"),
    "prev_image": QT_TRANSLATE_NOOP("KeyMap", "Previous image"),
    "next_face": QT_TRANSLATE_NOOP("KeyMap", "Next face (past the last face: next field)"),
    "prev_face": QT_TRANSLATE_NOOP("KeyMap", "Previous face (before the first: previous field)"),
    "accept": QT_TRANSLATE_NOOP("KeyMap", "Accept the selected face, then go on"),
    "reject": QT_TRANSLATE_NOOP("KeyMap", "Reject the selected face, then go on"),
    "skip": QT_TRANSLATE_NOOP("KeyMap", "Skip to the next pending face"),
    "undo": QT_TRANSLATE_NOOP("KeyMap", "Undo the last decision"),
    "zoom_face": QT_TRANSLATE_NOOP("KeyMap", "Zoom to the selected face"),
    "fit": QT_TRANSLATE_NOOP("KeyMap", "Fit the image to the view"),
    "actual_size": QT_TRANSLATE_NOOP("KeyMap", "Actual size (true pixels), centred on the selected face"),
    "shortcuts": QT_TRANSLATE_NOOP("KeyMap", "Show this sheet of keys"),
}

SETTINGS_GROUP: Final = "keys"
_SEPARATOR: Final = ";"


def describe(command: str) -> str:
    return QCoreApplication.translate("KeyMap", DESCRIPTIONS[command])


def parse_sequences(text: str) -> tuple[str, ...]:
    """``"Right; PgDown"`` (or the keys' names in the current language, as the sheet shows them:
    ``"右方向; PgDown"``) -> ``("Right", "PgDown")``; unknown key names are dropped."""
    out: list[str] = []
    for part in text.split(_SEPARATOR):
        part = part.strip()
        if not part:
            continue
        for kind in (QKeySequence.SequenceFormat.PortableText, QKeySequence.SequenceFormat.NativeText):
            sequence = QKeySequence.fromString(part, kind)
            if sequence.count() == 1 and sequence.toString() and "\ufffd" not in sequence.toString():
                out.append(sequence.toString(QKeySequence.SequenceFormat.PortableText))
                break
    return tuple(out)


def format_sequences(sequences: tuple[str, ...], *, native: bool = False) -> str:
    if not native:
        return f"{_SEPARATOR} ".join(sequences)
    return f"{_SEPARATOR} ".join(
        QKeySequence.fromString(s, QKeySequence.SequenceFormat.PortableText).toString(
            QKeySequence.SequenceFormat.NativeText
        )
        for s in sequences
    )


def event_sequence(event: QKeyEvent) -> str:
    """The key press as portable text, the way bindings are written.

    Shift is part of a symbol itself (``?`` is Shift+/ on many layouts), so it is
    dropped for non-letters; Qt's Backtab is Shift+Tab.
    """
    key = Qt.Key(event.key())
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key == Qt.Key.Key_Backtab:
        key, mods = Qt.Key.Key_Tab, mods | Qt.KeyboardModifier.ShiftModifier
    elif 0x21 <= int(key) <= 0x7E and not (Qt.Key.Key_A <= key <= Qt.Key.Key_Z):
        mods &= ~Qt.KeyboardModifier.ShiftModifier
    if key in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
        return ""
    return QKeySequence(QKeyCombination(mods, key)).toString(QKeySequence.SequenceFormat.PortableText)


class KeyMap(QObject):
    """The bindings in force: defaults overlaid with the operator's settings."""

    changed = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._keys: dict[str, tuple[str, ...]] = dict(DEFAULT_KEYS)
        if settings is not None:
            for command in DEFAULT_KEYS:
                value = settings.value(f"{SETTINGS_GROUP}/{command}")
                if isinstance(value, str):
                    self._keys[command] = parse_sequences(value)
        self._reindex()

    def _reindex(self) -> None:
        self._by_sequence = {seq: command for command, seqs in self._keys.items() for seq in seqs}

    def keys(self, command: str) -> tuple[str, ...]:
        return self._keys[command]

    def bindings(self) -> dict[str, tuple[str, ...]]:
        return dict(self._keys)

    def command_for(self, event: QKeyEvent) -> str | None:
        sequence = event_sequence(event)
        return self._by_sequence.get(sequence) if sequence else None

    def shortcuts(self, command: str) -> list[QKeySequence]:
        portable = QKeySequence.SequenceFormat.PortableText
        return [QKeySequence.fromString(s, portable) for s in self._keys[command]]

    def conflicts(self, bindings: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
        """Sequences bound to more than one command: sequence -> commands."""
        seen: dict[str, list[str]] = {}
        for command, seqs in bindings.items():
            for seq in seqs:
                seen.setdefault(seq, []).append(command)
        return {seq: commands for seq, commands in seen.items() if len(commands) > 1}

    def set_bindings(self, bindings: Mapping[str, tuple[str, ...]]) -> None:
        """Replace the bindings (unknown commands ignored) and keep them in the settings."""
        for command in DEFAULT_KEYS:
            if command in bindings:
                self._keys[command] = tuple(bindings[command])
            if self._settings is not None:
                if self._keys[command] == DEFAULT_KEYS[command]:
                    self._settings.remove(f"{SETTINGS_GROUP}/{command}")
                else:
                    value = format_sequences(self._keys[command])
                    self._settings.setValue(f"{SETTINGS_GROUP}/{command}", value)
        self._reindex()
        self.changed.emit()

    def reset(self) -> None:
        self.set_bindings(DEFAULT_KEYS)
