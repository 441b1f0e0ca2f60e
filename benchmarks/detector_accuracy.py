"""Run the local detector over the corpus: per-image expected vs found, and the accuracy.

Usage::

    python benchmarks/detector_accuracy.py [--corpus DIR] [--details] [--speed] [--setting k=v ...]
    python benchmarks/detector_accuracy.py --verdicts [--split tune|test|test2] [--json FILE|-] [--details]

Accuracy counts the images of ``MANIFEST.csv`` whose face count is certain (no
``?`` in the notes, the rule of ``tests/conftest.py``) and that decode (the
broken files of bad/ are listed but not counted); an image is right when the
number of faces found equals the expected number.

``--speed`` also times the detector on 12-megapixel JPEGs made by upscaling
corpus photos to 4000x3000 (or 3000x4000) in a temporary folder: CPU and wall
time per image sequentially, then the throughput of two instances in two
threads (the scan pipeline's shape). ``--speed-dir DIR`` times your own JPEGs.

``--verdicts`` measures verdict quality on the labelled truth set instead (issue 18):
per attribute the confusion counts, per preset the false-qualified faces and the
share of clean portraits that qualify, for each split (tune, test, test2) — see
``benchmarks/verdict_quality.py`` (its options are accepted here too).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import verdict_quality  # noqa: E402
from facecurator.detect.local import LocalDetector  # noqa: E402
from facecurator.domain.face import Face  # noqa: E402
from facecurator.domain.protocols import ImageRef  # noqa: E402
from facecurator.errors import ImageError  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("FACECURATOR_CORPUS", REPO.parent / "shared" / "corpus"))
#: Corpus photos upscaled to 12 MP for --speed: portraits first, then groups.
SPEED_SOURCES = (
    "people/deepface_p01/img2.jpg",
    "people/obama/obama.jpg",
    "pose/looking_down_lower_face.jpeg",
    "people/kit_harington/john1.jpeg",
    "single/speaker_ivan.jpg",
    "multi/girlscouts_5.jpg",
    "multi/office_8.jpg",
    "multi/poker_table_6.jpg",
    "multi/medics_4.jpg",
    "formats/masked_crowd.webp",
)


def certain(count: str, notes: str) -> bool:
    """The manifest count is certain (same rule as tests/conftest.py)."""
    return f"({count}?" not in notes and f"{count}?)" not in notes and "(1?" not in notes


def file_ref(path: Path) -> ImageRef:
    st = path.stat()
    return ImageRef(
        uri=str(path), name=path.name, group=path.parent.name, size=st.st_size, mtime_ns=st.st_mtime_ns
    )


def describe(face: Face) -> str:
    pose = f"p{face.pose.pitch:+.0f} y{face.pose.yaw:+.0f} r{face.pose.roll:+.0f}" if face.pose else "pose -"
    blur = f"blur {face.blur.value:4.1f}" if face.blur else "blur -"
    eyes = {True: "closed", False: "open", None: "-"}[face.eyes_closed]
    raw: dict[str, Any] = face.raw or {}
    box = face.box
    return (
        f"    box {box.x:.0f},{box.y:.0f} {box.w:.0f}x{box.h:.0f} conf {face.confidence:.2f} {pose} {blur} "
        f"eyes {eyes} glasses {face.glasses} mask {face.mask} "
        f"passes {'+'.join(raw.get('passes', []))} ear {raw.get('ear')} crete {raw.get('crete')} "
        f"glasses_measure {raw.get('glasses_measure')} mask_measure {raw.get('mask_measure')}"
    )


def accuracy(corpus: Path, detector: LocalDetector, details: bool) -> float:
    rows = list(csv.DictReader((corpus / "MANIFEST.csv").open(encoding="utf-8")))
    right = total = timed = 0
    elapsed = 0.0
    print(f"{'file':50s} {'expected':>8s} {'found':>5s}  {'result':7s} {'ms':>5s}")
    for row in rows:
        path = corpus / row["file"]
        expected = int(row["expected_faces"])
        t0 = time.perf_counter()
        try:
            result = detector.detect(file_ref(path), path.read_bytes())
        except ImageError as exc:
            print(f"{row['file'][:50]:50s} {expected:8d} {'-':>5s}  {'error':7s}        {exc}")
            continue
        ms = (time.perf_counter() - t0) * 1000
        elapsed += ms
        timed += 1
        found = len(result.faces)
        if certain(row["expected_faces"], row["notes"]):
            total += 1
            right += found == expected
            mark = "ok" if found == expected else "MISS"
        else:
            mark = "(unsure)"
        print(f"{row['file'][:50]:50s} {expected:8d} {found:5d}  {mark:7s} {ms:5.0f}")
        if details:
            for face in result.faces:
                print(describe(face))
    acc = right / total if total else 0.0
    print(f"\naccuracy on certain images: {right}/{total} = {acc:.1%}")
    print(f"mean wall time {elapsed / max(1, timed):.0f} ms/image (corpus images, mostly < 2 MP)")
    return acc


def make_12mp(corpus: Path, folder: Path) -> list[Path]:
    from PIL import Image, ImageOps

    paths = []
    for i, rel in enumerate(SPEED_SOURCES):
        with Image.open(corpus / rel) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            size = (4000, 3000) if img.width >= img.height else (3000, 4000)
            out = folder / f"{i:02d}_{Path(rel).stem}.jpg"
            img.resize(size, Image.Resampling.BICUBIC).save(out, quality=90)
            paths.append(out)
    return paths


def speed(paths: list[Path], detector: LocalDetector) -> None:
    blobs = [(p, p.read_bytes()) for p in paths]
    detector.detect(file_ref(blobs[0][0]), blobs[0][1])  # build the graphs
    print(f"\n{'12 MP image':40s} faces  cpu ms  wall ms")
    total_cpu = total_wall = 0.0
    for p, data in blobs:
        c0, t0 = time.process_time(), time.perf_counter()
        faces = len(detector.detect(file_ref(p), data).faces)
        cpu, wall = (time.process_time() - c0) * 1000, (time.perf_counter() - t0) * 1000
        total_cpu += cpu
        total_wall += wall
        print(f"{p.name[:40]:40s} {faces:5d} {cpu:7.0f} {wall:8.0f}")
    n = len(blobs)
    print(f"sequential mean: {total_cpu / n:.0f} ms CPU, {total_wall / n:.0f} ms wall per image")

    workers = [detector.clone(), detector.clone()]
    rounds = 3
    shares = [blobs[0::2] * rounds, blobs[1::2] * rounds]

    def work(det: LocalDetector, items: list[tuple[Path, bytes]]) -> None:
        for p, data in items:
            det.detect(file_ref(p), data)

    for det, share in zip(workers, shares, strict=True):
        det.detect(file_ref(share[0][0]), share[0][1])
    threads = [threading.Thread(target=work, args=pair) for pair in zip(workers, shares, strict=True)]
    c0, t0 = time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    done = sum(len(s) for s in shares)
    print(
        f"two instances in two threads: {done} images in {wall:.2f} s = {done / wall:.1f} images/s "
        f"(process CPU {cpu / wall:.0%} of one core; os.cpu_count()={os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    for det in workers:
        det.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--details", action="store_true", help="print every face's measures")
    parser.add_argument("--speed", action="store_true", help="time 12 MP JPEGs made from the corpus")
    parser.add_argument("--speed-dir", type=Path, help="time the JPEGs of this folder instead")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the corpus accuracy run")
    parser.add_argument("--setting", action="append", default=[], help="detector setting, key=value")
    parser.add_argument("--verdicts", action="store_true", help="verdict quality on the truth set (issue 18)")
    verdict_quality.add_arguments(parser, details=False)
    args = parser.parse_args()
    overrides: dict[str, Any] = {}
    for item in args.setting:
        key, _, value = item.partition("=")
        overrides[key] = float(value) if "." in value else int(value)
    if args.verdicts:
        os.environ["FACECURATOR_CORPUS"] = str(args.corpus)  # the truth set's corpus photos
        return verdict_quality.main_with(args, overrides)
    detector = LocalDetector(**overrides)
    print(f"settings: {detector.settings_key}")
    has_corpus = (args.corpus / "MANIFEST.csv").is_file()
    if has_corpus and not args.no_accuracy:
        accuracy(args.corpus, detector, args.details)
    if args.speed_dir:
        speed(sorted(p for p in args.speed_dir.iterdir() if p.suffix.lower() in (".jpg", ".jpeg")), detector)
    elif args.speed and has_corpus:
        with tempfile.TemporaryDirectory(prefix="facecurator-12mp-") as tmp:
            speed(make_12mp(args.corpus, Path(tmp)), detector)
    detector.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
