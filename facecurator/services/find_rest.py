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
of the source's ids or faces is held: a batch at a time. A batch that evaluated nothing (every
verdict stored) makes the next one larger (up to :data:`SQL_BATCH`): SQL decides it in two
statements whatever its size.

The gallery's verdict filters ("qualified", "unqualified") are listed the same way
(:func:`view_find`: the filter "all" and the Find term ``status=...``), so a view opened on
one lists its first rows as the open begins, before the open's fill stored the verdicts.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from facecurator.domain.filter_python import compile_predicate
from facecurator.domain.filters import And, Compare, FilterError, Node, is_everything
from facecurator.domain.rules import RuleSet
from facecurator.errors import CatalogError
from facecurator.services.browse import ruleset_id
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.catalog.rows import _ids_json
from facecurator.services.filtering import FACE_FROM, FaceFilter, FindPlan, find_plan
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity
from facecurator.services.review import ReviewedFace, review

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Images decided per step (a stop is seen between steps): at ~1 ms an evaluated image, a
#: step is a fraction of a second when every face must be evaluated.
BATCH: Final = 256
#: The largest step once a step evaluated no face (every verdict of it stored: SQL decides).
SQL_BATCH: Final = 8192

#: Images kept before a listing that may ``hold`` waits (a few screens: the first rows come
#: at once, the rest once the open's fill stored the verdicts it would evaluate meanwhile).
HOLD_AFTER: Final = 1024
#: Seconds between two looks whether a held listing may go on.
HOLD_S: Final = 0.2

#: The gallery's filters that read verdicts as Find terms (listed as a Find: :func:`view_find`).
VERDICT_TERMS: Final[dict[str, Node]] = {
    name: Compare("status", "=", (name,), 0) for name in ("qualified", "unqualified")
}

_VERDICTS: Final = " LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id"

#: A clause and its parameters.
Clause = tuple[str, dict[str, Any]]
#: A listing's ``keep(chunks, stop)``: the ids kept of a query's chunks (gui/view_ids.py).
Keep = Callable[[Iterator["array[int]"], Callable[[], bool]], Iterator["array[int]"]]


def plan_find(
    catalog: Catalog,
    node: Node,
    *,
    source_root: str | None,
    ruleset: int,
    rules: RuleSet,
    identities: GalleryIdentities | None = None,
    groups: bool = False,
    checked: bool = True,
    stored: bool = False,
) -> tuple[FindPlan | None, FindRest | None, FilterError | None]:
    """A listing's Find (on its worker): the plan (None: not applicable, the error says why),
    and the :class:`FindRest` deciding what SQL cannot (None: SQL answers whole; ``checked``:
    :func:`~facecurator.services.filtering.find_plan`'s)."""
    try:
        plan = find_plan(
            catalog, node, source_root=source_root, ruleset=ruleset, checked=checked, stored=stored
        )
    except FilterError as error:
        return None, None, error
    if plan.whole:
        return plan, None, None
    return plan, FindRest(plan, rules, source_root=source_root, identities=identities, groups=groups), None


def plan_view(
    catalog: Catalog, filter_name: str, node: Node, find: Node | None, **options: Any
) -> tuple[FindPlan | None, FindRest | None, FilterError | None]:
    """:func:`plan_find` (``options``) of a view's ``node`` (:func:`view_find`'s, of its filter and
    its Find ``find``); a Find that does not apply beside a verdict filter: the filter's term alone
    planned. The Find's error is answered (None: it applies)."""
    plan, finder, error = plan_find(catalog, node, **options)
    if error is not None and node is not find:  # the verdict filter without the Find
        plan, finder, _error = plan_find(catalog, VERDICT_TERMS[filter_name], **options)
    return plan, finder, error


def view_find(filter_name: str, node: Node | None) -> tuple[str, Node | None]:
    """A gallery view's filter and Find (``node``; None: none) as listed: a verdict filter is
    the filter "all" and its Find term (beside the Find's, if any), decided as a Find is."""
    term = VERDICT_TERMS.get(filter_name)
    if term is None:
        return filter_name, node
    if node is None or is_everything(node):
        return "all", term
    return "all", And((term, node))


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
        #: faces evaluated in Python (those without a stored verdict)
        self.evaluated = 0
        #: images kept per person (``groups``: the person sort's headers)
        self.group_sizes: dict[str, int] | None = {} if groups else None
        #: planned under no rule set version (0: none recorded as a view was listed while the
        #: open began): the version's id looked up before each step, and used once recorded
        #: (the open's fill stores its verdicts under it); told to ``versioned``
        self.version: Callable[[Catalog], int] | None = None
        self.versioned: Callable[[int], None] = lambda _version: None
        #: true while the open's fill stores the verdicts (a view listed as the open began): once
        #: :data:`HOLD_AFTER` images are kept, a step that evaluated faces waits for it -- in
        #: Python, beside the fill, every face would be evaluated twice (the fill took 4.5 x as
        #: long at 1M/3M, SQLite, load 10-15: 68 -> 304 s)
        self.hold: Callable[[], bool] = lambda: False

    def beside_open(
        self, ruleset: int, versioned: Callable[[int], None], hold: Callable[[], bool] | None
    ) -> None:
        """A view listed as an open began: planned under no rule set version (``ruleset`` 0), the
        version is looked up before each step and used once the open records it (told to
        ``versioned``); ``hold``: while true, the rest waits once a few screens are found (the
        open's fill storing the verdicts)."""
        if not ruleset:
            self.version = lambda catalog: ruleset_id(catalog, self.rules, create=False)
            self.versioned = versioned
        if hold is not None:
            self.hold = hold

    def chunks(
        self,
        catalog: Catalog,
        candidates: Iterable[array[int]],
        *,
        stop: Callable[[], bool] = lambda: False,
        faces: bool = False,
    ) -> Iterator[array[int]]:
        """The kept ids of each :data:`BATCH` of ``candidates`` (in their order; an empty array
        when none is kept); ``stop()`` ends the walk between batches. ``faces``: the candidates
        are face ids (Triage's listing, :func:`face_view_sql`), else image ids."""
        decide = self.decide_faces if faces else self.decide
        if self.identities is None and uses_identity(self.rules):  # once, not per batch
            self.identities = gallery_identities(
                catalog, source_root=self.source_root, threshold=threshold_of(self.rules)
            )
        size = BATCH
        for chunk in candidates:
            start = 0
            while start < len(chunk):
                if stop():
                    return
                if size == BATCH and self.found >= HOLD_AFTER:  # the last step evaluated faces
                    while self.hold() and not stop():
                        time.sleep(HOLD_S)
                if self.version is not None:
                    self._look_up_version(catalog)
                batch = chunk[start : start + size]
                evaluated = self.evaluated
                kept = decide(catalog, batch)
                start += len(batch)
                self.checked += len(batch)
                self.found += len(kept)
                # a step SQL decided alone: the next one larger (the evaluations' cost is per face)
                size = BATCH if self.evaluated > evaluated else min(SQL_BATCH, size * 4)
                yield kept

    def _look_up_version(self, catalog: Catalog) -> None:
        """Read the stored verdicts under the rule set version once it is recorded."""
        assert self.version is not None
        version = self.version(catalog)
        if not version:
            return
        self.version = None
        plan = self.plan

        def under(clause: Clause | None) -> Clause | None:
            return None if clause is None else (clause[0], {**clause[1], "ruleset": version})

        self.plan = replace(
            plan, sure=under(plan.sure), undecided=under(plan.undecided), face_sure=under(plan.face_sure)
        )
        self.versioned(version)

    def keep(self, catalog: Catalog, *, faces: bool = False) -> Keep:
        """:meth:`chunks` as a listing's ``keep(chunks, stop)`` (gui/view_ids.py)."""
        return lambda candidates, stop: self.chunks(catalog, candidates, stop=stop, faces=faces)

    def decide(self, catalog: Catalog, image_ids: Sequence[int]) -> array[int]:
        """The images among ``image_ids`` (candidates: ``plan.may`` holds) with a face the
        expression selects, in the order given."""
        sure = "SELECT i.id, i.group_name FROM images AS i"
        kept, wanted = self._read(catalog, image_ids, "i.id", sure, self.plan.sure)
        for face in self._evaluated(catalog, wanted):
            kept[face.image.id] = face.image.group
        if self.group_sizes is not None:
            for group in kept.values():
                self.group_sizes[group] = self.group_sizes.get(group, 0) + 1
        return array("q", [i for i in image_ids if i in kept])

    def decide_faces(self, catalog: Catalog, face_ids: Sequence[int]) -> array[int]:
        """The faces among ``face_ids`` (candidates: ``plan.face_may`` holds) the expression
        selects, in the order given (Triage's listing)."""
        sure = f"SELECT f.id, i.group_name FROM {FACE_FROM}{_VERDICTS}"
        found, wanted = self._read(catalog, face_ids, "f.id", sure, self.plan.face_sure)
        kept = set(found)
        kept.update(face.id for face in self._evaluated(catalog, wanted))
        return array("q", [i for i in face_ids if i in kept])

    def _read(
        self, catalog: Catalog, ids: Sequence[int], column: str, sure_select: str, sure: Clause | None
    ) -> tuple[dict[int, str], dict[int, int]]:
        """Of ``ids`` (``column``: ``i.id`` or ``f.id``), those a stored verdict decides (id ->
        person: ``sure_select``'s two columns under ``sure``) and the faces to evaluate (face id
        -> image id: ``plan.undecided``, no stored verdict).

        The faces without a verdict are read FIRST: the open's fill stores verdicts meanwhile
        (another connection), and each read sees what is committed as it starts (PostgreSQL's
        read committed; SQLite once the view's query has answered its last row). Read after the
        stored ones, a face whose verdict was stored between the two reads was in neither and
        dropped; read before, it is in one or both (both: the same answer)."""
        found: dict[int, str] = {}
        within = f"{column} IN (SELECT value FROM json_each(:ids))"
        wanted: dict[int, int] = {}
        with catalog._reading("what a filter selects") as db:
            if ids and self.plan.undecided is not None:
                clause, params = self.plan.undecided
                rows = db.execute(
                    f"SELECT f.id, f.image_id FROM {FACE_FROM}{_VERDICTS} WHERE {within} AND {clause}",
                    {**params, "ids": _ids_json(list(ids))},
                )
                wanted = {int(face): int(image) for face, image in rows.fetchall()}
            # a face to evaluate is decided by its evaluation (an image: by any of its faces)
            rest = [i for i in ids if i not in wanted] if column == "f.id" else list(ids)
            if sure is not None and rest:
                rows = db.execute(
                    f"{sure_select} WHERE {within} AND {sure[0]}", {**sure[1], "ids": _ids_json(rest)}
                )
                found = {int(i): str(group) for i, group in rows.fetchall()}
                if column == "i.id":  # an image kept: its faces need no evaluation
                    wanted = {face: image for face, image in wanted.items() if image not in found}
        return found, wanted

    def _evaluated(self, catalog: Catalog, wanted: dict[int, int]) -> Iterator[ReviewedFace]:
        """The faces of ``wanted`` (face id -> image id) that pass the residual, evaluated now."""
        if not wanted:
            return
        self.evaluated += len(wanted)
        for image in review(
            catalog,
            self.rules,
            image_ids=sorted(set(wanted.values())),
            identities=self.identities,
            source_root=self.source_root,
        ):
            yield from (face for face in image.faces if face.id in wanted and self.rest.matches(face))


_FACES_JOIN: Final = "JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id"
_DETECTION_JOIN: Final = "JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx"
#: PostgreSQL's listing starts with the faces of the source's first :data:`HEAD_IMAGES` images in
#: name order, each image's read by the faces' unique index as they come (a LATERAL subquery kept
#: apart by ``OFFSET 0``): its first rows at once; the rest (the images after the last of those)
#: joined and sorted whole, as before, which lists every row soonest. Joined whole from the start
#: (the join estimated at one row: two correlated join columns) the server hashed every face
#: against every image and sorted the lot before the first row: "unqualified" at 1M / 3M faces
#: listed its first rows 8.6-27.6 s after the query (load 4-18), 0.03 s so; all of them 9.4 s
#: (9.3 s before; read a face at a time from the start to the end: 11.3 s, 1.2-2.2 x in the
#: window). The two parts are a UNION ALL read by the listing's cursor, which runs them in turn
#: (a cursor's plan is never parallel).
HEAD_IMAGES: Final = 2048
_HEAD_FROM: Final = (
    "(SELECT * FROM images WHERE source_root = :root AND status = 'ok' ORDER BY name, id"
    " LIMIT :head_images) AS i CROSS JOIN LATERAL (SELECT fl.id, fl.image_id, fl.detection_id, fl.idx"
    " FROM faces AS fl WHERE fl.image_id = i.id AND fl.detection_id = i.detection_id OFFSET 0) AS f"
)
_HEAD_LAST: Final = (
    "(SELECT name, id FROM images WHERE source_root = :root AND status = 'ok' ORDER BY name, id"
    " OFFSET :head_last LIMIT 1)"
)


def face_view_sql(
    filter_name: str, *, source_root: str, ruleset: int, plan: FindPlan | None, dialect: str = "sqlite"
) -> tuple[str, dict[str, Any]]:
    """The query of the face ids of a source in Triage's order (``queries.face_ids``'s) passing a
    Triage filter (``all``, a decision state or a verdict status) and the face form of ``plan``
    (``face_may``: the faces that may pass; None: no face filter), for a catalog of ``dialect``."""
    params: dict[str, Any] = {"ruleset": ruleset, "root": source_root}
    clauses = ["i.status = 'ok'", "i.source_root = :root"]
    if filter_name in ("pending", "accepted", "rejected"):
        clauses.append("coalesce(d.state, 'pending') = :state")
        params["state"] = filter_name
    elif filter_name in q.STATUS_CODES:
        clauses.append("coalesce(v.status, 2) = :status")
        params["status"] = q.STATUS_CODES[filter_name]
    elif filter_name != "all":
        raise CatalogError(f"unknown face filter {filter_name!r}")
    if plan is not None:
        clauses.append(plan.face_may[0])
        params.update(plan.face_may[1])
    order, where = "i.source_root, i.name, i.id, f.idx", " AND ".join(clauses)
    if dialect != "postgresql":
        return f"SELECT f.id FROM {FACE_FROM}{_VERDICTS} WHERE {where} ORDER BY {order}", params
    # (no Find: without the faces' detection rows -- every face has one, so the join keeps every
    # row -- which read a face at a time cost a third of the head's time)
    rest = FACE_FROM if plan is not None else FACE_FROM.replace(_DETECTION_JOIN, "")
    head = rest.replace(f"images AS i\n    {_FACES_JOIN}", _HEAD_FROM)
    params.update(head_images=HEAD_IMAGES, head_last=HEAD_IMAGES - 1)
    return (
        f"SELECT id FROM (SELECT f.id FROM {head}{_VERDICTS} WHERE {where} ORDER BY {order}) AS head"
        f" UNION ALL SELECT id FROM (SELECT f.id FROM {rest}{_VERDICTS} WHERE {where}"
        f" AND (i.name, i.id) > {_HEAD_LAST} ORDER BY {order}) AS rest",
        params,
    )
