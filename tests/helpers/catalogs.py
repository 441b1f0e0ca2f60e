"""Large synthetic catalogs for tests and benchmarks (records only: no image files)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from facecurator.domain.face import BLUR_SCALE_MODERATION_2, Blur, Box, Face, Pose
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.services.catalog import Catalog


def seed_catalog(
    path: Path | str, root: Path | str, n_images: int, faces_per_image: int, *, varied: bool = True
) -> None:
    """Record ``n_images`` images under ``root`` with ``faces_per_image`` faces each, in one transaction.

    ``varied`` spreads pose, blur and size so verdicts differ between faces and rule
    sets; otherwise every face is the same frontal, sharp face (qualified under the
    built-in presets but for face-count rules).
    """
    uniform = Face(
        box=Box(10, 10, 200, 200),
        confidence=0.99,
        pose=Pose(1, 2, 3),
        blur=Blur(3, BLUR_SCALE_MODERATION_2),
        glasses="none",
    )
    with Catalog(path) as catalog, catalog.transaction():
        for i in range(n_images):
            if varied:
                faces = [
                    Face(
                        box=Box(10 + 40 * j, 10, 120 + 30 * (i % 5), 120 + 30 * (i % 5)),
                        confidence=0.99,
                        pose=Pose(i % 50 - 25, (i * 7 + j * 11) % 70 - 35, (j * 9) % 40 - 20),
                        blur=Blur(float((i * 13 + j * 17) % 60), BLUR_SCALE_MODERATION_2),
                        glasses="none",
                    )
                    for j in range(faces_per_image)
                ]
            else:
                faces = [uniform] * faces_per_image
            group = f"p{i % 50}"
            name = f"{group}/img{i}.jpg"
            ref = ImageRef(uri=f"{root}/{name}", name=name, group=group, size=100, mtime_ns=i)
            detection = catalog.store_detection(
                f"id{i}", "import:test", "k", DetectionResult(faces, 640, 480)
            )
            catalog.record_image(
                ref,
                source_root=str(root),
                identity=f"id{i}",
                status="ok",
                error=None,
                detection_id=detection,
                width=640,
                height=480,
                detector="import:test",
            )


def raw_connection(target: str | Path) -> Any:
    """A second, plain connection to a catalog (a test's look under the API), in the catalog's
    dialect: ``sqlite3`` for a file, the dialect-translating ``PgConnection`` for a URL."""
    from facecurator.services.catalog import postgres

    if postgres.is_url(str(target)):
        return postgres.connect(str(target), timeout=10)[1]
    return sqlite3.connect(target, isolation_level=None)


def database_errors() -> tuple[type[BaseException], ...]:
    """What a refused statement raises on either backend."""
    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


#: What schema steps 7 (the shared scan's tables) and 8 (assignments) add, newest first.
_STEPS_AFTER_6 = ("assignment_log", "assignments", "rate_budget", "scan_workers", "scan_passes", "scan_queue")
#: What step 9 (the images' natural sort keys) adds: its indexes, then its columns.
_STEP_9_INDEXES = ("images_by_root_natural",)
_STEP_9_COLUMNS = ("group_key", "name_key")


def drop_steps_after_6(raw: sqlite3.Connection) -> None:
    """Take a SQLite catalog's schema back to version 6's tables (a test of an upgrade from an
    older version drops what each newer step added; see tests/test_schema_upgrade.py)."""
    raw.execute("DROP INDEX IF EXISTS detections_without_model")  # step 16
    raw.execute("DROP INDEX IF EXISTS images_by_root_person")  # step 11
    if any(row[1] == "reasons" for row in raw.execute("PRAGMA table_info(verdicts)")):
        raw.execute("ALTER TABLE verdicts DROP COLUMN reasons")  # step 10
    for index in _STEP_9_INDEXES:
        raw.execute(f"DROP INDEX IF EXISTS {index}")
    for column in _STEP_9_COLUMNS:
        raw.execute(f"ALTER TABLE images DROP COLUMN {column}")
    for table in _STEPS_AFTER_6:
        raw.execute(f"DROP TABLE IF EXISTS {table}")
