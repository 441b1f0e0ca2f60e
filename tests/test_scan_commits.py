"""A scanned image costs at most one durable commit (issue 20, item 6), and what a scan
reports (progress, on_image) is on disk when it is reported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers.bad_entries import make_image

from facecurator.domain.face import Box, Face
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.services import jobs
from facecurator.services.catalog import Catalog
from facecurator.sources.local import LocalFolderSource

N = 12


class _OneFace:
    name = "oneface"
    needs_bytes = True
    settings_key = "1"
    paid = True
    registry_name = "oneface"

    def detect(self, ref: ImageRef, data: bytes | None) -> DetectionResult:
        return DetectionResult([Face(box=Box(1, 1, 5, 5), confidence=0.9)], 8, 8, paid_calls=1)

    def clone(self) -> _OneFace:
        return self

    def close(self) -> None:
        pass


def test_one_commit_per_image_at_most_and_each_report_is_on_disk(tmp_path: Path) -> None:
    for i in range(N):
        make_image(tmp_path / "img" / f"{i:02d}.png", seed=i)
    path = tmp_path / "c.db"
    commits: list[str] = []
    seen_on_disk: list[bool] = []

    def on_image(outcome: jobs.ImageOutcome) -> None:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT status FROM images WHERE id = ?", (outcome.image_id,)).fetchone()
            faces = db.execute(
                "SELECT count(*) FROM faces WHERE image_id = ?", (outcome.image_id,)
            ).fetchone()[0]
        seen_on_disk.append(row is not None and row[0] == "ok" and faces == 1)

    with Catalog(path) as catalog:
        assert catalog._conn is not None
        catalog._conn.set_trace_callback(
            lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
        )
        report = jobs.scan(
            LocalFolderSource(tmp_path / "img"), _OneFace(), catalog, jobs=2, on_image=on_image
        )
        catalog._conn.set_trace_callback(None)
        assert report.ok == N and catalog.paid_calls() == {"oneface": N}
    assert seen_on_disk == [True] * N  # reported only once committed
    assert len(commits) <= N + 1, f"{len(commits)} commits for {N} images"  # +1: forgetting missing images
