"""Browsing a large catalog through a rule set: stored verdicts, lazy pages, streamed walks.

The views (gallery, triage, ``report``, ``decide``, ``export``) never hold the
whole catalog as objects. They hold ids from
:mod:`facecurator.services.catalog.queries` and fetch the rows they show with
:func:`facecurator.services.review.review` (``image_ids=``), which evaluates
those faces as they are read: the one review of the code base.

Filters and sorts that depend on verdicts (qualified / unqualified / unknown,
"most problems") read verdicts stored per (rule set version, face). A rule set
version is the hash of its TOML and of the code version, so an edited rule or a
new release never reads stale verdicts; :func:`fill_verdicts` computes the
missing ones in chunks, the images asked for first (the visible rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final, Literal

from facecurator import __version__
from facecurator.domain.face import BLUR_SCALE_MODERATION_2, Face
from facecurator.domain.filter_sql import encode_outcomes
from facecurator.domain.rules import ImageContext, RuleSet, Verdict, convert_blur
from facecurator.domain.rules.verdict_sql import VerdictSql, verdict_sql
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import queries as q
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity
from facecurator.services.review import PAGE, ReviewedFace, ReviewedImage, iter_review, reasons_text, review

FaceStatus = Literal["qualified", "unqualified", "unknown"]

#: Images evaluated (and their verdicts committed) per step of :func:`fill_verdicts`.
FILL_CHUNK: Final = 1000


def verdict_status(verdict: Verdict | None) -> FaceStatus:
    """Qualified, unqualified (some condition failed) or unknown (not evaluated / only unknowns)."""
    if verdict is None:
        return "unknown"
    if verdict.qualified:
        return "qualified"
    if any(result.outcome == "fail" for result in verdict.results):
        return "unqualified"
    return "unknown"


def verdict_outcomes(verdict: Verdict | None) -> str:
    """The verdict's per-condition outcomes as stored with it (``""``: not evaluated)."""
    if verdict is None:
        return ""
    return encode_outcomes((result.condition, result.outcome) for result in verdict.results)


def blur_100(face: Face) -> float | None:
    """The face's blur on the 0-100 scale (the core's documented mapping), None when unmappable."""
    if face.blur is None:
        return None
    return convert_blur(face.blur.value, face.blur.scale, BLUR_SCALE_MODERATION_2)


def ruleset_key(rules: RuleSet) -> str:
    """The version of a rule set whose stored verdicts are valid: its TOML and the code version."""
    digest = hashlib.sha256(f"{__version__}\n{rules.name}\n{rules.to_toml()}".encode())
    return digest.hexdigest()[:24]


def ruleset_id(catalog: Catalog, rules: RuleSet, *, create: bool = True) -> int:
    """The catalog's id of this rule set version (see :func:`ruleset_key`; ``create=False``:
    0 when it has none yet)."""
    return q.ruleset_id(catalog, ruleset_key(rules), rules.name, create=create)


def store_verdicts(catalog: Catalog, ruleset: int, images: Iterable[ReviewedImage]) -> int:
    """Store the verdicts of reviewed images under a rule set version; the number of faces."""
    rows = [
        (
            face.id,
            q.STATUS_CODES[verdict_status(face.verdict)],
            blur_100(face.face),
            verdict_outcomes(face.verdict),
            reasons_text(face.verdict),
        )
        for image in images
        for face in image.faces
    ]
    q.put_verdicts(catalog, ruleset, rows)
    return len(rows)


def fill_verdicts(
    catalog: Catalog,
    rules: RuleSet,
    *,
    source_root: str | None = None,
    first: Sequence[int] = (),
    chunk: int = FILL_CHUNK,
    is_stale: Callable[[], bool] | None = None,
    progress: Callable[[int], None] | None = None,
    identities: GalleryIdentities | None = None,
) -> bool:
    """Compute and store every missing verdict of ``rules`` over a source (None: the catalog).

    Args:
        first: image ids to evaluate before the others (the rows on screen).
        chunk: images per committed step.
        is_stale: checked between steps; when it returns True the fill stops.
        progress: called with the number of faces stored so far after each step.
        identities: the identity checks of the source (computed once here when the rule
            set has an identity condition and none is given).

    Returns:
        True when every verdict is stored, False when stopped by ``is_stale``.
    """
    ruleset = ruleset_id(catalog, rules)
    in_sql = None if uses_identity(rules) else verdict_sql(rules, bulk.FACE_COLUMNS)
    if in_sql is not None:
        return _fill_in_sql(catalog, ruleset, in_sql, source_root, first, is_stale, progress)
    if identities is None and uses_identity(rules):
        identities = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
    done = 0
    for start in range(0, len(first), chunk):
        if is_stale is not None and is_stale():
            return False
        page = first[start : start + chunk]
        done += store_verdicts(
            catalog, ruleset, review(catalog, rules, image_ids=page, identities=identities)
        )
    after = 0  # by image id, never rescanning what was filled
    while True:
        if is_stale is not None and is_stale():
            return False
        ids = q.images_missing_verdicts(
            catalog, ruleset, source_root=source_root, limit=chunk, after_id=after
        )
        if not ids:
            # a last look at every image (those changed meanwhile behind the walk), the open's look:
            # the catalog's name order here was 6.1-6.5 s CPU at 1M / 3M on SQLite, this 1.35 s
            if not bulk.any_missing_verdict(catalog, ruleset, source_root=source_root):
                return True
            after = 0
            continue
        after = max(ids)
        done += store_verdicts(catalog, ruleset, review(catalog, rules, image_ids=ids, identities=identities))
        if progress is not None:
            progress(done)


#: Images per statement of the SQL fill (each a few tenths of a second at most: a stale fill
#: stops soon, and a GUI's writes wait no longer than that).
SQL_FILL_CHUNK: Final = 10_000


def _fill_in_sql(
    catalog: Catalog,
    ruleset: int,
    in_sql: VerdictSql,
    source_root: str | None,
    first: Sequence[int],
    is_stale: Callable[[], bool] | None,
    progress: Callable[[int], None] | None,
) -> bool:
    """:func:`fill_verdicts` of a rule set with a SQL form: ``first`` in one statement, then
    the catalog's images by id range, one committed statement per :data:`SQL_FILL_CHUNK` --
    unless one look finds no face without its verdict (a reopen's fill, ``decide``'s: at 1M / 3M
    on PostgreSQL the walk's 100 statements took 27.6 s to store nothing, the look 2.5-2.9 s;
    load 12-15)."""
    done = 0
    if first:
        if is_stale is not None and is_stale():
            return False
        done += bulk.store_verdicts_sql(catalog, ruleset, in_sql, source_root=source_root, image_ids=first)
    if not bulk.any_missing_verdict(catalog, ruleset, source_root=source_root):
        return True
    low, high = bulk.id_bounds(catalog, "images")
    for start in range(low, high + 1, SQL_FILL_CHUNK):
        if is_stale is not None and is_stale():
            return False
        done += bulk.store_verdicts_sql(
            catalog, ruleset, in_sql, source_root=source_root, id_range=(start, start + SQL_FILL_CHUNK - 1)
        )
        if progress is not None:
            progress(done)
    return True


#: Faces whose reasons are made and stored per committed step of :func:`fill_reasons`.
REASONS_CHUNK: Final = 5000


def fill_reasons(
    catalog: Catalog,
    rules: RuleSet,
    *,
    source_root: str | None = None,
    chunk: int | None = None,
    is_stale: Callable[[], bool] | None = None,
    identities: GalleryIdentities | None = None,
) -> bool:
    """Store the reasons of every stored verdict of ``rules`` that is not qualified and has none
    yet (a verdict stored in SQL), a chunk of faces at a time (constant memory): each face
    evaluated once by the one evaluation (:meth:`RuleSet.evaluate_many`, with its image's face
    count and, for rules that use them, its identity checks, as :func:`~.review.evaluate` gives
    them). A verdict stored in Python has its reasons already (:func:`store_verdicts`).
    ``chunk``: faces per committed step (default :data:`REASONS_CHUNK`).

    Returns True when every such verdict has its reasons, False when stopped by ``is_stale``.
    """
    ruleset = ruleset_id(catalog, rules)
    chunk = chunk or REASONS_CHUNK
    after = 0
    while True:
        if is_stale is not None and is_stale():
            return False
        faces = bulk.unreasoned_faces(catalog, ruleset, after=after, limit=chunk, source_root=source_root)
        if not faces:
            return True
        if identities is None and uses_identity(rules):  # (only when a face needs them)
            identities = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
        identity_of = identities.of if identities is not None else None
        verdicts = rules.evaluate_many(
            (face, ImageContext(count, identity_of(face_id) if identity_of is not None else None))
            for face_id, face, count in faces
        )
        ids = [face_id for face_id, _, _ in faces]
        bulk.put_reasons(catalog, ruleset, list(zip(ids, map(reasons_text, verdicts), strict=True)))
        after = faces[-1][0]


def iter_faces(
    catalog: Catalog, rules: RuleSet, *, source_root: str | None = None, page: int = PAGE
) -> Iterator[ReviewedFace]:
    """The faces of :func:`~facecurator.services.review.iter_review`, one page of images at a time."""
    for image in iter_review(catalog, rules, source_root=source_root, page=page):
        yield from image.faces


class SummaryCounter:
    """The contract's ``summary`` object, counted as images stream past."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(
            ("images", "errors", "faces", "qualified", "accepted", "rejected", "pending"), 0
        )

    def add(self, image: ReviewedImage) -> ReviewedImage:
        counts = self.counts
        counts["images"] += 1
        counts["errors"] += image.row.status == "error"
        for face in image.faces:
            counts["faces"] += 1
            counts["qualified"] += face.verdict.qualified
            counts[face.decision] += 1
        return image
