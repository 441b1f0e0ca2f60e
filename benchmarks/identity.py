"""Identity checks: do the face descriptors tell people apart, how long per face, what a scan pays.

    .venv/bin/python benchmarks/identity.py [--extra /work/truthset/identity] [--threshold 0.6]
                                            [--scan-images 24] [--jobs 2] [--json]

1. **Matches.** Every photo of the corpus whose MANIFEST.csv row names an identity
   (``people/<group>/`` and the derived photos: "identity group X", "identity X",
   "of people/X/...") plus, with ``--extra``, the photos under ``EXTRA/people/<group>/``
   (see EXTRA/SOURCES.csv; ``ALIASES`` below lists the groups that are one person).
   The extra photos are listed in ``benchmarks/truthset/identity_sources.csv``;
   ``python -m benchmarks.truthset.restore`` puts them in ``../truthset/identity``.
   Its largest face is detected by the local detector and embedded; every pair of
   photos is a same-person or a different-person pair. Reported for the
   detector's landmarks on the detector's own decoded image (what a scan does),
   the same on an image decoded again at the size the face needs, and dlib's
   5-point predictor in the box (how cloud detectors' faces are embedded):
   same-person pairs within the threshold (true matches), different-person pairs
   within it (false matches), and the largest same / smallest different distance.
   The closest same-person pairs show where ``no_duplicate`` (0.12) stands: the
   corpus's ``small/obama_small`` is a re-cropped copy of ``people/obama/obama.jpg``.
2. **Group photos.** Each ``multi`` photo filed under the person it shows
   (``MULTI_PERSON``): does ``enrolled_face`` pick a face, and is it that person
   (its nearest single photo is of that person)?
3. **Time per face**: the embedding alone, as a scan computes it (align + ResNet), and
   the ResNet alone per engine (dlib-bin's own, OpenCV's DNN, and ONNX Runtime when
   installed) on the same chips, in CPU time, with their difference from dlib's descriptors.
4. **Scan slowdown**, side by side: ``jobs.scan`` of the same images into fresh
   catalogs, without and with the embedder, alternated, best of ``--rounds``, on
   two sets: the identity photos themselves (one face each: an enrollment gallery)
   and benchmarks/scan_throughput.py's 12-megapixel set (many group photos).
   Wall time and the process's CPU time (which other load on a shared machine
   disturbs less). Target (issue 14): ≤ 1.30. ``--scan-engines default,opencv,dlib`` runs
   it once per ResNet engine (``dlib``: dlib-bin's own network, the speed before).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import itertools
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"

#: Groups of the extra set that are the same person as a corpus group.
ALIASES = {"deepface_g6": "deepface_p01", "deepface_g7": "deepface_p03", "obama_fr": "obama"}
#: Group photos and the person whose folder they are filed under.
MULTI_PERSON = {
    "obama_and_biden.jpg": "obama",
    "kit_with_rose.jpg": "kit_harington",
    "two_people.jpg": "obama",
}


def identity_photos(extra: Path | None) -> list[tuple[Path, str]]:
    """(photo, person) for every photo with a known identity."""
    out: list[tuple[Path, str]] = []
    with (CORPUS / "MANIFEST.csv").open(encoding="utf-8") as fh:
        seen = set()
        for row in csv.DictReader(fh):
            if row["file"] in seen:
                continue
            seen.add(row["file"])
            person = None
            m = re.match(r"people/([^/]+)/", row["file"])
            if m:
                person = m.group(1)
            else:
                notes = row.get("notes", "") + " " + row.get("derived_from", "")
                m = re.search(
                    r"identity (?:group )?(\w+)|of people/(\w+)/|same person as people/(\w+)", notes
                )
                if m:
                    person = next(g for g in m.groups() if g)
            if person and row.get("expected_faces") == "1" and (CORPUS / row["file"]).is_file():
                out.append((CORPUS / row["file"], person))
    if extra is not None:
        if not (extra / "people").is_dir():
            raise SystemExit(f"no {extra / 'people'}: restore it with python -m benchmarks.truthset.restore")
        for path in sorted((extra / "people").rglob("*")):
            if path.is_file() and path.suffix.lower() in (".jpg", ".jpeg", ".png"):
                group = path.parent.name
                out.append((path, ALIASES.get(group, group)))
    return out


def multi_photos(extra: Path | None) -> list[tuple[Path, str]]:
    roots = [CORPUS / "multi"] + ([extra / "multi"] if extra is not None else [])
    return [
        (p, MULTI_PERSON[p.name]) for root in roots for p in sorted(root.glob("*")) if p.name in MULTI_PERSON
    ]


def _ref(path: Path) -> Any:
    from facecurator.domain.protocols import ImageRef

    return ImageRef(
        uri=str(path), name=path.name, group=path.parent.name, size=path.stat().st_size, mtime_ns=0
    )


def detect_all(paths: list[Path]) -> dict[Path, Any]:
    from facecurator.detect.local import LocalDetector

    detector = LocalDetector()
    try:
        return {p: detector.detect(_ref(p), p.read_bytes()) for p in paths}
    finally:
        detector.close()


def match_figures(
    photos: list[tuple[Path, str]], results: dict[Path, Any], threshold: float
) -> tuple[dict[str, Any], dict[Path, np.ndarray], float]:
    from facecurator.detect.embed import FaceEmbedder

    embedder = FaceEmbedder()
    embedder.load()
    figures: dict[str, Any] = {}
    landmark_vectors: dict[Path, np.ndarray] = {}
    seconds = []
    for method in ("landmarks", "landmarks-full-decode", "box"):
        vectors: dict[Path, np.ndarray] = {}
        for path, _ in photos:
            result = results[path]
            if not result.faces:
                continue
            face = max(result.faces, key=lambda f: f.box.w * f.box.h)
            if method == "box":
                face = face.with_changes(raw={})
            data = path.read_bytes()
            started = time.perf_counter()
            if method == "landmarks":  # what a scan does: the detector's own decoded pixels
                found = embedder.embed_decoded(
                    result.pixels, [face], scale=result.pixel_scale, name=str(path)
                )
            else:  # decoded again, at the size the face needs
                found = embedder.embed_image(
                    data, [face], name=str(path), long_side=max(result.width, result.height)
                )
            if method == "landmarks":
                seconds.append(time.perf_counter() - started)
            if found.faces[0] is not None:
                vectors[path] = found.faces[0].vector
        person = dict(photos)
        same, diff = [], []
        for a, b in itertools.combinations(sorted(vectors), 2):
            if a.read_bytes() == b.read_bytes():
                continue  # the same file in two sets is not a pair
            d = float(np.linalg.norm(vectors[a] - vectors[b]))
            (same if person[a] == person[b] else diff).append((d, a, b))
        same.sort()
        diff.sort()
        figures[method] = {
            "photos": len(vectors),
            "not_embedded": len(photos) - len(vectors),
            "same_pairs": len(same),
            "different_pairs": len(diff),
            "true_matches": sum(d <= threshold for d, *_ in same),
            "false_matches": sum(d <= threshold for d, *_ in diff),
            "max_same": round(same[-1][0], 4) if same else None,
            "min_different": round(diff[0][0], 4) if diff else None,
            "worst_same": [[round(d, 3), _short(a), _short(b)] for d, a, b in same[-3:]],
            # near-identical photos: the closest same-person pairs (no_duplicate's 0.12 must
            # catch re-encoded / re-cropped copies and leave distinct photos alone)
            "closest_same": [[round(d, 3), _short(a), _short(b)] for d, a, b in same[:4]],
            "closest_different": [[round(d, 3), _short(a), _short(b)] for d, a, b in diff[:3]],
            "by_threshold": {
                f"{t:.2f}": [sum(d <= t for d, *_ in same), sum(d <= t for d, *_ in diff)]
                for t in (0.5, 0.55, 0.6, 0.65, 0.7)
            },
        }
        if method == "landmarks":
            landmark_vectors = vectors
    per_face = float(np.median(seconds)) if seconds else float("nan")
    return figures, landmark_vectors, per_face


def group_photo_figures(
    multi: list[tuple[Path, str]], photos: list[tuple[Path, str]], vectors: dict[Path, np.ndarray]
) -> list[dict[str, Any]]:
    from facecurator.detect.embed import FaceEmbedder
    from facecurator.domain.identity import FaceVector, check_gallery

    embedder = FaceEmbedder()
    results = detect_all([p for p, _ in multi])
    out = []
    person_of = dict(photos)
    for path, person in multi:
        result = results[path]
        found = embedder.embed_image(
            path.read_bytes(), result.faces, name=str(path), long_side=max(result.width, result.height)
        )
        gallery = [
            FaceVector(key=str(p), image=str(p), person=person_of[p], label=_short(p), vector=v)
            for p, v in vectors.items()
        ]
        for i, emb in enumerate(found.faces):
            if emb is not None:
                gallery.append(
                    FaceVector(
                        key=(str(path), i),
                        image=str(path),
                        person=person,
                        label=f"{path.name}#{i}",
                        vector=emb.vector,
                    )
                )
        report = check_gallery(gallery)
        picked = [k for k, r in report.faces.items() if isinstance(k, tuple) and r.enrolled]
        right = None
        if picked:
            idx = picked[0][1]
            v = found.faces[idx].vector  # type: ignore[union-attr]
            nearest = min(vectors, key=lambda p: float(np.linalg.norm(vectors[p] - v)))
            right = person_of[nearest] == person
        out.append(
            {
                "photo": _short(path),
                "person": person,
                "faces": len(result.faces),
                "enrolled_face": picked[0][1] if picked else None,
                "right_person": right,
                "others_flagged": sum(
                    1 for k, r in report.faces.items() if isinstance(k, tuple) and r.enrolled is False
                ),
            }
        )
    return out


def face_chips(photos: list[tuple[Path, str]], results: dict[Path, Any], count: int = 16) -> list[np.ndarray]:
    """The aligned 150 px chips of the first ``count`` photos' largest faces, as a scan makes them."""
    from facecurator.detect.embed import FaceEmbedder

    embedder = FaceEmbedder()
    chips = []
    for path, _ in photos:
        result = results[path]
        if result.faces and len(chips) < count:
            face = max(result.faces, key=lambda f: f.box.w * f.box.h)
            chip, _method = embedder._chip(result.pixels, face, result.pixel_scale)
            if chip is not None:
                chips.append(chip)
    return chips


def engine_figures(chips: list[np.ndarray], repeat: int = 5) -> dict[str, Any]:
    """CPU milliseconds per face of the ResNet alone, per engine, one chip at a time and in
    batches of 4, on the same chips; and the largest difference from dlib's own descriptors.

    ``dlib``: dlib-bin's network (built without BLAS); ``opencv``: the same weights in
    OpenCV's DNN (``detect/dlib_net.py``, what the embedder uses); ``onnxruntime``: the same
    ONNX graph in ONNX Runtime, only when it is installed (it is not a dependency).
    """
    import dlib

    from facecurator.detect.dlib_net import OpenCVDescriptor, _converted
    from facecurator.detect.embed import RESNET_MODEL, models_dir

    model = models_dir() / RESNET_MODEL
    reference = np.array(dlib.face_recognition_model_v1(str(model)).compute_face_descriptor(chips))
    engines: dict[str, Any] = {"dlib": dlib.face_recognition_model_v1(str(model)).compute_face_descriptor}
    engines["opencv"] = OpenCVDescriptor(model).compute
    try:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # a scan runs one per worker
        session = ort.InferenceSession(_converted(str(model))[0], options, providers=["CPUExecutionProvider"])
        means = np.asarray(_converted(str(model))[1], dtype=np.float32)

        def run_ort(batch: list[np.ndarray]) -> np.ndarray:
            x = ((np.stack(batch).astype(np.float32) - means) / 256.0).transpose(0, 3, 1, 2)
            return session.run(None, {"input": np.ascontiguousarray(x)})[0]

        engines["onnxruntime"] = run_ort
    except ImportError:
        pass
    out: dict[str, Any] = {}
    for name, run in engines.items():
        got = np.array(run(chips))
        figures: dict[str, Any] = {"max_abs_difference_from_dlib": float(np.abs(got - reference).max())}
        for batch in (1, 4):
            groups = [chips[i : i + batch] for i in range(0, len(chips) - batch + 1, batch)]
            started = _cpu_seconds()
            for _ in range(repeat):
                for group in groups:
                    run(group)
            figures[f"cpu_ms_per_face_batch{batch}"] = round(
                (_cpu_seconds() - started) / (repeat * len(groups) * batch) * 1000, 2
            )
        out[name] = figures
    return out


def twelve_mp_images(count: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).parent))
    from scan_throughput import make_images  # the 12 MP set of the throughput benchmark

    return make_images(count)


@contextlib.contextmanager
def forced_engine(engine: str) -> Iterator[None]:
    """Make every FaceEmbedder run the ResNet in ``engine`` (``default``: leave the choice alone)."""
    from facecurator.detect import dlib_net, embed
    from facecurator.errors import ModelLoadError

    def refuse(_path: Path) -> None:
        raise ModelLoadError(f"benchmark: engine {engine} forced")

    saved = embed._FastNet, dlib_net.OnnxRuntimeDescriptor
    try:
        if engine == "dlib":
            embed._FastNet = refuse  # type: ignore[assignment,misc]
        elif engine == "opencv":
            dlib_net.OnnxRuntimeDescriptor = refuse  # type: ignore[assignment,misc]
        elif engine not in ("default", "onnxruntime"):
            raise SystemExit(f"unknown engine {engine!r}")
        probe = embed.FaceEmbedder()
        probe.load()
        if engine != "default" and probe.engine != engine:
            raise SystemExit(f"engine {engine} is not available (got {probe.engine})")
        yield
    finally:
        embed._FastNet, dlib_net.OnnxRuntimeDescriptor = saved  # type: ignore[misc]


def scan_slowdown(files: list[Path], jobs: int, rounds: int) -> dict[str, Any]:
    from facecurator.detect.embed import FaceEmbedder
    from facecurator.detect.local import LocalDetector
    from facecurator.services.catalog import Catalog
    from facecurator.services.jobs import scan
    from facecurator.sources.local import LocalFolderSource

    folder = Path(tempfile.mkdtemp(prefix="fc-identity-scan-"))
    for i, f in enumerate(files):
        (folder / f"{i:03d}{f.suffix.lower()}").symlink_to(f)
    source = LocalFolderSource(folder)
    times: dict[str, list[float]] = {"without": [], "with": []}
    cpu: dict[str, list[float]] = {"without": [], "with": []}
    faces = 0
    for _ in range(rounds):
        for mode in ("without", "with"):
            with tempfile.TemporaryDirectory() as tmp, Catalog(Path(tmp) / "c.sqlite3") as catalog:
                detector = LocalDetector()
                embedder = FaceEmbedder() if mode == "with" else None
                started, cpu_started = time.perf_counter(), _cpu_seconds()
                report = scan(source, detector, catalog, jobs=jobs, embedder=embedder)
                times[mode].append(time.perf_counter() - started)
                cpu[mode].append(_cpu_seconds() - cpu_started)
                if mode == "with":
                    faces = len(catalog.embeddings(FaceEmbedder.key)[0])
                    assert report.embedded == report.ok, (report.embedded, report.ok, report.embed_errors)
    best = {mode: min(values) for mode, values in times.items()}
    best_cpu = {mode: min(values) for mode, values in cpu.items()}
    return {
        "cpu_seconds_without": round(best_cpu["without"], 2),
        "cpu_seconds_with": round(best_cpu["with"], 2),
        "cpu_ratio": round(best_cpu["with"] / best_cpu["without"], 3),
        "images": len(files),
        "faces_embedded": faces,
        "jobs": jobs,
        "seconds_without": round(best["without"], 2),
        "seconds_with": round(best["with"], 2),
        "ratio": round(best["with"] / best["without"], 3),
        "target_ratio": 1.3,
    }


def _cpu_seconds() -> float:
    """CPU time of this process (all threads): robust to other load on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _short(path: Path) -> str:
    return "/".join(path.parts[-2:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--extra", type=Path, default=None, help="more identity photos: EXTRA/people/<group>/"
    )
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--scan-images", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--scan-engines",
        default="default",
        help="comma-separated engines to run the scan side by side with: default (what the embedder "
        "picks), onnxruntime, opencv, dlib (dlib-bin's own network: the speed before)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (CORPUS / "MANIFEST.csv").is_file():
        print(f"needs the corpus at {CORPUS}", file=sys.stderr)
        return 2
    photos = identity_photos(args.extra)
    results = detect_all([p for p, _ in photos])
    figures, vectors, per_face = match_figures(photos, results, args.threshold)
    groups = group_photo_figures(multi_photos(args.extra), photos, vectors)
    engines = engine_figures(face_chips(photos, results))
    slowdown = None
    if args.scan_images:
        slowdown = {}
        for engine in args.scan_engines.split(","):
            with forced_engine(engine):
                for name, files in (
                    ("identity_photos", [p for p, _ in photos]),
                    ("12mp_set", twelve_mp_images(args.scan_images)),
                ):
                    key = name if engine == "default" else f"{name} ({engine})"
                    slowdown[key] = scan_slowdown(files, args.jobs, args.rounds)
    out = {
        "threshold": args.threshold,
        "persons": len({p for _, p in photos}),
        "matches": figures,
        "group_photos": groups,
        "seconds_per_face": round(per_face, 4),
        "engines": engines,
        "scan": slowdown,
    }
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{len(photos)} photos of {out['persons']} people, threshold {args.threshold}")
    for method, f in figures.items():
        print(
            f"  {method:9s}: true matches {f['true_matches']}/{f['same_pairs']}, "
            f"false matches {f['false_matches']}/{f['different_pairs']}; "
            f"max same {f['max_same']}, min different {f['min_different']} ({f['not_embedded']} not embedded)"
        )
    for g in groups:
        print(
            f"  group photo {g['photo']}: {g['faces']} faces, enrolled face {g['enrolled_face']} "
            f"(right person: {g['right_person']}), {g['others_flagged']} flagged not this person"
        )
    closest = figures["landmarks"]["closest_same"]
    print(f"  closest same-person pairs (near-identical below 0.12): {closest}")
    print(f"  embedding time per face (median, wall): {per_face * 1000:.0f} ms")
    for name, e in engines.items():
        print(
            f"  ResNet in {name}: {e['cpu_ms_per_face_batch1']} ms CPU per face "
            f"({e['cpu_ms_per_face_batch4']} in batches of 4), "
            f"largest difference from dlib {e['max_abs_difference_from_dlib']:.1e}"
        )
    for name, s in (slowdown or {}).items():
        print(
            f"  scan of {name} ({s['images']} images, {s['faces_embedded']} faces, {s['jobs']} jobs): "
            f"{s['seconds_without']} s without, {s['seconds_with']} s with embeddings "
            f"-> x{s['ratio']} (target <= x1.30); CPU {s['cpu_seconds_without']} s vs "
            f"{s['cpu_seconds_with']} s -> x{s['cpu_ratio']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
