"""Derived variants of real sunglasses that the first painted lenses do not reproduce (issue 18).

The ``sunglasses``, ``tinted`` and ``glare`` variants paint flat lenses: opaque dark
ones, or a flat colour laid over the eye at 55-70 % opacity (a veil). Real lenses that
the local detector reads as "no sunglasses" (outside selfies, the founders' held-out
photos: "brown tinted lenses; dark aviators") are of other kinds, drawn here from the
eye landmarks of clean faces:

============  ============================================================  ==================
variant       what is drawn                                                 label set to 1
============  ============================================================  ==================
gradient      a lens dark at the top (transmission 3-10 %) fading to light  sunglasses,
              at the bottom (60-80 %), grey, brown or grey-green, in a      eyes_occluded
              black, tortoise or white rim
mirrored      an opaque mirror coating (silver, blue, gold, rose, green)    sunglasses,
              reflecting the photo's own scene (flipped, squeezed into the  eyes_occluded
              lens), with a specular streak, in a thin dark rim
brown_lens    a see-through brown, amber or rose-brown filter that          sunglasses,
              multiplies the light (linear sRGB; the eyes' own contrast     eyes_occluded
              shows through, unlike ``tinted``'s veil), 2 % reflection, in
              a brown rim
aviator       teardrop lenses (wider and deeper at the outer bottom) of     sunglasses,
              G-15 grey-green (transmission 12-20 %) with a faint sky       eyes_occluded
              reflection at the top, in a thin gold or silver wire rim,
              a double bridge and temples
============  ============================================================  ==================

Each keeps the source's labels but ``sunglasses`` and ``eyes_occluded`` (1), the eye
states and ``clear_glasses`` (cannot tell), like ``tinted``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np

from benchmarks.truthset.variants import (
    _HIDDEN_EYES,
    Points,
    Variant,
    _centre,
    _ellipse,
    _frame,
    _to_linear,
    _to_srgb,
)

if TYPE_CHECKING:
    from PIL import Image


def _linear(img: Image.Image) -> np.ndarray:
    return _to_linear(np.asarray(img, dtype=np.float64))


def _from_linear(lin: np.ndarray) -> Image.Image:
    from PIL import Image as PILImage

    return PILImage.fromarray(_to_srgb(lin))


def _lens_coords(
    shape: tuple[int, int], centre: np.ndarray, u: np.ndarray, v: np.ndarray, ru: float, rv: float
) -> tuple[np.ndarray, np.ndarray]:
    """Every pixel's position in the lens's own axes, in semi-axis units (du along the eyes,
    dv down the face)."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    dx, dy = xs - centre[0], ys - centre[1]
    return (dx * u[0] + dy * u[1]) / ru, (dx * v[0] + dy * v[1]) / rv


def _lens_centres(pts: Points) -> list[tuple[np.ndarray, float]]:
    """(lens centre, outward sign along u) of the subject's right and left lens."""
    _mid, _u, v, ied = _frame(pts)
    return [(pts["right_eye"] + 0.04 * ied * v, -1.0), (pts["left_eye"] + 0.04 * ied * v, 1.0)]


def _rim(
    img: Image.Image, outlines: list[list[tuple[float, float]]], colour: tuple[int, int, int], width: int
) -> Image.Image:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(img)
    for outline in outlines:
        draw.line([*outline, outline[0]], fill=colour, width=width, joint="curve")
    return img


def _outline(
    centre: np.ndarray, u: np.ndarray, v: np.ndarray, ru: float, rv: float
) -> list[tuple[float, float]]:
    """A lens's rim: an ellipse of 64 corners."""
    return _ellipse(centre, u, v, ru, rv, corners=64)


def _bridge(img: Image.Image, pts: Points, colour: tuple[int, int, int], width: int, dy: float = 0.0) -> None:
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    a = pts["right_eye"] + 0.44 * ied * u + dy * ied * v
    b = pts["left_eye"] - 0.44 * ied * u + dy * ied * v
    ends = [(float(a[0]), float(a[1])), (float(b[0]), float(b[1]))]
    ImageDraw.Draw(img).line(ends, fill=colour, width=width)


def gradient_lenses(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """Gradient lenses: dark at the top, light at the bottom, over both eyes."""
    _mid, u, v, ied = _frame(pts)
    tints = [(0.55, 0.55, 0.58), (0.75, 0.52, 0.32), (0.50, 0.60, 0.50)]
    tint = np.array(tints[int(rng.integers(len(tints)))])
    top, bottom = float(rng.uniform(0.03, 0.10)), float(rng.uniform(0.60, 0.80))
    ru, rv = 0.46 * ied, 0.34 * ied
    lin = _linear(img)
    for centre, _sign in _lens_centres(pts):
        du, dv = _lens_coords(lin.shape[:2], centre, u, v, ru, rv)
        inside = du * du + dv * dv <= 1.0
        t = top + (bottom - top) * np.clip((dv + 1.0) / 2.0, 0.0, 1.0)
        trans = t[..., None] * tint[None, None, :] / tint.max()
        lin = np.where(inside[..., None], lin * trans, lin)
    out = _from_linear(lin)
    rims = [(20, 20, 20), (90, 55, 30), (230, 230, 225)]
    rim = rims[int(rng.integers(len(rims)))]
    width = max(2, round(0.05 * ied))
    _rim(out, [_outline(c, u, v, ru, rv) for c, _ in _lens_centres(pts)], rim, width)
    _bridge(out, pts, rim, width, dy=-0.12)
    return out, _centre(pts)


def mirrored_lenses(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """Mirrored lenses: opaque, bright, showing the scene (the photo flipped) in a coating's colour."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    _mid, u, v, ied = _frame(pts)
    coats = [(0.85, 0.87, 0.92), (0.45, 0.65, 1.0), (1.0, 0.80, 0.40), (1.0, 0.58, 0.72), (0.55, 0.90, 0.65)]
    coat = np.array(coats[int(rng.integers(len(coats)))])
    ru, rv = 0.46 * ied, 0.34 * ied
    arr = np.asarray(img, dtype=np.float64) / 255.0
    out = arr.copy()
    # the reflected scene: the whole crop mirrored and squeezed into the lens's box
    side = max(4, round(2.2 * ru))
    scene = np.asarray(ImageOps.mirror(img).resize((side, max(4, round(2.2 * rv)))), dtype=np.float64) / 255.0
    luma = scene @ np.array([0.299, 0.587, 0.114])
    gain = float(rng.uniform(0.55, 0.75))
    for centre, _sign in _lens_centres(pts):
        du, dv = _lens_coords(arr.shape[:2], centre, u, v, ru, rv)
        inside = du * du + dv * dv <= 1.0
        ys, xs = np.nonzero(inside)
        sh, sw = scene.shape[:2]
        sx = np.clip(((du[ys, xs] + 1.1) / 2.2 * (sw - 1)).round().astype(int), 0, sw - 1)
        sy = np.clip(((dv[ys, xs] + 1.1) / 2.2 * (sh - 1)).round().astype(int), 0, sh - 1)
        refl = coat[None, :] * (0.35 + gain * luma[sy, sx])[:, None]
        # a specular streak across the upper lens
        streak = np.exp(-(((dv[ys, xs] + 0.45 + 0.3 * du[ys, xs]) / 0.12) ** 2))
        refl = refl + 0.5 * streak[:, None]
        out[ys, xs] = np.clip(refl, 0.0, 1.0)
    res = PILImage.fromarray((out * 255.0 + 0.5).astype(np.uint8))
    width = max(2, round(0.04 * ied))
    _rim(res, [_outline(c, u, v, ru, rv) for c, _ in _lens_centres(pts)], (25, 25, 28), width)
    _bridge(res, pts, (25, 25, 28), width, dy=-0.12)
    return res, _centre(pts)


def brown_lenses(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """See-through brown / amber filters: the light multiplied by the lens's transmission."""
    _mid, u, v, ied = _frame(pts)
    filters = [(0.42, 0.28, 0.15), (0.80, 0.55, 0.22), (0.55, 0.36, 0.30), (0.30, 0.20, 0.12)]
    trans = np.array(filters[int(rng.integers(len(filters)))])
    ru, rv = 0.46 * ied, 0.34 * ied
    lin = _linear(img)
    for centre, _sign in _lens_centres(pts):
        du, dv = _lens_coords(lin.shape[:2], centre, u, v, ru, rv)
        inside = du * du + dv * dv <= 1.0
        lin = np.where(inside[..., None], lin * trans[None, None, :] + 0.02, lin)
    out = _from_linear(lin)
    width = max(2, round(0.045 * ied))
    _rim(out, [_outline(c, u, v, ru, rv) for c, _ in _lens_centres(pts)], (70, 42, 22), width)
    _bridge(out, pts, (70, 42, 22), width, dy=-0.12)
    return out, _centre(pts)


def _teardrop(
    centre: np.ndarray, u: np.ndarray, v: np.ndarray, ied: float, sign: float
) -> list[tuple[float, float]]:
    """An aviator lens outline: flat-ish top, deep outer-lower lobe."""
    pts = []
    for k in range(64):
        t = 2 * math.pi * k / 64
        c, s = math.cos(t), math.sin(t)
        ru = 0.50 * ied
        rv = (0.40 if s > 0 else 0.26) * ied
        # the lower half leans outward
        shift = 0.10 * ied * max(0.0, s) * sign
        p = centre + (c * ru + shift) * u + s * rv * v
        pts.append((float(p[0]), float(p[1])))
    return pts


def aviator_lenses(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """Dark G-15 aviators in a thin metal wire frame."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    _mid, u, v, ied = _frame(pts)
    t = float(rng.uniform(0.12, 0.20))
    trans = np.array([0.85, 1.0, 0.80]) * t
    lin = _linear(img)
    h, w = lin.shape[:2]
    outlines = []
    for centre, sign in _lens_centres(pts):
        c = centre + np.array([0.0, 0.0]) + 0.03 * ied * v
        outline = _teardrop(c, u, v, ied, sign)
        outlines.append(outline)
        mask = PILImage.new("L", (w, h), 0)
        ImageDraw.Draw(mask).polygon(outline, fill=255)
        inside = np.asarray(mask) > 0
        _du, dv = _lens_coords((h, w), c, u, v, 0.5 * ied, 0.4 * ied)
        sky = 0.06 * np.clip(-dv, 0.0, 1.0)  # a faint sky reflection on the upper lens
        lin = np.where(inside[..., None], lin * trans[None, None, :] + sky[..., None], lin)
    out = _from_linear(lin)
    metals = [(200, 170, 90), (190, 190, 195)]
    metal = metals[int(rng.integers(len(metals)))]
    width = max(1, round(0.02 * ied))
    _rim(out, outlines, metal, width)
    _bridge(out, pts, metal, width, dy=-0.22)
    _bridge(out, pts, metal, width, dy=-0.05)
    draw = ImageDraw.Draw(out)
    for eye, sign in ((pts["right_eye"], -1), (pts["left_eye"], 1)):
        s = eye + sign * 0.50 * ied * u - 0.18 * ied * v
        e = eye + sign * 0.95 * ied * u - 0.15 * ied * v
        draw.line([(float(s[0]), float(s[1])), (float(e[0]), float(e[1]))], fill=metal, width=width)
    return out, _centre(pts)


_LENS_LABELS: Final = {"sunglasses": True, "eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES}

#: The real-lens variants (``derive.VARIANTS`` = ``variants.VARIANTS`` + these).
LENS_VARIANTS: Final = (
    Variant("gradient", ".png", _LENS_LABELS, gradient_lenses),
    Variant("mirrored", ".png", _LENS_LABELS, mirrored_lenses),
    Variant("brown_lens", ".png", _LENS_LABELS, brown_lenses),
    Variant("aviator", ".png", _LENS_LABELS, aviator_lenses),
)
