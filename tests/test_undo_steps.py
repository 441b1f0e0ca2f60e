"""One undo step is one operator action, whatever its size (issue 20, item 1).

A bulk decision over more than ``BULK_CHUNK`` faces is committed in several
chunks; the core returns the catalog batch ids it created, and undoing that step
undoes exactly those batches — never an older, unrelated decision.
"""

from __future__ import annotations

from helpers.catalogs import seed_catalog

from facecurator.domain.rules import load_rules
from facecurator.services.catalog import Catalog
from facecurator.services.review import BULK_CHUNK, accept_qualified, reject_unqualified, review, undo_step

N_FACES = 2 * BULK_CHUNK + 100  # three chunks


def _states(catalog: Catalog) -> dict[int, str]:
    return {face.id: face.decision.state for face in catalog.faces()}


def test_a_bulk_action_over_several_chunks_is_one_undo_step(catalog_target: str) -> None:
    path = catalog_target
    seed_catalog(path, "/virtual", n_images=N_FACES + 2, faces_per_image=1, varied=False)
    rules = load_rules("moderation-2.0")
    with Catalog(path) as catalog:
        ids = sorted(_states(catalog))
        assert all(face.verdict.qualified for image in review(catalog, rules) for face in image.faces)
        earlier = catalog.decide(ids[:1], "rejected", reason="manual")
        earlier2 = catalog.decide(ids[1:2], "rejected", reason="manual")
        done = accept_qualified(catalog, rules)
        assert done.count == N_FACES
        assert len(done.batch_ids) == 1 and done.batch_ids[0] not in (earlier, earlier2)
        assert sorted(undo_step(catalog, done.batch_ids)) == ids[2:]
        states = _states(catalog)
        assert states[ids[0]] == states[ids[1]] == "rejected"  # the older decisions stay
        assert {states[i] for i in ids[2:]} == {"pending"}
        # The same step cannot be undone twice; the earlier ones still can, one by one.
        assert undo_step(catalog, done.batch_ids) == []
        assert undo_step(catalog, (earlier2,)) == [ids[1]]


def test_undo_of_a_step_is_exact_even_after_other_writers(catalog_target: str) -> None:
    """Another process deciding after the bulk action does not shift what the step undoes."""
    path = catalog_target
    seed_catalog(path, "/virtual", n_images=N_FACES, faces_per_image=1, varied=False)
    rules = load_rules("moderation-2.0")
    with Catalog(path) as catalog:
        ids = sorted(_states(catalog))
        done = reject_unqualified(catalog, rules)
        assert done.count == 0 and done.batch_ids == ()
        done = accept_qualified(catalog, rules, ids[:-1])
        with Catalog(path) as other:  # e.g. the command line, meanwhile
            other.decide([ids[-1]], "rejected", reason="cli")
        assert sorted(undo_step(catalog, done.batch_ids)) == ids[:-1]
        assert _states(catalog)[ids[-1]] == "rejected"
