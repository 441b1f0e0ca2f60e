"""The source's counts (the gallery header's: ``queries.counts``) and its failed images (the log
dock's: ``queries.error_images``) on both backends.

The counts (and the header's, ``queries.header_counts``: images, faces, pending with no verdict
read): every figure as the rows say (faces of another source and of an image that failed
left out, decisions of each state, verdicts of two rule set versions), and on PostgreSQL with no
probe of the verdicts' primary key per face: one statement with the verdicts and the decisions
left-joined to every face was planned as a nested loop of such probes over the faces' join with
their images (estimated at one row), 9.5-17 s at 1 000 000 images / 3 000 000 faces under load
8-17. (The decided faces' count may probe the decisions per face at a test's size; at 1M it is
a merge join.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers.catalogs import seed_catalog
from helpers.paging import traced

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q


def _index_scans(catalog: Any, names: tuple[str, ...]) -> int:
    """How many scans of these indexes the server counted (its statistics flushed first)."""
    raw = catalog._db.raw
    raw.execute("SELECT pg_stat_force_next_flush()")  # (flushed when this statement's transaction ends)
    raw.execute("SELECT pg_stat_clear_snapshot()")
    row = raw.execute(
        "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes WHERE indexrelname = ANY(%s)",
        (list(names),),
    ).fetchone()
    return int(row[0])


def _verdict_reads(catalog: Any) -> int:
    """How many scans of the verdicts table (sequential or by index) the server counted."""
    raw = catalog._db.raw
    raw.execute("SELECT pg_stat_force_next_flush()")
    raw.execute("SELECT pg_stat_clear_snapshot()")
    row = raw.execute(
        "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
        " WHERE relname = 'verdicts'"
    ).fetchone()
    return int(row[0])


def test_the_counts_are_the_rows_and_probe_no_key_per_face(catalog_target: str, tmp_path: Path) -> None:
    root, other = tmp_path / "gallery", tmp_path / "other"
    seed_catalog(catalog_target, root, 60, 3)
    seed_catalog(catalog_target, other, 10, 2)
    with Catalog(catalog_target) as catalog:
        faces = [row.id for row in catalog.faces(source_root=str(root))]
        assert len(faces) == 180
        catalog.decide(faces[:20], "accepted", who="t")
        catalog.decide(faces[20:50], "rejected", who="t")
        catalog.decide(faces[50:55], "pending", who="t")  # (a decision undone to pending)
        others = [row.id for row in catalog.faces(source_root=str(other))]
        catalog.decide(others, "accepted", who="t")
        ruleset = q.ruleset_id(catalog, "k1", "one")
        older = q.ruleset_id(catalog, "k0", "zero")
        q.put_verdicts(catalog, ruleset, [(f, int(n % 3 == 0), None, "", "") for n, f in enumerate(faces)])
        q.put_verdicts(catalog, older, [(f, 1, None, "", "") for f in faces])
        q.put_verdicts(catalog, ruleset, [(f, 1, None, "", "") for f in others])
        failed = catalog.images(source_root=str(root))[0]  # its last read failed: none of its faces count
        with catalog._write("test: an image failed") as db:
            db.execute("UPDATE images SET status = 'error' WHERE id = ?", (failed.id,))
        lost = {row.id for row in catalog.faces(image_ids=[failed.id])}
        kept = [f for f in faces if f not in lost]
        postgres = catalog.dialect == "postgresql"
        if postgres:
            catalog._db.raw.execute("ANALYZE")
            before = _index_scans(catalog, ("verdicts_pkey",))
        counted = q.counts(catalog, source_root=str(root), ruleset=ruleset)
        if postgres:
            probes = _index_scans(catalog, ("verdicts_pkey",)) - before
            assert probes < len(kept) // 4, probes  # (not one per face)
            verdict_reads = _verdict_reads(catalog)
        header = q.header_counts(catalog, source_root=str(root))
        if postgres:  # the header's figures read no verdict
            assert _verdict_reads(catalog) == verdict_reads
    accepted = sum(f in kept for f in faces[:20])
    rejected = sum(f in kept for f in faces[20:50])
    assert header == {key: counted[key] for key in ("images", "faces", "pending")}
    assert counted == {
        "images": 60,
        "errors": 1,
        "faces": len(kept),
        "qualified": sum(n % 3 == 0 for n, f in enumerate(faces) if f in kept),
        "accepted": accepted,
        "rejected": rejected,
        "pending": len(kept) - accepted - rejected,
    }


def test_the_failed_images_are_found_by_their_status(catalog_target: str, tmp_path: Path) -> None:
    """The log dock's list of failed images (``queries.error_images``, on the query worker): in
    name order, found through the status index (SQLite walked the source's name index for the
    order, every image of the source: 16 s at 1M under load, a scan's new rows queued behind)."""
    root = tmp_path / "gallery"
    seed_catalog(catalog_target, root, 40, 1)
    with Catalog(catalog_target) as catalog:
        images = catalog.images(source_root=str(root))
        failed = [images[30], images[3]]
        with catalog._write("test: two images failed") as db:
            for image in failed:
                db.execute("UPDATE images SET status = 'error', error = 'x' WHERE id = ?", (image.id,))
        statements = traced(catalog)
        found = q.error_images(catalog, source_root=str(root))
        assert found == [(i.id, i.name, i.uri, "x") for i in sorted(failed, key=lambda i: i.name)]
        if catalog.dialect != "postgresql":
            (sql,) = [s for s in statements if "status = 'error'" in s]
            plan = " ".join(str(row[3]) for row in catalog._db.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "images_by_root_status" in plan, plan
