"""Distributions of the facecurator.detect.quality measures on clean faces and
on defective variants, per split (tune / test), from benchmarks/quality_faces.py.

    python benchmarks/quality_calibration.py /tmp/qcal/faces.pkl [--measure sharpness ...]
"""

from __future__ import annotations

import argparse
import collections
import pickle
import time
from collections.abc import Callable

import numpy as np

from facecurator.detect.quality import face
from facecurator.detect.quality.base import inter_eye_distance

#: variant -> kind of defect it carries ("" = clean)
DEFECT = {
    "orig": "",
    "jpeg75": "",
    "half": "",
    "gauss": "blur",
    "gauss_mild": "blur",
    "jpeg2": "compressed",
    "jpeg5": "compressed",
    "down12_cubic": "upscaled",
    "down12_nearest": "upscaled",
    "down6_linear": "upscaled",
    "dark": "underexposed",
    "bright": "overexposed",
    "cartoon": "not_photo",
    "stylized": "not_photo",
    "smooth_render": "not_photo",
}
REAL_BLUR = ("blur/",)


def measures(r: dict) -> dict[str, float | bool | None]:
    q = face.measure_face(r["crop"], r["mesh"], scale=r["scale"], jpeg_quality=r.get("jpeg_q"))
    out: dict[str, float | bool | None] = {name: m.value for name, m in q.measures.items()}
    out["jpeg_q"] = r.get("jpeg_q")
    out.update({f"_{k}": v for k, (v, _) in q.verdicts.items()})
    return out


#: labelled attribute -> (measure predicate on the measures dict, measures it needs)
RULES: dict[str, Callable[[dict], bool | None]] = {}


RULES.update(
    blurred=lambda m: m["_blurred"],
    compressed=lambda m: m["_compressed"],
    upscaled=lambda m: m["_upscaled"],
    underexposed=lambda m: m["_underexposed"],
    overexposed=lambda m: m["_overexposed"],
    not_photo=lambda m: m["_not_photo"],
    pitch_over30=lambda m: m["_pitch_over30"],
    yaw_over30=lambda m: m["_yaw_over30"],
)


def confusion(rows: list[tuple[dict, dict]]) -> None:
    """Per labelled attribute and split: tp fp fn tn (unknown) of the measure's rule."""
    print("## labelled faces: confusion of each measure's rule (tp fp fn tn, null)")
    for attr, rule in RULES.items():
        for split in ("tune", "test"):
            c = collections.Counter()
            for r, m in rows:
                if r["split"] != split:
                    continue
                lab = (r.get("labels") or {}).get(attr, "")
                if lab not in ("0", "1"):
                    continue
                pred = rule(m)
                if pred is None:
                    c["null"] += 1
                    continue
                c[("t" if pred == (lab == "1") else "f") + ("p" if pred else "n")] += 1
            if r_split_has(c):
                print(
                    f"  {attr:14s} {split:4s} tp={c['tp']:3d} fp={c['fp']:3d} fn={c['fn']:3d} "
                    f"tn={c['tn']:3d} null={c['null']:3d}"
                )
            c.clear()


def r_split_has(c: collections.Counter) -> bool:
    return sum(c.values()) > 0


def kind(r: dict) -> str:
    if r["variant"] == "orig" and r["file"].startswith(REAL_BLUR):
        return "blur(real)"
    base = DEFECT.get(r["variant"], "?")
    if r["file"].startswith(REAL_BLUR) and base == "":
        return "blur(real)"
    return base or "clean"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("faces")
    ap.add_argument("--measure", nargs="*")
    ap.add_argument("--min-ied", type=float, default=0.0)
    ap.add_argument("--list", help="print every face whose measure is named")
    args = ap.parse_args()
    with open(args.faces, "rb") as fh:
        recs = pickle.load(fh)
    table: dict[tuple[str, str, str], list[float]] = collections.defaultdict(list)
    t0 = time.process_time()
    rows = []
    for r in recs:
        if inter_eye_distance(r["mesh"]) < args.min_ied:
            continue
        m = measures(r)
        rows.append((r, m))
    per_face = (time.process_time() - t0) / max(1, len(rows)) * 1000
    names = args.measure or list(rows[0][1])
    labelled = [(r, m) for r, m in rows if r.get("labelled")]
    rows = [(r, m) for r, m in rows if not r.get("labelled")]
    for r, m in rows:
        for name in names:
            v = m.get(name)
            group = r["variant"] if kind(r) != "blur(real)" else "blur(real)"
            table[(name, group, r["split"])].append(np.nan if v is None else v)
    for name in names:
        print(f"## {name}")
        for group in [*DEFECT, "blur(real)"]:
            for split in ("tune", "test"):
                vals = np.array(table.get((name, group, split), []), dtype=float)
                if not len(vals):
                    continue
                ok = vals[~np.isnan(vals)]
                pct = np.percentile(ok, [0, 5, 50, 95, 100]).round(3) if len(ok) else "-"
                label = DEFECT.get(group, "blur")
                print(
                    f"  {group:15s} {label or 'clean':12s} {split:4s} n={len(vals):3d} "
                    f"null={int(np.isnan(vals).sum()):2d} {pct}"
                )
    confusion(
        [(r, m) for r, m in labelled if r["split"] == "tune"]
        + [(r, m) for r, m in labelled if r["split"] == "test"]
    )
    if args.list:
        for r, m in rows:
            if r["variant"] in ("orig",):
                print(f"{r['file']:50s} {r['split']} {m.get(args.list)}")
    print(f"cost: {per_face:.2f} ms CPU per face (all measures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
