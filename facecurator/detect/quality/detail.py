"""Detail of a face that blur, JPEG blocking and upscaling cannot fake.

Four measures, computed together from one crop of the face (the mesh's
bounding box) by :func:`detail_measures` (cheap: ~1 ms a face):

``sharpness`` (0 = no detail .. ~1 = as detailed as a sharp photo)
    How fast the face's detail falls from the inter-eye distance (IED) of
    64 px to 16 px. The grey crop is reduced (area averaging, never enlarged)
    to an IED of 64 px, then halved twice; at each level the RMS of the
    differences between neighbouring pixels is taken. In a sharp photo the
    RMS falls by about 2^-0.5 per halving of the resolution (a 1/f spectrum);
    in a face without detail at that scale (out of focus, enlarged from a small
    image) by 2^-1 (a smooth ramp). ``sharpness = 2 + s01 + s12`` where s01, s12
    are the two log2 ratios: ~1 sharp, ~0 smooth. Contrast- and size-invariant.
    JPEG blocking and pixelation *add* fine detail (sharp block edges), so they
    are measured apart (``compression``, ``pixelation``) and cap the
    effective resolution.
    ``details["coarse"]`` is the same sharpness one octave up (the face reduced
    to half its working IED, at most 64 and at least 32 px): the finest octave,
    1-2 working pixels, is where a camera's optics, demosaicing, JPEG and
    resampling soften every photo; lost detail (a blur of 2 px or more, an
    enlargement of 2x or more) also shows one octave up. With
    ``PIXEL_OCTAVE_RELIEF`` a face whose coarse sharpness reaches
    ``COARSE_SHARPNESS_MIN`` is not "blurred" (off: see docs/measures-detail.md).

``compression`` (1 = no blocking; larger = stronger)
    Blockiness at the JPEG 8 x 8 grid as it lies in the working image (8 px,
    or 4 / 2 px when the JPEG was decoded at 1/2 or 1/4 by DCT scaling: 8 / the
    decoder's factor, ``DecodedImage.dct_factor``, also when a side that is not a
    multiple of it makes the decode scale read 1.998 or 3.997): the
    mean absolute difference between neighbouring columns (rows) is folded by
    position modulo the block size; blockiness = largest phase / median phase,
    the smaller of the horizontal and vertical values (real blocks show on
    both axes). A non-JPEG file resized by a fractional factor (a PNG / WebP
    over the working size) is folded at 8 px on its own pixels instead
    (``native``: grid.py). Not measurable (``None``) when the grid is finer than
    2 px or, in a JPEG, not a whole number of pixels. The file's own JPEG
    quality (estimated from its quantisation tables by :func:`jpeg_quality`,
    which the decoder reads from the header for free) is reported beside it,
    and ``details["chroma"]``: the colour (Cb, Cr) blocks' fold at the file's
    16 px grid, at its own phase (grid.py's ``chroma_blocking``; a JPEG re-saved
    as PNG has no tables, but its colour blocks stay).

``pixelation`` (1 = none; larger = stronger)
    The same folding, for any block size from 3 to 16 px: a face enlarged by
    nearest-neighbour repetition is a grid of flat squares. The block size
    found is in ``details["period"]``.

``block_spectrum`` (about 1-10 without blocks)
    Blocking whose grid need not fall on whole pixels (a JPEG resized or re-saved
    after compression: 8 px blocks become 5.6 or 6.4 px, at any phase). The mean
    |difference| profile across columns (rows) of the same window goes through a
    512-point Fourier transform; the strongest peak at a period of 4-12 px (away
    from a JPEG file's own decode grid and its harmonics, which ``compression``
    folds) is reported over the spectrum's median, with ``details["local"]`` (the
    peak over its neighbourhood: a line, not a bump) and ``details["fold"]`` (the
    blockiness fold at that fractional period). ``compressed`` also reads
    "present" when the fold reaches ``SPECTRUM_FOLD_MIN`` and the peak is a line
    (:func:`off_grid_blocking`); it never turns a null into "absent".

``effective_resolution`` (pixels)
    OFIQ's InterEyeDistance corrected by the measured detail: the IED in the
    working image times ``2 ** -missing`` where ``missing`` (0..2 octaves) is
    how much of the two measured octaves has no detail, and at most IED / block
    size when the face is pixelated or heavily blocked. A lower bound for faces
    whose IED is over 64 px (detail finer than that is not looked at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from facecurator.detect.quality.base import (
    MIN_EYE_DISTANCE,
    NORMAL_IED,
    FaceView,
    Measure,
    block_window,
    face_view,
    fast_mean,
    unmeasured,
)
from facecurator.detect.quality.blocks import (
    _PIXEL_PERIODS,
    _STRIPS,
    SPECTRUM_FOLD_MIN,
    SPECTRUM_LOCAL_MIN,
    _blockiness,
    _fold,
    _folds,
    _profiles,
    block_spectrum,
)
from facecurator.detect.quality.grid import (
    CHROMA_BLOCK_MAX,
    JPEG_BLOCK,
    chroma_blocking,
    chroma_period,
    native_window,
)
from facecurator.detect.quality.grid import jpeg_quality as jpeg_quality  # re-exported

if TYPE_CHECKING:
    from PIL import Image

#: log2 RMS-difference ratio per halving: a sharp photo vs a smooth (detail-less) face.
_SLOPE_SHARP: Final = -0.5
_SLOPE_SMOOTH: Final = -1.0

#: Sharpness counts only the differences inside the face oval (see _octave_slopes).
SHARPNESS_IN_OVAL: Final = False

#: Calibrated thresholds (docs/measures-detail.md, tune split).
SHARPNESS_MIN: Final = 0.65
COMPRESSION_MAX: Final = 1.7
PIXELATION_MAX: Final = 3.0
JPEG_QUALITY_MIN: Final = 15.0
EFFECTIVE_RESOLUTION_MIN: Final = 26.0
UPSCALED_MISSING_OCTAVES: Final = 1.0
#: Sharpness one octave above the working pixel (``details["coarse"]``, tune split):
#: clean faces >= 0.607, the real blurred faces ``sharpness`` catches <= 0.583 (GFPGAN's
#: degraded inputs, a soft video still), derived blurred / upscaled <= 0.25.
COARSE_SHARPNESS_MIN: Final = 0.60
#: The coarse sharpness looks at the face at half its working IED, but not under this.
COARSE_IED_MIN: Final = 32.0
#: Whether ``blurred`` forgives a face soft only in its finest octave (coarse sharpness
#: >= ``COARSE_SHARPNESS_MIN``). On from local-v20: on the tune split it qualifies 7 soft
#: clean portraits; 2 must-not faces that ``blurred`` had rejected for a defect they do not
#: have (over-exposure, a hand over a mask) then qualify (docs/local-detector.md).
PIXEL_OCTAVE_RELIEF: Final = True


@dataclass(frozen=True, slots=True)
class DetailMeasures:
    """The four detail measures of one face (see the module docstring)."""

    sharpness: Measure
    compression: Measure
    pixelation: Measure
    effective_resolution: Measure
    #: blocking at any block size and phase, on or off the decode grid (``block_spectrum``)
    block_spectrum: Measure


def _octave_slopes(img: np.ndarray, mask: np.ndarray | None = None, levels: int = 4) -> list[float]:
    """[s01, s12, s23]: log2 ratios of the RMS neighbour difference between
    successive halvings of the face (already reduced to ``NORMAL_IED``), over
    ``levels`` resolutions (``levels - 1`` slopes); fewer slopes when the image
    gets under 8 pixels. With ``mask`` (the face oval),
    only differences between two pixels inside it count: an out-of-focus
    background (portrait bokeh) or a plain wall beside the cheeks is not the face."""
    import cv2

    m = None if mask is None else mask.astype(np.float32)
    rms = []
    for level in range(levels):
        if level:
            if min(img.shape[:2]) < 8:
                break
            size = (img.shape[1] // 2, img.shape[0] // 2)
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            if m is not None:
                m = np.asarray(cv2.resize(m, size, interpolation=cv2.INTER_AREA), dtype=np.float32)
        dx = img[:, 1:] - img[:, :-1]  # np.diff, without its overhead
        dy = img[1:, :] - img[:-1, :]
        if m is None:
            ex, ey = fast_mean(dx * dx), fast_mean(dy * dy)
        else:
            inside = m >= 0.999
            wx = inside[:, 1:] & inside[:, :-1]
            wy = inside[1:, :] & inside[:-1, :]
            if np.count_nonzero(wx) < 8 or np.count_nonzero(wy) < 8:
                break
            sx, sy = dx[wx], dy[wy]
            ex, ey = fast_mean(sx * sx), fast_mean(sy * sy)  # float((d ** 2).mean()), bit for bit
        rms.append(math.sqrt((ex + ey) / 2.0) + 1e-3)
    return [math.log2(rms[i] / rms[i + 1]) for i in range(len(rms) - 1)]


def coarse_sharpness(small: np.ndarray, small_ied: float, ied: float, sharp: float) -> float | None:
    """``2 + s01 + s12`` of the face one octave above the working pixel.

    ``small`` is the face's luma reduced to ``small_ied`` (``FaceView.small``), ``ied``
    its inter-eye distance in the working image and ``sharp`` its sharpness. The face is
    reduced (area averaging, never enlarged) to an IED of ``ied / 2``, at most
    ``NORMAL_IED`` and at least ``COARSE_IED_MIN`` (a face whose working IED is under
    that stays as it is); when ``small`` is already there (a working IED of 128 px or
    more) this is ``sharp`` itself. None when the reduced face is too small for two slopes.
    """
    import cv2

    target = min(NORMAL_IED, max(min(ied, COARSE_IED_MIN), ied / 2.0))
    if small_ied <= target * (1.0 + 1e-6):
        return sharp
    f = target / small_ied
    size = (max(8, round(small.shape[1] * f)), max(8, round(small.shape[0] * f)))
    slopes = _octave_slopes(cv2.resize(small, size, interpolation=cv2.INTER_AREA), levels=3)
    return None if len(slopes) < 2 else 2.0 + slopes[0] + slopes[1]


def is_soft(sharp: float, coarse: float | None, *, relief: bool | None = None) -> bool:
    """The ``blurred`` verdict of a measured face: ``sharp`` under ``SHARPNESS_MIN``,
    unless (``relief``, by default ``PIXEL_OCTAVE_RELIEF``) the face is soft only in its
    finest octave: ``coarse`` reaches ``COARSE_SHARPNESS_MIN``."""
    if sharp >= SHARPNESS_MIN:
        return False
    forgive = PIXEL_OCTAVE_RELIEF if relief is None else relief
    return not (forgive and coarse is not None and coarse >= COARSE_SHARPNESS_MIN)


def detail_measures(
    rgb: np.ndarray,
    mesh: np.ndarray,
    *,
    scale: float = 1.0,
    jpeg_quality_value: float | None = None,
    view: FaceView | None = None,
    native: Image.Image | None = None,
    dct_factor: int | None = None,
) -> DetailMeasures:
    """Sharpness, compression, pixelation and effective resolution of one face.

    Args:
        rgb: the working image (uint8 H x W x 3) the mesh was fitted in.
        mesh: the face mesh's points in ``rgb`` pixels.
        scale: full image pixels per working pixel (``DecodedImage.scale``): a
            JPEG decoded at 1/2 or 1/4 shows its 8 px blocks as 4 or 2 px.
        jpeg_quality_value: the file's estimated JPEG quality
            (:func:`jpeg_quality`), copied into ``compression.details``.
        view: the face's shared crops (:func:`face_view`), made here if not given.
        native: the full-size luma of a file reduced by a fractional factor
            (``DecodedImage.native_grey``): the JPEG grid is read there (grid.py).
        dct_factor: the DCT scaling of a JPEG whose working image is exactly its
            decoder's output (``DecodedImage.dct_factor``): its blocks lie on
            8 / ``dct_factor`` px, also when a side that is not a multiple of the
            factor makes ``scale`` read 1.998 or 3.997 (docs/local-detector-dct-grid.md).
    """
    view = view or face_view(rgb, mesh)
    ied, box = view.ied, view.box
    if box is None or ied < MIN_EYE_DISTANCE or view.window is None or view.window.shape[0] < 3 * _STRIPS:
        why = "face outside the image" if box is None else f"face too small ({ied:.0f} px between the eyes)"
        none = unmeasured(why, ied=ied)
        comp = none
        if jpeg_quality_value is not None:
            comp = Measure(None, why, {"ied": round(ied, 4), "jpeg_quality": float(jpeg_quality_value)})
        return DetailMeasures(none, comp, none, none, none)

    # sharpness
    assert view.small_luma is not None
    small = view.small_luma
    slopes = _octave_slopes(small, view.small_mask if SHARPNESS_IN_OVAL else None)
    ied0 = view.small_ied
    if len(slopes) < 2:
        none = unmeasured(f"face too small ({ied:.0f} px between the eyes)", ied=ied)
        return DetailMeasures(none, none, none, none, none)
    s01, s12 = slopes[0], slopes[1]
    sharp = 2.0 + s01 + s12
    missing = sum(min(1.0, max(0.0, (_SLOPE_SHARP - s) / (_SLOPE_SHARP - _SLOPE_SMOOTH))) for s in slopes)
    coarse = coarse_sharpness(small, ied0, ied, sharp)
    sharp_details = {"s01": round(s01, 4), "s12": round(s12, 4), "ied": round(ied, 2)}
    if coarse is not None:
        sharp_details["coarse"] = round(coarse, 4)
    sharpness = Measure(
        round(sharp, 4),
        "little detail (out of focus or enlarged)" if is_soft(sharp, coarse) else "sharp",
        sharp_details,
    )

    profiles = _profiles(view.window)
    # compression at the JPEG grid as decoded
    details: dict[str, float] = {}
    if jpeg_quality_value is not None:
        details["jpeg_quality"] = float(jpeg_quality_value)
    period = chroma_period(scale, dct_factor, jpeg_quality_value is not None)
    if period is not None:  # colour blocks on the file's 16 px grid (grid.py)
        wx0, wy0, wx1, wy1 = block_window(box)
        chroma = chroma_blocking(rgb[wy0:wy1, wx0:wx1], (wx0, wy0), period).value
        if chroma is not None:
            details["chroma"] = chroma
    grid = JPEG_BLOCK / dct_factor if dct_factor else (8.0 / scale if scale > 0 else 0.0)
    block: float | None = None
    on_grid = grid >= 2.0 - 1e-6 and abs(grid - round(grid)) < 1e-3
    window = None if on_grid or native is None else native_window(native, box, scale)
    if on_grid or window is not None:
        if window is not None:  # the file's own pixels (grid.py)
            details["native"] = 1.0
        details["grid"] = float(round(grid) if on_grid else JPEG_BLOCK)
        block = _blockiness(profiles if window is None else _profiles(window), round(details["grid"]))
        compression = Measure(
            round(block, 4),
            "JPEG blocking" if block >= COMPRESSION_MAX else "no visible blocking",
            details,
        )
    elif native is not None:
        compression = Measure(None, f"face too small ({ied:.0f} px between the eyes)", details)
    else:
        compression = Measure(None, f"the JPEG grid is not visible at decode scale 1/{scale:g}", details)

    # pixelation: flat squares of any size from 3 to 16 px
    # (the value is the best period's min(columns, rows): rows are folded only
    # for periods whose column value can still beat the best so far)
    cols, rows = profiles
    by_cols = sorted(zip(_folds(cols, _PIXEL_PERIODS), _PIXEL_PERIODS, strict=True), reverse=True)
    best, best_p = 1.0, 0
    for col_value, p in by_cols:
        if col_value <= best:
            break
        b = min(col_value, _fold(rows, p))
        if b > best:
            best, best_p = b, p
    pixelation = Measure(
        round(best, 4),
        f"pixelated ({best_p} px squares)" if best >= PIXELATION_MAX else "not pixelated",
        {"period": float(best_p)},
    )

    # effective resolution
    eff = ied0 * 2.0**-missing
    caps = {}
    if best >= PIXELATION_MAX:
        caps["pixelation"] = ied / best_p
    if block is not None and block >= COMPRESSION_MAX:
        caps["compression"] = ied / (round(grid) if on_grid else grid)
    for v in caps.values():
        eff = min(eff, v)
    effective = Measure(
        round(eff, 2),
        f"about {eff:.0f} px of detail between the eyes",
        {
            "ied": round(ied, 2),
            "missing_octaves": round(missing, 3),
            **{k: round(v, 2) for k, v in caps.items()},
        },
    )
    spectrum = block_spectrum(profiles, grid if jpeg_quality_value is not None else None)
    return DetailMeasures(sharpness, compression, pixelation, effective, spectrum)


def sharpness(rgb: np.ndarray, mesh: np.ndarray) -> Measure:
    """The ``sharpness`` of :func:`detail_measures` alone."""
    return detail_measures(rgb, mesh).sharpness


def compression(
    rgb: np.ndarray, mesh: np.ndarray, *, scale: float = 1.0, jpeg_quality_value: float | None = None
) -> Measure:
    """The ``compression`` (blockiness) of :func:`detail_measures` alone."""
    return detail_measures(rgb, mesh, scale=scale, jpeg_quality_value=jpeg_quality_value).compression


def effective_resolution(rgb: np.ndarray, mesh: np.ndarray, *, scale: float = 1.0) -> Measure:
    """The ``effective_resolution`` of :func:`detail_measures` alone."""
    return detail_measures(rgb, mesh, scale=scale).effective_resolution


def upscaled(measures: DetailMeasures) -> bool | None:
    """The suggested "low effective resolution" verdict: pixelated, or both
    soft at the face's own resolution (``missing_octaves`` >= ``UPSCALED_MISSING_OCTAVES``)
    and under ``EFFECTIVE_RESOLUTION_MIN`` px of detail between the eyes. None
    when not measured. (A small sharp face is not "upscaled"; a large
    out-of-focus face is "blurred", not "upscaled".)"""
    eff = measures.effective_resolution
    if eff.value is None:
        return None
    pix = measures.pixelation.value
    if pix is not None and pix >= PIXELATION_MAX:
        return True
    missing = eff.details.get("missing_octaves", 0.0)
    return bool(missing >= UPSCALED_MISSING_OCTAVES and eff.value < EFFECTIVE_RESOLUTION_MIN)


def blurred(measures: DetailMeasures, *, relief: bool | None = None) -> bool | None:
    """The suggested "blurred" verdict: ``sharpness`` under ``SHARPNESS_MIN`` (with
    ``relief`` / ``PIXEL_OCTAVE_RELIEF``: and the coarse sharpness under
    ``COARSE_SHARPNESS_MIN``, :func:`is_soft`)."""
    value = measures.sharpness.value
    if value is None:
        return None
    return is_soft(value, measures.sharpness.details.get("coarse"), relief=relief)


def compressed(measures: DetailMeasures) -> bool | None:
    """The suggested "compressed" verdict: blockiness at the JPEG grid of at
    least ``COMPRESSION_MAX``, or a file JPEG quality under ``JPEG_QUALITY_MIN``
    (which also covers files decoded at 1/8, whose blocks are invisible in the
    working image), or blocks off the grid (:func:`off_grid_blocking`), or colour
    blocks on the file's grid (:func:`colour_blocks`). None when neither the
    blockiness nor the quality is known and nothing says "present"."""
    block = measures.compression.value
    quality = measures.compression.details.get("jpeg_quality")
    if off_grid_blocking(measures.block_spectrum) or colour_blocks(measures):
        return True
    if block is None and quality is None:
        return None
    return bool(
        (block is not None and block >= COMPRESSION_MAX)
        or (quality is not None and quality < JPEG_QUALITY_MIN)
    )


def colour_blocks(measures: DetailMeasures) -> bool:
    """Colour blocks on the file's 16 px grid (``compression.details["chroma"]``, grid.py)
    of at least ``CHROMA_BLOCK_MAX``. Only ever says "present", as :func:`off_grid_blocking`."""
    chroma = measures.compression.details.get("chroma")
    return chroma is not None and chroma >= CHROMA_BLOCK_MAX


def off_grid_blocking(spectrum: Measure) -> bool:
    """Blocks at a size and phase the decode grid does not explain (a JPEG resized or
    re-saved after compression): the fold at the block spectrum's peak period reaches
    ``SPECTRUM_FOLD_MIN`` and the peak is a line (``SPECTRUM_LOCAL_MIN`` x its
    neighbourhood). Only ever says "present": a face without such a peak keeps the
    grid's verdict (or its null)."""
    if spectrum.value is None:
        return False
    fold = spectrum.details.get("fold", 1.0)
    local = spectrum.details.get("local", 0.0)
    return fold >= SPECTRUM_FOLD_MIN and local >= SPECTRUM_LOCAL_MIN
