"""A brim over both eyes and a soft face under drawn lines (``detect/quality/covers.py``).

Calibration data: docs/local-detector-covers.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from facecurator.detect.quality import covers, detail
from facecurator.detect.quality.base import FaceView
from facecurator.detect.quality.eyes import EyeReading
from facecurator.detect.quality.regions import GLABELLA, FaceRegions, SkinReference
from tests.helpers.mouth import ring
from tests.test_quality_sharpness import _texture

SKIN = (200, 150, 120)


def _regions(
    glabella: tuple[int, int, int], texture: float = 8.0, brows: tuple[int, int, int] | None = None
) -> tuple[FaceRegions, SkinReference]:
    """A 128 px skin-coloured crop (with a little noise) whose glabella (an ellipse between
    the eyes) is ``glabella`` with a texture of this standard deviation (grey levels), and
    whose brows (ellipses beside it) are ``brows`` (default: as the glabella, under a brim)."""
    from facecurator.detect.quality.regions import _skin_patches, _with_planes

    side = 128
    pts = np.zeros((468, 2))
    # the brows first: their inner ends are also glabella points
    for brow, cx in ((covers.RIGHT_BROW, 36.0), (covers.LEFT_BROW, 92.0)):
        for index, point in zip(brow, ring(cx, 36.0, 13.0, 4.0, len(brow)), strict=True):
            pts[index] = point
    for index, point in zip(GLABELLA, ring(64.0, 42.0, 12.0, 9.0, len(GLABELLA)), strict=True):
        pts[index] = point
    rng = np.random.default_rng(0)
    rgb = np.clip(np.array(SKIN) + rng.normal(0, 4, (side, side, 3)), 0, 255).astype(np.uint8)
    yy, xx = np.mgrid[0:side, 0:side]
    inside = ((xx - 64) / 15) ** 2 + ((yy - 42) / 12) ** 2 <= 1
    patch = np.array(glabella) + rng.normal(0, texture, (side, side, 1)) if texture else np.array(glabella)
    rgb[inside] = np.clip(np.broadcast_to(patch, (side, side, 3))[inside], 0, 255).astype(np.uint8)
    for cx in (36, 92):
        on_brow = ((xx - cx) / 15) ** 2 + ((yy - 36) / 6) ** 2 <= 1
        rgb[on_brow] = rgb[inside][0] if brows is None else brows
    regions = _with_planes(rgb, pts, 100.0)
    _skin_patches(regions)  # (the glabella's polygon mask is what the test reads)
    skin = np.median(regions.area_lab[40:60, 5:20].reshape(-1, 3), axis=0)
    return regions, SkinReference(lab=skin, monochrome=False, patches=("right cheek",))


def _eye(visible: float | None = 0.9) -> EyeReading:
    return EyeReading(visible, 0.8 if visible else None, "", contrast=0.4, bright=0.9, median=0.7)


def test_a_brim_over_the_glabella_covers_both_eyes() -> None:
    # bare skin between the brows: both eyes as read
    regions, skin = _regions(SKIN)
    right, left, share = covers.brim_over_eyes(regions, skin, _eye(), _eye(0.8))
    assert share is not None and share > 0.9
    assert (right.visible, left.visible) == (0.9, 0.8) and right.open == 0.8
    # a blue-grey felt brim over it: both eyes covered, their openness unknown
    regions, skin = _regions((110, 130, 140))
    right, left, share = covers.brim_over_eyes(regions, skin, _eye(), _eye(0.8))
    assert share is not None and share < covers.GLABELLA_SEEN_MIN
    for eye in (right, left):
        assert eye.visible is not None and eye.visible < 0.5
        assert eye.open is None and eye.reason == covers.REASON_COVERED
    # a dark green cap's peak too
    regions, skin = _regions((40, 70, 45))
    right, _, _ = covers.brim_over_eyes(regions, skin, _eye(), _eye())
    assert right.visible is not None and right.visible < 0.5
    # what is lighter than the skin (a highlight, a white glasses bridge) is not a brim,
    # whose underside faces away from the light: a white straw brim is not read (a limit)
    regions, skin = _regions((235, 235, 225))
    right, _, share = covers.brim_over_eyes(regions, skin, _eye(), _eye())
    assert share is not None and share >= covers.GLABELLA_SEEN_MIN and right.visible == 0.9
    # a brim of the skin's own colour, or of a hair colour, shows no shading: uniform,
    # and the brows under it are no darker
    for felt in (SKIN, (45, 30, 20)):
        regions, skin = _regions(felt, texture=0.0)
        right, left, share = covers.brim_over_eyes(regions, skin, _eye(), _eye())
        assert share == 0.0 and right.visible is not None and right.visible < 0.5, felt
    # smooth bare skin between dark brows: a face, not a brim
    regions, skin = _regions(SKIN, texture=0.0, brows=(70, 50, 35))
    right, left, share = covers.brim_over_eyes(regions, skin, _eye(), _eye())
    assert share is not None and share > 0.9 and right.visible == 0.9


def test_a_dark_fringe_over_the_glabella_is_hair_not_a_brim() -> None:
    for hair in ((45, 30, 20), (20, 20, 22)):
        regions, skin = _regions(hair)
        right, left, share = covers.brim_over_eyes(regions, skin, _eye(), _eye())
        assert share is not None and share >= covers.GLABELLA_SEEN_MIN, hair
        assert right.visible == 0.9 and left.visible == 0.9


def test_the_brim_rule_only_reads_faces_whose_eyes_are_both_seen() -> None:
    regions, skin = _regions((110, 130, 140))
    hidden = _eye(0.3)
    right, left, share = covers.brim_over_eyes(regions, skin, _eye(), hidden)
    assert share is None and left is hidden and right.visible == 0.9
    assert covers.brim_over_eyes(regions, None, _eye(), _eye())[2] is None
    assert covers.brim_over_eyes(regions, skin, _eye(None), _eye())[2] is None


def _view(luma: np.ndarray) -> FaceView:
    grey = np.clip(np.rint(luma), 0, 255).astype(np.uint8)
    return FaceView(
        ied=64.0, box=(0, 0, luma.shape[1], luma.shape[0]), inside=1.0, small_ied=64.0,
        small_grey=grey, small_luma=grey.astype(np.float32),
    )  # fmt: skip


def _draw_overlays(img: np.ndarray, colour: int, *, edge: bool = False) -> np.ndarray:
    """A detector demo's drawings: a 2 px box, a polyline, landmark dots and a score text."""
    import cv2

    out = img.copy()
    h, w = out.shape
    top = 0 if edge else 12
    cv2.rectangle(out, (10, top), (w - 11, h - 1 if edge else h - 12), colour, 2)
    pts = np.array([[45, 60], [72, 90], [52, 115], [92, 115], [72, 90], [100, 60]], dtype=np.int32)
    cv2.polylines(out, [pts], False, colour, 1)
    for x, y in pts:
        cv2.circle(out, (int(x), int(y)), 2, colour, -1)
    cv2.putText(out, "face 0.99", (14, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1)
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_drawn_lines_do_not_make_a_soft_face_sharp(seed: int) -> None:
    import cv2

    soft = cv2.GaussianBlur(_texture(seed), (0, 0), 4.0)
    slopes = detail._octave_slopes(soft)
    assert 2.0 + slopes[0] + slopes[1] < detail.SHARPNESS_MIN
    for colour, edge in ((255, False), (20, False), (255, True)):
        drawn = _draw_overlays(soft, colour, edge=edge)
        slopes = detail._octave_slopes(drawn)
        assert 2.0 + slopes[0] + slopes[1] > detail.SHARPNESS_MIN  # the lines carry the RMS
        robust = covers.robust_sharpness(_view(drawn))
        assert robust is not None and robust < covers.ROBUST_SHARPNESS_MIN, (colour, edge, robust)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_sharp_face_stays_sharp_without_its_thin_structures(seed: int) -> None:
    import cv2

    sharp = _texture(seed)
    # a photo's detail is spread over the face: the robust reading is not even taken ...
    assert covers.concentration(_view(sharp).small_grey) < covers.CONCENTRATION_MIN  # type: ignore[arg-type]
    assert covers.robust_sharpness(_view(sharp)) is None
    # ... and where it is (lines drawn over a sharp face), the face keeps its detail
    drawn = _draw_overlays(sharp, 255)
    found = covers.thin_structures(_view(drawn).small_grey)  # type: ignore[arg-type]
    assert found is not None
    slopes = detail._octave_slopes(drawn.astype(np.float32), (~found[0]).astype(np.float32))
    assert 2.0 + slopes[0] + slopes[1] > covers.ROBUST_SHARPNESS_MIN + 0.5
    # a soft face under the same lines: its detail is concentrated on them
    soft = _draw_overlays(cv2.GaussianBlur(sharp, (0, 0), 4.0), 255)
    assert covers.concentration(_view(soft).small_grey) >= covers.CONCENTRATION_MIN  # type: ignore[arg-type]


def test_robust_sharpness_is_not_read_on_a_face_of_thin_structures_or_too_small() -> None:
    rng = np.random.default_rng(3)
    noise = np.where(rng.random((160, 144)) < 0.05, 250.0, 60.0).astype(np.float32)  # specks all over
    assert covers.robust_sharpness(_view(noise)) is None
    assert covers.robust_sharpness(_view(_texture(0)[:12, :12])) is None
