"""Occlusion of the nose, the mouth and the face, and masks, from skin coverage of mesh regions.

OFIQ's MouthOcclusionPrevention and FaceOcclusionPrevention use a face-parsing
model; here each mesh region is compared, pixel by pixel, with the face's own
skin (:func:`~facecurator.detect.quality.regions.skin_reference`, preferring
the forehead and glabella, which a mask or a hand over the mouth leaves free):

* a pixel is **face-like** when its lightness is within ``FACE_L_RANGE`` of the
  skin's and its colour (CIELAB a*, b*) is within ``SKIN_AB_RADIUS`` of the skin's,
  or it is lip-like (redder than the skin, same hue family). In a monochrome
  image only the lightness is compared.
* a region whose lightness barely varies (a painted rectangle, a bar) is not
  face-like whatever its colour.

``nose_visible`` / ``mouth_visible`` are the face-like fractions of the nose and
mouth regions scaled so that the calibrated boundary is 0.5; ``face_visible``
is the area-weighted face-like fraction of the forehead, cheeks, nose, mouth and
chin, scaled the same way. A mask is a mouth region and chin that are not
face-like while the nose bridge above it still is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from facecurator.detect.quality import hands
from facecurator.detect.quality.base import masked, rows_of
from facecurator.detect.quality.fingers import fingers_across, mouth_limit
from facecurator.detect.quality.regions import (
    CHIN,
    FOREHEAD,
    LEFT_CHEEK,
    LIPS,
    MOUTH_AREA,
    MOUTH_OPENING,
    NOSE,
    RIGHT_CHEEK,
    SKIN_HUE_DEGREES,
    SKIN_MIN_CHROMA,
    FaceRegions,
    SkinReference,
    fast_median,
    fast_std,
    stripes_ratio,
)

#: Lightness of a face-like pixel, as a fraction of the skin's (shadows to highlights).
FACE_L_RANGE: Final = (0.40, 1.60)
#: Largest a*b* distance from the skin colour of a face-like pixel.
SKIN_AB_RADIUS: Final = 12.0
#: Lips: at most this much redder (a*) than the skin, and no bluer (b*) than this below it.
LIP_A_RANGE: Final = (0.0, 40.0)
LIP_B_BELOW: Final = 20.0
#: A skin-like pixel has at least this fraction of the skin's chroma (a white mask does not).
SKIN_MIN_CHROMA_RATIO: Final = 0.45
#: A lip-like pixel is at most this much more saturated (chroma) than the skin (a red mask is).
LIP_MAX_EXTRA_CHROMA: Final = 20.0
#: A region whose lightness standard deviation is below this fraction of the skin's
#: lightness is uniform (painted over).
UNIFORM_STD: Final = 0.025
#: Regions whose median lightness is within this of black or white are clipped, not painted over.
CLIPPED_L: Final = 4.0
#: Face-like fraction at the calibrated boundary (score 0.5) of each region.
NOSE_FRACTION: Final = 0.45
MOUTH_FRACTION: Final = 0.35
FACE_FRACTION: Final = 0.55
#: Lips at most this much redder (a*) than the mouth area around them count as not seen ...
LIP_MIN_CONTRAST: Final = 0.0
#: ... and then the mouth area's face-like share must reach this instead of MOUTH_FRACTION.
MOUTH_FRACTION_NO_LIPS: Final = 0.55
#: Spread (standard deviation) of the lips' lightness / the skin's under this = the lips
#: are covered (a hand or a skin-coloured patch: no line between the lips, no shading).
#: Tune split: clean faces >= 0.067 (p5 0.116), the ``mouth_hand`` variants 0.019-0.060
#: (29 of 30 under 0.045); below 0.045 otherwise only blurred, clipped or masked faces.
LIPS_MIN_STD: Final = 0.045
#: ... and under this when the lips are also no redder than the mouth area around them
#: (``lip_contrast`` <= ``LIP_MIN_CONTRAST``, colour photos): lips that show neither their
#: colour nor their shading (the line between them, the shadow under the lower lip) are a
#: cover the skin's colour (a hand, a skin-coloured patch or mask), not lips. Tune split:
#: clean faces without lip contrast >= 0.165 (test 0.121), the ``mouth_hand`` variants
#: <= 0.062 (the 195-px face of trump_hillary.jpg, which the 0.045 bound missed); 0.10
#: keeps 40 % from the clean minimum (issue 18, local-v18; docs/local-detector.md).
LIPS_MIN_STD_NO_LIPS: Final = 0.10
#: The same 0.10 bound holds for lips that show no line: their darkest tenth (``lips_p10``,
#: / the skin's lightness) at least this light (no line between the lips, no shadow under
#: the lower lip) while they are barely redder than the mouth area (``lip_contrast`` under
#: ``LIP_WEAK_CONTRAST``, or a monochrome photo, where colour says nothing). A skin-coloured
#: hand's soft edge leaks a little colour (``lip_contrast`` 0.5-1.5), which the 0.0 bound
#: above misses. Tune split: clean faces ``lips_p10`` p95 0.70, max 0.91 (the 3 at >= 0.80
#: spread >= 0.118); ``mouth_hand`` variants median 0.98, 28 of 30 at >= 0.80, with
#: ``lip_contrast`` <= 1.5 but one (6.0). Issue 18, local-v24; docs/local-detector-mouth.md.
LIPS_LINE_MIN_P10: Final = 0.80
LIP_WEAK_CONTRAST: Final = 3.0
#: Horizontal / vertical lightness differences in the lips' box (``lips_stripes``) above
#: this = something runs up and down across the mouth (fingers). Tune split: clean faces
#: 0.18-1.00 (p95 0.73), every real face without a covered nose/mouth <= 1.00; 1.5 keeps
#: 50 % from the clean maximum (open mouths show teeth, whose gaps are vertical edges).
LIPS_STRIPES_MAX: Final = 1.5
#: Mask: the mouth region's and the chin's face-like fractions both below this ...
MASK_MOUTH_FRACTION: Final = 0.25
#: ... (the chin may be cut at the image edge or in shadow: its fraction only needs to be below this).
MASK_CHIN_FRACTION: Final = 0.45
#: A covered mouth area darker than this fraction of the skin, with a skin-like hue, is a beard.
BEARD_MAX_L: Final = 0.55
#: Beards and moustaches (issue 18, local-v26; docs/local-detector-beards.md): when the lips
#: themselves show their line, their shading and (colour photos) their colour, the mouth
#: area's pixels that are darker than the skin and colourless or of the skin's hue (not more
#: saturated than lips may be) are hair, not a cover. No new bound: the lips must pass the
#: bounds above the other way round (``lips_p10`` under ``LIPS_LINE_MIN_P10``, ``lips_std``
#: at least ``LIPS_MIN_STD_NO_LIPS``, ``lips_stripes`` at most ``LIPS_STRIPES_MAX``,
#: ``lip_contrast`` at least ``LIP_WEAK_CONTRAST``), and the mouth area with its hair then
#: must reach ``MOUTH_FRACTION`` like any other.
MIN_IOD_PX: Final = 16.0
ATTRIBUTE_MAX_YAW: Final = 45.0


@dataclass(frozen=True, slots=True)
class OcclusionReading:
    """Visibility scores (0-1, 0.5 = boundary; None = not measured) and the mask verdict."""

    nose_visible: float | None
    mouth_visible: float | None
    face_visible: float | None
    mask: bool | None
    reason: str
    #: face-like fraction per region (for ``raw``)
    fractions: dict[str, float]


def _area_chroma2(regions: FaceRegions) -> np.ndarray:
    """a*^2 + b*^2 of the area grid (float32), made once a face (the face- and hair-like maps
    of each skin reference read it; read-only)."""
    found = regions.shared.get("area_chroma2")
    if isinstance(found, np.ndarray):
        return found
    _, a, b = regions.area_planes
    chroma2: np.ndarray = a * a + b * b
    chroma2.flags.writeable = False
    regions.shared["area_chroma2"] = chroma2
    return chroma2


def _area_hue(regions: FaceRegions) -> np.ndarray:
    """The a*b* hue of the area grid in degrees (float32), made once a face (read-only)."""
    found = regions.shared.get("area_hue")
    if isinstance(found, np.ndarray):
        return found
    _, a, b = regions.area_planes
    hue: np.ndarray = np.degrees(np.arctan2(b, a))
    hue.flags.writeable = False
    regions.shared["area_hue"] = hue
    return hue


def _cached_map(regions: FaceRegions, key: str, *inputs: object) -> np.ndarray | None:
    """The map stored under ``key`` when it was made from these very objects (``is``)."""
    entry = regions.shared.get(key)
    if isinstance(entry, tuple) and all(x is y for x, y in zip(entry[:-1], inputs, strict=True)):
        found = entry[-1]
        assert isinstance(found, np.ndarray)
        return found
    return None


def face_like_map(regions: FaceRegions, skin: SkinReference) -> np.ndarray:
    """Boolean map of the crop's pixels that look like this face's skin or lips (read-only:
    the occlusion and brim measures of one skin reference share it)."""
    found = _cached_map(regions, "face_like", skin)
    if found is not None:
        return found
    lum, a, b = regions.area_planes
    ref_l, ref_a, ref_b = (float(v) for v in skin.lab)
    ok = (lum >= FACE_L_RANGE[0] * max(ref_l, 1.0)) & (lum <= FACE_L_RANGE[1] * max(ref_l, 1.0))
    if not skin.monochrome:
        da, db = a - ref_a, b - ref_b
        chroma2 = _area_chroma2(regions)
        ref_chroma = (ref_a * ref_a + ref_b * ref_b) ** 0.5
        skin_like = da * da + db * db <= SKIN_AB_RADIUS * SKIN_AB_RADIUS
        # white, grey and black masks are near the skin's a*b* when the skin is pale: not when
        # their chroma is measured against the skin's
        skin_like &= chroma2 >= (SKIN_MIN_CHROMA_RATIO * ref_chroma) ** 2
        lip_like = (da >= LIP_A_RANGE[0]) & (da <= LIP_A_RANGE[1]) & (db >= -LIP_B_BELOW) & (a > 0)
        # a red mask is redder than lips ever are
        lip_like &= chroma2 <= (ref_chroma + LIP_MAX_EXTRA_CHROMA) ** 2
        ok &= skin_like | lip_like
    ok.flags.writeable = False
    regions.shared["face_like"] = (skin, ok)
    return ok


def face_like_fraction(
    regions: FaceRegions,
    skin: SkinReference,
    mask: np.ndarray,
    *,
    featured: bool = False,
    like: np.ndarray | None = None,
) -> float:
    """Share of the pixels under ``mask`` that look like this face's skin or lips.

    ``featured``: the region always has shading or edges (nose, mouth), so a
    uniform one is painted over; smooth regions (forehead, cheeks) may be uniform.
    ``like``: :func:`face_like_map` when already computed.
    """
    count = np.count_nonzero(mask)
    if count < 3:
        return 0.0
    if featured:
        lum = masked(regions.area_planes[0], mask)
        level = float(fast_median(lum))
        # uniform = painted over; but a clipped (blown-out or black) region is an exposure
        # problem, which the exposure measures report, not a cover
        uniform = fast_std(lum) / max(float(skin.lab[0]), 1.0) < UNIFORM_STD
        if uniform and CLIPPED_L < level < 100.0 - CLIPPED_L:
            return 0.0
    if like is None:
        like = face_like_map(regions, skin)
    # like[mask]'s face-like share, without selecting the pixels
    return np.count_nonzero(like & mask) / count


def lip_contrast(regions: FaceRegions) -> float:
    """How much redder (CIELAB a*) the lips are than the rest of the mouth area (philtrum,
    chin top): a few units for real lips, about 0 for a uniform mask."""
    lips = _without_opening(regions, LIPS)
    around = regions.polygon(MOUTH_AREA) & ~regions.polygon(LIPS)
    if np.count_nonzero(lips) < 3 or np.count_nonzero(around) < 3:
        return 0.0
    a = regions.area_planes[1]
    return float(fast_median(masked(a, lips)) - fast_median(masked(a, around)))


def lip_darkness(regions: FaceRegions, skin: SkinReference) -> dict[str, float]:
    """The lips' darkest tenth (the line between the lips, the mouth's shadow) and the spread
    of their lightness, both / the skin's lightness (for ``raw``): a hand or a skin-coloured
    patch over the mouth has neither."""
    lips = regions.polygon(LIPS)
    if np.count_nonzero(lips) < 3:
        return {}
    lum = masked(regions.area_planes[0], lips)
    lum.sort()
    ref = max(float(skin.lab[0]), 1.0)
    p10 = float(lum[round(0.1 * (lum.size - 1))])
    return {
        "lips_p10": round(p10 / ref, 3),
        "lips_std": round(fast_std(lum) / ref, 3),
        "lips_stripes": round(lips_stripes(regions), 3),
    }


def lips_stripes(regions: FaceRegions) -> float:
    """Sum of |horizontal differences| / sum of |vertical differences| of the lightness in
    the lips' bounding box (full crop resolution): the lips, the line between them and
    their shading run across the face (small values); fingers over the mouth run up and
    down it (large values)."""
    pts = rows_of(regions.pts, LIPS)
    lum = regions.lum
    h, w = lum.shape
    x0, x1 = max(0, int(pts[:, 0].min())), min(w, int(pts[:, 0].max()) + 1)
    y0, y1 = max(0, int(pts[:, 1].min())), min(h, int(pts[:, 1].max()) + 1)
    box = lum[y0:y1, x0:x1]
    if box.shape[0] < 3 or box.shape[1] < 3:
        return 0.0
    return stripes_ratio(box)


def _beard_like(regions: FaceRegions, skin: SkinReference) -> bool:
    """The mouth area is dark with a skin-like hue (a beard, not a mask)."""
    if skin.monochrome:
        return False
    lab = fast_median(masked(regions.area_lab, regions.polygon(MOUTH_AREA)))
    chroma = float(np.hypot(lab[1], lab[2]))
    hue = math.degrees(math.atan2(float(lab[2]), float(lab[1])))
    dark = float(lab[0]) < BEARD_MAX_L * skin.lum
    return dark and chroma >= SKIN_MIN_CHROMA and SKIN_HUE_DEGREES[0] <= hue <= SKIN_HUE_DEGREES[1]


def _lips_seen(darkness: dict[str, float], contrast: float, *, monochrome: bool) -> bool:
    """The lips show a line (or the shadow under them), shading, no up-and-down stripes and,
    in a colour photo, a colour of their own: the lips are not under a cover."""
    if "lips_p10" not in darkness or "lips_stripes" not in darkness:
        return False
    return (
        darkness["lips_p10"] < LIPS_LINE_MIN_P10
        and darkness["lips_std"] >= LIPS_MIN_STD_NO_LIPS
        and darkness["lips_stripes"] <= LIPS_STRIPES_MAX
        and (monochrome or contrast >= LIP_WEAK_CONTRAST)
    )


def hair_like_map(regions: FaceRegions, skin: SkinReference, like: np.ndarray) -> np.ndarray:
    """Pixels that are not face-like but may be facial hair: darker than the skin and, in a
    colour photo, either colourless (black, grey, white hair) or of a skin-like hue (brown,
    auburn, blond) and at most ``LIP_MAX_EXTRA_CHROMA`` more saturated than the skin, as
    lips are. A light mask is not darker than the skin; a blue, green or saturated red one
    is not hair-coloured; a black one is, and only the lips tell it apart (:func:`_lips_seen`)."""
    found = _cached_map(regions, "hair_like", skin, like)
    if found is not None:
        return found
    lum = regions.area_planes[0]
    ref_l, ref_a, ref_b = (float(v) for v in skin.lab)
    hair = ~like & (lum < ref_l)
    if not skin.monochrome:
        chroma2 = _area_chroma2(regions)
        ref_chroma = math.hypot(ref_a, ref_b)
        hue = _area_hue(regions)
        hued = (hue >= SKIN_HUE_DEGREES[0]) & (hue <= SKIN_HUE_DEGREES[1])
        hued &= chroma2 <= (ref_chroma + LIP_MAX_EXTRA_CHROMA) ** 2
        hair &= hued | (chroma2 < SKIN_MIN_CHROMA * SKIN_MIN_CHROMA)
    hair.flags.writeable = False
    regions.shared["hair_like"] = (skin, like, hair)
    return hair


def beard_fraction(regions: FaceRegions, skin: SkinReference, like: np.ndarray) -> float:
    """Share of the mouth area (without the mouth's opening) that is face-like or hair-like."""
    mask = _without_opening(regions, MOUTH_AREA)
    return face_like_fraction(
        regions, skin, mask, featured=True, like=like | hair_like_map(regions, skin, like)
    )


def _without_opening(regions: FaceRegions, poly: tuple[int, ...]) -> np.ndarray:
    """The polygon's mask without the mouth's opening (teeth and the inside of an open
    mouth are neither skin nor lips: a speaking or smiling mouth is not covered)."""
    return regions.polygon(poly) & ~regions.polygon(MOUTH_OPENING)


def _no_line(lips_p10: float, contrast: float, *, monochrome: bool) -> bool:
    """Lips with no dark line or shadow and (almost) no colour of their own: only their
    shading (``lips_std``) can still tell them from a skin-coloured cover."""
    return lips_p10 >= LIPS_LINE_MIN_P10 and (monochrome or contrast < LIP_WEAK_CONTRAST)


def _lip_limits(darkness: dict[str, float], *, bare: bool) -> tuple[float, ...]:
    """The mouth's score can be no higher than its lips' shading and stripes allow."""
    return (
        _half(darkness["lips_std"], LIPS_MIN_STD_NO_LIPS if bare else LIPS_MIN_STD),
        _half(LIPS_STRIPES_MAX, max(darkness["lips_stripes"], 1e-6)),
    )


def _half(value: float, boundary: float) -> float:
    return float(min(1.0, max(0.0, 0.5 * value / boundary)))


def occlusion_reading(regions: FaceRegions, skin: SkinReference | None, *, yaw: float) -> OcclusionReading:
    """Nose, mouth and face visibility and the mask verdict of one face."""
    if regions.source_iod < MIN_IOD_PX:
        return OcclusionReading(None, None, None, None, "face too small", {})
    if abs(yaw) > ATTRIBUTE_MAX_YAW:
        return OcclusionReading(None, None, None, None, "face turned away", {})
    if skin is None:
        return OcclusionReading(None, None, None, None, "no skin visible for reference", {})
    parts = {
        "nose": NOSE,
        "mouth": MOUTH_AREA,
        "chin": CHIN,
        "right_cheek": RIGHT_CHEEK,
        "left_cheek": LEFT_CHEEK,
        "forehead": FOREHEAD,
    }
    fractions: dict[str, float] = {}
    areas: dict[str, int] = {}
    like = face_like_map(regions, skin)
    for name, poly in parts.items():
        mask = _without_opening(regions, poly) if name == "mouth" else regions.polygon(poly)
        areas[name] = np.count_nonzero(mask)
        featured = name in ("nose", "mouth")
        fractions[name] = round(face_like_fraction(regions, skin, mask, featured=featured, like=like), 3)
    total = sum(areas.values()) or 1
    face_fraction = sum(fractions[n] * areas[n] for n in parts) / total
    nose = _half(fractions["nose"], NOSE_FRACTION)
    # lips no redder than the skin around them: a skin-coloured mask (cream, beige) passes
    # the colour test, so the mouth area must then look like the face almost everywhere
    lips = lip_contrast(regions)
    no_lips = not skin.monochrome and lips <= LIP_MIN_CONTRAST
    mouth = _half(fractions["mouth"], MOUTH_FRACTION_NO_LIPS if no_lips else MOUTH_FRACTION)
    darkness = lip_darkness(regions, skin)
    if "lips_std" in darkness:
        bare = no_lips or _no_line(darkness["lips_p10"], lips, monochrome=skin.monochrome)
        mouth = min(mouth, *_lip_limits(darkness, bare=bare))
    # a beard or moustache around lips that are plainly seen: its hair is not a cover
    bearded = False
    if fractions["mouth"] < MOUTH_FRACTION and _lips_seen(darkness, lips, monochrome=skin.monochrome):
        fractions["mouth_hair"] = round(beard_fraction(regions, skin, like), 3)
        bearded = fractions["mouth_hair"] >= MOUTH_FRACTION
        if bearded:
            mouth = min(_half(fractions["mouth_hair"], MOUTH_FRACTION), *_lip_limits(darkness, bare=False))
    # fingers from the side across a lower cheek beside a mouth corner (fingers.py): a hand
    # over half the mouth, whose visible half keeps every lip measure above its bound
    fingers = fingers_across(regions)
    if fingers is not None:
        fractions["cheek_lines"] = round(fingers.coherence, 3)
        fractions["cheek_lines_tilt"] = round(fingers.tilt, 1)
        mouth = min(mouth, mouth_limit(fingers))
    # a real hand over half the mouth, from below or at a diagonal (hands.py): the lips' colour
    # lost on one half, edges up and down the lips, a narrower mesh mouth, weighed together
    if not skin.monochrome and not bearded and "lips_stripes" in darkness:
        values = hands.features(regions, {**darkness, "lip_contrast": lips})
        if values is not None:
            score = hands.hand_score(values)
            fractions["hand_score"] = round(score, 2)
            mouth = min(mouth, hands.mouth_limit(score))
            # fingers at a slant over the lips (local-v42): the lips' lines lose their level
            skew = hands.lips_skew(regions)
            if skew is not None:
                slanted = hands.skew_score(values, skew)
                fractions["lips_skew"] = round(skew, 3)
                fractions["skew_score"] = round(slanted, 2)
                mouth = min(mouth, hands.mouth_limit(slanted, hands.SKEW_SCORE_MAX))
    face = _half(face_fraction, FACE_FRACTION)
    covered = fractions["mouth"] < MASK_MOUTH_FRACTION and fractions["chin"] < MASK_CHIN_FRACTION
    masked = covered and not bearded and not _beard_like(regions, skin)
    if masked:
        reason = "mask?"
    elif covered and not bearded:
        reason = "beard?"
    elif mouth < 0.5 or nose < 0.5:
        reason = "covered?"
    else:
        reason = ""
    fractions["face"] = round(face_fraction, 3)
    fractions["lip_contrast"] = round(lips, 2)
    fractions.update(darkness)
    return OcclusionReading(round(nose, 3), round(mouth, 3), round(face, 3), masked, reason, fractions)
