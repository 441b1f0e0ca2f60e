"""``bulk.any_missing_verdict``: the look an open, a Find and a fill take before trusting the
stored verdicts (the newest images first, then one statement; no longer the catalog's name
order: issue 17 item 5), on both backends -- a face without its verdict anywhere in the source
is found, faces that do not count (an unreadable image, another source, another rule set) are
not."""

from __future__ import annotations

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.services import browse
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import queries as q

ROOT, OTHER = "/gallery", "/other"


def _forget(catalog: Catalog, image_id: int) -> None:
    """The stored verdicts of this image's faces dropped (as if never filled)."""
    with catalog._write("forget verdicts") as db:
        db.execute(
            "DELETE FROM verdicts WHERE face_id IN (SELECT id FROM faces WHERE image_id = ?)", (image_id,)
        )


def _looks(catalog: Catalog, ruleset: int, root: str | None) -> bool:
    answer = bulk.any_missing_verdict(catalog, ruleset, source_root=root)
    assert answer == bool(q.images_missing_verdicts(catalog, ruleset, source_root=root, limit=1))
    return answer


@pytest.mark.parametrize("tail", [bulk.MISSING_TAIL, 3])  # every image the newest, or the walk past them
def test_a_missing_verdict_is_found_wherever_it_is(
    catalog_target: str, tail: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "MISSING_TAIL", tail)
    seed_catalog(catalog_target, ROOT, 30, 2)
    seed_catalog(catalog_target, OTHER, 5, 2)
    rules = load_rules("moderation-2.0")
    with Catalog(catalog_target) as catalog:
        ruleset = browse.ruleset_id(catalog, rules)
        assert _looks(catalog, ruleset, ROOT) and _looks(catalog, ruleset, None)  # a first open
        assert browse.fill_verdicts(catalog, rules, source_root=ROOT)
        assert not _looks(catalog, ruleset, ROOT)  # a reopen: every face looked at
        assert _looks(catalog, ruleset, None)  # the other source's faces have none yet
        assert not _looks(catalog, ruleset, OTHER + "x")
        assert browse.fill_verdicts(catalog, rules, source_root=OTHER)
        assert not _looks(catalog, ruleset, None)
        ids = sorted(image.id for image in catalog.images() if image.source_root == ROOT)
        for image_id in (ids[-1], ids[0], ids[len(ids) // 2]):  # the walk's start, its end, between
            _forget(catalog, image_id)
            assert _looks(catalog, ruleset, ROOT) and _looks(catalog, ruleset, None)
            assert not _looks(catalog, ruleset, OTHER)
            assert browse.fill_verdicts(catalog, rules, source_root=ROOT)
            assert not _looks(catalog, ruleset, ROOT)
        # an unreadable image's faces do not count
        with catalog._write("break one image") as db:
            db.execute("UPDATE images SET status = 'error', error = 'broken' WHERE id = ?", (ids[3],))
        _forget(catalog, ids[3])
        assert not _looks(catalog, ruleset, ROOT) and not _looks(catalog, ruleset, None)
        # nor another rule set's verdicts
        other = browse.ruleset_id(catalog, load_rules("enrollment-strict"))
        assert _looks(catalog, other, ROOT)


def test_the_fill_in_python_ends_with_a_look_at_every_image(
    catalog_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fill of a rule set with no SQL form walks the images by id, then looks at every
    image once more (the open's look, no longer the name order): a verdict dropped behind the
    walk while it ran is stored again."""
    seed_catalog(catalog_target, ROOT, 30, 2)
    rules = load_rules("moderation-2.0")
    monkeypatch.setattr(browse, "verdict_sql", lambda *a: None)  # as a rule set SQL cannot evaluate
    with Catalog(catalog_target) as catalog:
        ruleset = browse.ruleset_id(catalog, rules)
        first_id = min(image.id for image in catalog.images())
        dropped: list[int] = []

        def progress(done: int) -> None:
            if not dropped:  # after the walk's first chunk: one of its images loses its verdicts
                dropped.append(first_id)
                _forget(catalog, first_id)

        assert browse.fill_verdicts(catalog, rules, source_root=ROOT, chunk=5, progress=progress)
        assert dropped and not _looks(catalog, ruleset, ROOT)
