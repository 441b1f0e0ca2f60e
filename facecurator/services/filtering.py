"""Face filters over reviewed faces and over the catalog: the filter language applied.

:mod:`facecurator.domain.filters` parses and compiles expressions; this module
gives them what they read: a :class:`~facecurator.services.review.ReviewedFace`
(Python form) or the catalog's tables (SQL form, :data:`CATALOG_COLUMNS`,
:func:`face_ids_where`). The command line (``--where``) and the desktop app's
filter bar both go through :func:`face_filter`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from facecurator.domain.filter_python import FacePredicate, compile_predicate, face_number, verdict_status
from facecurator.domain.filter_sql import SqlColumns, SqlFilter, compile_sql
from facecurator.domain.filters import (
    NUMBER_FIELDS,
    FilterError,
    Node,
    first_assignment,
    is_everything,
    natural_key,
    parse_all,
    uses_assignment,
    uses_verdicts,
)
from facecurator.domain.rules import RuleSet
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import assign as assignments
from facecurator.services.catalog.dialect import NOW_EPOCH
from facecurator.services.review import ReviewedFace, ReviewedImage

#: The catalog's columns for the SQL form (aliases: ``i`` images, ``df`` detection_faces,
#: ``d`` decisions; see :data:`FACE_FROM`). Verdict terms (``qualified``/``status``/``failed:``)
#: need the ``verdicts`` join (``v``): :func:`face_ids_where` adds it for a rule set version.
CATALOG_COLUMNS: Final = SqlColumns(
    numbers={
        "yaw": "df.yaw",
        "pitch": "df.pitch",
        "roll": "df.roll",
        "size": "(CASE WHEN df.w < df.h THEN df.w ELSE df.h END)",
        "confidence": "df.confidence",
        "quality": "df.quality",
        "sharpness": "df.sharpness",
        "integrity": "df.integrity",
        "age": "df.age",
    },
    blur_value="df.blur_value",
    blur_scale="df.blur_scale",
    decision="coalesce(d.state, 'pending')",
    file="i.name",
    person="i.group_name",
    # who holds the face now: assigned (no lease), or taken with a lease not run out
    assignee=(
        "(SELECT a.operator FROM assignments AS a WHERE a.face_id = f.id"
        f" AND (a.lease_until IS NULL OR a.lease_until > {NOW_EPOCH}))"
    ),
)

#: A stored verdict's status as the filter language's words (NULL: none stored yet); codes of
#: :mod:`facecurator.services.catalog.queries` (1 qualified, 0 unqualified, 2 unknown).
VERDICT_STATUS: Final = (
    "(CASE v.status WHEN 1 THEN 'qualified' WHEN 0 THEN 'unqualified' WHEN 2 THEN 'unknown' END)"
)

#: The joins the SQL form's columns need: the faces of each image's current detection.
_FACE_JOINS: Final = """JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
    LEFT JOIN decisions AS d ON d.face_id = f.id"""
FACE_FROM: Final = f"""images AS i
    JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
    {_FACE_JOINS}"""


def condition_ids(ruleset: RuleSet) -> list[str]:
    """The condition ids ``failed:`` / ``unknown:`` / ``passed:`` may name under ``ruleset``."""
    return [condition.id for condition in ruleset.conditions]


@dataclass(frozen=True, slots=True)
class FaceFilter:
    """A parsed filter and its Python predicate."""

    node: Node
    predicate: FacePredicate
    #: the faces the catalog's SQL selected (``assigned:`` terms); None: not narrowed
    among: frozenset[int] | None = None

    @property
    def everything(self) -> bool:
        return is_everything(self.node) and self.among is None

    @property
    def needs_catalog(self) -> bool:
        """True when the expression reads the catalog's assignments (see :meth:`in_catalog`)."""
        return self.among is None and uses_assignment(self.node)

    def in_catalog(self, catalog: Catalog, *, source_root: str | None = None) -> FaceFilter:
        """This filter with its ``assigned:`` terms answered by the catalog now (SQL, both
        backends): the faces it selects there, and the rest to check in Python.

        Raises:
            FilterError: an ``assigned:`` term SQL cannot answer (inside ``or``/``not`` with a
                verdict term): it would otherwise be checked without the catalog.
        """
        if not self.needs_catalog:
            return self
        ids, residual = face_ids_where(catalog, self.node, source_root=source_root)
        stuck = first_assignment(residual)
        if stuck is not None:
            raise FilterError("filter.needs_catalog", stuck.position, stuck.text, term=stuck.text)
        return FaceFilter(residual, compile_predicate(residual), frozenset(ids))

    def narrowed(self, residual: Node) -> FaceFilter:
        """What is left to check in Python once SQL answered the rest (``face_ids_where``)."""
        return FaceFilter(residual, compile_predicate(residual))

    def matches(self, face: ReviewedFace) -> bool:
        if self.among is not None and face.id not in self.among:
            return False
        return self.predicate(
            face.row.face, face.verdict, face.row.decision.state, face.image.name, face.image.group
        )

    def select(self, faces: Iterable[ReviewedFace]) -> list[ReviewedFace]:
        if self.everything:
            return list(faces)
        predicate, among = self.predicate, self.among
        return [
            face
            for face in faces
            if (among is None or face.id in among)
            and predicate(
                face.row.face, face.verdict, face.row.decision.state, face.image.name, face.image.group
            )
        ]

    def select_images(self, images: Iterable[ReviewedImage]) -> list[ReviewedImage]:
        """The images with at least one matching face, holding only their matching faces
        (with no filter: every image, as given, errors included)."""
        return list(self.stream_images(images))

    def stream_images(self, images: Iterable[ReviewedImage]) -> Iterator[ReviewedImage]:
        """:meth:`select_images` as the images stream past (one image held at a time)."""
        if self.everything:
            yield from images
            return
        for image in images:
            faces = self.select(image.faces)
            if faces:
                yield ReviewedImage(image.row, faces)


def face_filter(texts: str | Sequence[str], ruleset: RuleSet | None = None) -> FaceFilter:
    """Parse one or more expressions (all must hold); with ``ruleset``, condition names are checked.

    Raises:
        FilterError: a bad expression (its message names the character position).
    """
    items = [texts] if isinstance(texts, str) else list(texts)
    conditions = condition_ids(ruleset) if ruleset is not None else None
    node = parse_all(items, conditions=conditions)
    return FaceFilter(node, compile_predicate(node))


def sql_filter(node: Node, columns: SqlColumns = CATALOG_COLUMNS, *, prefix: str = "w") -> SqlFilter:
    """The SQL form of a filter over ``columns`` (residual: what must still be checked in Python);
    ``prefix`` names its parameters (two forms in one statement need two)."""
    return compile_sql(node, columns, prefix=prefix)


def face_ids_where(
    catalog: Catalog, node: Node, *, source_root: str | None = None, ruleset: int | None = None
) -> tuple[list[int], Node]:
    """Face ids (catalog order) whose faces pass the SQL part of ``node``, and the residual.

    The residual (verdict terms SQL could not answer) must be checked on the reviewed
    faces; it is ``Everything`` when SQL answered all of it. With ``ruleset`` (a rule set
    version of :mod:`facecurator.services.browse`) whose verdicts are all stored for the
    faces in scope, SQL answers the verdict terms (``failed:x``, ``qualified=yes``, ...)
    from them; while some are missing, they only narrow the rows (``failed:x``:
    unqualified or not stored yet) and stay residual.
    """
    built, joins, params = _face_where(catalog, node, source_root=source_root, ruleset=ruleset)
    clauses = ["i.status = 'ok'", built.where]
    if source_root is not None:
        clauses.append("i.source_root = :root")
        params["root"] = source_root
    order = "i.source_root, i.name, i.id, f.idx"
    sql = f"SELECT f.id FROM {FACE_FROM}{joins} WHERE {' AND '.join(clauses)} ORDER BY {order}"
    with catalog._reading("filtered faces") as db:
        return [row[0] for row in db.execute(sql, params)], built.residual


def image_clause(
    catalog: Catalog, node: Node, *, source_root: str | None = None, ruleset: int | None = None
) -> tuple[str, dict[str, Any]] | None:
    """A test of one image (over ``images AS i``): it has a face passing ``node``, answered in
    SQL whole (the gallery's paged views select with it); None when part of ``node`` must be
    checked on the reviewed faces (see :func:`face_ids_where`)."""
    built, joins, params = _face_where(catalog, node, source_root=source_root, ruleset=ruleset)
    if not is_everything(built.residual):
        return None
    return _image_exists(joins, built.where), params


@dataclass(frozen=True, slots=True)
class FindPlan:
    """How the images with a face passing an expression are selected (:func:`find_plan`).

    ``may`` tests one image (over ``images AS i``, with its parameters): it has a face passing
    the part SQL answers; every image with a passing face passes it, and when ``residual`` is
    Everything it is exact. Otherwise the images it selects are decided a few at a time
    (:mod:`facecurator.services.find_rest`): those ``sure`` selects (a face whose stored
    verdict passes the whole expression in SQL; None: no such form) pass; of the others, the
    faces ``undecided`` selects (a clause over :data:`FACE_FROM` with the verdicts joined as
    ``v``: no stored verdict, or no ``sure`` form) are evaluated and checked against the residual.
    """

    may: tuple[str, dict[str, Any]]
    residual: Node
    sure: tuple[str, dict[str, Any]] | None = None
    undecided: tuple[str, dict[str, Any]] | None = None
    #: the faces' forms (over :data:`FACE_FROM` with the verdicts joined as ``v``, Triage's
    #: listing): a face passing the SQL part; one whose stored verdict passes whole (or None)
    face_may: tuple[str, dict[str, Any]] = ("(1 = 1)", {})
    face_sure: tuple[str, dict[str, Any]] | None = None

    @property
    def whole(self) -> bool:
        """SQL answers the expression whole (``may`` is exact)."""
        return is_everything(self.residual)


def find_plan(
    catalog: Catalog,
    node: Node,
    *,
    source_root: str | None,
    ruleset: int,
    checked: bool = True,
    stored: bool = False,
) -> FindPlan:
    """The :class:`FindPlan` of ``node`` under a rule set version (``image_clause`` when SQL
    answers it whole; else the images that may pass, those a stored verdict decides, and the
    faces left to evaluate). ``checked=False``: the verdict terms are planned as if some face
    had no stored verdict, without looking (a view listed as an open begins: the look walks
    every face of the source when all are stored, seconds at a million images). ``stored``:
    every face in scope is known to have its stored verdict (the caller looked): SQL answers.

    Raises:
        FilterError: an ``assigned:`` term left to Python (inside ``or``/``not`` with a verdict
            term): only the catalog knows who holds a face.
    """
    built, joins, params = _face_where(
        catalog, node, source_root=source_root, ruleset=ruleset, checked=checked, stored=stored
    )
    may, face_may = (_image_exists(joins, built.where), params), (f"({built.where})", params)
    if is_everything(built.residual):
        return FindPlan(may, built.residual, face_may=face_may)
    stuck = first_assignment(built.residual)
    if stuck is not None:
        raise FilterError("filter.needs_catalog", stuck.position, stuck.text, term=stuck.text)
    # a face whose verdict is stored: the verdict terms read from it, in SQL (exact for that face)
    columns = replace(CATALOG_COLUMNS, me=assignments.me(), status=VERDICT_STATUS, outcomes="v.outcomes")
    exact = sql_filter(node, columns, prefix="s")
    if not is_everything(exact.residual):  # not a verdict term SQL cannot answer: every face in Python
        return FindPlan(may, built.residual, undecided=face_may, face_may=face_may)
    verdict_join = " JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id"
    exact_params = {**exact.params, "ruleset": ruleset}
    sure = (_image_exists(verdict_join, exact.where), exact_params)
    undecided = (f"v.face_id IS NULL AND ({built.where})", params)
    face_sure = (f"v.face_id IS NOT NULL AND ({exact.where})", exact_params)
    return FindPlan(may, built.residual, sure, undecided, face_may, face_sure)


def _image_exists(joins: str, where: str) -> str:
    """The test of one image (``i``) that one of its current faces passes ``where``."""
    return (  # FACE_FROM's faces of the outer image ``i``
        f"i.status = 'ok' AND EXISTS (SELECT 1 FROM faces AS f {_FACE_JOINS}{joins} "
        f"WHERE f.image_id = i.id AND f.detection_id = i.detection_id AND ({where}))"
    )


def _face_where(
    catalog: Catalog,
    node: Node,
    *,
    source_root: str | None,
    ruleset: int | None,
    checked: bool = True,
    stored: bool = False,
) -> tuple[SqlFilter, str, dict[str, Any]]:
    columns, joins = replace(CATALOG_COLUMNS, me=assignments.me()), ""
    if ruleset is not None:
        if stored or (
            checked
            and uses_verdicts(node)
            and not bulk.any_missing_verdict(catalog, ruleset, source_root=source_root)
        ):
            # every face in scope has its stored verdict: SQL answers the verdict terms whole
            columns = replace(columns, status=VERDICT_STATUS, outcomes="v.outcomes")
        else:
            columns = replace(columns, maybe_status=VERDICT_STATUS)
        joins = " LEFT JOIN verdicts AS v ON v.ruleset = :ruleset AND v.face_id = f.id"
    built = sql_filter(node, columns)
    params: dict[str, Any] = dict(built.params)
    if ruleset is not None:
        params["ruleset"] = ruleset
    return built, joins, params


#: Sort keys of the triage grid: catalog order, any numeric field, and the words.
FACE_SORTS: Final = ("image", *NUMBER_FIELDS, "decision", "status", "person", "file")
_DECISION_ORDER: Final = {"pending": 0, "accepted": 1, "rejected": 2}
_STATUS_ORDER: Final = {"unqualified": 0, "unknown": 1, "qualified": 2}


def sort_faces(faces: Sequence[ReviewedFace], key: str, *, descending: bool = False) -> list[ReviewedFace]:
    """``faces`` ordered by a :data:`FACE_SORTS` key (stable: ties keep catalog order).

    Unmeasured values sort last in either direction; names sort naturally (``img_2``
    before ``img_10``).
    """
    if key == "image" or key not in FACE_SORTS:
        return list(reversed(faces)) if descending else list(faces)
    if key in NUMBER_FIELDS:
        measured = [(value, face) for face in faces if (value := face_number(face.face, key)) is not None]
        missing = [face for face in faces if face_number(face.face, key) is None]
        measured.sort(key=lambda pair: pair[0], reverse=descending)
        return [face for _value, face in measured] + missing
    if key == "decision":
        return sorted(faces, key=lambda f: _DECISION_ORDER.get(f.decision, 3), reverse=descending)
    if key == "status":
        return sorted(faces, key=lambda f: _STATUS_ORDER[verdict_status(f.verdict)], reverse=descending)
    if key == "person":
        return sorted(
            faces, key=lambda f: (natural_key(f.image.group), natural_key(f.image.name)), reverse=descending
        )
    return sorted(faces, key=lambda f: natural_key(f.image.name), reverse=descending)
