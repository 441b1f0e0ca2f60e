"""Is the face a photograph? Colour and texture statistics of the face region
that separate camera images from drawings, cartoons and renders, and OFIQ's
NaturalColour.

Computed by :func:`photo_measures` on the face crop reduced to an inter-eye
distance of 64 px (area averaging; never enlarged):

``noise_residual``  mean absolute difference (grey levels) between the crop and
    its 3x3 median over the face oval: sensor noise and skin texture (reported
    only; drawings and renders are often clean, but so are blurred photos).
``flat_colour``  fraction of the face's mid-tone pixels (luma 30..240) whose
    3x3 neighbourhood varies by at most 1 level in all three channels: the flat
    colour fills of drawings and cartoons. Photographs have sensor noise and
    skin texture everywhere. The "not a photograph" verdict (:func:`not_photo`).
``flat_lightness``  the same share on the lightness alone, after its 3x3 median (the one
    ``noise_residual`` already takes): JPEG keeps the lightness at full resolution and
    quantises it least, while it halves the colour's resolution and quantises it hardest,
    so a JPEG cartoon's fills keep colour ringing a 3x3 median does not remove but flat
    lightness; skin in a photograph has lightness texture (pores, noise, shading).
``natural_colour``  OFIQ NaturalColour-like: the distance (CIELAB a*/b* units)
    of the face's mean chroma from the box of natural skin tones
    (a* 3..28, b* 5..35, with daylight/tungsten latitude); 0 inside it. Near-grey
    faces (chroma < 4: black-and-white photos) read 0 with reason "monochrome". A face
    outside the box is read again with the photo's colour cast (grey-world of the scene
    around the face) taken out, and the smaller distance kept: a white balance off or a
    colour grade is not a face colour no skin has.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from facecurator.detect.quality.base import (
    MIN_EYE_DISTANCE,
    FaceView,
    Measure,
    face_view,
    unmeasured,
)

SKIN_A: Final = (3.0, 28.0)
SKIN_B: Final = (5.0, 35.0)
MONOCHROME_CHROMA: Final = 4.0
#: Flat colour is counted on mid-tones only (clipped black / white is flat in photos too).
_MIDTONE: Final = (30, 240)
#: Calibrated thresholds (docs/measures-detail.md, tune split).
FLAT_COLOUR_MAX: Final = 0.15
#: ``flat_colour_median`` boundary (tune split: clean faces <= 0.067, so 0.10 keeps a
#: 50 % margin; JPEG cartoon variants median 0.26, 25 of 29 above; the tune's real
#: flat cartoon 0.33).
FLAT_MEDIAN_MAX: Final = 0.10
NATURAL_COLOUR_MAX: Final = 8.0
#: A face over ``NATURAL_COLOUR_MAX`` whose colour is faint (chroma under this) and the same
#: everywhere (a*b* spread under ``TONED_MAX_SPREAD``) is a toned black-and-white photo
#: (sepia, cyanotype, a cast over a grey picture): monochrome.
TONED_MAX_CHROMA: Final = 15.0
TONED_MAX_SPREAD: Final = 2.5
#: A face over ``NATURAL_COLOUR_MAX`` is judged again with the photo's colour cast taken
#: out (:func:`scene_balanced`; docs/local-detector-casts.md): the scene outside the face
#: box must be at least this share of the image ...
SCENE_MIN_SHARE: Final = 0.25
#: ... its mean colour at most this far from grey (CIELAB a*b*: a cast, not a coloured scene) ...
SCENE_CAST_MAX_CHROMA: Final = 20.0
#: ... read on about this many pixels of the image.
SCENE_SAMPLES: Final = 65536.0
#: ``flat_lightness`` boundary (tune split: real clean faces <= 0.173, so 0.26 keeps the
#: 50 % margin ``FLAT_MEDIAN_MAX`` keeps; JPEG cartoon variants 0.31-0.97, the two that
#: ``flat_colour_median`` missed 0.31 and 0.44; docs/local-detector.md, "Flat lightness").
FLAT_LIGHTNESS_MAX: Final = 0.26

NAMES: Final = ("flat_colour", "flat_colour_median", "flat_lightness", "noise_residual", "natural_colour")


def photo_measures(rgb: np.ndarray, mesh: np.ndarray, *, view: FaceView | None = None) -> dict[str, Measure]:
    """The photograph measures of one face, keyed by ``NAMES`` (``view``: the
    face's shared crops, :func:`~facecurator.detect.quality.base.face_view`)."""
    import cv2

    view = view or face_view(rgb, mesh)
    ied = view.ied
    if view.box is None or view.small is None or ied < MIN_EYE_DISTANCE:
        why = "face outside the image"
        if view.box is not None:
            why = f"face too small ({ied:.0f} px between the eyes)"
        return {name: unmeasured(why) for name in NAMES}
    crop, oval = view.small, view.small_mask
    assert oval is not None
    k = np.ones((3, 3), np.uint8)
    inner8 = view.small_inner
    assert inner8 is not None
    if cv2.countNonZero(inner8) < 50:
        return {name: unmeasured("face region too small") for name in NAMES}
    g = view.small_grey
    assert g is not None
    calm_grey = cv2.medianBlur(g, 3)
    residual = cv2.absdiff(g, calm_grey)
    noise = float(cv2.mean(residual, inner8)[0])
    spread = cv2.morphologyEx(crop, cv2.MORPH_GRADIENT, k)  # dilate - erode (saturating), one call
    r, gr, bl = cv2.split(spread)
    span = cv2.max(cv2.max(r, gr), bl)
    midtone = (np.asarray(g) >= _MIDTONE[0]) & (np.asarray(g) <= _MIDTONE[1]) & (np.asarray(inner8) > 0)
    n_mid = int(np.count_nonzero(midtone))
    flat_pixels = int(np.count_nonzero((np.asarray(span) <= 1) & midtone))
    flat = float(flat_pixels) / n_mid if n_mid >= 50 else float("nan")
    # the same after a 3x3 median: the flat fills of a JPEG-compressed drawing carry
    # ringing of a level or two that the median removes (photo texture survives it)
    calm = cv2.medianBlur(crop, 3)
    c0, c1, c2 = cv2.split(cv2.morphologyEx(calm, cv2.MORPH_GRADIENT, k))
    calm_span = np.asarray(cv2.max(cv2.max(c0, c1), c2))
    calm_pixels = int(np.count_nonzero((calm_span <= 1) & midtone))
    flat_median = float(calm_pixels) / n_mid if n_mid >= 50 else float("nan")
    # the lightness alone after its median: JPEG's colour ringing left out
    light_span = np.asarray(cv2.morphologyEx(calm_grey, cv2.MORPH_GRADIENT, k))
    light_pixels = int(np.count_nonzero((light_span <= 1) & midtone))
    flat_light = float(light_pixels) / n_mid if n_mid >= 50 else float("nan")
    # CIELAB of the face's mean colour (the mean of a*/b* over pixels, as OFIQ, is close to it)
    face_mean = np.array(cv2.mean(crop, inner8)[:3])
    _, a, b = srgb_to_lab(face_mean)
    chroma = float(np.hypot(a, b))
    natural: Measure | None = None
    if chroma < MONOCHROME_CHROMA:
        natural = Measure(0.0, "monochrome", {"a": round(a, 2), "b": round(b, 2)})
    else:
        dist = skin_distance(a, b)
        details = {"a": round(a, 2), "b": round(b, 2)}
        if dist > NATURAL_COLOUR_MAX:  # only then (rare): a toned print, or the scene's own cast
            ab_spread = colour_spread(crop, inner8)
            details["spread"] = round(ab_spread, 2)
            if chroma < TONED_MAX_CHROMA and ab_spread < TONED_MAX_SPREAD:
                natural = Measure(0.0, "monochrome (toned)", details)
            else:
                balanced = scene_balanced(rgb, view.box, face_mean)
                if balanced is not None:
                    details["balanced_a"], details["balanced_b"] = (
                        round(balanced[0], 2),
                        round(balanced[1], 2),
                    )
                    dist = min(dist, skin_distance(*balanced))
        if natural is None:
            natural = Measure(
                round(dist, 3),
                "natural skin colour" if dist <= NATURAL_COLOUR_MAX else "unnatural face colour",
                details,
            )
    flat_m = _flat_share(flat, FLAT_COLOUR_MAX, "flat colour fills (drawing or cartoon)")
    flat_med_m = _flat_share(flat_median, FLAT_MEDIAN_MAX, "flat colour fills (drawing or cartoon, JPEG)")
    flat_light_m = _flat_share(
        flat_light, FLAT_LIGHTNESS_MAX, "flat lightness fills (drawing or cartoon, JPEG colour)"
    )
    return {
        "flat_colour": flat_m,
        "flat_colour_median": flat_med_m,
        "flat_lightness": flat_light_m,
        "noise_residual": Measure(round(noise, 4), "noise and fine texture (grey levels)"),
        "natural_colour": natural,
    }


def skin_distance(a: float, b: float) -> float:
    """CIELAB a*b* distance of a face colour from the box of natural skin tones (0 inside)."""
    da = max(SKIN_A[0] - a, 0.0, a - SKIN_A[1])
    db = max(SKIN_B[0] - b, 0.0, b - SKIN_B[1])
    return float(np.hypot(da, db))


def colour_spread(crop: np.ndarray, inner: np.ndarray) -> float:
    """Mean CIELAB a*b* distance of the face's pixels (``inner``) from their mean colour: a
    toned black-and-white photo has one colour everywhere, a colour face has lips, eyes,
    shading of their own colour."""
    import cv2

    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB)
    ab = lab[..., 1:3][inner > 0].astype(np.float64)
    if len(ab) == 0:
        return 0.0
    return float(np.hypot(*(ab - ab.mean(axis=0)).T).mean())


def scene_balanced(
    rgb: np.ndarray, box: tuple[int, int, int, int] | None, face_rgb: np.ndarray
) -> tuple[float, float] | None:
    """The face's mean colour (a*, b*) with the photo's colour cast taken out, or None.

    A white balance off or a colour grade moves every colour of the photo alike. The
    cast is estimated grey-world from the scene **outside the face box** (its mean colour
    in linear light taken as grey) and divided out of the face (von Kries, the luminance
    kept). Only a cast of realistic size is taken out: the scene's mean colour at most
    ``SCENE_CAST_MAX_CHROMA`` from grey, and the scene at least ``SCENE_MIN_SHARE`` of the
    image (a face filling the frame leaves no scene to judge by).
    """
    if box is None:
        return None
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = box
    if h * w - (x1 - x0) * (y1 - y0) < SCENE_MIN_SHARE * h * w:
        return None
    step = max(1, int((h * w / SCENE_SAMPLES) ** 0.5))
    lin = _LINEAR[rgb[::step, ::step]]
    total = lin.reshape(-1, 3).sum(axis=0)
    inner = lin[-(-y0 // step) : -(-y1 // step), -(-x0 // step) : -(-x1 // step)]
    count = lin.shape[0] * lin.shape[1] - inner.shape[0] * inner.shape[1]
    if count <= 0:
        return None
    scene = (total - inner.reshape(-1, 3).sum(axis=0)) / count
    _, sa, sb = linear_to_lab(scene)
    if float(np.hypot(sa, sb)) > SCENE_CAST_MAX_CHROMA or scene.min() <= 1e-4:
        return None
    grey = float(_RGB_TO_XYZ[1] @ scene)
    face = _LINEAR[np.clip(np.rint(face_rgb), 0, 255).astype(np.intp)]
    _, a, b = linear_to_lab(face * (grey / scene))
    return a, b


def _flat_share(share: float, bound: float, defect: str) -> Measure:
    """A flat-fill share as a measure: ``defect`` over ``bound``; not measured when NaN
    (too few mid-tone pixels)."""
    if share != share:
        return unmeasured("too few mid-tone face pixels (face too dark or too bright)")
    return Measure(round(share, 4), defect if share > bound else "photographic texture")


def not_photo(measures: dict[str, Measure]) -> bool | None:
    """The suggested "not a photograph" verdict: flat colour fills (as they are, or
    after a 3x3 median that removes JPEG ringing, or in the lightness alone after its
    median), or a face colour no skin has.
    None when none could be measured."""
    flat, colour = measures["flat_colour"].value, measures["natural_colour"].value
    calm = measures["flat_colour_median"].value if "flat_colour_median" in measures else None
    light = measures["flat_lightness"].value if "flat_lightness" in measures else None
    if flat is None and colour is None and calm is None and light is None:
        return None
    return bool(
        (flat is not None and flat > FLAT_COLOUR_MAX)
        or (calm is not None and calm > FLAT_MEDIAN_MAX)
        or (light is not None and light > FLAT_LIGHTNESS_MAX)
        or (colour is not None and colour > NATURAL_COLOUR_MAX)
    )


_D65: Final = np.array([0.95047, 1.0, 1.08883])
_RGB_TO_XYZ: Final = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)


def srgb_to_lab(rgb: np.ndarray) -> tuple[float, float, float]:
    """CIELAB (D65) of one sRGB colour given as 0..255 floats (L 0..100, a*, b*)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return linear_to_lab(np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4))


#: sRGB level -> linear light (0..1)
_LINEAR: Final = np.where(
    np.arange(256) / 255.0 <= 0.04045,
    np.arange(256) / 255.0 / 12.92,
    ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4,
)


def linear_to_lab(lin: np.ndarray) -> tuple[float, float, float]:
    """CIELAB (D65) of one linear-light RGB colour (0..1)."""
    xyz = _RGB_TO_XYZ @ np.asarray(lin, dtype=np.float64) / _D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return float(116 * f[1] - 16), float(500 * (f[0] - f[1])), float(200 * (f[1] - f[2]))
