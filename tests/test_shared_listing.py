"""An OSS prefix listed into a shared scan's queue (issue 17, item 5): the listing streams
into the database a page at a time, and the images it no longer lists are found there
(a listing pass stored per queued image), so a worker's memory does not grow with it."""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import tracemalloc

from emulator import (  # noqa: F401 - pytest fixtures
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
)

from facecurator.domain.protocols import Source
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.claims import WorkQueue
from facecurator.services.jobs import CancelToken
from facecurator.services.shared_scan import _Claims, job_key
from facecurator.sources import open_source


class _Named:
    name = "test-detector"
    settings_key = "default"


def list_pass(catalog: Catalog, source: Source) -> tuple[WorkQueue, int]:
    """One worker's listing of ``source`` into a new pass of its job (no image claimed);
    returns the queue and the peak of Python memory allocated while listing, in bytes."""
    queue = WorkQueue(catalog, job_key(source, _Named()))  # type: ignore[arg-type]
    queue.start_pass()
    claims = _Claims(queue, source, CancelToken(), 16)
    tracemalloc.start()
    try:
        while not claims.listed_all:
            claims._list_more()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return queue, peak


def _keys(prefix: str, n: int) -> list[str]:
    return [f"{prefix}/p{i % 50:03d}/img{i:06d}.jpg" for i in range(n)]


def test_listing_memory_does_not_grow_with_the_prefix(
    pg_url: str, cloud_emulator: CloudEmulator, cloud_profile: str
) -> None:
    n = 4_000
    cloud_emulator.put_many(BUCKET, _keys("small", n), b"x")
    cloud_emulator.put_many(BUCKET, _keys("large", 4 * n), b"x")
    cloud_emulator.put_many(BUCKET, _keys("warm", n), b"x")
    cloud_emulator.buckets[BUCKET].keys()  # the emulator's sorted key list, made before measuring
    catalog = Catalog(pg_url)
    try:
        peaks = {}
        for prefix in ("warm", "small", "large"):  # the first listing imports and caches
            source = open_source(f"oss://{BUCKET}/{prefix}/", profile=cloud_profile)
            queue, peaks[prefix] = list_pass(catalog, source)
            assert queue.progress().total == (4 * n if prefix == "large" else n)
    finally:
        catalog.close()
    # Holding the 12 000 more URIs (as a set) adds ~1.6 MB; a page at a time, the peak
    # is the same within noise.
    print("listing peaks (bytes):", peaks)
    assert peaks["large"] - peaks["small"] < 600_000, peaks


def test_images_a_pass_did_not_list_are_marked_missing_in_the_database(
    pg_url: str, cloud_emulator: CloudEmulator, cloud_profile: str
) -> None:
    keys = _keys("people", 30)
    cloud_emulator.put_many(BUCKET, keys, b"x")
    catalog = Catalog(pg_url)
    try:
        source = open_source(f"oss://{BUCKET}/people/", profile=cloud_profile)
        queue, _ = list_pass(catalog, source)
        catalog.record_listed(list(source.iter_images()), source_root=source.root)
        queue.finished([(f"oss://{BUCKET}/{k}", None) for k in keys])  # the pass is complete
        assert queue.mark_missing(source.root) == 0

        gone = {keys[3], keys[17]}
        bucket = cloud_emulator.buckets[BUCKET]
        for key in gone:
            bucket.objects.pop(key)
        bucket._sorted = None
        queue, _ = list_pass(catalog, source)  # a new pass: the job was complete
        assert queue.pass_no == 2
        assert queue.mark_missing(source.root) == 2
        missing = {row.uri for row in catalog.images(source_root=source.root, status="missing")}
        assert missing == {f"oss://{BUCKET}/{k}" for k in gone}
        assert len(catalog.images(source_root=source.root)) == 28
    finally:
        catalog.close()
