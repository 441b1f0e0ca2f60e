"""A Find the catalog's SQL cannot answer whole, typed in a large gallery, measured (issue 17 item 5:
"the GUI never freezes").

    .venv/bin/python benchmarks/find_view.py --catalog TARGET --source ROOT --expect N
        [--find 'not failed:blur'] [--then 'failed:pose_yaw'] [--limit 240] [--bar] [--repo CHECKOUT]

A child process opens the app's window on the catalog (a copy: the verdict fill writes to it)
and waits until the gallery shows its ``--expect`` images, not for the verdicts: a verdict term
is then one SQL cannot answer whole (the synthetic catalog of benchmarks/scale.py stores none;
the fill is storing them meanwhile). It then applies ``--find`` to the gallery's model (``--bar``:
typed in the Find bar, so Triage's grid applies it too) and measures, with a 10 ms timer on the
GUI thread:

* ``first_rows_s``: from the Find to the first row shown (the model has rows);
* ``stall_ms``: the longest event-loop gap from the Find until ``--watch`` seconds after the
  first rows (the listing going on meanwhile); ``gui_cpu_s``: the GUI thread's CPU over it;
* ``rows_at_watch``, ``checked_at_watch``: rows shown and images checked by then;
* ``then_first_rows_s``: ``--then`` applied next: to its first rows (the old listing stops first);
* ``rss_mb`` before the Find and at the end.

``--trace``: where the stalls over 50 ms of the first Find's watch went (benchmarks/stall_trace.py:
the GUI thread's frames, its CPU in each stall, the other threads' frames), printed to stderr.

A watchdog ends the child after ``--limit`` seconds with what it has (the code before this
change built the list on the GUI thread: nothing shown, the event loop blocked). One JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from gui_scroll import _rss_mb, child_env, shown_window, spin, window_parser


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.repo))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    from facecurator.gui.latency import EventLoopMonitor
    from facecurator.services.filtering import face_filter

    results: dict[str, Any] = {"find": args.find, "bar": args.bar, "repo": str(args.repo)}
    started = time.perf_counter()

    def watchdog() -> None:  # the GUI thread may never come back: say so, then end
        time.sleep(args.limit)
        results["gave_up_after_s"] = round(time.perf_counter() - started, 1)
        print(json.dumps(results), flush=True)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    _catalog, window = shown_window(args.catalog)
    store, model = window.store, window.gallery_model
    window.open_source(args.source, scan=False)
    spin(lambda: model.rowCount() >= args.expect, 600)
    spin(lambda: False, 2.0)
    results["listed_s"] = round(time.perf_counter() - started, 1)
    results["verdicts_stored_before"] = not store.busy
    results["rss_before_mb"] = round(_rss_mb(), 1)
    checked = [0]
    finding = getattr(model, "findProgress", None)
    if finding is not None:
        finding.connect(lambda n, _found, _done: checked.__setitem__(0, n))

    def apply(text: str) -> None:
        if args.bar:
            window.filter_bar.set_expression(text)
        else:
            model.set_face_filter(face_filter(text, store.ruleset))

    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()
    tracer = None
    if args.trace:
        from stall_trace import StallTracer

        tracer = StallTracer(monitor)
        tracer.start()
    cpu = time.thread_time()
    t0 = time.perf_counter()
    apply(args.find)
    results["apply_returned_s"] = round(time.perf_counter() - t0, 2)
    shown = spin(lambda: model.rowCount() > 0, args.limit)
    results["first_rows_s"] = round(time.perf_counter() - t0, 2) if shown else None
    spin(lambda: False, args.watch)
    results["stall_ms"] = round(monitor.max_gap * 1000, 1)
    results["gui_cpu_s"] = round(time.thread_time() - cpu, 2)
    results["rows_at_watch"] = model.rowCount()
    results["checked_at_watch"] = checked[0]
    if tracer is not None:
        tracer.stop()
        print(f"find: {tracer.report()}", file=sys.stderr, flush=True)
    if args.then:
        gaps = len(monitor.gaps)
        t1 = time.perf_counter()
        apply(args.then)
        shown = spin(lambda: model.rowCount() > 0, args.limit)
        results["then_first_rows_s"] = round(time.perf_counter() - t1, 2) if shown else None
        spin(lambda: False, 1.0)
        results["then_stall_ms"] = round(max(monitor.gaps[gaps:], default=0.0) * 1000, 1)
    monitor.stop()
    results["rss_end_mb"] = round(_rss_mb(), 1)
    print(json.dumps(results), flush=True)
    os._exit(0)  # the listing may still run: not waited for


def main(argv: list[str] | None = None) -> int:
    parser = window_parser(__doc__)
    parser.add_argument("--find", default="not failed:blur")
    parser.add_argument("--then", default="failed:pose_yaw", help="a second Find after it ('' none)")
    parser.add_argument("--watch", type=float, default=15.0, help="seconds watched after the first rows")
    parser.add_argument("--limit", type=float, default=240.0, help="seconds before the child gives up")
    parser.add_argument("--bar", action="store_true", help="typed in the Find bar (Triage applies it too)")
    parser.add_argument("--trace", action="store_true", help="print where each stall over 50 ms went")
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    with tempfile.TemporaryDirectory(prefix="fc-find-") as cache:
        env = child_env(cache)
        argv_child = [sys.executable, __file__, "--child", *(argv if argv is not None else sys.argv[1:])]
        done = subprocess.run(argv_child, env=env, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(f"find child failed ({done.returncode})")
    print(lines[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
