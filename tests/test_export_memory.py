"""``export`` in constant memory (issue 11): the plans and the manifest entries of every face
exported are spilled to disk (services/export/spill.py) and the manifests streamed from it, so
exporting four times the faces holds barely more. Measured with tracemalloc over the export of a
streamed set of faces (as ``facecurator export`` streams them from the catalog): before the
spill, each exported face held ~25 KB of Python objects until the manifests were written (now ~1)."""

from __future__ import annotations

import io
import multiprocessing
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.services.export import ExportItem, export

#: Python heap an exported face may add, at most (the names of its files, its image's sort key).
MAX_BYTES_PER_FACE = 2500


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (150, 120, 100)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _items(images: int) -> Iterator[ExportItem]:
    """Two accepted faces per image, made as they are read (a stream, like the catalog's)."""
    for i in range(images):
        for index in range(2):
            yield ExportItem(
                face_id=2 * i + index + 1,
                image_uri=f"mem://{i}",
                image_name=f"p{i % 20}/img{i}.jpg",
                group=f"p{i % 20}",
                image_width=320,
                image_height=240,
                face_index=index,
                face=Face(
                    box=Box(20.0 + 150 * index, 40.0, 100.0, 100.0),
                    confidence=0.97,
                    pose=Pose(1.5, -3.0 * i % 40, 2.0),
                    blur=Blur(float(i % 30), "0-100"),
                    glasses="none",
                ),
                qualified=True,
                rule_results=[
                    {"condition": "blur", "outcome": "pass", "reason": f"blur {i % 30}.0 < 25 (0-100)"},
                    {"condition": "pose_yaw", "outcome": "pass", "reason": f"yaw {-3.0 * i % 40:.1f}° ≤ 30°"},
                    {"condition": "face_count", "outcome": "pass", "reason": "2 faces in the image"},
                ],
                decision="accepted",
                decision_reason="qualified",
                decided_by="operator",
                decided_at="2026-12-06T19:00:00Z",
            )


def _peak(tmp_path: Path, images: int, fmt: str) -> int:
    data = _jpeg()
    tracemalloc.start()
    try:
        summary = export(
            _items(images), tmp_path / f"out-{fmt}-{images}", fmt=fmt, rules_name="r",
            read_bytes=lambda item: data, workers=1,
        )  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary.exported == 2 * images and not summary.failed
    return peak


def _grown_per_face(tmp_path: Path, fmt: str, small: int, large: int) -> float:
    _peak(tmp_path, 20, fmt)  # imports and caches first
    grown = _peak(tmp_path, large, fmt) - _peak(tmp_path, small, fmt)
    return grown / (2 * (large - small))


@pytest.mark.parametrize("fmt", ["folders", "coco"])
def test_exporting_four_times_the_faces_holds_barely_more(tmp_path: Path, fmt: str) -> None:
    # In a fresh interpreter: tracemalloc's peak counts every thread's allocations, and in the
    # whole suite's process a thread an earlier test left running once added ~20 KB "per face".
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        per_face = pool.submit(_grown_per_face, tmp_path, fmt, 60, 240).result(timeout=300)
    assert per_face < MAX_BYTES_PER_FACE, f"{per_face:.0f} bytes per exported face"
