"""The gallery header's figures ("N images · F faces · P pending") are read without the verdicts
(``queries.header_counts``): the full counts (``queries.counts``, the qualified verdicts joined to
every face: 2.8-4.5 s at 1M on PostgreSQL at load 4, 14-17 s at load 17) are not asked for them.
Both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.paging import opened, seeded

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    return seeded(request, tmp_path, 30, 2)


def test_the_header_counts_read_no_verdict(
    qtbot, make_window, target: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_target, root = target
    with Catalog(catalog_target) as catalog:
        faces = [row.id for row in catalog.faces(source_root=str(root))]
        catalog.decide(faces[:7], "rejected", who="t")
    asked: list[Any] = []

    def every_count(*args: Any, **kwargs: Any) -> Any:
        asked.append(args)
        raise AssertionError("the header asked for every count (the verdicts joined)")

    monkeypatch.setattr(q, "counts", every_count)
    window = opened(qtbot, make_window, catalog_target, root)
    qtbot.waitUntil(lambda: window.counts_label.text() == "30 images · 60 faces · 53 pending", timeout=30_000)
    assert asked == []
