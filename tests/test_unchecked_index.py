"""``status`` / ``report`` / ``scan`` ask whether any detection lacks the CLIP photograph model's check:
at 1M images that read every detection's settings key (0.27-0.32 s on PostgreSQL, load 24); schema
16's partial index ``detections_without_model`` answers it at once. Its condition and the query's
must be the very same text, or the planner cannot use it (the answer stays right, the read slow)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from facecurator.detect.quality import clip_reasons
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.detections import ANY_UNCHECKED
from facecurator.services.catalog.schema import UNCHECKED_KEY


def test_the_indexed_key_is_the_detectors() -> None:
    assert UNCHECKED_KEY == clip_reasons.NO_MODEL_KEY


def test_the_look_for_an_unchecked_detection_reads_its_partial_index(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {ANY_UNCHECKED}"))
        assert "USING INDEX detections_without_model" in plan, plan
        index = "SELECT sql FROM sqlite_master WHERE name = 'detections_without_model'"
        (sql,) = db.execute(index).fetchone()
        assert f"LIKE '%{UNCHECKED_KEY}%'" in sql
