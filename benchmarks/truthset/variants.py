"""The derived variants' drawing functions (issue 18): what each one does to a face crop.

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

Which faces they are made from, the crop and the files: ``derive.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

T = TypeVar("T")

#: the source photo's points in the crop: the 5 mesh landmarks (right_eye, left_eye, nose,
#: mouth_right, mouth_left), mouth, box, box_centre, box_side, hand_eye (+1/-1: which eye),
#: split_test (1.0: the face is of the test split, 0.0: tune)
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
    #: Can it be made for a face of this split (None: always)? The real-hand variants need
    #: the hands' gathered photos, which CI's machine does not have.
    available: Callable[[str], bool] | None = None


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
    centre: np.ndarray, u: np.ndarray, v: np.ndarray, ru: float, rv: float, corners: int = 48
) -> list[tuple[float, float]]:
    pts = []
    for k in range(corners):
        t = 2 * math.pi * k / corners
        p = centre + math.cos(t) * ru * u + math.sin(t) * rv * v
        pts.append((float(p[0]), float(p[1])))
    return pts


def _lens(eye: np.ndarray, u: np.ndarray, v: np.ndarray, ied: float) -> list[tuple[float, float]]:
    """The outline of a sunglasses lens over ``eye`` (0.44 x 0.32 IED, a little below it)."""
    return _ellipse(eye + 0.04 * ied * v, u, v, 0.44 * ied, 0.32 * ied)


def _pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    return options[int(rng.integers(len(options)))]


def _line(
    draw: ImageDraw.ImageDraw, a: np.ndarray, b: np.ndarray, colour: tuple[int, ...], width: int
) -> None:
    draw.line([(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))], fill=colour, width=width)


def _centre(pts: Points) -> tuple[float, float]:
    c = pts["box_centre"]
    return float(c[0]), float(c[1])


def _face_pixels(img: Image.Image, pts: Points) -> np.ndarray:
    """The grey pixels of the face box."""
    x0, y0, x1, y1 = (round(float(t)) for t in pts["box"])
    arr = np.asarray(img.convert("L"), dtype=np.float64)
    return arr[max(0, y0) : max(1, y1), max(0, x0) : max(1, x1)]


def _skin_colour(img: Image.Image, cheek: np.ndarray, ied: float) -> np.ndarray:
    """The median colour of a patch on the cheek (a default skin tone off the image)."""
    arr = np.asarray(img, dtype=np.uint8)
    r = max(2, int(0.12 * ied))
    cy, cx = int(cheek[1]), int(cheek[0])
    patch = arr[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r].reshape(-1, 3)
    return np.median(patch, axis=0) if len(patch) else np.array([200.0, 160.0, 140.0])


def _blob(
    img: Image.Image,
    layer: np.ndarray,
    centre: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    ied: float,
    outer: tuple[float, float],
    inner: tuple[float, float],
) -> Image.Image:
    """``layer`` over ``img`` in an ellipse (radii ``outer`` x IED) with a soft edge, fully
    opaque inside the ``inner`` ellipse."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFilter

    mask = PILImage.new("L", img.size, 0)
    ImageDraw.Draw(mask).polygon(_ellipse(centre, u, v, outer[0] * ied, outer[1] * ied), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, 0.03 * ied)))
    ImageDraw.Draw(mask).polygon(_ellipse(centre, u, v, inner[0] * ied, inner[1] * ied), fill=255)
    return PILImage.composite(PILImage.fromarray(layer), img, mask)


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
    colour = _pick(rng, palette)
    out = img.copy()
    ImageDraw.Draw(out).polygon(_rect(centre, u, v, 0.8 * ied, (bottom - top) / 2), fill=colour)
    return out, _centre(pts)


def _eye_hand(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:

    _mid, u, v, ied = _frame(pts)
    eye = pts["left_eye"] if pts["hand_eye"][0] > 0 else pts["right_eye"]
    # skin colour: median of a patch on the same side's cheek (between the eye and the mouth corner)
    corner = pts["mouth_left"] if pts["hand_eye"][0] > 0 else pts["mouth_right"]
    cheek = (eye + corner) / 2
    colour = _skin_colour(img, cheek, ied)
    w, h = img.size
    layer = np.clip(colour + rng.normal(0, 6, (h, w, 3)), 0, 255).astype(np.uint8)
    # the soft-edged blob keeps the eye itself fully covered (the inner ellipse)
    out = _blob(img, layer, eye + 0.05 * ied * v, u, v, ied, (0.6, 0.45), (0.5, 0.36))
    return out, _centre(pts)


def _sunglasses(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """Dark opaque lenses (black, brown, green or blue-black), a bridge and the temples."""
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    tint = _pick(rng, [(10, 10, 10), (35, 22, 12), (12, 28, 18), (20, 20, 35)])
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for eye in (pts["right_eye"], pts["left_eye"]):
        draw.polygon(_lens(eye, u, v, ied), fill=tint)
    width = max(2, int(0.05 * ied))
    a, b = pts["right_eye"] + 0.3 * ied * u, pts["left_eye"] - 0.3 * ied * u
    _line(draw, a, b, tint, width)
    for eye, sign in ((pts["right_eye"], -1), (pts["left_eye"], 1)):
        s = eye + sign * 0.42 * ied * u
        e = eye + sign * 0.85 * ied * u
        _line(draw, s, e, tint, width)
    return out, _centre(pts)


def _tinted(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """See-through tinted lenses: the eyes show through a brown, grey-blue or green tint."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    tints = [(110, 60, 20), (60, 70, 95), (55, 85, 50), (150, 90, 40)]
    tint = _pick(rng, tints)
    alpha = float(rng.uniform(0.55, 0.7))
    lenses = PILImage.new("L", img.size, 0)
    draw = ImageDraw.Draw(lenses)
    for eye in (pts["right_eye"], pts["left_eye"]):
        draw.polygon(_lens(eye, u, v, ied), fill=round(255 * alpha))
    out = PILImage.composite(PILImage.new("RGB", img.size, tint), img, lenses)
    frame = ImageDraw.Draw(out)
    width = max(1, int(0.03 * ied))
    a, b = pts["right_eye"] + 0.3 * ied * u, pts["left_eye"] - 0.3 * ied * u
    _line(frame, a, b, (30, 30, 30), width)
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


def _dim(img: Image.Image, pts: Points, rng: np.random.Generator) -> tuple[Image.Image, tuple[float, float]]:
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
    base = np.array(_pick(rng, hairs), dtype=np.float64)
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

    _mid, u, v, ied = _frame(pts)
    eye, corner = pts["right_eye"], pts["mouth_right"]
    cheek = (eye + corner) / 2
    colour = _skin_colour(img, cheek, ied)
    w, h = img.size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    # a smooth shading ramp across the hand (lighter on one side), plus fine noise
    ramp = 1.0 + 0.12 * np.tanh(((xx - pts["mouth"][0]) * u[0] + (yy - pts["mouth"][1]) * u[1]) / ied)
    layer = np.clip(colour * ramp[..., None] + rng.normal(0, 5, (h, w, 3)), 0, 255).astype(np.uint8)
    out = _blob(img, layer, pts["mouth"] + 0.05 * ied * v, u, v, ied, (0.85, 0.42), (0.75, 0.34))
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
    light = _pick(rng, lights)
    share = float(rng.uniform(0.35, 0.55))
    # a soft blob in the lens's upper part, its area ``share`` of the lens (0.44 x 0.32 IED)
    ru, rv = 0.44 * ied * share**0.5, 0.32 * ied * share**0.5
    spot = eye + 0.04 * ied * v + float(rng.uniform(-0.12, 0.12)) * ied * u - (0.32 * ied - rv) * 0.6 * v
    lens = PILImage.new("L", img.size, 0)
    ImageDraw.Draw(lens).polygon(_lens(eye, u, v, ied), fill=255)
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
