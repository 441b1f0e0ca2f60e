"""What an export takes and returns (plain data), and its public settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from facecurator.domain.face import Face

EXPORT_FORMATS: Final = ("folders", "coco", "vggface2")
MANIFEST_SCHEMA_VERSION: Final = 1
MANIFEST_JSON: Final = "manifest.json"
MANIFEST_CSV: Final = "manifest.csv"
COCO_JSON: Final = "annotations.coco.json"
LOOSE_BB_CSV: Final = "bb_landmark/loose_bb.csv"
LOOSE_LANDMARK_CSV: Final = "bb_landmark/loose_landmark.csv"
#: Points per face in loose_landmark.csv (VGGFace2's layout: eyes, nose tip, mouth corners).
VGG_LANDMARKS: Final = 5
DEFAULT_MARGIN: Final = 0.4
MAX_MARGIN: Final = 5.0
JPEG_QUALITY: Final = 95


@dataclass(frozen=True)
class ExportItem:
    """One face to consider for export, as plain data (no catalog dependency).

    ``image_width``/``image_height`` are the upright size recorded at scan time
    (None if unknown); a different size at export means the file changed since
    its faces were detected, and the image fails rather than being cropped at
    stale boxes. ``rule_results`` are ``{"condition", "outcome", "reason"}``.
    """

    face_id: int
    image_uri: str
    image_name: str
    group: str
    image_width: int | None
    image_height: int | None
    face_index: int
    face: Face
    qualified: bool
    rule_results: list[dict[str, Any]]
    decision: str
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    #: why the face is not qualified (``Verdict.reasons``, which knows the rule set's
    #: unknown policy); None: derived from the non-pass rule results
    reasons: list[str] | None = None
    #: the identity checks' findings (``FaceIdentity.to_json()``), None when not measured
    identity_check: dict[str, Any] | None = None


@dataclass(frozen=True)
class ExportSummary:
    """What an export did.

    ``failed`` lists ``(image uri, reason)`` for images that could not be read
    or decoded and faces that could not be cropped; ``files`` counts every file
    written (crops, copies, manifests, CSVs); ``notes`` reports housekeeping
    (leftovers of an interrupted export removed or restored).
    """

    dest: str
    format: str
    exported: int
    skipped_pending: int
    failed: list[tuple[str, str]]
    files: int
    manifest_path: str
    skipped_rejected: int = 0
    notes: list[str] = field(default_factory=list)
