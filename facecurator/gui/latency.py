"""Event-loop responsiveness probe: a fast timer that records the longest gap."""

from __future__ import annotations

import sys
import time
from typing import Final

from PySide6.QtCore import QObject, QTimer

#: Seconds a thread may hold the GIL before another one gets it (CPython default 0.005).
GIL_SWITCH_INTERVAL: Final = 0.001


def favour_the_gui_thread() -> None:
    """Shorten the GIL switch interval for this (GUI) process.

    Detector and thumbnail workers run C extensions that hold the GIL for
    stretches; with the default 5 ms interval the GUI thread measured gaps over
    100 ms on 2 cores while scanning, with 1 ms they stay near 60 ms.
    """
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL))


class EventLoopMonitor(QObject):
    """Ticks every ``interval_ms``; ``max_gap`` is the worst delay between ticks (seconds).

    A gap well above the interval means the GUI thread was busy (or starved of
    the GIL) for that long: the window would not have repainted or taken a key.
    """

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self.max_gap = 0.0
        self.ticks = 0
        self.gaps: list[float] = []

    def start(self) -> None:
        self._last = time.perf_counter()
        self.max_gap = 0.0
        self.ticks = 0
        self.gaps = []
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            gap = now - self._last
            self.gaps.append(gap)
            self.max_gap = max(self.max_gap, gap)
        self._last = now
        self.ticks += 1

    def percentile(self, fraction: float) -> float:
        if not self.gaps:
            return 0.0
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
