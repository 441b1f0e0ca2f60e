"""The "photograph, not a drawing or render" verdict on real truth-set faces.

The faces come from the gathered truth set (issue 18), which lives outside the
repository (``FACECURATOR_TRUTHSET``, default ``../truthset`` beside the work
tree); the tests skip with a reason without it. Calibration and limits:
docs/measures-detail.md, section "Photograph, not a render".
"""

from __future__ import annotations

import io
import os
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facecurator.detect.quality import detail, face

TRUTHSET = Path(os.environ.get("FACECURATOR_TRUTHSET", Path(__file__).resolve().parents[2] / "truthset"))
PHOTOS = TRUTHSET / "photos"
needs_truthset = pytest.mark.skipif(
    not PHOTOS.is_dir(), reason=f"the gathered truth set ({PHOTOS}) is not present (set FACECURATOR_TRUTHSET)"
)
INSPIRE = "deepinsight__insightface/cpp-package/inspireface/test_res/data"


@cache
def _detector():  # type: ignore[no-untyped-def]
    from facecurator.detect.local import LocalDetector

    det = LocalDetector()
    det.load()
    return det


def _measure(rel: str, fx: float, fy: float) -> face.FaceQuality:
    """Quality of the face whose mesh box holds (fx, fy) (fractions of the image),
    found, fitted and measured as the local detector does."""
    from facecurator.detect.local import _draft_side
    from facecurator.domain.images import decode_image

    data = (PHOTOS / rel).read_bytes()
    det = _detector()
    decoded = decode_image(data, name=rel, max_side=_draft_side(data, det.settings.working_side))
    rgb = np.ascontiguousarray(np.asarray(decoded.image, dtype=np.uint8))
    h, w = rgb.shape[:2]
    for cand in det._candidates(rgb):
        mesh = det._fit_mesh(rgb, cand)
        if mesh is None:
            continue
        x0, y0 = mesh[:, 0].min() / w, mesh[:, 1].min() / h
        x1, y1 = mesh[:, 0].max() / w, mesh[:, 1].max() / h
        if x0 <= fx <= x1 and y0 <= fy <= y1:
            with Image.open(io.BytesIO(data)) as img:
                quality = detail.jpeg_quality(getattr(img, "quantization", None)).value
            return face.measure_face(rgb, mesh, scale=decoded.scale, jpeg_quality=quality)
    raise AssertionError(f"{rel}: no face with a mesh at ({fx}, {fy})")


@needs_truthset
def test_an_anime_style_drawing_is_not_a_photo() -> None:
    q = _measure(f"{INSPIRE}/bulk/kun_cartoon_crop.jpg", 0.50, 0.44)
    flag, reason = q.verdicts["not_photo"]
    assert flag is True, q.raw()
    assert "flat colour" in reason


@needs_truthset
@pytest.mark.parametrize(
    ("rel", "fx", "fy"),
    [
        (f"{INSPIRE}/RD/d1.jpeg", 0.54, 0.55),  # frontal, sharp
        (f"{INSPIRE}/RD/d4.jpeg", 0.54, 0.40),  # black-and-white portrait
        (f"{INSPIRE}/attribute/1561.jpg", 0.50, 0.52),  # older woman, small JPEG
        ("eladrich__pixel2style2pixel/docs/encoding_inputs.jpg", 0.75, 0.5),  # retouched studio portrait
        # the two clean tune faces with the most flat pixels (flat_colour ~0.05)
        (f"{INSPIRE}/bulk/image_T1.jpeg", 0.41, 0.41),
        ("microsoft__Deep3DFaceReconstruction/input/015384.jpg", 0.55, 0.28),
    ],
)
def test_real_photographs_are_photos(rel: str, fx: float, fy: float) -> None:
    q = _measure(rel, fx, fy)
    assert q.verdicts["not_photo"][0] is False, q.raw()
    assert q.measures["flat_colour"].value is not None
