"""Photograph or not? The ninth round (issue 18): natural-scene statistics of the face
(``nss_features.py``: BRISQUE-style MSCN, Lyu & Farid wavelet statistics) read out by a
small regularised linear model, validated leave-one-source-out.

    python benchmarks/natural_scene_separation.py --cache /tmp/render_sep.pkl \
        [--outside /work/outside --outside /work/outside2 --outside-cache /tmp/out.pkl] \
        [--features-cache /tmp/nss_feats.pkl]

Faces: every real labelled face with its crop and mesh as ``render_separation.py`` collects
them (same ``--cache`` file); classes ``not_photo`` (``render`` + ``drawing``) and ``clean``.
Optional outside sets (a folder with ``labels.csv`` in the truth-set format and
``photos/``; never committed) are detected the same way and only scored.

Feature sets: ``b_face`` / ``b_all`` (MSCN over the face oval / the whole crop, 36 each),
``lf_face`` / ``lf_all`` (wavelet, 216 each), at two working scales: the crop reduced
(never enlarged) to 64 and to 32 px between the eyes; and ``b_face`` / ``b_all`` at the
working resolution for faces with >= 60 px between the eyes (``nat``).

Read-outs (no threshold is adopted here):
1. L2-regularised logistic regression (class-balanced, features standardised on the
   training fold, variances as logs) on tune ``not_photo`` vs ``clean``: leave-one-source-
   out AUC, and the held-out flag rates at the training fold's 99th clean percentile;
   the same over 5 source-grouped folds (AUC inside each fold); then the model fitted on
   all of tune, frozen, scored on test and the outside sets at the tune 99th percentile.
2. One-class (NIQE-style): a Gaussian fitted to the tune clean faces' numbers only
   (covariance shrunk toward the identity), the Mahalanobis distance as the score; tune
   clean faces scored leave-one-source-out; threshold the tune clean 99th percentile.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nss_features import brisque, lyu_farid, names
from photo_separation import auc
from render_separation import cached_crops

from facecurator.detect.quality.base import FACE_OVAL, inter_eye_distance

_FLAGS = ("sunglasses", "mask", "left_eye_closed", "right_eye_closed", "eyes_occluded", "nose_mouth_occluded")
_FLAGS += ("blurred", "compressed", "upscaled", "underexposed", "overexposed", "pitch_over30", "yaw_over30")
_FLAGS += ("roll_over30", "not_photo")
GROUPS: tuple[tuple[str, ...], ...] = (
    ("b_face",),
    ("b_all",),
    ("b_face", "b_all"),
    ("lf_face",),
    ("lf_all",),
    ("b_face", "b_all", "lf_face", "lf_all"),
)
BN, LF = names()


def collect_outside(folders: Sequence[Path]) -> list[dict[str, Any]]:
    """Crop and mesh of every labelled face of the outside folders."""
    from quality_faces import faces_of, match

    from facecurator.detect.local import LocalDetector

    det, rows = LocalDetector(), []
    for root in folders:
        with (root / "labels.csv").open(newline="", encoding="utf-8") as fh:
            labels = list(csv.DictReader(fh))
        found: dict[Path, list[dict]] = {}
        for r in labels:
            p = root / "photos" / r["file"]
            if p not in found:
                found = {p: faces_of(det, p.read_bytes(), p.name)}
            f = match(found[p], float(r["face_x"]), float(r["face_y"]))
            if f is None:
                continue
            cls = (
                "render"
                if r["not_photo"] == "1"
                else "clean"
                if all(r[a] == "0" for a in _FLAGS)
                else "must-not"
            )
            png = cv2.imencode(".png", cv2.cvtColor(f["crop"], cv2.COLOR_RGB2BGR))[1].tobytes()
            key = f"{root}:{r['file']}@{r['face_x']},{r['face_y']}"
            rows.append({"key": key, "split": root.name, "class": cls, "png": png, "mesh": f["mesh"]})
            rows[-1]["source"] = r["source"]
    return rows


def _oval(shape: tuple[int, ...], mesh: np.ndarray) -> np.ndarray:
    oval = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(oval, [np.round(mesh[list(FACE_OVAL), :2]).astype(np.int32)], (1,))
    return cv2.erode(oval, np.ones((5, 5), np.uint8)) > 0


def features(row: dict[str, Any]) -> dict[str, dict[str, list[float]] | None]:
    """Every feature set of one face at the three scales (None where not measured)."""
    crop = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(row["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    mesh = np.asarray(row["mesh"], np.float64)
    ied = inter_eye_distance(mesh)
    out: dict[str, dict[str, list[float]] | None] = {}
    for tag, target in (("n64", 64.0), ("n32", 32.0), ("nat", None)):
        img, m = crop, mesh
        if target is None and ied < 60:
            out[tag] = None
            continue
        if target is not None and ied > target:
            f = target / ied
            size = (max(1, round(crop.shape[1] * f)), max(1, round(crop.shape[0] * f)))
            img, m = cv2.resize(crop, size, interpolation=cv2.INTER_AREA), mesh.copy()
            m[:, :2] *= f
        oval = _oval(img.shape, m)
        if ied < 16 or oval.sum() < 200:
            out[tag] = None
            continue
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
        d = {"b_face": brisque(g, oval), "b_all": brisque(g, None)}
        if target is not None:
            d |= {"lf_face": lyu_farid(img, oval), "lf_all": lyu_farid(img, None)}
        out[tag] = d
    return out


def vector(f: dict[str, list[float]], groups: Sequence[str]) -> np.ndarray:
    """The face's numbers of ``groups``, variances as logs."""
    out = []
    for g in groups:
        for n, x in zip(BN if g.startswith("b_") else LF, f[g], strict=True):
            log = n.endswith(("_v", "_l", "_r")) and n.startswith(("s", "L"))
            out.append(np.log(max(x, 1e-6)) if log else x)
    return np.nan_to_num(np.array(out, float))


def fit_logit(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression by Newton steps."""
    p = x.shape[1]
    w, b = np.zeros(p), 0.0
    sw = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(50):
        pr = 1 / (1 + np.exp(-(x @ w + b)))
        grad = np.r_[x.T @ (sw * (pr - y)) + lam * w, np.sum(sw * (pr - y))]
        wt = sw * pr * (1 - pr)
        h = np.zeros((p + 1, p + 1))
        h[:p, :p] = x.T @ (x * wt[:, None]) + lam * np.eye(p)
        h[:p, p] = h[p, :p] = x.T @ wt
        h[p, p] = wt.sum() + 1e-9
        step = np.linalg.solve(h, grad)
        w, b = w - step[:p], b - step[p]
        if np.abs(step).max() < 1e-7:
            break
    return w, b


def table(faces: list[dict[str, Any]], split: str, res: str, groups: Sequence[str]) -> tuple[np.ndarray, ...]:
    """Features, labels (1 = not_photo, 0 = clean, -1 = must-not) and sources of a split."""
    rows = [f for f in faces if f["split"] == split and f["feat"][res] is not None]
    x = np.array([vector(f["feat"][res], groups) for f in rows])
    y = np.array(
        [1 if f["class"] in ("render", "drawing") else 0 if f["class"] == "clean" else -1 for f in rows]
    )
    return x, y, np.array([f["source"] for f in rows])


def _z(train: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu, sd = train.mean(0), train.std(0) + 1e-9
    return (train - mu) / sd, (other - mu) / sd


def supervised(
    faces: list[dict[str, Any]], res: str, groups: Sequence[str], lam: float, outside: Sequence[str]
) -> str:
    x, y, src = table(faces, "tune", res, groups)
    keep = y >= 0
    x, y, src = x[keep], y[keep], src[keep]
    score, hit = np.zeros(len(y)), np.zeros(len(y), bool)
    for s in np.unique(src):
        te = src == s
        a, b = _z(x[~te], x[te])
        w, c = fit_logit(a, y[~te].astype(float), lam)
        score[te] = b @ w + c
        hit[te] = score[te] > np.quantile((a @ w + c)[y[~te] == 0], 0.99)
    folds = []
    for seed in range(3):
        us = np.unique(src)
        np.random.default_rng(seed).shuffle(us)
        fold = np.array([dict(zip(us, np.arange(len(us)) % 5, strict=True))[s] for s in src])
        for k in range(5):
            te = fold == k
            if y[te].min() == y[te].max():
                continue
            a, b = _z(x[~te], x[te])
            w, c = fit_logit(a, y[~te].astype(float), lam)
            folds.append(auc((b @ w + c)[y[te] == 1], (b @ w + c)[y[te] == 0]))
    line = f"{res} {'+'.join(groups):28s} lam {lam:4.0f}: LOSO AUC {auc(score[y == 1], score[y == 0]):.2f}"
    line += f" flags not_photo {hit[y == 1].mean():.2f} clean {hit[y == 0].mean():.3f};"
    line += f" 5-fold AUC {np.mean(folds):.2f}; frozen:"
    a, _ = _z(x, x)
    w, c = fit_logit(a, y.astype(float), lam)
    thr = np.quantile((a @ w + c)[y == 0], 0.99)
    for split in ("test", *outside):
        xs, ys, _ = table(faces, split, res, groups)
        s = _z(x, xs)[1] @ w + c
        line += f" {split} AUC {auc(s[ys == 1], s[ys == 0]):.2f} {_flagged(s, ys, thr)}"
    return line


def _flagged(score: np.ndarray, y: np.ndarray, thr: float) -> str:
    """How many not-photographs and clean faces score over ``thr``."""
    np_, clean = score[y == 1], score[y == 0]
    return f"np {int((np_ > thr).sum())}/{np_.size} clean {int((clean > thr).sum())}/{clean.size}"


def mahalanobis(train: np.ndarray, other: np.ndarray, shrink: float) -> np.ndarray:
    a, b = _z(train, other)
    cov = (1 - shrink) * np.cov(a.T) + shrink * np.eye(a.shape[1])
    return np.sqrt(np.einsum("ij,jk,ik->i", b, np.linalg.inv(cov), b))


def one_class(
    faces: list[dict[str, Any]], res: str, groups: Sequence[str], shrink: float, outside: Sequence[str]
) -> str:
    x, y, src = table(faces, "tune", res, groups)
    clean = y == 0
    score = np.zeros(len(y))
    for s in np.unique(src):
        te = src == s
        score[te] = mahalanobis(x[clean & ~te], x[te], shrink)
    thr = np.quantile(score[clean], 0.99)
    line = (
        f"{res} {'+'.join(groups):14s} shrink {shrink}: tune LOSO AUC {auc(score[y == 1], score[clean]):.2f}"
    )
    line += f" {_flagged(score, y, thr)}"
    for split in ("test", *outside):
        xs, ys, _ = table(faces, split, res, groups)
        s = mahalanobis(x[clean], xs, shrink)
        line += f" | {split} AUC {auc(s[ys == 1], s[ys == 0]):.2f} {_flagged(s, ys, thr)}"
    return line


def _pickled(path: Path | None, make: Any) -> Any:
    if path and path.is_file():
        return pickle.loads(path.read_bytes())
    out = make()
    if path:
        path.write_bytes(pickle.dumps(out))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="render_separation.py's crop cache (pickle)")
    ap.add_argument("--outside", type=Path, action="append", default=[], help="an outside set's folder")
    ap.add_argument("--outside-cache", type=Path, default=None)
    ap.add_argument("--features-cache", type=Path, default=None)
    args = ap.parse_args(argv)

    def measure() -> list[dict[str, Any]]:
        rows = cached_crops(args.cache, sources=True)
        if args.outside:
            rows = rows + _pickled(args.outside_cache, lambda: collect_outside(args.outside))
        rows = [r for r in rows if r["class"] != "sketch"]
        return [{**{k: r[k] for k in ("key", "split", "class", "source")}, "feat": features(r)} for r in rows]

    faces = _pickled(args.features_cache, measure)
    outside = tuple(sorted({f["split"] for f in faces} - {"tune", "test"}))
    print(
        "1. logistic read-out (tune not_photo vs clean), leave-one-source-out; frozen model on the other sets"
    )
    for res in ("n64", "n32"):
        for groups in GROUPS:
            for lam in (10.0, 100.0):
                print(supervised(faces, res, groups, lam, outside))
    print("2. one-class Gaussian of tune clean faces (Mahalanobis distance)")
    for res in ("n64", "n32", "nat"):
        for groups in GROUPS[:3]:
            for shrink in (0.1, 0.5):
                print(one_class(faces, res, groups, shrink, outside))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
