"""The catalog seen through a rule set: verdicts, summaries and bulk decisions.

Verdicts are never stored: they are computed from the stored faces whenever a
view needs them, so changing a rule re-evaluates every face at once with no
new detection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from facecurator.domain.face import Face
from facecurator.domain.identity import FaceIdentity
from facecurator.domain.rules import ImageContext, RuleSet, Verdict
from facecurator.services.catalog import Catalog, FaceRow, ImageRow
from facecurator.services.catalog.queries import image_of_faces, images_after, images_by_id
from facecurator.services.export import ExportItem
from facecurator.services.identity import GalleryIdentities, gallery_identities, threshold_of, uses_identity

#: Bulk decisions are committed in chunks so progress can be reported durably.
BULK_CHUNK = 200
#: Images per page of :func:`iter_review` (one page of rows in memory at a time).
PAGE = 500


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
    pairs: list[tuple[ImageRow, FaceRow]] = []
    to_evaluate = []
    for image in images:
        rows = by_image.get(image.id, []) if image.status == "ok" else []
        context = ImageContext(face_count=len(rows))
        for row in rows:
            pairs.append((image, row))
            found = identities.of(row.id) if identities is not None else None
            to_evaluate.append((row.face, context if found is None else ImageContext(len(rows), found)))
    verdicts = rules.evaluate_many(to_evaluate)
    faces_of: dict[int, list[ReviewedFace]] = defaultdict(list)
    for (image, row), verdict in zip(pairs, verdicts, strict=True):
        found = identities.of(row.id) if identities is not None else None
        faces_of[image.id].append(ReviewedFace(row, image, verdict, found))
    return [ReviewedImage(image, faces_of.get(image.id, [])) for image in images]


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
    for root in roots:
        after: tuple[str, int] | None = None
        while True:
            rows = images_after(catalog, root, after, page)
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

    ``batch_ids`` is the action's undo step (:func:`undo_step`): a front end keeps it
    as given and never counts chunks or batches itself.
    """

    count: int
    batch_ids: tuple[int, ...] = ()


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

    ``on_chunk(done, total)`` runs after each commit, so whatever it reports is on
    disk; the whole bulk action is still undone as one. ``on_batch(batch_id)`` runs
    once per batch created, as soon as it is committed: a caller whose action fails
    half-way still knows what to undo.
    """
    done = 0
    batch_ids: list[int] = []
    for start in range(0, len(decisions), BULK_CHUNK):
        chunk = decisions[start : start + BULK_CHUNK]
        by_reason: dict[str | None, list[int]] = defaultdict(list)
        for face_id, reason in chunk:
            by_reason[reason].append(face_id)
        new: list[int] = []
        with catalog.transaction():
            for reason, ids in by_reason.items():
                current = batch_ids[0] if batch_ids else (new[0] if new else None)
                batch_id = catalog.decide(ids, state, reason=reason, who=who, batch_id=current)  # type: ignore[arg-type]
                if batch_id and batch_id not in batch_ids and batch_id not in new:
                    new.append(batch_id)
        batch_ids.extend(new)
        for batch_id in new:
            if on_batch:
                on_batch(batch_id)
        done += len(chunk)
        if on_chunk:
            on_chunk(done, len(decisions))
    return BulkDecision(done, tuple(batch_ids))


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
    targets = [
        (face.id, "qualified")
        for face in _scope(catalog, rules, source_root, face_ids)
        if face.decision == "pending" and face.verdict.qualified
    ]
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
    targets = [
        (face.id, "; ".join(face.verdict.reasons) or "unqualified")
        for face in _scope(catalog, rules, source_root, face_ids)
        if face.decision == "pending" and not face.verdict.qualified
    ]
    return decide_in_chunks(catalog, targets, "rejected", who=who, on_chunk=on_chunk, on_batch=on_batch)


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
