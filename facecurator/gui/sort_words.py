"""The names of the filter fields and sort keys in the user's language (triage sort, statistics)."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QCoreApplication

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

FIELD_LABELS: Final = {
    "image": QT_TRANSLATE_NOOP("Fields", "Image order"),
    "yaw": QT_TRANSLATE_NOOP("Fields", "Yaw"),
    "pitch": QT_TRANSLATE_NOOP("Fields", "Pitch"),
    "roll": QT_TRANSLATE_NOOP("Fields", "Roll"),
    "blur": QT_TRANSLATE_NOOP("Fields", "Blur"),
    "size": QT_TRANSLATE_NOOP("Fields", "Face size"),
    "confidence": QT_TRANSLATE_NOOP("Fields", "Confidence"),
    "quality": QT_TRANSLATE_NOOP("Fields", "Quality"),
    "sharpness": QT_TRANSLATE_NOOP("Fields", "Sharpness"),
    "integrity": QT_TRANSLATE_NOOP("Fields", "Integrity"),
    "age": QT_TRANSLATE_NOOP("Fields", "Age"),
    "decision": QT_TRANSLATE_NOOP("Fields", "Decision"),
    "status": QT_TRANSLATE_NOOP("Fields", "Verdict"),
    "person": QT_TRANSLATE_NOOP("Fields", "Person"),
    "file": QT_TRANSLATE_NOOP("Fields", "File name"),
}


def sort_label(key: str) -> str:
    """A field or sort key's name in the current language."""
    return QCoreApplication.translate("Fields", FIELD_LABELS.get(key, key))
