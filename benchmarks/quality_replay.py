"""Replay the quality measures on captured detector inputs: prove a speed-only change
keeps every value, and time / count the measures alone.

    # 1. capture (once, with any code: the inputs come from the mesh, not the measures)
    python benchmarks/quality_replay.py capture --out /tmp/q/inputs.pkl [--images 150]
    # 2. the measures' outputs of the current code, compared with another run's
    python benchmarks/quality_replay.py outputs --inputs /tmp/q/inputs.pkl --out /tmp/q/after.pkl
    python benchmarks/quality_replay.py compare /tmp/q/before.pkl /tmp/q/after.pkl
    # 3. cost: the measures alone, ``--passes`` times over the faces
    python benchmarks/quality_replay.py cost --inputs /tmp/q/inputs.pkl [--passes 3] [--faces 24]

``capture`` runs the local detector over truth-set photos (every labelled photo of
benchmarks/truthset/labels.csv that exists, alternating tune and test, first
``--images``) and pickles, per face, exactly what ``LocalDetector._measure`` hands to
``face_quality`` and ``measure_face`` (the working image once per photo). ``outputs``
calls both as the detector does and pickles every returned value (measures, details,
raw records, verdicts, flags); ``compare`` reports every difference (exact, or beyond
``--tol``). The code measured is the ``facecurator`` on ``PYTHONPATH`` (printed).
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
# appended, not prepended: the measures come from whichever facecurator PYTHONPATH names
# (``PYTHONPATH=/path/to/other/checkout``: before vs after); only benchmarks.truthset from here
sys.path.append(str(REPO))


def capture(out: Path, images: int, folder: Path | None = None) -> int:
    from benchmarks.truthset.labels import read_labels, resolve
    from facecurator.detect import local
    from facecurator.domain.protocols import ImageRef

    found, _ = resolve(read_labels(REPO / "benchmarks" / "truthset" / "labels.csv"))
    paths: dict[str, list[Path]] = {"tune": [], "test": []}
    for label in found:
        assert label.path is not None
        if label.path not in paths[label.split]:
            paths[label.split].append(label.path)
    order = [p for pair in zip(paths["tune"], paths["test"], strict=False) for p in pair][:images]
    if folder is not None:  # e.g. scan_throughput.py's 12 MP images, or the derived variants
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        order = files[:: max(1, len(files) // images)][:images]  # spread over the folder
    records: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    real_fq, real_mf = local.face_quality, local.measure_face

    def fq(rgb: np.ndarray, mesh: np.ndarray, **kw: Any) -> Any:
        current["image"]["rgb"] = rgb
        records.append({"image": current["index"], "mesh": mesh.copy(), "fq": dict(kw)})
        return real_fq(rgb, mesh, **kw)

    def mf(rgb: np.ndarray, mesh: np.ndarray, **kw: Any) -> Any:
        records[-1]["mf"] = dict(kw)
        return real_mf(rgb, mesh, **kw)

    local.face_quality, local.measure_face = fq, mf
    det = local.LocalDetector()
    det.load()
    imgs: list[dict[str, Any]] = []
    for i, path in enumerate(order):
        current["index"], current["image"] = i, {"path": str(path), "rgb": None}
        imgs.append(current["image"])
        det.detect(ImageRef(uri=str(path), name=path.name, group="t", size=0, mtime_ns=0), path.read_bytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        pickle.dump({"images": imgs, "faces": records}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(order)} photos, {len(records)} faces -> {out}")
    return 0


def _code() -> str:
    import facecurator

    return str(Path(facecurator.__file__).parent)


def _load(path: Path, faces: int | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with open(path, "rb") as fh:
        data = pickle.load(fh)
    recs = data["faces"][:faces] if faces else data["faces"]
    return data["images"], recs


def _run(images: list[dict[str, Any]], rec: dict[str, Any]) -> tuple[Any, Any]:
    from facecurator.detect.quality.face import measure_face
    from facecurator.detect.quality.summary import face_quality

    rgb = images[rec["image"]]["rgb"]
    return face_quality(rgb, rec["mesh"], **rec["fq"]), measure_face(rgb, rec["mesh"], **rec["mf"])


def _plain(x: Any) -> Any:
    """Every value of a result as plain Python (dataclasses and arrays unpacked)."""
    if hasattr(x, "__dataclass_fields__"):
        return {k: _plain(getattr(x, k)) for k in x.__dataclass_fields__}
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return ("array", x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, np.generic):
        return x.item()
    return x


def outputs(inputs: Path, out: Path) -> int:
    images, recs = _load(inputs)
    results = []
    for rec in recs:
        fq, mf = _run(images, rec)
        results.append({"fq": _plain(fq), "mf": _plain(mf), "mf_raw": _plain(mf.raw())})
    with open(out, "wb") as fh:
        pickle.dump(results, fh, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(results)} faces -> {out} (code: {_code()})")
    return 0


def _diff(a: Any, b: Any, where: str, tol: float, found: list[str]) -> None:
    if isinstance(a, float) and isinstance(b, float):
        same = a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol
        if not same:
            found.append(f"{where}: {a!r} != {b!r}")
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            found.append(f"{where}: keys {sorted(a.keys() ^ b.keys())}")
        for k in a.keys() & b.keys():
            _diff(a[k], b[k], f"{where}.{k}", tol, found)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{where}[{i}]", tol, found)
    elif a != b:
        found.append(f"{where}: {str(a)[:80]} != {str(b)[:80]}")


def compare(before: Path, after: Path, tol: float) -> int:
    with open(before, "rb") as fh:
        a = pickle.load(fh)
    with open(after, "rb") as fh:
        b = pickle.load(fh)
    found: list[str] = []
    _diff(a, b, "faces", tol, found)
    for line in found[:40]:
        print(line)
    print(f"{len(a)} faces compared: {len(found)} differences" + (f" (tolerance {tol})" if tol else ""))
    return 1 if found else 0


def cost(inputs: Path, passes: int, faces: int | None) -> int:
    images, recs = _load(inputs, faces)
    t0 = time.process_time()
    for _ in range(passes):
        for rec in recs:
            _run(images, rec)
    dt = time.process_time() - t0
    per_face = dt / passes / len(recs) * 1000
    print(f"{len(recs)} faces x {passes} passes: {per_face:.3f} ms CPU a face ({_code()})")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--images", type=int, default=150)
    c.add_argument("--folder", type=Path, default=None, help="JPEGs of this folder instead of the truth set")
    o = sub.add_parser("outputs")
    o.add_argument("--inputs", type=Path, required=True)
    o.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("compare")
    m.add_argument("before", type=Path)
    m.add_argument("after", type=Path)
    m.add_argument("--tol", type=float, default=0.0)
    t = sub.add_parser("cost")
    t.add_argument("--inputs", type=Path, required=True)
    t.add_argument("--passes", type=int, default=3)
    t.add_argument("--faces", type=int, default=None)
    args = ap.parse_args()
    if args.cmd == "capture":
        return capture(args.out, args.images, args.folder)
    if args.cmd == "outputs":
        return outputs(args.inputs, args.out)
    if args.cmd == "compare":
        return compare(args.before, args.after, args.tol)
    return cost(args.inputs, args.passes, args.faces)


if __name__ == "__main__":
    raise SystemExit(main())
