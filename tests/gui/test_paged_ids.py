"""PagedIds without a window, its query worker a queue run by hand: a go-to's row counted on the
worker is counted again when rows were inserted meanwhile (a scan's), and is not told once the
list is no longer shown. SQLite: the order of the answers is the point (both backends' counts
are in test_catalog_pages and the paged grids' tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.catalogs import seed_catalog

from facecurator.gui import paged_ids
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q


def test_a_go_to_counted_on_the_worker_is_counted_again_after_an_insert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paged_ids, "SAMPLE_STEP", 64)  # (a row far from both ends at this size)
    target, root = str(tmp_path / "c.sqlite3"), str(tmp_path / "photos")
    seed_catalog(target, root, 1000, 1)
    jobs: list[tuple[Callable[[Catalog], Any], Callable[[Any], None]]] = []

    def work() -> None:
        with Catalog(target) as worker:
            while jobs:
                run, answer = jobs.pop(0)
                answer(run(worker))

    with Catalog(target) as catalog:
        ids = q.image_ids(catalog, source_root=root, sort="name")
        paged = paged_ids.PagedIds(catalog, root, len(ids))
        paged.sample_later(lambda run, answer: jobs.append((run, answer)))
        jobs.clear()  # (no sample taken: every row far from a sampled key)
        told: list[dict[int, int]] = []
        assert paged.rows_later([ids[700]], told.append) == [ids[700]]
        assert not told and len(jobs) == 1  # counted on the worker
        paged.inserted()  # a scan's row came meanwhile: the rows may have moved
        work()
        assert told == [{ids[700]: 700}]  # counted again, then told
        assert paged.rows_later([10**9], told.append) == [] and len(told) == 1  # not in the list
        paged.rows_later([ids[800]], told.append)
        paged.retired = True  # no longer shown when the answer comes: not told
        work()
        assert len(told) == 1
