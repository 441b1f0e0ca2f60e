"""Exposure of the face region (OFIQ UnderExposurePrevention,
OverExposurePrevention, DynamicRange, IlluminationUniformity).

All but ``scene_light`` are computed on the luma (BT.601, 0..255) of the pixels inside the face
mesh's oval (forehead to chin), in the working image reduced to an inter-eye
distance of at most 64 px, by
:func:`exposure_measures` (one pass, < 1 ms a face):

``brightness``  mean luma of the face, 0..255.
``underexposure``  fraction of face pixels with luma <= ``DARK_LEVEL`` (0..1); its
    details carry ``p95``, the face's highlight level (95th percentile of the luma),
    reported but not judged: it depends on the skin's tone as much as on the light
    (well-exposed dark-skinned faces read 92-99, like a dim shot of a fair face).
``scene_light``  the light the photo was taken in, judged on the scene, not the skin: the
    99th percentile of the brightest channel (max of R, G, B) over the face and its
    surroundings (the mesh box widened by one face width each side, half a face height
    above and one below: hair, background, clothes; sampled on a grid about 32 points
    across the face), 0..255. A camera exposes so that the brightest parts of a scene
    come near white; a dim shot leaves the whole scene (face, eye whites, background,
    clothes) far under it, while a dark-skinned face in good light still has a white
    wall, a shirt, eye whites or a lit forehead near the top of the range. Under
    ``SCENE_LIGHT_MIN`` the verdict is underexposed. Details: ``samples``.
``overexposure``  fraction of face pixels with luma >= ``CLIPPED_LEVEL`` (0..1). Its
    details carry ``scene_dark`` when the face has no dark tones (its 5th percentile at
    least ``WASHED_FACE_P5``): the level that the darkest twentieth of the scene's
    darkest channel (min of R, G, B; the samples of ``scene_light``) reaches. A washed-out
    photo (+1.5 EV, a veil of flare or haze, a faded print) lifts its black point: nothing
    on the face (pupils, lashes, brows, nostrils) and nothing around it (hair, shadows,
    clothes) is dark. Both high = overexposed ("face washed out"), even with nothing
    clipped; a fair face in bright light keeps dark hair or shadows near it. Details:
    ``p5`` (the face's) and ``scene_dark``; docs/local-detector-washed.md.
``dynamic_range``  entropy of the face's 256-bin luma histogram, in bits (0..8),
    as OFIQ's DynamicRange; a face squeezed into a few grey levels reads low.
``illumination_uniformity``  darker / brighter mean luma of the two face
    halves (left and right of the nose line), 0..1 (1 = evenly lit).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from facecurator.detect.quality.base import (
    MIN_EYE_DISTANCE,
    FaceView,
    Measure,
    face_view,
    fast_mean,
    unmeasured,
)

DARK_LEVEL: Final = 40
CLIPPED_LEVEL: Final = 250
#: Calibrated thresholds (docs/measures-detail.md, tune split).
BRIGHTNESS_MIN: Final = 45.0
UNDEREXPOSURE_MAX: Final = 0.6
#: ``scene_light`` under this = underexposed (a dim shot), whatever the face's own tone:
#: 2 stops under white (linear 0.25 in sRGB = 137). Replaces local-v13's bound on the
#: face's own highlights (p95 < 100), which read well-exposed dark skin as dim, in the
#: verdict (issue 18, local-v16; tune split: real clean faces >= 181, the 11
#: well-exposed dark-skinned ones >= 191, the ``dim`` variants <= 115; docs/local-detector.md).
SCENE_LIGHT_MIN: Final = 137.0
#: The scene around the face: widened by this many face widths each side, face heights
#: above and below.
SCENE_MARGIN: Final = (1.0, 0.5, 1.0)
#: The scene is sampled every ``face width / SCENE_GRID`` pixels (at least 1).
SCENE_GRID: Final = 32
#: Share of the scene's samples at or above the light level (its 99th percentile).
SCENE_TOP: Final = 0.01
OVEREXPOSURE_MAX: Final = 0.30
#: A washed-out face (local-v35, docs/local-detector-washed.md): the face's 5th
#: percentile of luma at least this ... (tune split: real clean faces <= 127, clean
#: camera variants (+0.7 stop) <= 135; the outside +1.5 EV faces 174 / 205)
WASHED_FACE_P5: Final = 150.0
#: ... and the scene's darkest twentieth (5th percentile of the darkest channel around
#: the face, ``scene_dark``) at least this. Tune split: real clean faces <= 73 (the
#: faces with the lightest tones, p5 >= 100: <= 73; a fair face in sunlight, eyes shut,
#: face p5 167: 12); the outside +1.5 EV faces 145 / 156.
WASHED_SCENE_DARK: Final = 100.0
#: The share of the scene's samples at or under ``scene_dark``.
SCENE_BOTTOM: Final = 0.05
REASON_WASHED: Final = "face washed out (no dark tones)"
DYNAMIC_RANGE_MIN: Final = 5.0
ILLUMINATION_UNIFORMITY_MIN: Final = 0.4
#: At least this fraction of the mesh must lie in the image.
MIN_INSIDE: Final = 0.8

NAMES: Final = (
    "brightness",
    "underexposure",
    "scene_light",
    "overexposure",
    "dynamic_range",
    "illumination_uniformity",
)


def exposure_measures(
    rgb: np.ndarray, mesh: np.ndarray, *, view: FaceView | None = None
) -> dict[str, Measure]:
    """The six exposure measures of one face, keyed by ``NAMES`` (``view``:
    the face's shared crops, :func:`~facecurator.detect.quality.base.face_view`)."""
    import cv2

    view = view or face_view(rgb, mesh)
    ied = view.ied
    if view.box is None or view.small is None or view.inside < MIN_INSIDE or ied < MIN_EYE_DISTANCE / 2:
        why = (
            f"face too small ({ied:.0f} px between the eyes)"
            if view.box is not None and view.inside >= MIN_INSIDE
            else "face largely outside the image"
        )
        return {name: unmeasured(why) for name in NAMES}
    luma, grey = view.small_luma, view.small_grey
    mask, pts = view.small_mask, view.small_pts
    assert mask is not None and pts is not None and luma is not None and grey is not None
    count = int(np.count_nonzero(mask))
    if count < 50:
        return {name: unmeasured("face region too small") for name in NAMES}
    # the face's 256-level histogram from the shared uint8 luma (the same counts as the
    # float pixels'), and the dark and clipped shares from it
    hist = cv2.calcHist([grey], [0], mask.view(np.uint8), [256], [0, 256]).ravel().astype(np.float64)
    mean = _mean_of_levels(hist, count)
    if mean is None:
        mean = fast_mean(luma[mask])
    dark = float(hist[: DARK_LEVEL + 1].sum()) / count
    clipped = float(hist[CLIPPED_LEVEL:].sum()) / count
    levels = _percentiles(hist, count)
    high = levels["p95"]
    p = hist[hist > 0] / count
    entropy = float(-(p * np.log2(p)).sum())
    # halves split by the nose line (bridge 168 to tip 1), in crop coordinates
    (tx, ty), (px, py) = (float(v) for v in pts[168]), (float(v) for v in pts[1])
    yy = np.arange(luma.shape[0], dtype=np.float64)[:, None]
    xx = np.arange(luma.shape[1], dtype=np.float64)[None, :]
    first = mask & ((xx - tx) * (py - ty) - (yy - ty) * (px - tx) > 0)
    hist_a = cv2.calcHist([grey], [0], first.view(np.uint8), [256], [0, 256]).ravel().astype(np.float64)
    hist_b = hist - hist_a  # the face's other pixels (the same counts: whole numbers)
    count_a, count_b = int(hist_a.sum()), int(hist_b.sum())
    if count_a >= 20 and count_b >= 20:
        a, b = _mean_of_levels(hist_a, count_a), _mean_of_levels(hist_b, count_b)
        if a is None or b is None:
            a, b = fast_mean(luma[first]), fast_mean(luma[mask & ~first])
        uniform = Measure(
            round(min(a, b) / max(a, b, 1.0), 4),
            "ratio of the face halves' brightness",
            {"half_a": round(a, 1), "half_b": round(b, 1)},
        )
    else:
        uniform = unmeasured("one face half hidden")
    light = scene_light(rgb, view.box)
    over_reason = "face clipped white" if clipped > OVEREXPOSURE_MAX else "not clipped"
    over_details: dict[str, float] = {}
    if levels["p5"] >= WASHED_FACE_P5:
        # only a face without dark tones (well under 1 % of faces) reads its scene's darks
        dark_level = scene_dark(rgb, view.box)
        over_details = {"p5": levels["p5"], "scene_dark": dark_level}
        if clipped <= OVEREXPOSURE_MAX and dark_level >= WASHED_SCENE_DARK:
            over_reason = REASON_WASHED
    return {
        "brightness": Measure(round(mean, 2), "mean face brightness", levels),
        "underexposure": Measure(
            round(dark, 4),
            "face underexposed"
            if dark > UNDEREXPOSURE_MAX or mean < BRIGHTNESS_MIN
            else ("scene dim (nothing near white)" if _dim(light) else "not dark"),
            {"p95": high},
        ),
        "scene_light": light,
        "overexposure": Measure(round(clipped, 4), over_reason, over_details),
        "dynamic_range": Measure(round(entropy, 3), "entropy of the face's brightness (bits)"),
        "illumination_uniformity": uniform,
    }


_LEVELS: Final = np.arange(256, dtype=np.float64)


def _mean_of_levels(hist: np.ndarray, count: int) -> float | None:
    """``fast_mean`` of the float32 luma pixels that ``hist`` (their 256-level histogram,
    ``count`` of them) counts, from the histogram alone: the pixels are whole grey levels,
    so while their total stays under 2**24 every partial sum of numpy's float32 reduction
    is a whole number held exactly, whatever the order, and the mean is the same float32
    value. None when the total may reach it (the caller then sums the pixels)."""
    total = float(hist @ _LEVELS)  # whole-number products and sums: exact in float64
    if total >= 2.0**24:
        return None
    return float(np.float32(total / count))


def _percentiles(hist: np.ndarray, count: int) -> dict[str, float]:
    """The face's luma at the 5th, 50th, 95th and 99th percentile (the lowest level with
    at least that share of the face at or under it), from its 256-bin histogram."""
    levels = np.searchsorted(np.cumsum(hist), np.array([0.05, 0.5, 0.95, 0.99]) * count)
    return {f"p{q}": float(v) for q, v in zip((5, 50, 95, 99), levels, strict=True)}


def scene_light(rgb: np.ndarray, box: tuple[int, int, int, int]) -> Measure:
    """``scene_light`` of the face whose mesh box (working-image pixels) is ``box``: the
    level that ``SCENE_TOP`` of the scene's samples' brightest channel reach."""
    import cv2

    step, top, bottom, left, right = _scene_box(rgb.shape, box)
    # the sampled rows as lines of bytes (R, G, B, R, ...): the brightest channel of pixel j
    # is the largest of bytes 3j .. 3j + 2, two OpenCV maxima of shifted views of the rows
    # (no copy); the samples are then every ``step``-th pixel of them (the same values as
    # the maxima of the strided channels, a third of their cost)
    band = rgb[top:bottom:step, left:right]
    rows = band.reshape(band.shape[0], -1)
    brightest = cv2.max(cv2.max(rows[:, :-2], rows[:, 1:-1]), rows[:, 2:])
    samples = np.ascontiguousarray(brightest[:, :: 3 * step])
    hist = cv2.calcHist([samples], [0], None, [256], [0, 256]).ravel()
    level = int(np.searchsorted(np.cumsum(hist[::-1]), SCENE_TOP * samples.size))
    return Measure(float(255 - level), "brightest part of the scene", {"samples": float(samples.size)})


def _scene_box(shape: tuple[int, ...], box: tuple[int, int, int, int]) -> tuple[int, int, int, int, int]:
    """The sampling step and the (top, bottom, left, right) of the scene around ``box``."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    side, above, below = SCENE_MARGIN
    step = max(1, int(w // SCENE_GRID))
    top, bottom = max(0, y0 - round(above * h)), min(shape[0], y1 + round(below * h))
    left, right = max(0, x0 - round(side * w)), min(shape[1], x1 + round(side * w))
    return step, top, bottom, left, right


def scene_dark(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """The level (0..255) that the darkest ``SCENE_BOTTOM`` of the scene's samples reach,
    read on each sample's darkest channel (min of R, G, B): the same scene and grid as
    :func:`scene_light`. A photo's darkest parts (hair, shadows, pupils) sit near black;
    a washed-out one's do not."""
    import cv2

    step, top, bottom, left, right = _scene_box(rgb.shape, box)
    band = rgb[top:bottom:step, left:right:step]
    if band.size == 0:
        return 0.0
    darkest = np.ascontiguousarray(np.minimum(np.minimum(band[..., 0], band[..., 1]), band[..., 2]))
    hist = cv2.calcHist([darkest], [0], None, [256], [0, 256]).ravel()
    return float(np.searchsorted(np.cumsum(hist), SCENE_BOTTOM * darkest.size))


def washed_out(measures: dict[str, Measure]) -> bool:
    """No dark tones on the face (5th percentile >= ``WASHED_FACE_P5``) nor around it
    (``scene_dark`` >= ``WASHED_SCENE_DARK``): a lifted black point."""
    over = measures.get("overexposure")
    return over is not None and over.reason == REASON_WASHED


def _dim(light: Measure) -> bool:
    return light.value is not None and light.value < SCENE_LIGHT_MIN


def underexposed(measures: dict[str, Measure]) -> bool | None:
    """The suggested verdict: mean face brightness under ``BRIGHTNESS_MIN``, more
    than ``UNDEREXPOSURE_MAX`` of the face at or under ``DARK_LEVEL`` (a black face),
    or a dim scene: its brightest part (``scene_light``) under ``SCENE_LIGHT_MIN``.
    The face's own highlights (``p95``) are reported but not judged: they depend on
    the skin's tone as much as on the light."""
    mean, dark = measures["brightness"].value, measures["underexposure"].value
    if mean is None or dark is None:
        return None
    light = measures.get("scene_light")
    return bool(mean < BRIGHTNESS_MIN or dark > UNDEREXPOSURE_MAX or (light is not None and _dim(light)))


def overexposed(measures: dict[str, Measure]) -> bool | None:
    """The suggested verdict: more than ``OVEREXPOSURE_MAX`` of the face clipped white, or
    the face washed out (:func:`washed_out`: no dark tones on the face nor around it)."""
    clipped = measures["overexposure"].value
    return None if clipped is None else bool(clipped > OVEREXPOSURE_MAX or washed_out(measures))
