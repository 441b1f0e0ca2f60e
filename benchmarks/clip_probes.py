"""More verdicts from the same CLIP embedding (issue 18, probe18): linear probes for
"eyes covered", "eyes shut" and "nose or mouth covered" on the CLIP ViT-B/16 embedding the
photograph check computes anyway (``benchmarks/model_separation.py``'s crops, views and model).

    python benchmarks/clip_probes.py --cache /tmp/wheels18/crops2.pkl \
        --model /path/to/clip_encoder.int8.onnx --embed-cache /tmp/emb.pkl \
        --variants-cache /tmp/variants.pkl --derived-cache /tmp/derived.pkl \
        [--derived-embed-cache /tmp/emb_derived.pkl] [--verdicts /tmp/vq.json] [--view head]

Faces: every real labelled face (crop and mesh as ``render_separation.py`` collects them),
the clean camera variants, and every derived variant of the verdict benchmark's cache
(``--derived-cache``: hands, lenses, bars, masks ...: detected as the local detector does,
then embedded once; ~0.2 s CPU a face for both views). A derived variant carries its kind's
labels over its clean source face's.

Per condition (``eyes_covered``: sunglasses or eyes_occluded; ``eyes_shut``: both eyes
closed; ``nose_mouth_covered``: nose_mouth_occluded or mask), positives are the faces whose
label says so, negatives the faces whose label says not (unknowns left out). Read-out:
class-balanced L2 logistic regression (features standardised on the training fold), fitted on
TUNE only (real faces and tune derived variants). Validation on tune: leave-one-SOURCE-out
(each real source's faces and the derived variants of that source's faces held out together)
and leave-one-derived-KIND-out (every variant of one kind held out: a probe that learned the
compositing look of pasted covers, not the condition, fails there). Threshold (``rule``): the
highest held-out (LOSO) score of a tune clean face or a tune camera variant (``max``: none lost),
or the photograph probe's rule (``share``: at most 1 % of the tune clean real faces over it, no
camera variant); the tune figures of both are printed (session 15 kept ``max``: tune said so).
The model fitted on all of tune is frozen and scored once on test. Figures:
docs/local-detector-clip-probes.md.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model_separation import CAMERA_KINDS, collect_variants, embed, fit_logit
from photo_separation import auc
from render_separation import cached_crops

from benchmarks.truthset.labels import LABELS_CSV, read_labels

#: The derived kinds model_separation.py's --variants-cache does not already hold.
DERIVED_KINDS = (
    "eyes_bar",
    "nose_mouth_bar",
    "eye_hand",
    "sunglasses",
    "tinted",
    "blurred",
    "compressed",
    "upscaled",
    "underexposed",
    "overexposed",
    "roll45",
    "dim",
    "bright",
    "hair_eye",
    "mouth_hand",
    "recompressed",
    "glare",
    "gradient",
    "mirrored",
    "brown_lens",
    "aviator",
    "brim",
    "half_mouth_hand",
    "overlay_blur",
    "washed",
    "real_hand_below",
    "real_hand_diagonal",
    "real_hand_side",
    "real_hand_eye",
)


def conditions(attrs: dict[str, bool | None]) -> dict[str, bool | None]:
    """The three conditions of a label's attributes: True, False, or None (cannot tell)."""

    def any_of(*names: str) -> bool | None:
        vals = [attrs.get(n) for n in names]
        if any(v is True for v in vals):
            return True
        return False if all(v is False for v in vals) else None

    def both(*names: str) -> bool | None:
        vals = [attrs.get(n) for n in names]
        if all(v is True for v in vals):
            return True
        return False if any(v is False for v in vals) else None

    return {
        "eyes_covered": any_of("sunglasses", "eyes_occluded"),
        "eyes_shut": both("left_eye_closed", "right_eye_closed"),
        "nose_mouth_covered": any_of("nose_mouth_occluded", "mask"),
    }


def derived_attrs() -> dict[str, dict[str, bool | None]]:
    """Each derived kind's label overrides (derive.VARIANTS)."""
    from benchmarks.truthset.derive import VARIANTS

    return {v.name: dict(v.labels) for v in VARIANTS}


def load_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Real faces, camera / sketch / cartoon variants and the other derived variants, each
    with ``split``, ``source``, ``kind`` (``real`` or the variant's), ``attrs``, ``clean``."""
    labels = {lab.key: lab for lab in read_labels(LABELS_CSV)}
    rows = [r for r in cached_crops(args.cache, sources=True) if r["key"].split("#")[0] in labels]
    rows = [r for r in rows if "#" not in r["key"]]  # render_separation's own sketches: not here
    if args.extra_cache is not None:  # faces labelled since the crop cache was made
        extra = pickle.loads(args.extra_cache.read_bytes()) if args.extra_cache.is_file() else []
        tried_file = args.extra_cache.with_suffix(".tried")  # faces looked for and not found
        tried = set(tried_file.read_text(encoding="utf-8").splitlines()) if tried_file.is_file() else set()
        have = {r["key"] for r in rows} | {r["key"] for r in extra} | tried
        new = [lab for lab in labels.values() if lab.set != "derived" and lab.key not in have]
        if new or not args.extra_cache.is_file():  # each face collected once
            from render_separation import collect

            from benchmarks.truthset.labels import resolve

            print(f"collecting {len(new)} faces labelled since the caches", file=sys.stderr)
            extra += [r for r in collect(resolve(new)[0]) if "#" not in r["key"]]
            args.extra_cache.write_bytes(pickle.dumps(extra))
            found = {r["key"] for r in extra}
            tried |= {lab.key for lab in new if lab.key not in found}
            tried_file.write_text("\n".join(sorted(tried)), encoding="utf-8")
        seen = {r["key"] for r in rows}
        rows += [r for r in extra if r["key"] in labels and r["key"] not in seen]
    if args.variants_cache.is_file():
        rows += pickle.loads(args.variants_cache.read_bytes())
    if args.derived_cache.is_file():
        rows += pickle.loads(args.derived_cache.read_bytes())
    else:
        var = collect_variants(list(labels.values()), DERIVED_KINDS)
        args.derived_cache.write_bytes(pickle.dumps(var))
        rows += var
    overrides = derived_attrs()
    for r in rows:
        base, _, kind = r["key"].partition("#")
        lab = labels[base]
        attrs = dict(lab.attrs)
        attrs.update(overrides.get(kind, {}))
        r["kind"] = kind or "real"
        r["attrs"] = attrs
        r["clean"] = (lab.clean and not kind) or kind in CAMERA_KINDS
        r["source"] = lab.source
        r["name"] = base.split(":", 1)[1] + (f"#{kind}" if kind else "")
    return rows


def embeddings(rows: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    emb: dict[str, Any] = {}
    for path in (args.embed_cache, args.derived_embed_cache):
        if path is not None and path.is_file():
            emb |= pickle.loads(path.read_bytes())
    todo = [r for r in rows if f"{r['key']}|face" not in emb]
    if todo:
        print(f"embedding {len(todo)} faces", file=sys.stderr)
        new = embed(todo, args.model, "clip")
        emb |= new
        if args.derived_embed_cache is not None:
            old = (
                pickle.loads(args.derived_embed_cache.read_bytes())
                if args.derived_embed_cache.is_file()
                else {}
            )
            args.derived_embed_cache.write_bytes(pickle.dumps(old | new))
    return emb


CONDITIONS = ("eyes_covered", "eyes_shut", "nose_mouth_covered")
#: The measure each shipped probe feeds (facecurator/detect/quality/clip_conditions.py).
MEASURE_OF = {
    "eyes_covered": "eyes_visible",
    "eyes_shut": "eyes_open",
    "nose_mouth_covered": "nose_mouth_visible",
}


def write_probes(
    rows: list[dict[str, Any]],
    emb: dict[str, Any],
    keep: Sequence[str],
    qualified: dict[str, bool],
    feat: str = "emb",
    rule: str = "max",
) -> None:
    """Fit the kept probes (``condition=lambda``) on the photograph probe's features (``feat``
    of ``emb``: what ``photo_model.json`` reads, e.g. ``cls10+cls11``) and write them to
    ``clip_conditions.json`` with their provenance."""
    from facecurator.detect.quality import clip_conditions, photo_model
    from facecurator.detect.quality.clip_graph import block_output

    photo = photo_model.default_probe()
    if photo.view != 2.0:
        raise SystemExit(f"the photograph probe reads view {photo.view}: re-fit on it")
    probes = {}
    for item in keep:
        cond, lam = item.split("=")
        res = probe(rows, emb, cond, Setting("head", feat, float(lam)), qualified, rule=rule)
        print("\n".join(res["lines"]))
        probes[cond] = {
            "measure": MEASURE_OF[cond],
            "centre": [round(v, 7) for v in res["mean"]],
            "scale": [round(v, 7) for v in res["sd"]],
            "weights": [round(v, 7) for v in res["w"]],
            "bias": round(res["b"], 6),
            "threshold": math.ceil(res["threshold"] * 1e4) / 1e4,  # rounded up: no tune clean face over
            "provenance": {
                "lambda": float(lam),
                "fit": "class-balanced L2 logistic regression on standardised features, TUNE only"
                f" (real faces and derived variants; benchmarks/clip_probes.py); features: {feat}",
                "threshold_rule": THRESHOLD_RULES[rule],
                "tune_loso_auc_real": round(res["loso_auc_real"], 4),
                "test_auc_real": round(res["test_auc_real"], 4),
                "test_clean_lost": res["lost"],
            },
        }
    data = {
        "embedding": {
            "sha256": photo.sha256,
            # what the probes read of the photograph model's run (photo_model.Probe's terms)
            "output": "image_embeds"
            if feat == "emb"
            else [block_output(int(b[3:])) for b in feat.split("+")],
            "feature": "embedding" if feat == "emb" else "class_token",
            "view": photo.view,
            "side": photo.side,
        },
        "doc": "docs/local-detector-clip-probes.md",
        "probes": probes,
    }
    clip_conditions.PROBES_FILE.write_text(json.dumps(data) + "\n", encoding="utf-8")
    print(f"wrote {clip_conditions.PROBES_FILE}")


def _qualified(path: Path | None) -> dict[str, bool]:
    """Our row key -> qualified under enrollment-strict in a verdict_quality JSON (derived faces
    are keyed there ``derived:<set>/<file>@x,y#kind``). Where the run records whether the CLIP
    model read the face (local-v43+: every other enrollment-strict condition passes), that is
    what counts: the faces a probe can change, whatever the shipped probes then said."""
    if path is None:
        return {}
    out = {}
    for f in json.loads(path.read_text(encoding="utf-8"))["faces"]:
        key = f["face"]
        if f["set"] == "derived":
            rest = key.split(":", 1)[1]
            key = rest.replace("/", ":", 1)
        model = ((f.get("detection") or {}).get("raw") or {}).get("photo_model") or {}
        out[key] = bool(model["checked"] if "checked" in model else f["qualified"].get("enrollment-strict"))
    return out


Model = tuple[np.ndarray, np.ndarray, np.ndarray, float]


class Setting(NamedTuple):
    """Which embedding (view, feature) and which L2 penalty."""

    view: str
    feat: str
    lam: float


def _fit(x: np.ndarray, y: np.ndarray, lam: float, start: Model | None = None) -> Model:
    """(mean, sd, weights, bias) of a probe fitted on ``x`` (standardised), ``y``; a fold
    starts from the whole fit (``start``): the same optimum, far fewer iterations."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    w, c = fit_logit((x - mu) / sd, y, lam, None if start is None else np.r_[start[2], start[3]])
    return mu, sd, w, c


def _score(model: Model, x: np.ndarray) -> np.ndarray:
    mu, sd, w, c = model
    return ((x - mu) / sd) @ w + c


#: The threshold rules of a condition probe, over its held-out (LOSO) tune scores: ``max``, the
#: highest score of a tune clean face or camera variant (session 13); ``share``, the lowest over
#: which at most ``CLEAN_SHARE`` of the tune clean real faces fall, raised to the highest tune
#: camera variant when one is over it (the photograph probe's rule since local-v48).
RULES: Final = {"max": "max held-out tune clean/camera", "share": "1 % of tune clean, camera under"}
#: The share of tune clean faces a threshold may flag held out (the ``share`` rule).
CLEAN_SHARE: Final = 0.01
#: Each rule as ``clip_conditions.json``'s provenance states it.
THRESHOLD_RULES: Final = {
    "max": "highest leave-one-source-out score of a tune clean face or camera variant",
    "share": "the lowest threshold over which at most 1% of the tune clean faces' leave-one-source-out"
    " scores fall, raised to the highest tune camera variant's",
}


def loso_threshold(held_clean: np.ndarray, share: float = CLEAN_SHARE) -> float:
    """The lowest threshold that flags at most ``share`` of the held-out clean scores (over it)."""
    ranked = np.sort(np.asarray(held_clean, float))[::-1]
    allowed = int(np.floor(share * len(ranked) + 1e-9))
    return float(ranked[min(allowed, len(ranked) - 1)])


def thresholds(clean_real: np.ndarray, camera: np.ndarray) -> dict[str, float]:
    """Each rule's threshold from the held-out tune scores of clean real faces and camera variants."""
    top_camera = float(np.max(camera)) if len(camera) else -np.inf
    return {
        "max": max(float(np.max(clean_real)), top_camera),
        "share": max(loso_threshold(clean_real), top_camera),
    }


def _caught(
    rows: list[dict[str, Any]],
    held: np.ndarray,
    thr: float,
    pos: np.ndarray,
    real: np.ndarray,
    qual: np.ndarray,
    cond: str,
) -> str:
    """Held-out positives over ``thr``: real (of the qualified), and for covered eyes the real
    sunglasses apart from the real occlusions by anything else (hands, hair, objects), then the
    derived variants (of the qualified)."""
    over = held > thr

    def n(mask: np.ndarray) -> str:
        return f"{int((mask & over).sum())}/{int(mask.sum())}"

    out = f"real {n(pos & real)} ({n(pos & real & qual)} qualified)"
    if cond == "eyes_covered":
        sun = np.array([r["attrs"].get("sunglasses") is True for r in rows])
        out += f" [sunglasses {n(pos & real & sun)}, hands/hair/objects {n(pos & real & ~sun)}]"
    return out + f", derived {n(pos & ~real)} ({n(pos & ~real & qual)} qualified)"


def probe(
    rows: list[dict[str, Any]],
    emb: dict[str, Any],
    cond: str,
    setting: Setting,
    qualified: dict[str, bool],
    by_kind: bool = True,
    rule: str = "max",
) -> dict[str, Any]:
    """Fit, validate (LOSO; LOKO unless ``by_kind`` is False: a lambda search does not read it)
    and freeze one probe; its figures as lines and numbers. ``rule``: the threshold the probe
    freezes (:func:`thresholds`); the other rule's tune figures are printed beside it."""
    view, feat, lam = setting
    lab = [conditions(r["attrs"])[cond] for r in rows]
    x_all = np.array([emb[f"{r['key']}|{view}"][feat] for r in rows], float)
    split = np.array([r["split"] for r in rows])
    kind = np.array([r["kind"] for r in rows])
    src = np.array([r["source"] for r in rows])
    clean = np.array([r["clean"] for r in rows])
    known = np.array([v is not None for v in lab])
    y_all = np.array([1.0 if v else 0.0 for v in lab])
    qual = np.array([qualified.get(r["key"], False) for r in rows])
    tr = (split == "tune") & known
    model = _fit(x_all[tr], y_all[tr], lam)
    # leave-one-source-out: a source's real faces and every variant made from them together
    held = np.full(len(rows), np.nan)
    for s in np.unique(src[split == "tune"]):
        out = (split == "tune") & (src == s)
        if not (tr & ~out).any():
            continue
        m = _fit(x_all[tr & ~out], y_all[tr & ~out], lam, model)
        held[out] = _score(m, x_all[out])
    real = kind == "real"
    tune_clean = (split == "tune") & clean
    rules = thresholds(held[tune_clean & real], held[tune_clean & ~real])
    thr = rules[rule]
    pos_t = tr & (y_all == 1)
    neg_t = tr & (y_all == 0)
    lines = [
        f"== {cond} {view}/{feat} lam {lam:g}: tune positives {int(pos_t.sum())}"
        f" (real {int((pos_t & (kind == 'real')).sum())}), negatives {int(neg_t.sum())}"
    ]
    loso_auc = auc(held[pos_t & real], held[neg_t & real]) if (pos_t & real).any() else float("nan")
    loso_auc_all = auc(held[pos_t], held[neg_t])
    lines.append(
        f"  tune LOSO AUC real {loso_auc:.3f} (all incl. derived {loso_auc_all:.3f});"
        f" threshold ({RULES[rule]}) {thr:.2f}"
    )
    tune_other = (split == "tune") & ~clean & (y_all == 0) & known
    for name, t in rules.items():  # both rules' tune figures (what the rule choice reads)

        def n(mask: np.ndarray, t: float = t) -> str:
            return f"{int((held[mask] > t).sum())}/{int(mask.sum())}"

        lines.append(
            f"  tune LOSO at {RULES[name]} {t:.3f}: {_caught(rows, held, t, pos_t, real, qual, cond)};"
            f" clean real flagged {n(tune_clean & real)} ({n(tune_clean & real & qual)} qualified),"
            f" camera {n(tune_clean & ~real)}, other negatives {n(tune_other)}"
            f" ({n(tune_other & qual)} qualified)"
        )

    def caught_by_kind(mask: np.ndarray, score: np.ndarray) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for k in sorted(set(kind[mask])):
            mk = mask & (kind == k)
            out[k] = [
                int((score[mk] > thr).sum()),
                int(mk.sum()),
                int((score[mk & qual] > thr).sum()),
                int((mk & qual).sum()),
            ]
        return out

    tune_lines = len(lines)  # the lines above read tune only (a lambda search prints them)
    loso = caught_by_kind(pos_t, held)
    lines.append(
        "  tune LOSO positives caught (all / of enrollment-strict qualified): "
        + ", ".join(f"{k} {a}/{b} ({c}/{d})" for k, (a, b, c, d) in loso.items())
    )
    real_caught = sorted(rows[i]["name"] for i in np.flatnonzero(pos_t & real & (held > thr)))
    lines.append(f"  tune LOSO real positives caught: {real_caught}")
    # leave-one-derived-kind-out: every variant of a kind held out (real faces always in training)
    loko: dict[str, list[int]] = {}
    for k in sorted(set(kind[pos_t]) - {"real"}) if by_kind else ():
        out = kind == k
        m = _fit(x_all[tr & ~out], y_all[tr & ~out], lam, model)
        for sp in ("tune", "test"):
            mk = out & (split == sp) & known & (y_all == 1)
            sc = _score(m, x_all[mk])
            loko.setdefault(k, []).extend([int((sc > thr).sum()), int(mk.sum())])
    lines.append(
        "  leave-one-KIND-out, positives of the held-out kind caught (tune / test): "
        + ", ".join(f"{k} {a}/{b}, {c}/{d}" for k, (a, b, c, d) in loko.items())
    )
    score = _score(model, x_all)
    te = (split == "test") & known
    pos_e, neg_e = te & (y_all == 1), te & (y_all == 0)
    test_auc = auc(score[pos_e & real], score[neg_e & real]) if (pos_e & real).any() else float("nan")
    lines.append(f"  frozen on test: AUC real {test_auc:.3f}, all {auc(score[pos_e], score[neg_e]):.3f}")
    test = caught_by_kind(pos_e, score)
    lines.append(
        "  test positives caught (all / of enrollment-strict qualified): "
        + ", ".join(f"{k} {a}/{b} ({c}/{d})" for k, (a, b, c, d) in test.items())
    )
    hit = np.flatnonzero(pos_e & real & (score > thr))
    named = sorted(rows[i]["name"] + (" [Q]" if qual[i] else "") for i in hit)
    lines.append(f"  test real positives caught: {named}")
    tc = (split == "test") & clean
    lost = {
        "clean_real": [int((score[tc & real] > thr).sum()), int((tc & real).sum())],
        "clean_real_qualified": [int((score[tc & real & qual] > thr).sum()), int((tc & real & qual).sum())],
        "camera": [int((score[tc & ~real] > thr).sum()), int((tc & ~real).sum())],
    }
    lines.append(
        f"  test clean real flagged {lost['clean_real']} (qualified {lost['clean_real_qualified']}),"
        f" camera variants flagged {lost['camera']}; max clean test {score[tc].max():.2f}"
    )
    flagged = sorted(rows[i]["name"] for i in np.flatnonzero(tc & (score > thr)))
    if flagged:
        lines.append(f"  test clean flagged: {flagged}")
    other = te & (y_all == 0) & ~clean & qual
    n_other = f"{int((score[other] > thr).sum())}/{int(other.sum())}"
    lines.append(f"  test other negatives qualified today flagged {n_other}")
    n_tune = int((held[tune_other] > thr).sum())
    lines.append(f"  tune other negatives (LOSO) flagged {n_tune}/{int(tune_other.sum())}")
    return {
        "lines": lines,
        "tune_lines": tune_lines,
        "tune_negatives_flagged": n_tune,
        "threshold": thr,
        "rule": rule,
        "loso_auc_real": loso_auc,
        "loso_auc_all": loso_auc_all,
        "test_auc_real": test_auc,
        "loso": loso,
        "loko": loko,
        "test": test,
        "test_real_caught": named,
        "lost": lost,
        "mean": model[0].tolist(),
        "sd": model[1].tolist(),
        "w": model[2].tolist(),
        "b": model[3],
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="render_separation.py's crop cache")
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--embed-cache", type=Path, default=None, help="model_separation.py's embeddings")
    ap.add_argument("--variants-cache", type=Path, required=True, help="model_separation.py's variants")
    ap.add_argument("--derived-cache", type=Path, required=True, help="the other derived variants (pickle)")
    ap.add_argument("--derived-embed-cache", type=Path, default=None)
    ap.add_argument(
        "--extra-cache", type=Path, default=None, help="crops of real faces labelled since --cache (pickle)"
    )
    ap.add_argument("--collect-only", action="store_true")
    ap.add_argument("--verdicts", type=Path, default=None, help="verdict_quality.py --json output")
    ap.add_argument("--conditions", nargs="+", default=list(CONDITIONS), choices=list(CONDITIONS))
    ap.add_argument("--views", nargs="+", default=["head", "face"], choices=["head", "face"])
    ap.add_argument("--feats", nargs="+", default=["emb"], choices=["emb", "cls"])
    ap.add_argument("--lams", nargs="+", type=float, default=[10.0])
    ap.add_argument(
        "--write-probes",
        nargs="+",
        default=None,
        metavar="CONDITION=LAMBDA",
        help="fit these on the photograph probe's embedding and write clip_conditions.json",
    )
    ap.add_argument("--out", type=Path, default=None, help="write each probe's figures and weights (JSON)")
    args = ap.parse_args(argv)
    rows = load_rows(args)
    emb = embeddings(rows, args)
    if args.collect_only:
        return 0
    qualified = _qualified(args.verdicts)
    if args.write_probes:
        write_probes(rows, emb, args.write_probes, qualified)
        return 0
    print(f"faces: {len(rows)} ({sum(r['kind'] == 'real' for r in rows)} real)")
    for cond in args.conditions:
        for view in args.views:
            for feat in args.feats:
                for lam in args.lams:
                    res = probe(rows, emb, cond, Setting(view, feat, lam), qualified)
                    print("\n".join(res.pop("lines")))
                    if args.out:
                        key = f"{cond}|{view}|{feat}|{lam:g}"
                        old = json.loads(args.out.read_text()) if args.out.is_file() else {}
                        old[key] = res
                        args.out.write_text(json.dumps(old, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
