"""More verdicts from the CLIP embedding the photograph check computes: eyes covered, nose or
mouth covered (issue 18; docs/local-detector-clip-probes.md).

The photograph model (``photo_model``) embeds every face that every other ``enrollment-strict``
condition qualifies. A linear probe on that same vector costs a 512-term dot product. Each
probe here feeds an existing measure: when its score is over its threshold, the measure fails
(value 0) with a reason naming the model; a probe never raises a measure, so it cannot turn a
failing hand-made reading into a pass, and it reads nothing on a face the model did not embed.

What is frozen lives in ``clip_conditions.json`` beside this module: the embedding the probes
were fitted on (model file SHA-256, graph output, feature, view, side: it must be the
photograph probe's, else :func:`read_probes` refuses the file) and per probe its measure,
standardisation, weights, bias, threshold and the fit's provenance
(``benchmarks/clip_probes.py``: tune only, leave-one-source-out and leave-one-kind-out, the
threshold the highest held-out tune clean or camera-variant score).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from facecurator.detect.quality import clip_reasons
from facecurator.domain.measures import Measure

PROBES_FILE: Final = clip_reasons.CONDITIONS_FILE
#: The measure reason of a probe over its threshold (clip_reasons: the GUI's words import it).
REASON_COVERED: Final = clip_reasons.REASON_COVERED
#: Which part of a probe file must match the photograph probe's readout: the same model file
#: and the same input, so that one run of the model serves both (local-v47: the photograph probe
#: reads blocks 10 + 11's class tokens, these probes the projected embedding of the same run).
EMBEDDING_KEYS: Final = ("sha256", "view", "side")


@dataclass(frozen=True)
class ConditionProbe:
    """One frozen probe: the condition, the measure it feeds, the read-out."""

    name: str
    measure: str
    #: the graph output(s) read (``+``-joined) and how (``photo_model.Probe``'s terms)
    output: str
    feature: str
    centre: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float

    def score(self, feature: np.ndarray) -> float:
        return float(((feature - self.centre) / self.scale) @ self.weights + self.bias)


def read_probes(embedding: Mapping[str, Any], path: Path = PROBES_FILE) -> tuple[ConditionProbe, ...]:
    """The probes of ``path``; ``embedding``: the photograph probe's readout (``EMBEDDING_KEYS``).
    A file fitted on another embedding is refused (ValueError): its probes must be re-fitted."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fitted = data["embedding"]
    off = [k for k in EMBEDDING_KEYS if fitted[k] != embedding[k]]
    if off:
        raise ValueError(f"{path}: fitted on another embedding ({', '.join(off)} differ): re-fit the probes")
    arr = functools.partial(np.asarray, dtype=np.float64)
    out = []
    for name, p in data["probes"].items():
        output = fitted["output"]
        probe = ConditionProbe(
            name=name,
            measure=p["measure"],
            output=output if isinstance(output, str) else "+".join(output),
            feature=fitted["feature"],
            centre=arr(p["centre"]),
            scale=arr(p["scale"]),
            weights=arr(p["weights"]),
            bias=float(p["bias"]),
            threshold=float(p["threshold"]),
        )
        if not (len(probe.centre) == len(probe.scale) == len(probe.weights)):
            raise ValueError(f"{path}: inconsistent probe {name}")
        out.append(probe)
    return tuple(out)


def apply(
    probes: tuple[ConditionProbe, ...], features: Mapping[str, np.ndarray], named: dict[str, Measure]
) -> dict[str, float]:
    """Each probe's score on its feature (``features``: by graph output, one run of the model);
    a probe over its threshold fails its measure in ``named`` (value 0, ``REASON_COVERED``).
    Never raises a measure's value."""
    scores = {}
    for probe in probes:
        s = probe.score(features[probe.output])
        scores[probe.name] = round(s, 3)
        current = named.get(probe.measure)
        if s > probe.threshold and (current is None or current.value is None or current.value > 0.0):
            named[probe.measure] = Measure(0.0, REASON_COVERED)
    return scores
