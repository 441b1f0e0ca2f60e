"""The catalog seen through a rule set: verdicts, summaries and bulk decisions.

Verdicts are never stored: they are computed from the stored faces whenever a
view needs them, so changing a rule re-evaluates every face at once with no
new detection.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from facecurator.domain.face import Face
from facecurator.domain.identity import FaceIdentity
from facecurator.domain.rules import ImageContext, RuleSet, Verdict
from facecurator.errors import CatalogError
from facecurator.services.catalog import Catalog, FaceRow, ImageRow
from facecurator.services.export import ExportItem
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity

#: Bulk decisions are committed in chunks so progress can be reported durably.
BULK_CHUNK = 200


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
    """Every (present) image with its faces evaluated under ``rules``.

    ``identities`` (see :mod:`facecurator.services.identity`) feeds the identity
    conditions; when the rule set has one and none is given, it is computed here.
    """
    if identities is None and uses_identity(rules):
        identities = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
    images = [row for row in catalog.images(source_root=source_root) if row.status != "missing"]
    if image_ids is not None:
        wanted = set(image_ids)
        images = [row for row in images if row.id in wanted]
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
    their chunk was written (someone else, e.g. another process, decided them first);
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
) -> BulkDecision:
    """Decide ``(face_id, reason)`` pairs in committed chunks under ONE audit batch.

    Before the first chunk the catalog is backed up (at most daily) or fully
    checked: a damaged catalog is refused. The batch stays open while the chunks
    are written and is complete at the end (even when a chunk fails), so one undo
    reverts the whole action and an undo meanwhile is refused instead of splitting
    it. Only faces still pending when their chunk is written are decided.
    ``on_chunk(done, total)`` runs after each commit, so whatever it reports is on
    disk. ``on_batch(batch_id)`` runs once, as soon as the batch's first chunk is
    committed: a caller whose action fails half-way still knows what to undo.

    Raises:
        BatchUndoneError: the batch was undone meanwhile (its writer was taken for
            gone); the remaining faces are left as they are.
        CatalogDamagedError: the catalog is damaged; nothing was decided.
    """
    if not decisions:
        return BulkDecision(0)
    catalog.prepare_bulk_change()
    done = changed = skipped = 0
    batch_id = 0
    try:
        for start in range(0, len(decisions), BULK_CHUNK):
            chunk = decisions[start : start + BULK_CHUNK]
            by_reason: dict[str | None, list[int]] = defaultdict(list)
            for face_id, reason in chunk:
                by_reason[reason].append(face_id)
            opened = 0
            with catalog.transaction():
                for reason, ids in by_reason.items():
                    written = catalog.decide_chunk(
                        ids, state, reason=reason, who=who, batch_id=batch_id or None  # type: ignore[arg-type]
                    )
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
) -> BulkDecision:
    """Accept every pending qualified face (of ``face_ids`` when given)."""
    faces = _scope(review(catalog, rules, source_root=source_root), face_ids)
    targets = [(face_id, "qualified") for face_id in bulk_targets(faces, qualified=True)]
    return decide_in_chunks(catalog, targets, "accepted", who=who, on_chunk=on_chunk, on_batch=on_batch)


def reject_unqualified(
    catalog: Catalog,
    rules: RuleSet,
    face_ids: Sequence[int] | None = None,
    *,
    who: str | None = None,
    source_root: str | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> BulkDecision:
    """Reject every pending unqualified face; each audit row records its failing reasons."""
    faces = _scope(review(catalog, rules, source_root=source_root), face_ids)
    targets = [
        (face.id, "; ".join(face.verdict.reasons) or "unqualified")
        for face in faces
        if face.decision == "pending" and not face.verdict.qualified
    ]
    return decide_in_chunks(catalog, targets, "rejected", who=who, on_chunk=on_chunk, on_batch=on_batch)


def _scope(images: Sequence[ReviewedImage], face_ids: Sequence[int] | None) -> list[ReviewedFace]:
    faces = all_faces(images)
    if face_ids is None:
        return faces
    wanted = set(face_ids)
    return [face for face in faces if face.id in wanted]


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
