"""The detection cache: one detector's result per image identity and settings key.

A part of :class:`~facecurator.services.catalog.database.Catalog` (same
connection, same transactions).
"""

from __future__ import annotations

import json
from typing import Any, Final

from facecurator.domain.protocols import DetectionResult, bytes_key_pattern
from facecurator.errors import CatalogError
from facecurator.services.catalog.access import CatalogAccess
from facecurator.services.catalog.messages import catalog_text
from facecurator.services.catalog.rows import (
    _FACE_COLUMNS,
    _INSERT_DETECTION_FACE,
    _face_to_columns,
    _now,
    _to_json,
)
from facecurator.services.catalog.schema import UNCHECKED_KEY

#: Whether any detection was made without the CLIP photograph model: read from the partial index
#: ``detections_without_model`` (schema version 16; the condition is its very text). No parameter:
#: PostgreSQL's planner proves the index's condition from a literal only.
ANY_UNCHECKED: Final = (
    f"SELECT EXISTS (SELECT 1 FROM detections AS d WHERE d.settings_key LIKE '%{UNCHECKED_KEY}%')"
)


class DetectionStore(CatalogAccess):
    """Catalog methods for cached detections and their faces."""

    def find_detection(self, identity: str, detector: str, settings_key: str) -> int | None:
        """The cached detection id for (identity, detector, settings), or None."""
        with self._reading("detection cache") as db:
            row = db.execute(
                "SELECT id FROM detections WHERE identity = ? AND detector = ? AND settings_key = ?",
                (identity, detector, settings_key),
            ).fetchone()
        return row[0] if row else None

    def find_same_bytes(self, identity: str, detector: str, settings_key: str) -> int | None:
        """A cached detection of the same bytes under another identity (a copy with a
        new mtime), or None."""
        pattern = bytes_key_pattern(identity)
        if pattern is None:
            return None
        with self._reading("detection cache") as db:
            row = db.execute(
                "SELECT id FROM detections WHERE identity GLOB ? AND detector = ? AND settings_key = ?"
                " ORDER BY id LIMIT 1",
                (pattern, detector, settings_key),
            ).fetchone()
        return row[0] if row else None

    def copy_detection(self, detection_id: int, identity: str) -> int:
        """Store detection ``detection_id`` again under ``identity`` (the same bytes):
        no detector call, no paid call; returns the new (or existing) detection id."""
        with self._write(f"copy detection {detection_id} to {identity}") as db:
            source = db.execute(
                "SELECT detector, settings_key FROM detections WHERE id = ?", (detection_id,)
            ).fetchone()
            if source is None:
                raise CatalogError(catalog_text("catalog.no_detection", path=self.path, id=detection_id))
            row = db.execute(
                "SELECT id FROM detections WHERE identity = ? AND detector = ? AND settings_key = ?",
                (identity, source[0], source[1]),
            ).fetchone()
            if row:
                return int(row[0])
            new_id = db.execute(
                "INSERT INTO detections (identity, detector, settings_key, created_at, width, height,"
                " paid_calls, face_count, raw, extra) SELECT ?, detector, settings_key, ?, width, height,"
                " 0, face_count, raw, extra FROM detections WHERE id = ? RETURNING id",
                (identity, _now(), detection_id),
            ).fetchone()[0]
            names = f"idx, {_FACE_COLUMNS}"
            db.execute(
                f"INSERT INTO detection_faces (detection_id, {names}) SELECT ?, {names}"
                " FROM detection_faces WHERE detection_id = ?",
                (new_id, detection_id),
            )
        assert new_id is not None
        return int(new_id)

    def detected_identities(self, detector: str, settings_key: str) -> set[str]:
        """Every identity with a cached detection by (detector, settings): a scan looks a
        freshly hashed image up here before calling the detector."""
        with self._reading("detection cache") as db:
            rows = db.execute(
                "SELECT identity FROM detections WHERE detector = ? AND settings_key = ?",
                (detector, settings_key),
            ).fetchall()
        return {row[0] for row in rows}

    def store_detection(
        self, identity: str, detector: str, settings_key: str, result: DetectionResult
    ) -> int:
        """Store a detection and its faces; returns its id.

        Idempotent: when (identity, detector, settings_key) is already stored,
        the existing id is returned and ``result`` is ignored.
        """
        face_columns = [_face_to_columns(face) for face in result.faces]
        with self._write(f"store the {detector} detection of {identity}") as db:
            row = db.execute(
                "SELECT id FROM detections WHERE identity = ? AND detector = ? AND settings_key = ?",
                (identity, detector, settings_key),
            ).fetchone()
            if row:
                return int(row[0])
            detection_id = db.execute(
                "INSERT INTO detections (identity, detector, settings_key, created_at, width, height,"
                " paid_calls, face_count, raw, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    identity,
                    detector,
                    settings_key,
                    _now(),
                    result.width,
                    result.height,
                    result.paid_calls,
                    len(face_columns),
                    None if result.raw is None else _to_json(result.raw),
                    _to_json(result.extra) if result.extra else None,
                ),
            ).fetchone()[0]
            db.executemany(
                _INSERT_DETECTION_FACE,
                [(detection_id, index, *columns) for index, columns in enumerate(face_columns)],
            )
        assert detection_id is not None
        return detection_id

    def detection_size(self, detection_id: int) -> tuple[int | None, int | None]:
        """(width, height) of the image a detection was made on, as the detector reported."""
        with self._reading("detection") as db:
            row = db.execute("SELECT width, height FROM detections WHERE id = ?", (detection_id,)).fetchone()
        if row is None:
            raise CatalogError(catalog_text("catalog.no_detection", path=self.path, id=detection_id))
        return row[0], row[1]

    def detection_raw(self, detection_id: int) -> Any:
        """The provider's whole stored response for a detection (None if none was kept)."""
        with self._reading("detection") as db:
            row = db.execute("SELECT raw FROM detections WHERE id = ?", (detection_id,)).fetchone()
        if row is None:
            raise CatalogError(catalog_text("catalog.no_detection", path=self.path, id=detection_id))
        return None if row[0] is None else json.loads(row[0])

    def unchecked_faces(self, key_part: str, reason: str, source_root: str | None = None) -> tuple[int, int]:
        """(images, faces) whose current detection's settings key contains ``key_part`` and,
        of those, the faces whose raw reading gives ``reason`` (the local detector's scans
        without the CLIP photograph model: ``clip_reasons.NO_MODEL_KEY`` / ``REASON_NO_MODEL``)."""
        where = "d.settings_key LIKE ?" + ("" if source_root is None else " AND i.source_root = ?")
        params: tuple[Any, ...] = (f"%{key_part}%",) + (() if source_root is None else (source_root,))
        with self._reading("detection cache") as db:
            if key_part == UNCHECKED_KEY and not db.execute(ANY_UNCHECKED).fetchone()[0]:
                return 0, 0  # (its partial index: at once)
            images = db.execute(
                f"SELECT COUNT(*) FROM images i JOIN detections d ON d.id = i.detection_id WHERE {where}",
                params,
            ).fetchone()[0]
            faces = (
                db.execute(
                    "SELECT COUNT(*) FROM images i JOIN detections d ON d.id = i.detection_id"
                    f" JOIN detection_faces f ON f.detection_id = d.id WHERE {where} AND f.raw LIKE ?",
                    (*params, f"%{reason}%"),
                ).fetchone()[0]
                if images
                else 0
            )
        return int(images), int(faces)
