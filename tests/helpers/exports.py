"""Export items and checks the export tests share: a reviewed face of a real image
(make_item), running an export that reads from files, tree digests, clean-JPEG and
leftover checks.

Face boxes of the corpus images were measured once with OpenCV's frontal-face
Haar cascade on the upright images and are written down here: these tests are
about what the export does with boxes, not about detection.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.services.export import (
    ExportItem,
    ExportSummary,
    export,
)

ASTRONAUT_BOX = (177.0, 66.0, 95.0, 95.0)
EXIF6_UPRIGHT_BOX = (78.0, 124.0, 186.0, 186.0)  # in the upright 348x522 image
MEDICS_BOXES = ((530, 84, 132, 132), (284, 103, 120, 120), (120, 121, 116, 116), (703, 141, 127, 127))
FIVE_POINTS = ((205.0, 100.0), (245.0, 100.0), (225.0, 120.0), (210.0, 140.0), (240.0, 140.0))

_next_id = iter(range(1, 1_000_000))
#: uri -> file holding its bytes (items may carry made-up uris such as mem://3)
_SOURCE_FILES: dict[str, Path] = {}


def make_item(
    path: Path | str,
    *,
    box: tuple[float, float, float, float] = ASTRONAUT_BOX,
    group: str = "astronaut",
    name: str | None = None,
    uri: str | None = None,
    index: int = 0,
    decision: str = "accepted",
    size: tuple[int, int] | None = None,
    landmarks: tuple[tuple[float, float], ...] | None = None,
) -> ExportItem:
    face = Face(
        box=Box(*box),
        confidence=0.97,
        landmarks=landmarks,
        pose=Pose(1.5, -3.0, 2.0),
        blur=Blur(4.0, "0-100"),
        glasses="none",
        mask=False,
        eyes_closed=False,
        raw={"provider": "secret-ish raw payload"},
    )
    qualified = decision != "rejected"
    _SOURCE_FILES[uri or str(path)] = Path(path)
    return ExportItem(
        face_id=next(_next_id),
        image_uri=uri or str(path),
        image_name=name if name is not None else Path(path).name,
        group=group,
        image_width=size[0] if size else None,
        image_height=size[1] if size else None,
        face_index=index,
        face=face,
        qualified=qualified,
        rule_results=[
            {"condition": "blur", "outcome": "pass", "reason": "blur 4 < 25"},
            {
                "condition": "yaw",
                "outcome": "pass" if qualified else "fail",
                "reason": "yaw 3.0° ≤ 30°" if qualified else "yaw 41.2° > 30°",
            },
        ],
        decision=decision,
        decision_reason=None if qualified else "looks away",
        decided_by="operator",
        decided_at="2026-11-21T07:00:00Z",
    )


def read_path(item: ExportItem) -> bytes:
    return _SOURCE_FILES[item.image_uri].read_bytes()


def run_export(items: list[ExportItem], dest: Path, **kwargs) -> ExportSummary:
    kwargs.setdefault("rules_name", "moderation-2.0")
    kwargs.setdefault("read_bytes", read_path)
    return export(items, dest, **kwargs)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def all_files(root: Path) -> Iterator[Path]:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            yield Path(dirpath, name)


def jpeg_segments(data: bytes) -> list[int]:
    """The JPEG marker bytes before the image data (APP0, DQT, SOF, ...)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: metadata can only come before it
            break
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers


def assert_clean_jpeg(path: Path) -> None:
    data = path.read_bytes()
    markers = jpeg_segments(data)
    assert 0xE1 not in markers, f"{path.name}: APP1 (EXIF/XMP) present"
    assert 0xE2 not in markers, f"{path.name}: APP2 (ICC) present"
    assert 0xFE not in markers, f"{path.name}: comment present"
    with Image.open(path) as img:
        assert img.format == "JPEG"
        assert img.mode == "RGB"
        assert len(img.getexif()) == 0
        assert "exif" not in img.info and "icc_profile" not in img.info


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())


def no_leftovers(parent: Path, dest: Path) -> None:
    hidden = [p.name for p in parent.iterdir() if ".fcx-" in p.name]
    assert hidden == [], f"staging/old folders left behind: {hidden}"
    assert not any(p.name.startswith(f".{dest.name}") for p in parent.iterdir())
