"""Candidate "photograph, not a render" features, measured on the truth set.

Reads the faces pickled by ``benchmarks/quality_faces.py`` (labelled corpus +
gathered faces, ``--extra`` label files) and, for every candidate feature of
the face reduced to an inter-eye distance of 64 px (skin noise residual, skin
texture at the finest scale, texture / edge ratio, residual kurtosis, colour
saturation, distinct colours, chroma noise, noise at working resolution, and
the current ``flat_colour`` / ``natural_colour``), prints how many real
drawings / renders / generated faces (``not_photo=1``) it flags when its
threshold is set so that at most 2 % of the clean **tune** faces are lost,
on the tune and on the test split. Then the same for a logistic regression
over a few features fitted on the tune split (a learned combination).

    python benchmarks/quality_faces.py --no-corpus --no-variants --out /tmp/p.pkl \
        --extra $TRUTHSET/labels_corpus.csv $TRUTHSET/labels_gathered.csv benchmarks/truthset/labels_photo.csv
    python benchmarks/photo_features.py /tmp/p.pkl

The figures are quoted in docs/measures-detail.md ("Photograph, not a render").
"""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Callable

import cv2
import numpy as np

from facecurator.detect.quality.base import face_view
from facecurator.detect.quality.face import measure_face

#: Cheek and forehead patches of the face mesh (skin without eyes, brows, mouth).
RIGHT_CHEEK = (117, 118, 101, 36, 205, 187, 123)
LEFT_CHEEK = (346, 347, 330, 266, 425, 411, 352)
FOREHEAD = (109, 10, 338, 337, 9, 108)
MUST_NOT = [
    "sunglasses",
    "mask",
    "left_eye_closed",
    "right_eye_closed",
    "eyes_occluded",
    "nose_mouth_occluded",
    "blurred",
    "compressed",
    "upscaled",
    "underexposed",
    "overexposed",
    "pitch_over30",
    "yaw_over30",
    "roll_over30",
    "not_photo",
]
#: Features that are compared on a log scale in the regression.
LOG = {"tex", "edge95", "kurt", "skin_mad", "full_mad", "ncol", "skin_sd"}


def _poly(shape: tuple[int, ...], pts: np.ndarray, idx: tuple[int, ...]) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(pts[list(idx)]).astype(np.int32)], (1,))
    return m


def features(rec: dict) -> dict[str, float] | None:
    """The candidate features of one pickled face (None when too small)."""
    rgb, mesh = rec["crop"], rec["mesh"]
    view = face_view(rgb, mesh)
    if view.small is None or view.small_pts is None or view.small_mask is None or view.ied < 16:
        return None
    crop, pts, oval = view.small, view.small_pts, view.small_mask
    skin = _poly(crop.shape, pts, RIGHT_CHEEK) | _poly(crop.shape, pts, LEFT_CHEEK)
    sk = (skin | _poly(crop.shape, pts, FOREHEAD)) > 0
    if sk.sum() < 20:
        return None
    g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    out: dict[str, float] = {}
    hp = g - cv2.GaussianBlur(g, (0, 0), 1.0)
    out["tex"] = float(np.sqrt((hp[sk] ** 2).mean()))
    grad = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    out["edge95"] = float(np.percentile(grad[oval], 95))
    out["tex_edge"] = out["tex"] / (out["edge95"] + 1) * 100
    res = (g - cv2.medianBlur(g.astype(np.uint8), 3).astype(np.float32))[sk]
    out["skin_mad"] = float(np.abs(res).mean())
    out["skin_zero"] = float((np.abs(res) < 0.5).mean())
    r0 = res - res.mean()
    out["kurt"] = float((r0**4).mean() / ((r0**2).mean() ** 2 + 1e-9))
    mid = cv2.GaussianBlur(g, (0, 0), 1.0) - cv2.GaussianBlur(g, (0, 0), 2.0)
    out["fine_mid"] = out["tex"] / (float(np.sqrt((mid[sk] ** 2).mean())) + 0.05)
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    out["sat90"] = float(np.percentile(hsv[..., 1][oval], 90))
    out["skin_sat"] = float(np.median(hsv[..., 1][sk]))
    out["skin_sd"] = float(g[sk].std())
    q = (crop[oval] // 8).astype(np.int32)
    out["ncol"] = len(np.unique(q[:, 0] * 1024 + q[:, 1] * 32 + q[:, 2])) / max(1, len(q))
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    out["chroma_res"] = float(np.abs(lab[..., 1:] - cv2.blur(lab[..., 1:], (3, 3))).sum(-1)[sk].mean())
    assert view.box is not None
    x0, y0, x1, y1 = view.box
    full = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    fpts = np.asarray(mesh, dtype=np.float64)[:, :2] - [x0, y0]
    fsk = (_poly(full.shape, fpts, RIGHT_CHEEK) | _poly(full.shape, fpts, LEFT_CHEEK)) > 0
    fres = np.abs(full.astype(np.int16) - cv2.medianBlur(full, 3).astype(np.int16))
    out["full_mad"] = float(fres[fsk].mean()) if fsk.sum() > 20 else float("nan")
    quality = measure_face(rgb, mesh, scale=rec["scale"], jpeg_quality=rec["jpeg_q"])
    for name in ("flat_colour", "natural_colour", "noise_residual", "sharpness"):
        v = quality.measures[name].value
        out[name] = float("nan") if v is None else float(v)
    return out


def _clean(r: dict) -> bool:
    return all(r["labels"][k] == "0" for k in MUST_NOT)


def _count(rows: list[dict], pick: Callable[[dict], bool], score: Callable[[dict], float], thr: float) -> str:
    s = np.array([score(r) for r in rows if pick(r)])
    s = s[~np.isnan(s)]
    return f"{int((s > thr).sum())}/{len(s)}"


def report(rows: list[dict]) -> None:
    tune_clean = [r for r in rows if r["split"] == "tune" and _clean(r)]
    groups = {
        "not_photo tune": lambda r: r["split"] == "tune" and r["labels"]["not_photo"] == "1",
        "not_photo test": lambda r: r["split"] == "test" and r["labels"]["not_photo"] == "1",
        "clean test lost": lambda r: r["split"] == "test" and _clean(r),
    }
    print(f"clean tune faces {len(tune_clean)}; threshold = 98th percentile of them (<= 2 % lost)")
    for name in rows[0]["f"]:
        for sign in (1, -1):

            def score(r: dict, name: str = name, sign: int = sign) -> float:
                return sign * r["f"][name]

            base = np.array([score(r) for r in tune_clean])
            thr = float(np.percentile(base[~np.isnan(base)], 98))
            counts = "  ".join(f"{g} {_count(rows, pick, score, thr)}" for g, pick in groups.items())
            print(f"{name:15s} {'>' if sign > 0 else '<'} {sign * thr:9.3f}  {counts}")
    names = ["tex", "edge95", "skin_zero", "kurt", "fine_mid", "sat90", "skin_sd", "chroma_res", "ncol"]
    names.append("sharpness")

    def x(r: dict) -> np.ndarray:
        return np.array([np.log(r["f"][k] + 0.05) if k in LOG else r["f"][k] for k in names])

    train = [r for r in rows if r["split"] == "tune" and r["labels"]["not_photo"] in ("0", "1")]
    xs = np.array([x(r) for r in train])
    y = np.array([r["labels"]["not_photo"] == "1" for r in train], float)
    ok = ~np.isnan(xs).any(1)
    xs, y = xs[ok], y[ok]
    mu, sd = xs.mean(0), xs.std(0) + 1e-9
    z = (xs - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    cw = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * cw
        w -= 0.2 * (z.T @ g / len(y) + 0.01 * w)
        b -= 0.2 * float(g.mean())

    def lr(r: dict) -> float:
        return float(((x(r) - mu) / sd) @ w + b)

    base = np.array([lr(r) for r in tune_clean])
    thr = float(np.percentile(base[~np.isnan(base)], 98))
    counts = "  ".join(f"{g} {_count(rows, pick, lr, thr)}" for g, pick in groups.items())
    print(f"logistic regression over {names} (fitted on tune): {counts}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("faces", help="pickle written by benchmarks/quality_faces.py with --extra label files")
    args = ap.parse_args()
    with open(args.faces, "rb") as fh:
        recs = pickle.load(fh)
    rows = []
    for rec in recs:
        if not rec.get("labelled") or rec["set"] == "derived":
            continue
        f = features(rec)
        if f is not None:
            rows.append({"split": rec["split"], "labels": rec["labels"], "file": rec["file"], "f": f})
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
