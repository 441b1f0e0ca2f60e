"""Cues for light, gradient and mirrored lenses that the lens rules miss (issue 18, session 10).

Measured on the truth set's aligned crops, not adopted (docs/local-detector-lens-cast.md, section 7):
no bound chosen on the tuning part keeps every clean face of the test part qualifying.

    # 1. the face_quality inputs of every labelled face (both splits, re-detected: ~5-10 min)
    python benchmarks/lens_rim.py capture --out /tmp/lens/faces.pkl
    # 2. per cue and class the largest values, the lens faces moderation-2.0 still qualifies
    python benchmarks/lens_rim.py report /tmp/lens/faces.pkl [--bright-max 0.80]
    # 3. the rim cue's configurations: a bound on the tuning part, what it does on both (~1 min)
    python benchmarks/lens_rim.py sweep /tmp/lens/faces.pkl

The cues (each the smaller of the two eyes; larger = more lens-like):

- ``rim``: a lens's lower rim with the lens darker than the cheek below it. Under each eye
  (columns within 0.25 IOD of its centre), for a rim row at 0.30-0.62 IOD: the rim = the darkest
  of 3 rows, the inside = the median of the 6 rows 3-8 above, the outside = of the 6 rows 3-8
  below, per column; S = median(outside - inside), R = median(min(inside, outside) - rim), both
  over the skin's lightness; the largest min(S, R) over the rows. A bare face has no rim line (R
  small); a clear lens has the same skin on both sides (S small). ``--bright-max``: only faces
  whose two eye windows' brightest tenth (``raw.quality.eyes.*.bright``) are at most this (a
  lens dims the eye behind it).
- ``cast_rb``: ``log(R/B)`` of the band under each eye minus the cheek below it, and of each
  eye's white minus the skin (``lens_cast``'s four references, red against blue instead of green
  against blue): the smallest of the four.
- ``median``: the periocular median lightness over the skin's (a mirror lighter than the cheek).
- ``mono_tint``: the periocular a*b* distance from the skin, on faces whose skin has no colour
  (a coloured lens over a black-and-white face).
- ``brow``: the brow's lightness over the upper lid's (``brow_step``): a lens darkens the lid under
  a brow it does not cover.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.truthset.camera_variants import CAMERA_VARIANT_NAMES  # noqa: E402

#: The rim row's depths under the eye centre, the block's half-width (IOD units), the inside and
#: outside windows' rows from the rim row (nearest, farthest).
RIM_DEPTHS = (0.28, 0.66)
RIM_HALF_WIDTH = 0.25


def capture(out: Path) -> int:
    """Every labelled face's ``face_quality`` inputs (the aligned crop, its mesh points, the mesh,
    the working image's shape, the yaw), its labels, verdicts and detection, pickled."""
    from benchmarks import verdict_quality as vq
    from facecurator.detect import local

    last: dict[str, Any] = {}
    real_fq, real_measure = local.face_quality, local.LocalDetector._measure
    kept: dict[int, dict[str, Any]] = {}

    def fq(rgb: np.ndarray, mesh: np.ndarray, **kw: Any) -> Any:
        crop, pts = kw["aligned"]
        last["rec"] = {"shape": rgb.shape, "mesh": np.array(mesh), "crop": crop.copy(), "pts": pts.copy()}
        return real_fq(rgb, mesh, **kw)

    def measure(self: Any, *args: Any, **kw: Any) -> Any:
        last.pop("rec", None)
        face = real_measure(self, *args, **kw)
        if face is not None and "rec" in last:
            kept[id(face)] = last["rec"]
        return face

    local.face_quality = fq  # type: ignore[assignment]
    local.LocalDetector._measure = measure  # type: ignore[method-assign]
    result = vq.run(splits=("tune", "test"), cache_dir=None, progress=True)
    records = []
    for o in result.outcomes:
        rec = kept.get(id(o.face)) if o.face is not None else None
        if o.face is None or rec is None:
            continue
        records.append(
            {
                "key": vq._where(o),
                "split": o.label.split,
                "set": o.label.set,
                "variant": o.label.variant,
                "labels": dict(o.label.attrs),
                "clean": o.label.clean,
                "qualified": o.qualified,
                "face": o.face.to_json(),
                **rec,
            }
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        pickle.dump(records, fh, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(records)} faces -> {out}")
    return 0


def _regions(rec: dict[str, Any]) -> Any:
    from facecurator.detect.quality.regions import face_regions

    h, w = rec["shape"][:2]
    rgb = np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (h, w, 3))  # only its shape is read
    return face_regions(rgb, rec["mesh"], aligned=(rec["crop"], rec["pts"]))


#: The window readings swept (rows nearest / farthest from the rim row, the statistic per column).
SWEEP_WINDOWS: tuple[tuple[int, int, str], ...] = (
    (2, 4, "max"),
    (2, 4, "median"),
    (2, 5, "max"),
    (3, 6, "max"),
    (2, 6, "q75"),
    (3, 8, "median"),
)
#: The rim line's bounds swept (R, over the skin's lightness) and the eye-window gates (None: no
#: gate; 0.85 = ``lens.EDGE_BRIGHT_MAX``, 0.80 = ``eyes.DIMMED_BRIGHT_MAX``).
SWEEP_RIM_MIN = (0.05, 0.10, 0.15, 0.20)
SWEEP_GATES = (None, 0.85, 0.80)
#: The ``rim`` cue of ``report``: the configuration the sweep prefers on the tuning part.
RIM_CONFIG = ((3, 8, "median"), 0.05)


def _column_stat(rows: np.ndarray, stat: str) -> np.ndarray:
    if stat == "max":
        return np.asarray(rows.max(axis=0))
    if stat == "q75":
        return np.asarray(np.quantile(rows, 0.75, axis=0))
    return np.asarray(np.median(rows, axis=0))


def rim_profile(
    lum: np.ndarray, centre: np.ndarray, skin_l: float, window: tuple[int, int, str]
) -> list[tuple[float, float]]:
    """Per candidate rim row under one eye (module docstring): (S, R), both over the skin's lightness."""
    from facecurator.detect.quality.regions import IOD

    h, w = lum.shape
    cx, cy = float(centre[0]), float(centre[1])
    cols = np.clip(
        np.arange(round(cx - RIM_HALF_WIDTH * IOD), round(cx + RIM_HALF_WIDTH * IOD) + 1), 0, w - 1
    )
    block = lum[:, cols].astype(np.float64)
    near, far, stat = window
    out = []
    for y in range(round(cy + RIM_DEPTHS[0] * IOD), round(cy + RIM_DEPTHS[1] * IOD) + 1):
        if y + far >= h or y - far < 0:
            break
        rim = block[y - 1 : y + 2].min(axis=0)
        inside = _column_stat(block[y - far : y - near + 1], stat)
        outside = _column_stat(block[y + near : y + far + 1], stat)
        step = float(np.median(outside - inside)) / skin_l
        line = float(np.median(np.minimum(inside, outside) - rim)) / skin_l
        out.append((step, line))
    return out


def rim_score(profiles: Sequence[list[tuple[float, float]]], rim_min: float) -> float:
    """The smaller over the two eyes of the largest step S among the rows whose rim line R >= ``rim_min``
    (-1 for an eye without such a row)."""
    return min(max((s for s, r in rows if r >= rim_min), default=-1.0) for rows in profiles)


#: The mesh's lower brow line (subject's right, left).
BROW_POINTS = {"right": (46, 53, 52, 65, 55), "left": (276, 283, 282, 295, 285)}


def brow_step(regions: Any, side: str) -> float | None:
    """The ``brow`` cue of one eye: the brow's lightness (the median of 3 x 3 pixels 0.03 IOD over each
    lower-brow mesh point, their median) over the upper lid's third quartile (rows 0.10-0.25 IOD above
    the eye centre, columns within 0.20 IOD): a lens darkens the lid and not a brow above it."""
    from facecurator.detect.quality.regions import IOD

    lum = regions.lum
    h, w = lum.shape
    cx, cy = (float(v) for v in regions.eye_centre(side))
    lid = lum[
        max(0, round(cy - 0.25 * IOD)) : round(cy - 0.10 * IOD) + 1,
        max(0, round(cx - 0.2 * IOD)) : round(cx + 0.2 * IOD) + 1,
    ]
    values = []
    for k in BROW_POINTS[side]:
        x, y = (round(float(v)) for v in regions.pts[k] - np.array([0.0, 0.03 * IOD]))
        if 1 <= x < w - 1 and 1 <= y < h - 1:
            values.append(float(np.median(lum[y - 1 : y + 2, x - 1 : x + 2])))
    if lid.size == 0 or not values:
        return None
    return float(np.median(values)) / max(float(np.percentile(lid, 75)), 1.0)


def _log_rb(rgb: np.ndarray) -> float:
    return math.log(max(float(rgb[0]), 4.0) / max(float(rgb[2]), 4.0))


def cues(rec: dict[str, Any]) -> dict[str, float | None]:
    """The four cues of one face (None: not measured)."""
    from facecurator.detect.quality.eyes import eye_area
    from facecurator.detect.quality.lens_cast import lab_to_rgb
    from facecurator.detect.quality.regions import skin_reference

    out: dict[str, float | None] = {
        "rim": None,
        "cast_rb": None,
        "median": None,
        "mono_tint": None,
        "brow": None,
    }
    eyes = rec["face"]["raw"].get("quality", {}).get("eyes")
    if not eyes or eyes["right"].get("visible") is None or eyes["left"].get("visible") is None:
        return out
    regions = _regions(rec)
    skin = skin_reference(regions)
    if skin is None:
        return out
    out["median"] = min(eyes["right"]["median"], eyes["left"]["median"])
    brows = [brow_step(regions, s) for s in ("right", "left")]
    out["brow"] = None if brows[0] is None or brows[1] is None else min(brows[0], brows[1])
    window, rim_min = RIM_CONFIG
    profiles = [rim_profile(regions.lum, regions.eye_centre(s), skin.lum, window) for s in ("right", "left")]
    out["rim"] = rim_score(profiles, rim_min)
    if skin.monochrome:
        out["mono_tint"] = min(eyes["right"]["tint"], eyes["left"]["tint"])
        return out
    areas = [eye_area(regions, s) for s in ("right", "left")]
    if any(a.under is None or a.cheek is None for a in areas):
        return out
    white_rb = [_white_rb(regions, s, skin) for s in ("right", "left")]
    if white_rb[0] is None or white_rb[1] is None:
        return out
    rgb = lab_to_rgb([areas[0].under, areas[0].cheek, areas[1].under, areas[1].cheek])
    bands = [_log_rb(rgb[0]) - _log_rb(rgb[1]), _log_rb(rgb[2]) - _log_rb(rgb[3])]
    out["cast_rb"] = min(*bands, white_rb[0], white_rb[1])
    return out
    rgb = lab_to_rgb([areas[0].under, areas[0].cheek, areas[1].under, areas[1].cheek, skin.lab])
    bands = [_log_rb(rgb[0]) - _log_rb(rgb[1]), _log_rb(rgb[2]) - _log_rb(rgb[3])]
    out["cast_rb"] = min(*bands, white_rb[0] - _log_rb(rgb[4]), white_rb[1] - _log_rb(rgb[4]))
    return out


def _white_rb(regions: Any, side: str, skin: Any) -> float | None:
    """``log(R/B)`` of the eye's white minus the skin's: ``lens_cast.sclera_cast`` (its white, read
    the same way) with its ``log(G/B)`` swapped for ``log(R/B)``."""
    from facecurator.detect.quality import lens_cast

    real = lens_cast.blue_absorption
    lens_cast.blue_absorption = _log_rb
    try:
        return lens_cast.sclera_cast(regions, side, skin)
    finally:
        lens_cast.blue_absorption = real


def face_class(rec: dict[str, Any]) -> str:
    """The face's class: lens faces moderation-2.0 qualifies (``MISS``), those read or rejected, clean
    camera variants, other variants, clean real faces (in clear glasses apart), other real faces;
    faces the detector already reads as sunglasses or masked are left out of the negatives."""
    face = rec["face"]
    if rec["labels"].get("sunglasses") is True:
        return "MISS" if rec["qualified"].get("moderation-2.0") else "sunglasses (not qualifying)"
    if face.get("glasses") == "sunglasses" or face.get("sunglasses") is True or face.get("mask") is True:
        return "read as sunglasses or mask"
    if rec["variant"] in CAMERA_VARIANT_NAMES:
        return "clean camera variant" if rec["clean"] else "camera variant"
    if rec["set"] == "derived":
        return "variant without sunglasses"
    glasses = " in clear glasses" if rec["labels"].get("clear_glasses") else ""
    return ("clean" if rec["clean"] else "other real") + glasses


def report(path: Path, bright_max: float | None, top: int) -> int:
    with open(path, "rb") as fh:
        records: list[dict[str, Any]] = pickle.load(fh)
    values = [cues(r) for r in records]

    def gated(rec: dict[str, Any]) -> bool:
        if bright_max is None:
            return True
        eyes = rec["face"]["raw"]["quality"]["eyes"]
        return max(eyes["right"]["bright"], eyes["left"]["bright"]) <= bright_max

    for cue in ("rim", "cast_rb", "median", "mono_tint", "brow"):
        keep: Callable[[dict[str, Any]], bool] = gated if cue == "rim" else (lambda _r: True)
        for split in ("tune", "test"):
            gate = f", eye windows <= {bright_max}" if cue == "rim" and bright_max is not None else ""
            print(f"--- {cue} ({split}{gate})")
            by: dict[str, list[tuple[float, str, bool]]] = {}
            for rec, v in zip(records, values, strict=True):
                value = v[cue]
                if rec["split"] != split or value is None or not keep(rec):
                    continue
                by.setdefault(face_class(rec), []).append(
                    (value, rec["key"].split("/")[-1], bool(rec["qualified"].get("moderation-2.0")))
                )
            for name in sorted(by):
                rows = sorted(by[name], reverse=True)
                shown = rows if name == "MISS" else rows[:top]
                listed = "  ".join(f"{val:.3f} {key}{' [Q]' if q else ''}" for val, key, q in shown)
                print(f"  {name} ({len(rows)}): {listed}")
    return 0


def _negative(rec: dict[str, Any]) -> bool:
    """A face without sunglasses that the detector reads neither as sunglasses nor masked."""
    return rec["labels"].get("sunglasses") is False and face_class(rec) != "read as sunglasses or mask"


def sweep(path: Path) -> int:
    """Every rim configuration (window x rim bound x eye-window gate): its bound 20 % over the largest
    tune face without sunglasses, then per split the lens faces over it and the faces without
    sunglasses over it that moderation-2.0 qualifies (a green the rule would take)."""
    from facecurator.detect.quality.regions import skin_reference

    with open(path, "rb") as fh:
        records: list[dict[str, Any]] = pickle.load(fh)
    rows: list[tuple[dict[str, Any], float, dict[tuple[int, int, str], list[list[tuple[float, float]]]]]] = []
    for rec in records:
        eyes = rec["face"]["raw"].get("quality", {}).get("eyes")
        if not eyes or eyes["right"].get("visible") is None or eyes["left"].get("visible") is None:
            continue
        regions = _regions(rec)
        skin = skin_reference(regions)
        if skin is None or rec["face"].get("mask") is True:
            continue
        bright = max(eyes["right"]["bright"], eyes["left"]["bright"])
        centres = [regions.eye_centre(s) for s in ("right", "left")]
        profiles = {w: [rim_profile(regions.lum, c, skin.lum, w) for c in centres] for w in SWEEP_WINDOWS}
        rows.append((rec, bright, profiles))
    results = []
    for gate in SWEEP_GATES:
        for window in SWEEP_WINDOWS:
            for rim_min in SWEEP_RIM_MIN:
                scored = [
                    (rec, rim_score(p[window], rim_min)) for rec, b, p in rows if gate is None or b <= gate
                ]
                tune_neg = [(v, rec["key"]) for rec, v in scored if rec["split"] == "tune" and _negative(rec)]
                top, top_key = max(tune_neg)
                bound = 1.2 * top

                def over(split: str, cls: str, scored: list[Any] = scored, bound: float = bound) -> list[str]:
                    return [
                        rec["key"].split("/")[-1]
                        for rec, v in scored
                        if rec["split"] == split and v >= bound and face_class(rec) == cls
                    ]

                tune_lens = sum(
                    1
                    for rec, v in scored
                    if rec["split"] == "tune" and rec["labels"].get("sunglasses") is True and v >= bound
                )
                lost = [
                    rec["key"].split("/")[-1] + (" (clean)" if rec["clean"] else "")
                    for rec, v in scored
                    if rec["split"] == "test"
                    and _negative(rec)
                    and v >= bound
                    and rec["qualified"].get("moderation-2.0")
                ]
                results.append(
                    (
                        tune_lens,
                        gate,
                        window,
                        rim_min,
                        top,
                        top_key,
                        bound,
                        over("tune", "MISS"),
                        over("test", "MISS"),
                        lost,
                    )
                )
    results.sort(key=lambda r: -r[0])
    for tune_lens, gate, window, rim_min, top, top_key, bound, tune_miss, test_miss, lost in results:
        print(
            f"gate {gate} window {window} R>={rim_min}: tune without sunglasses <= {top:.3f}"
            f" ({top_key.split('/')[-1]}), bound {bound:.3f}; tune lens faces over it {tune_lens},"
            f" misses {len(tune_miss)} {tune_miss}; test misses {len(test_miss)} {test_miss};"
            f" test greens taken {len(lost)} {lost}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="detect both splits, keep each face's aligned crop")
    cap.add_argument("--out", type=Path, required=True)
    rep = sub.add_parser("report", help="the cues per class and split")
    rep.add_argument("faces", type=Path)
    rep.add_argument("--bright-max", type=float, default=None, help="rim cue: both eye windows at most this")
    rep.add_argument("--top", type=int, default=4, help="largest values listed per class")
    swp = sub.add_parser("sweep", help="every rim configuration, its tune bound and both splits")
    swp.add_argument("faces", type=Path)
    args = parser.parse_args(argv)
    if args.command == "capture":
        return capture(args.out)
    if args.command == "sweep":
        return sweep(args.faces)
    return report(args.faces, args.bright_max, args.top)


if __name__ == "__main__":
    raise SystemExit(main())
