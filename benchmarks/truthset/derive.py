"""Derived variants of clean labelled faces, whose labels are beyond doubt (issue 18).

From every clean labelled face that the local detector found with its mesh
landmarks and a box of at least ``MIN_FACE_PX`` pixels, a crop around the face
(the face about ``FACE_PX`` pixels wide) is made, and from it one image per
variant:

=================  ===============================================  ==========================
variant            what is done                                     label set to 1
=================  ===============================================  ==========================
eyes_bar           solid black bar over both eyes                   eyes_occluded
nose_mouth_bar     solid rectangle over nose and mouth              nose_mouth_occluded
eye_hand           opaque blob of the face's own skin colour        eyes_occluded
                   over one eye (like a hand)
sunglasses         dark opaque lenses over both eyes + bridge       sunglasses, eyes_occluded
tinted             see-through lenses (brown, grey-blue, green or   sunglasses, eyes_occluded
                   amber at 55-70 % opacity) + a thin bridge
cartoon            comic-style drawing: smoothed, 8 flat colours,   not_photo
                   dark outlines, saved as JPEG quality 75-90
blurred            Gaussian blur, sigma = face box / 28             blurred
compressed         JPEG quality 2 or 3                              compressed
upscaled           12x area downscale, bicubic upscale back         upscaled
underexposed       brightness scaled to a face mean of 15/255      underexposed
overexposed        gain that clips ~70 % of the face to white       overexposed
roll45             rotated 45° around the face, the way the face is     roll_over30
                   already tilted (so its roll is at least 45°)
dim                2.5-3.5 stops less exposure (linear light: sRGB  underexposed
                   decoded, scaled by 2^-stops, encoded again)
bright             more exposure (linear light) until 40-50 % of    overexposed
                   the face box is clipped white (luma >= 250)
hair_eye           a dense bundle of dark hair strands across one   eyes_occluded
                   eye, from the forehead to the cheek
mouth_hand         opaque blob of the face's own skin colour over   nose_mouth_occluded
                   the mouth (like a hand), with soft shading
recompressed       JPEG quality 4-6, then resized by 0.7-0.85       compressed
                   (bicubic) and saved as PNG: the blocks are
                   visible but no longer on the 8-px grid
sketch             a pencil drawing of the photo (OpenCV's          not_photo
                   ``pencilSketch``, grey or coloured), JPEG 80-92
glare              the dark lenses of ``sunglasses`` with a bright  sunglasses, eyes_occluded
                   reflection (sky / window colour, soft edge)
                   over 35-55 % of one lens
=================  ===============================================  ==========================

Eye, nose and mouth positions are the detector's 5 mesh landmarks on the source
photo, so each cover sits on its feature. Attributes a variant may hide (the
eye state under a bar, "blurred" after 12x upscaling, ...) are left empty
(cannot tell); the others keep the source's label. Variants keep the source's
``source`` and ``split``. Everything is deterministic: the random choices are
seeded from the source face's key, and files that exist are not rewritten.

CLI: ``python -m benchmarks.truthset.derive [--out DIR] [--split tune|test]``
writes the variants and prints their label rows (CSV).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from benchmarks.truthset.detections import Runner, default_cache_dir, match_face
from benchmarks.truthset.labels import COLUMNS, Label

if TYPE_CHECKING:
    from PIL import Image

    from benchmarks.truthset.detections import Detected

#: Bump when a variant's pixels change (the variants live in a folder of this version).
#: v4 added dim, bright, hair_eye and mouth_hand, v5 glare, v6 sketch, v7 recompressed (the
#: other variants are byte-identical).
DERIVE_VERSION: Final = 7
#: Seeds the random choices (bar colour, which eye, ...). Kept at 1 when v2 changed
#: roll45 (its direction follows the face's own tilt) and added ``tinted``, so the other
#: variants are unchanged.
SEED_VERSION: Final = 1
MIN_FACE_PX: Final = 112
FACE_PX: Final = 240
CROP_FACTOR: Final = 2.6

Points = dict[str, np.ndarray]


@dataclass(frozen=True)
class Variant:
    name: str
    suffix: str
    #: label overrides: 1/0 or None (cannot tell)
    labels: Mapping[str, bool | None]
    make: Callable[[Image.Image, Points, np.random.Generator], tuple[Image.Image, tuple[float, float]]]
    #: JPEG quality range [low, high) of a ".jpg" variant
    jpeg_quality: tuple[int, int] = (2, 4)


# --------------------------------------------------------------------------- geometry helpers


def _frame(pts: Points) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(eye midpoint, unit vector along the eyes, unit vector down the face, inter-eye distance)."""
    re, le = pts["right_eye"], pts["left_eye"]
    mid = (re + le) / 2
    along = le - re
    ied = float(np.linalg.norm(along))
    u = along / ied
    v = np.array([-u[1], u[0]])
    if np.dot(pts["mouth"] - mid, v) < 0:
        v = -v
    return mid, u, v, ied


def _rect(
    centre: np.ndarray, u: np.ndarray, v: np.ndarray, half_u: float, half_v: float
) -> list[tuple[float, float]]:
    corners = [centre + su * half_u * u + sv * half_v * v for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return [(float(c[0]), float(c[1])) for c in corners]


def _ellipse(
    centre: np.ndarray, u: np.ndarray, v: np.ndarray, ru: float, rv: float
) -> list[tuple[float, float]]:
    pts = []
    for k in range(48):
        t = 2 * math.pi * k / 48
        p = centre + math.cos(t) * ru * u + math.sin(t) * rv * v
        pts.append((float(p[0]), float(p[1])))
    return pts


def _centre(pts: Points) -> tuple[float, float]:
    c = pts["box_centre"]
    return float(c[0]), float(c[1])


def _face_pixels(img: Image.Image, pts: Points) -> np.ndarray:
    """The grey pixels of the face box."""
    x0, y0, x1, y1 = (round(float(t)) for t in pts["box"])
    arr = np.asarray(img.convert("L"), dtype=np.float64)
    return arr[max(0, y0) : max(1, y1), max(0, x0) : max(1, x1)]


# --------------------------------------------------------------------------- the variants


def _eyes_bar(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import ImageDraw

    mid, u, v, ied = _frame(pts)
    out = img.copy()
    ImageDraw.Draw(out).polygon(_rect(mid, u, v, 1.05 * ied, 0.32 * ied), fill=(0, 0, 0))
    return out, _centre(pts)


def _nose_mouth_bar(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import ImageDraw

    mid, u, v, ied = _frame(pts)
    mouth_v = float(np.dot(pts["mouth"] - mid, v))
    top, bottom = 0.3 * mouth_v, mouth_v + 0.5 * ied
    centre = mid + (top + bottom) / 2 * v + float(np.dot(pts["nose"] - mid, u)) * u
    palette = [(0, 0, 0), (40, 40, 40), (128, 128, 128), (255, 255, 255), (20, 40, 120)]
    colour = palette[int(rng.integers(len(palette)))]
    out = img.copy()
    ImageDraw.Draw(out).polygon(_rect(centre, u, v, 0.8 * ied, (bottom - top) / 2), fill=colour)
    return out, _centre(pts)


def _eye_hand(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFilter

    _mid, u, v, ied = _frame(pts)
    eye = pts["left_eye"] if pts["hand_eye"][0] > 0 else pts["right_eye"]
    # skin colour: median of a patch on the same side's cheek (between the eye and the mouth corner)
    corner = pts["mouth_left"] if pts["hand_eye"][0] > 0 else pts["mouth_right"]
    cheek = (eye + corner) / 2
    arr = np.asarray(img, dtype=np.uint8)
    r = max(2, int(0.12 * ied))
    cy, cx = int(cheek[1]), int(cheek[0])
    patch = arr[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r].reshape(-1, 3)
    colour = np.median(patch, axis=0) if len(patch) else np.array([200.0, 160.0, 140.0])
    h, w = arr.shape[:2]
    layer = np.clip(colour + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)
    mask = PILImage.new("L", img.size, 0)
    centre = eye + 0.05 * ied * v
    ImageDraw.Draw(mask).polygon(_ellipse(centre, u, v, 0.6 * ied, 0.45 * ied), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, 0.03 * ied)))
    # keep the eye itself fully covered after the soft edge
    ImageDraw.Draw(mask).polygon(_ellipse(centre, u, v, 0.5 * ied, 0.36 * ied), fill=255)
    out = PILImage.composite(PILImage.fromarray(layer), img, mask)
    return out, _centre(pts)


def _sunglasses(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    tints = [(10, 10, 10), (35, 22, 12), (12, 28, 18), (20, 20, 35)]
    tint = tints[int(rng.integers(len(tints)))]
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for eye in (pts["right_eye"], pts["left_eye"]):
        draw.polygon(_ellipse(eye + 0.04 * ied * v, u, v, 0.44 * ied, 0.32 * ied), fill=tint)
    width = max(2, int(0.05 * ied))
    a, b = pts["right_eye"] + 0.3 * ied * u, pts["left_eye"] - 0.3 * ied * u
    draw.line([(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))], fill=tint, width=width)
    for eye, sign in ((pts["right_eye"], -1), (pts["left_eye"], 1)):
        s = eye + sign * 0.42 * ied * u
        e = eye + sign * 0.85 * ied * u
        draw.line([(float(s[0]), float(s[1])), (float(e[0]), float(e[1]))], fill=tint, width=width)
    return out, _centre(pts)


def _tinted(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """See-through tinted lenses: the eyes show through a brown, grey-blue or green tint."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    tints = [(110, 60, 20), (60, 70, 95), (55, 85, 50), (150, 90, 40)]
    tint = tints[int(rng.integers(len(tints)))]
    alpha = float(rng.uniform(0.55, 0.7))
    lenses = PILImage.new("L", img.size, 0)
    draw = ImageDraw.Draw(lenses)
    for eye in (pts["right_eye"], pts["left_eye"]):
        draw.polygon(_ellipse(eye + 0.04 * ied * v, u, v, 0.44 * ied, 0.32 * ied), fill=round(255 * alpha))
    out = PILImage.composite(PILImage.new("RGB", img.size, tint), img, lenses)
    frame = ImageDraw.Draw(out)
    width = max(1, int(0.03 * ied))
    a, b = pts["right_eye"] + 0.3 * ied * u, pts["left_eye"] - 0.3 * ied * u
    frame.line([(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))], fill=(30, 30, 30), width=width)
    return out, _centre(pts)


def _cartoon(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """A comic-style drawing of the photo: edge-preserving smoothing, 8 flat colours
    (k-means), dark outlines; saved as an ordinary JPEG (quality 75-90) like most
    cartoons on the web, so its flat fills carry JPEG noise."""
    import cv2
    from PIL import Image as PILImage

    arr = np.ascontiguousarray(np.asarray(img.convert("RGB")))
    smooth = arr
    for _ in range(4):
        smooth = cv2.bilateralFilter(smooth, 9, 40, 9)
    pixels = smooth.reshape(-1, 3).astype(np.float32)
    sample = pixels[:: max(1, len(pixels) // 20000)]
    cv2.setRNGSeed(int(rng.integers(1 << 30)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, _, centres = cv2.kmeans(sample, 8, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    nearest = ((pixels[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    flat = np.clip(centres, 0, 255).astype(np.uint8)[nearest].reshape(arr.shape)
    edges = cv2.Canny(cv2.cvtColor(smooth, cv2.COLOR_RGB2GRAY), 40, 110)
    flat[cv2.dilate(edges, np.ones((2, 2), np.uint8)) > 0] = (25, 20, 20)
    return PILImage.fromarray(flat), _centre(pts)


def _blurred(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import ImageFilter

    side = float(pts["box_side"][0])
    return img.filter(ImageFilter.GaussianBlur(side / 28)), _centre(pts)


def _compressed(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    # The JPEG encoding happens when the variant is saved (quality in pts by derive_face).
    return img.copy(), _centre(pts)


def _upscaled(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import Image as PILImage

    small = img.resize(
        (max(1, round(img.width / 12)), max(1, round(img.height / 12))), PILImage.Resampling.BOX
    )
    return small.resize(img.size, PILImage.Resampling.BICUBIC), _centre(pts)


def _gain(img: Image.Image, gain: float) -> Image.Image:
    from PIL import Image as PILImage

    arr = np.asarray(img, dtype=np.float64) * gain
    return PILImage.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8))


def _underexposed(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    mean = float(_face_pixels(img, pts).mean())
    return _gain(img, 15.0 / max(mean, 1.0)), _centre(pts)


def _overexposed(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    x0, y0, x1, y1 = (round(float(t)) for t in pts["box"])
    arr = np.asarray(img, dtype=np.float64)[max(0, y0) : max(1, y1), max(0, x0) : max(1, x1)]
    # the 30th percentile of the face's darkest channel maps to 255: ~70 % of the face is pure white
    low = float(np.percentile(arr.min(axis=2), 30))
    return _gain(img, 255.0 / max(low, 1.0) * 1.02), _centre(pts)


def eye_line_roll(pts: Points) -> float:
    """The face's roll from its eye line, degrees, > 0 when the eye on the image's right is higher."""
    along = pts["left_eye"] - pts["right_eye"]
    return math.degrees(math.atan2(-float(along[1]), float(along[0])))


def roll45_angle(pts: Points, rng: np.random.Generator) -> float:
    """PIL rotation (counter-clockwise > 0) that takes the face to at least 45° of roll.

    It turns the way the face is already tilted: a face at +19° turned by -45° would end
    at -26°, inside a 30° rule (v1 did that; its label "roll beyond 30°" was wrong).
    A counter-clockwise turn adds to the roll. Nearly level faces (under 3°) turn either way.
    """
    roll = eye_line_roll(pts)
    positive = (roll > 0) if abs(roll) >= 3.0 else bool(rng.integers(2))
    return 45.0 if positive else -45.0


def _roll45(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import Image as PILImage

    angle = roll45_angle(pts, rng)
    cx, cy = _centre(pts)
    out = img.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    # PIL rotates counter-clockwise about the image centre, then expand re-centres the canvas
    t = math.radians(angle)
    ox, oy = img.width / 2, img.height / 2
    dx, dy = cx - ox, cy - oy
    nx = dx * math.cos(t) + dy * math.sin(t) + out.width / 2
    ny = -dx * math.sin(t) + dy * math.cos(t) + out.height / 2
    return out, (nx, ny)


def _to_linear(arr: np.ndarray) -> np.ndarray:
    c = arr / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    c = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(c * 255.0), 0, 255).astype(np.uint8)


def _exposure(img: Image.Image, stops: float) -> Image.Image:
    """The photo with ``stops`` more (> 0) or less (< 0) exposure, in linear light."""
    from PIL import Image as PILImage

    lin = _to_linear(np.asarray(img.convert("RGB"), dtype=np.float64))
    return PILImage.fromarray(_to_srgb(lin * 2.0**stops))


def _dim(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """An underexposed shot: 2.5-3.5 stops darker (not the black face of ``underexposed``)."""
    return _exposure(img, -float(rng.uniform(2.5, 3.5))), _centre(pts)


def _bright(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """An overexposed shot: more exposure in linear light until a share of 40-50 % of the
    face box is clipped white (``overexposed`` clips ~70 % with a plain gain)."""
    target = float(rng.uniform(0.4, 0.5))
    x0, y0, x1, y1 = (round(float(t)) for t in pts["box"])
    face = img.crop((max(0, x0), max(0, y0), max(1, x1), max(1, y1)))
    lo, hi = 0.0, 8.0
    for _ in range(14):
        stops = (lo + hi) / 2
        luma = np.asarray(_exposure(face, stops).convert("L"), dtype=np.float64)
        if float((luma >= 250).mean()) < target:
            lo = stops
        else:
            hi = stops
    return _exposure(img, hi), _centre(pts)


def _hair_eye(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """A dense bundle of dark, slightly curved hair strands across one eye."""
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    eye = pts["left_eye"] if pts["hand_eye"][0] > 0 else pts["right_eye"]
    side = 1.0 if pts["hand_eye"][0] > 0 else -1.0
    hairs = [(20, 14, 10), (45, 30, 20), (70, 48, 30), (12, 12, 14), (110, 80, 45)]
    base = np.array(hairs[int(rng.integers(len(hairs)))], dtype=np.float64)
    out = img.copy()
    draw = ImageDraw.Draw(out)
    n = 26
    for k in range(n):
        # strands fall from the forehead (above the inner eye) to the outer cheek
        off = (k / (n - 1) - 0.5) * 1.0 * ied
        start = eye - 1.0 * ied * v + (off - side * 0.15 * ied) * u
        end = eye + 0.8 * ied * v + (off + side * 0.35 * ied) * u
        bend = float(rng.normal(0, 0.08)) * ied
        line = []
        for t in np.linspace(0.0, 1.0, 12):
            p = start + t * (end - start) + math.sin(math.pi * t) * bend * u
            line.append((float(p[0]), float(p[1])))
        colour = tuple(int(c) for c in np.clip(base * rng.uniform(0.7, 1.4), 0, 255))
        draw.line(line, fill=colour, width=max(1, int(ied * rng.uniform(0.035, 0.07))))
    return out, _centre(pts)


def _mouth_hand(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """An opaque blob of the face's skin colour over the mouth, shaded like a hand."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFilter

    _mid, u, v, ied = _frame(pts)
    eye, corner = pts["right_eye"], pts["mouth_right"]
    cheek = (eye + corner) / 2
    arr = np.asarray(img, dtype=np.uint8)
    r = max(2, int(0.12 * ied))
    cy, cx = int(cheek[1]), int(cheek[0])
    patch = arr[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r].reshape(-1, 3)
    colour = np.median(patch, axis=0) if len(patch) else np.array([200.0, 160.0, 140.0])
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    # a smooth shading ramp across the hand (lighter on one side), plus fine noise
    ramp = 1.0 + 0.12 * np.tanh(((xx - pts["mouth"][0]) * u[0] + (yy - pts["mouth"][1]) * u[1]) / ied)
    layer = np.clip(colour * ramp[..., None] + rng.normal(0, 5, (h, w, 3)), 0, 255).astype(np.uint8)
    mask = PILImage.new("L", img.size, 0)
    centre = pts["mouth"] + 0.05 * ied * v
    ImageDraw.Draw(mask).polygon(_ellipse(centre, u, v, 0.85 * ied, 0.42 * ied), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, 0.03 * ied)))
    ImageDraw.Draw(mask).polygon(_ellipse(centre, u, v, 0.75 * ied, 0.34 * ied), fill=255)
    out = PILImage.composite(PILImage.fromarray(layer), img, mask)
    return out, _centre(pts)


def _glare(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """Dark opaque lenses, one of them with a bright reflection of the sky or a window."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFilter

    out, centre = _sunglasses(img, pts, rng)
    _mid, u, v, ied = _frame(pts)
    eye = pts["left_eye"] if pts["hand_eye"][0] > 0 else pts["right_eye"]
    lights = [(235, 240, 245), (190, 210, 235), (215, 220, 200), (250, 245, 230)]
    light = lights[int(rng.integers(len(lights)))]
    share = float(rng.uniform(0.35, 0.55))
    # a soft blob in the lens's upper part, its area ``share`` of the lens (0.44 x 0.32 IED)
    ru, rv = 0.44 * ied * share**0.5, 0.32 * ied * share**0.5
    spot = eye + 0.04 * ied * v + float(rng.uniform(-0.12, 0.12)) * ied * u - (0.32 * ied - rv) * 0.6 * v
    lens = PILImage.new("L", img.size, 0)
    ImageDraw.Draw(lens).polygon(_ellipse(eye + 0.04 * ied * v, u, v, 0.44 * ied, 0.32 * ied), fill=255)
    blob = PILImage.new("L", img.size, 0)
    ImageDraw.Draw(blob).polygon(_ellipse(spot, u, v, ru, rv), fill=235)
    blob = blob.filter(ImageFilter.GaussianBlur(max(1.0, 0.05 * ied)))
    alpha = PILImage.fromarray(np.minimum(np.asarray(blob), np.asarray(lens)))
    return PILImage.composite(PILImage.new("RGB", img.size, light), out, alpha), centre


def _recompressed(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """Heavy JPEG blocking, then a resize that moves the blocks off the 8-px grid."""
    import io

    from PIL import Image as PILImage

    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=int(rng.integers(4, 7)))
    buf.seek(0)
    with PILImage.open(buf) as opened:
        blocky = opened.convert("RGB")
    f = float(rng.uniform(0.7, 0.85))
    size = (max(1, round(img.width * f)), max(1, round(img.height * f)))
    cx, cy = _centre(pts)
    return blocky.resize(size, PILImage.Resampling.BICUBIC), (cx * f, cy * f)


def _sketch(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """A pencil drawing of the photo (grey, or coloured pencils)."""
    import cv2
    from PIL import Image as PILImage

    arr = np.ascontiguousarray(np.asarray(img.convert("RGB")))
    grey, colour = cv2.pencilSketch(
        arr, sigma_s=float(rng.uniform(40, 80)), sigma_r=float(rng.uniform(0.05, 0.1)), shade_factor=0.04
    )
    if rng.integers(2):
        return PILImage.fromarray(grey).convert("RGB"), _centre(pts)
    return PILImage.fromarray(colour), _centre(pts)


_HIDDEN_EYES: Final = {"left_eye_closed": None, "right_eye_closed": None}
_LOST_DETAIL: Final = {"blurred": None, "upscaled": None, "compressed": None}

VARIANTS: Final = (
    Variant(
        "eyes_bar",
        ".png",
        {"eyes_occluded": True, "sunglasses": None, "clear_glasses": None, **_HIDDEN_EYES},
        _eyes_bar,
    ),
    Variant("nose_mouth_bar", ".png", {"nose_mouth_occluded": True, "mask": None}, _nose_mouth_bar),
    Variant("eye_hand", ".png", {"eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES}, _eye_hand),
    Variant(
        "sunglasses",
        ".png",
        {"sunglasses": True, "eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES},
        _sunglasses,
    ),
    Variant(
        "tinted",
        ".png",
        {"sunglasses": True, "eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES},
        _tinted,
    ),
    Variant("blurred", ".png", {"blurred": True, "upscaled": None}, _blurred),
    Variant("compressed", ".jpg", {"compressed": True, "blurred": None, "upscaled": None}, _compressed),
    Variant("upscaled", ".png", {"upscaled": True, "blurred": None}, _upscaled),
    Variant("underexposed", ".png", {"underexposed": True, **_HIDDEN_EYES, **_LOST_DETAIL}, _underexposed),
    Variant("overexposed", ".png", {"overexposed": True, **_HIDDEN_EYES, **_LOST_DETAIL}, _overexposed),
    Variant("roll45", ".png", {"roll_over30": True}, _roll45),
    Variant("cartoon", ".jpg", {"not_photo": True, **_LOST_DETAIL}, _cartoon, jpeg_quality=(75, 91)),
    Variant("dim", ".png", {"underexposed": True, **_HIDDEN_EYES, **_LOST_DETAIL}, _dim),
    Variant("bright", ".png", {"overexposed": True, **_HIDDEN_EYES, **_LOST_DETAIL}, _bright),
    Variant("hair_eye", ".png", {"eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES}, _hair_eye),
    Variant("mouth_hand", ".png", {"nose_mouth_occluded": True, "mask": None}, _mouth_hand),
    Variant("recompressed", ".png", {"compressed": True, "blurred": None, "upscaled": None}, _recompressed),
    Variant("sketch", ".jpg", {"not_photo": True, **_LOST_DETAIL}, _sketch, jpeg_quality=(80, 93)),
    Variant(
        "glare",
        ".png",
        {"sunglasses": True, "eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES},
        _glare,
    ),
)


# --------------------------------------------------------------------------- driving


def _seed(*parts: str) -> np.random.Generator:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def eligible(label: Label, detected: Detected | None) -> int | None:
    """Index of the detection to derive from, or None (not clean, not found, no mesh, too small)."""
    if label.set == "derived" or not label.clean or detected is None:
        return None
    index = match_face((label.face_x, label.face_y), detected)
    if index is None:
        return None
    face = detected.faces[index]
    if (face.raw or {}).get("landmark_kind") != "mesh-5" or not face.landmarks or len(face.landmarks) < 5:
        return None
    return index if face.box.short_side >= MIN_FACE_PX else None


def _variant_labels(label: Label, folder: Path) -> list[tuple[Variant, Label]]:
    stem = hashlib.sha256(label.key.encode()).hexdigest()[:16]
    out = []
    for variant in VARIANTS:
        attrs = dict(label.attrs)
        attrs.update(variant.labels)
        out.append(
            (
                variant,
                Label(
                    set="derived",
                    file=f"{label.set}/{label.file}@{label.face_x:.2f},{label.face_y:.2f}#{variant.name}",
                    source=label.source,
                    split=label.split,
                    face_x=0.0,
                    face_y=0.0,
                    attrs=attrs,
                    notes=f"derived ({variant.name}) from {label.key}",
                    origin=label.key,
                    variant=variant.name,
                    path=folder / f"{stem}_{variant.name}{variant.suffix}",
                ),
            )
        )
    return out


def derive_face(label: Label, face_index: int, detected: Detected, folder: Path) -> list[Label]:
    """The variants of one clean face (written to ``folder`` unless there), with their labels."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    assert label.path is not None
    planned = _variant_labels(label, folder)
    meta = folder / f"{hashlib.sha256(label.key.encode()).hexdigest()[:16]}.centres.csv"
    if all(lb.path is not None and lb.path.is_file() for _, lb in planned) and meta.is_file():
        with meta.open(newline="", encoding="utf-8") as fh:
            centres = {row[0]: (float(row[1]), float(row[2])) for row in csv.reader(fh)}
        return [replace(lb, face_x=centres[v.name][0], face_y=centres[v.name][1]) for v, lb in planned]
    face = detected.faces[face_index]
    box = face.box
    with PILImage.open(label.path) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
    sx, sy = img.width / detected.width, img.height / detected.height
    side = max(box.w * sx, box.h * sy)
    cx, cy = (box.x + box.w / 2) * sx, (box.y + box.h / 2) * sy
    half = CROP_FACTOR * side / 2
    x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
    x1, y1 = min(img.width, round(cx + half)), min(img.height, round(cy + half))
    crop = img.crop((x0, y0, x1, y1))
    f = min(1.0, FACE_PX / side)
    if f < 1.0:
        crop = crop.resize(
            (max(1, round(crop.width * f)), max(1, round(crop.height * f))), PILImage.Resampling.LANCZOS
        )
    lm = [np.array([(px * sx - x0) * f, (py * sy - y0) * f]) for px, py in face.landmarks or ()]
    bx0, by0 = (box.x * sx - x0) * f, (box.y * sy - y0) * f
    pts: Points = {
        "right_eye": lm[0],
        "left_eye": lm[1],
        "nose": lm[2],
        "mouth_right": lm[3],
        "mouth_left": lm[4],
        "mouth": (lm[3] + lm[4]) / 2,
        "box": np.array([bx0, by0, bx0 + box.w * sx * f, by0 + box.h * sy * f]),
        "box_centre": np.array([(cx - x0) * f, (cy - y0) * f]),
        "box_side": np.array([side * f]),
    }
    folder.mkdir(parents=True, exist_ok=True)
    labels, rows = [], []
    for variant, planned_label in planned:
        rng = _seed(label.key, variant.name, str(SEED_VERSION))
        local = dict(pts)
        local["hand_eye"] = np.array([1.0 if rng.integers(2) else -1.0])
        out, (fx, fy) = variant.make(crop, local, rng)
        assert planned_label.path is not None
        tmp = planned_label.path.with_name(planned_label.path.name + ".tmp")
        if variant.suffix == ".jpg":
            out.save(tmp, format="JPEG", quality=int(rng.integers(*variant.jpeg_quality)))
        else:
            out.save(tmp, format="PNG")
        tmp.replace(planned_label.path)
        centre = (round(fx / out.width, 4), round(fy / out.height, 4))
        rows.append((variant.name, *centre))
        labels.append(replace(planned_label, face_x=centre[0], face_y=centre[1]))
    with meta.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return labels


def derive_all(
    labels: Sequence[Label], detections: Mapping[Path, Detected], folder: Path, *, limit: int | None = None
) -> list[Label]:
    """Variants of every eligible clean face (at most ``limit`` source faces per split, spread evenly)."""
    folder = folder / f"v{DERIVE_VERSION}"
    chosen: dict[str, list[tuple[Label, int]]] = {}
    for label in sorted(labels, key=lambda lb: lb.key):
        if label.path is None:
            continue
        index = eligible(label, detections.get(label.path))
        if index is not None:
            chosen.setdefault(label.split, []).append((label, index))
    out: list[Label] = []
    for split in sorted(chosen):
        items = chosen[split]
        if limit is not None and len(items) > limit:
            step = len(items) / limit
            items = [items[int(k * step)] for k in range(limit)]
        for label, index in items:
            assert label.path is not None
            out += derive_face(label, index, detections[label.path], folder)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.truthset.labels import LABELS_CSV, read_labels, resolve

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labels", type=Path, default=LABELS_CSV)
    parser.add_argument("--out", type=Path, default=default_cache_dir() / "derived")
    parser.add_argument("--split", choices=("tune", "test"), action="append")
    parser.add_argument("--limit", type=int, default=None, help="at most N source faces per split")
    args = parser.parse_args(argv)
    labels, _ = resolve(lb for lb in read_labels(args.labels) if lb.split in (args.split or ("tune", "test")))
    runner = Runner(default_cache_dir())
    try:
        detections = {p: runner.detect(p) for p in sorted({lb.path for lb in labels if lb.path is not None})}
    finally:
        runner.close()
    variants = derive_all(labels, detections, args.out, limit=args.limit)
    writer = csv.DictWriter(sys.stdout, [*COLUMNS, "path"])
    writer.writeheader()
    for variant in variants:
        writer.writerow({**variant.to_row(), "path": str(variant.path)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
