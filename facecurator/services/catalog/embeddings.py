"""Face embeddings in the catalog (schema 2): cached per detection and embedder key.

A mixin of :class:`~facecurator.services.catalog.database.Catalog` (same
connection, same transactions): the embeddings of a detection are reused by
every image with that identity, exactly like its faces.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from facecurator.services.catalog.access import CatalogAccess
from facecurator.services.catalog.rows import _now

_SIGN_BIT = 1 << 63
_WORD = 1 << 64


class EmbeddingStore(CatalogAccess):
    """Catalog methods for face embeddings (see the module docstring)."""

    @staticmethod
    def _image_filter(source_root: str | None, status: str | None) -> tuple[str, list[Any]]:
        raise NotImplementedError  # Catalog's

    def any_embeddings(self, embedder: str) -> bool:
        """True when any face of the catalog was embedded with ``embedder`` (a cheap first test)."""
        with self._reading("embeddings") as db:
            row = db.execute(
                "SELECT 1 FROM face_embeddings WHERE embedder = ? LIMIT 1", (embedder,)
            ).fetchone()
        return row is not None

    def has_embeddings(self, detection_id: int, embedder: str) -> bool:
        """True when the detection's faces were embedded with ``embedder`` (even if none could be)."""
        with self._reading("embeddings") as db:
            row = db.execute(
                "SELECT 1 FROM detection_embedders WHERE detection_id = ? AND embedder = ?",
                (detection_id, embedder),
            ).fetchone()
        return row is not None

    def store_embeddings(
        self,
        detection_id: int,
        embedder: str,
        phash: int | None,
        vectors: Sequence[tuple[str, bytes] | None],
    ) -> None:
        """Store one detection's embeddings: per face index (method, float32 bytes) or None.

        Idempotent: a detection already embedded with ``embedder`` is left as it is.
        """
        if phash is not None and phash >= _SIGN_BIT:
            phash -= _WORD  # SQLite integers are signed 64-bit
        with self._write(f"store the embeddings of detection {detection_id}") as db:
            done = db.execute(
                "INSERT OR IGNORE INTO detection_embedders (detection_id, embedder, phash, created_at)"
                " VALUES (?, ?, ?, ?)",
                (detection_id, embedder, phash, _now()),
            ).rowcount
            if not done:
                return
            db.executemany(
                "INSERT INTO face_embeddings (detection_id, idx, embedder, method, vector)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (detection_id, index, embedder, item[0], item[1])
                    for index, item in enumerate(vectors)
                    if item is not None
                ],
            )

    def copy_embeddings(self, from_detection: int, to_detection: int) -> bool:
        """Give ``to_detection`` (a copy of the same bytes) the embeddings of ``from_detection``.

        Returns True when there were embeddings to copy (a detection already
        embedded is left as it is).
        """
        with self._write(f"copy the embeddings of detection {from_detection}") as db:
            done = db.execute(
                "INSERT OR IGNORE INTO detection_embedders (detection_id, embedder, phash, created_at)"
                " SELECT ?, embedder, phash, ? FROM detection_embedders WHERE detection_id = ?",
                (to_detection, _now(), from_detection),
            ).rowcount
            if done:  # same bytes, same detector: the same faces, so the same vectors
                db.execute(
                    "INSERT OR IGNORE INTO face_embeddings (detection_id, idx, embedder, method, vector)"
                    " SELECT ?, idx, embedder, method, vector FROM face_embeddings WHERE detection_id = ?",
                    (to_detection, from_detection),
                )
        return bool(done)

    def face_vectors(self, face_ids: Sequence[int], embedder: str) -> dict[int, bytes]:
        """face id -> float32 bytes for those of ``face_ids`` that have an embedding."""
        with self._reading("embeddings") as db:
            rows = db.execute(
                """SELECT f.id, e.vector FROM faces AS f
                   JOIN face_embeddings AS e
                     ON e.detection_id = f.detection_id AND e.idx = f.idx AND e.embedder = ?
                   WHERE f.id IN (SELECT value FROM json_each(?))""",
                (embedder, json.dumps([int(i) for i in face_ids])),
            ).fetchall()
        return {face_id: bytes(vector) for face_id, vector in rows}

    def embeddings(
        self, embedder: str, source_root: str | None = None
    ) -> tuple[dict[int, tuple[str, bytes]], dict[int, int | None]]:
        """The embeddings of the faces of each listed image's current detection.

        Returns:
            (face id -> (method, float32 bytes), image id -> perceptual hash or None)
            for the images whose detection was embedded with ``embedder``.
        """
        where, params = self._image_filter(source_root, None)
        with self._reading("embeddings") as db:
            faces = db.execute(
                f"""SELECT f.id, e.method, e.vector
                    FROM images AS i
                    JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
                    JOIN face_embeddings AS e
                      ON e.detection_id = f.detection_id AND e.idx = f.idx AND e.embedder = ?
                    WHERE {where}""",
                [embedder, *params],
            ).fetchall()
            hashes = db.execute(
                f"""SELECT i.id, de.phash FROM images AS i
                    JOIN detection_embedders AS de ON de.detection_id = i.detection_id AND de.embedder = ?
                    WHERE {where}""",
                [embedder, *params],
            ).fetchall()
        return (
            {face_id: (method, bytes(vector)) for face_id, method, vector in faces},
            {image_id: None if h is None else h % _WORD for image_id, h in hashes},
        )


__all__ = ["EmbeddingStore"]
