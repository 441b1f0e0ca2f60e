"""The verdict benchmark's printed report (benchmarks/verdict_quality.py computes the figures):
per split the confusion counts, per preset the false-qualified faces, the clean shares and the
clean camera variants, and the labels the detector disagrees with."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.truthset.labels import ATTRIBUTES, RESTORE_HINT, SPLITS
from benchmarks.verdict_quality import Outcome, Run, _where


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.0%}" if whole else f"{part}/0"


def print_report(result: Run, details: bool = False, out: Any = None) -> None:
    out = out or sys.stdout
    fig = result.figures
    print(f"detector: {fig['detector']}", file=out)
    if fig["missing_photos"]:
        print(f"photos not on this machine (not counted): {len(fig['missing_photos'])}", file=out)
        if any(m.startswith("gathered:") for m in fig["missing_photos"]):
            print(f"  gathered photos among them: {RESTORE_HINT}", file=out)
    for line in fig.get("derived_sources_unavailable", []):
        print(f"derived variants left out (not replaced): {line}", file=out)
    for split, s in fig["splits"].items():
        sets = ", ".join(f"{k} {v['found']}/{v['faces']}" for k, v in s["by_set"].items())
        print(f"\n=== {split}: {s['faces']} labelled faces, {s['found']} found ({sets}) ===", file=out)
        head = " ".join(f"{h:>4s}" for h in ("TP", "FP", "FN", "TN", "unk", "n/a", "lost"))
        print(f"\n{'attribute':20s} {head}", file=out)
        for attr, c in s["attributes"].items():
            if not c["measure"]:
                print(
                    f"{attr:20s} no measure: {c['present']} found faces with it, {c['absent']} without "
                    f"({c['not_found']} labelled faces lost)",
                    file=out,
                )
                continue
            print(
                f"{attr:20s} {c['tp']:4d} {c['fp']:4d} {c['fn']:4d} {c['tn']:4d} {c['unknown']:4d} "
                f"{c['unlabelled']:4d} {c['not_found']:4d}",
                file=out,
            )
        for name, p in s["presets"].items():
            print(f"\n{name}:", file=out)
            r = p["real"]
            print(
                f"  false-qualified: {p['false_qualified']} of {p['must_not']['faces']} must-not faces "
                f"({p['must_not']['found']} found); real photos {r['false_qualified']} of {r['must_not']} "
                f"({r['found']} found), derived {p['false_qualified'] - r['false_qualified']} of "
                f"{p['must_not']['faces'] - r['must_not']}",
                file=out,
            )
            variants: dict[str, int] = {}
            for item in p["false_qualified_faces"]:
                if item["variant"]:
                    variants[item["variant"]] = variants.get(item["variant"], 0) + 1
                else:
                    print(f"    {item['face']}  [{', '.join(item['flags'])}]", file=out)
            if variants:
                listed = ", ".join(f"{k} {v}" for k, v in sorted(variants.items()))
                print(
                    f"    derived variants: {listed}{' (--details lists them)' if not details else ''}",
                    file=out,
                )
                if details:
                    for item in p["false_qualified_faces"]:
                        if item["variant"]:
                            print(f"      {item['face']}", file=out)
            flags = [f"{k} {v['qualified']}/{v['faces']}" for k, v in p["by_flag"].items() if v["faces"]]
            print(f"  qualified per flag: {', '.join(flags)}", file=out)
            c, q = p["clean"], p["portraits"]
            print(
                f"  clean faces qualified: {_pct(c['qualified'], c['faces'])} ({c['found']} found)", file=out
            )
            print(
                f"  clean frontal portraits (sole face, box >= {q['min_px']:g} px) qualified: "
                f"{_pct(q['qualified'], q['faces'])}",
                file=out,
            )
            if details:
                for item in q["not_qualified"]:
                    print(f"    not qualified: {item['face']}: {'; '.join(item['reasons'])}", file=out)
            print_camera_line(s.get("clean_variants", {}).get(name, {}), details, out)
            extra = s["unlabelled_qualified"].get(name) or []
            if extra:
                print(
                    f"  unlabelled detections that qualify: {len(extra)} ({', '.join(extra[:8])})", file=out
                )
        if s["not_found"]:
            print(f"\n  not found by the detector ({len(s['not_found'])}):", file=out)
            for item in s["not_found"]:
                kind = "must-not" if item["must_not"] else "clean" if item["clean"] else "other"
                print(f"    {item['face']} ({kind}){' ' + item['error'] if item['error'] else ''}", file=out)
    if details:
        print_disagreements(result.outcomes, out)
        print("\nper face:", file=out)
        for o in result.outcomes:
            got = {k: v for k, v in o.measured.items() if v is not None}
            print(
                f"  [{o.label.split}] {_where(o)} flags={list(o.label.flags)} found={o.found} {got}", file=out
            )


def print_camera_line(kinds: Mapping[str, Mapping[str, Any]], details: bool, out: Any) -> None:
    """The clean-preserving variants that qualify, per kind (and with ``details`` why the others not)."""
    if not kinds:
        return
    faces = sum(k["faces"] for k in kinds.values())
    qualified = sum(k["qualified"] for k in kinds.values())
    listed = ", ".join(f"{name} {k['qualified']}/{k['faces']}" for name, k in kinds.items())
    print(f"  clean camera variants qualified: {_pct(qualified, faces)} ({listed})", file=out)
    if details:
        for k in kinds.values():
            for item in k["not_qualified"]:
                print(f"    not qualified: {item['face']}: {'; '.join(item['reasons'])}", file=out)


def print_disagreements(outcomes: Sequence[Outcome], out: Any, limit: int = 20) -> None:
    """Per split and attribute, the real photos where the measure and the label disagree (FP, FN)."""
    for split in SPLITS:
        print(
            f"\n{split}: measure vs label disagreements on real photos (FP: measured, not labelled)", file=out
        )
        for attr in ATTRIBUTES:
            wrong: dict[str, list[str]] = {"FP": [], "FN": []}
            for o in outcomes:
                truth, got = o.label.attrs.get(attr), o.measured.get(attr)
                if o.label.split != split or o.label.set == "derived" or truth is None or got is None:
                    continue
                if got != truth:
                    wrong["FP" if got else "FN"].append(_where(o))
            for kind, faces in wrong.items():
                if faces:
                    more = f" (+{len(faces) - limit} more)" if len(faces) > limit else ""
                    print(f"  {attr} {kind} {len(faces)}: {', '.join(faces[:limit])}{more}", file=out)
