"""Keyset pages of a source's images (services/catalog/pages.py), on both backends: every page,
jump and rank agrees with the whole list in the gallery's name order."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.protocols import ImageRef
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import pages as p
from facecurator.services.catalog import queries as q

ROOT = "/photos"


def _refs(names: list[str], root: str = ROOT) -> list[ImageRef]:
    return [ImageRef(uri=f"{root}/{n}", name=n, group=n.split("/")[0], size=1, mtime_ns=1) for n in names]


def test_pages_jumps_and_ranks_follow_the_name_order(catalog_target: str) -> None:
    # natural order matters (img2 < img10) and the listing order is not the name order
    names = [f"p{(i * 7) % 5}/img{(i * 37) % 301}.jpg" for i in range(301)]
    with Catalog(catalog_target) as catalog:
        catalog.record_listed(_refs(names), source_root=ROOT)
        catalog.record_listed(_refs(["p0/img0.jpg", "zz.jpg"], "/elsewhere"), source_root="/elsewhere")
        whole = q.image_ids(catalog, source_root=ROOT, sort="name")
        assert len(whole) == 301 and p.present_count(catalog, ROOT) == 301

        # paging down by keyset from the last key held: the whole list, in order
        walked: list[p.Key] = []
        while True:
            keys = p.page(catalog, ROOT, after=walked[-1] if walked else None, limit=40)
            if not keys:
                break
            assert len(keys) <= 40
            walked.extend(keys)
        assert [k[2] for k in walked] == whole
        # paging up from a key: the rows just before it, still in order
        assert [k[2] for k in p.page(catalog, ROOT, before=walked[100], limit=40)] == whole[60:100]
        assert [k[2] for k in p.page(catalog, ROOT, before=walked[10], limit=40)] == whole[:10]
        # a jump: from a key on, skipping rows; or OFFSET from the start
        assert [k[2] for k in p.page(catalog, ROOT, start=walked[50], offset=7, limit=5)] == whole[57:62]
        assert [k[2] for k in p.page(catalog, ROOT, offset=290, limit=40)] == whole[290:]
        # the sample: rows 0, step, 2 step ...
        assert [k[2] for k in p.sample(catalog, ROOT, 64)] == whole[::64]
        # an id's row (one count), and keys only of the source's present images
        keys = p.keys_of(catalog, ROOT, [whole[0], whole[123], whole[-1], 10**9])
        assert set(keys) == {whole[0], whole[123], whole[-1]}
        assert [p.rank(catalog, ROOT, keys[i]) for i in (whole[0], whole[123], whole[-1])] == [0, 123, 300]
        other = q.image_ids(catalog, source_root="/elsewhere")
        assert p.keys_of(catalog, ROOT, other) == {}


def test_long_answers_read_a_chunk_at_a_time_give_the_whole_answer(
    catalog_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long id list is counted a JSON chunk at a time and psycopg fetches a long answer a
    chunk per call (neither holds the GIL for one huge call): the answers are the whole ones."""
    seed_catalog(catalog_target, tmp_path, 12, 2)
    with Catalog(catalog_target) as catalog:
        faces = q.face_ids(catalog)
        assert len(faces) == 24
        catalog.decide([faces[1], faces[9], faces[22], faces[23]], "accepted")
        monkeypatch.setattr(q, "FETCH_CHUNK", 5)
        monkeypatch.setattr(q, "IDS_CHUNK", 5)
        assert q.face_ids(catalog) == faces
        # duplicates counted once, decided faces in every chunk, the last one too
        assert q.pending_among(catalog, [*faces, *faces[:7]]) == 20


def test_image_keys_are_read_by_id_not_by_walking_the_source(tmp_path: Path) -> None:
    """``keys_of`` ("go to image", a new image's row, on the GUI thread) reads the images by id:
    its SQLite steps stay a small fraction of a count of the source's images (SQLite picked the
    source's index and scanned every image for one id: 0.22 s at 1 000 000). SQLite only:
    PostgreSQL's planner picks by its statistics."""
    target, root = str(tmp_path / "c.sqlite3"), tmp_path / "photos"
    seed_catalog(target, root, 3000, 1)
    with Catalog(target) as catalog:
        whole = q.image_ids(catalog, source_root=str(root), sort="name")
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        catalog._db.set_progress_handler(step, 1)
        assert set(p.keys_of(catalog, str(root), [whole[1500], whole[7]])) == {whole[1500], whole[7]}
        by_id, steps[0] = steps[0], 0
        assert p.present_count(catalog, str(root)) == len(whole)
        walked = steps[0]
        catalog._db.set_progress_handler(None, 1)
        assert by_id * 50 < walked, (by_id, walked)
