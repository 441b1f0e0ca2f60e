"""Where an event-loop stall goes: the GUI thread's Python stack, sampled while it stalls.

A thread beside the GUI's watches an :class:`~facecurator.gui.latency.EventLoopMonitor`: while
its last tick is older than ``watch_ms``, it samples the main thread's stack every
``every_ms`` (``sys._current_frames``; the GUI thread gives the GIL up every millisecond:
``favour_the_gui_thread``). :meth:`StallTracer.report` names, for the stalls longer than
``stall_ms``, the deepest frames of the project's code and how many milliseconds of stalls
they were sampled in: the page query on the GUI thread, the row read, the layout, the crops.

It also says whether a stall was the GUI thread's own work at all: per stall, its wall time
against the GUI thread's CPU time over it and the process's other threads' (read on the GUI
thread at each tick: ``thread_time``, ``process_time``), and
the samples the tracer managed against those it asked for (a sampler that cannot get the GIL
for a whole stall means another thread held it: one long C call). Stalls with little GUI CPU
are waits -- for the GIL (the other threads' frames sampled meanwhile are listed, ``others``)
or for a core (the machine's load) -- not work the GUI thread could skip.

    tracer = StallTracer(monitor); tracer.start(); ...; tracer.stop(); print(tracer.report())
"""

from __future__ import annotations

import itertools
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
        self._main: int = threading.main_thread().ident or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-tracer", daemon=True)
        #: per stall (the monitor's ``_last`` tick it started after): the samples taken
        self.samples: dict[float, list[str]] = {}
        #: per stall: the other threads' project frames sampled meanwhile
        self.others: dict[float, list[str]] = {}
        #: per tick of the monitor: the GUI thread's CPU time then and the whole process's (all
        #: its threads': the others' = the difference), read on the GUI thread after the tick
        self._cpu_at: dict[float, tuple[float, float]] = {}

    def _ticked(self) -> None:
        self._cpu_at[self._monitor._last] = (time.thread_time(), time.process_time())

    def start(self) -> None:
        self._monitor._timer.timeout.connect(self._ticked)  # (after the monitor's own tick)
        self._thread.start()

    def stop(self) -> None:
        self._monitor._timer.timeout.disconnect(self._ticked)
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            last = self._monitor._last
            if last is None or time.perf_counter() - last < self._watch:
                continue
            frames = sys._current_frames()
            self.samples.setdefault(last, []).append(_where(frames.get(self._main)))
            mine = threading.get_ident()
            others = self.others.setdefault(last, [])
            for ident, frame in frames.items():
                if ident not in (self._main, mine) and (where := _where(frame, 2)) != _where(None):
                    others.append(where)

    def cpu_shares(self) -> list[tuple[float, float, float, int, int]]:
        """Per stall over ``stall_ms``: (wall ms, the GUI thread's CPU ms over it, the process's
        other threads' CPU ms, samples taken, samples asked for), longest first."""
        out = []
        ticks = sorted(self._cpu_at)
        for before, after in itertools.pairwise(ticks):
            wall = after - before
            if wall < self._stall:
                continue
            (gui0, all0), (gui1, all1) = self._cpu_at[before], self._cpu_at[after]
            gui, others = gui1 - gui0, (all1 - all0) - (gui1 - gui0)
            taken = len(self.samples.get(before, []))
            asked = max(0, int((wall - self._watch) / self._every))
            out.append((wall * 1000, gui * 1000, others * 1000, taken, asked))
        return sorted(out, reverse=True)

    def report(self, top: int = 12) -> str:
        """The frames the stalls over ``stall_ms`` were spent in: ms of stall per frame."""
        gaps = sorted(self._monitor.gaps)
        stalls = [
            (at, samples)
            for at, samples in self.samples.items()
            if len(samples) * self._every >= self._stall - self._watch
        ]
        spent: Counter[str] = Counter()
        beside: Counter[str] = Counter()
        for at, samples in stalls:
            for where in samples:
                spent[where] += round(self._every * 1000)
            for where in self.others.get(at, []):
                beside[where] += round(self._every * 1000)
        lines = [f"stalls over {self._stall * 1000:.0f} ms: {sum(g >= self._stall for g in gaps)}"
                 f" (sampled {len(stalls)}); ms sampled per place:"]  # fmt: skip
        lines += [f"  {ms:7.0f}  {where}" for where, ms in spent.most_common(top)]
        shares = self.cpu_shares()
        if shares:
            wall, cpu, others = (sum(s[i] for s in shares) for i in range(3))
            lines.append(
                f"GUI-thread CPU in those stalls: {cpu:.0f} of {wall:.0f} ms ({100 * cpu / wall:.0f} %),"
                f" the process's other threads' {others:.0f} ms; longest (wall / GUI CPU / others'"
                " CPU ms, samples taken / asked):"
            )
            lines += [f"  {w:7.0f} / {c:5.0f} / {o:5.0f}   {t} / {a}" for w, c, o, t, a in shares[:8]]
        if beside:
            lines.append("other threads' project frames sampled meanwhile (ms):")
            lines += [f"  {ms:7.0f}  {where}" for where, ms in beside.most_common(6)]
        return "\n".join(lines)
