"""Behaviours the documentation promises, each with a test that fails when it breaks
(issue 20, item 4): refused credentials stop a paid batch at once; retries back off
exponentially, with jitter; the catalog runs with ``synchronous=FULL``. (The
per-eye measure and the blur calibration are held in test_local_detector.py.)"""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    ACCESS_KEY_ID,
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
)

from facecurator.cloud.concurrency import PROBE_IN_FLIGHT
from facecurator.cloud.ratelimit import Failure, RetryPolicy, call_with_retries
from facecurator.detect.registry import make_detector
from facecurator.errors import DetectorError
from facecurator.services import jobs
from facecurator.services.catalog import Catalog
from facecurator.sources.oss import OssSource

# --------------------------------------------------------------------- refused credentials


@pytest.mark.parametrize("name", ["imm", "green"])
def test_refused_credentials_stop_a_paid_batch_at_once(
    name: str, cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    images = 60
    for i in range(images):
        cloud_emulator.put_object(BUCKET, f"people/p{i % 3}/{i:03d}.jpg", make_test_image(seed=i))
    cloud_emulator.deny(ACCESS_KEY_ID, "imm" if name == "imm" else "green")  # listing still works
    action = "DetectImageFaces" if name == "imm" else "ImageModeration"
    detector = make_detector(name, profile=cloud_profile)
    with Catalog(tmp_path / "c.db") as catalog:
        report = jobs.scan(OssSource(f"oss://{BUCKET}/people/", cloud_profile), detector, catalog)
    assert report.aborted and "permission" in report.aborted.lower(), report.aborted
    attempts = cloud_emulator.count(action=action)
    # A batch probes with PROBE_IN_FLIGHT calls before it opens up: the refusal stops it there.
    assert 1 <= attempts <= PROBE_IN_FLIGHT
    assert report.total < images and report.cancelled
    assert cloud_emulator.total_billable() == 0


# ----------------------------------------------------------------------------------- back-off


class _Edge(random.Random):
    """An RNG whose uniform(a, b) answers the upper end and records the bounds it was given."""

    def __init__(self) -> None:
        super().__init__(0)
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append((a, b))
        return b


def _delays(policy: RetryPolicy, rng: random.Random, kind: str = "transient") -> list[float]:
    delays: list[float] = []

    def failing() -> None:
        raise ConnectionError("boom")

    with pytest.raises(DetectorError):
        call_with_retries(
            failing,
            subject="oss://b/k.jpg",
            what="IMM DetectImageFaces",
            classify=lambda exc: Failure(kind, "HTTP 503"),  # type: ignore[arg-type]
            policy=policy,
            rng=rng,
            sleep=delays.append,
        )
    return delays


@pytest.mark.parametrize("kind", ["transient", "throttled"])
def test_retries_back_off_exponentially_up_to_the_cap(kind: str) -> None:
    policy = RetryPolicy(max_attempts=7, max_throttled_attempts=7, base_delay=0.1, max_delay=2.0)
    rng = _Edge()
    # The upper end of each draw doubles from the base delay, then stays at the cap...
    assert _delays(policy, rng, kind) == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0])
    # ...and each draw starts at zero (full jitter).
    assert [low for low, _high in rng.bounds] == [0.0] * 6


def test_retry_delays_are_jittered_between_callers() -> None:
    """Two callers failing together do not retry together (no synchronised retry storms)."""
    policy = RetryPolicy(max_attempts=6, base_delay=0.1, max_delay=2.0)
    first, second = _delays(policy, random.Random(1)), _delays(policy, random.Random(2))
    assert first != second
    assert all(0.0 <= d <= min(2.0, 0.1 * 2**n) for delays in (first, second) for n, d in enumerate(delays))
    spread = [abs(a - b) for a, b in zip(first, second, strict=True)]
    assert max(spread) > 0.05


# ------------------------------------------------------------------------------- durability


def _pragmas(catalog: Catalog) -> tuple[int, str]:
    conn = catalog._conn
    assert conn is not None
    return conn.execute("PRAGMA synchronous").fetchone()[0], conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_every_catalog_connection_runs_with_synchronous_full(tmp_path: Path) -> None:
    """FULL (2) fsyncs the WAL at every commit: "on disk before it shows" holds through a
    power cut, which a kill test cannot show (the OS cache survives a killed process)."""
    path = tmp_path / "c.db"
    with Catalog(path) as catalog:
        assert _pragmas(catalog) == (2, "wal")
    seen: list[tuple[int, str]] = []

    def other_thread() -> None:  # each thread opens its own connection (GUI workers do)
        with Catalog(path) as catalog:
            seen.append(_pragmas(catalog))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == [(2, "wal")]
