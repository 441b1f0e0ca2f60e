"""Per-service rate limits and bounded, jittered retries for cloud calls.

Every worker thread calling one service shares one :class:`RateLimiter` (see
:func:`limiter_for`), so ``--jobs 16`` never exceeds the documented QPS:
Content Moderation 2.0 allows 10 calls/s (``faceDetect_pro_global`` 5/s); IMM
and OSS have account-wide limits we do not know, so their defaults are
configurable per profile (``[profiles.X] qps = { imm = 20 }``).

The limiter is adaptive: a throttling answer (IMM ``Throttling.*``, Moderation
``Code`` 403, OSS 503) halves the current rate and pauses every thread briefly
(an isolated one at the cap, network jitter, lowers it by 10 % only);
each success then raises it again by a small step up to the configured cap
(AIMD, as TCP does). :func:`call_with_retries` runs one call under the limiter,
retries throttling and transient failures (5xx, timeouts, connection errors)
with full-jitter exponential back-off, and turns the final failure into one
:class:`~facecurator.errors.DetectorError` that names the image and the call.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

from facecurator.cloud.sdk_errors import CLOUD
from facecurator.errors import CancelledError, DetectorError, FacecuratorError

log = logging.getLogger("facecurator.cloud.ratelimit")

T = TypeVar("T")

#: Documented (Moderation) or conservative (IMM, OSS) defaults, calls per second.
DEFAULT_QPS: Final[dict[str, float]] = {
    "green": 10.0,
    "green-pro": 5.0,
    "imm": 10.0,
    "oss": 100.0,
    "oss-faces": 10.0,
}

#: The rate never drops below this share of the configured cap after throttling.
MIN_RATE_FRACTION: Final = 0.05
#: Each success raises the rate by this share of the cap (after a throttle).
RECOVERY_STEP: Final = 0.05
#: Throttling answers within this many seconds of a decrease belong to the same
#: overload (calls already in flight): the rate is halved once for all of them.
DECREASE_COOLDOWN: Final = 1.0
#: Calls are paced at this share of the cap. A service counts calls in its own
#: window as they *arrive*; network jitter bunches calls paced exactly at the cap
#: into windows holding one call too many (a throttle, then the rate halves). 3 %
#: of headroom absorbs ~30 ms of jitter at 10/s and costs 3 % of the rate.
PACING_HEADROOM: Final = 0.97
#: A new limiter starts at this share of the cap and reaches it after a few
#: successes (:data:`RECOVERY_STEP` each): the first call of a batch is the
#: slowest to arrive (connections, the service warming up), and calls paced at
#: the full cap behind it would fill the service's first window one too many.
START_FRACTION: Final = 0.8
#: A throttle after ISOLATED_AFTER seconds without one, while pacing at the cap, is
#: network jitter (two calls arriving in one of the service's windows), not a cap set
#: too high: the rate drops to this share and recovers in a few successes. A second
#: throttle within ISOLATED_AFTER halves it, as any overload does.
ISOLATED_THROTTLE_FACTOR: Final = 0.9
ISOLATED_AFTER: Final = 10.0

_waits = threading.local()

#: Books a call slot in a schedule shared by every process of one account (a server
#: catalog's rate budget, installed by the shared scan): ``(account, interval) -> wait``.
SlotBooker = Callable[[str, float], float]
_shared_booker: SlotBooker | None = None


def share_slots(booker: SlotBooker | None) -> SlotBooker | None:
    """Book every limiter's slots through ``booker`` (None: each process alone, as by
    default); returns the one installed before. The account is the limiter's name
    (``service@profile``): the workers of one account name it by the same profile."""
    global _shared_booker
    previous, _shared_booker = _shared_booker, booker
    return previous


def thread_wait_total() -> float:
    """Seconds the calling thread has spent so far waiting for rate-limit slots.

    The scan measures how long one image keeps a worker busy *outside* the
    limiter (the service's latency), to size the calls in flight."""
    return float(getattr(_waits, "total", 0.0))


class RateLimiter:
    """A token bucket shared by threads, with adaptive back-off.

    Implemented as a reservation schedule (GCRA): each :meth:`acquire` books
    the next free slot ``1/rate`` after the previous one, allowing at most
    ``burst`` calls at once after an idle period. It is exact under any number
    of threads and sleeps outside the lock.

    Args:
        rate: the cap, calls per second.
        burst: calls allowed back to back after idling (default 1: a steady rate).
        name: for log messages.
        headroom: calls are spaced ``1 / (rate * headroom)`` apart (see :data:`PACING_HEADROOM`).
        start: the first calls go at ``start x rate``, raised by each success (see :data:`START_FRACTION`).
        isolated_factor: the rate's share kept after an isolated throttle at the cap
            (default 0.5: every throttle halves it; see :data:`ISOLATED_THROTTLE_FACTOR`).
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        name: str = "",
        headroom: float = 1.0,
        start: float = 1.0,
        isolated_factor: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        if not 0.0 < headroom <= 1.0:
            raise ValueError("headroom must be in (0, 1]")
        self.name = name
        self.headroom = float(headroom)
        self.max_rate = float(rate)
        self.burst = max(1.0, float(burst))
        self._rate = float(rate) * min(1.0, max(MIN_RATE_FRACTION, start))
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = clock()
        self._last_decrease = float("-inf")
        self._last_throttle = float("-inf")
        self._gentle = False
        self.isolated_factor = float(isolated_factor)
        self.throttled_count = 0

    @property
    def rate(self) -> float:
        """The current (possibly lowered) rate, calls per second."""
        return self._rate

    def set_cap(self, rate: float) -> None:
        """Change the configured cap (e.g. a profile was edited)."""
        with self._lock:
            lowered = self._rate < self.max_rate
            self.max_rate = float(rate)
            self._rate = min(self._rate, self.max_rate) if lowered else self.max_rate

    def reserve(self) -> float:
        """Book one call; returns how long the caller must wait before making it."""
        booker = _shared_booker
        with self._lock:
            now = self._clock()
            interval = 1.0 / (self._rate * self.headroom)
            if booker is None:
                slot = max(self._next, now - (self.burst - 1.0) * interval)
                self._next = slot + interval
                return max(0.0, slot - now)
            hold = max(0.0, self._next - now)  # a throttle's pause still holds this process
        # One schedule for every worker of the account, spaced by this process's (adaptive) rate.
        return max(hold, booker(self.name, interval))

    def acquire(self, cancel: Callable[[], bool] | None = None) -> None:
        """Block until the next call may go (cancellable between short sleeps)."""
        wait = self.reserve()
        if wait <= 0:
            return
        started = self._clock()
        deadline = started + wait
        try:
            while wait > 0:
                if cancel is not None and cancel():
                    raise CancelledError(CLOUD.text("call.cancelled_waiting"))
                self._sleep(min(wait, 0.25))
                wait = deadline - self._clock()
        finally:
            _waits.total = thread_wait_total() + (self._clock() - started)

    def on_throttled(self, pause: float | None = None) -> None:
        """The service refused a call for exceeding its limit: halve the rate (once per
        overload, see :data:`DECREASE_COOLDOWN`) and hold every thread for one interval."""
        with self._lock:
            self.throttled_count += 1
            now = self._clock()
            isolated = now - self._last_throttle >= ISOLATED_AFTER and self._rate >= self.max_rate
            self._last_throttle = now
            # After a gentle (isolated) decrease, the next throttle is an overload: halve now.
            if now - self._last_decrease >= DECREASE_COOLDOWN or self._gentle:
                self._last_decrease = now
                factor = self.isolated_factor if isolated else 0.5
                self._gentle = isolated and factor > 0.5
                self._rate = max(self.max_rate * MIN_RATE_FRACTION, self._rate * factor)
            hold = pause if pause is not None else 1.0 / self._rate
            self._next = max(self._next, now + hold)
            rate = self._rate
        log.info("%s throttled: rate lowered to %.2f/s", self.name or "service", rate)

    def on_success(self) -> None:
        """A call went through: creep back towards the cap."""
        if self._rate >= self.max_rate:
            return
        with self._lock:
            self._rate = min(self.max_rate, self._rate + self.max_rate * RECOVERY_STEP)


_limiters: dict[tuple[str, str], RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(
    service: str, profile_name: str = "default", qps: dict[str, float] | None = None
) -> RateLimiter:
    """The process-wide limiter of ``service`` for one profile (shared by all threads).

    Args:
        service: ``green``, ``green-pro``, ``imm``, ``oss`` or ``oss-faces``.
        profile_name: limiters are per account/profile.
        qps: the profile's overrides (``Profile.qps``); the documented default otherwise.
    """
    cap = (qps or {}).get(service) or DEFAULT_QPS.get(service, 10.0)
    key = (profile_name, service)
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = _limiters[key] = RateLimiter(
                cap,
                name=f"{service}@{profile_name}",
                headroom=PACING_HEADROOM,
                start=START_FRACTION,
                isolated_factor=ISOLATED_THROTTLE_FACTOR,
            )
        elif limiter.max_rate != cap:
            limiter.set_cap(cap)
        return limiter


def reset_limiters() -> None:
    """Forget every shared limiter (tests; a profile change)."""
    with _limiters_lock:
        _limiters.clear()


# --------------------------------------------------------------------------- retries

Kind = Literal["throttled", "transient", "fatal"]


@dataclass(frozen=True)
class Failure:
    """How one failed attempt should be handled.

    ``reason`` is a one-line, secret-free description ("HTTP 503 ServiceUnavailable").
    """

    kind: Kind
    reason: str
    #: the credentials were refused (every call would fail the same way)
    auth: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of :func:`call_with_retries`.

    ``max_attempts`` bounds transient failures (5xx, timeouts, connection
    errors); throttled attempts are bounded separately by
    ``max_throttled_attempts`` because the limiter slows down in between.
    Delays use full jitter: uniform(0, min(max_delay, base_delay * 2**n)).
    """

    max_attempts: int = 4
    max_throttled_attempts: int = 10
    base_delay: float = 0.2
    max_delay: float = 5.0


DEFAULT_POLICY: Final = RetryPolicy()


def call_with_retries(
    call: Callable[[], T],
    *,
    subject: str,
    what: str,
    classify: Callable[[BaseException], Failure],
    limiter: RateLimiter | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    cancel: Callable[[], bool] | None = None,
    rng: random.Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
    error_type: type[FacecuratorError] = DetectorError,
    auth_error_type: type[FacecuratorError] | None = None,
) -> T:
    """Run ``call`` under the limiter, retrying what may succeed later.

    Args:
        call: the SDK call (raises on failure).
        subject: the image (``oss://b/k.jpg`` or a path), named in the error.
        what: the call, e.g. ``"IMM DetectImageFaces"``.
        classify: maps an exception to a :class:`Failure`.
        error_type: the exception raised at the end (``SourceError`` for sources).
        auth_error_type: raised instead when the credentials were refused.

    Raises:
        DetectorError: (or ``error_type``) "<subject>: <what> failed after N
            attempts: <reason>", or "<subject>: <what> failed: <reason>" for a
            failure no retry can fix.
    """
    rng = rng or random.Random()
    attempts = 0
    transient = 0
    throttled = 0
    while True:
        if cancel is not None and cancel():
            raise CancelledError(CLOUD.text("call.cancelled", subject=subject))
        if limiter is not None:
            limiter.acquire(cancel)
        attempts += 1
        try:
            result = call()
        except CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below, never swallowed
            failure = classify(exc)
            if failure.kind == "fatal":
                kind = auth_error_type if (failure.auth and auth_error_type is not None) else error_type
                raise kind(
                    CLOUD.text("call.refused", subject=subject, call=what, reason=failure.reason)
                ) from None
            if failure.kind == "throttled":
                throttled += 1
                if limiter is not None:
                    limiter.on_throttled()
                exhausted = throttled >= policy.max_throttled_attempts
                step = throttled
            else:
                transient += 1
                exhausted = transient >= policy.max_attempts
                step = transient
            if exhausted:
                gave_up = "call.gave_up_once" if attempts == 1 else "call.gave_up"
                raise error_type(
                    CLOUD.text(gave_up, subject=subject, call=what, attempts=attempts, reason=failure.reason)
                ) from None
            delay = rng.uniform(0.0, min(policy.max_delay, policy.base_delay * (2 ** (step - 1))))
            log.debug(
                "%s: %s attempt %d failed (%s); retrying in %.2fs",
                subject,
                what,
                attempts,
                failure.reason,
                delay,
            )
            if delay > 0:
                sleep(delay)
            continue
        if limiter is not None:
            limiter.on_success()
        return result
