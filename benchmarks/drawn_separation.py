"""Drawn, painted or photographed? Issue 18's eleventh round: the hand-made / illustrated faces
(drawings, cartoons, paintings) that ``enrollment-strict`` still qualifies, measured along the mesh.

    python benchmarks/verdict_quality.py --split tune --split test --json /tmp/vq.json
    python benchmarks/drawn_separation.py --verdicts /tmp/vq.json --cache /tmp/drawn_tune.pkl
    python benchmarks/drawn_separation.py --verdicts /tmp/vq.json --cache /tmp/drawn_test.pkl \
        --split test --frozen-from /tmp/drawn_tune.pkl        # once, after the tune read-outs

Faces: every face ``enrollment-strict`` qualifies today (the verdict JSON names them; a new
condition would be computed only for those) of four classes, re-detected as the local detector
does (``quality_faces.faces_of``: the working-image crop and the 478-point mesh):
``drawn`` (``not_photo`` faces whose notes name a painting, drawing, cartoon, toonified face,
anime, comic or illustration -- not the StyleGAN photographs made *from* a sketch -- and the
derived ``sketch`` variants), ``render`` (the other ``not_photo`` faces: photoreal renders and
GAN faces, not this round's target), ``clean`` (real, every flag 0) and ``camera`` (the clean
camera variants of ``truthset/camera_variants.py``: a cue that flags a film grade or a JPEG is
worthless).

Candidates (the docs' "Eleventh round" explains each and what a person sees):

ink (thin dark lines where a photograph has soft gradients): ``ink_eyes`` / ``ink_lips`` /
    ``ink_brows`` / ``ink_nose`` -- the 5 x 5 black-hat of the luma (a dark line narrower than
    5 px, on ``FaceView.small``) at the mesh's contour points, the median over them, over the
    face's p90 - p10 luma; ``oval_ink`` the same along the face outline; ``ink_share`` the share
    of the inner face whose 3 x 3 black-hat exceeds a quarter of that spread; ``ridge_edge`` the
    3 x 3 black-hat summed over the inner face over its morphological gradient (lines against
    steps);
tones (posterised skin): ``colours`` (distinct CIELAB cells of 2 L*, 3 a*b* units after a 3 x 3
    blur, over the square root of the face's pixels), ``tone_top3`` (the three largest 4-level
    luma bins' share after a sigma-1 blur), ``tone_entropy``;
cel shading: ``p99_p50_grad`` (the face's p99 gradient over its median), ``sharp_vs_tex``
    (p99 gradient over the smooth skin's fine texture: crisp lines on dead skin), ``skin_tex``;
colour against the light (a painter's hue changes with the shading, a photograph's hardly):
    ``hue_L_signed`` (the a*b* hue angle's slope on L* over the skin, degrees per L* unit),
    ``hue_resid`` (the hue's spread about it), ``chroma_L_corr``, ``offhue`` (skin pixels with
    a hue outside 15-85 degrees), ``spec_chroma`` (chroma of the brightest 3 % of the skin
    over its median: white specular light), ``sclera_L`` and ``sclera_minus_skin`` (the eye
    windows' p90 lightness as the detector reads it, and over the cheeks');
at working resolution (brush and canvas, digital smoothness), on the smoother half of the
    skin: ``noise_native`` (Immerkaer's sigma), ``flat_native`` (3 x 3 range <= 1),
    ``brush_coh`` (mean structure-tensor coherence of the fine texture: strokes run one way).

Printed: per candidate the AUC of drawn faces against clean faces and against camera variants,
of camera variants against clean faces, and how many qualifying drawn faces lie beyond every
clean face and camera variant; a single bound at the other sources' clean + camera extreme,
each tune source held out in turn; a class-balanced logistic on a few candidates, leave-one-
source-out; with ``--frozen-from``, each candidate bounded at the tune extreme and the logistic
fitted on all of tune, scored on the split given (test: once).
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_spectrum import _fit, auc, face_class, image_path
from quality_faces import faces_of, match

from benchmarks.truthset.labels import LABELS_CSV, read_labels
from facecurator.detect.quality.base import (
    FACE_OVAL,
    LEFT_EYE_CONTOUR,
    RIGHT_EYE_CONTOUR,
    face_view,
    inter_eye_distance,
)

LIPS = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)
BROWS = (70, 63, 105, 66, 107, 300, 293, 334, 296, 336)
NOSE = (98, 327, 64, 294, 2, 94, 19)
EYES = RIGHT_EYE_CONTOUR + LEFT_EYE_CONTOUR
NAMES = (
    "ink_eyes", "ink_lips", "ink_brows", "ink_nose", "oval_ink", "ink_share", "ridge_edge",
    "colours", "tone_top3", "tone_entropy", "p99_p50_grad", "sharp_vs_tex", "skin_tex",
    "hue_L_signed", "hue_resid", "chroma_L_corr", "offhue", "spec_chroma", "sclera_L", "sclera_minus_skin",
    "noise_native", "flat_native", "brush_coh",
)  # fmt: skip
#: the logistic read-outs' candidate sets
SETS = (
    ("hue_L_signed", "flat_native", "skin_tex"),
    ("hue_L_signed", "flat_native", "skin_tex", "offhue", "sharp_vs_tex", "noise_native", "brush_coh"),
    ("ink_eyes", "ink_lips", "ink_brows", "ink_nose", "oval_ink", "ink_share", "ridge_edge"),
    NAMES,
)
_DRAWN = re.compile(r"paint|drawing|cartoon|toonif|anime|comic|illustration|Arcane|Disney|sketch", re.I)
_K3 = np.ones((3, 3), np.uint8)
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def collect(faces: list[dict[str, Any]], splits: Sequence[str]) -> list[dict[str, Any]]:
    """Crop (PNG) and mesh of every qualifying face of the four classes."""
    from facecurator.detect.local import LocalDetector

    det = LocalDetector()
    jobs = []
    for face in faces:
        cls = face_class(face)
        if face["split"] not in splits or cls not in ("not_photo", "sketch", "clean", "camera"):
            continue
        if not (face.get("found") and face["qualified"].get("enrollment-strict")):
            continue
        path = image_path(face)
        if path is not None:
            jobs.append((path, face, cls))
    jobs.sort(key=lambda j: str(j[0]))
    rows: list[dict[str, Any]] = []
    cached: dict[Path, tuple[list[dict[str, Any]], tuple[int, int]]] = {}
    for n, (path, face, cls) in enumerate(jobs):
        if path not in cached:
            data = path.read_bytes()
            with Image.open(io.BytesIO(data)) as img:
                size = img.size
            cached = {path: (faces_of(det, data, path.name), size)}
        found, (w, h) = cached[path]
        box = face["detection"]["box"]
        f = match(found, (box["x"] + box["w"] / 2) / w, (box["y"] + box["h"] / 2) / h)
        if f is None:
            continue
        png = cv2.imencode(".png", cv2.cvtColor(f["crop"], cv2.COLOR_RGB2BGR))[1].tobytes()
        detection = face["detection"] or {}
        rows.append(
            {k: face[k] for k in ("face", "split", "source", "variant")}
            | {
                "class": cls,
                "png": png,
                "mesh": f["mesh"],
                "jpeg_q": f["jpeg_q"],
                "raw": detection.get("raw"),
            }
        )
        if n % 50 == 0:
            print(f"  {n}/{len(jobs)}", file=sys.stderr, flush=True)
    return rows


def drawn_class(row: dict[str, Any], notes: dict[str, str]) -> str:
    if row["class"] == "sketch":
        return "drawn"
    if row["class"] == "not_photo":
        note = notes.get(row["face"], "")
        return "drawn" if _DRAWN.search(note) and "StyleGAN-generated" not in note else "render"
    return str(row["class"])


def _at(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    x = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
    return img[y, x]


def _parts_mask(shape: tuple[int, ...], pts: np.ndarray, grow: int) -> np.ndarray:
    """Eyes and lips filled and grown by ``grow`` px: what is not skin inside the oval."""
    m = np.zeros(shape[:2], np.uint8)
    for idx in (RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR, LIPS):
        cv2.fillPoly(m, [np.round(pts[list(idx), :2]).astype(np.int32)], 1)
    return cv2.dilate(m, np.ones((grow, grow), np.uint8)) > 0


def small_features(rgb: np.ndarray, mesh: np.ndarray) -> dict[str, float] | None:
    """The ink, tone, cel-shading and colour candidates on ``FaceView.small`` (<= 64 px IED)."""
    v = face_view(rgb, mesh)
    if v.small is None or v.small_luma is None or v.small_inner is None or v.small_grey is None:
        return None
    luma, inner, pts, g8 = v.small_luma, v.small_inner > 0, v.small_pts, v.small_grey
    if pts is None or v.small_mask is None or inner.sum() < 300:
        return None
    spread = float(np.percentile(luma[inner], 90) - np.percentile(luma[inner], 10)) + 1
    bh3 = cv2.morphologyEx(g8, cv2.MORPH_BLACKHAT, _K3).astype(np.float32)
    bh5 = cv2.morphologyEx(g8, cv2.MORPH_BLACKHAT, np.ones((5, 5), np.uint8)).astype(np.float32)
    grad3 = cv2.morphologyEx(g8, cv2.MORPH_GRADIENT, _K3).astype(np.float32)
    near = cv2.dilate(bh5, _K3)  # the mesh is a pixel off the drawn line
    f = {f"ink_{name}": float(np.median(_at(near, pts[list(idx)]))) / spread
         for name, idx in (("eyes", EYES), ("lips", LIPS), ("brows", BROWS), ("nose", NOSE))}  # fmt: skip
    mask8 = v.small_mask.view(np.uint8)
    ring = (cv2.dilate(mask8, _K3) - cv2.erode(mask8, np.ones((5, 5), np.uint8))) > 0
    f["oval_ink"] = float(np.median(bh5[ring])) / spread
    f["ink_share"] = float(np.mean(bh3[inner] > 0.25 * spread))
    f["ridge_edge"] = float(bh3[inner].sum() / (grad3[inner].sum() + 1e-6))
    shape = cv2.GaussianBlur(luma, (0, 0), 2.0)
    slope = cv2.magnitude(cv2.Sobel(shape, cv2.CV_32F, 1, 0), cv2.Sobel(shape, cv2.CV_32F, 0, 1))
    smooth = inner & (slope <= np.quantile(slope[inner], 0.4))
    tex = float(np.median(np.abs((luma - shape)[smooth]))) + 0.05
    grad = cv2.magnitude(cv2.Sobel(luma, cv2.CV_32F, 1, 0), cv2.Sobel(luma, cv2.CV_32F, 0, 1))
    p99 = float(np.percentile(grad[inner], 99))
    f["p99_p50_grad"] = p99 / (float(np.percentile(grad[inner], 50)) + 1)
    f["sharp_vs_tex"] = p99 / tex / spread
    f["skin_tex"] = tex / spread
    lab = cv2.cvtColor(cv2.GaussianBlur(v.small, (3, 3), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    lig, a, b = lab[..., 0] * 100 / 255, lab[..., 1] - 128, lab[..., 2] - 128
    cells = (
        np.round(lig[inner] / 2).astype(np.int64) * 4096
        + np.round(a[inner] / 3).astype(np.int64) * 64
        + np.round(b[inner] / 3).astype(np.int64)
    )
    f["colours"] = float(len(np.unique(cells))) / float(np.sqrt(inner.sum()))
    hist = np.bincount((cv2.GaussianBlur(luma, (0, 0), 1.0)[inner] / 4).astype(int), minlength=64)
    hist = hist / hist.sum()
    f["tone_top3"] = float(np.sort(hist)[-3:].sum())
    f["tone_entropy"] = float(-(hist[hist > 0] * np.log2(hist[hist > 0])).sum())
    skin = inner & ~_parts_mask(luma.shape, pts, 5)
    s_lig, s_chroma = lig[skin], np.hypot(a[skin], b[skin])
    hue = np.degrees(np.arctan2(b[skin], a[skin]))
    coloured = s_chroma > 4
    nan = float("nan")
    f |= {"hue_L_signed": nan, "hue_resid": nan, "chroma_L_corr": nan, "offhue": nan}
    if coloured.sum() > 50:
        hh, ll = hue[coloured], s_lig[coloured]
        fit = np.polyfit(ll, hh, 1)
        f["hue_L_signed"] = float(fit[0])
        f["hue_resid"] = float(np.std(hh - np.polyval(fit, ll)))
        f["chroma_L_corr"] = float(np.corrcoef(s_chroma[coloured], ll)[0, 1])
        f["offhue"] = float(np.mean((hh < 15) | (hh > 85)))
    top = s_lig >= np.percentile(s_lig, 97)
    f["spec_chroma"] = float(np.median(s_chroma[top]) / (np.median(s_chroma) + 1))
    return f


def native_features(rgb: np.ndarray, mesh: np.ndarray) -> dict[str, float]:
    """Noise, flatness and brush-stroke coherence on the smoother half of the skin, working pixels."""
    ied = inter_eye_distance(mesh)
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    oval = np.zeros(g.shape, np.uint8)
    cv2.fillPoly(oval, [np.round(mesh[list(FACE_OVAL), :2]).astype(np.int32)], 1)
    k = max(3, int(ied / 8) | 1)
    skin = (cv2.erode(oval, np.ones((k, k), np.uint8)) > 0) & ~_parts_mask(g.shape, mesh, k)
    nan = {"noise_native": float("nan"), "flat_native": float("nan"), "brush_coh": float("nan")}
    if skin.sum() < 200:
        return nan
    gf = g.astype(np.float32)
    shape = cv2.GaussianBlur(gf, (0, 0), max(1.0, ied / 32))
    slope = cv2.magnitude(cv2.Sobel(shape, cv2.CV_32F, 1, 0), cv2.Sobel(shape, cv2.CV_32F, 0, 1))
    smooth = skin & (slope <= np.quantile(slope[skin], 0.5))
    noise = float(np.sqrt(np.pi / 2) / 6 * np.abs(cv2.filter2D(gf, -1, _IMMERKAER))[smooth].mean())
    flat = float(np.mean(cv2.morphologyEx(g, cv2.MORPH_GRADIENT, _K3)[smooth] <= 1))
    fine = gf - shape
    gx, gy = cv2.Sobel(fine, cv2.CV_32F, 1, 0), cv2.Sobel(fine, cv2.CV_32F, 0, 1)
    win = max(1.0, ied / 16)
    sxx, syy, sxy = (cv2.GaussianBlur(t, (0, 0), win) for t in (gx * gx, gy * gy, gx * gy))
    coh = np.hypot(sxx - syy, 2 * sxy) / (sxx + syy + 1e-6)
    return {"noise_native": noise, "flat_native": flat, "brush_coh": float(coh[smooth].mean())}


def eye_features(raw: dict[str, Any] | None) -> dict[str, float]:
    """The eye windows' lightness as the detector read it (``raw.quality``), and over the cheeks'."""
    quality = (raw or {}).get("quality") or {}
    windows = [
        e["window_l90"] for e in (quality.get("eyes") or {}).values() if e and e.get("window_l90") is not None
    ]
    cheeks = (quality.get("skin") or {}).get("cheeks")
    sclera = float(np.mean(windows)) if windows else float("nan")
    return {"sclera_L": sclera, "sclera_minus_skin": sclera - cheeks[0] if cheeks else float("nan")}


def measure(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    notes = {label.key: label.notes for label in read_labels(LABELS_CSV)}
    out = []
    spent = 0.0
    for r in rows:
        rgb = cv2.cvtColor(
            cv2.imdecode(np.frombuffer(r["png"], np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
        )
        t0 = time.process_time()
        small = small_features(rgb, r["mesh"])
        if small is None:
            continue
        f = small | native_features(rgb, r["mesh"]) | eye_features(r["raw"])
        spent += time.process_time() - t0
        out.append(
            {k: r[k] for k in ("face", "split", "source", "variant")}
            | {"class": drawn_class(r, notes), "f": f}
        )
    print(f"{len(out)} faces measured, {spent / max(len(out), 1) * 1000:.1f} ms CPU a face (unoptimised)")
    return out


def values(faces: list[dict[str, Any]], name: str, cls: str) -> np.ndarray:
    v = np.array([r["f"][name] for r in faces if r["class"] == cls], dtype=float)
    return v[~np.isnan(v)]


def report(faces: list[dict[str, Any]], split: str) -> None:
    counts = {c: sum(r["class"] == c for r in faces) for c in ("drawn", "render", "clean", "camera")}
    print(f"\n=== {split}: qualifying faces {counts} ===")
    print(
        "candidate          AUC drawn/clean  drawn/camera  camera/clean"
        "   drawn beyond every clean+camera: above below"
    )
    for name in NAMES:
        d, c, cam = (values(faces, name, k) for k in ("drawn", "clean", "camera"))
        ref = np.concatenate([c, cam])
        print(
            f"{name:18s} {auc(d, c):8.2f} {auc(d, cam):13.2f} {auc(cam, c):13.2f}"
            f" {int((d > ref.max()).sum()):28d}/{d.size} {int((d < ref.min()).sum()):5d}"
        )


def _tag(r: dict[str, Any]) -> str:
    return f"{r['face'][:70]}{r['variant'] and '#' + r['variant']}"


def loso_single(faces: list[dict[str, Any]]) -> None:
    """One bound per candidate and side at the other sources' clean + camera extreme."""
    print("\nsingle bound, each tune source held out (bound = the other sources' clean + camera extreme):")
    for name in NAMES:
        for sign, side in ((1, "above"), (-1, "below")):
            caught, lost = [], []
            for src in sorted({r["source"] for r in faces}):
                ref = [
                    sign * r["f"][name]
                    for r in faces
                    if r["source"] != src and r["class"] in ("clean", "camera")
                ]
                bound = np.nanmax(ref)
                held = [r for r in faces if r["source"] == src and r["class"] in ("drawn", "clean", "camera")]
                for r in held:
                    if sign * r["f"][name] > bound:
                        (caught if r["class"] == "drawn" else lost).append(_tag(r))
            if caught or lost:
                print(
                    f"  {name:18s} {side}: drawn caught {len(caught):2d},"
                    f" clean/camera lost {len(lost):2d}  {caught}"
                )


def _matrix(faces: list[dict[str, Any]], names: Sequence[str]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    x = np.array([[r["f"][n] for n in names] for r in faces], dtype=float)
    ok = ~np.isnan(x).any(axis=1)
    return x[ok], [r for r, k in zip(faces, ok, strict=True) if k]


def fit(x: np.ndarray, y: np.ndarray, lam: float) -> Callable[[np.ndarray], np.ndarray]:
    """``gan_spectrum``'s class-balanced L2 logistic on ``x`` standardised; the scoring function."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    w = _fit((x - mu) / sd, y, lam)
    return lambda xn: np.c_[(xn - mu) / sd, np.ones(len(xn))] @ w


def loso_logistic(faces: list[dict[str, Any]]) -> None:
    print(
        "\nlogistic (drawn against clean + camera), each tune source held out;"
        " flag = over the fold's clean+camera max / p99:"
    )
    part = [r for r in faces if r["class"] in ("drawn", "clean", "camera")]
    for names in SETS:
        x, rows = _matrix(part, names)
        y = np.array([r["class"] == "drawn" for r in rows], float)
        cls = np.array([r["class"] for r in rows])
        src = np.array([r["source"] for r in rows])
        for lam in (1.0, 10.0, 100.0):
            score = np.zeros(len(y))
            over_max, over_99 = np.zeros(len(y), bool), np.zeros(len(y), bool)
            for s in np.unique(src):
                held = src == s
                model = fit(x[~held], y[~held], lam)
                ref = model(x[~held])[y[~held] == 0]
                score[held] = model(x[held])
                over_max[held], over_99[held] = score[held] > ref.max(), score[held] > np.percentile(ref, 99)
            counts = " ".join(
                f"{c} {int(over_max[cls == c].sum())}/{int(over_99[cls == c].sum())}"
                f" of {int((cls == c).sum())}"
                for c in ("drawn", "clean", "camera")
            )
            label = "all" if names == NAMES else ",".join(names)
            held_auc = auc(score[y == 1], score[y == 0])
            print(f"  [{label}] lambda {lam:g}: LOSO AUC {held_auc:.2f}; max/p99: {counts}")


def frozen(tune: list[dict[str, Any]], other: list[dict[str, Any]], split: str) -> None:
    """Every candidate bounded at the tune clean + camera extremes (each side), and the logistic
    sets fitted on all of tune (bound: the tune clean + camera maximum score), scored on ``other``."""
    print(f"\nfrozen on tune, scored on {split} (drawn caught / clean lost / camera lost):")
    for name in NAMES:
        for sign in (1, -1):
            bound = np.nanmax([sign * r["f"][name] for r in tune if r["class"] in ("clean", "camera")])
            hit = {
                c: [r for r in other if r["class"] == c and sign * r["f"][name] > bound]
                for c in ("drawn", "clean", "camera")
            }
            print(
                f"  {name:18s} {'>' if sign > 0 else '<'} {sign * bound:8.3f}: "
                + " / ".join(f"{len(hit[c])} of {sum(r['class'] == c for r in other)}" for c in hit)
                + (f"  {[_tag(r) for c in hit for r in hit[c]]}" if any(hit.values()) else "")
            )
    for names in SETS:
        x, rows = _matrix([r for r in tune if r["class"] in ("drawn", "clean", "camera")], names)
        y = np.array([r["class"] == "drawn" for r in rows], float)
        model = fit(x, y, 10.0)
        bound = model(x)[y == 0].max()
        xo, ro = _matrix(other, names)
        so = model(xo)
        cls = np.array([r["class"] for r in ro])
        label = "all" if names == NAMES else ",".join(names)
        print(
            f"  logistic [{label}] lambda 10: AUC drawn/clean+camera"
            f" {auc(so[cls == 'drawn'], so[(cls == 'clean') | (cls == 'camera')]):.2f}; over the tune max: "
            + " / ".join(
                f"{c} {int(((cls == c) & (so > bound)).sum())} of {int((cls == c).sum())}"
                for c in ("drawn", "clean", "camera")
            )
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verdicts", type=Path, required=True, help="verdict_quality.py --json output")
    ap.add_argument("--cache", type=Path, required=True, help="read/write the collected crops here (pickle)")
    ap.add_argument("--split", action="append", default=None, help="tune (default) or test")
    ap.add_argument(
        "--frozen-from", type=Path, default=None, help="the tune cache: freeze there, score this split"
    )
    args = ap.parse_args(argv)
    splits = args.split or ["tune"]
    if args.cache.is_file():
        rows = pickle.loads(args.cache.read_bytes())
    else:
        rows = collect(json.loads(args.verdicts.read_text())["faces"], splits)
        args.cache.write_bytes(pickle.dumps(rows))
    faces = measure(rows)
    for split in splits:
        part = [r for r in faces if r["split"] == split]
        report(part, split)
        if args.frozen_from is None:
            loso_single(part)
            loso_logistic(part)
    if args.frozen_from is not None:
        tune = [r for r in measure(pickle.loads(args.frozen_from.read_bytes())) if r["split"] == "tune"]
        for split in splits:
            frozen(tune, [r for r in faces if r["split"] == split], split)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
