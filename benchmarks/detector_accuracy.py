"""Run the local detector over the corpus: per-image expected vs found, and the accuracy.

Usage::

    python benchmarks/detector_accuracy.py [--corpus DIR] [--details] [--speed DIR] [--setting k=v ...]

Accuracy counts the images of ``MANIFEST.csv`` whose face count is certain (no
``?`` in the notes) and that decode (broken files in bad/ are excluded); an image
is right when the number of faces found equals the expected number.
``--speed DIR`` also times the detector on the JPEGs of DIR, sequentially and
with two instances in two threads (the scan pipeline's shape).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from facecurator.detect.local import LocalDetector  # noqa: E402
from facecurator.errors import ImageError  # noqa: E402
from facecurator.sources.base import ImageRef  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("FACECURATOR_CORPUS", REPO.parent / "shared" / "corpus"))


def _certain(count: str, notes: str) -> bool:
    # same rule as tests/conftest.py
    return f"({count}?" not in notes and f"{count}?)" not in notes and "(1?" not in notes


def _ref(path: Path) -> ImageRef:
    st = path.stat()
    return ImageRef(uri=str(path), name=path.name, group=path.parent.name, size=st.st_size, mtime_ns=st.st_mtime_ns)


def _fmt_face(face) -> str:  # noqa: ANN001
    pose = f"p{face.pose.pitch:+.0f} y{face.pose.yaw:+.0f} r{face.pose.roll:+.0f}" if face.pose else "pose=-"
    blur = f"blur {face.blur.value:.1f}" if face.blur else "blur=-"
    eyes = {True: "closed", False: "open", None: "-"}[face.eyes_closed]
    return (
        f"    box {face.box.x:.0f},{face.box.y:.0f} {face.box.w:.0f}x{face.box.h:.0f} conf {face.confidence:.2f} "
        f"{pose} {blur} eyes {eyes} glasses {face.glasses} mask {face.mask} "
        f"raw {({k: v for k, v in (face.raw or {}).items() if k not in ('landmark_kind',)})}"
    )


def accuracy(corpus: Path, detector: LocalDetector, details: bool) -> float:
    rows = list(csv.DictReader((corpus / "MANIFEST.csv").open(encoding="utf-8")))
    right = total = 0
    elapsed = 0.0
    print(f"{'file':48s} {'exp':>4s} {'found':>5s}  certain  ms")
    for row in rows:
        path = corpus / row["file"]
        certain = _certain(row["expected_faces"], row["notes"])
        t0 = time.perf_counter()
        try:
            result = detector.detect(_ref(path), path.read_bytes())
        except ImageError as exc:
            print(f"{row['file'][:48]:48s} {row['expected_faces']:>4s} {'ERR':>5s}  ({exc})")
            continue
        ms = (time.perf_counter() - t0) * 1000
        elapsed += ms
        expected = int(row["expected_faces"])
        found = len(result.faces)
        mark = ""
        if certain:
            total += 1
            right += found == expected
            mark = "ok" if found == expected else "MISS"
        else:
            mark = "(unc)"
        print(f"{row['file'][:48]:48s} {expected:>4d} {found:>5d}  {mark:7s} {ms:5.0f}")
        if details:
            for face in result.faces:
                print(_fmt_face(face))
    acc = right / total if total else 0.0
    print(f"\naccuracy on certain images: {right}/{total} = {acc:.1%}   mean time {elapsed / len(rows):.0f} ms/image")
    return acc


def speed(folder: Path, detector: LocalDetector) -> None:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
    blobs = [(p, p.read_bytes()) for p in paths]
    detector.detect(_ref(blobs[0][0]), blobs[0][1])  # warm up
    t0 = time.perf_counter()
    faces = 0
    for p, data in blobs:
        faces += len(detector.detect(_ref(p), data).faces)
    seq = time.perf_counter() - t0
    print(f"\nsequential: {len(blobs)} images, {faces} faces, {seq / len(blobs) * 1000:.0f} ms/image")

    others = [detector.clone(), detector.clone()]
    for d in others:
        d.detect(_ref(blobs[0][0]), blobs[0][1])  # build graphs in the worker threads? no: same thread, see below

    def work(det: LocalDetector, items: list[tuple[Path, bytes]]) -> None:
        for p, data in items:
            det.detect(_ref(p), data)

    # fresh instances: a LocalDetector belongs to the thread that first used it
    workers = [detector.clone(), detector.clone()]
    halves = [blobs[0::2] * 2, blobs[1::2] * 2]
    threads = [threading.Thread(target=work, args=(w, h)) for w, h in zip(workers, halves, strict=True)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    par = time.perf_counter() - t0
    n = sum(len(h) for h in halves)
    print(f"two threads: {n} images in {par:.2f} s = {n / par:.1f} images/s")
    for d in others + workers:
        d.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--details", action="store_true", help="print every face's measures")
    parser.add_argument("--speed", type=Path, help="folder of (12 MP) JPEGs to time")
    parser.add_argument("--setting", action="append", default=[], help="detector setting override, k=v")
    args = parser.parse_args()
    overrides = {}
    for item in args.setting:
        key, _, value = item.partition("=")
        overrides[key] = float(value) if "." in value else int(value)
    detector = LocalDetector(**overrides)
    print(f"settings: {detector.settings_key}")
    if (args.corpus / "MANIFEST.csv").is_file():
        accuracy(args.corpus, detector, args.details)
    if args.speed:
        speed(args.speed, detector)
    detector.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
