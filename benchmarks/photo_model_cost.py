"""What the CLIP photograph model (local-v43) costs where it runs: a gallery where every face qualifies.

    .venv/bin/python benchmarks/photo_model_cost.py [--rounds 6] [PHOTO ...]

``benchmarks/scan_throughput.py --against`` measures the detector on its 12-MP images, whose
faces mostly fail some enrollment-strict condition and so never pay for the model. This
measures the other end: of the given photos (default: the corpus's ``people`` and ``single``
folders) it keeps those where the model checked every face (each qualifies under
enrollment-strict's other conditions), then times one detector over them, one thread, CPU
seconds per image, in alternating rounds: with the model, and with the model file made
absent (the same code; every face then reads ``photograph`` null). Prints each round's
ratio, the median, and the model's CPU per face (the difference over the faces).
``--against OLD.json`` times a third detector in the same rounds, reading the model as another
``photo_model.json`` does (e.g. local-v46's projected embedding of the whole tower against
local-v47's blocks 10 + 11), and prints the ratio of the two readouts' CPU per face. The
model's remembered outputs (``photo_model._OUTPUTS``) are forgotten before every pass, so
each pass runs the model on every face.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import photo_model
from facecurator.domain.protocols import ImageRef

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _ref(path: Path, size: int) -> ImageRef:
    return ImageRef(uri=str(path), name=path.name, group="bench", size=size, mtime_ns=0)


def cpu_ms(detector: LocalDetector, datas: list[tuple[Path, bytes]]) -> float:
    with photo_model._OUTPUTS_LOCK:  # a face read before is remembered: run the model again
        photo_model._OUTPUTS.clear()
    started = time.process_time()
    for path, data in datas:
        detector.detect(_ref(path, len(data)), data)
    return (time.process_time() - started) / len(datas) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("photos", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--against", type=Path, default=None, help="another photo_model.json, timed alongside")
    args = ap.parse_args(argv)
    photos = args.photos or sorted(
        p
        for sub in ("people", "single")
        for p in (CORPUS / sub).rglob("*")
        if p.is_file() and p.suffix != ".csv"
    )
    on = LocalDetector()
    off = LocalDetector()
    off._photo = photo_model.PhotoModel(path=Path("/nonexistent/clip_encoder.int8.onnx"))
    if not on._photo.available():
        raise SystemExit("the CLIP photograph model is not installed (scripts/install.sh)")
    datas, faces = [], 0
    for path in photos:
        data = path.read_bytes()
        try:
            found = on.detect(_ref(path, len(data)), data).faces
        except Exception:  # noqa: BLE001 - not an image the detector reads: left out
            continue
        if found and all(((f.raw or {}).get("photo_model") or {}).get("checked") for f in found):
            datas.append((path, data))
            faces += len(found)
    if not datas:
        raise SystemExit("no photo whose every face the model checks")
    print(f"{len(datas)} photos, {faces} faces, every one checked by the model")
    other = None
    if args.against is not None:
        other = LocalDetector()
        other._photo = photo_model.PhotoModel(photo_model.Probe.read(args.against))
        cpu_ms(other, datas[:1])
    cpu_ms(off, datas[:1])
    rows, against = [], []
    loads = []
    for _ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        with_model, without = cpu_ms(on, datas), cpu_ms(off, datas)
        rows.append((with_model, without))
        ratio = with_model / without
        line = f"  with the model {with_model:.1f} ms, without {without:.1f} ms an image: {ratio:.2f}"
        if other is not None:
            against.append(cpu_ms(other, datas))
            line += f"; {args.against.name}: {against[-1]:.1f} ms"
        print(line, flush=True)
    ratio = statistics.median(w / o for w, o in rows)
    per_face = statistics.median((w - o) * len(datas) / faces for w, o in rows)
    print(f"median ratio {ratio:.2f} over {len(rows)} rounds; the model's CPU {per_face:.0f} ms a face")
    if against:
        per = [(a - o) * len(datas) / faces for a, (_, o) in zip(against, rows, strict=True)]
        rel = statistics.median((w - o) / (a - o) for a, (w, o) in zip(against, rows, strict=True))
        image = statistics.median(w / a for a, (w, _) in zip(against, rows, strict=True))
        print(
            f"{args.against.name}: the model's CPU {statistics.median(per):.0f} ms a face; this readout's"
            f" over it {rel:.2f} (median of the rounds); an image {image:.2f} x"
        )
        other.close()  # type: ignore[union-attr]
    print(f"load {min(loads):.1f}-{max(loads):.1f}")
    on.close()
    off.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
