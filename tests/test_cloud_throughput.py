"""Cloud batches hold the QPS cap under latency (issue 20, item 3).

The rate itself is measured in ``benchmarks/cloud_throughput.py`` (ratios, not
timed tests); these tests pin the mechanisms it depends on, each failing when
the mechanism is removed: calls in flight sized from the cap (not the CPU
count), the unbilled ``image/info`` made beside the paid call (not before it),
one upload client per token, and pacing with headroom and a gentle start.
"""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
)

from facecurator.cloud.concurrency import MAX_IN_FLIGHT, MIN_IN_FLIGHT, PROBE_IN_FLIGHT, InFlightSizer
from facecurator.cloud.ratelimit import (
    PACING_HEADROOM,
    START_FRACTION,
    RateLimiter,
    limiter_for,
    thread_wait_total,
)
from facecurator.detect.registry import make_detector
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.services import jobs
from facecurator.services.catalog import Catalog
from facecurator.sources.local import LocalFolderSource
from facecurator.sources.oss import OssSource


def test_in_flight_is_cap_times_latency_with_a_margin() -> None:
    sizer = InFlightSizer(10.0)
    assert sizer.limit() == PROBE_IN_FLIGHT  # a probe until the first answer: no burst of refusals
    sizer.observe(0.01)
    assert sizer.limit() > PROBE_IN_FLIGHT  # one fast answer is not yet a measure
    for _ in range(40):
        sizer.observe(0.5)
    assert sizer.latency == 0.5
    assert 10 * 0.5 < sizer.limit() <= 10 * 0.5 * 1.5 + 1  # Little's law, with a margin
    for _ in range(40):
        sizer.observe(0.01)
    assert sizer.limit() == MIN_IN_FLIGHT  # fast service: no pile of threads in the limiter
    for _ in range(40):
        sizer.observe(60.0)
    assert sizer.limit() == MAX_IN_FLIGHT  # bounded whatever the latency
    assert sizer.peak == MAX_IN_FLIGHT


class _SlowCloud:
    """A paced, I/O-bound detector: after a first (probe) answer, each call returns only
    when ``need`` calls are on the wire together (as they are when the latency is long)."""

    name = "slowcloud"
    needs_bytes = False
    settings_key = "slow"
    rate_cap = 10.0

    def __init__(self, barrier: threading.Barrier) -> None:
        self.barrier = barrier
        self.first = threading.Event()

    def detect(self, ref: ImageRef, data: bytes | None) -> DetectionResult:
        if self.first.is_set():
            self.barrier.wait()
        self.first.set()
        return DetectionResult([], 10, 10, paid_calls=1)

    def clone(self) -> _SlowCloud:
        return self

    def close(self) -> None:
        pass


def test_default_jobs_of_a_rate_capped_detector_do_not_follow_the_cpu_count(tmp_path: Path) -> None:
    need = (os.cpu_count() or 1) + 4  # more than a CPU-sized pool could ever hold
    sizer = InFlightSizer(_SlowCloud.rate_cap)
    sizer.observe(0.0)
    assert need <= sizer.limit()
    for i in range(need + 1):
        (tmp_path / "img").mkdir(exist_ok=True)
        (tmp_path / "img" / f"{i:03d}.jpg").write_bytes(make_test_image(seed=i))
    barrier = threading.Barrier(need, timeout=10)
    with Catalog(tmp_path / "c.db") as catalog:
        report = jobs.scan(LocalFolderSource(tmp_path / "img"), _SlowCloud(barrier), catalog)
    assert report.failed == 0, report.errors[:2]
    assert report.ok == need + 1 and report.in_flight >= need


def test_image_info_is_made_beside_the_paid_call(
    cloud_emulator: CloudEmulator, cloud_profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The paid call must not wait for ``image/info``: hold image/info until the
    service has answered the paid call; made before it, the detection would time out."""
    from facecurator.detect import cloud

    cloud_emulator.put_object(BUCKET, "people/a.jpg", make_test_image(400, 300, seed=1))
    paid_seen: dict[str, threading.Event] = {
        action: threading.Event()
        for action in ("ImageModeration", "DetectImageFaces", "ImageProcess:image/faces")
    }
    record = cloud_emulator._record

    def recording(call: Any) -> None:
        record(call)
        if call.billable:
            paid_seen[call.action].set()

    monkeypatch.setattr(cloud_emulator, "_record", recording)
    original = cloud._CloudDetector._oss_image_size

    for name, action in (
        ("green", "ImageModeration"),
        ("imm", "DetectImageFaces"),
        ("oss-faces", "ImageProcess:image/faces"),
    ):

        def held(self: Any, ref: ImageRef, bucket: str, key: str, action: str = action) -> Any:
            assert paid_seen[action].wait(5), "image/info was made before the paid call, not beside it"
            return original(self, ref, bucket, key)

        monkeypatch.setattr(cloud._CloudDetector, "_oss_image_size", held)
        (ref,) = OssSource(f"oss://{BUCKET}/people/", cloud_profile).iter_images()
        result = make_detector(name, profile=cloud_profile).detect(ref, None)
        assert (result.width, result.height) == (400, 300), name


def test_green_reuses_one_upload_client_per_token(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facecurator.cloud import clients

    built: list[str] = []
    original = clients.oss_bucket

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(clients, "oss_bucket", counting)
    detector = make_detector("green", profile=cloud_profile)
    for i in range(3):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(make_test_image(seed=i))
        ref = ImageRef(str(path), path.name, "", path.stat().st_size, path.stat().st_mtime_ns)
        assert detector.detect(ref, None).paid_calls == 1
    assert built == [cloud_emulator.upload_bucket]  # one client (one connection pool), not one per image


def test_limiter_paces_below_the_cap_and_starts_gently() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, headroom=PACING_HEADROOM, start=START_FRACTION, clock=lambda: now[0])
    assert limiter.rate == pytest.approx(10.0 * START_FRACTION)
    for _ in range(10):
        limiter.on_success()
    assert limiter.rate == 10.0
    waits = [limiter.reserve() for _ in range(11)]
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    # Any one-second window the service counts holds fewer than `cap` calls with ~3 % to spare.
    assert gaps == pytest.approx([1.0 / (10.0 * PACING_HEADROOM)] * 10)
    assert waits[10] > 1.0
    shared = limiter_for("green", "pacing-test")
    assert shared.headroom == PACING_HEADROOM and shared.max_rate == 10.0
    assert shared.rate == pytest.approx(10.0 * START_FRACTION)


def test_time_waiting_for_the_limiter_is_counted_per_thread() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)
    before = thread_wait_total()
    limiter.acquire()  # free
    limiter.acquire()  # waits 0.5 s
    assert thread_wait_total() - before == pytest.approx(0.5)
    seen: list[float] = []
    thread = threading.Thread(target=lambda: seen.append(thread_wait_total()))
    thread.start()
    thread.join()
    assert seen == [0.0]


def test_an_isolated_throttle_at_the_cap_costs_little_an_overload_halves() -> None:
    """Jitter bunches two calls into one of the service's windows now and then: that costs
    10 %, recovered in two successes; throttles in a row are an overload and halve the rate."""
    from facecurator.cloud.ratelimit import ISOLATED_AFTER, ISOLATED_THROTTLE_FACTOR

    now = [0.0]
    limiter = RateLimiter(10.0, isolated_factor=ISOLATED_THROTTLE_FACTOR, clock=lambda: now[0])
    limiter.on_throttled(pause=0.0)
    assert limiter.rate == pytest.approx(10.0 * ISOLATED_THROTTLE_FACTOR)
    for _ in range(2):
        limiter.on_success()
    assert limiter.rate == 10.0
    now[0] += 0.1  # another one soon after: an overload, whatever the cooldown
    limiter.on_throttled(pause=0.0)
    assert limiter.rate == pytest.approx(5.0)
    now[0] += 0.1
    limiter.on_throttled(pause=0.0)  # the same overload (calls in flight): no second cut
    assert limiter.rate == pytest.approx(5.0)
    for _ in range(20):
        limiter.on_success()
    now[0] += ISOLATED_AFTER + 1  # calm again: the next one is jitter
    limiter.on_throttled(pause=0.0)
    assert limiter.rate == pytest.approx(10.0 * ISOLATED_THROTTLE_FACTOR)
    assert limiter_for("green", "isolated-test").isolated_factor == ISOLATED_THROTTLE_FACTOR
