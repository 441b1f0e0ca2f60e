"""Photograph, render or drawing? The eighth round of candidates (issue 18), measured on the
truth set: what the seventh round (``photo_separation.py``: noise, spectra, LBP, colour,
the dlib descriptor) did not try.

    python benchmarks/render_separation.py [--cache /tmp/render_sep.pkl]

Faces: every real labelled face (corpus and gathered), its working-image crop and
478-point mesh taken as the local detector takes them (``quality_faces.faces_of``),
and the ``sketch`` variants (``cv2.pencilSketch``) that ``truthset/derive.py`` makes of
every eligible clean face. Classes as in ``photo_separation.face_class``: ``render``
(``not_photo`` whose notes name a render, a GAN face, CGI, a painting), ``drawing``,
``clean`` (every flag 0), ``must-not``; plus ``sketch`` (the variants).

Candidates (the docs' "Eighth round" explains each and its hypothesis):

(a) bilateral symmetry -- ``sym3d`` / ``sym2d``: RMS residual of the mesh against its own
    mirror image (left/right point pairs from the tune clean faces' mean shape),
    Procrustes-aligned in 3-D / 2-D, over the mesh's RMS size (renders: lower?);
    ``tsym_fine`` / ``tsym_mid`` / ``tsym_low``: correlation of one cheek's luma against
    the mirrored other cheek (mesh-affine to the same canonical square, native pixel
    density), band-passed at sigma 0.7-1.5, 1.5-4 px and low-passed at 3 px (higher?);
(b) pore-scale texture at working resolution, on the smoother half of both cheek
    squares: ``noise`` (Immerkaer's sigma), ``band`` (DoG 1-2.5 px RMS over the mean
    luma, %), ``band_noise`` (band RMS over the noise), ``band_kurt`` (its kurtosis:
    painted freckles are sparse);
(c) hair -- in the upper half of the ring between the face oval and the oval x 1.35:
    ``hair_coh`` (mean structure-tensor coherence of the fine texture where it is
    strongest: rendered hair cards are regular strands), ``hair_flow`` (how smoothly
    the strand direction runs, 9 x 9 windows);
    proportions a render artist draws larger or smaller than life: ``iris`` (iris
    diameter / inter-eye distance: ~0.19 for every adult), ``nose_w``, ``mouth_w``;
    ``iris_px`` the iris read from the pixels instead of the mesh (the dark run across
    the eye between bright sclera on both sides, CIELAB lightness along the corner-to-
    corner line at the lids' mid-height; the wider eye; only with >= 60 px between the
    eyes and sclera seen on both sides of both eyes);
(d) drawings -- on ``FaceView.small``'s smooth skin (as ``stroke_texture``):
    ``hatch_coh`` (coherence of the area-summed structure tensor of the fine texture:
    hatching runs one way), ``hatch_peak`` (largest of 18 orientation bins x 18),
    and ``fine_shade`` (fine texture RMS over the shading's, sigma 2-8 band and
    low-pass: a pencil makes tone out of strokes, a photo out of shading).

Printed per split: for each candidate the AUC of render (or sketch) against clean faces
and the share of them beyond every clean face (each side), on all faces and on faces
with at least 60 px between the eyes. No threshold is chosen here.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import pickle
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photo_separation import auc, cached_rows, face_class
from quality_faces import faces_of, match

from benchmarks.truthset.derive import DERIVE_VERSION
from benchmarks.truthset.detections import default_cache_dir
from benchmarks.truthset.labels import LABELS_CSV, Label, read_labels
from facecurator.detect.quality.base import FACE_OVAL, LEFT_EYE_CONTOUR, RIGHT_EYE_CONTOUR, face_view

N = 468
RE, LE = list(RIGHT_EYE_CONTOUR), list(LEFT_EYE_CONTOUR)
SHAPE = ("sym3d", "sym2d", "tsym_fine", "tsym_mid", "tsym_low", "noise", "band", "band_noise", "band_kurt")
HAIR = ("hair_coh", "hair_flow", "iris", "nose_w", "mouth_w", "iris_px")
DRAWN = ("hatch_coh", "hatch_peak", "fine_shade")
#: the cheek square in the mean-shape frame (eye centres at x = -1, +1, y down)
CHEEK = (0.35, 1.05, 0.45, 1.25)
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def collect(labels: Sequence[Label]) -> list[dict[str, Any]]:
    """Crop (PNG) and mesh of every real labelled face and every sketch variant found."""
    from facecurator.detect.local import LocalDetector

    det = LocalDetector()
    jobs: list[tuple[Path, Label, str, tuple[float, float]]] = []
    folder = default_cache_dir() / "derived" / f"v{DERIVE_VERSION}"
    for label in labels:
        if label.set == "derived" or label.path is None:
            continue
        jobs.append((label.path, label, face_class(label), (label.face_x, label.face_y)))
        stem = hashlib.sha256(label.key.encode()).hexdigest()[:16]
        sketch, meta = folder / f"{stem}_sketch.jpg", folder / f"{stem}.centres.csv"
        if label.clean and sketch.is_file() and meta.is_file():
            with meta.open(newline="", encoding="utf-8") as fh:
                centre = {row[0]: (float(row[1]), float(row[2])) for row in csv.reader(fh)}["sketch"]
            jobs.append((sketch, label, "sketch", centre))
    rows, faces_by_path = [], {}
    for n, (path, label, cls, (fx, fy)) in enumerate(sorted(jobs, key=lambda j: str(j[0]))):
        if path not in faces_by_path:
            faces_by_path = {path: faces_of(det, path.read_bytes(), path.name)}
        f = match(faces_by_path[path], fx, fy)
        if f is None:
            continue
        png = cv2.imencode(".png", cv2.cvtColor(f["crop"], cv2.COLOR_RGB2BGR))[1].tobytes()
        key = label.key + ("#sketch" if cls == "sketch" else "")
        rows.append({"key": key, "split": label.split, "class": cls, "png": png, "mesh": f["mesh"]})
        if n % 100 == 0:
            print(f"  {n}/{len(jobs)}", file=sys.stderr)
    return rows


def eye_frame(mesh: np.ndarray) -> np.ndarray:
    """The mesh's 2-D points with the eye centres at (-1, 0) and (1, 0)."""
    p = mesh[:N, :2].astype(np.float64)
    r, left = p[RE].mean(0), p[LE].mean(0)
    d = left - r
    a = -np.arctan2(d[1], d[0])
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.asarray(((p - (r + left) / 2) @ rot.T) / (np.hypot(*d) / 2))


def mirror_map(mean: np.ndarray) -> np.ndarray:
    """``m[i]``: the mesh point at the mirror position of point ``i`` (nearest in the mean shape)."""
    flipped = mean * np.array([-1.0, 1.0])
    return np.asarray(((mean[:, None, :] - flipped[None, :, :]) ** 2).sum(-1).argmin(0))


def procrustes(p: np.ndarray, q: np.ndarray) -> float:
    """RMS residual of ``q`` aligned onto ``p`` (rotation, scale, shift) over ``p``'s RMS size."""
    p0, q0 = p - p.mean(0), q - q.mean(0)
    u, s, vt = np.linalg.svd(q0.T @ p0)
    d = np.eye(p.shape[1])
    d[-1, -1] = np.sign(np.linalg.det(u @ vt))
    scale = float((s * np.diag(d)).sum() / (q0**2).sum())
    return float(np.sqrt(((scale * q0 @ (u @ d @ vt) - p0) ** 2).sum(1).mean() / (p0**2).sum(1).mean()))


def canonical(
    grey: np.ndarray, mesh: np.ndarray, idx: np.ndarray, ref: np.ndarray, box: Sequence[float], n: int
):
    """``grey`` sampled on an n x n grid over ``box`` of the mean-shape frame (least-squares
    affine from the ``ref`` positions of mesh points ``idx`` to the image)."""
    a = np.c_[ref, np.ones(len(ref))]
    m = np.linalg.lstsq(a, mesh[idx, :2].astype(np.float64), rcond=None)[0]
    gx, gy = np.meshgrid(np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n))
    pts = np.c_[gx.ravel(), gy.ravel(), np.ones(gx.size)] @ m
    mx, my = (pts[:, k].reshape(n, n).astype(np.float32) for k in (0, 1))
    return cv2.remap(grey, mx, my, cv2.INTER_LINEAR)


def _dog(a: np.ndarray, s1: float, s2: float) -> np.ndarray:
    return np.asarray(cv2.GaussianBlur(a, (0, 0), s1) - cv2.GaussianBlur(a, (0, 0), s2))


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel() - a.mean(), b.ravel() - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-9))


def symmetry_and_pores(
    grey: np.ndarray, mesh: np.ndarray, mean: np.ndarray, mirror: np.ndarray
) -> dict[str, float]:
    """(a) and (b): mesh and cheek-texture symmetry, pore-scale texture of both cheeks."""
    out: dict[str, float] = {}
    p3 = mesh[:N, :3].astype(np.float64)
    out["sym3d"] = procrustes(p3, p3[mirror] * np.array([-1.0, 1.0, 1.0]))
    p2 = mesh[:N, :2].astype(np.float64)
    out["sym2d"] = procrustes(p2, p2[mirror] * np.array([-1.0, 1.0]))
    ied = float(np.hypot(*(p2[LE].mean(0) - p2[RE].mean(0))))
    x0, x1, y0, y1 = CHEEK
    near = np.where(
        (mean[:, 0] > x0 - 0.15)
        & (mean[:, 0] < x1 + 0.15)
        & (mean[:, 1] > y0 - 0.15)
        & (mean[:, 1] < y1 + 0.15)
    )[0]
    n = int(np.clip(ied / 2 * (x1 - x0), 16, 96))
    a = canonical(grey, mesh, near, mean[near], CHEEK, n)
    b = canonical(grey, mesh, mirror[near], mean[near] * np.array([-1.0, 1.0]), (-x0, -x1, y0, y1), n)
    out["tsym_fine"] = _corr(_dog(a, 0.7, 1.5), _dog(b, 0.7, 1.5))
    out["tsym_mid"] = _corr(_dog(a, 1.5, 4.0), _dog(b, 1.5, 4.0))
    out["tsym_low"] = _corr(cv2.GaussianBlur(a, (0, 0), 3), cv2.GaussianBlur(b, (0, 0), 3))
    noise, band, kurt = [], [], []
    for patch in (a, b):
        shape = cv2.GaussianBlur(patch, (0, 0), 2.0)
        slope = cv2.magnitude(cv2.Sobel(shape, cv2.CV_32F, 1, 0), cv2.Sobel(shape, cv2.CV_32F, 0, 1))
        flat = slope <= np.quantile(slope, 0.5)
        flat[:2, :] = flat[-2:, :] = flat[:, :2] = flat[:, -2:] = False
        noise.append(
            np.sqrt(np.pi / 2) * np.abs(cv2.filter2D(patch, cv2.CV_32F, _IMMERKAER)[flat]).mean() / 6
        )
        bp = _dog(patch, 1.0, 2.5)[flat]
        band.append(float(bp.std()))
        kurt.append(float(((bp - bp.mean()) ** 4).mean() / (bp.var() ** 2 + 1e-9)))
    light = max(float(a.mean() + b.mean()) / 2, 1.0)
    out["noise"] = float(np.mean(noise))
    out["band"] = float(np.mean(band)) / light * 100
    out["band_noise"] = float(np.mean(band)) / max(out["noise"], 0.05)
    out["band_kurt"] = float(np.mean(kurt))
    return out


def hair_and_proportions(grey: np.ndarray, mesh: np.ndarray) -> dict[str, float]:
    """(c): strand regularity above and beside the face; iris, nose and mouth over the inter-eye distance."""
    p = mesh[:, :2].astype(np.float64)
    ied = float(np.hypot(*(p[LE].mean(0) - p[RE].mean(0))))

    def dist(i: int, j: int) -> float:
        return float(np.hypot(*(p[i] - p[j])))

    iris = (dist(469, 471) + dist(470, 472) + dist(474, 476) + dist(475, 477)) / 4
    out = {"iris": iris / ied, "nose_w": dist(129, 358) / ied, "mouth_w": dist(61, 291) / ied}
    oval = p[list(FACE_OVAL)]
    c = oval.mean(0)
    inner, outer = np.zeros(grey.shape, np.uint8), np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(inner, [np.round(oval).astype(np.int32)], (1,))
    cv2.fillPoly(outer, [np.round(c + (oval - c) * 1.35).astype(np.int32)], (1,))
    ring = (outer > 0) & (inner == 0) & (np.arange(grey.shape[0])[:, None] < c[1])
    if ring.sum() < 200:
        return out | {"hair_coh": float("nan"), "hair_flow": float("nan")}
    s = max(0.7, ied / 100)
    tex = grey - cv2.GaussianBlur(grey, (0, 0), 2 * s)
    gx, gy = cv2.Sobel(tex, cv2.CV_32F, 1, 0), cv2.Sobel(tex, cv2.CV_32F, 0, 1)
    jxx, jyy, jxy = (cv2.GaussianBlur(t, (0, 0), 2 * s) for t in (gx * gx, gy * gy, gx * gy))
    energy = jxx + jyy
    strong = ring & (energy > np.quantile(energy[ring], 0.5))
    theta = np.arctan2(2 * jxy, jxx - jyy)
    flow = np.hypot(
        cv2.blur(np.cos(theta).astype(np.float32), (9, 9)), cv2.blur(np.sin(theta).astype(np.float32), (9, 9))
    )
    out["hair_coh"] = float((np.hypot(jxx - jyy, 2 * jxy) / (energy + 1e-6))[strong].mean())
    out["hair_flow"] = float(flow[strong].mean())
    return out


#: per eye: the corners, the lids' middle points (mesh indices)
_EYES = ((33, 133, 159, 145), (263, 362, 386, 374))


def iris_from_pixels(rgb: np.ndarray, mesh: np.ndarray, ied: float) -> float:
    """The wider eye's iris width over the inter-eye distance, from the pixels (NaN when
    either eye shows no sclera-iris contrast or no sclera on one side)."""
    light = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32)
    widths = []
    for a, b, up, lo in _EYES:
        pa, pb = mesh[a, :2].astype(np.float64), mesh[b, :2].astype(np.float64)
        height = float(np.hypot(*(mesh[up, :2] - mesh[lo, :2])))
        width = float(np.hypot(*(pb - pa)))
        d = (pb - pa) / max(width, 1e-6)
        normal = np.array([-d[1], d[0]])
        shift = float(np.dot((mesh[up, :2] + mesh[lo, :2]) / 2 - (pa + pb) / 2, normal))
        t = np.linspace(0, 1, 64)[:, None, None]
        offsets = (np.linspace(-0.2, 0.2, 5) * height + shift)[None, :, None]
        pts = pa + t * (pb - pa) + offsets * normal
        row = cv2.remap(
            light, pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32), cv2.INTER_LINEAR
        ).mean(1)
        core = np.zeros(64, bool)
        core[6:58] = True
        dark_level, bright = np.percentile(row[core], 10), np.percentile(row[core], 95)
        if bright - dark_level < 25:
            return float("nan")
        dark = row < (dark_level + bright) / 2
        i = j = int(np.argmin(np.where(core, row, np.inf)))
        while i > 0 and dark[i - 1]:
            i -= 1
        while j < 63 and dark[j + 1]:
            j += 1
        if i <= 2 or j >= 61:
            return float("nan")
        widths.append((j - i + 1) / 64 * width)
    return max(widths) / ied


def drawn(rgb: np.ndarray, mesh: np.ndarray) -> dict[str, float]:
    """(d): hatching direction and tone-from-strokes on the smooth skin ``stroke_texture`` reads."""
    nan = {k: float("nan") for k in DRAWN}
    v = face_view(rgb, mesh)
    if v.small_luma is None or v.small_inner is None or v.ied < 28:
        return nan
    luma, inside = v.small_luma, v.small_inner > 0
    if inside.sum() < 300:
        return nan
    shape = cv2.GaussianBlur(luma, (0, 0), 2.0)
    fine = luma - shape
    slope = cv2.magnitude(cv2.Sobel(shape, cv2.CV_32F, 1, 0), cv2.Sobel(shape, cv2.CV_32F, 0, 1))
    skin = inside & (slope <= np.quantile(slope[inside], 0.4))
    gx, gy = cv2.Sobel(fine, cv2.CV_32F, 1, 0), cv2.Sobel(fine, cv2.CV_32F, 0, 1)
    sxx, syy, sxy = (float(t[skin].sum()) for t in (gx * gx, gy * gy, gx * gy))
    hist = np.histogram(
        np.arctan2(gy, gx)[skin] % np.pi, bins=18, range=(0, np.pi), weights=cv2.magnitude(gx, gy)[skin]
    )[0]
    band = shape - cv2.GaussianBlur(luma, (0, 0), 8.0)
    low = cv2.GaussianBlur(luma, (0, 0), 8.0)
    return {
        "hatch_coh": float(np.hypot(sxx - syy, 2 * sxy) / (sxx + syy + 1e-9)),
        "hatch_peak": float(hist.max() / max(float(hist.sum()), 1e-9) * 18),
        "fine_shade": float(
            fine[inside].std() / max(float(np.hypot(band[inside].std(), low[inside].std())), 0.1)
        ),
    }


def measure(rows: list[dict[str, Any]]) -> None:
    """Adds ``features`` to every row (the mirror map from the tune clean faces' mean shape)."""
    mean = np.mean(
        [eye_frame(r["mesh"]) for r in rows if r["split"] == "tune" and r["class"] == "clean"], axis=0
    )
    mirror = mirror_map(mean)
    consistent = float(np.mean(mirror[mirror] == np.arange(N)))
    print(f"mirror map: {consistent:.0%} of the pairs are mutual", file=sys.stderr)
    for r in rows:
        rgb = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
        mesh = r["mesh"]
        ied = float(np.hypot(*(mesh[LE, :2].mean(0) - mesh[RE, :2].mean(0))))
        r["features"] = {"ied": ied}
        if ied < 20:
            continue
        r["features"] |= drawn(rgb, mesh)
        if r["class"] != "sketch":
            r["features"] |= symmetry_and_pores(grey, mesh, mean, mirror) | hair_and_proportions(grey, mesh)
            r["features"]["iris_px"] = iris_from_pixels(rgb, mesh, ied) if ied >= 60 else float("nan")


def report(rows: list[dict[str, Any]], split: str, min_ied: float) -> None:
    faces = [r for r in rows if r["split"] == split and r["features"].get("ied", 0) >= min_ied]
    print(
        f"\n=== {split}, >= {min_ied:.0f} px between the eyes: {dict(Counter(r['class'] for r in faces))} ==="
    )
    print("candidate     positives  AUC(pos>clean)  beyond every clean: above  below   clean p5 / p50 / p95")
    for names, pos_class in ((SHAPE + HAIR, "render"), (DRAWN, "sketch")):
        for name in names:
            clean = _values(faces, name, "clean")
            pos = _values(faces, name, pos_class)
            if not (clean.size and pos.size):
                continue
            q = np.quantile(clean, (0.05, 0.5, 0.95))
            print(
                f"{name:12s} {pos_class:7s} {pos.size:3d} {auc(pos, clean):10.2f}"
                f" {np.mean(pos > clean.max()):21.2f} {np.mean(pos < clean.min()):6.2f}"
                f"   {q[0]:.3f} / {q[1]:.3f} / {q[2]:.3f}"
            )


def _values(faces: list[dict[str, Any]], name: str, cls: str) -> np.ndarray:
    v = np.array([r["features"].get(name, np.nan) for r in faces if r["class"] == cls], dtype=float)
    return v[~np.isnan(v)]


def cached_crops(cache: Path | None, sources: bool = False) -> list[dict[str, Any]]:
    """``collect``'s rows, read from / written to the pickle ``cache``; with ``sources``, each
    row's ``source`` (its label's) too."""
    rows: list[dict[str, Any]] = cached_rows(
        cache,
        collect,
        lambda p: pickle.loads(p.read_bytes()),
        lambda p, r: p.write_bytes(pickle.dumps(r)),
    )
    if sources:
        source = {lab.key: lab.source for lab in read_labels(LABELS_CSV)}
        for r in rows:
            r.setdefault("source", source.get(r["key"].split("#")[0], ""))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="read/write the collected crops here (pickle)")
    args = ap.parse_args(argv)
    rows = cached_crops(args.cache)
    measure(rows)
    for split in ("tune", "test"):
        for min_ied in (0.0, 60.0):
            report(rows, split, min_ied)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
