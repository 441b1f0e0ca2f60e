"""A Find the catalog's SQL cannot answer whole, decided a few images at a time (on a worker).

The filter bar's expression is answered in SQL (:func:`facecurator.services.filtering.image_clause`)
except for verdict terms (``failed:x``, ``qualified=no`` ...) while some faces of the source
have no stored verdict under the rule set shown (a scan added them; the fill is still storing
them). The gallery then lists, as for any other view and on the same worker
(:mod:`facecurator.gui.view_ids`), the images that MAY pass (``FindPlan.may``: a face passing
the SQL part, the verdict terms narrowed by what is stored), in the view's order, and
:class:`FindRest` keeps those that do, :data:`BATCH` images at a time:

* an image with a face whose stored verdict passes the whole expression (the verdict terms
  read from the stored verdict, in SQL: ``FindPlan.sure``) passes without being read;
* of the others, only the faces without a stored verdict that pass the SQL part are evaluated
  under the rules (the services' review) and checked against the residual.

So the Python work is the faces the fill has not stored yet, never the source's, and no list
of the source's ids or faces is held: a batch at a time.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final

from facecurator.domain.filter_python import compile_predicate
from facecurator.domain.rules import RuleSet
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.rows import _ids_json
from facecurator.services.filtering import FACE_FROM, FaceFilter, FindPlan
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity
from facecurator.services.review import review

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Images decided per step (a stop is seen between steps): at ~1 ms an evaluated image, a
#: step is a fraction of a second when every face must be evaluated.
BATCH: Final = 256

_VERDICTS: Final = " LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id"


class FindRest:
    """Keeps, of the chunks of candidate image ids a view's query streams, the images the
    expression selects (see the module text); counts what it checked (``checked``: candidate
    images, ``found``: kept) and, with ``groups``, the kept images per person."""

    def __init__(
        self,
        plan: FindPlan,
        rules: RuleSet,
        *,
        source_root: str | None,
        identities: GalleryIdentities | None = None,
        groups: bool = False,
    ) -> None:
        self.plan = plan
        self.rules = rules
        self.source_root = source_root
        self.identities = identities
        self.rest = FaceFilter(plan.residual, compile_predicate(plan.residual))
        self.checked = 0
        self.found = 0
        #: images kept per person (``groups``: the person sort's headers)
        self.group_sizes: dict[str, int] | None = {} if groups else None

    def chunks(
        self, catalog: Catalog, candidates: Iterable[array[int]], *, stop: Callable[[], bool] = lambda: False
    ) -> Iterator[array[int]]:
        """The kept ids of each :data:`BATCH` of ``candidates`` (in their order; an empty array
        when none is kept); ``stop()`` ends the walk between batches."""
        if self.identities is None and uses_identity(self.rules):  # once, not per batch
            self.identities = gallery_identities(
                catalog, source_root=self.source_root, threshold=threshold_of(self.rules)
            )
        for chunk in candidates:
            for start in range(0, len(chunk), BATCH):
                if stop():
                    return
                batch = chunk[start : start + BATCH]
                kept = self.decide(catalog, batch)
                self.checked += len(batch)
                self.found += len(kept)
                yield kept

    def decide(self, catalog: Catalog, image_ids: Sequence[int]) -> array[int]:
        """The images among ``image_ids`` (candidates: ``plan.may`` holds) with a face the
        expression selects, in the order given."""
        kept: dict[int, str] = {}  # image id -> person
        rest = list(image_ids)
        plan = self.plan
        with catalog._reading("the images a filter selects") as db:
            if plan.sure is not None and rest:
                clause, params = plan.sure
                rows = db.execute(
                    "SELECT i.id, i.group_name FROM images AS i "
                    f"WHERE i.id IN (SELECT value FROM json_each(:ids)) AND {clause}",
                    {**params, "ids": _ids_json(rest)},
                ).fetchall()
                kept.update((int(i), str(group)) for i, group in rows)
                rest = [i for i in rest if i not in kept]
            wanted: dict[int, int] = {}  # face id -> image id, of the faces to evaluate
            if rest and plan.undecided is not None:
                clause, params = plan.undecided
                rows = db.execute(
                    f"SELECT f.id, f.image_id FROM {FACE_FROM}{_VERDICTS} "
                    f"WHERE i.id IN (SELECT value FROM json_each(:ids)) AND {clause}",
                    {**params, "ids": _ids_json(rest)},
                ).fetchall()
                wanted = {int(face): int(image) for face, image in rows}
        if wanted:
            for image in review(
                catalog,
                self.rules,
                image_ids=sorted(set(wanted.values())),
                identities=self.identities,
                source_root=self.source_root,
            ):
                if any(face.id in wanted and self.rest.matches(face) for face in image.faces):
                    kept[image.row.id] = image.row.group
        if self.group_sizes is not None:
            for group in kept.values():
                self.group_sizes[group] = self.group_sizes.get(group, 0) + 1
        return array("q", [i for i in image_ids if i in kept])
