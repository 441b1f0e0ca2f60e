"""Photograph or render? How well candidate measures separate renders and GAN faces
from real photographs on the truth set (issue 18), with leave-one-source-out validation.

    python benchmarks/photo_separation.py [--cache /tmp/photo_sep.json] [--no-test]

For every real labelled face (corpus and gathered, not the derived variants) the
face crop and mesh are taken as the local detector takes them
(``quality_faces.faces_of``) and the dlib descriptor as ``facecurator.detect.embed``
computes it. Classes: ``render`` (``not_photo`` faces whose notes name a render, a
GAN/generated face, a 3-D or CGI image or a painting), ``drawing`` (the other
``not_photo`` faces), ``clean`` (every flag 0) and ``must-not`` (other real faces).

Candidates (each on the 40 % of the eroded face oval where the shape changes least,
"flat skin", of the shared crop at <= 64 px between the eyes unless said):

- sensor noise: ``res_rel`` luma minus its 3x3 mean, RMS over mean luma (%);
  ``res_corr1`` lag-1 correlation of the luma minus its Gaussian (sigma 1.5):
  renders and GAN upsampling give smooth or structured residuals; ``cres_ratio``
  chroma residual over luma residual; ``noise_sigma`` / ``noise_chroma`` Immerkaer's
  noise estimate (luma; mean of Cr, Cb over luma) at working resolution;
- texture: ``lbp_flat`` share of flat 8-neighbour LBP codes; ``ori_entropy``
  gradient-orientation entropy (12 bins);
- colour: ``sat_std``, ``hue_spread`` (1 - mean resultant length), ``ab_std``
  (CIELAB a*b* spread), ``specular`` (share within 2 % of the p99 lightness);
- spectrum (central 64/128 px square of the face at working resolution):
  ``spec_slope`` (log-log slope 0.1..0.45 cycles/px), ``hf_share`` (energy above
  0.25 cycles/px), ``hf_peak`` (log max/median in the outer annulus: upsampling peaks);
- ``embedding``: a logistic regression on the 128-d dlib descriptor (our own fit on
  the tune split, L2, balanced classes).

Printed: per split and class the min/p5/p50/p95/max of every candidate; per
candidate the AUC of render against clean and the share of renders beyond every
clean face (what a threshold that rejects no clean face could catch). On the tune
split, leave-one-source-out (LOSO) for the two classifiers (hand features, embedding):
fit on the other sources, threshold at the highest clean training score, score the
held-out source. The test split is reported once, with the classifier fitted on all
of tune. Thresholds are never chosen on test.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality_faces import faces_of, match

from benchmarks.truthset.detections import Runner, default_cache_dir, match_face
from benchmarks.truthset.labels import LABELS_CSV, Label, missing_note, read_labels, resolve
from facecurator.detect.quality.base import face_view

CLASSES = ("render", "drawing", "clean", "must-not")
HAND = (
    "res_rel", "res_corr1", "cres_ratio", "noise_sigma", "noise_chroma", "lbp_flat", "ori_entropy",
    "sat_std", "hue_spread", "ab_std", "specular", "spec_slope", "hf_share", "hf_peak",
)  # fmt: skip
_RENDER = re.compile(r"GAN|generated|render|toonif|CGI|3-D|Arcane|painting", re.I)
_DRAWN = re.compile(r"anime|manga|comic|sketch|drawing of|texture map", re.I)
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def face_class(label: Label) -> str:
    if label.attrs.get("not_photo"):
        return "render" if _RENDER.search(label.notes) and not _DRAWN.search(label.notes) else "drawing"
    return "clean" if label.clean else "must-not"


def candidates(crop: np.ndarray, mesh: np.ndarray) -> dict[str, float] | None:
    """Every hand-made candidate of one face (None when the face is too small)."""
    v = face_view(crop, mesh)
    if v.small is None or v.small_mask is None or v.box is None:
        return None
    oval = cv2.erode(v.small_mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2) > 0
    if oval.sum() < 200:
        return None
    g = cv2.cvtColor(v.small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    shape = cv2.GaussianBlur(g, (0, 0), 2.0)
    slope = cv2.magnitude(cv2.Sobel(shape, cv2.CV_32F, 1, 0), cv2.Sobel(shape, cv2.CV_32F, 0, 1))
    flat = oval & (slope <= np.quantile(slope[oval], 0.4))
    out: dict[str, float] = {"ied": float(v.ied)}
    res = g - cv2.blur(g, (3, 3))
    out["res_rel"] = float(np.sqrt((res[flat] ** 2).mean())) / max(float(g[flat].mean()), 1.0) * 100
    fine = g - cv2.GaussianBlur(g, (0, 0), 1.5)
    pair = flat[:, :-1] & flat[:, 1:]
    a, b = fine[:, :-1][pair], fine[:, 1:][pair]
    out["res_corr1"] = float(np.corrcoef(a, b)[0, 1]) if a.size > 50 and a.std() > 0 and b.std() > 0 else 0.0
    ycc = cv2.cvtColor(v.small, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    cres = np.hypot(ycc[..., 1] - cv2.blur(ycc[..., 1], (3, 3)), ycc[..., 2] - cv2.blur(ycc[..., 2], (3, 3)))
    out["cres_ratio"] = float(cres[flat].mean()) / max(float(np.abs(res[flat]).mean()), 0.05)
    out.update(_native_noise(crop, v.box, v.small_mask, v.ied))
    codes = np.zeros(g.shape, np.uint8)
    for k, (dy, dx) in enumerate(((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))):
        codes |= (np.roll(g, (-dy, -dx), (0, 1)) >= g + 1).astype(np.uint8) << k
    out["lbp_flat"] = float(np.isin(codes[flat], (0, 255)).mean())
    gx, gy = cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1)
    hist, _ = np.histogram(np.arctan2(gy, gx)[flat] % np.pi, bins=12, weights=cv2.magnitude(gx, gy)[flat])
    p = hist / max(float(hist.sum()), 1e-9)
    out["ori_entropy"] = float(-(p[p > 0] * np.log(p[p > 0])).sum() / np.log(12))
    hsv = cv2.cvtColor(v.small, cv2.COLOR_RGB2HSV_FULL).astype(np.float32)
    hue = hsv[..., 0][oval] * 2 * np.pi / 256
    out["sat_std"] = float(hsv[..., 1][oval].std())
    out["hue_spread"] = float(1 - np.hypot(np.cos(hue).mean(), np.sin(hue).mean()))
    lab = cv2.cvtColor(v.small, cv2.COLOR_RGB2LAB).astype(np.float32)
    out["ab_std"] = float(np.hypot(lab[..., 1][oval].std(), lab[..., 2][oval].std()))
    light = lab[..., 0][oval]
    out["specular"] = float((light > np.quantile(light, 0.99) * 0.98).mean())
    out.update(_spectrum(crop, v.box))
    return out


def _native_noise(
    crop: np.ndarray, box: tuple[int, int, int, int], mask: np.ndarray, ied: float
) -> dict[str, float]:
    x0, y0, x1, y1 = box
    rgb = np.ascontiguousarray(crop[y0:y1, x0:x1])
    oval = cv2.resize(mask.astype(np.uint8), (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    oval = cv2.erode(oval, np.ones((5, 5), np.uint8), iterations=2) > 0
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    shape = cv2.GaussianBlur(g, (0, 0), max(1.0, ied / 32))
    slope = cv2.magnitude(cv2.Sobel(shape, cv2.CV_32F, 1, 0), cv2.Sobel(shape, cv2.CV_32F, 0, 1))
    if oval.sum() < 200:
        return {"noise_sigma": float("nan"), "noise_chroma": float("nan")}
    flat = oval & (slope <= np.quantile(slope[oval], 0.4))

    def sigma(channel: np.ndarray) -> float:
        return float(
            np.sqrt(np.pi / 2) * np.abs(cv2.filter2D(channel, cv2.CV_32F, _IMMERKAER)[flat]).mean() / 6
        )

    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    luma = sigma(g)
    chroma = (sigma(ycc[..., 1]) + sigma(ycc[..., 2])) / 2
    return {"noise_sigma": luma, "noise_chroma": chroma / max(luma, 1e-3)}


def _spectrum(crop: np.ndarray, box: tuple[int, int, int, int]) -> dict[str, float]:
    x0, y0, x1, y1 = box
    g = cv2.cvtColor(np.ascontiguousarray(crop[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY).astype(np.float32)
    n = 64 if min(g.shape) < 128 else 128
    cy, cx = g.shape[0] // 2, g.shape[1] // 2
    patch = g[max(0, cy - n // 2) : cy + n // 2, max(0, cx - n // 2) : cx + n // 2]
    if patch.shape != (n, n):
        return {"spec_slope": float("nan"), "hf_share": float("nan"), "hf_peak": float("nan")}
    power = (
        np.abs(np.fft.fftshift(np.fft.fft2((patch - patch.mean()) * np.outer(np.hanning(n), np.hanning(n)))))
        ** 2
    )
    yy, xx = np.indices(power.shape)
    rr = np.hypot(yy - n / 2, xx - n / 2)
    radial = np.array([power[(rr >= k) & (rr < k + 1)].mean() for k in range(1, n // 2)])
    freq = np.arange(1, n // 2) / n
    sel = (freq > 0.1) & (freq < 0.45)
    outer = power[rr > n * 0.2]
    return {
        "spec_slope": float(np.polyfit(np.log(freq[sel]), np.log(radial[sel] + 1e-9), 1)[0]),
        "hf_share": float(radial[freq > 0.25].sum() / radial.sum()),
        "hf_peak": float(np.log(outer.max() / max(float(np.median(outer)), 1e-9))),
    }


def collect(labels: Sequence[Label]) -> list[dict[str, Any]]:
    """Candidates and descriptor of every real labelled face (detections from the bench cache)."""
    from facecurator.detect.embed import make_embedder

    runner = Runner(default_cache_dir())
    embedder = make_embedder()
    by_image: dict[Path, list[Label]] = {}
    for label in labels:
        if label.set != "derived" and label.path is not None:
            by_image.setdefault(label.path, []).append(label)
    rows = []
    spent, measured = 0.0, 0
    for n, (path, group) in enumerate(sorted(by_image.items(), key=lambda kv: str(kv[0]))):
        data = path.read_bytes()
        detected = runner.detect(path)
        faces = faces_of(runner.detector, data, path.name)
        vectors = embedder.embed_image(data, detected.faces, name=path.name).faces if detected.faces else []
        for label in group:
            f = match(faces, label.face_x, label.face_y)
            t0 = time.process_time()
            features = None if f is None else candidates(f["crop"], f["mesh"])
            spent, measured = spent + time.process_time() - t0, measured + (f is not None)
            index = match_face((label.face_x, label.face_y), detected)
            vec = vectors[index] if index is not None and index < len(vectors) else None
            rows.append(
                {
                    "key": label.key,
                    "source": label.source,
                    "split": label.split,
                    "class": face_class(label),
                    "features": features,
                    "embedding": None if vec is None else [float(x) for x in vec.vector],
                }
            )
        if n % 50 == 0:
            print(f"  {n}/{len(by_image)} images", file=sys.stderr)
    runner.close()
    print(f"hand-made candidates: {spent / max(measured, 1) * 1000:.1f} ms CPU per face ({measured} faces)")
    return rows


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    return float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))


def distributions(rows: list[dict[str, Any]], split: str) -> None:
    faces = [r for r in rows if r["split"] == split and r["features"]]
    print(f"\n=== {split}: {dict(Counter(r['class'] for r in faces))} faces with a mesh ===")
    print("candidate     class      min      p5     p50     p95     max")
    for name in ("ied", *HAND):
        for cls in CLASSES:
            v = _values(faces, name, cls)
            if v.size:
                q = np.quantile(v, (0.05, 0.5, 0.95))
                print(
                    f"{name:13s} {cls:8s} {v.min():7.3f} {q[0]:7.3f} {q[1]:7.3f} {q[2]:7.3f} {v.max():7.3f}"
                )
    print("\ncandidate     AUC(render>clean)  renders above every clean  below every clean")
    for name in HAND:
        pos, neg = _values(faces, name, "render"), _values(faces, name, "clean")
        if pos.size and neg.size:
            above, below = np.mean(pos > neg.max()), np.mean(pos < neg.min())
            print(f"{name:13s} {auc(pos, neg):17.3f} {above:26.2f} {below:18.2f}")


def _values(faces: list[dict[str, Any]], name: str, cls: str) -> np.ndarray:
    v = np.array([r["features"][name] for r in faces if r["class"] == cls], dtype=float)
    return v[~np.isnan(v)]


def _vector(row: dict[str, Any], kind: str) -> np.ndarray | None:
    if kind == "embedding":
        return None if row["embedding"] is None else np.array(row["embedding"])
    if not row["features"]:
        return None
    v = np.array([row["features"][k] for k in HAND], dtype=float)
    return None if np.isnan(v).any() else v


def fit(x: np.ndarray, y: np.ndarray, lam: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """L2 logistic regression on standardised inputs, balanced classes (gradient descent)."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(800):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * weight
        w -= 0.1 * (z.T @ g / len(y) + lam * w / len(y))
        b -= 0.1 * float(g.mean())
    return mu, sd, w, b


def score(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray) -> np.ndarray:
    mu, sd, w, b = model
    return np.asarray(((x - mu) / sd) @ w + b)


def classifier(rows: list[dict[str, Any]], kind: str, with_test: bool) -> None:
    tune = [r for r in rows if r["split"] == "tune" and _vector(r, kind) is not None]
    x = np.array([_vector(r, kind) for r in tune])
    y = np.array([r["class"] in ("render", "drawing") for r in tune], dtype=float)
    src = np.array([r["source"] for r in tune])
    clean = np.array([r["class"] == "clean" for r in tune])
    render = np.array([r["class"] == "render" for r in tune])
    margin = np.zeros(len(tune))
    for source in sorted(set(src)):
        held = src == source
        model = fit(x[~held], y[~held])
        margin[held] = score(model, x[held]) - score(model, x[~held & clean]).max()
    flagged = Counter(r["class"] for r, m in zip(tune, margin, strict=True) if m > 0)
    total = Counter(r["class"] for r in tune)
    print(f"\n{kind} classifier, tune LOSO (threshold: highest clean training score):")
    print("  flagged " + ", ".join(f"{c} {flagged[c]}/{total[c]}" for c in CLASSES if total[c]))
    print(f"  AUC render vs clean (held-out margins): {auc(margin[render], margin[clean]):.3f}")
    model = fit(x, y)
    inside = score(model, x)
    print(f"  in-sample AUC render vs clean: {auc(inside[render], inside[clean]):.3f}")
    if not with_test:
        return
    test = [r for r in rows if r["split"] == "test" and _vector(r, kind) is not None]
    s = score(model, np.array([_vector(r, kind) for r in test])) - inside[clean].max()
    flagged = Counter(r["class"] for r, m in zip(test, s, strict=True) if m > 0)
    total = Counter(r["class"] for r in test)
    cls = np.array([r["class"] for r in test])
    print(
        "  test (fitted on all of tune): flagged "
        + ", ".join(f"{c} {flagged[c]}/{total[c]}" for c in CLASSES if total[c])
    )
    print(f"  test AUC render vs clean: {auc(s[cls == 'render'], s[cls == 'clean']):.3f}")


def cached_rows(
    cache: Path | None,
    make: Callable[[Sequence[Label]], Any],
    load: Callable[[Path], Any],
    save: Callable[[Path, Any], object],
) -> Any:
    """What ``make`` measures of every labelled face found on this machine, read from
    ``cache`` when it exists (``load``) and written there otherwise (``save``)."""
    if cache and cache.is_file():
        return load(cache)
    labels, missing = resolve(read_labels(LABELS_CSV))
    print(f"{len(labels)} labels ({len(missing)} photos not on this machine)", file=sys.stderr)
    note = missing_note(missing)
    if note:
        print(note, file=sys.stderr)
    rows = make(labels)
    if cache:
        save(cache, rows)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="read/write the measured faces here (JSON)")
    ap.add_argument("--no-test", action="store_true", help="report the tune split only")
    args = ap.parse_args(argv)
    rows = cached_rows(
        args.cache, collect, lambda p: json.loads(p.read_text()), lambda p, r: p.write_text(json.dumps(r))
    )
    splits = ("tune",) if args.no_test else ("tune", "test")
    for split in splits:
        distributions(rows, split)
    for kind in ("hand", "embedding"):
        classifier(rows, kind, with_test=not args.no_test)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
