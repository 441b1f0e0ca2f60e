"""A scan's new images arriving in a large open source, measured on the GUI thread (issue 17 item
5: a running scan must not stall the GUI at 1M).

    .venv/bin/python benchmarks/scan_inserts.py --catalog COPY --source ROOT --expect N
        [--inserts 10] [--every 1.0] [--verdict-wait 10] [--hold-sample] [--repo CHECKOUT]

The child starts the app's window on the catalog (a copy: this writes to it), waits for the
gallery to show ``--expect`` images (and the verdicts, up to ``--verdict-wait``), sets Triage's
grid to "All faces", then ``--inserts`` times, ``--every`` seconds apart: records one new image of
one face in the middle of the name order on a thread of its own (another connection, as a scan's
worker does; not timed), then announces it on the GUI thread as the scan's batch does
(``store.refresh_images``) and waits until both paged grids show the new row. Per insert:

* ``gui_ms``: the GUI thread's own CPU in the announcement's turn (the call itself);
* ``inserted_ms``: from the announcement until both grids have the row;
* ``stall_ms``: the longest event-loop gap (a 10 ms timer) until then, and ``turn_cpu_ms``: the
  GUI thread's longest turn of CPU between two ticks then (its own work; a busy machine delays it
  but does not add to it); ``idle_ms``: an idle Qt app's longest gap over the same seconds.

Printed: the median, 90th percentile and worst of each, and each insert's ``inserted_ms`` in order
(``inserted_ms_each``), as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any

from gui_scroll_support import IdleBeside, TurnCpu, _summary, checkout_parser, shown_window, shut, spin


def _record(target: str, root: str, name: str) -> int:
    """One image of one face recorded under ``root`` on another connection; its id."""
    from facecurator.domain.face import BLUR_SCALE_MODERATION_2, Blur, Box, Face, Pose
    from facecurator.domain.protocols import DetectionResult, ImageRef
    from facecurator.services.catalog import Catalog

    blur = Blur(3, BLUR_SCALE_MODERATION_2)
    face = Face(box=Box(10, 10, 200, 200), confidence=0.99, pose=Pose(1, 2, 3), blur=blur)
    ref = ImageRef(uri=f"{root}/{name}", name=name, group=name.split("/")[0], size=100, mtime_ns=1)
    with Catalog(target) as catalog:
        detection = catalog.store_detection(name, "import:test", "k", DetectionResult([face], 640, 480))
        return int(
            catalog.record_image(
                ref, source_root=root, identity=name, status="ok", error=None,
                detection_id=detection, width=640, height=480, detector="import:test",
            )
        )  # fmt: skip


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.repo))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from facecurator.gui.latency import EventLoopMonitor

    if args.hold_sample:  # no jump sample: a new row's place is counted from the start
        from facecurator.gui import paged_ids

        paged_ids.PagedIds._sample_of = lambda *_a: None  # type: ignore[method-assign]
        paged_ids.PagedIds._sample_from = lambda *_a: None  # type: ignore[method-assign]
    catalog, window = shown_window(args.catalog)
    store = window.store
    changed: list[bool] = []
    store.sourceChanged.connect(lambda _r: changed.append(True))
    window.open_source(args.source, scan=False)
    gallery, triage = window.gallery_model, window.triage.model
    spin(lambda: gallery.rowCount() >= args.expect, 600)
    spin(lambda: bool(changed) and not store.busy, args.verdict_wait)
    combo = window.triage.filter_combo
    combo.setCurrentIndex(combo.findData("all"))
    spin(lambda: triage.rowCount() > 0, 120)
    spin(lambda: False, 2.0)
    results: dict[str, Any] = {
        "verdicts_stored": bool(changed),
        "gallery_paged": gallery.paged is not None,
        "triage_paged": triage.paged is not None,
    }
    idle = IdleBeside()
    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()
    turns = TurnCpu(monitor)
    measured: dict[str, list[float]] = {"gui_ms": [], "inserted_ms": [], "stall_ms": [], "turn_cpu_ms": []}
    windows: list[tuple[float, float]] = []
    late = 0
    for k in range(args.inserts):
        box: list[int] = []
        name = f"p25/img{args.expect // 2 + 7 * k}a.jpg"
        record = lambda n=name, b=box: b.append(_record(args.catalog, args.source, n))  # noqa: E731
        worker = threading.Thread(target=record)
        worker.start()
        spin(lambda w=worker: not w.is_alive(), 60)
        rows = (gallery.rowCount(), triage.rowCount())
        gaps_before = len(monitor.gaps)
        started, cpu = time.perf_counter(), time.thread_time()
        store.refresh_images(box)
        measured["gui_ms"].append((time.thread_time() - cpu) * 1000)
        if not spin(lambda r=rows: gallery.rowCount() > r[0] and triage.rowCount() > r[1], 60):
            late += 1
        ended = time.perf_counter()
        spin(lambda: False, 0.05)  # (the gap of the turn after it is counted)
        measured["inserted_ms"].append((ended - started) * 1000)
        measured["stall_ms"].append(max(monitor.gaps[gaps_before:], default=0.0) * 1000)
        measured["turn_cpu_ms"].append(turns.longest(started, ended))
        windows.append((started, ended))
        spin(lambda: False, max(0.0, args.every - (time.perf_counter() - started)))
    monitor.stop()
    turns.close()
    idle.finish()
    results.update({key: _summary(values) for key, values in measured.items()})
    results["inserted_ms_each"] = [round(ms) for ms in measured["inserted_ms"]]
    results["idle_ms"] = _summary([idle.longest(*w) for w in windows] or [0.0])
    results["inserts"], results["not_inserted_in_60s"] = args.inserts, late
    print(json.dumps(results), flush=True)
    shut(window, catalog, app)


def main() -> int:
    parser = checkout_parser(__doc__)
    parser.add_argument("--expect", type=int, required=True, help="images the gallery shows")
    parser.add_argument("--inserts", type=int, default=10)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between two new images")
    parser.add_argument("--verdict-wait", type=float, default=10.0)
    parser.add_argument("--hold-sample", action="store_true", help="take no jump sample")
    child(parser.parse_args())
    return 0


if __name__ == "__main__":
    sys.exit(main())
