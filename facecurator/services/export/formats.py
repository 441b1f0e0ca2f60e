"""The layouts (folders / coco / vggface2) and the manifest (JSON + CSV) built in staging."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, Final

import facecurator
from facecurator.domain.face import Face
from facecurator.services.export.model import (
    COCO_JSON,
    JPEG_QUALITY,
    LOOSE_BB_CSV,
    LOOSE_LANDMARK_CSV,
    MANIFEST_CSV,
    MANIFEST_JSON,
    MANIFEST_SCHEMA_VERSION,
    VGG_LANDMARKS,
    ExportItem,
)
from facecurator.services.export.naming import Names, image_source, source_stem
from facecurator.services.export.render import Plan, Rendered, RenderedFace
from facecurator.services.export.spill import Spill, SpilledList, csv_chunks, json_chunks
from facecurator.services.export.staging import Staging

#: manifest.csv columns, in order.
CSV_COLUMNS: Final = (
    "source",
    "identity",
    "file",
    "sha256",
    "box_x",
    "box_y",
    "box_w",
    "box_h",
    "confidence",
    "pitch",
    "yaw",
    "roll",
    "blur",
    "blur_scale",
    "glasses",
    "mask",
    "eyes_closed",
    "age",
    "gender",
    "qualified",
    "reasons",
    "decision",
    "decision_reason",
    "decided_by",
    "decided_at",
    "face_id",
    "face_index",
    "image_name",
    # the identity checks (issue 14); empty when the faces were not embedded
    "identity_distance",
    "identity_outlier",
    "nearest_elsewhere",
    "enrolled_face",
    "duplicate_group",
    "duplicate_kept",
    "duplicate_of",
    "double_enrollment_with",
)

_TOP_FACES: Final = "faces"
_TOP_REJECTED: Final = "rejected"
_TOP_VGG_DATA: Final = "data"
_TOP_COCO_IMAGES: Final = "images"

_CSV_FORMULA_LEADING: Final = ("=", "+", "-", "@", "\t", "\r")


def _coco_meta(item: ExportItem, plan: Plan) -> dict[str, Any]:
    """The ``facecurator`` attribute of a face that is annotated but not exported."""
    attributes = item.face.to_json()
    attributes.pop("raw", None)
    return {
        "face_id": item.face_id,
        "source": plan.uri,
        "identity": plan.group,
        "file": None,
        "attributes": attributes,
        "qualified": item.qualified,
        "rule_results": [
            {"condition": r.get("condition"), "outcome": r.get("outcome"), "reason": r.get("reason")}
            for r in item.rule_results
        ],
        "decision": item.decision,
        "decision_reason": item.decision_reason,
        "decided_by": item.decided_by,
        "decided_at": item.decided_at,
        "identity_check": item.identity_check,
    }


def _box_rle(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> dict[str, Any]:
    """A box as COCO's uncompressed RLE mask (column-major runs, starting with background)."""
    c0, c1 = min(max(round(x0), 0), width), min(max(round(x1), 0), width)
    r0, r1 = min(max(round(y0), 0), height), min(max(round(y1), 0), height)
    if c1 <= c0 or r1 <= r0:
        return {"counts": [width * height], "size": [height, width]}
    h = r1 - r0
    pairs = [(0, c0 * height + r0)]
    for column in range(c0, c1):
        pairs.append((1, h))
        pairs.append((0, height - h if column < c1 - 1 else (height - r1) + (width - c1) * height))
    runs: list[list[int]] = []  # (value, length), equal values merged, empty runs dropped
    for value, length in pairs:
        if length == 0:
            continue
        if runs and runs[-1][0] == value:
            runs[-1][1] += length
        else:
            runs.append([value, length])
    counts = ([0] if runs[0][0] == 1 else []) + [length for _, length in runs]
    return {"counts": counts, "size": [height, width]}


def _identity_cells(check: dict[str, Any] | None) -> list[Any]:
    """manifest.csv's identity columns from a face's ``identity_check`` (all empty without one)."""
    if not check:
        return [None] * 8
    nearest = check.get("nearest_elsewhere")
    return [
        check.get("distance"),
        check.get("outlier"),
        None if not nearest else f"{nearest['face']} ({nearest['distance']})",
        check.get("enrolled"),
        check.get("duplicate_group"),
        check.get("duplicate_kept"),
        check.get("duplicate_of"),
        "; ".join(check.get("double_enrollment") or ()),
    ]


def _fmt_float(value: float) -> float:
    return round(value, 3)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _csv_cell(value: Any) -> Any:
    """CSV value: '' for None, true/false for booleans, formula-looking text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A NUL cannot be written by csv on Python 3.10 and is never meant: show it.
        value = value.replace("\x00", "\ufffd")
        if value.startswith(_CSV_FORMULA_LEADING):
            return "'" + value
    return value


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, defuse: bool = True) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) if defuse else ("" if v is None else v) for v in row])
    return buffer.getvalue().encode("utf-8")


class Builder:
    """Turns rendered images into files and manifest entries (single-threaded, in plan order)."""

    def __init__(self, staging: Staging, *, fmt: str, margin: float, rules_name: str) -> None:
        self.staging = staging
        self.fmt = fmt
        self.margin = margin
        self.rules_name = rules_name
        self.names = Names()
        # the manifests' bulk, on disk until the manifests are streamed from it (spill.py)
        self.entries: Spill[dict[str, Any]] = Spill()
        self.failures: list[dict[str, Any]] = []
        self.failed: list[tuple[str, str]] = []
        self.exported = 0
        self.accepted = 0
        self.rejected = 0
        self.images = 0
        self.subjects: set[str] = set()
        self.coco_images: Spill[dict[str, Any]] = Spill()
        self.coco_annotations: Spill[dict[str, Any]] = Spill()
        self.coco_keypoints = 0
        self.vgg_boxes: list[list[Any]] = []
        self.vgg_landmarks: list[tuple[str, list[float]]] = []
        self.vgg_without_landmarks = 0

    def close(self) -> None:
        """Let go of the spilled entries (after :meth:`finish`, or when the export failed)."""
        for spill in (self.entries, self.coco_images, self.coco_annotations):
            spill.close()

    def _fail(self, plan: Plan, reason: str, face_ids: list[int]) -> None:
        self.failed.append((plan.uri, reason))
        self.failures.append(
            {
                "source": plan.uri,
                "image_name": plan.name,
                "identity": plan.group,
                "face_ids": face_ids,
                "reason": reason,
            }
        )

    def add(self, rendered: Rendered) -> None:
        plan = rendered.plan
        if rendered.error is not None:
            self._fail(plan, rendered.error, [i.face_id for i in plan.items])
            return
        good = [f for f in rendered.faces if f.error is None]
        for face in rendered.faces:
            if face.error is not None:
                self._fail(plan, face.error, [face.item.face_id])
        if not good:
            return
        subject_dir = self.names.subject_dir(plan.group, image_source(plan.uri, plan.name))
        stem = source_stem(plan.name)
        coco_image_id = None
        if self.fmt == "coco" and rendered.original_jpeg is not None:
            image_file = self.names.unique((_TOP_COCO_IMAGES, subject_dir), stem, ".jpg")
            self.staging.write((_TOP_COCO_IMAGES, subject_dir, image_file), rendered.original_jpeg)
            coco_image_id = len(self.coco_images) + 1
            self.coco_images.append(
                {
                    "id": coco_image_id,
                    "file_name": f"{subject_dir}/{image_file}",
                    "width": rendered.width,
                    "height": rendered.height,
                    "facecurator": {"source": plan.uri, "image_name": plan.name, "identity": plan.group},
                }
            )
        self.images += 1
        multi = len(plan.items) > 1
        for face in good:
            assert face.region is not None and face.jpeg is not None
            self._add_face(plan, rendered, face, subject_dir, stem, multi, coco_image_id)
        if coco_image_id is not None:
            # Every face of the image is annotated: the ones not exported as crowd / ignore
            # regions, so a detector trained on the image does not learn them as background.
            others = plan.others + [f.item for f in rendered.faces if f.error is not None]
            for item in sorted(others, key=lambda i: (i.face_index, i.face_id)):
                self._add_coco_annotation(
                    _coco_meta(item, plan), item.face, coco_image_id, rendered, crowd=True
                )

    def _add_face(
        self,
        plan: Plan,
        rendered: Rendered,
        face: RenderedFace,
        subject_dir: str,
        stem: str,
        multi: bool,
        coco_image_id: int | None,
    ) -> None:
        item = face.item
        assert face.region is not None and face.jpeg is not None
        rejected = item.decision == "rejected"
        top = _TOP_REJECTED if rejected else (_TOP_VGG_DATA if self.fmt == "vggface2" else _TOP_FACES)
        base = f"{stem}_face{item.face_index}" if multi else stem
        file_name = self.names.unique((top, subject_dir), base, ".jpg")
        rel = self.staging.write((top, subject_dir, file_name), face.jpeg)
        self.exported += 1
        self.rejected += rejected
        self.accepted += not rejected
        self.subjects.add(subject_dir)

        left, top_px, right, bottom = face.region
        box = item.face.box
        box_in_crop = {"x": _fmt_float(box.x - left), "y": _fmt_float(box.y - top_px), "w": box.w, "h": box.h}
        attributes = item.face.to_json()
        attributes.pop("raw", None)
        reasons = (
            list(item.reasons)
            if item.reasons is not None
            else [str(r.get("reason", "")) for r in item.rule_results if r.get("outcome") != "pass"]
        )
        entry: dict[str, Any] = {
            "face_id": item.face_id,
            "source": plan.uri,
            "image_name": plan.name,
            "identity": plan.group,
            "subject_dir": subject_dir,
            "face_index": item.face_index,
            "file": rel,
            "sha256": hashlib.sha256(face.jpeg).hexdigest(),
            "bytes": len(face.jpeg),
            "image_width": rendered.width,
            "image_height": rendered.height,
            "box": box.to_json(),
            "crop": {"x": left, "y": top_px, "w": right - left, "h": bottom - top_px},
            "box_in_crop": box_in_crop,
            "attributes": attributes,
            "qualified": item.qualified,
            "rule_results": [
                {"condition": r.get("condition"), "outcome": r.get("outcome"), "reason": r.get("reason")}
                for r in item.rule_results
            ],
            "reasons": reasons,
            "decision": item.decision,
            "decision_reason": item.decision_reason,
            "decided_by": item.decided_by,
            "decided_at": item.decided_at,
            "rejected": rejected,
            "identity_check": item.identity_check,
        }
        if self.fmt == "vggface2" and not rejected:
            name_id = f"{subject_dir}/{file_name.removesuffix('.jpg')}"
            entry["name_id"] = name_id
            # The box within the crop (a box reaching past the image edge is clamped, as the crop is).
            bx0 = round(min(max(box.x - left, 0), right - left))
            by0 = round(min(max(box.y - top_px, 0), bottom - top_px))
            bx1 = round(min(max(box.x + box.w - left, 0), right - left))
            by1 = round(min(max(box.y + box.h - top_px, 0), bottom - top_px))
            self.vgg_boxes.append([name_id, bx0, by0, max(bx1 - bx0, 0), max(by1 - by0, 0)])
            if item.face.landmarks and len(item.face.landmarks) == VGG_LANDMARKS:
                points = [round(c, 2) for x, y in item.face.landmarks for c in (x - left, y - top_px)]
                self.vgg_landmarks.append((name_id, points))
            else:
                self.vgg_without_landmarks += 1
        if coco_image_id is not None:
            entry["coco_image_id"] = coco_image_id
            entry["coco_annotation_id"] = self._add_coco_annotation(entry, item.face, coco_image_id, rendered)
        self.entries.append(entry)

    def _add_coco_annotation(
        self, entry: dict[str, Any], face: Face, image_id: int, rendered: Rendered, *, crowd: bool = False
    ) -> int:
        """One face's annotation: box, its polygon (crowd: an RLE mask), landmarks as keypoints.

        ``crowd``: a face of the image that is not exported (pending, rejected, or its crop
        failed): ``iscrowd: 1`` and ``ignore: 1``, so evaluators and trainers neither count it
        as a miss nor learn it as background; its decision is in ``facecurator``.
        """
        width, height = rendered.width, rendered.height
        box = face.box
        x0, y0 = min(max(0.0, box.x), float(width)), min(max(0.0, box.y), float(height))
        x1, y1 = max(min(float(width), box.x + box.w), x0), max(min(float(height), box.y + box.h), y0)
        bbox = [_fmt_float(x0), _fmt_float(y0), _fmt_float(x1 - x0), _fmt_float(y1 - y0)]
        if crowd:
            segmentation: Any = _box_rle(x0, y0, x1, y1, width, height)
        else:
            left, top, right, bottom = bbox[0], bbox[1], _fmt_float(x1), _fmt_float(y1)
            segmentation = [[left, top, right, top, right, bottom, left, bottom]]
        annotation: dict[str, Any] = {
            "id": len(self.coco_annotations) + 1,
            "image_id": image_id,
            "category_id": 1,
            "bbox": bbox,
            "area": _fmt_float(bbox[2] * bbox[3]),
            "segmentation": segmentation,
            "iscrowd": 1 if crowd else 0,
            "ignore": 1 if crowd else 0,
        }
        if face.landmarks:
            keypoints: list[float] = []
            for x, y in face.landmarks:
                inside = 0 <= x < width and 0 <= y < height
                keypoints += [_fmt_float(x), _fmt_float(y), 2] if inside else [0, 0, 0]
            annotation["keypoints"] = keypoints
            annotation["num_keypoints"] = sum(1 for v in keypoints[2::3] if v)
            self.coco_keypoints = max(self.coco_keypoints, len(face.landmarks))
        annotation["facecurator"] = {"exported": not crowd} | {
            key: entry[key]
            for key in (
                "face_id",
                "source",
                "identity",
                "file",
                "attributes",
                "qualified",
                "rule_results",
                "decision",
                "decision_reason",
                "decided_by",
                "decided_at",
                "identity_check",
            )
        }
        self.coco_annotations.append(annotation)
        return annotation["id"]

    def finish(
        self, *, dest: str, include_rejected: bool, skipped_pending: int, skipped_rejected: int
    ) -> None:
        """Write the format files, then the CSV and JSON manifests (manifest.json last)."""
        created_at = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        notes: dict[str, str] = {
            "crop": (
                f"face box grown by margin x box width left and right and margin x box height above and "
                f"below (margin {self.margin:g}), clamped to the upright image; JPEG quality {JPEG_QUALITY}, "
                "sRGB, no EXIF/GPS/ICC"
            ),
            "box": "pixels of the upright (EXIF-applied) source image; box_in_crop: pixels of the crop",
        }
        if self.fmt == "coco":
            self._finish_coco(created_at)
            notes["coco"] = (
                f"{COCO_JSON}: file_name is relative to images/, which holds upright, metadata-free JPEG "
                "copies of the originals; bbox [x, y, w, h] in those images, clamped to them"
            )
        if self.fmt == "vggface2":
            self._finish_vggface2()
            notes["vggface2"] = (
                f"{LOOSE_BB_CSV}: X, Y, W, H are relative to the written crop in data/ (the VGGFace2 release "
                "gives them relative to the original image), the box clamped to the crop; "
                f"{LOOSE_LANDMARK_CSV}: the five points (subject's right eye, left eye, nose tip, right and "
                "left mouth corner) relative to the crop, one row per face whose detector gave those five "
                f"points ({self.vgg_without_landmarks} faces without them have no row)"
            )
        rows = (
            [
                e["source"],
                e["identity"],
                e["file"],
                e["sha256"],
                e["box"]["x"],
                e["box"]["y"],
                e["box"]["w"],
                e["box"]["h"],
                e["attributes"]["confidence"],
                (e["attributes"]["pose"] or {}).get("pitch"),
                (e["attributes"]["pose"] or {}).get("yaw"),
                (e["attributes"]["pose"] or {}).get("roll"),
                (e["attributes"]["blur"] or {}).get("value"),
                (e["attributes"]["blur"] or {}).get("scale"),
                e["attributes"]["glasses"],
                e["attributes"]["mask"],
                e["attributes"]["eyes_closed"],
                e["attributes"]["age"],
                e["attributes"]["gender"],
                e["qualified"],
                "; ".join(e["reasons"]),
                e["decision"],
                e["decision_reason"],
                e["decided_by"],
                e["decided_at"],
                e["face_id"],
                e["face_index"],
                e["image_name"],
                *_identity_cells(e["identity_check"]),
            ]
            for e in self.entries
        )
        cells = ([_csv_cell(v) for v in row] for row in rows)
        self.staging.write_chunks((MANIFEST_CSV,), csv_chunks(CSV_COLUMNS, cells))
        manifest = _json_safe({
            "schema_version": MANIFEST_SCHEMA_VERSION,
            "tool": {"name": "facecurator", "version": facecurator.__version__},
            "created_at": created_at,
            "destination": dest,
            "format": self.fmt,
            "rules": self.rules_name,
            "margin": self.margin,
            "include_rejected": include_rejected,
            "counts": {
                "exported": self.exported,
                "accepted": self.accepted,
                "rejected": self.rejected,
                "skipped_pending": skipped_pending,
                "skipped_rejected": skipped_rejected,
                "failed": len(self.failed),
                "images": self.images,
                "identities": len(self.subjects),
                # every file of the export, manifest.json included
                "files": self.staging.files + 1,
            },
            "notes": notes,
        })  # fmt: skip
        manifest["faces"] = SpilledList(self.entries, _json_safe)
        manifest["failed"] = _json_safe(self.failures)
        self.staging.write_chunks((MANIFEST_JSON,), json_chunks(manifest))
        self.staging.sync_dirs()

    def _finish_coco(self, created_at: str) -> None:
        category: dict[str, Any] = {"id": 1, "name": "face", "supercategory": "person"}
        if self.coco_keypoints:
            category["keypoints"] = [f"p{i + 1}" for i in range(self.coco_keypoints)]
            category["skeleton"] = []

        def padded(annotation: dict[str, Any]) -> Any:
            if self.coco_keypoints:  # every one with the category's point count
                points = annotation.setdefault("keypoints", [])
                annotation.setdefault("num_keypoints", 0)
                if len(points) < 3 * self.coco_keypoints:
                    points += [0] * (3 * self.coco_keypoints - len(points))
            return _json_safe(annotation)

        coco = _json_safe({
            "info": {
                "description": f"facecurator {facecurator.__version__} export",
                "version": str(MANIFEST_SCHEMA_VERSION),
                "year": int(created_at[:4]),
                "date_created": created_at,
            },
            "licenses": [],
        })  # fmt: skip
        coco["images"] = SpilledList(self.coco_images, _json_safe)
        coco["categories"] = _json_safe([category])
        coco["annotations"] = SpilledList(self.coco_annotations, padded)
        self.staging.write_chunks((COCO_JSON,), json_chunks(coco))

    def _finish_vggface2(self) -> None:
        # NAME_IDs are made of safe_component() names, which never start with a
        # formula character, so these CSVs need (and get) no defusing prefix.
        self.staging.write(
            tuple(LOOSE_BB_CSV.split("/")),
            _csv_bytes(("NAME_ID", "X", "Y", "W", "H"), self.vgg_boxes, defuse=False),
        )
        # VGGFace2's five points (eyes, nose tip, mouth corners), always written (a reader
        # opens both files); a face whose detector gave another layout has no row.
        header = ["NAME_ID"] + [f"P{i + 1}{axis}" for i in range(VGG_LANDMARKS) for axis in ("X", "Y")]
        rows = [[name_id, *points] for name_id, points in self.vgg_landmarks]
        self.staging.write(tuple(LOOSE_LANDMARK_CSV.split("/")), _csv_bytes(header, rows, defuse=False))
