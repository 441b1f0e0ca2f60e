"""Cost of facecurator.detect.quality.face.measure_face relative to the local
detector, on the same corpus images in the same run (a ratio: the machine's
load cancels out).

    python benchmarks/quality_cost.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_faces import CORPUS, corpus_files, faces_of

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality.face import measure_face
from facecurator.domain.protocols import ImageRef


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    root = CORPUS.resolve()
    files = [rel for rel, _ in corpus_files(root)]
    det = LocalDetector()
    det.load()
    datas = [(rel, (root / rel).read_bytes()) for rel in files]
    faces = [f for rel, data in datas for f in faces_of(det, data, rel)]
    t_det = t_q = 0.0
    for _ in range(args.repeat):
        t0 = time.process_time()
        for rel, data in datas:
            det.detect(_ref(rel), data)
        t1 = time.process_time()
        for f in faces:
            measure_face(f["crop"], f["mesh"], scale=f["scale"], jpeg_quality=f["jpeg_q"])
        t2 = time.process_time()
        t_det += t1 - t0
        t_q += t2 - t1
    n = args.repeat
    print(f"{len(datas)} images, {len(faces)} faces with a mesh")
    print(f"detector: {t_det / n / len(datas) * 1000:.1f} ms CPU per image")
    print(f"quality measures: {t_q / n / len(faces) * 1000:.2f} ms CPU per face")
    print(f"quality / detector CPU: {t_q / t_det * 100:.1f} %")
    return 0


def _ref(rel: str) -> ImageRef:
    return ImageRef(uri=rel, name=rel, group="corpus", size=0, mtime_ns=0)


if __name__ == "__main__":
    raise SystemExit(main())
