"""The gallery's identity checks from the catalog's cached embeddings.

:func:`gallery_identities` loads every embedded face of a source (or the whole
catalog), runs :func:`facecurator.domain.identity.check_gallery` with the
folder (``ImageRow.group``) as the person, and keeps the labels to name faces
in reasons and reports. The review passes its per-face findings to the rule
conditions (``identity_consistent``, ``enrolled_face``, ``no_duplicate``);
``facecurator report --identities`` and the export manifest use the same result.

Faces without an embedding (embeddings off, face too small, embedding failed)
have no findings: their identity conditions are ``unknown``.

The embedding code and the checks (NumPy) are imported when first used: the window imports
this module to read the stored verdicts, and most catalogs are opened without them.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facecurator.domain.protocols import Source
from facecurator.domain.rules import RuleSet
from facecurator.domain.rules.identity import DEFAULT_THRESHOLD
from facecurator.errors import FacecuratorError
from facecurator.services.catalog import Catalog, FaceRow, ImageRow

if TYPE_CHECKING:
    from facecurator.domain.identity import Embedder, FaceIdentity, FaceVector, IdentityReport


@dataclass(frozen=True, slots=True)
class GalleryIdentities:
    """The identity report of a gallery, with how each face is named."""

    report: IdentityReport
    #: face id -> "person/photo.jpg" (+ "#index" in a photo of several faces)
    labels: dict[Hashable, str]
    #: faces that have an embedding / all faces of the listed images
    embedded: int
    faces: int

    def of(self, face_id: int) -> FaceIdentity | None:
        return self.report.faces.get(face_id)

    def to_json(self) -> dict[str, Any]:
        from facecurator.detect.embed import EMBEDDER_KEY

        data = self.report.to_json(self.labels)
        data.update(embedder=EMBEDDER_KEY, embedded_faces=self.embedded, faces=self.faces)
        return data


log = logging.getLogger(__name__)

#: Listed images looked at to tell whether a source is filed one folder per person.
PERSON_FOLDER_SAMPLE = 200


def files_by_person(source: Source, sample: int = PERSON_FOLDER_SAMPLE) -> bool:
    """True when the source files its photos one folder per person: among the first
    ``sample`` listed images, one sits in a sub-folder (its folder names its person).

    A flat folder of photos is not: its folder is no person, so there is nothing to check.
    """
    return any("/" in ref.name.strip("/") for ref in itertools.islice(source.iter_images(), sample))


def default_embedder(source: Source, detector_name: str) -> Embedder | None:
    """The embedder a scan uses when the operator did not say (issue 14: on by default).

    On for the offline ``local`` detector on a source filed by person, when the models
    are installed (the embedding pass costs about a quarter of a local detection, measured
    by benchmarks/identity.py); off otherwise: a cloud detector's faces would be decoded
    a second time, and a flat folder has no person to check.
    """
    from facecurator.detect.embed import available as embed_available
    from facecurator.detect.embed import make_embedder

    if detector_name != "local" or not embed_available():
        return None
    try:
        if not files_by_person(source):
            return None
        return make_embedder()
    except FacecuratorError as exc:  # a listing error is the scan's to report, with its image
        log.info("face embeddings not on by default for %s: %s", source.root, exc)
        return None


def threshold_of(rules: RuleSet | None) -> float:
    """The rule set's identity_consistent limit, else the default (0.6)."""
    if rules is not None:
        for condition in rules.conditions:
            if condition.kind == "identity_consistent":
                return float(condition.max_distance)  # type: ignore[attr-defined]
    return DEFAULT_THRESHOLD


def uses_identity(rules: RuleSet) -> bool:
    """True when a condition of ``rules`` needs the identity checks."""
    return any(c.kind in ("identity_consistent", "enrolled_face", "no_duplicate") for c in rules.conditions)


def identities_if_embedded(
    catalog: Catalog, rules: RuleSet | None = None, *, source_root: str | None = None
) -> GalleryIdentities | None:
    """The identity checks when the catalog holds embeddings for these images, else None."""
    from facecurator.detect.embed_key import EMBEDDER_KEY  # (not NumPy: none is needed without embeddings)

    if not catalog.any_embeddings(EMBEDDER_KEY):
        return None
    found = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
    return found if found.embedded else None


def face_label(image: ImageRow, row: FaceRow, faces_in_image: int) -> str:
    return f"{image.name}#{row.index}" if faces_in_image > 1 else image.name


def gallery_identities(
    catalog: Catalog,
    *,
    source_root: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    embedder: str | None = None,
) -> GalleryIdentities:
    """Run the identity checks over the catalog's embedded faces (one source, or all);
    ``embedder``: the key of the stored embeddings (None: the offline embedder's)."""
    from facecurator.detect.embed import EMBEDDER_KEY, Embedding
    from facecurator.domain.identity import FaceVector, check_gallery, face_quality

    if embedder is None:
        embedder = EMBEDDER_KEY
    vectors, hashes = catalog.embeddings(embedder, source_root)
    images = {row.id: row for row in catalog.images(source_root=source_root) if row.status == "ok"}
    rows = [r for r in catalog.faces(source_root=source_root) if r.image_id in images]
    per_image: dict[int, int] = {}
    for r in rows:
        per_image[r.image_id] = per_image.get(r.image_id, 0) + 1
    shared = _shared_folder_names(images.values())
    labels: dict[Hashable, str] = {}
    embedded: list[FaceVector] = []
    for r in rows:
        image = images[r.image_id]
        qualified = image.group in shared
        label = face_label(image, r, per_image[r.image_id])
        if qualified:
            label = f"{_root(image)}/{label}"
        labels[r.id] = label
        stored = vectors.get(r.id)
        if stored is None:
            continue
        embedded.append(
            FaceVector(
                key=r.id,
                image=r.image_id,
                person=person_of(image, qualified=qualified),
                label=label,
                vector=Embedding.vector_from_bytes(stored[1]),
                quality=face_quality(r.face),
                phash=hashes.get(r.image_id),
            )
        )
    report = check_gallery(embedded, threshold)
    return GalleryIdentities(report=report, labels=labels, embedded=len(embedded), faces=len(rows))


def person_of(image: ImageRow, *, qualified: bool = False) -> str:
    """The person a photo is filed under: its folder (``ImageRow.group``).

    Two sources of one catalog may both hold an ``alice/`` folder: they are two
    persons, never merged. When the gallery holds such a shared folder name
    (``qualified``), the person is named by the folder's full path (the source
    root, then the folder: ``/data/team-a/alice``, ``oss://bucket/hr/alice``).
    """
    return f"{_root(image)}/{image.group}" if qualified else image.group


def _root(image: ImageRow) -> str:
    return image.source_root.rstrip("/") or "/"


def _shared_folder_names(images: Iterable[ImageRow]) -> set[str]:
    """Folder names that occur in more than one source of the gallery."""
    roots: dict[str, set[str]] = {}
    for image in images:
        roots.setdefault(image.group, set()).add(image.source_root)
    return {group for group, where in roots.items() if len(where) > 1}
