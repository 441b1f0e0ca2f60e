"""Export: the clean enrollment set written from decided faces.

<subject> is the person an image belongs to (its folder, ``ImageRef.group``); the
contract calls it ``<identity>``, and so does the manifests' ``identity`` column.

Layout (every format)::

    DEST/
      manifest.json            schema, tool, rules, counts, one entry per face, failures
      manifest.csv             the same entries, one flat row each
      faces/<subject>/<name>.jpg       accepted crops ("folders" and "coco")
      rejected/<subject>/<name>.jpg    rejected crops (only with include_rejected)

``coco`` adds ``annotations.coco.json`` and ``images/<subject>/<stem>.jpg``
(upright, metadata-free copies of the originals the boxes refer to).
``vggface2`` writes the accepted crops to ``data/<subject>/<name>.jpg``
instead of ``faces/`` plus ``bb_landmark/loose_bb.csv`` and
``bb_landmark/loose_landmark.csv`` (the five-point faces).

Every face of an image in ``annotations.coco.json`` is annotated (box, its
polygon, landmarks as keypoints); the ones not exported (pending, rejected
without ``include_rejected``, failed crops) are crowd / ignore regions with an
RLE mask and their decision in ``facecurator``.

Crops: the face box grown by ``margin x box width`` on the left and on the
right and ``margin x box height`` above and below (so 0.4 gives a crop 1.8
times the box), clamped to the upright image, re-encoded as baseline RGB JPEG
quality 95 from a fresh image: no EXIF, GPS, XMP, comments or ICC profile.
Pixels are converted to sRGB first when the source carried another ICC
profile, so dropping the profile does not shift colours.

Atomic: everything is staged in a temporary sibling folder of DEST (same
filesystem), every file and folder fsync'ed, then swapped in. On Linux the
swap is one ``renameat2(RENAME_EXCHANGE)``, so DEST always names a complete
export. Elsewhere it is two renames (DEST aside, staging in): between them
DEST does not exist for a moment; a crash there leaves the previous export
under ``.<name>.<hash>.fcx-old-*`` beside DEST, and the next export puts it
back before doing anything else. Leftover staging folders of a crashed export
are removed by the next export to the same DEST (unless the process that owns
them is still running), and reported in ``ExportSummary.notes``.

Confined: every folder and file name comes from :func:`safe_component`, and
every output path is resolved and checked against the staging root before it
is opened (``O_EXCL | O_NOFOLLOW``), so no source name, however hostile,
writes outside DEST.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from facecurator.services.export.model import (
    COCO_JSON,
    DEFAULT_MARGIN,
    EXPORT_FORMATS,
    JPEG_QUALITY,
    LOOSE_BB_CSV,
    LOOSE_LANDMARK_CSV,
    MANIFEST_CSV,
    MANIFEST_JSON,
    MANIFEST_SCHEMA_VERSION,
    MAX_MARGIN,
    ExportItem,
    ExportSummary,
)
from facecurator.services.export.naming import MAX_COMPONENT_BYTES, safe_component

if TYPE_CHECKING:
    from facecurator.services.export.formats import CSV_COLUMNS
    from facecurator.services.export.render import crop_region, encode_jpeg
    from facecurator.services.export.run import export
    from facecurator.services.export.staging import LocalPublisher, Publisher, read_manifest

#: The writing half (Pillow, the CSV and COCO writers, the staging) is imported on first use:
#: the window imports this package for its items and messages, and exports seldom.
_LAZY: dict[str, str] = {
    "CSV_COLUMNS": "formats",
    "crop_region": "render",
    "encode_jpeg": "render",
    "export": "run",
    "LocalPublisher": "staging",
    "Publisher": "staging",
    "read_manifest": "staging",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "COCO_JSON",
    "CSV_COLUMNS",
    "DEFAULT_MARGIN",
    "EXPORT_FORMATS",
    "JPEG_QUALITY",
    "LOOSE_BB_CSV",
    "LOOSE_LANDMARK_CSV",
    "MANIFEST_CSV",
    "MANIFEST_JSON",
    "MANIFEST_SCHEMA_VERSION",
    "MAX_COMPONENT_BYTES",
    "MAX_MARGIN",
    "ExportItem",
    "ExportSummary",
    "LocalPublisher",
    "Publisher",
    "crop_region",
    "encode_jpeg",
    "export",
    "read_manifest",
    "safe_component",
]
