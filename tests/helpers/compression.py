"""The JPEG-grid tests' end-to-end reading (tests/test_quality_grid.py, test_quality_dct_grid.py):
one local detector, and the compression measure of the largest face it finds in a file."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def local_detector() -> Any:
    """The local detector, loaded once per test process."""
    from facecurator.detect.local import LocalDetector

    det = LocalDetector()
    det.load()
    return det


def compression_of(data: bytes, name: str) -> tuple[float | None, str, dict[str, float], bool | None]:
    """(value, reason, details, ``compressed`` verdict) of the largest face the local detector
    finds in the file ``data`` named ``name``, end to end (decode, detection, mesh, measures)."""
    from facecurator.domain.protocols import ImageRef

    result = local_detector().detect(ImageRef(uri=name, name=name, group="t", size=0, mtime_ns=0), data)
    assert result.faces, "no face found"
    face = max(result.faces, key=lambda f: f.box.w)
    raw = face.raw["detail"]
    return (
        raw["compression"],
        raw.get("reasons", {}).get("compression", ""),
        raw.get("details", {}).get("compression", {}),
        raw["verdicts"]["compressed"],
    )
