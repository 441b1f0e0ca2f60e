"""The catalog seen through a rule set: verdicts, summaries and bulk decisions.

Verdicts are computed from the stored faces whenever a view needs them
(:func:`evaluate` is the one evaluation), so changing a rule re-evaluates every
face with no new detection. The verdicts stored per rule set version
(:mod:`facecurator.services.browse`) are only a cache for SQL filters, sorts and counts.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facecurator.domain.face import Face
from facecurator.domain.rules import ImageContext, RuleSet, Verdict
from facecurator.errors import CatalogError
from facecurator.services.catalog import Catalog, FaceRow, ImageRow
from facecurator.services.catalog.bulk import UNNAMED_REASON
from facecurator.services.catalog.queries import image_of_faces, images_after, images_by_id
from facecurator.services.catalog.schema import DECISION_TABLES, DecisionState
from facecurator.services.export import ExportItem
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity

if TYPE_CHECKING:
    from facecurator.domain.identity import FaceIdentity  # NumPy: imported when the checks run

#: Bulk decisions are committed in chunks so progress can be reported durably: the first
#: chunk has BULK_CHUNK faces, each next one twice as many up to MAX_BULK_CHUNK (100 000
#: faces: 24 commits, not 500 disk syncs).
BULK_CHUNK = 200
MAX_BULK_CHUNK = 5000
#: A chunk of more distinct reasons than this (a rejection: each face's own) is written with
#: one prepared statement (``Catalog.decide_each``), not one statement group per reason.
MANY_REASONS = 8
#: Images per page of :func:`iter_review` (one page of rows in memory at a time).
PAGE = 500
#: Images of a walk's first page (its first image sooner: ``report --json``'s first byte).
FIRST_PAGE = 50


@dataclass(frozen=True, slots=True)
class ReviewedFace:
    row: FaceRow
    image: ImageRow
    verdict: Verdict
    #: the identity checks' findings for this face (None: not measured)
    identity: FaceIdentity | None = None

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def face(self) -> Face:
        return self.row.face

    @property
    def decision(self) -> str:
        return self.row.decision.state

    def to_json(self) -> dict[str, Any]:
        """The contract's face object: canonical fields + verdict + decision."""
        data = self.face.to_json()
        data.update(
            id=self.id,
            index=self.row.index,
            qualified=self.verdict.qualified,
            reasons=self.verdict.reasons,
            conditions=[
                {"condition": r.condition, "outcome": r.outcome, "reason": r.reason}
                for r in self.verdict.results
            ],
            decision=self.decision,
            decision_reason=self.row.decision.reason,
            decided_by=self.row.decision.who,
            decided_at=self.row.decision.at,
        )
        if self.identity is not None:
            data["identity_check"] = self.identity.to_json()
        return data


@dataclass(frozen=True, slots=True)
class ReviewedImage:
    row: ImageRow
    faces: list[ReviewedFace]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.row.id,
            "source": self.row.uri,
            "name": self.row.name,
            "group": self.row.group,
            "width": self.row.width,
            "height": self.row.height,
            "status": self.row.status,
            "error": self.row.error,
            "detector": self.row.detector,
            "faces": [face.to_json() for face in self.faces],
        }


def review(
    catalog: Catalog,
    rules: RuleSet,
    *,
    source_root: str | None = None,
    image_ids: Sequence[int] | None = None,
    identities: GalleryIdentities | None = None,
) -> list[ReviewedImage]:
    """Every (present) image with its faces evaluated under ``rules``, in catalog order.

    With ``image_ids``, only those images are read (a page of a view: the cost is
    the page's, not the catalog's). ``identities`` (see :mod:`facecurator.services.identity`)
    feeds the identity conditions; when the rule set has one and none is given, it is
    computed here over the whole source (pass it in when reading many pages).
    """
    if identities is None and uses_identity(rules):
        identities = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
    if image_ids is not None:
        images = [
            row
            for row in images_by_id(catalog, list(dict.fromkeys(image_ids)))
            if row.status != "missing" and (source_root is None or row.source_root == source_root)
        ]
        images.sort(key=lambda row: (row.source_root, row.name, row.id))
    else:
        images = [row for row in catalog.images(source_root=source_root) if row.status != "missing"]
    by_image: dict[int, list[FaceRow]] = defaultdict(list)
    face_rows = (
        catalog.faces(image_ids=[row.id for row in images])
        if image_ids is not None
        else catalog.faces(source_root=source_root)
    )
    for face_row in face_rows:
        by_image[face_row.image_id].append(face_row)
    return evaluate(
        [(image, by_image.get(image.id, [])) for image in images],
        rules,
        identity_of=identities.of if identities is not None else None,
    )


def evaluate(
    images: Sequence[tuple[ImageRow, Sequence[FaceRow]]],
    rules: RuleSet,
    *,
    identity_of: Callable[[int], FaceIdentity | None] | None = None,
    chunk: int | None = None,
    between_chunks: Callable[[], None] | None = None,
) -> list[ReviewedImage]:
    """The one evaluation of stored faces under ``rules`` (review(), the GUI store).

    Only images read successfully have faces; each face sees its image's face count
    and, when ``identity_of`` knows it, its identity check. ``between_chunks`` is
    called every ``chunk`` faces (a caller may raise there to stop early).
    """
    pairs: list[tuple[ImageRow, FaceRow, FaceIdentity | None]] = []
    to_evaluate: list[tuple[Face, ImageContext]] = []
    for image, rows in images:
        rows = rows if image.status == "ok" else []
        context = ImageContext(face_count=len(rows))
        for row in rows:
            found = identity_of(row.id) if identity_of is not None else None
            pairs.append((image, row, found))
            to_evaluate.append((row.face, context if found is None else ImageContext(len(rows), found)))
    step = chunk or max(1, len(to_evaluate))
    verdicts: list[Verdict] = []
    for start in range(0, len(to_evaluate), step):
        if between_chunks is not None:
            between_chunks()
        verdicts.extend(rules.evaluate_many(to_evaluate[start : start + step]))
    faces_of: dict[int, list[ReviewedFace]] = defaultdict(list)
    for (image, row, found), verdict in zip(pairs, verdicts, strict=True):
        faces_of[image.id].append(ReviewedFace(row, image, verdict, found))
    return [ReviewedImage(image, faces_of.get(image.id, [])) for image, _ in images]


def iter_review(
    catalog: Catalog,
    rules: RuleSet,
    *,
    source_root: str | None = None,
    image_ids: Sequence[int] | None = None,
    page: int = PAGE,
    identities: GalleryIdentities | None = None,
) -> Iterator[ReviewedImage]:
    """:func:`review`, streamed: one page of images in memory at a time, whatever the catalog's size.

    Without ``image_ids`` the pages follow the catalog order by key (no id list is held).
    The identity checks (when the rule set has one) are computed once, not per page.
    """
    if identities is None and uses_identity(rules):
        identities = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
    if image_ids is not None:
        for start in range(0, len(image_ids), page):
            ids = image_ids[start : start + page]
            yield from review(catalog, rules, source_root=source_root, image_ids=ids, identities=identities)
        return
    roots = [source_root] if source_root is not None else catalog.source_roots()
    size = min(page, FIRST_PAGE)
    for root in roots:
        after: tuple[str, int] | None = None
        while True:
            rows = images_after(catalog, root, after, size)
            size = page
            if not rows:
                break
            after = (rows[-1].name, rows[-1].id)
            yield from review(catalog, rules, image_ids=[row.id for row in rows], identities=identities)


def all_faces(images: Iterable[ReviewedImage]) -> list[ReviewedFace]:
    return [face for image in images for face in image.faces]


def summary(images: Sequence[ReviewedImage]) -> dict[str, int]:
    """The contract's ``summary`` object."""
    faces = all_faces(images)
    return {
        "images": len(images),
        "errors": sum(1 for image in images if image.row.status == "error"),
        "faces": len(faces),
        "qualified": sum(1 for face in faces if face.verdict.qualified),
        "accepted": sum(1 for face in faces if face.decision == "accepted"),
        "rejected": sum(1 for face in faces if face.decision == "rejected"),
        "pending": sum(1 for face in faces if face.decision == "pending"),
    }


def bulk_targets(faces: Iterable[ReviewedFace], *, qualified: bool) -> list[int]:
    """Pending faces whose verdict is ``qualified`` (manual decisions are never overridden)."""
    return [face.id for face in faces if face.decision == "pending" and face.verdict.qualified is qualified]


@dataclass(frozen=True, slots=True)
class BulkDecision:
    """What one bulk action did: the faces it decided and the catalog batches it created.

    ``count``: the faces it decided; ``skipped``: its targets no longer pending when
    their chunk was written (someone else, e.g. another process, decided them first) or
    held by another operator (left to them: :mod:`.catalog.assign`);
    ``total``: its targets. ``batch_ids`` is the action's undo step (:func:`undo_step`):
    a front end keeps it as given and never counts chunks or batches itself.
    """

    count: int
    batch_ids: tuple[int, ...] = ()
    skipped: int = 0
    total: int = 0


def decide_in_chunks(
    catalog: Catalog,
    decisions: Sequence[tuple[int, str | None]],
    state: str,
    *,
    who: str | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    prepared: bool = False,
    include_held: bool = False,
) -> BulkDecision:
    """Decide ``(face_id, reason)`` pairs in committed chunks under ONE audit batch.

    Before the first chunk the catalog is backed up (at most daily) or fully
    checked: a damaged catalog is refused. The batch stays open while the chunks
    are written and is complete at the end (even when a chunk fails), so one undo
    reverts the whole action and an undo meanwhile is refused instead of splitting
    it. Only faces still pending when their chunk is written are decided, and of those
    only the ones no other operator holds unless ``include_held`` (see :mod:`.catalog.assign`).
    ``on_chunk(done, total)`` runs after each commit, so whatever it reports is on
    disk. ``on_batch(batch_id)`` runs once, as soon as the batch's first chunk is
    committed: a caller whose action fails half-way still knows what to undo.

    Raises:
        BatchUndoneError: the batch was undone meanwhile (its writer was taken for
            gone); the remaining faces are left as they are.
        CatalogDamagedError: the catalog is damaged; nothing was decided.
    """
    from facecurator.services.catalog.assign import me as operator

    if not decisions:
        return BulkDecision(0)
    if not prepared:  # (the caller ran it before writing anything itself)
        catalog.prepare_bulk_change(DECISION_TABLES)
    done = changed = skipped = 0
    batch_id = 0
    try:
        start, size = 0, BULK_CHUNK
        while start < len(decisions):
            chunk = decisions[start : start + size]
            start, size = start + len(chunk), min(size * 2, MAX_BULK_CHUNK)
            by_reason: dict[str | None, list[int]] = defaultdict(list)
            for face_id, reason in chunk:
                by_reason[reason].append(face_id)
            opened = 0
            with catalog.transaction():
                if len(by_reason) > MANY_REASONS:  # each face its own (a rejection): one statement
                    me = None if include_held else (who or operator())
                    written_batch, count = catalog.decide_each(
                        chunk, state, who=who, batch_id=batch_id or None, me=me  # type: ignore[arg-type]
                    )  # fmt: skip
                    opened = written_batch if written_batch and not batch_id else 0
                    batch_id = written_batch or batch_id
                    changed, skipped = changed + count, skipped + len(chunk) - count
                for reason, ids in by_reason.items() if len(by_reason) <= MANY_REASONS else ():
                    written = catalog.decide_chunk(
                        ids, state, reason=reason, who=who, batch_id=batch_id or None,  # type: ignore[arg-type]
                        include_held=include_held,
                    )  # fmt: skip
                    if written.batch_id and not batch_id:
                        opened = written.batch_id
                    batch_id = written.batch_id or batch_id
                    changed += len(written.changed)
                    skipped += len(written.skipped)
            if opened and on_batch:
                on_batch(opened)
            done += len(chunk)
            if on_chunk:
                on_chunk(done, len(decisions))
    finally:
        if batch_id:
            with contextlib.suppress(CatalogError):
                catalog.finish_batch(batch_id)
    return BulkDecision(changed, (batch_id,) if batch_id else (), skipped, len(decisions))


def undo_step(catalog: Catalog, batch_ids: Sequence[int], *, who: str | None = None) -> list[int]:
    """Undo one operator action: exactly the batches it created (newest first), whatever
    was decided since by this or another process. Returns the restored face ids ([] when
    the step was undone already)."""
    restored: list[int] = []
    for batch_id in sorted(set(batch_ids), reverse=True):
        restored.extend(catalog.undo(batch_id=batch_id, who=who) or [])
    return restored


def accept_qualified(
    catalog: Catalog,
    rules: RuleSet,
    face_ids: Sequence[int] | None = None,
    *,
    who: str | None = None,
    source_root: str | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    include_held: bool = False,
) -> BulkDecision:
    """Accept every pending qualified face (of ``face_ids`` when given). Faces another
    operator holds are left as they are unless ``include_held`` (see :mod:`.catalog.assign`)."""
    if face_ids is None and not uses_identity(rules):
        return _decide_by_stored_verdicts(
            catalog, rules, True, "accepted", "qualified", who=who, source_root=source_root,
            on_chunk=on_chunk, on_batch=on_batch, include_held=include_held,
        )  # fmt: skip
    targets = [
        (face_id, "qualified")
        for face_id in bulk_targets(_scope(catalog, rules, source_root, face_ids), qualified=True)
    ]
    return decide_in_chunks(
        catalog, targets, "accepted", who=who, on_chunk=on_chunk, on_batch=on_batch, include_held=include_held
    )


#: The largest chunk of a bulk decision by stored verdict (one statement each, committed;
#: the first has BULK_CHUNK faces, each next one twice as many).
MAX_STORED_CHUNK = 50_000


def _decide_by_stored_verdicts(
    catalog: Catalog,
    rules: RuleSet,
    qualified: bool,
    state: DecisionState,
    reason: str | None,
    *,
    who: str | None,
    source_root: str | None,
    on_chunk: Callable[[int, int], None] | None,
    on_batch: Callable[[int], None] | None,
    include_held: bool,
) -> BulkDecision:
    """A bulk decision of a whole source by its stored verdicts (the missing ones evaluated and
    stored first, in SQL when the rule set allows), in committed chunks of face ids under ONE
    audit batch, complete at the end (even when a chunk fails): ``BULK_CHUNK`` targets, then twice
    as many up to ``MAX_STORED_CHUNK`` (each commit's write lock stays short), each chunk one
    set-based statement (the faces still pending when it is written). On PostgreSQL one statement
    counts the targets and finds where each chunk ends, and each chunk is its face id range; on
    SQLite the targets are counted and each chunk is the next ones by face id (``LIMIT``). Without a
    ``reason``, each face's audit reason is its failing reasons as stored with its verdict
    (:func:`reasons_text`; computed first where missing: :func:`fill_reasons`)."""
    from facecurator.services import browse  # browse builds on this module
    from facecurator.services.catalog import bulk
    from facecurator.services.catalog.assign import me as operator

    catalog.prepare_bulk_change(
        DECISION_TABLES
    )  # storing verdicts is a write: a damaged catalog is refused first
    browse.fill_verdicts(catalog, rules, source_root=source_root)
    ruleset = browse.ruleset_id(catalog, rules)
    if reason is None:
        browse.fill_reasons(catalog, rules, source_root=source_root)
    me = None if include_held else (who or operator())
    # the targets include the faces others hold: those left to them are reported as skipped
    sizes = [min(BULK_CHUNK << k, MAX_STORED_CHUNK) for k in range(_chunks_of(catalog))]
    ends: list[int] | None = None  # (SQLite: chunks by LIMIT; counting cheaper than planning)
    if catalog.dialect == "postgresql":
        total, ends = bulk.stored_target_plan(
            catalog, ruleset, qualified=qualified, source_root=source_root, me=me,
            reasoned=reason is None, sizes=sizes,
        )  # fmt: skip
    else:
        total = bulk.count_stored_targets(
            catalog, ruleset, qualified=qualified, source_root=source_root, me=None, reasoned=reason is None
        )
    if not total:
        return BulkDecision(0)
    done = after = 0
    batch_id = 0
    try:
        for k in range(len(sizes) if ends is None else len(ends)):
            upto, limit = (None, sizes[k]) if ends is None else (ends[k], 0)
            opened, changed, last = catalog.decide_by_verdict(
                ruleset=ruleset, qualified=qualified, after=after, limit=limit, upto=upto, state=state,
                reason=reason, who=who, batch_id=batch_id or None, source_root=source_root, me=me,
            )  # fmt: skip
            if upto is None and last == after:
                break  # no target left: the rest was decided by someone else meanwhile
            after = last if upto is None else upto
            if opened and not batch_id:
                batch_id = opened
                if on_batch:
                    on_batch(opened)
            done += changed
            if on_chunk:
                on_chunk(min(done, total), total)
            if upto is None and done >= total:
                break
    finally:
        if batch_id:
            with contextlib.suppress(CatalogError):
                catalog.finish_batch(batch_id)
    return BulkDecision(done, (batch_id,) if batch_id else (), max(0, total - done), total)


def _chunks_of(catalog: Catalog) -> int:
    """How many chunk sizes a bulk decision's plan may need: enough for every face of the catalog."""
    from facecurator.services.catalog import bulk

    low, high = bulk.id_bounds(catalog, "faces")
    chunks, covered = 0, 0
    while covered <= high - low:
        covered += min(BULK_CHUNK << chunks, MAX_STORED_CHUNK)
        chunks += 1
    return chunks


def reasons_text(verdict: Verdict) -> str:
    """Why a face is not qualified, in one line ('' when it is): stored with its verdict, and the
    audit reason of its rejection (:data:`UNNAMED_REASON` when empty)."""
    return "; ".join(verdict.reasons)


def _rejection(face: ReviewedFace) -> tuple[int, str]:
    """A rejected face's audit row: its id and why it is not qualified."""
    return face.id, reasons_text(face.verdict) or UNNAMED_REASON


def reject_unqualified(
    catalog: Catalog,
    rules: RuleSet,
    face_ids: Sequence[int] | None = None,
    *,
    who: str | None = None,
    source_root: str | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    include_held: bool = False,
) -> BulkDecision:
    """Reject every pending unqualified face; each audit row records its failing reasons.
    Faces another operator holds are left as they are unless ``include_held``."""
    if face_ids is None and not uses_identity(rules):
        return _decide_by_stored_verdicts(
            catalog, rules, False, "rejected", None, who=who, source_root=source_root,
            on_chunk=on_chunk, on_batch=on_batch, include_held=include_held,
        )  # fmt: skip
    targets = [
        _rejection(face)
        for face in _scope(catalog, rules, source_root, face_ids)
        if face.decision == "pending" and not face.verdict.qualified
    ]
    return decide_in_chunks(
        catalog, targets, "rejected", who=who, on_chunk=on_chunk, on_batch=on_batch, include_held=include_held
    )


def _scope(
    catalog: Catalog, rules: RuleSet, source_root: str | None, face_ids: Sequence[int] | None
) -> Iterator[ReviewedFace]:
    """The reviewed faces of a source (of ``face_ids`` when given), streamed a page at a time."""
    if face_ids is None:
        for image in iter_review(catalog, rules, source_root=source_root):
            yield from image.faces
        return
    wanted = set(face_ids)
    image_ids = sorted(set(image_of_faces(catalog, wanted).values()))
    for image in iter_review(catalog, rules, source_root=source_root, image_ids=image_ids):
        yield from (face for face in image.faces if face.id in wanted)


def export_items(faces: Iterable[ReviewedFace]) -> list[ExportItem]:
    """Map reviewed faces to the export's plain data (pending faces included; export skips them)."""
    items = []
    for face in faces:
        items.append(
            ExportItem(
                face_id=face.id,
                image_uri=face.image.uri,
                image_name=face.image.name,
                group=face.image.group,
                image_width=face.image.width,
                image_height=face.image.height,
                face_index=face.row.index,
                face=face.face,
                qualified=face.verdict.qualified,
                rule_results=[
                    {"condition": r.condition, "outcome": r.outcome, "reason": r.reason}
                    for r in face.verdict.results
                ],
                decision=face.decision,
                decision_reason=face.row.decision.reason,
                decided_by=face.row.decision.who,
                decided_at=face.row.decision.at,
                reasons=list(face.verdict.reasons),
                identity_check=None if face.identity is None else face.identity.to_json(),
            )
        )
    return items
