"""Where an event-loop stall goes: the GUI thread's Python stack, sampled while it stalls.

A thread beside the GUI's watches an :class:`~facecurator.gui.latency.EventLoopMonitor`: while
its last tick is older than ``watch_ms``, it samples the main thread's stack every
``every_ms`` (``sys._current_frames``; the GUI thread gives the GIL up every millisecond:
``favour_the_gui_thread``). :meth:`StallTracer.report` names, for the stalls longer than
``stall_ms``, the deepest frames of the project's code and how many milliseconds of stalls
they were sampled in: the page query on the GUI thread, the row read, the layout, the crops.

    tracer = StallTracer(monitor); tracer.start(); ...; tracer.stop(); print(tracer.report())
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from typing import Any

PROJECT = "facecurator"


def _where(frame: Any, depth: int = 3) -> str:
    """The ``depth`` innermost frames of the project's code in a stack, innermost first."""
    names: list[str] = []
    while frame is not None and len(names) < depth:
        code = frame.f_code
        if PROJECT in code.co_filename:
            module = code.co_filename.rsplit(PROJECT + "/", 1)[-1].removesuffix(".py")
            names.append(f"{module}.{code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(names) or "(outside the project: Qt / idle)"


class StallTracer:
    """Samples the GUI thread's stack while its event loop is stalled (see the module)."""

    def __init__(
        self, monitor: Any, *, watch_ms: float = 30, every_ms: float = 4, stall_ms: float = 50
    ) -> None:
        self._monitor = monitor
        self._watch, self._every, self._stall = watch_ms / 1000, every_ms / 1000, stall_ms / 1000
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-tracer", daemon=True)
        #: per stall (the monitor's ``_last`` tick it started after): the samples taken
        self.samples: dict[float, list[str]] = {}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            last = self._monitor._last
            if last is None or time.perf_counter() - last < self._watch:
                continue
            frame = sys._current_frames().get(self._main)
            self.samples.setdefault(last, []).append(_where(frame))

    def report(self, top: int = 12) -> str:
        """The frames the stalls over ``stall_ms`` were spent in: ms of stall per frame."""
        gaps = sorted(self._monitor.gaps)
        stalls = [
            (at, samples)
            for at, samples in self.samples.items()
            if len(samples) * self._every >= self._stall - self._watch
        ]
        spent: Counter[str] = Counter()
        for _at, samples in stalls:
            for where in samples:
                spent[where] += self._every * 1000
        lines = [f"stalls over {self._stall * 1000:.0f} ms: {sum(g >= self._stall for g in gaps)}"
                 f" (sampled {len(stalls)}); ms sampled per place:"]  # fmt: skip
        lines += [f"  {ms:7.0f}  {where}" for where, ms in spent.most_common(top)]
        return "\n".join(lines)
