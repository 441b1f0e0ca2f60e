"""Clean-preserving derived variants: the same clean face as other cameras take it (issue 18).

Every other derived variant is a must-not face. These keep the label **clean** beyond
doubt: each is an ordinary difference between cameras, phones and photo apps that no
rule of any preset forbids. They measure how fragile the clean verdict is on cameras
the truth set has never seen (the second outside check, docs/local-detector-outside2.md,
found a pink cast read as a mask and a warm film grade read as "not a photograph").
Colour and exposure changes are made in linear light (sRGB decoded, changed, encoded):

==============  =============================================================  ============
variant         what is done                                                   label
==============  =============================================================  ============
cast_tungsten   white balance left at daylight under tungsten light: linear    (the source's:
                gains R 1, G 0.80-0.88, B 0.55-0.68 (about 3200-3800 K)         clean)
cast_green      fluorescent green: R 0.80-0.88, G 1, B 0.82-0.90
cast_magenta    a pink/magenta tint: R 1, G 0.76-0.84, B 0.88-0.98
cast_blue       shade / overcast with a tungsten setting: R 0.66-0.76,
                G 0.84-0.90, B 1
                (each cast rescaled so the luminance Y is unchanged)
exposure_up     0.7 stop more exposure (x 2^0.7, highlights clip)
exposure_down   0.7 stop less exposure
film_grade      a mild film / photo-app look: a soft S tone curve with lifted
                blacks, 15-25 % less saturation, warm highlights and teal
                shadows (split toning), JPEG quality 85-92
jpeg_mild       JPEG re-encode at quality 70-90
half_size       downscaled (Lanczos) to 50 % of the crop, but the face box
                at least 128 px (so >= 112 px found); PNG
iso_noise       mild high-ISO sensor noise: shot noise (variance ~ signal)
                plus read noise in linear light, partly chroma, then JPEG
                quality 88-94 as a camera saves it
lossless_png    the crop itself, saved as PNG (no new loss)
roll10          rotated 10° (towards level when the face is already tilted
                10° or more, so its roll stays within 20°), the corners the
                rotation leaves empty cropped away (the largest centred
                rectangle of the photo's shape inside it)
==============  =============================================================  ============

No label is overridden: a clean source stays clean (``clear_glasses`` is kept).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np

from benchmarks.truthset.variants import Points, Variant, _centre, _to_linear, _to_srgb, eye_line_roll

if TYPE_CHECKING:
    from PIL import Image

#: A variant's drawing function.
Make = Callable[["Image.Image", Points, np.random.Generator], tuple["Image.Image", tuple[float, float]]]
#: Rec. 709 luminance weights of linear R, G, B.
_LUMA: Final = np.array([0.2126, 0.7152, 0.0722])


def _linear(img: Image.Image) -> np.ndarray:
    return _to_linear(np.asarray(img.convert("RGB"), dtype=np.float64))


def _image(lin: np.ndarray) -> Image.Image:
    from PIL import Image as PILImage

    return PILImage.fromarray(_to_srgb(lin))


def apply_cast(img: Image.Image, gains: tuple[float, float, float]) -> Image.Image:
    """The photo under a white-balance error: linear R, G, B times ``gains``, rescaled so
    the luminance of a grey is unchanged."""
    g = np.asarray(gains, dtype=np.float64)
    g = g / float(_LUMA @ g)
    return _image(_linear(img) * g[None, None, :])


def _cast(ranges: tuple[tuple[float, float], ...]) -> Make:
    def make(
        img: Image.Image, pts: Points, rng: np.random.Generator
    ) -> tuple[Image.Image, tuple[float, float]]:
        gains = tuple(float(rng.uniform(lo, hi)) for lo, hi in ranges)
        return apply_cast(img, (gains[0], gains[1], gains[2])), _centre(pts)

    return make


def _exposure(stops: float) -> Make:
    def make(
        img: Image.Image, pts: Points, rng: np.random.Generator
    ) -> tuple[Image.Image, tuple[float, float]]:
        return _image(_linear(img) * 2.0**stops), _centre(pts)

    return make


def film_grade(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A mild film / photo-app grade (in sRGB values, as grading apps work)."""
    from PIL import Image as PILImage

    x = np.asarray(img.convert("RGB"), dtype=np.float64) / 255.0
    # a soft S curve with lifted blacks and slightly lowered whites
    lift, top = float(rng.uniform(0.04, 0.08)), float(rng.uniform(0.94, 0.98))
    s = x - 0.06 * np.sin(2 * math.pi * x)  # gentle S: darker below mid, lighter above
    s = lift + (top - lift) * np.clip(s, 0.0, 1.0)
    # less saturation
    grey = s @ np.array([0.299, 0.587, 0.114])
    desat = float(rng.uniform(0.15, 0.25))
    s = grey[..., None] + (1.0 - desat) * (s - grey[..., None])
    # split toning: warm highlights, teal shadows
    warm = np.array([0.035, 0.012, -0.03]) * float(rng.uniform(0.8, 1.2))
    teal = np.array([-0.025, 0.008, 0.02]) * float(rng.uniform(0.8, 1.2))
    s = s + grey[..., None] * warm[None, None, :] + (1.0 - grey[..., None]) * teal[None, None, :]
    return PILImage.fromarray(np.clip(np.rint(s * 255.0), 0, 255).astype(np.uint8))


def _film_grade(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    return film_grade(img, rng), _centre(pts)


def _same(img: Image.Image, pts: Points, rng: np.random.Generator) -> tuple[Image.Image, tuple[float, float]]:
    """The crop unchanged (``jpeg_mild`` encodes it when saved; ``lossless_png`` saves it as PNG)."""
    return img.copy(), _centre(pts)


#: The smallest face box ``half_size`` leaves (px): the detector draws its box up to ~10 %
#: inside the source's, so this keeps the detected face at the presets' 112 px or more.
HALF_SIZE_MIN_FACE: Final = 128.0


def _half_size(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import Image as PILImage

    side = float(pts["box_side"][0])
    f = min(1.0, max(0.5, HALF_SIZE_MIN_FACE / side))
    size = (max(1, round(img.width * f)), max(1, round(img.height * f)))
    cx, cy = _centre(pts)
    return img.resize(size, PILImage.Resampling.LANCZOS), (cx * f, cy * f)


def iso_noise(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Mild high-ISO noise in linear light: shot noise (std ~ sqrt(signal)) and read noise,
    70 % shared by the three channels (luminance), 30 % per channel (chroma)."""
    lin = _linear(img)
    h, w = lin.shape[:2]
    shot = float(rng.uniform(0.004, 0.007))  # std at full white, relative
    read = float(rng.uniform(0.0015, 0.003))
    std = np.sqrt(shot**2 * np.clip(lin, 0.0, 1.0) + read**2)
    common = rng.normal(0.0, 1.0, (h, w, 1))
    own = rng.normal(0.0, 1.0, (h, w, 3))
    noise = std * (math.sqrt(0.7) * common + math.sqrt(0.3) * own)
    return _image(lin + noise)


def _iso_noise(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    return iso_noise(img, rng), _centre(pts)


#: The roll ``roll10`` adds (degrees).
ROLL_DEGREES: Final = 10.0


def roll10_angle(pts: Points, rng: np.random.Generator) -> float:
    """PIL rotation (counter-clockwise > 0) of ``roll10``: towards level when the face is
    already tilted by 10° or more (its roll then stays within 20°), else either way."""
    roll = eye_line_roll(pts)
    if abs(roll) >= ROLL_DEGREES:
        return -ROLL_DEGREES if roll > 0 else ROLL_DEGREES
    return ROLL_DEGREES if rng.integers(2) else -ROLL_DEGREES


def _roll10(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    from PIL import Image as PILImage

    angle = roll10_angle(pts, rng)
    t = math.radians(angle)
    out = img.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=False, fillcolor=(0, 0, 0))
    # PIL turns counter-clockwise about the image centre; the face centre moves with it
    cx, cy = _centre(pts)
    ox, oy = img.width / 2, img.height / 2
    dx, dy = cx - ox, cy - oy
    nx = dx * math.cos(t) + dy * math.sin(t) + ox
    ny = -dx * math.sin(t) + dy * math.cos(t) + oy
    # crop the empty corners away: the largest centred rectangle of the image's shape inside
    # the turned image (k of its size)
    w, h = img.width, img.height
    c, sn = math.cos(t), abs(math.sin(t))
    k = min(w / (w * c + h * sn), h / (w * sn + h * c))
    mx, my = math.ceil(w * (1 - k) / 2), math.ceil(h * (1 - k) / 2)
    return out.crop((mx, my, w - mx, h - my)), (nx - mx, ny - my)


CAMERA_VARIANTS: Final = (
    Variant("cast_tungsten", ".png", {}, _cast(((1.0, 1.0), (0.80, 0.88), (0.55, 0.68)))),
    Variant("cast_green", ".png", {}, _cast(((0.80, 0.88), (1.0, 1.0), (0.82, 0.90)))),
    Variant("cast_magenta", ".png", {}, _cast(((1.0, 1.0), (0.76, 0.84), (0.88, 0.98)))),
    Variant("cast_blue", ".png", {}, _cast(((0.66, 0.76), (0.84, 0.90), (1.0, 1.0)))),
    Variant("exposure_up", ".png", {}, _exposure(0.7)),
    Variant("exposure_down", ".png", {}, _exposure(-0.7)),
    Variant("film_grade", ".jpg", {}, _film_grade, jpeg_quality=(85, 93)),
    Variant("jpeg_mild", ".jpg", {}, _same, jpeg_quality=(70, 91)),
    Variant("half_size", ".png", {}, _half_size),
    Variant("iso_noise", ".jpg", {}, _iso_noise, jpeg_quality=(88, 95)),
    Variant("lossless_png", ".png", {}, _same),
    Variant("roll10", ".png", {}, _roll10),
)
#: The names of the clean-preserving kinds (the benchmark reports them apart).
CAMERA_VARIANT_NAMES: Final = frozenset(v.name for v in CAMERA_VARIANTS)
