"""The catalog: one SQLite database holding images, cached detections, faces,
operator decisions, an append-only audit trail, settings and paid-call counts.

Model (see ``docs/ARCHITECTURE.md`` for the glossary):

* A **detection** is one detector's result for one image *identity* and one
  detector ``settings_key``; it is the cache that keeps a re-scan from calling a
  paid service again. Its faces are stored as canonical face fields, one
  column each (landmarks packed, the provider's raw face as JSON).
* An **image** is one listed ``uri``; its id stays stable across re-scans. Its
  *current detection* is the last one recorded for it.
* A **face** row is one face of an image's detection, so two copies of the same
  photo share the cached detection but not their decisions. Face ids are stable
  as long as the image keeps the same detection.
* A **decision** (pending / accepted / rejected, with who, when and reason)
  attaches to a face id. Every change is written to the audit trail under a
  batch id; :meth:`Catalog.undo` reverts whole batches, newest first.

Durability: WAL journal with ``synchronous=FULL``; every write method commits
before it returns, so a decision survives a crash the moment ``decide()``
returns. Several processes (GUI + CLI) may open the same file; writers wait
for each other up to the busy timeout.
"""

from facecurator.services.catalog.database import Catalog
from facecurator.services.catalog.rows import PENDING, AuditRow, Decision, FaceRow, ImageRow
from facecurator.services.catalog.schema import (
    ACTION_DECIDE,
    ACTION_UNDO,
    APPLICATION_ID,
    DECISION_STATES,
    DEFAULT_BUSY_TIMEOUT,
    IMAGE_STATUSES,
    MIGRATIONS,
    DecisionState,
    schema_version,
)

__all__ = [
    "ACTION_DECIDE",
    "ACTION_UNDO",
    "APPLICATION_ID",
    "DECISION_STATES",
    "DEFAULT_BUSY_TIMEOUT",
    "IMAGE_STATUSES",
    "MIGRATIONS",
    "PENDING",
    "AuditRow",
    "Catalog",
    "Decision",
    "DecisionState",
    "FaceRow",
    "ImageRow",
    "schema_version",
]
