"""Calibration of the tinted-lens rule (issue 18) on the truth set's tuning part.

Reads the faces of ``benchmarks/verdict_quality.py --json FILE`` (every labelled
face with the detector's ``raw.quality.eyes`` numbers) and, for the faces whose
``sunglasses`` label is known and whose two eyes were read, prints

- per class (real sunglasses, the dark ``sunglasses`` and see-through ``tinted``
  derived variants, clean faces, clear glasses) the distribution of the tint (the
  smaller a*b* distance of the two periocular regions from the skin) and of the
  darker eye window (the larger of the two ``bright`` = p90 L / skin L);
- a sweep of ``TINT_MIN`` x ``TINT_BRIGHT_MAX`` (``facecurator.detect.quality.eyes``):
  sunglasses faces newly caught, and faces without sunglasses newly flagged (real
  photos, clean ones among them, derived variants);
- the same for the "dimmed" rule (``DIMMED_CONTRAST_MAX`` x ``DIMMED_BRIGHT_MAX``:
  both eye windows flatter and darker than bare eyes), on sharp full-resolution
  faces only (the detector's ``sharp`` and ``full_resolution`` measures pass), with
  the distribution of the flatter eye's contrast.

    python benchmarks/verdict_quality.py --json /tmp/vq.json
    python benchmarks/lens_tint.py /tmp/vq.json --split tune      # choose here
    python benchmarks/lens_tint.py /tmp/vq.json --split test      # report only

"Newly" means the detector does not already read the face as wearing sunglasses
(the dark-lens rule, or the tint rule as calibrated when the JSON was written:
run it from a detector with the rule off to sweep from scratch).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def eye_rows(faces: Sequence[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """One row per found face of ``split`` with both eyes read and a known sunglasses label."""
    rows = []
    for f in faces:
        if not f["found"] or f["split"] != split:
            continue
        eyes = ((f["detection"].get("raw") or {}).get("quality") or {}).get("eyes") or {}
        right, left = eyes.get("right") or {}, eyes.get("left") or {}
        if right.get("visible") is None or left.get("visible") is None or "tint" not in right:
            continue
        label = f["labels"].get("sunglasses")
        if label is None:
            continue
        variant = f["variant"] or ""
        if label:
            kind = f"sunglasses: {variant or 'real'}"
        elif variant:
            kind = "no sunglasses: derived"
        else:
            glasses = f["labels"].get("clear_glasses")
            kind = "no sunglasses: clear glasses" if glasses else "no sunglasses: real"
        det = f["detection"]
        measures = det.get("measures") or {}
        rows.append(
            {
                "kind": kind,
                "positive": bool(label),
                "real": not variant,
                "clean": bool(f["clean"]),
                "tint": min(right["tint"], left["tint"]),
                "contrast": max(right["contrast"], left["contrast"]),
                "sharp": all(measures.get(m, {}).get("value") == 1.0 for m in ("sharp", "full_resolution")),
                "bright": max(right["bright"], left["bright"]),
                "already": bool(det.get("sunglasses")) or det.get("glasses") == "sunglasses",
                "face": f["face"],
            }
        )
    return rows


def distributions(rows: Sequence[dict[str, Any]]) -> None:
    for feature in ("tint", "bright", "contrast"):
        print(f"{feature}:")
        for kind in sorted({r["kind"] for r in rows}):
            v = np.array([r[feature] for r in rows if r["kind"] == kind])
            print(
                f"  {kind:32s} n={len(v):4d}  min {v.min():6.2f}  p5 {np.percentile(v, 5):6.2f}"
                f"  median {np.median(v):6.2f}  p95 {np.percentile(v, 95):6.2f}  max {v.max():6.2f}"
            )


def sweep(rows: Sequence[dict[str, Any]]) -> None:
    positives = [r for r in rows if r["positive"]]
    print(
        f"\n{len(positives)} sunglasses faces ({sum(r['already'] for r in positives)} already read), "
        f"{sum(not r['positive'] and r['real'] for r in rows)} real faces without"
    )
    print(" tint  bright | caught | flagged real (clean) derived")
    for tint in (10.0, 12.0, 14.0, 16.0, 18.0, 20.0):
        for bright in (0.7, 0.8, 0.9, 1.0):
            hit = [r for r in rows if r["tint"] >= tint and r["bright"] < bright and not r["already"]]
            caught = sum(r["positive"] for r in hit)
            real = [r for r in hit if not r["positive"] and r["real"]]
            derived = sum(not r["positive"] and not r["real"] for r in hit)
            clean = sum(r["clean"] for r in real)
            print(f" {tint:4.0f}  {bright:5.2f}  | {caught:6d} | {len(real):12d} ({clean}) {derived:7d}")


def sweep_dimmed(rows: Sequence[dict[str, Any]]) -> None:
    sharp = [r for r in rows if r["sharp"]]
    print(f"\ndimmed (sharp faces only: {len(sharp)} of {len(rows)})")
    print(" contrast  bright | caught | flagged real (clean) derived")
    for contrast in (0.30, 0.35, 0.40, 0.45, 0.50):
        for bright in (0.75, 0.80, 0.85):
            hit = [r for r in sharp if r["contrast"] < contrast and r["bright"] < bright and not r["already"]]
            caught = sum(r["positive"] for r in hit)
            real = [r for r in hit if not r["positive"] and r["real"]]
            derived = sum(not r["positive"] and not r["real"] for r in hit)
            n_clean = sum(r["clean"] for r in real)
            row = f"   {contrast:4.2f}   {bright:5.2f}  | {caught:6d} | {len(real):12d} ({n_clean})"
            print(f"{row} {derived:6d}")
    bare = sorted(r["contrast"] for r in sharp if not r["positive"] and r["real"] and r["bright"] < 0.85)
    print(" flattest bare eyes of sharp real faces darker than 0.85 x skin:", [round(c, 3) for c in bare[:5]])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json", type=Path, help="the output of verdict_quality.py --json")
    parser.add_argument("--split", default="tune", choices=("tune", "test"))
    args = parser.parse_args(argv)
    faces = json.loads(args.json.read_text(encoding="utf-8"))["faces"]
    rows = eye_rows(faces, args.split)
    distributions(rows)
    sweep(rows)
    sweep_dimmed(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
