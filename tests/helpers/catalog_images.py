"""Images and faces for catalog tests: faces with every field measured or few, a
detection result, an image reference, an image recorded as a scan would (add_image)
and its face ids. The ``cat`` fixture (a fresh catalog on both backends) is in conftest."""

from __future__ import annotations

from pathlib import Path

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.services.catalog import Catalog

ROOT = "/photos"


def full_face(i: int = 0) -> Face:
    """A face with every field measured (so a round trip checks every column)."""
    return Face(
        box=Box(10.5 + i, 20.25, 100.0, 120.0),
        confidence=0.987,
        landmarks=((30.5, 40.25), (70.0, 41.0), (50.0, 60.0), (35.0, 80.0), (65.0, 80.0), (50.0, 95.5)),
        pose=Pose(pitch=-3.5, yaw=12.25, roll=0.5),
        blur=Blur(4.2, "0-100"),
        sharpness=0.8,
        quality=0.9,
        integrity=97.0,
        glasses="sunglasses",
        mask=False,
        hat=True,
        beard=False,
        eyes_closed=True,
        age=31,
        gender="female",
        raw={"Location": {"x": 10, "y": 20, "w": 100, "h": 120}, "Quality": {"Blur": 4.2}, "note": "é"},
    )


def small_face(i: int) -> Face:
    return Face(box=Box(float(i), 2.0, 30.0, 40.0), confidence=0.5 + i / 100)


def result(n: int, *, width: int = 640, height: int = 480, paid: int = 0) -> DetectionResult:
    return DetectionResult(
        faces=[small_face(i) for i in range(n)], width=width, height=height, raw={"n": n}, paid_calls=paid
    )


def ref(name: str, *, size: int = 1000, mtime_ns: int = 1, root: str = ROOT) -> ImageRef:
    group = name.rsplit("/", 1)[0] if "/" in name else Path(root).name
    return ImageRef(uri=f"{root}/{name}", name=name, group=group, size=size, mtime_ns=mtime_ns)


def add_image(
    cat: Catalog, name: str, n_faces: int, *, identity: str | None = None, root: str = ROOT, mtime_ns: int = 1
) -> int:
    """Record an image with ``n_faces`` detected faces, as a scan would; returns the image id."""
    identity = identity or f"id:{root}/{name}"
    detection = cat.find_detection(identity, "local", "v1")
    if detection is None:
        detection = cat.store_detection(identity, "local", "v1", result(n_faces))
    return cat.record_image(
        ref(name, root=root, mtime_ns=mtime_ns),
        source_root=root,
        identity=identity,
        status="ok",
        error=None,
        detection_id=detection,
        width=None,
        height=None,
    )


def face_ids(cat: Catalog, image_id: int) -> list[int]:
    return [row.id for row in cat.faces([image_id])]
