"""What benchmarks/gui_scroll.py (and find_view.py) use around the window they measure: waiting
on the event loop, the shown window, the GUI thread's CPU per turn, an idle Qt app beside the
measured one (the load's share of a stall), the stall tracer. Split from gui_scroll.py along that
seam; run as ``python gui_scroll_support.py --child-idle`` it is the idle app itself.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 1),
        "p90": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
        "max": round(ordered[-1], 1),
    }


def _rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def spin(until: Any, limit: float) -> bool:
    """Turn the event loop until ``until()`` or ``limit`` seconds passed (False then)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.perf_counter() + limit
    while not until():
        if time.perf_counter() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.001)
    return True


def shown_window(target: str) -> tuple[Any, Any]:
    """(catalog, the app's main window on it: no scan, 1500x950, shown)."""
    from facecurator.gui.main_window import MainWindow
    from facecurator.services.catalog import Catalog

    catalog = Catalog(target)
    window = MainWindow(catalog, auto_scan=False)
    window.resize(1500, 950)
    window.show()
    return catalog, window


def triage_shown(args: Any) -> tuple[Any, Any, Any]:
    """(the QApplication, the catalog, the main window) of the app of the checkout ``args.repo``
    on ``args.catalog``, shown on Triage's page: a measure of Triage in this process."""
    sys.path.insert(0, str(args.repo))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    catalog, window = shown_window(args.catalog)
    window.tabs.setCurrentWidget(window.triage)
    return app, catalog, window


def checkout_parser(description: str | None) -> Any:
    """The options of a measure of one window in this process (benchmarks/scan_inserts.py,
    triage_view.py): the catalog, its source, the checkout whose app is measured."""
    import argparse

    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument(
        "--repo",
        type=lambda path: Path(path).resolve(),
        default=Path(__file__).resolve().parent.parent,
        help="the checkout whose app is measured",
    )
    return parser


def shut(window: Any, catalog: Any, app: Any) -> None:
    """The measured window shut: its workers, the window, its catalog."""
    window.shutdown()
    window.close()
    catalog.close()
    app.processEvents()


def catalog_image_of_faces(catalog: Any, face_ids: list[int]) -> dict[int, int]:
    """``face id -> image id`` (either backend)."""
    from facecurator.services.catalog import queries as q

    return q.image_of_faces(catalog, face_ids)


def _link_files(catalog: Any, image_ids: list[int], master: Path) -> int:
    """A hard link to ``master`` at each image's path that has no file (not timed)."""
    made = 0
    for image_id in image_ids:
        path = Path(catalog.image(image_id).uri)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(master, path)
        made += 1
    return made


class TurnCpu:
    """The GUI thread's CPU time at each tick of ``monitor`` (read on it, after the tick)."""

    def __init__(self, monitor: Any) -> None:
        self.ticks: list[tuple[float, float]] = []  # (perf_counter, thread_time)
        self._monitor = monitor
        monitor._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append((time.perf_counter(), time.thread_time()))

    def longest(self, start: float, end: float) -> float:
        """The most CPU (ms) the GUI thread spent between two ticks from ``start`` to ``end``."""
        ticks = [t for t in self.ticks if start <= t[0] <= end + 0.05]
        return max((b[1] - a[1] for a, b in itertools.pairwise(ticks)), default=0.0) * 1000

    def close(self) -> None:
        self._monitor._timer.timeout.disconnect(self._tick)


class IdleBeside:
    """An idle Qt app in a process of its own (this script's ``--child-idle``): its timer's gaps
    with their times, to read the longest over a window (the load's share of a stall)."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--child-idle"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self._proc.stdout is not None
        self._proc.stdout.readline()  # "ready"
        self.gaps: list[tuple[float, float]] = []  # (tick time, gap before it), perf_counter

    def finish(self) -> None:
        out, _ = self._proc.communicate("")
        self.gaps = [tuple(g) for g in json.loads(out.strip().splitlines()[-1])]

    def longest(self, start: float, end: float) -> float:
        """The idle app's longest gap (ms) overlapping ``start`` .. ``end``."""
        return max((g for at, g in self.gaps if at >= start and at - g <= end), default=0.0) * 1000


def child_idle() -> None:
    """An idle Qt event loop with a 10 ms timer until stdin closes; then its gaps as JSON."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import threading

    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])  # noqa: F841 - kept alive
    gaps: list[tuple[float, float]] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now, now - last[0]))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    done = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        done.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    print("ready", flush=True)
    while not done.is_set():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.001)
    print(json.dumps([(round(a, 4), round(g, 4)) for a, g in gaps if g >= 0.02]), flush=True)


def _traced(monitor: Any, trace: bool, label: str) -> Any:
    """A :class:`stall_trace.StallTracer` on ``monitor`` started (``trace``), else None."""
    if not trace:
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from stall_trace import StallTracer

    tracer = StallTracer(monitor)
    tracer.label = label  # type: ignore[attr-defined]
    tracer.start()
    return tracer


def _untraced(tracer: Any) -> None:
    if tracer is not None:
        tracer.stop()
        print(f"{tracer.label}: {tracer.report()}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--child-idle"]:
        child_idle()
