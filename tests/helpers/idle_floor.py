"""The event-loop gaps an idle Qt app has on this machine right now: the floor of a GUI's.

On a shared machine the scheduler alone delays a 10 ms timer by tens, at times hundreds,
of milliseconds. A bound on the window's longest event-loop gap is honest only against
an idle Qt app measured side by side, over the same seconds::

    with IdleFloor() as floor:      # an idle Qt app in its own process, its timer running
        monitor.start()
        ...                         # the work measured
        monitor.stop()
    assert monitor.max_gap <= floor.max_gap + 0.100

Run as a script it is that idle app: a 10 ms timer; ``ready`` on stdout once its loop
turns, then its gaps as JSON when stdin closes (benchmarks/scale.py uses it too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

INTERVAL_MS = 10


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def run_idle_app() -> None:
    """The child: an idle Qt event loop with a 10 ms timer, measured until stdin closes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(tick)
    timer.start()
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    announced = False
    while not done.is_set():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if not announced and gaps:
            print("ready", flush=True)
            announced = True
        time.sleep(0.001)
    ordered = sorted(gaps[1:]) or [0.0]
    print(json.dumps({"max_ms": ordered[-1] * 1000, "p99_ms": _percentile(ordered, 0.99) * 1000}))
    del app


class IdleFloor:
    """An idle Qt app in a child process, measured while the ``with`` block runs.

    Entering waits until the child's event loop turns (so the floor covers all of the
    block); leaving closes its stdin and reads ``max_gap`` / ``p99`` (seconds).
    """

    def __init__(self, timeout: float = 60.0) -> None:
        self._timeout = timeout
        self._proc: subprocess.Popen[str] | None = None
        self.max_gap = 0.0
        self.p99 = 0.0

    def __enter__(self) -> IdleFloor:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()  # blocks until its loop turns (or it dies)
        if line != "ready":
            self._proc.kill()
            raise RuntimeError(f"the idle Qt app did not start (said {line!r})")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._proc is not None
        out, _ = self._proc.communicate("", timeout=self._timeout)
        if kind is not None:
            return
        if self._proc.returncode != 0 or not out.strip():
            raise RuntimeError(f"the idle Qt app failed (status {self._proc.returncode})")
        marks = json.loads(out.strip().splitlines()[-1])
        self.max_gap, self.p99 = marks["max_ms"] / 1000, marks["p99_ms"] / 1000


if __name__ == "__main__":
    run_idle_app()
