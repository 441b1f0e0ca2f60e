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
  photos, clean ones among them, derived variants).

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
        rows.append(
            {
                "kind": kind,
                "positive": bool(label),
                "real": not variant,
                "clean": bool(f["clean"]),
                "tint": min(right["tint"], left["tint"]),
                "bright": max(right["bright"], left["bright"]),
                "already": bool(det.get("sunglasses")) or det.get("glasses") == "sunglasses",
                "face": f["face"],
            }
        )
    return rows


def distributions(rows: Sequence[dict[str, Any]]) -> None:
    for feature in ("tint", "bright"):
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json", type=Path, help="the output of verdict_quality.py --json")
    parser.add_argument("--split", default="tune", choices=("tune", "test"))
    args = parser.parse_args(argv)
    faces = json.loads(args.json.read_text(encoding="utf-8"))["faces"]
    rows = eye_rows(faces, args.split)
    distributions(rows)
    sweep(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
