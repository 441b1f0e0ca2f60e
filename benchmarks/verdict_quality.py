"""Verdict quality (issue 18): the local detector and the presets against the labelled truth set.

Usage::

    python benchmarks/verdict_quality.py [--split tune|test|test2] [--sets corpus,gathered,derived]
                                         [--json FILE|-] [--details] [--no-cache]
    python benchmarks/detector_accuracy.py --verdicts ...      # the same

Runs the local detector over the labelled faces of ``benchmarks/truthset/labels.csv``
(the corpus ``../shared/corpus``, the gathered photos ``../truthset/photos`` — see
``benchmarks/truthset/README.md``) and the derived variants made from their clean
faces (``benchmarks/truthset/derive.py``; ``--derive-limit``). Each labelled face is matched to the
detection whose box contains its centre (the nearest box centre if several do).
For each split apart (``tune``; ``test``; ``test2``, the fresh held-out part of session 13,
whose sources are in neither and which has no derived variants) it prints:

- per attribute the confusion counts of the detector's measure
  (``benchmarks/truthset/measures.py``) against the label: TP, FP, FN, TN and
  unknown (measure null) — faces whose label is empty are not counted;
- per preset (``enrollment-strict`` without its one-face condition,
  ``moderation-2.0``, ``enrollment-iso`` when it exists) the must-not faces that
  qualify (false-qualified, listed by file with their flags), how many faces of
  each flag qualify, and the share of clean faces and of clean frontal portraits
  (clean, the only labelled face of its photo, box ≥ the preset's minimum face
  size, or 112 px) that qualify;
- per preset the clean-preserving derived variants (``benchmarks/truthset/camera_variants.py``:
  colour casts, exposure ±0.7 stop, a film grade, JPEG 70-90, half size, sensor noise, PNG,
  a 10° roll of clean faces) that qualify, per kind — apart: they count in no other figure;
- labelled faces the detector did not find, apart.

``--json`` also lists every labelled face with its labels, the detection it was
matched to (every field and ``raw``), the measures and the verdicts, for tuning.

From Python (to choose thresholds on the tune split)::

    from benchmarks import verdict_quality as vq
    result = vq.run(splits=("tune",))        # .outcomes: label, matched Face, measured, qualified
    vq.print_report(result)

Detections are cached per (file sha256, detector settings, detector source code)
in ``FACECURATOR_BENCH_CACHE`` (default ``~/.cache/facecurator-bench``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.truthset import derive  # noqa: E402
from benchmarks.truthset.camera_variants import CAMERA_VARIANT_NAMES  # noqa: E402
from benchmarks.truthset.detections import (  # noqa: E402
    Detected,
    Runner,
    default_cache_dir,
    match_face,
)
from benchmarks.truthset.labels import (  # noqa: E402
    ATTRIBUTES,
    LABELS_CSV,
    MUST_NOT_FLAGS,
    SPLITS,
    Label,
    read_labels,
    resolve,
)
from benchmarks.truthset.measures import MEASURES  # noqa: E402
from facecurator.domain.face import Face  # noqa: E402
from facecurator.domain.rules import FaceCount, ImageContext, MinFaceSize, RuleSet, load_rules  # noqa: E402
from facecurator.errors import ConfigError  # noqa: E402

#: Presets evaluated; enrollment-strict and -iso without their one-face condition.
PRESETS = ("enrollment-strict", "moderation-2.0", "enrollment-iso")
#: Presets whose face_count condition is dropped (the truth set has group photos).
WITHOUT_FACE_COUNT = ("enrollment-strict", "enrollment-iso")
DEFAULT_PORTRAIT_PX = 112
#: Clean faces per split the derived variants are made from (one image per variant each): the pinned
#: list ``benchmarks/truthset/derived_sources.csv`` holds 30 per split (spread evenly over the
#: eligible faces when it was made), so new labels do not change the derived figures.
DEFAULT_DERIVE_LIMIT = 30


# --------------------------------------------------------------------------- presets


def load_presets(names: Sequence[str] = PRESETS) -> dict[str, RuleSet]:
    """The presets to evaluate (those that exist), without the one-face condition where noted."""
    presets = {}
    for name in names:
        try:
            rules = load_rules(name)
        except ConfigError:
            continue
        if name in WITHOUT_FACE_COUNT:
            for condition in rules.conditions:
                if isinstance(condition, FaceCount):
                    rules = rules.without_condition(condition.id)
        presets[name] = rules
    return presets


def portrait_px(rules: RuleSet | None) -> float:
    for condition in rules.conditions if rules else ():
        if isinstance(condition, MinFaceSize):
            return float(condition.min_px)
    return float(DEFAULT_PORTRAIT_PX)


# --------------------------------------------------------------------------- evaluation


@dataclass
class Outcome:
    """One labelled face after detection, matching and evaluation."""

    label: Label
    face: Face | None = None
    #: attribute -> the detector's reading (True / False / None); only for matched faces
    measured: dict[str, bool | None] = field(default_factory=dict)
    #: preset -> qualified
    qualified: dict[str, bool] = field(default_factory=dict)
    #: preset -> reasons against (English), for --details
    reasons: dict[str, list[str]] = field(default_factory=dict)
    #: the only labelled face of its image (derived variants: never)
    sole: bool = False
    error: str = ""

    @property
    def found(self) -> bool:
        return self.face is not None


def measure_face(face: Face, measures: Mapping[str, Any] = MEASURES) -> dict[str, bool | None]:
    out: dict[str, bool | None] = {}
    for attr in ATTRIBUTES:
        fn = measures.get(attr)
        out[attr] = None if fn is None else fn(face)
    return out


def evaluate(
    labels: Sequence[Label],
    detections: Mapping[Path, Detected],
    presets: Mapping[str, RuleSet],
    measures: Mapping[str, Any] = MEASURES,
) -> list[Outcome]:
    """Match every label to its detection and evaluate the measures and presets on it."""
    per_image: dict[Path, int] = {}
    for label in labels:
        if label.path is not None:
            per_image[label.path] = per_image.get(label.path, 0) + 1
    outcomes = []
    for label in labels:
        assert label.path is not None, label.key
        detected = detections[label.path]
        out = Outcome(
            label=label, sole=label.set != "derived" and per_image[label.path] == 1, error=detected.error
        )
        index = match_face((label.face_x, label.face_y), detected)
        if index is not None:
            face = detected.faces[index]
            out.face = face
            out.measured = measure_face(face, measures)
            ctx = ImageContext(face_count=len(detected.faces))
            for name, rules in presets.items():
                verdict = rules.evaluate(face, ctx)
                out.qualified[name] = verdict.qualified
                out.reasons[name] = verdict.reasons
        outcomes.append(out)
    return outcomes


def unlabelled_qualified(
    labels: Sequence[Label], detections: Mapping[Path, Detected], presets: Mapping[str, RuleSet]
) -> dict[str, list[str]]:
    """Per preset: detections no label matched that qualify (files), in images of the set."""
    matched: dict[Path, set[int]] = {}
    for label in labels:
        assert label.path is not None
        index = match_face((label.face_x, label.face_y), detections[label.path])
        matched.setdefault(label.path, set())
        if index is not None:
            matched[label.path].add(index)
    out: dict[str, list[str]] = {name: [] for name in presets}
    for path, indices in matched.items():
        detected = detections[path]
        ctx = ImageContext(face_count=len(detected.faces))
        for i, face in enumerate(detected.faces):
            if i in indices:
                continue
            for name, rules in presets.items():
                if rules.is_qualified(face, ctx):
                    out[name].append(f"{path.name}#{i}")
    return out


# --------------------------------------------------------------------------- summaries


def confusion(outcomes: Iterable[Outcome], attribute: str) -> dict[str, int]:
    """TP/FP/FN/TN/unknown of the measure against the label (found faces with a known label).

    ``present``/``absent``: found faces labelled 1/0; ``unlabelled``: found faces whose label
    is empty; ``not_found``: labelled faces the detector did not find.
    """
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "unknown": 0, "unlabelled": 0, "not_found": 0}
    counts |= {"present": 0, "absent": 0}
    for out in outcomes:
        truth = out.label.attrs.get(attribute)
        if not out.found:
            if truth is not None:
                counts["not_found"] += 1
            continue
        if truth is None:
            counts["unlabelled"] += 1
            continue
        counts["present" if truth else "absent"] += 1
        got = out.measured.get(attribute)
        if got is None:
            counts["unknown"] += 1
        elif got and truth:
            counts["tp"] += 1
        elif got:
            counts["fp"] += 1
        elif truth:
            counts["fn"] += 1
        else:
            counts["tn"] += 1
    return counts


def _where(out: Outcome) -> str:
    label = out.label
    if label.set == "derived":  # the file names the source face and the variant
        return f"derived:{label.file}"
    return f"{label.set}:{label.file}@{label.face_x:.2f},{label.face_y:.2f}"


def preset_summary(outcomes: Sequence[Outcome], name: str, min_px: float) -> dict[str, Any]:
    must_not = [o for o in outcomes if o.label.must_not]
    clean = [o for o in outcomes if o.label.clean]
    portraits = [o for o in clean if o.sole and (o.face is None or o.face.box.short_side >= min_px)]
    false_qualified = [o for o in must_not if o.qualified.get(name)]
    by_flag = {}
    for flag in MUST_NOT_FLAGS:
        with_flag = [o for o in must_not if o.label.attrs.get(flag) is True]
        by_flag[flag] = {
            "faces": len(with_flag),
            "found": sum(o.found for o in with_flag),
            "qualified": sum(bool(o.qualified.get(name)) for o in with_flag),
        }
    real = [o for o in must_not if o.label.set != "derived"]
    return {
        "must_not": {"faces": len(must_not), "found": sum(o.found for o in must_not)},
        "false_qualified": len(false_qualified),
        "real": {
            "must_not": len(real),
            "found": sum(o.found for o in real),
            "false_qualified": sum(1 for o in false_qualified if o.label.set != "derived"),
        },
        "false_qualified_faces": [
            {"face": _where(o), "flags": list(o.label.flags), "variant": o.label.variant}
            for o in false_qualified
        ],
        "by_flag": by_flag,
        "clean": {
            "faces": len(clean),
            "found": sum(o.found for o in clean),
            "qualified": sum(bool(o.qualified.get(name)) for o in clean),
        },
        "portraits": {
            "faces": len(portraits),
            "found": sum(o.found for o in portraits),
            "qualified": sum(bool(o.qualified.get(name)) for o in portraits),
            "min_px": min_px,
            "not_qualified": [
                {
                    "face": _where(o),
                    "reasons": o.reasons.get(name, ["not found"]) if o.found else ["not found"],
                }
                for o in portraits
                if not o.qualified.get(name)
            ],
        },
    }


def is_camera_variant(out: Outcome) -> bool:
    """A clean-preserving derived variant (reported apart, in ``clean_variants``)."""
    return out.label.set == "derived" and out.label.variant in CAMERA_VARIANT_NAMES


def camera_summary(outcomes: Sequence[Outcome], name: str) -> dict[str, dict[str, Any]]:
    """Per kind of clean-preserving variant: faces, found, qualified, and the ones not qualified."""
    kinds: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        entry = kinds.setdefault(
            o.label.variant, {"faces": 0, "found": 0, "qualified": 0, "not_qualified": []}
        )
        entry["faces"] += 1
        entry["found"] += o.found
        if o.qualified.get(name):
            entry["qualified"] += 1
        else:
            reasons = o.reasons.get(name, ["not found"]) if o.found else ["not found"]
            entry["not_qualified"].append({"face": _where(o), "reasons": reasons})
    return dict(sorted(kinds.items()))


def summarize(
    outcomes: Sequence[Outcome],
    presets: Mapping[str, RuleSet],
    unlabelled: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The figures of one split (JSON-ready). The clean-preserving variants count only in
    ``clean_variants`` (per preset and kind), every other figure is without them."""
    camera = [o for o in outcomes if is_camera_variant(o)]
    outcomes = [o for o in outcomes if not is_camera_variant(o)]
    min_px = portrait_px(presets.get("enrollment-strict"))
    sets: dict[str, dict[str, int]] = {}
    for out in outcomes:
        entry = sets.setdefault(out.label.set, {"faces": 0, "found": 0})
        entry["faces"] += 1
        entry["found"] += out.found
    return {
        "faces": len(outcomes),
        "found": sum(o.found for o in outcomes),
        "by_set": sets,
        "not_found": [
            {"face": _where(o), "must_not": o.label.must_not, "clean": o.label.clean, "error": o.error}
            for o in outcomes
            if not o.found
        ],
        "attributes": {
            attr: {"measure": MEASURES.get(attr) is not None, **confusion(outcomes, attr)}
            for attr in ATTRIBUTES
        },
        "presets": {name: preset_summary(outcomes, name, min_px) for name in presets},
        "clean_variants": {name: camera_summary(camera, name) for name in presets},
        "unlabelled_qualified": dict(unlabelled or {}),
    }


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    """Everything a run measured (the figures per split are in ``figures``)."""

    outcomes: list[Outcome]
    figures: dict[str, Any]
    missing: list[Label]
    presets: dict[str, RuleSet]
    detections: dict[Path, Detected]


def run(
    *,
    labels_csv: Path = LABELS_CSV,
    splits: Sequence[str] = SPLITS,
    sets: Sequence[str] = ("corpus", "gathered", "derived"),
    cache_dir: Path | None = None,
    derive_limit: int | None = DEFAULT_DERIVE_LIMIT,
    derive_pins: Path | None = derive.DERIVED_SOURCES_CSV,
    settings: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> Run:
    """Detect, match and evaluate the truth set; figures per split."""
    all_labels = [lb for lb in read_labels(labels_csv) if lb.split in splits and lb.set in sets]
    labels, missing = resolve(all_labels)
    presets = load_presets()
    runner = Runner(cache_dir, settings)
    detections: dict[Path, Detected] = {}
    unavailable: list[str] = []
    try:
        for i, path in enumerate(sorted({lb.path for lb in labels if lb.path is not None})):
            if progress:
                print(f"\rdetect {i + 1} {path.name[:40]:40s}", end="", file=sys.stderr, flush=True)
            detections[path] = runner.detect(path)
        if "derived" in sets:
            pins = derive.read_pins(derive_pins) if derive_pins is not None else None
            selection = derive.select_sources(labels, detections, limit=derive_limit, pins=pins)
            variants = derive.derive_selected(
                selection, detections, (cache_dir or default_cache_dir()) / "derived"
            )
            unavailable = [
                f"pinned source face {key} ({split}): {why}" for split, key, why in selection.unavailable
            ]
            unavailable += [  # else a fresh machine without the hands' photos reports fewer variants silently
                f"{name} variants ({split}): not made, their photos are not on this machine"
                " (python -m benchmarks.truthset.restore)"
                for split, name in derive.kinds_not_made(selection)
            ]
            for i, variant in enumerate(variants):
                assert variant.path is not None
                if progress:
                    print(f"\rdetect derived {i + 1}/{len(variants)}", end="", file=sys.stderr, flush=True)
                detections[variant.path] = runner.detect(variant.path)
            labels = labels + variants
    finally:
        runner.close()
        if progress:
            print(f"\r{runner.computed} detected, {runner.cached} from the cache" + " " * 30, file=sys.stderr)
    outcomes = evaluate(labels, detections, presets)
    figures: dict[str, Any] = {
        "detector": runner.detector.settings_key,
        "presets": list(presets),
        "missing_photos": [f"{lb.set}:{lb.file}" for lb in missing],
        "derived_sources_unavailable": unavailable,
        "splits": {},
    }
    for split in splits:
        part = [o for o in outcomes if o.label.split == split]
        part_labels = [o.label for o in part if o.label.set != "derived"]
        figures["splits"][split] = summarize(
            part, presets, unlabelled_qualified(part_labels, detections, presets)
        )
    figures["faces"] = [face_record(o) for o in outcomes]
    return Run(outcomes, figures, missing, presets, detections)


def face_record(out: Outcome) -> dict[str, Any]:
    """One labelled face in the JSON: its labels, what the detector measured, the verdicts."""
    label = out.label
    return {
        "face": _where(out),
        "set": label.set,
        "split": label.split,
        "source": label.source,
        "variant": label.variant,
        "labels": {a: label.attrs.get(a) for a in ATTRIBUTES},
        "must_not": label.must_not,
        "clean": label.clean,
        "found": out.found,
        "measured": out.measured,
        "qualified": out.qualified,
        "reasons": out.reasons,
        "detection": out.face.to_json() if out.face is not None else None,
    }


# --------------------------------------------------------------------------- printing


def print_report(result: Run, details: bool = False, out: Any = None) -> None:
    """The figures of ``result`` as text (``benchmarks/verdict_print.py``)."""
    from benchmarks.verdict_print import print_report as print_figures

    print_figures(result, details, out)


def add_arguments(parser: argparse.ArgumentParser, *, details: bool = True) -> None:
    """The options of the verdict benchmark (``details=False`` when the parser already has --details)."""
    parser.add_argument(
        "--labels", type=Path, default=LABELS_CSV, help="labels CSV (default: the committed one)"
    )
    parser.add_argument("--split", choices=SPLITS, action="append", help="only this split (repeatable)")
    parser.add_argument("--sets", default="corpus,gathered,derived", help="comma-separated sets to use")
    parser.add_argument("--json", dest="json_out", help="write the figures as JSON to FILE ('-': stdout)")
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="detection cache (default ~/.cache/facecurator-bench)"
    )
    parser.add_argument("--no-cache", action="store_true", help="detect everything again")
    parser.add_argument(
        "--derive-limit",
        type=int,
        default=DEFAULT_DERIVE_LIMIT,
        help=f"derive from at most N of the pinned clean faces per split (default {DEFAULT_DERIVE_LIMIT}, "
        "the whole list; 0: all)",
    )
    parser.add_argument(
        "--derive-unpinned",
        action="store_true",
        help="derive from faces spread over every eligible clean face, not the pinned list "
        "(benchmarks/truthset/derived_sources.csv)",
    )
    if details:
        parser.add_argument(
            "--details", action="store_true", help="reasons of unqualified portraits, every face"
        )


def main_with(args: argparse.Namespace, settings: Mapping[str, Any] | None = None) -> int:
    cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir())
    result = run(
        labels_csv=args.labels,
        splits=tuple(args.split or SPLITS),
        sets=tuple(s for s in args.sets.split(",") if s),
        cache_dir=cache_dir,
        derive_limit=args.derive_limit or None,
        derive_pins=None if args.derive_unpinned else derive.DERIVED_SOURCES_CSV,
        settings=settings,
        progress=sys.stderr.isatty(),
    )
    if args.json_out == "-":
        json.dump(result.figures, sys.stdout, indent=1)
        print()
        return 0
    print_report(result, details=args.details)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result.figures, indent=1), encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    return main_with(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
