"""Derived variants of clean labelled faces, whose labels are beyond doubt (issue 18).

Which faces they are made from, and the files. The variants themselves (a bar over
the eyes, blur, JPEG quality 2-3, dim, ...: one drawing function each) are in
``variants.py``, whose docstring lists them, and the real kinds of sunglasses lenses
(gradient, mirrored, brown filter, aviator) in ``lens_variants.py``, and the partial
covers the first outside check found passing (a hat brim over the eyes, a hand over half
the mouth, a soft face under drawn overlays) in ``cover_variants.py``, a washed-out photo
(a veil of light, nothing dark left) in ``exposure_variants.py``; the clean-preserving
ones (the same clean face as other cameras take it: colour casts, exposure, a film grade,
JPEG, half size, sensor noise, PNG, a 10° roll) in ``camera_variants.py``.

From a clean labelled face that the local detector found with its mesh landmarks
and a box of at least ``MIN_FACE_PX`` pixels (``eligible``), a crop around the face
(the face about ``FACE_PX`` pixels wide) is made, and from it one image per variant.

**The source faces are pinned.** ``derived_sources.csv`` (beside this file) lists the
source face of every variant, one row per face key and split. A new clean label
therefore changes no derived figure. A pinned face that is no longer eligible (its
label changed, its photo is missing, the detector no longer finds it with a mesh or
at 112 px) is *reported* (``Selection.unavailable``; the benchmark prints it), never
silently replaced. The list was made by spreading ``PIN_LIMIT`` (30) faces per
split evenly over the split's eligible faces sorted by key; to rebuild it that way
from today's labels and detections (this changes every derived figure: say so)::

    python -m benchmarks.truthset.derive --repin [--split tune|test] [--limit 30]

CLI: ``python -m benchmarks.truthset.derive [--out DIR] [--split tune|test]``
writes the variants of the pinned faces and prints their label rows (CSV);
``--unpinned [--limit N]`` derives from N faces spread over every eligible face instead.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from benchmarks.truthset.camera_variants import CAMERA_VARIANTS
from benchmarks.truthset.cover_variants import COVER_VARIANTS
from benchmarks.truthset.detections import Runner, default_cache_dir, match_face
from benchmarks.truthset.exposure_variants import EXPOSURE_VARIANTS
from benchmarks.truthset.hand_variants import HAND_VARIANTS
from benchmarks.truthset.labels import COLUMNS, Label
from benchmarks.truthset.lens_variants import LENS_VARIANTS
from benchmarks.truthset.variants import VARIANTS as BASE_VARIANTS
from benchmarks.truthset.variants import Points, Variant, eye_line_roll, roll45_angle

if TYPE_CHECKING:
    from benchmarks.truthset.detections import Detected

__all__ = [
    "DERIVED_SOURCES_CSV",
    "VARIANTS",
    "Selection",
    "Variant",
    "derive_all",
    "derive_face",
    "eligible",
    "eye_line_roll",
    "read_pins",
    "roll45_angle",
    "select_sources",
    "write_pins",
]

#: Bump when a variant's pixels change (the variants live in a folder of this version).
#: v4 added dim, bright, hair_eye and mouth_hand, v5 glare, v6 sketch, v7 recompressed (the
#: other variants are byte-identical); v8 added gradient, mirrored, brown_lens and aviator.
#: brim, half_mouth_hand and overlay_blur were added in v8's folder (every other variant's
#: pixels are unchanged; a face whose new files are missing is derived again, identically).
DERIVE_VERSION: Final = 8
#: The clean-preserving camera variants (colour casts, exposure, grade, JPEG, half size, noise,
#: PNG, roll 10°) were added in v8's folder too (the must-not variants' pixels are unchanged).
#: Every variant made from a source face: ``variants.py``'s, the real lenses', the partial covers',
#: and the clean-preserving camera differences of ``camera_variants.py`` (label stays clean).
#: ``washed`` (exposure_variants.py) was added in v8's folder too (the others are unchanged).
#: The real-hand variants (hand_variants.py) were added in v8's folder too, made only where their
#: hands' photos are (``Variant.available``): a face's plan leaves them out elsewhere.
VARIANTS: Final = (
    *BASE_VARIANTS,
    *LENS_VARIANTS,
    *COVER_VARIANTS,
    *EXPOSURE_VARIANTS,
    *HAND_VARIANTS,
    *CAMERA_VARIANTS,
)
#: Seeds the random choices (bar colour, which eye, ...). Kept at 1 when v2 changed
#: roll45 (its direction follows the face's own tilt) and added ``tinted``, so the other
#: variants are unchanged.
SEED_VERSION: Final = 1
MIN_FACE_PX: Final = 112
FACE_PX: Final = 240
CROP_FACTOR: Final = 2.6
#: The pinned source faces (columns split, key); see the module docstring.
DERIVED_SOURCES_CSV: Final = Path(__file__).resolve().parent / "derived_sources.csv"
#: Source faces per split ``--repin`` spreads over the eligible ones.
PIN_LIMIT: Final = 30


# --------------------------------------------------------------------------- driving


def _seed(*parts: str) -> np.random.Generator:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def ineligible(label: Label, detected: Detected | None) -> str | None:
    """Why variants cannot be derived from this face (None: they can)."""
    if label.set == "derived":
        return "a derived face"
    if not label.clean:
        return "not labelled clean"
    if detected is None:
        return "photo not detected"
    index = match_face((label.face_x, label.face_y), detected)
    if index is None:
        return "not found by the detector"
    face = detected.faces[index]
    if (face.raw or {}).get("landmark_kind") != "mesh-5" or not face.landmarks or len(face.landmarks) < 5:
        return "no mesh landmarks"
    if face.box.short_side < MIN_FACE_PX:
        return f"face box under {MIN_FACE_PX} px"
    return None


def eligible(label: Label, detected: Detected | None) -> int | None:
    """Index of the detection to derive from, or None (not clean, not found, no mesh, too small)."""
    if ineligible(label, detected) is not None:
        return None
    assert detected is not None
    return match_face((label.face_x, label.face_y), detected)


def read_pins(path: Path = DERIVED_SOURCES_CSV) -> dict[str, list[str]]:
    """The pinned source face keys per split, in file order."""
    pins: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pins.setdefault(row["split"], []).append(row["key"])
    return pins


def write_pins(pins: Mapping[str, Sequence[str]], path: Path = DERIVED_SOURCES_CSV) -> None:
    """Write the pinned keys (splits in name order, keys sorted)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("split", "key"))
        for split in sorted(pins):
            writer.writerows((split, key) for key in sorted(pins[split]))


def _spread(items: list[tuple[Label, int]], limit: int | None) -> list[tuple[Label, int]]:
    """At most ``limit`` items, spread evenly over the list."""
    if limit is not None and len(items) > limit:
        step = len(items) / limit
        items = [items[int(k * step)] for k in range(limit)]
    return items


@dataclass
class Selection:
    """The source faces of the derived variants."""

    #: split -> (label, index of its detection), sorted by key
    sources: dict[str, list[tuple[Label, int]]] = field(default_factory=dict)
    #: pinned faces left out: (split, key, why)
    unavailable: list[tuple[str, str, str]] = field(default_factory=list)


def select_sources(
    labels: Iterable[Label],
    detections: Mapping[Path, Detected],
    *,
    limit: int | None = None,
    pins: Mapping[str, Sequence[str]] | None = None,
) -> Selection:
    """The source faces: the pinned ones of the splits present in ``labels`` (``pins``), or
    without pins every eligible face; then at most ``limit`` per split, spread evenly."""
    by_key = {lb.key: lb for lb in labels if lb.set != "derived"}
    splits = {lb.split for lb in by_key.values()}
    out = Selection()
    eligible_items: dict[str, list[tuple[Label, int]]] = {}
    if pins is None:
        for key in sorted(by_key):
            label = by_key[key]
            detected = detections.get(label.path) if label.path is not None else None
            index = eligible(label, detected)
            if index is not None:
                eligible_items.setdefault(label.split, []).append((label, index))
    else:
        for split in sorted(set(pins) & splits):
            for key in sorted(pins[split]):
                found = by_key.get(key)
                if found is None or found.path is None:
                    why = "no such label (or its photo is not on this machine)"
                    out.unavailable.append((split, key, why))
                    continue
                if found.split != split:
                    out.unavailable.append((split, key, f"now in the {found.split} split"))
                    continue
                detected = detections.get(found.path)
                why = ineligible(found, detected)
                if why is not None:
                    out.unavailable.append((split, key, why))
                    continue
                assert detected is not None
                index = match_face((found.face_x, found.face_y), detected)
                assert index is not None
                eligible_items.setdefault(split, []).append((found, index))
    for split in sorted(eligible_items):
        out.sources[split] = _spread(eligible_items[split], limit)
    return out


def _variant_labels(label: Label, folder: Path) -> list[tuple[Variant, Label]]:
    stem = hashlib.sha256(label.key.encode()).hexdigest()[:16]
    out = []
    for variant in VARIANTS:
        if variant.available is not None and not variant.available(label.split):
            continue
        attrs = dict(label.attrs)
        attrs.update(variant.labels)
        out.append(
            (
                variant,
                Label(
                    set="derived",
                    file=f"{label.set}/{label.file}@{label.face_x:.2f},{label.face_y:.2f}#{variant.name}",
                    source=label.source,
                    split=label.split,
                    face_x=0.0,
                    face_y=0.0,
                    attrs=attrs,
                    notes=f"derived ({variant.name}) from {label.key}",
                    origin=label.key,
                    variant=variant.name,
                    path=folder / f"{stem}_{variant.name}{variant.suffix}",
                ),
            )
        )
    return out


def derive_face(label: Label, face_index: int, detected: Detected, folder: Path) -> list[Label]:
    """The variants of one clean face (written to ``folder`` unless there), with their labels."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    assert label.path is not None
    planned = _variant_labels(label, folder)
    meta = folder / f"{hashlib.sha256(label.key.encode()).hexdigest()[:16]}.centres.csv"
    if all(lb.path is not None and lb.path.is_file() for _, lb in planned) and meta.is_file():
        with meta.open(newline="", encoding="utf-8") as fh:
            centres = {row[0]: (float(row[1]), float(row[2])) for row in csv.reader(fh)}
        return [replace(lb, face_x=centres[v.name][0], face_y=centres[v.name][1]) for v, lb in planned]
    face = detected.faces[face_index]
    box = face.box
    with PILImage.open(label.path) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
    sx, sy = img.width / detected.width, img.height / detected.height
    side = max(box.w * sx, box.h * sy)
    cx, cy = (box.x + box.w / 2) * sx, (box.y + box.h / 2) * sy
    half = CROP_FACTOR * side / 2
    x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
    x1, y1 = min(img.width, round(cx + half)), min(img.height, round(cy + half))
    crop = img.crop((x0, y0, x1, y1))
    f = min(1.0, FACE_PX / side)
    if f < 1.0:
        crop = crop.resize(
            (max(1, round(crop.width * f)), max(1, round(crop.height * f))), PILImage.Resampling.LANCZOS
        )
    lm = [np.array([(px * sx - x0) * f, (py * sy - y0) * f]) for px, py in face.landmarks or ()]
    bx0, by0 = (box.x * sx - x0) * f, (box.y * sy - y0) * f
    pts: Points = {
        "right_eye": lm[0],
        "left_eye": lm[1],
        "nose": lm[2],
        "mouth_right": lm[3],
        "mouth_left": lm[4],
        "mouth": (lm[3] + lm[4]) / 2,
        "box": np.array([bx0, by0, bx0 + box.w * sx * f, by0 + box.h * sy * f]),
        "box_centre": np.array([(cx - x0) * f, (cy - y0) * f]),
        "box_side": np.array([side * f]),
    }
    folder.mkdir(parents=True, exist_ok=True)
    labels, rows = [], []
    for variant, planned_label in planned:
        rng = _seed(label.key, variant.name, str(SEED_VERSION))
        local = dict(pts)
        local["hand_eye"] = np.array([1.0 if rng.integers(2) else -1.0])
        local["split_test"] = np.array([1.0 if label.split == "test" else 0.0])
        out, (fx, fy) = variant.make(crop, local, rng)
        assert planned_label.path is not None
        tmp = planned_label.path.with_name(planned_label.path.name + ".tmp")
        if variant.suffix == ".jpg":
            out.save(tmp, format="JPEG", quality=int(rng.integers(*variant.jpeg_quality)))
        else:
            out.save(tmp, format="PNG")
        tmp.replace(planned_label.path)
        centre = (round(fx / out.width, 4), round(fy / out.height, 4))
        rows.append((variant.name, *centre))
        labels.append(replace(planned_label, face_x=centre[0], face_y=centre[1]))
    with meta.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return labels


def derive_selected(selection: Selection, detections: Mapping[Path, Detected], folder: Path) -> list[Label]:
    """The variants of the selected source faces (written under ``folder``/v<DERIVE_VERSION>)."""
    folder = folder / f"v{DERIVE_VERSION}"
    out: list[Label] = []
    for split in sorted(selection.sources):
        for label, index in selection.sources[split]:
            assert label.path is not None
            out += derive_face(label, index, detections[label.path], folder)
    return out


def derive_all(
    labels: Sequence[Label],
    detections: Mapping[Path, Detected],
    folder: Path,
    *,
    limit: int | None = None,
    pins: Mapping[str, Sequence[str]] | None = None,
) -> list[Label]:
    """Variants of the pinned source faces (``pins``; without: every eligible clean face),
    at most ``limit`` source faces per split, spread evenly."""
    return derive_selected(select_sources(labels, detections, limit=limit, pins=pins), detections, folder)


def kinds_not_made(selection: Selection) -> list[tuple[str, str]]:
    """(split, variant) of the variants no source face of a split gets because their own photos
    are not on this machine (the real hands': ``Variant.available``)."""
    return [
        (split, v.name)
        for split in sorted(selection.sources)
        for v in VARIANTS
        if v.available is not None and not v.available(split)
    ]


def report_unavailable(selection: Selection, out: typing.TextIO = sys.stderr) -> None:
    for split, key, why in selection.unavailable:
        print(f"derived: pinned source face {key} ({split}) left out: {why}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.truthset.labels import LABELS_CSV, read_labels, resolve

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labels", type=Path, default=LABELS_CSV)
    parser.add_argument("--out", type=Path, default=default_cache_dir() / "derived")
    parser.add_argument("--split", choices=("tune", "test"), action="append")
    parser.add_argument("--limit", type=int, default=None, help="at most N source faces per split")
    parser.add_argument("--pins", type=Path, default=DERIVED_SOURCES_CSV, help="the pinned source faces")
    parser.add_argument("--unpinned", action="store_true", help="spread over every eligible face")
    parser.add_argument(
        "--repin",
        action="store_true",
        help=f"rebuild the pinned list of the split(s): --limit (default {PIN_LIMIT}) faces spread over "
        "the eligible ones; writes --pins, derives nothing",
    )
    args = parser.parse_args(argv)
    splits = args.split or ("tune", "test")
    labels, _ = resolve(lb for lb in read_labels(args.labels) if lb.split in splits)
    runner = Runner(default_cache_dir())
    try:
        detections = {p: runner.detect(p) for p in sorted({lb.path for lb in labels if lb.path is not None})}
    finally:
        runner.close()
    if args.repin:
        fresh = select_sources(labels, detections, limit=args.limit or PIN_LIMIT)
        pins = read_pins(args.pins) if args.pins.is_file() else {}
        for split in splits:
            pins[split] = [label.key for label, _ in fresh.sources.get(split, [])]
            print(f"{split}: {len(pins[split])} source faces pinned", file=sys.stderr)
        write_pins(pins, args.pins)
        return 0
    selection = select_sources(
        labels, detections, limit=args.limit, pins=None if args.unpinned else read_pins(args.pins)
    )
    report_unavailable(selection)
    variants = derive_selected(selection, detections, args.out)
    writer = csv.DictWriter(sys.stdout, [*COLUMNS, "path"])
    writer.writeheader()
    for variant in variants:
        writer.writerow({**variant.to_row(), "path": str(variant.path)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
