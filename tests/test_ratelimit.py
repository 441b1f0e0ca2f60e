"""Rate limiter, retries, cost estimates and the OSS export publisher."""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
    use_emulator_profile,
)

from facecurator.cloud.cost import estimate
from facecurator.cloud.profiles import Profile
from facecurator.cloud.ratelimit import Failure, RateLimiter, RetryPolicy, call_with_retries, limiter_for
from facecurator.errors import DetectorAuthError, DetectorError, ExportError, SourceError


def test_qps_cap_end_to_end_through_the_sdk(
    cloud_emulator: CloudEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With cap Q, 8 threads hammering IMM achieve >= 95 % of Q and never exceed it by more than a burst."""
    from facecurator.detect.registry import make_detector
    from facecurator.sources.oss import OssSource

    q = 50.0
    profile = use_emulator_profile(cloud_emulator, monkeypatch, qps={"imm": q, "oss": 1000.0})
    for i in range(8):
        cloud_emulator.put_object(BUCKET, f"q/{i}.jpg", make_test_image(seed=i))
    refs = list(OssSource(f"oss://{BUCKET}/q/", profile).iter_images())
    detector = make_detector("imm", profile=profile, measure_size=False)
    twins = [detector.clone() for _ in range(8)]
    for twin in twins:  # steady state: every worker's connection is open before the clock starts
        twin.detect(refs[0], None)
    cloud_emulator.reset_counters()
    stop = time.monotonic() + 2.0

    def worker(index: int) -> int:
        n = 0
        while time.monotonic() < stop:
            twins[index].detect(refs[index % len(refs)], None)
            n += 1
        return n

    started = time.time()
    with ThreadPoolExecutor(8) as pool:
        total = sum(pool.map(worker, range(8)))
    elapsed = time.time() - started
    stamps = sorted(c.at for c in cloud_emulator.calls_of("DetectImageFaces"))
    assert len(stamps) == total == cloud_emulator.billable["imm"]
    span = stamps[-1] - stamps[0]
    achieved = (len(stamps) - 1) / span
    assert achieved >= 0.95 * q, f"{total} calls in {span:.2f}s ({elapsed:.2f}s with start-up)"
    burst = limiter_for("imm", profile).burst
    # No one-second window (server clock) holds more than Q calls plus the burst; 3 calls of
    # slack absorb the request-transit jitter between the limiter and the server (first connections).
    assert _max_per_second(stamps) <= q + burst + 3


def _max_per_second(stamps: list[float]) -> int:
    most = j = 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    return most


def test_limiter_caps_real_threads_exactly() -> None:
    """The limiter itself (no network): 8 threads, Q=50 for 1.5 s -> every 1-s window <= Q + burst."""
    limiter = RateLimiter(50.0)
    stamps: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + 1.5

    def worker() -> None:
        while time.monotonic() < stop:
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert _max_per_second(stamps) <= 50 + limiter.burst
    assert (len(stamps) - 1) / (stamps[-1] - stamps[0]) >= 0.95 * 50


def test_limiter_is_exact_under_threads_with_a_fake_clock() -> None:
    now = [0.0]
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            now[0] += seconds

    limiter = RateLimiter(20.0, clock=lambda: now[0], sleep=sleep)
    waits = [limiter.reserve() for _ in range(40)]
    assert waits[0] == 0.0
    assert waits[-1] == pytest.approx(39 / 20.0)
    assert all(b - a == pytest.approx(0.05) for a, b in itertools.pairwise(waits))


def test_throttling_halves_the_rate_then_it_recovers() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, clock=lambda: now[0])
    limiter.on_throttled(pause=0.0)
    assert limiter.rate == 5.0
    limiter.on_throttled(pause=0.0)  # the same overload (calls already in flight): no second cut
    assert limiter.rate == 5.0 and limiter.throttled_count == 2
    for _ in range(6):
        now[0] += 1.0
        limiter.on_throttled(pause=0.0)
    assert limiter.rate == pytest.approx(0.5)  # floor: 5 % of the cap
    for _ in range(100):
        limiter.on_success()
    assert limiter.rate == 10.0


def test_retries_are_bounded_with_full_jitter() -> None:
    delays: list[float] = []
    calls = []

    def flaky() -> str:
        calls.append(1)
        raise ConnectionError("boom")

    policy = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=1.5)
    with pytest.raises(DetectorError) as info:
        call_with_retries(
            flaky,
            subject="oss://b/k.jpg",
            what="IMM DetectImageFaces",
            classify=lambda exc: Failure("transient", "HTTP 503 ServiceUnavailable"),
            policy=policy,
            rng=random.Random(1),
            sleep=delays.append,
        )
    assert (
        str(info.value)
        == "oss://b/k.jpg: IMM DetectImageFaces failed after 4 attempts: HTTP 503 ServiceUnavailable"
    )
    assert len(calls) == 4 and len(delays) == 3
    for n, delay in enumerate(delays):
        assert 0 <= delay <= min(1.5, 0.5 * 2**n)
    assert len(set(delays)) == 3  # jittered, not a fixed schedule


def test_throttled_retries_slow_the_limiter_and_then_succeed() -> None:
    from facecurator.cloud import ratelimit

    ratelimit_cooldown = ratelimit.DECREASE_COOLDOWN
    assert ratelimit_cooldown > 0.01  # both refusals below fall inside one overload
    limiter = RateLimiter(100.0)
    answers = iter(["throttle", "throttle", "ok"])

    def call() -> str:
        if next(answers) == "throttle":
            raise RuntimeError("Code 403")
        return "faces"

    result = call_with_retries(
        call,
        subject="x",
        what="Moderation ImageModeration",
        classify=lambda exc: Failure("throttled", "Code 403"),
        limiter=limiter,
        policy=RetryPolicy(base_delay=0.001, max_delay=0.002),
    )
    assert result == "faces"
    assert limiter.throttled_count == 2
    assert limiter.rate == pytest.approx(50.0 + 100.0 * 0.05)  # halved once, one success step back


def test_fatal_and_auth_failures_are_not_retried() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise PermissionError("nope")

    with pytest.raises(
        DetectorAuthError, match=r"^a\.jpg: OSS image/faces failed: HTTP 403 InvalidAccessKeyId"
    ):
        call_with_retries(
            call,
            subject="a.jpg",
            what="OSS image/faces",
            classify=lambda exc: Failure("fatal", "HTTP 403 InvalidAccessKeyId", auth=True),
            auth_error_type=DetectorAuthError,
        )
    with pytest.raises(SourceError, match="failed: HTTP 404 NoSuchKey"):
        call_with_retries(
            call,
            subject="a.jpg",
            what="OSS GetObject",
            classify=lambda exc: Failure("fatal", "HTTP 404 NoSuchKey"),
            error_type=SourceError,
        )
    assert len(calls) == 2


def test_cost_estimates() -> None:
    green = estimate("green", 1000)
    assert (green.calls, green.unit_price_per_1000, green.total, green.currency) == (1000, 0.6, 0.6, "USD")
    assert estimate("green-pro", 100).total == pytest.approx(0.12)  # the seed's own example
    assert estimate("green", 100).total == pytest.approx(0.06)
    imm = estimate("imm", 10)
    assert imm.total == 0.0 and not imm.price_known
    assert "price unknown" in imm.note and "prices = { imm" in imm.note
    profile = Profile("priced", prices={"imm": 2.0, "faceDetect_global": 0.5})
    assert estimate("imm", 500, profile).total == pytest.approx(1.0)
    assert estimate("green", 2000, profile).total == pytest.approx(1.0)
    assert "profile priced" in estimate("green", 1, profile).note
    assert estimate("local", 10_000).total == 0.0
    assert "USD" in green.describe()


def _stage(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_oss_publisher_uploads_manifest_last_and_replaces(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    from facecurator.services.oss_publish import OssPublisher

    cloud_emulator.create_bucket(BUCKET)
    publisher = OssPublisher(cloud_profile)
    dest = f"oss://{BUCKET}/exports/gallery"
    assert publisher.check(dest) == []
    first = {
        "faces/alice/1.jpg": b"a1",
        "faces/bob/2.jpg": b"b2",
        "manifest.csv": b"csv",
        "manifest.json": b'{"v": 1}',
    }
    publisher.publish(_stage(tmp_path / "one", first), dest)
    puts = [c.target.split("/", 1)[1] for c in cloud_emulator.calls_of("PutObject")]
    assert puts[-2:] == ["exports/gallery/manifest.csv", "exports/gallery/manifest.json"]
    assert cloud_emulator.objects(BUCKET, "exports/gallery/") == {
        f"exports/gallery/{k}": v for k, v in first.items()
    }

    assert publisher.check(dest)  # a previous export: replaced, with a note
    second = {"faces/carol/3.jpg": b"c3", "manifest.csv": b"csv2", "manifest.json": b'{"v": 2}'}
    publisher.publish(_stage(tmp_path / "two", second), dest)
    assert cloud_emulator.objects(BUCKET, "exports/gallery/") == {
        f"exports/gallery/{k}": v for k, v in second.items()
    }

    cloud_emulator.put_object(BUCKET, "photos/someone.jpg", b"user data")
    with pytest.raises(ExportError, match="not a facecurator export"):
        OssPublisher(cloud_profile).check(f"oss://{BUCKET}/photos")
    assert publisher.manifest_location(dest) == dest + "/manifest.json"
