"""Photograph or generated? The tenth round of candidates (issue 18): generator traces in the
frequency domain, measured on the truth set at the image's native resolution.

    python benchmarks/gan_spectrum.py --verdicts /tmp/vq.json [--cache /tmp/gan_spec.json]
        [--split tune] [--split test] [--robustness]

``--verdicts`` is a ``verdict_quality.py --json`` output: it names every labelled face, its
split, source, labels, detection box (pixels of the upright image) and whether each preset
qualified it; the photos are read from the truth set (``labels.resolve``'s roots) and the
derived variants from the benchmark cache (``derive.py``'s folder).

The literature (Durall et al. 2020, "Watch your up-convolution"; Frank et al. 2020,
"Leveraging frequency analysis for deep fake image recognition"; Dzanic et al. 2020;
Corvi et al. 2023) finds two traces of a generator's up-sampling (and of latent
diffusion's VAE decoder) that cameras do not leave:

- periodic peaks in the spectrum of the *noise residual* (image minus a denoised copy):
  a 2x up-sampling layer repeats its kernel every 2 output pixels, so its trace sits at
  1/2 and, through the layers below, 1/4 and 1/8 cycles/px -- frequencies that JPEG's
  8-px block grid shares (k/8 cycles/px), so a JPEG's own blocking is the confound;
- an anomalous fall-off of the power spectrum at the highest frequencies (the azimuthal
  average deviates from the power law of the mid band).

Measured here, each on the luma (float, 0-255) of two regions at native resolution --
``whole`` (the whole upright image) and ``face`` (the detection box; faces with a box
under one tile get none) -- averaged over Hann-windowed tiles of ``GAN18_TILE`` px (Welch):

- ``res_hf``: log10 of the residual's mean power at 0.375-0.5 cycles/px over 0.125-0.25
  (residual = luma minus its 3 x 3 median);
- ``img_slope``: log-log slope of the luma's azimuthal power at 0.1-0.3 cycles/px;
  ``img_tail``: the mean log10 power at 0.4-0.5 cycles/px minus the slope's extrapolation
  there (Dzanic: generated images fall off differently at the top);
- peak strength in the residual spectrum: log10 power over the median of its 5 x 5
  neighbourhood (periodic), at ``pk_half`` (period 2: (1/2, 0), (0, 1/2), (1/2, 1/2)),
  ``pk_quarter`` (the other multiples of 1/4), ``pk_odd8`` (grid points with an odd
  multiple of 1/8: JPEG's grid has them, a 2x up-sampling chain ending at 1/4 does not),
  ``pk_even_odd`` (``max(pk_half, pk_quarter) - pk_odd8``: up-sampling against blocking),
  and ``pk_off`` (the strongest point off the 8-px grid, off the axes: a resized
  generator output or a resized grid);
- ``jpeg_q`` (the file's estimated JPEG quality, 0 for PNG) and ``min_side`` for the
  confound tables.

Printed: for each split, each region and candidate the AUC of not-photographs against clean
real faces and against the clean camera variants of ``camera_variants.py`` (the same faces
re-encoded at JPEG 70-90, half size, PNG, with noise...), the share of not-photographs beyond
every clean face (each side), per-source medians; on tune a leave-one-source-out logistic
read-out; with ``--split test`` too, the read-outs frozen on tune (each candidate bounded at the
tune clean + camera extremes; the logistic fitted on all of tune and a one-class Mahalanobis
distance to the tune clean + camera faces, both bounded at their 99th percentile) scored once on
test. ``GAN18_TILE`` sets the tile side (64 by default; docs/local-detector-renders.md's tenth
round froze 128 before scoring test). No threshold is chosen on the test part.
``--robustness`` (tune only) instead re-encodes and resizes the tune not-photographs above every
clean tune face and every 8th clean tune photograph, and prints their whole-image ``pk_half``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.truthset.derive import DERIVE_VERSION
from benchmarks.truthset.detections import default_cache_dir
from benchmarks.truthset.labels import corpus_root, gathered_root

#: tile side (px); GAN18_TILE=128 gives finer frequency bins (a periodic trace stands higher above
#: the broadband background), fewer tiles
N = int(os.environ.get("GAN18_TILE", "64"))
_G = N // 8  # bins per 1/8 cycle/px
_HANN = np.outer(np.hanning(N), np.hanning(N)).astype(np.float32)
_K = np.fft.fftshift(np.fft.fftfreq(N, 1.0 / N)).astype(int)  # bin index -32..31
_KY, _KX = np.meshgrid(_K, _K, indexing="ij")
_R = np.hypot(_KY, _KX) / N  # cycles/px
_ON_GRID = (_KY % _G == 0) & (_KX % _G == 0) & ~((_KY == 0) & (_KX == 0))
_HALF = _ON_GRID & (_KY % (4 * _G) == 0) & (_KX % (4 * _G) == 0)
_QUARTER = _ON_GRID & (_KY % (2 * _G) == 0) & (_KX % (2 * _G) == 0) & ~_HALF
_ODD8 = _ON_GRID & ~(_HALF | _QUARTER)
_NEAR_GRID = np.zeros_like(_ON_GRID)
for _dy in (-1, 0, 1):
    for _dx in (-1, 0, 1):
        _NEAR_GRID |= np.roll(np.roll(_ON_GRID | ((_KY == 0) & (_KX == 0)), _dy, 0), _dx, 1)
_OFF = ~_NEAR_GRID & (np.abs(_KY) > 1) & (np.abs(_KX) > 1)
NAMES = ("res_hf", "img_slope", "img_tail", "pk_half", "pk_quarter", "pk_odd8", "pk_even_odd", "pk_off")
REGIONS = ("whole", "face")
MAX_TILES = 400


def _tiles(g: np.ndarray) -> np.ndarray:
    """Non-overlapping N x N tiles of ``g`` (at most MAX_TILES, evenly spread)."""
    h, w = g.shape
    ny, nx = h // N, w // N
    if ny == 0 or nx == 0:
        return np.zeros((0, N, N), np.float32)
    oy, ox = (h - ny * N) // 2, (w - nx * N) // 2
    t = g[oy : oy + ny * N, ox : ox + nx * N].reshape(ny, N, nx, N).swapaxes(1, 2).reshape(-1, N, N)
    if len(t) > MAX_TILES:
        t = t[np.linspace(0, len(t) - 1, MAX_TILES).astype(int)]
    return t


def _power(tiles: np.ndarray) -> np.ndarray:
    t = tiles - tiles.mean(axis=(1, 2), keepdims=True)
    spec = np.fft.fftshift(np.fft.fft2(t * _HANN), axes=(1, 2))
    return (np.abs(spec) ** 2).mean(axis=0) + 1e-6


def _radial(power: np.ndarray, lo: float, hi: float) -> float:
    sel = (lo <= _R) & (hi > _R)
    return float(power[sel].mean())


def measure(g: np.ndarray) -> dict[str, float] | None:
    """The candidates of one luma region (float32, 0-255, native resolution)."""
    tiles = _tiles(g)
    if len(tiles) == 0:
        return None
    res = g - cv2.medianBlur(g, 3)
    p_img = _power(tiles)
    p_res = _power(_tiles(res))
    out: dict[str, float] = {
        "res_hf": float(np.log10(_radial(p_res, 0.375, 0.5) / _radial(p_res, 0.125, 0.25)))
    }
    radii = np.arange(0.1, 0.5, 1.0 / N)
    logp = np.array([np.log10(_radial(p_img, r, r + 1.0 / N)) for r in radii])
    fit = radii < 0.3
    slope, icpt = np.polyfit(np.log10(radii[fit] + 0.5 / N), logp[fit], 1)
    tail = radii >= 0.4
    out["img_slope"] = float(slope)
    out["img_tail"] = float(np.mean(logp[tail] - (slope * np.log10(radii[tail] + 0.5 / N) + icpt)))
    lp = np.log10(p_res)
    bg = _median5_wrap(lp)
    pk = lp - bg
    out["pk_half"] = float(pk[_HALF].max())
    out["pk_quarter"] = float(pk[_QUARTER].max())
    out["pk_odd8"] = float(pk[_ODD8].max())
    out["pk_even_odd"] = max(out["pk_half"], out["pk_quarter"]) - out["pk_odd8"]
    out["pk_off"] = float(pk[_OFF].max())
    return out


def _median5_wrap(a: np.ndarray) -> np.ndarray:
    padded = np.pad(a, 2, mode="wrap")
    stack = np.stack([padded[dy : dy + N, dx : dx + N] for dy in range(5) for dx in range(5)])
    return np.median(stack, axis=0)


def _luma(data: bytes) -> tuple[np.ndarray, int]:
    with Image.open(io.BytesIO(data)) as img:
        quant = getattr(img, "quantization", None)
        rgb = np.asarray(ImageOps.exif_transpose(img).convert("RGB"), dtype=np.float32)
    q = 0
    if quant:
        from facecurator.detect.quality.grid import jpeg_quality

        q = int(jpeg_quality(quant).value or 0)
    return (rgb @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.float32), q


def image_path(face: dict[str, Any]) -> Path | None:
    key = face["face"]
    if face["set"] == "derived":
        set_, rel = key[len("derived:") :].split("#")[0].split("/", 1)
        origin = f"{set_}:{rel}"
        stem = hashlib.sha256(origin.encode()).hexdigest()[:16]
        folder = default_cache_dir() / "derived" / f"v{DERIVE_VERSION}"
        hits = sorted(folder.glob(f"{stem}_{face['variant']}.*"))
        return hits[0] if hits else None
    set_, rest = key.split(":", 1)
    rel = rest.rsplit("@", 1)[0]
    groot = gathered_root()
    root = corpus_root() if set_ == "corpus" else (groot or Path("/nonexistent"))
    path = root / rel
    return path if path.is_file() else None


def face_class(face: dict[str, Any]) -> str:
    if face["set"] == "derived":
        if face["clean"]:
            return "camera"
        return "sketch" if face["variant"] in ("sketch", "cartoon") else "derived"
    if face["labels"].get("not_photo"):
        return "not_photo"
    return "clean" if face["clean"] else "must_not"


def collect(faces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    wholes: dict[Path, tuple[dict[str, float] | None, int, int]] = {}
    for n, face in enumerate(faces):
        cls = face_class(face)
        if cls in ("must_not", "derived") or not face.get("found"):
            continue
        path = image_path(face)
        if path is None:
            continue
        g, q = _luma(path.read_bytes())
        if path not in wholes:
            wholes[path] = (measure(g), q, min(g.shape))
        whole, q, side = wholes[path]
        box = face["detection"]["box"]
        x0, y0 = max(0, int(box["x"])), max(0, int(box["y"]))
        x1, y1 = min(g.shape[1], int(box["x"] + box["w"])), min(g.shape[0], int(box["y"] + box["h"]))
        region = g[y0:y1, x0:x1] if x1 - x0 >= N and y1 - y0 >= N else np.zeros((0, 0), np.float32)
        rows.append(
            {
                "face": face["face"],
                "split": face["split"],
                "source": face["source"],
                "class": cls,
                "variant": face["variant"],
                "qualified": bool(face["qualified"].get("enrollment-strict")),
                "jpeg_q": q,
                "min_side": side,
                "eye_px": _eye_px(face),
                "whole": whole,
                "face_m": measure(np.ascontiguousarray(region)) if region.size else None,
            }
        )
        if n % 200 == 0:
            print(f"  {n}/{len(faces)}", file=sys.stderr)
    return rows


def _eye_px(face: dict[str, Any]) -> float:
    lm = face["detection"].get("landmarks") or []
    if len(lm) < 2:
        return float("nan")
    return float(np.hypot(lm[0][0] - lm[1][0], lm[0][1] - lm[1][1]))


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    return float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))


def values(rows: list[dict[str, Any]], region: str, name: str) -> np.ndarray:
    key = "whole" if region == "whole" else "face_m"
    return np.array([r[key][name] if r[key] else np.nan for r in rows], float)


def report(rows: list[dict[str, Any]], split: str) -> None:
    part = [r for r in rows if r["split"] == split]
    by = defaultdict(list)
    for r in part:
        by[r["class"]].append(r)
    print(f"\n== {split}: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(by.items())))
    print(
        "candidate         | AUC np>clean | np beyond clean (above/below)"
        " | AUC np>camera | camera>clean AUC | qualified np beyond clean"
    )
    for region in REGIONS:
        for name in NAMES:
            np_ = values(by["not_photo"], region, name)
            cl = values(by["clean"], region, name)
            cam = values(by["camera"], region, name)
            qual = values([r for r in by["not_photo"] if r["qualified"]], region, name)
            np_, cl, cam, qual = (a[np.isfinite(a)] for a in (np_, cl, cam, qual))
            ref = np.concatenate([cl, cam])
            if len(ref) == 0 or len(np_) == 0:
                continue
            above = np.mean(np_ > ref.max())
            below = np.mean(np_ < ref.min())
            qa = int(np.sum(qual > ref.max())) if len(qual) else 0
            qb = int(np.sum(qual < ref.min())) if len(qual) else 0
            print(
                f"{region:5s} {name:11s} | {auc(np_, cl):5.2f} (n {len(np_)}/{len(cl)})"
                f" | {above:4.2f} / {below:4.2f}"
                f" | {auc(np_, cam):5.2f} | {auc(cam, cl):5.2f} | {qa} above, {qb} below of {len(qual)}"
            )


def per_source(rows: list[dict[str, Any]], split: str, names: Sequence[tuple[str, str]]) -> None:
    part = [r for r in rows if r["split"] == split]
    groups = defaultdict(list)
    for r in part:
        label = r["class"] if r["class"] in ("camera",) else f"{r['class']}:{r['source'].split('/')[-1]}"
        if r["class"] == "camera":
            label = f"camera:{r['variant']}"
        groups[label].append(r)
    head = " ".join(f"{reg[0]}.{n:>10s}" for reg, n in names)
    print(f"\n-- {split} per source / variant, medians: {head}")
    for label, group in sorted(groups.items()):
        meds = []
        for region, name in names:
            v = values(group, region, name)
            v = v[np.isfinite(v)]
            meds.append(f"{np.median(v):12.3f}" if len(v) else f"{'-':>12s}")
        q = np.median([r["jpeg_q"] for r in group])
        print(f"{label[:44]:44s} n={len(group):3d} q~{q:3.0f} " + " ".join(meds))


def loso(
    rows: list[dict[str, Any]], region: str, names: Sequence[str], lam: float = 10.0, verbose: bool = False
) -> None:
    """Class-balanced L2 logistic on ``names``, each tune source held out in turn (the camera
    variants count as clean faces of their source face's repository)."""
    part = [r for r in rows if r["split"] == "tune" and r["class"] in ("not_photo", "clean", "camera")]
    x = np.stack([values(part, region, n) for n in names], axis=1)
    ok = np.all(np.isfinite(x), axis=1)
    part = [r for r, o in zip(part, ok, strict=True) if o]
    x = x[ok]
    y = np.array([r["class"] == "not_photo" for r in part], float)
    src = np.array([r["source"] for r in part])
    score = np.zeros(len(part))
    flagged = np.zeros(len(part), bool)
    for s in sorted(set(src)):
        tr, te = src != s, src == s
        if y[tr].min() == y[tr].max():
            continue
        mu, sd = x[tr].mean(0), x[tr].std(0) + 1e-9
        w = _fit((x[tr] - mu) / sd, y[tr], lam)
        score[te] = ((x[te] - mu) / sd) @ w[:-1] + w[-1]
        tr_clean = ((x[tr] - mu) / sd) @ w[:-1] + w[-1]
        bound = np.quantile(tr_clean[y[tr] == 0], 0.99)
        flagged[te] = score[te] > bound
    pos, neg = score[y == 1], score[y == 0]
    if verbose:
        for s in sorted(set(src)):
            m = src == s
            print(
                f"    held out {s[7:][:40]:40s}"
                f" not-photo {int(flagged[m & (y == 1)].sum())}/{int((m & (y == 1)).sum())}"
                f"  clean+camera {int(flagged[m & (y == 0)].sum())}/{int((m & (y == 0)).sum())}"
            )
    print(
        f"LOSO {region} {'+'.join(names)} (lambda {lam:g}): AUC {auc(pos, neg):.2f};"
        " flagged at the training folds' clean 99th percentile:"
        f" not-photo {int(flagged[y == 1].sum())}/{int((y == 1).sum())},"
        f" clean+camera {int(flagged[y == 0].sum())}/{int((y == 0).sum())}"
    )


def _matrix(rows: list[dict[str, Any]], region: str, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    x = np.stack([values(rows, region, n) for n in names], axis=1)
    return x, np.all(np.isfinite(x), axis=1)


def frozen(rows: list[dict[str, Any]], region: str, names: Sequence[str], lam: float) -> None:
    """Fitted on all of tune, bound at the tune clean+camera 99th percentile, scored once on test;
    and a one-class read-out: Mahalanobis distance to the tune clean+camera faces (covariance
    shrunk halfway to its diagonal), bound at their 99th percentile."""
    tune = [r for r in rows if r["split"] == "tune" and r["class"] in ("not_photo", "clean", "camera")]
    test = [r for r in rows if r["split"] == "test" and r["class"] in ("not_photo", "clean", "camera")]
    xt, ok = _matrix(tune, region, names)
    tune, xt = [r for r, o in zip(tune, ok, strict=True) if o], xt[ok]
    xs, ok = _matrix(test, region, names)
    test, xs = [r for r, o in zip(test, ok, strict=True) if o], xs[ok]
    yt = np.array([r["class"] == "not_photo" for r in tune], float)
    mu, sd = xt.mean(0), xt.std(0) + 1e-9
    w = _fit((xt - mu) / sd, yt, lam)
    st = ((xt - mu) / sd) @ w[:-1] + w[-1]
    ss = ((xs - mu) / sd) @ w[:-1] + w[-1]
    clean_t = xt[yt == 0]
    cov = np.cov(((clean_t - mu) / sd).T)
    cov = 0.5 * cov + 0.5 * np.diag(np.diag(cov))
    inv = np.linalg.inv(cov)
    cm = ((clean_t - mu) / sd).mean(0)

    def maha(x: np.ndarray) -> np.ndarray:
        d = (x - mu) / sd - cm
        return np.sqrt(np.einsum("ij,jk,ik->i", d, inv, d))

    for label, score_t, score_s in (("logistic", st, ss), ("one-class", maha(xt), maha(xs))):
        bound = np.quantile(score_t[yt == 0], 0.99)
        for split, part, sc in (("tune", tune, score_t), ("test", test, score_s)):
            cls = np.array([r["class"] for r in part])
            qual = np.array([r["qualified"] for r in part])
            npf, npq = (cls == "not_photo") & (sc > bound), (cls == "not_photo") & qual
            print(
                f"  frozen {label:9s} {region} {'+'.join(names)}: {split}"
                f" AUC {auc(sc[cls == 'not_photo'], sc[cls != 'not_photo']):.2f};"
                f" not-photo flagged {int(npf.sum())}/{int((cls == 'not_photo').sum())}"
                f" (qualified ones {int((npf & qual).sum())}/{int(npq.sum())}),"
                f" clean {int(((cls == 'clean') & (sc > bound)).sum())}/{int((cls == 'clean').sum())}"
                f" (qualified {int(((cls == 'clean') & qual & (sc > bound)).sum())}),"
                f" camera {int(((cls == 'camera') & (sc > bound)).sum())}/{int((cls == 'camera').sum())}"
            )


def single_bounds(rows: list[dict[str, Any]]) -> None:
    """Each candidate bounded at the tune clean + camera extremes (either side), scored once on test."""
    print("\nsingle candidates bounded at the tune clean+camera max / min, scored on test:")
    for region in REGIONS:
        for name in NAMES:
            ref = [r for r in rows if r["split"] == "tune" and r["class"] in ("clean", "camera")]
            v = values(ref, region, name)
            v = v[np.isfinite(v)]
            if len(v) == 0:
                continue
            hi, lo = v.max(), v.min()
            test = [r for r in rows if r["split"] == "test"]
            out = []
            for cls in ("not_photo", "clean", "camera"):
                part = [r for r in test if r["class"] == cls]
                t = values(part, region, name)
                q = np.array([r["qualified"] for r in part], bool)
                beyond = np.isfinite(t) & ((t > hi) | (t < lo))
                out.append(
                    f"{cls} {int(beyond.sum())}/{int(np.isfinite(t).sum())}"
                    f" (qualified {int((beyond & q).sum())})"
                )
            print(f"  {region:5s} {name:11s} [{lo:.2f}, {hi:.2f}]: " + ", ".join(out))


def _transforms(rgb: Image.Image) -> dict[str, Image.Image]:
    """The re-encodings and resizings of the robustness check (PIL; bicubic unless named)."""
    w, h = rgb.size
    out: dict[str, Image.Image] = {"as is": rgb}
    for q in (95, 90, 75):
        buf = io.BytesIO()
        rgb.save(buf, "JPEG", quality=q)
        out[f"JPEG q{q}"] = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    for f in (0.5, 0.75, 1.5, 2.0):
        out[f"resized x{f:g}"] = rgb.resize(
            (max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.BICUBIC
        )
    out["x2 nearest"] = rgb.resize((w * 2, h * 2), Image.Resampling.NEAREST)
    out["x2 bilinear"] = rgb.resize((w * 2, h * 2), Image.Resampling.BILINEAR)
    return out


def robustness(rows: list[dict[str, Any]]) -> None:
    """Tune only: whole-image ``pk_half`` of the not-photographs above every clean tune face, and
    of clean tune photographs, after JPEG re-encoding and bicubic resizing."""
    tune = [r for r in rows if r["split"] == "tune" and r["whole"]]
    ref = [r["whole"]["pk_half"] for r in tune if r["class"] in ("clean", "camera")]
    bound = max(ref)
    picks = {
        "not-photo above every clean": [
            r for r in tune if r["class"] == "not_photo" and r["whole"]["pk_half"] > bound
        ],
        "clean (every 8th)": [r for r in tune if r["class"] == "clean"][::8],
    }
    print(f"\nrobustness (tune, whole pk_half; tune clean + camera maximum {bound:.2f}): median [min, max]")
    for label, group in picks.items():
        paths = sorted({p for p in (image_path({**_face_of(r)}) for r in group) if p is not None})
        values_by: dict[str, list[float]] = defaultdict(list)
        for path in paths:
            with Image.open(path) as img:
                rgb = ImageOps.exif_transpose(img).convert("RGB")
            for name, im in _transforms(rgb).items():
                g = (np.asarray(im, np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(
                    np.float32
                )
                m = measure(g)
                if m:
                    values_by[name].append(m["pk_half"])
        print(f"  {label} ({len(paths)} images):")
        for name, v in values_by.items():
            a = np.array(v)
            print(
                f"    {name:12s} {np.median(a):5.2f} [{a.min():5.2f}, {a.max():5.2f}],"
                f" above {bound:.2f}: {int((a > bound).sum())}"
            )


def _face_of(row: dict[str, Any]) -> dict[str, Any]:
    """The fields ``image_path`` reads, from a cached row."""
    return {"face": row["face"], "set": row["face"].split(":", 1)[0], "variant": row["variant"]}


def _fit(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    xb = np.hstack([x, np.ones((len(x), 1))])
    wpos = 0.5 / max(y.mean(), 1e-9)
    wneg = 0.5 / max(1 - y.mean(), 1e-9)
    sw = np.where(y == 1, wpos, wneg)
    w = np.zeros(xb.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(xb @ w)))
        g = xb.T @ (sw * (p - y)) + lam * np.r_[w[:-1], 0]
        h = xb.T @ (xb * (sw * p * (1 - p))[:, None]) + lam * np.diag(np.r_[np.ones(len(w) - 1), 1e-6])
        w -= np.linalg.solve(h, g)
    return w


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verdicts", type=Path, required=True, help="verdict_quality.py --json output")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--split", action="append", choices=("tune", "test"))
    ap.add_argument(
        "--robustness", action="store_true", help="tune only: pk_half after re-encoding, resizing"
    )
    args = ap.parse_args(argv)
    splits = args.split or ["tune"]
    if args.cache and args.cache.is_file():
        rows = json.loads(args.cache.read_text())
    else:
        faces = json.loads(args.verdicts.read_text())["faces"]
        faces = [f for f in faces if f["split"] in splits]
        rows = collect(faces)
        if args.cache:
            args.cache.write_text(json.dumps(rows))
    rows = [r for r in rows if r["split"] in splits]
    if args.robustness:
        robustness(rows)
        return 0
    for split in splits:
        report(rows, split)
        per_source(
            rows,
            split,
            [
                ("whole", "res_hf"),
                ("whole", "pk_even_odd"),
                ("whole", "pk_off"),
                ("face", "res_hf"),
                ("face", "img_tail"),
                ("face", "pk_even_odd"),
            ],
        )
    if "tune" in splits:
        every = [n for n in NAMES if n != "pk_even_odd"]
        traces = ["res_hf", "img_slope", "img_tail", "pk_half", "pk_quarter", "pk_odd8"]
        for region in REGIONS:
            for names in (every, traces):
                for lam in (10.0, 100.0):
                    loso(rows, region, names, lam, verbose=region == "whole" and lam == 10.0)
        if "test" in splits:
            single_bounds(rows)
            for region in REGIONS:
                for names in (every, traces):
                    frozen(rows, region, names, 100.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
