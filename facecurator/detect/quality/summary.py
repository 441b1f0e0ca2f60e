"""All of this package's measures of one face, as the canonical face's fields and named measures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np

from facecurator.detect.quality import exposure
from facecurator.detect.quality.base import centre_of, length
from facecurator.detect.quality.covers import brim_over_eyes
from facecurator.detect.quality.eyes import (
    BLINK_MAX_YAW,
    BLINK_MIN_IOD_PX,
    MIN_IOD_PX,
    REASON_DARK_FLAT,
    REASON_SMALL,
    REASON_TINTED,
    EyeReading,
    LensReading,
    eye_reading,
    eye_symmetry,
    one_eye_covered,
    one_eye_narrowed,
    reopened,
    shut_by_lids,
    sunglasses_from_eyes,
)
from facecurator.detect.quality.lens import (
    dark_bands_over_mask,
    edged_lenses,
    lens_tint,
    lenses_from_edges,
    strong_lens_edges,
    strongly_edged,
)
from facecurator.detect.quality.lens_cast import CAST_MIN, filter_cast
from facecurator.detect.quality.occlusion import occlusion_reading
from facecurator.detect.quality.regions import (
    LEFT_EYE_CONTOUR,
    RIGHT_EYE_CONTOUR,
    face_regions,
    skin_reference,
)
from facecurator.domain.measures import Measure


@dataclass(frozen=True, slots=True)
class FaceQuality:
    """The named measures plus the flags they decide (None = not measured)."""

    measures: dict[str, Measure]
    eyes_closed: bool | None
    sunglasses: bool | None
    mask: bool | None
    raw: dict[str, Any]
    #: CIELAB of the eye-aligned crop (signed a*, b*), for other measures of the same crop
    lab: np.ndarray | None
    #: the subject's right and left eye readings (None when the eyes were not read)
    eyes: tuple[EyeReading, EyeReading] | None = None
    #: both lens edges read without the dimming bounds reach ``lens.STRONG_EDGE_MIN`` (lenses,
    #: unless a frame's lower bar made the step: the detector asks its frame test)
    strong_lens_edge: bool = False


def _eye_measure(reading: EyeReading, value: float | None) -> Measure:
    return Measure(value, reading.reason if value is None or value < 0.5 else "")


def _lowest(name_a: str, a: Measure, name_b: str, b: Measure, *, unknown_if_any: bool) -> Measure:
    """The lower of two part measures; unknown when either is unknown (``unknown_if_any``)
    unless the known one already fails (a closed eye is closed whatever the other eye does)."""
    known = [m for m in (a, b) if m.value is not None]
    if len(known) == 2:
        return min(known, key=lambda m: m.value if m.value is not None else 0.0)
    if known and (known[0].value or 0.0) < 0.5:
        return known[0]
    if known and not unknown_if_any:
        return known[0]
    missing = a if a.value is None else b
    side = name_a if a.value is None else name_b
    return Measure(None, f"{side}: {missing.reason}" if missing.reason else f"{side}: not measured")


def _too_small() -> FaceQuality:
    """Every measure null: the eyes are too close together to read anything."""
    names = (
        "eye_visible_right",
        "eye_visible_left",
        "eye_open_right",
        "eye_open_left",
        "eyes_visible",
        "eyes_open",
        "nose_visible",
        "mouth_visible",
        "nose_mouth_visible",
        "face_visible",
    )
    return FaceQuality(
        measures={name: Measure(None, REASON_SMALL) for name in names},
        eyes_closed=None,
        sunglasses=None,
        mask=None,
        raw={"reason": REASON_SMALL},
        lab=None,
    )


def face_quality(
    rgb: np.ndarray,
    mesh: np.ndarray,
    *,
    yaw: float,
    aligned: tuple[np.ndarray, np.ndarray] | None = None,
) -> FaceQuality:
    """Eye visibility and openness, nose/mouth/face visibility, sunglasses and mask of one face.

    Args:
        rgb: the working image (uint8 RGB) the mesh was fitted in.
        mesh: the face mesh, (N, 3) in ``rgb`` pixels.
        yaw: head yaw in degrees (the far eye of a turned face is not read).
        aligned: the eye-aligned crop and mesh points in it when already made
            (``facecurator.detect.measures.align_face``, same geometry).
    """
    pts = np.asarray(mesh, dtype=np.float64)[:, :2]
    right_eye, left_eye = (centre_of(pts, contour) for contour in (RIGHT_EYE_CONTOUR, LEFT_EYE_CONTOUR))
    if length(left_eye - right_eye) < MIN_IOD_PX:
        return _too_small()
    regions = face_regions(rgb, mesh, aligned=aligned)
    cheeks = skin_reference(regions)
    upper = skin_reference(regions, prefer=("forehead", "glabella"))
    if upper is not None and upper.patches == ("glabella",):
        # the glabella alone (the forehead under hair, a hat or its shadow) is a small
        # patch in the shade of the brows and of a glasses bridge: compare the nose and
        # mouth with every skin-like patch, as the eyes do
        upper = cheeks
    right, left = one_eye_covered(
        eye_reading(regions, cheeks, mesh, "right", yaw=yaw),
        eye_reading(regions, cheeks, mesh, "left", yaw=yaw),
    )
    # one eye drawn far narrower than its twin with no iris in it: a hand over it (or a wink)
    right, left = one_eye_narrowed(right, left)
    occ = occlusion_reading(regions, upper, yaw=yaw)
    lenses = sunglasses_from_eyes(right, left, masked=bool(occ.mask))
    tint = lens_tint(regions, cheeks)
    # one filter colour over both eye areas (not on a masked face: its cheek band is the mask)
    if lenses.sunglasses is False and not occ.mask and tint.tinted:
        lenses = LensReading(True, REASON_TINTED)
    # a lens's lower edge under both dimmed eye areas (read only where they are dimmed)
    edges = None if lenses.sunglasses is not False or occ.mask else edged_lenses(regions, cheeks, right, left)
    edged, tops = lenses_from_edges(regions, cheeks, edges)
    if edged:
        lenses = LensReading(True, REASON_DARK_FLAT)
    strong = None
    if edges is None and lenses.sunglasses is False and not occ.mask:
        # eye areas lit (a reflecting lens): the edge is read without the dimming bounds
        # where a band under an eye is dimmed, and counts only when stronger than a bare face's
        # (the detector applies it where the frame test found no frame: ``strong_lens_edge``)
        strong = strong_lens_edges(regions, cheeks, right, left)
    # a brown or amber filter: blue taken out of the eye's white and of the skin under both eyes
    cast = None if lenses.sunglasses is not False or occ.mask else filter_cast(regions, cheeks, right, left)
    if cast is not None and cast >= CAST_MIN:
        lenses = LensReading(True, REASON_TINTED)
    # a masked face: the bottom of a dark lens over both eyes, darker than the mask below it
    if lenses.sunglasses is False and occ.mask and dark_bands_over_mask(right, left):
        lenses = LensReading(True, REASON_DARK_FLAT)
    # a brim over both eyes: the glabella neither skin nor hair (covers.py)
    right, left, glabella = brim_over_eyes(regions, cheeks, right, left)
    m: dict[str, Measure] = {
        "eye_visible_right": _eye_measure(right, right.visible),
        "eye_visible_left": _eye_measure(left, left.visible),
        "eye_open_right": _eye_measure(right, right.open),
        "eye_open_left": _eye_measure(left, left.open),
    }
    m["eyes_visible"] = _lowest(
        "right eye", m["eye_visible_right"], "left eye", m["eye_visible_left"], unknown_if_any=True
    )
    m["eyes_open"] = _lowest(
        "right eye", m["eye_open_right"], "left eye", m["eye_open_left"], unknown_if_any=True
    )
    why = "" if occ.nose_visible is not None else occ.reason
    nose = Measure(occ.nose_visible, why or ("" if (occ.nose_visible or 0) >= 0.5 else occ.reason))
    mouth = Measure(occ.mouth_visible, why or ("" if (occ.mouth_visible or 0) >= 0.5 else occ.reason))
    m["nose_visible"], m["mouth_visible"] = nose, mouth
    m["nose_mouth_visible"] = _lowest("nose", nose, "mouth", mouth, unknown_if_any=True)
    m["face_visible"] = Measure(occ.face_visible, why)
    eyes_open = m["eyes_open"].value
    raw = {
        "eyes": {
            side: {
                "visible": r.visible,
                "open": r.open,
                "reason": r.reason,
                "contrast": r.contrast,
                "bright": r.bright,
                "median": r.median,
                "ear": r.ear,
                "iris": r.iris,
                "window_l90": r.window_l90,
                "tint": r.tint,
                "stripes": r.stripes,
                "lid_stripes": r.lid_stripes,
                "above_stripes": r.above_stripes,
                "lens_l": r.lens_l,
                "lens_ab": r.lens_ab,
                "spread": r.spread,
                "skin_ab": r.skin_ab,
            }
            for side, r in (("right", right), ("left", left))
        },
        "lens_tint": {
            "common": round(tint.common, 2),
            "agreement": round(tint.agreement, 3),
            "warm": round(tint.warm, 2),
        },
        "lens_edge": None if edges is None else [round(e, 3) for e in edges],
        "lens_edge_strong": None if strong is None else [round(e, 3) for e in strong],
        "lens_top": None if tops is None else [round(t, 3) for t in tops],
        "lens_cast": None if cast is None else round(cast, 3),
        "eye_symmetry": round(
            eye_symmetry(regions.lum, regions.eye_centre("right"), regions.eye_centre("left")), 3
        ),
        "occlusion": {"reason": occ.reason, **occ.fractions},
        "glabella_seen": None if glabella is None else round(glabella, 3),
        "skin": {
            "cheeks": None if cheeks is None else [round(float(v), 1) for v in cheeks.lab],
            "upper": None if upper is None else [round(float(v), 1) for v in upper.lab],
        },
    }
    return FaceQuality(
        measures=m,
        eyes_closed=None if eyes_open is None else eyes_open < 0.5,
        sunglasses=lenses.sunglasses,
        mask=occ.mask,
        raw=raw,
        lab=regions.lab,
        eyes=(right, left),
        strong_lens_edge=strongly_edged(strong),
    )


def needs_blink_reading(quality: FaceQuality, *, eye_distance: float, yaw: float) -> bool:
    """Whether a second reading of the eyes (``facecurator.detect.blink``) may change this
    face: a visible eye its lids read shut, on a face large and frontal enough to read it
    (``eyes.BLINK_MIN_IOD_PX``, ``BLINK_MAX_YAW``)."""
    if quality.eyes is None or eye_distance < BLINK_MIN_IOD_PX or abs(yaw) > BLINK_MAX_YAW:
        return False
    return any(shut_by_lids(eye) for eye in quality.eyes)


def with_blink(quality: FaceQuality, blink: tuple[float, float] | None) -> FaceQuality:
    """``quality`` with each eye the lids read shut reopened when its blink score says so
    (``eyes.reopened``: each eye on its own, so one shut eye stays shut); the scores are
    kept in ``raw["blink"]`` (None when there was no reading)."""
    if quality.eyes is None:
        return quality
    raw = dict(quality.raw)
    raw["blink"] = None if blink is None else [round(b, 3) for b in blink]
    if blink is None:
        return replace(quality, raw=raw)
    right, left = (reopened(eye, b) for eye, b in zip(quality.eyes, blink, strict=True))
    m = dict(quality.measures)
    m["eye_open_right"] = _eye_measure(right, right.open)
    m["eye_open_left"] = _eye_measure(left, left.open)
    m["eyes_open"] = _lowest(
        "right eye", m["eye_open_right"], "left eye", m["eye_open_left"], unknown_if_any=True
    )
    eyes_raw = dict(raw["eyes"])
    for side, eye in (("right", right), ("left", left)):
        eyes_raw[side] = {**eyes_raw[side], "open": eye.open, "reason": eye.reason}
    raw["eyes"] = eyes_raw
    value = m["eyes_open"].value
    return replace(
        quality, measures=m, raw=raw, eyes=(right, left), eyes_closed=None if value is None else value < 0.5
    )


#: measures2's verdicts (``facecurator.detect.quality.face.measure_face``) as named
#: pass/fail measures: name -> (verdict attribute, short reason when the verdict is "present").
DETAIL_MEASURES: Final = {
    "sharp": ("blurred", "little detail (out of focus or enlarged)"),
    "no_compression_artefacts": ("compressed", "JPEG blocking or low JPEG quality"),
    "full_resolution": ("upscaled", "pixelated or enlarged from a small image"),
    "not_underexposed": ("underexposed", "face too dark"),
    "not_overexposed": ("overexposed", "face clipped white"),
    "photograph": ("not_photo", "flat colour fills, pencil strokes or unnatural colour (drawing, render?)"),
}


def detail_named(verdicts: dict[str, tuple[bool | None, str]]) -> dict[str, Measure]:
    """The detail / exposure / photo verdicts as named pass/fail measures: 1.0 when the
    defect is absent, 0.0 with the reason when present, None with the reason when not measured."""
    out: dict[str, Measure] = {}
    for name, (attribute, why) in DETAIL_MEASURES.items():
        flag, reason = verdicts.get(attribute, (None, "not measured"))
        if flag is None:
            out[name] = Measure(None, reason or "not measured")
        else:
            # a face washed out without clipping says so, not "clipped white"
            if flag and reason == exposure.REASON_WASHED:
                why = reason
            out[name] = Measure(0.0 if flag else 1.0, why if flag else "")
    return out
