"""Collect face crops + meshes for calibrating facecurator.detect.quality.

For every corpus image with faces (and every labelled truth-set photo when
/work/truthset exists) and for synthetic variants of the clean corpus faces
(Gaussian blur, JPEG quality 2, 12x down-and-up, dark, blown-out, and harmless
ones: JPEG 75, half size), the image is encoded, decoded and searched exactly as
the local detector does, and each face's working-image crop (aligned to the
8-px JPEG grid) and its mesh are pickled to ``--out``.

    python benchmarks/quality_faces.py --out /tmp/qcal/faces.pkl
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import pickle
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from facecurator.detect.local import LocalDetector, _header
from facecurator.detect.quality.detail import jpeg_quality
from facecurator.domain.images import decode_image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.truthset.labels import ATTRIBUTES

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
SKIP_DIRS = {"bad", "noface"}
#: The truth set's folder (photos/ and the label files), as benchmarks/truthset/labels.py finds it.
TRUTHSET = Path(os.environ.get("FACECURATOR_TRUTHSET", Path(__file__).resolve().parents[2] / "truthset"))
LABELS_CORPUS = TRUTHSET / "labels_corpus.csv"
SPLITS: dict[str, str] = {}
if LABELS_CORPUS.exists():
    with open(LABELS_CORPUS, newline="") as _fh:
        SPLITS = {row["file"]: row["split"] for row in csv.DictReader(_fh)}


def corpus_files(root: Path) -> list[tuple[str, str]]:
    """(relative path, split) of corpus images expected to hold faces."""
    out = []
    with open(root / "MANIFEST.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            rel = row["file"]
            if rel.split("/")[0] in SKIP_DIRS:
                continue
            if row["expected_faces"].strip().rstrip("?") in ("0", ""):
                continue
            out.append((rel, SPLITS.get(rel, provisional_split(rel))))
    return out


def provisional_split(rel: str) -> str:
    """Until the labelled truth set exists: split by source group (folder + identity)."""
    parts = rel.split("/")
    unit = "/".join(parts[:2]) if parts[0] == "people" else rel
    return "tune" if int(hashlib.sha1(unit.encode()).hexdigest(), 16) % 2 == 0 else "test"


def encode(rgb: np.ndarray, fmt: str = "JPEG", quality: int = 92) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt, quality=quality) if fmt == "JPEG" else Image.fromarray(
        rgb
    ).save(buf, format=fmt)
    return buf.getvalue()


def variants(rgb: np.ndarray) -> dict[str, bytes]:
    """Encoded synthetic variants of an upright RGB image."""
    h, w = rgb.shape[:2]
    out: dict[str, bytes] = {}
    side = max(h, w)
    sigma = max(2.0, side / 250)  # visibly out of focus at any size
    out["gauss"] = encode(cv2.GaussianBlur(rgb, (0, 0), sigma))
    out["gauss_mild"] = encode(cv2.GaussianBlur(rgb, (0, 0), sigma / 2))
    out["jpeg2"] = encode(rgb, quality=2)
    out["jpeg5"] = encode(rgb, quality=5)
    small = cv2.resize(rgb, (max(1, w // 12), max(1, h // 12)), interpolation=cv2.INTER_AREA)
    out["down12_cubic"] = encode(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))
    out["down12_nearest"] = encode(cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST))
    small6 = cv2.resize(rgb, (max(1, w // 6), max(1, h // 6)), interpolation=cv2.INTER_AREA)
    out["down6_linear"] = encode(cv2.resize(small6, (w, h), interpolation=cv2.INTER_LINEAR))
    out["dark"] = encode(np.clip(rgb.astype(np.float32) * 0.13, 0, 255).astype(np.uint8))
    out["bright"] = encode(np.clip(rgb.astype(np.float32) * 2.6 + 40, 0, 255).astype(np.uint8))
    # harmless: must stay clean
    out["jpeg75"] = encode(rgb, quality=75)
    out["half"] = encode(cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    # not photographs (proxies: no drawn/rendered faces in the corpus)
    out["cartoon"] = encode(cartoon(rgb), "PNG")
    out["stylized"] = encode(cv2.stylization(rgb, sigma_s=60, sigma_r=0.45), "PNG")
    out["smooth_render"] = encode(cv2.edgePreservingFilter(rgb, flags=1, sigma_s=60, sigma_r=0.4), "PNG")
    return out


def cartoon(rgb: np.ndarray) -> np.ndarray:
    """Flat colours (bilateral + 6 levels per channel) with dark outlines."""
    img = rgb
    for _ in range(4):
        img = cv2.bilateralFilter(img, 9, 40, 7)
    flat = (img // 43 * 43 + 21).astype(np.uint8)
    grey = cv2.medianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 7)
    edges = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, 4)
    return np.where(edges[..., None] == 0, 20, flat).astype(np.uint8)


def faces_of(det: LocalDetector, data: bytes, name: str) -> list[dict]:
    decoded = decode_image(data, name=name, max_side=_header(data, det.settings.working_side)[0])
    with Image.open(io.BytesIO(data)) as img:
        quant = getattr(img, "quantization", None)
    jq = jpeg_quality(quant).value
    rgb = np.ascontiguousarray(np.asarray(decoded.image, dtype=np.uint8))
    det.load()
    out = []
    for cand in det._candidates(rgb):
        if cand.score < det.settings.min_confidence:
            continue
        mesh = None
        for attempt in [cand, *cand.others[:2]]:
            mesh = det._fit_mesh(rgb, attempt)
            if mesh is not None:
                break
        if mesh is None:
            continue
        # crop 2x the mesh box, origin on the 8-px grid (keeps JPEG block phase)
        x0, y0 = mesh[:, 0].min(), mesh[:, 1].min()
        x1, y1 = mesh[:, 0].max(), mesh[:, 1].max()
        cw, ch = x1 - x0, y1 - y0
        cx0 = max(0, int(x0 - cw / 2) // 8 * 8)
        cy0 = max(0, int(y0 - ch / 2) // 8 * 8)
        cx1 = min(rgb.shape[1], int(x1 + cw / 2) + 1)
        cy1 = min(rgb.shape[0], int(y1 + ch / 2) + 1)
        m = mesh.copy()
        m[:, 0] -= cx0
        m[:, 1] -= cy0
        out.append(
            {
                "crop": rgb[cy0:cy1, cx0:cx1].copy(),
                "mesh": m,
                "box": (attempt.x - cx0, attempt.y - cy0, attempt.w, attempt.h),
                "keypoints": [(x - cx0, y - cy0) for x, y in attempt.keypoints],
                "scale": decoded.scale,
                "jpeg_q": jq,
                "working_size": rgb.shape[:2],
                "centre": ((x0 + x1) / 2 / rgb.shape[1], (y0 + y1) / 2 / rgb.shape[0]),
                "offset": (cx0, cy0),
            }
        )
    return out


LABEL_COLUMNS = list(ATTRIBUTES)  # the truth set's columns, owned by benchmarks/truthset/labels.py


def match(faces: list[dict], fx: float, fy: float) -> dict | None:
    """The face whose mesh box holds (fx, fy) (fractions of the image), nearest centre first."""
    best, best_d = None, 1e9
    for f in faces:
        h, w = f["working_size"]
        m = f["mesh"]
        ox, oy = f["offset"]
        x0, x1 = (m[:, 0].min() + ox) / w, (m[:, 0].max() + ox) / w
        y0, y1 = (m[:, 1].min() + oy) / h, (m[:, 1].max() + oy) / h
        if not (x0 <= fx <= x1 and y0 <= fy <= y1):
            continue
        d = (f["centre"][0] - fx) ** 2 + (f["centre"][1] - fy) ** 2
        if d < best_d:
            best, best_d = f, d
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/qcal/faces.pkl")
    ap.add_argument("--no-variants", action="store_true")
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--extra", nargs="*", default=[], help="label csv files with set,file,... rows")
    args = ap.parse_args()
    root = CORPUS.resolve()
    det = LocalDetector()
    records = []
    for rel, split in [] if args.no_corpus else corpus_files(root):
        data = (root / rel).read_bytes()
        for f in faces_of(det, data, rel):
            records.append({"set": "corpus", "file": rel, "split": split, "variant": "orig", **f})
        if args.no_variants:
            continue
        decoded = decode_image(data, name=rel)
        rgb = np.asarray(decoded.image, dtype=np.uint8)
        for vname, vdata in variants(rgb).items():
            for f in faces_of(det, vdata, f"{rel}#{vname}"):
                records.append({"set": "corpus", "file": rel, "split": split, "variant": vname, **f})
        print(rel, len(records), file=sys.stderr)
    roots = {"corpus": root, "gathered": TRUTHSET / "photos"}
    cache: dict[Path, list[dict]] = {}
    for label_csv in args.extra:
        with open(label_csv, newline="") as fh:
            for row in csv.DictReader(fh):
                path = Path(row["path"]) if row.get("path") else roots[row["set"]] / row["file"]
                if not path.exists():
                    continue
                if path not in cache:
                    try:
                        cache[path] = faces_of(det, path.read_bytes(), str(path))
                    except Exception as exc:  # noqa: BLE001
                        print("skip", path, exc, file=sys.stderr)
                        cache[path] = []
                face = match(cache[path], float(row["face_x"]), float(row["face_y"]))
                if face is None:
                    print("not found", row["file"], file=sys.stderr)
                    continue
                variant = row["file"].rsplit("#", 1)[1] if row["set"] == "derived" else "orig"
                labels = {k: row[k] for k in LABEL_COLUMNS}
                records.append(
                    {
                        "set": row["set"],
                        "file": row["file"],
                        "split": row["split"],
                        "variant": variant,
                        "labels": labels,
                        "labelled": True,
                        **face,
                    }
                )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as fh:
        pickle.dump(records, fh)
    print(f"{len(records)} faces -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
