"""How many cloud calls to keep in flight: sized from the QPS cap and the measured latency.

A cloud detector's worker spends its time waiting on the network, not the CPU,
so the CPU count says nothing about how many workers a batch needs. By Little's
law, holding ``cap`` calls per second when each image keeps a worker busy ``L``
seconds needs ``cap x L`` calls in flight: 10/s at 0.5 s is 5 workers, 10/s at
2 s is 20. :class:`InFlightSizer` measures ``L`` per image (wall time minus the
time spent waiting for a rate-limit slot, see
:func:`facecurator.cloud.ratelimit.thread_wait_total`) and gives the number of
images to keep in flight: enough for the cap with a margin, never so many that
threads pile up in the limiter (cancel stays prompt, throttling reacts fast).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from typing import Final

#: Upper bound of calls in flight (threads) whatever the latency: 10/s at 6 s.
MAX_IN_FLIGHT: Final = 64
#: Lower bound: one call on the wire while the next one is prepared.
MIN_IN_FLIGHT: Final = 2
#: Calls in flight until the first answer (a probe): refused credentials or a dead
#: endpoint cost this many (unbilled) calls, not a burst; a long round trip costs a
#: short batch ``cap x latency - PROBE_IN_FLIGHT`` calls' time once.
PROBE_IN_FLIGHT: Final = 4
#: Latency assumed when only a few images are measured yet (seconds).
INITIAL_LATENCY: Final = 0.5
#: Calls in flight = cap x latency x MARGIN + 1 (latency varies from call to call).
MARGIN: Final = 1.3
#: Latency is the PERCENTILE of the last WINDOW measured images.
WINDOW: Final = 32
PERCENTILE: Final = 0.9


class InFlightSizer:
    """Thread-safe estimate of the calls to keep in flight for a rate-capped service.

    Args:
        cap: the service's calls per second (the rate limiter's cap).
        maximum: never more than this many in flight.
    """

    def __init__(self, cap: float, *, maximum: int = MAX_IN_FLIGHT) -> None:
        if cap <= 0:
            raise ValueError("cap must be > 0")
        self.cap = float(cap)
        self.maximum = max(MIN_IN_FLIGHT, int(maximum))
        self._lock = threading.Lock()
        self._recent: deque[float] = deque(maxlen=WINDOW)
        self.peak = 0

    def observe(self, busy: float) -> None:
        """One image kept a worker busy ``busy`` seconds outside the rate limiter."""
        if busy >= 0 and math.isfinite(busy):
            with self._lock:
                self._recent.append(busy)

    @property
    def latency(self) -> float:
        """The latency the size is computed from (seconds)."""
        with self._lock:
            if not self._recent:
                return INITIAL_LATENCY
            ordered = sorted(self._recent)
            if len(ordered) < 4:  # one fast answer is not yet a measure
                ordered.append(INITIAL_LATENCY)
        return ordered[min(len(ordered) - 1, int(PERCENTILE * len(ordered)))]

    def limit(self) -> int:
        """Images to keep in flight now: :data:`PROBE_IN_FLIGHT` until the first image
        comes back, then sized from the cap and the measured latency."""
        with self._lock:
            measured = len(self._recent)
        if not measured:
            probe = min(self.maximum, PROBE_IN_FLIGHT)
            self.peak = max(self.peak, probe)
            return probe
        wanted = math.ceil(self.cap * self.latency * MARGIN) + 1
        size = max(MIN_IN_FLIGHT, min(self.maximum, wanted))
        self.peak = max(self.peak, size)
        return size
