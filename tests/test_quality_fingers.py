"""Fingers from the side beside a mouth corner (``detect/quality/fingers.py``).

Calibration data: docs/local-detector-fingers.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from facecurator.detect.quality import fingers
from facecurator.detect.quality.fingers import (
    COHERENCE_MAX,
    MAX_TILT,
    cheek_lines,
    fingers_across,
    mouth_limit,
)
from facecurator.detect.quality.regions import FaceRegions
from tests.test_quality_beard import _detect, detected_portrait, detector  # noqa: F401  (the detector fixture)

SIDE = 128
SKIN = (200, 150, 120)
#: the synthetic crop's under-nose point and mouth corners (subject's right = image left)
UNDER_NOSE, RIGHT_CORNER, LEFT_CORNER = (64.0, 78.0), (50.0, 92.0), (78.0, 92.0)


def _regions(rgb: np.ndarray) -> FaceRegions:
    from facecurator.detect.quality.regions import _with_planes

    pts = np.zeros((468, 2))
    pts[fingers.UNDER_NOSE] = UNDER_NOSE
    pts[fingers.MOUTH_CORNERS[0]] = RIGHT_CORNER
    pts[fingers.MOUTH_CORNERS[1]] = LEFT_CORNER
    return _with_planes(rgb, pts, 100.0)


def _skin(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(np.array(SKIN) + rng.normal(0, 4, (SIDE, SIDE, 3)), 0, 255)


def _lines(rgb: np.ndarray, angle: float, *, x0: float = 66.0, pitch: float = 6.0) -> np.ndarray:
    """Fingers over the subject's left lower cheek (image right, from ``x0`` outwards): bands
    ``pitch`` px apart whose shading is darker at their sides, with a dark crease between
    two bands, the lines at ``angle`` degrees from the eye line."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    t = math.radians(angle)
    # distance across the lines (perpendicular to them)
    across = -(xx - 64.0) * math.sin(t) + (yy - 92.0) * math.cos(t)
    phase = (across / pitch) % 1.0
    shade = 0.82 + 0.18 * np.sin(math.pi * phase)
    shade = np.where(phase < 0.12, 0.7, shade)
    out = rgb.copy()
    hand = (xx >= x0) & (yy >= 70) & (yy <= 118)
    out[hand] = np.clip(np.array(SKIN) * shade[hand][:, None], 0, 255)
    return out


def _u8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def test_fingers_across_a_lower_cheek_cover_the_mouth() -> None:
    # bare skin: nothing runs across the cheeks, the mouth keeps its score
    bare = fingers_across(_regions(_u8(_skin())))
    assert bare is None or bare.coherence < COHERENCE_MAX
    assert mouth_limit(bare) >= 0.5
    # fingers from the side over the subject's left corner: parallel lines across the face
    found = fingers_across(_regions(_u8(_lines(_skin(), 0.0))))
    assert found is not None and found.side == "left"
    assert found.coherence >= COHERENCE_MAX and found.tilt <= 5.0
    assert mouth_limit(found) < 0.5
    # fingers at 15 degrees still lie across the face
    slanted = fingers_across(_regions(_u8(_lines(_skin(), 15.0))))
    assert slanted is not None and slanted.side == "left"
    assert 10.0 <= slanted.tilt <= MAX_TILT and mouth_limit(slanted) < 0.5


def test_lines_up_and_down_the_cheek_are_the_face_s_own() -> None:
    # steep lines (the nasolabial fold, a smile line, the jaw's contour) are no cover here,
    # however parallel: read on that side, but not as lines across the face
    steep = _regions(_u8(_lines(_skin(), 60.0)))
    left = [lines for lines in cheek_lines(steep) if lines.side == "left"]
    assert left and left[0].coherence >= COHERENCE_MAX and left[0].tilt > MAX_TILT
    assert mouth_limit(fingers_across(steep)) >= 0.5


def test_shading_and_pixel_stripes_are_not_fingers() -> None:
    # a face lit from above: its lower cheek darkens smoothly downwards (one direction, no lines)
    yy = np.mgrid[0:SIDE, 0:SIDE][0].astype(np.float64)
    ramp = _skin() * (1.15 - 0.4 * yy / SIDE)[..., None]
    assert mouth_limit(fingers_across(_regions(_u8(ramp)))) >= 0.5
    # stripes finer than a finger all over the face (a video frame's interlacing resized, a
    # screen's or a print's pattern): 3 px apart on the crop (0.08 IOD), +-8 grey levels
    rows = _skin() + (8.0 * np.sin(2 * np.pi * yy / 3.0))[..., None]
    assert all(lines.coherence < COHERENCE_MAX for lines in cheek_lines(_regions(_u8(rows))))
    assert mouth_limit(fingers_across(_regions(_u8(rows)))) >= 0.5


def test_a_patch_off_the_crop_is_not_read() -> None:
    pts_right = _regions(_u8(_skin()))
    pts_right.pts[fingers.MOUTH_CORNERS[0]] = (1.0, 92.0)  # the right corner at the crop's edge
    assert {lines.side for lines in cheek_lines(pts_right)} == {"left"}


def test_a_face_running_off_the_image_is_not_read_beyond_its_edge() -> None:
    # the crop replicates the image's edge beyond it: straight streaks across the crop, which
    # must not read as fingers (a face cut by the photo's right edge at x = 70 of the crop)
    streaked = _lines(_skin(), 0.0)
    regions = _regions(_u8(streaked))
    assert {lines.side for lines in cheek_lines(regions)} == {"right", "left"}
    regions.to_source = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    regions.source_shape = (SIDE, 70)
    assert {lines.side for lines in cheek_lines(regions)} == {"right"}
    assert mouth_limit(fingers_across(regions)) >= 0.5
    # the whole image seen: read as before
    regions.source_shape = (SIDE, SIDE)
    assert mouth_limit(fingers_across(regions)) < 0.5


# --------------------------------------------------------------------------- on a portrait


def _hand_from_the_side(img: Image.Image, face: object) -> Image.Image:
    """Four fingers of the cheek's colour from beyond the subject's left mouth corner to a
    little past the mouth's centre, from under the nose to the chin (dark creases between
    them): a hand over half the mouth, the other corner seen."""
    marks = np.array(face.landmarks)  # type: ignore[attr-defined]
    right_eye, left_eye, nose, mouth_right, mouth_left = marks[:5]
    iod = float(np.linalg.norm(left_eye - right_eye))
    mouth = (mouth_right + mouth_left) / 2
    arr = np.asarray(img).astype(np.float64)
    cheek = arr[int(left_eye[1] + 0.6 * iod), int(left_eye[0])]
    top, bottom = nose[1] + 0.2 * (mouth[1] - nose[1]), mouth[1] + 0.7 * iod
    tip = mouth[0] - 0.2 * iod if mouth_left[0] < mouth_right[0] else mouth[0] + 0.2 * iod
    outer = mouth_left[0] + np.sign(mouth_left[0] - mouth_right[0]) * 2.5 * iod
    pitch = (bottom - top) / 4
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for k in range(4):
        y0, y1 = top + k * pitch, top + (k + 1) * pitch
        for j, shade in enumerate((0.84, 0.92, 1.0, 0.92, 0.84)):
            band = (y0 + j * pitch / 5, y0 + (j + 1) * pitch / 5)
            colour = tuple(int(c * shade) for c in cheek)
            draw.rectangle((min(tip, outer), band[0], max(tip, outer), band[1]), fill=colour)
        draw.line(
            (min(tip, outer), y1, max(tip, outer), y1), fill=tuple(int(c * 0.65) for c in cheek), width=2
        )
    return out


def test_a_hand_over_half_the_mouth_of_a_portrait(corpus_dir: Path, detector: object) -> None:  # noqa: F811
    img, bare = detected_portrait(corpus_dir, detector)
    occ = bare.raw["quality"]["occlusion"]  # type: ignore[attr-defined]
    assert occ.get("cheek_lines", 0.0) < COHERENCE_MAX, occ
    assert bare.measures["mouth_visible"].value >= 0.5  # type: ignore[attr-defined]
    covered = _detect(detector, _hand_from_the_side(img, bare), "img14 + hand from the side")
    occ = covered.raw["quality"]["occlusion"]  # type: ignore[attr-defined]
    assert occ["cheek_lines"] >= COHERENCE_MAX and occ["cheek_lines_tilt"] <= MAX_TILT, occ
    mouth = covered.measures["mouth_visible"]  # type: ignore[attr-defined]
    assert mouth.value < 0.5 and mouth.reason == "covered?"
    assert covered.measures["nose_mouth_visible"].value < 0.5  # type: ignore[attr-defined]
