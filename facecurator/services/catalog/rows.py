"""Catalog rows (images, faces, decisions, audit) and the mapping between them and SQL rows."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import getpass
import json
import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any, Final

from facecurator.domain.face import EMPTY_MEASURES, Blur, Box, Face, MeasureSet, Pose
from facecurator.domain.records import slot_constructor
from facecurator.services.catalog.schema import DecisionState


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    """An operator decision; ``who``/``at`` are None for a face never decided."""

    state: DecisionState
    reason: str | None
    who: str | None
    at: str | None  # ISO-8601 UTC


PENDING: Final = Decision("pending", None, None, None)


@dataclasses.dataclass(frozen=True, slots=True)
class ImageRow:
    """One image of the catalog as last scanned.

    ``status`` is ``"ok"``, ``"error"`` (with a one-line ``error``) or
    ``"missing"`` (no longer listed by its source, see :meth:`Catalog.forget_missing`).
    """

    id: int
    uri: str
    name: str
    group: str
    source_root: str
    size: int
    mtime_ns: int
    identity: str | None
    status: str
    error: str | None
    width: int | None
    height: int | None
    detector: str | None
    detection_id: int | None
    scanned_at: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class FaceRow:
    """One face of an image's current detection, with its decision."""

    id: int
    image_id: int
    index: int
    face: Face
    decision: Decision


@dataclasses.dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry of the append-only audit trail.

    ``action`` is ``"decide"`` or ``"undo"``; ``reason`` is the reason that goes
    with ``new_state`` (for an undo, the restored one); ``who``/``at`` are who
    made the change and when.
    """

    id: int
    batch_id: int
    at: str
    who: str
    face_id: int
    action: str
    old_state: str
    new_state: str
    reason: str | None


# --------------------------------------------------------------------------- helpers


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


#: The operator name decisions are recorded under (a team's shared catalog: set it per person).
OPERATOR_ENV: Final = "FACECURATOR_OPERATOR"


def _os_user() -> str:
    """Who decides when no one is named: ``$FACECURATOR_OPERATOR``, else the OS login name."""
    named = os.environ.get(OPERATOR_ENV, "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name, no passwd entry
        return "unknown"


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


#: detection_faces columns after (detection_id, idx), in Face field order.
_FACE_COLUMNS: Final = (
    "x, y, w, h, confidence, landmarks, pitch, yaw, roll, blur_value, blur_scale, sharpness, quality, "
    "integrity, glasses, mask, hat, beard, eyes_closed, age, gender, raw, sunglasses, measures"
)


_INSERT_DETECTION_FACE: Final = (
    f"INSERT INTO detection_faces (detection_id, idx, {_FACE_COLUMNS})"
    f" VALUES (?, ?{', ?' * len(_FACE_COLUMNS.split(','))})"
)


def _pack_points(points: Sequence[tuple[float, float]]) -> bytes:
    """Landmarks as little-endian doubles x0 y0 x1 y1 ... (5x faster to read than JSON)."""
    return struct.pack(f"<{2 * len(points)}d", *(v for point in points for v in point))


def _unpack_points(data: bytes) -> tuple[tuple[float, float], ...]:
    values = iter(struct.unpack(f"<{len(data) // 8}d", data))
    return tuple(zip(values, values, strict=True))


def _face_to_columns(face: Face) -> tuple[Any, ...]:
    box, pose, blur = face.box, face.pose, face.blur
    return (
        box.x,
        box.y,
        box.w,
        box.h,
        face.confidence,
        None if face.landmarks is None else _pack_points(face.landmarks),
        *((None, None, None) if pose is None else (pose.pitch, pose.yaw, pose.roll)),
        *((None, None) if blur is None else (blur.value, blur.scale)),
        face.sharpness,
        face.quality,
        face.integrity,
        face.glasses,
        face.mask,
        face.hat,
        face.beard,
        face.eyes_closed,
        face.age,
        face.gender,
        None if face.raw is None else _to_json(face.raw),
        face.sunglasses,
        _to_json(face.measures.to_json()) if face.measures else None,
    )


#: Positional ``Face(...)`` / ``FaceRow(...)`` for loading 100k faces (see :mod:`facecurator.domain.records`).
_new_face = slot_constructor(Face)
_new_face_row = slot_constructor(FaceRow)
_BOOL: Final[dict[Any, bool | None]] = {None: None, 0: False, 1: True}

#: Where the face columns start in a row of _FACE_SELECT.
_F: Final = 7


def _face_from_row(c: Sequence[Any]) -> Face:
    """Inverse of :func:`_face_to_columns` for a row of ``_FACE_SELECT``."""
    landmarks = c[_F + 5]
    face: Face = _new_face(
        Box(c[_F], c[_F + 1], c[_F + 2], c[_F + 3]),
        c[_F + 4],
        None if landmarks is None else _unpack_points(landmarks),
        None if c[_F + 6] is None else Pose(c[_F + 6], c[_F + 7], c[_F + 8]),
        None if c[_F + 9] is None else Blur(c[_F + 9], c[_F + 10]),
        c[_F + 11],
        c[_F + 12],
        c[_F + 13],
        c[_F + 14],
        _BOOL[c[_F + 15]],
        _BOOL[c[_F + 16]],
        _BOOL[c[_F + 17]],
        _BOOL[c[_F + 18]],
        c[_F + 19],
        c[_F + 20],
        None if c[_F + 21] is None else json.loads(c[_F + 21]),
        _BOOL[c[_F + 22]],
        EMPTY_MEASURES if c[_F + 23] is None else MeasureSet.from_json(json.loads(c[_F + 23])),
    )
    return face


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many objects at once.

    Building 100k faces allocates over a million GC-tracked objects, and the
    collections they trigger along the way cost about a third of the load
    time. Pausing only postpones collection (nothing built here forms a cycle);
    the GC is restored even if building fails.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_IMAGE_COLUMNS: Final = (
    "i.id, i.uri, i.name, i.group_name, i.source_root, i.size, i.mtime_ns, i.identity, i.status, "
    "i.error, i.width, i.height, i.detector, i.detection_id, i.scanned_at"
)

_FACE_SELECT: Final = "SELECT f.id, f.image_id, f.idx, d.state, d.reason, d.who, d.at, " + ", ".join(
    f"df.{name.strip()}" for name in _FACE_COLUMNS.split(",")
)

# CROSS JOIN keeps SQLite's join order: images in (source_root, name) index
# order, then each image's faces by index, so no sort is needed.
_FACE_QUERY: Final = f"""
    {_FACE_SELECT}
    FROM images AS i
    CROSS JOIN faces AS f ON f.image_id = i.id AND f.detection_id = i.detection_id
    CROSS JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
    LEFT JOIN decisions AS d ON d.face_id = f.id
"""


_UPSERT_DECISION: Final = """
    INSERT INTO decisions (face_id, state, reason, who, at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (face_id) DO UPDATE SET
        state = excluded.state, reason = excluded.reason, who = excluded.who, at = excluded.at
"""

_INSERT_AUDIT: Final = """
    INSERT INTO audit (batch_id, at, who, face_id, action, old_state, new_state, reason,
                       prev_reason, prev_who, prev_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _face_rows(rows: Iterable[tuple[Any, ...]]) -> list[FaceRow]:
    """Build FaceRows from ``_FACE_SELECT`` rows (a cursor: rows are built as they are read)."""
    decisions: dict[tuple[Any, ...], Decision] = {}  # bulk decisions share one object
    out = []
    with _gc_paused():
        for row in rows:
            state = row[3]
            if state is None:
                decision = PENDING
            else:
                key = row[3:7]
                shared = decisions.get(key)
                if shared is None:
                    shared = decisions[key] = Decision(*key)
                decision = shared
            out.append(_new_face_row(row[0], row[1], row[2], _face_from_row(row), decision))
    return out


def _audit_values(
    batch_id: int,
    at: str,
    who: str,
    face_id: int,
    action: str,
    before: Sequence[Any],
    new_state: str,
    new_reason: str | None,
) -> tuple[Any, ...]:
    """Parameters of ``_INSERT_AUDIT``; ``before`` is the face's (state, reason, who, at) before."""
    old_state, old_reason, old_who, old_at = before
    return (batch_id, at, who, face_id, action, old_state, new_state, new_reason, old_reason, old_who, old_at)


def _ids_json(ids: Sequence[int]) -> str:
    """Pass an id list as one JSON parameter (no SQLite variable limit)."""
    return json.dumps([int(i) for i in ids])
