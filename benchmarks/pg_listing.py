"""An OSS prefix of a million objects listed into a shared scan's queue (issue 17, item 5).

    .venv/bin/python benchmarks/pg_listing.py [--objects 1000000] [--json]

Puts ``--objects`` objects under one prefix of the loopback cloud emulator (tests/emulator),
then one worker lists the prefix into the job's queue on a throwaway PostgreSQL cluster
(tests/helpers/pgcluster.py) exactly as ``facecurator scan oss://… --catalog postgresql://…``
does (``services/shared_scan.py``: 1 000-key pages, each enqueued with the pass number), and
marks the images the pass did not list as missing (one UPDATE in the database). Measured:
objects per second, and the peak of Python memory allocated while listing (tracemalloc,
reset after a warm-up pass) at a tenth of the objects and at all of them: streamed, the
two peaks are the same; a listing held in memory would grow ~130 bytes an object.

Measured 2026-12-06 on the shared 2-core machine (load ~7, other benchmarks beside it):

      100 000 objects    67.7 s   1 478/s  peak 3.49 MB
    1 000 000 objects   593.0 s   1 686/s  peak 3.72 MB   (+0.23 MB: constant, goal met)

(the emulator, in the same process, holds the 1.1M objects: ~360 MB RSS, not traced
here; before this change a worker also kept every listed URI, ~130 MB at 1M.)

The resident memory is sampled too (every 20 ms on a thread, the peak over the value at
the pass's start): what tracemalloc does not see (libpq's buffers, C allocations).
Re-run 2026-12-06 18:57-19:33 UTC (issue 17 audit; load average 8.6-11.7, other
engineers' tests and benchmarks beside it):

      100 000 objects   150.2 s     666/s  peak 3.51 MB  resident +1.9 MB
    1 000 000 objects  2001.3 s     500/s  peak 3.74 MB  resident +0.7 MB   (constant: goal met)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the emulator and the throwaway cluster the tests use


class _Named:
    name = "bench-detector"
    settings_key = "default"


def _list(catalog: Any, source: Any) -> tuple[float, int, int, int, int]:
    """One listing pass: (seconds, peak Python bytes, images queued, images marked missing,
    peak growth of the resident memory in bytes)."""
    from facecurator.services.catalog.claims import WorkQueue
    from facecurator.services.jobs import CancelToken
    from facecurator.services.shared_scan import _Claims, job_key

    queue = WorkQueue(catalog, job_key(source, _Named()))  # type: ignore[arg-type]
    queue.start_pass()
    claims = _Claims(queue, source, CancelToken(), 16)
    rss = _RssPeak()
    tracemalloc.start()
    started = time.perf_counter()
    while not claims.listed_all:
        claims._list_more()
    missing = queue.mark_missing(source.root)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak, queue.progress().total, missing, rss.stop()


class _RssPeak:
    """The process's resident memory, sampled every 20 ms on a thread: its peak growth over the
    value at the start, in bytes (what tracemalloc does not see: libpq's buffers, C allocations)."""

    def __init__(self) -> None:
        import threading

        self.start = self.peak = _rss()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, _rss())

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return max(self.peak, _rss()) - self.start


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import pytest
    from emulator import BUCKET, CloudEmulator, use_emulator_profile
    from helpers.pgcluster import Cluster, find_bindir

    from facecurator.services.catalog import Catalog
    from facecurator.sources import open_source

    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL server binaries: install Debian's postgresql package", file=sys.stderr)
        return 1
    n = args.objects
    small = max(1_000, n // 10)
    results: dict[str, Any] = {"objects": n, "small": small}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("FACECURATOR_DATA_DIR", tmp)
        patch = pytest.MonkeyPatch()
        emulator = CloudEmulator().start()
        cluster = Cluster(bindir)
        try:
            profile = use_emulator_profile(emulator, patch)
            for prefix, count in (("warm", 2_000), ("small", small), ("all", n)):
                keys = (f"{prefix}/p{i % 1000:04d}/img{i:07d}.jpg" for i in range(count))
                emulator.put_many(BUCKET, keys, b"x")
            emulator.buckets[BUCKET].keys()  # the emulator's sorted keys, made before measuring
            Catalog(cluster.url(cluster.template)).close()
            with Catalog(cluster.new_database()) as catalog:
                for prefix in ("warm", "small", "all"):
                    source = open_source(f"oss://{BUCKET}/{prefix}/", profile=profile)
                    elapsed, peak, queued, missing, rss_growth = _list(catalog, source)
                    results[prefix] = {
                        "seconds": round(elapsed, 1),
                        "objects_per_s": round(queued / elapsed),
                        "peak_mb": round(peak / 1e6, 2),
                        "queued": queued,
                        "missing": missing,
                        "rss_growth_mb": round(rss_growth / 1e6, 2),
                    }
        finally:
            cluster.stop()
            emulator.stop()
            patch.undo()
    grow = results["all"]["peak_mb"] - results["small"]["peak_mb"]
    results["peak_growth_mb"] = round(grow, 2)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"OSS prefix listed into the shared queue ({n:,} objects, 1 000-key pages)")
    for prefix in ("small", "all"):
        r = results[prefix]
        print(
            f"  {r['queued']:>9,} objects  {r['seconds']:>7.1f} s  {r['objects_per_s']:>6,}/s"
            f"  peak {r['peak_mb']:.2f} MB (resident +{r['rss_growth_mb']:.1f} MB)"
        )
    verdict = "constant (goal met)" if grow < 1.0 else "GROWS (goal missed)"
    print(f"  peak growth from {small:,} to {n:,} objects: {grow:+.2f} MB -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
