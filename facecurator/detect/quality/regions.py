"""The eye-aligned face crop shared by the quality measures, its colour planes and mesh regions.

One :class:`FaceRegions` is built per face (one ``warpAffine`` of a small crop,
one colour conversion) and every measure reads its regions from it, so the
measures add no pass over the full image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from facecurator.detect.quality.base import centre_of, length, masked, rows_of

#: Side of the aligned crop; the eye centres land at (0.35, 0.40) and (0.65, 0.40)
#: of it, so the inter-ocular distance (IOD) is 0.30 * side = 48 px.
SIDE: Final = 128
_EYES_AT: Final = ((0.35, 0.40), (0.65, 0.40))
IOD: Final = 0.30 * SIDE
#: Region statistics are taken on every AREA_STEP-th row and column of the crop.
AREA_STEP: Final = 2

#: Eye contours (16 points each, subject's right / left eye) of the face mesh.
RIGHT_EYE_CONTOUR: Final = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_CONTOUR: Final = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
#: Upper-cheek patches below the eyes (the skin reference).
RIGHT_CHEEK: Final = (117, 118, 101, 36, 205, 187, 123)
LEFT_CHEEK: Final = (346, 347, 330, 266, 425, 411, 352)
#: Forehead band above the brows.
FOREHEAD: Final = (109, 10, 338, 337, 151, 108)
#: Nose: bridge to tip and the alae.
NOSE: Final = (168, 417, 465, 357, 279, 358, 327, 326, 2, 97, 98, 129, 49, 128, 245, 193)
#: Lips (outer contour).
LIPS: Final = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
#: The mouth's opening (inner lip contour): teeth, tongue and the dark inside of an
#: open mouth, neither skin nor lips.
MOUTH_OPENING: Final = (
    78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95,
)  # fmt: skip
#: Lips, philtrum and the top of the chin.
MOUTH_AREA: Final = (
    164, 393, 391, 322, 410, 287, 273, 335, 406, 313, 18, 83, 182, 106, 43, 57, 186, 92, 165, 167,
)  # fmt: skip
#: Between the eyes, above the nose bridge (glabella).
GLABELLA: Final = (9, 336, 285, 417, 168, 193, 55, 107)
#: Chin below the lower lip.
CHIN: Final = (
    43, 106, 182, 83, 18, 313, 406, 335, 273, 422, 430, 394,
    379, 378, 400, 377, 152, 148, 176, 149, 150, 169, 210, 202,
)  # fmt: skip


@dataclass(slots=True)
class FaceRegions:
    """The eye-aligned crop of one face with its colour planes and mesh points in crop pixels."""

    rgb: np.ndarray
    #: mesh (x, y) in crop pixels
    pts: np.ndarray
    #: CIELAB in float: L 0-100, a*, b* signed
    lab: np.ndarray
    #: inter-ocular distance in the source image, pixels
    source_iod: float
    _masks: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict)
    #: candidate skin patches (see ``skin_reference``), computed once
    patches: list[tuple[str, np.ndarray, np.ndarray]] | None = None
    _centres: dict[str, np.ndarray] = field(default_factory=dict)
    _planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    _lum: np.ndarray | None = None
    #: every mesh point on the :attr:`area_lab` grid, rounded (polygon corners)
    _corners: np.ndarray | None = None
    _area: np.ndarray | None = None
    #: readings of this crop that several measures share, by name (e.g. the Lab pixels
    #: around each eye: ``facecurator.detect.quality.eyes.eye_area``)
    shared: dict[str, object] = field(default_factory=dict)
    #: the affine map (2 x 3) from crop pixels to the working image's pixels and that image's
    #: (height, width): which crop pixels were replicated from beyond the image's edge (None:
    #: not known, every pixel counts as seen)
    to_source: np.ndarray | None = None
    source_shape: tuple[int, int] | None = None

    @property
    def area_lab(self) -> np.ndarray:
        """``lab`` on every other row and column: area statistics (skin patches, occlusion
        shares) need no more resolution and cost a quarter (a contiguous copy, cached:
        boolean selections from it are cheaper than from the strided view)."""
        if self._area is None:
            self._area = every_other(self.lab)
        return self._area

    @property
    def lum(self) -> np.ndarray:
        """``lab[..., 0]`` (L 0-100) as a contiguous plane, cached (the same values)."""
        if self._lum is None:
            self._lum = np.ascontiguousarray(self.lab[..., 0])
        return self._lum

    @property
    def area_planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:attr:`area_lab`'s L, a*, b* as contiguous planes (the same values; numpy
        works on a contiguous plane several times faster than on a strided channel)."""
        import cv2

        if self._planes is None:
            # OpenCV's split: the same values as a transposed copy, a fraction of its cost
            lum, a, b = cv2.split(self.area_lab)
            self._planes = (lum, a, b)
        return self._planes

    def polygon(self, indices: tuple[int, ...]) -> np.ndarray:
        """Boolean mask, on the :attr:`area_lab` grid, of the polygon through the mesh
        points ``indices`` (cached)."""
        import cv2

        mask = self._masks.get(indices)
        if mask is None:
            if self._corners is None:  # polygon_mask's rounding, once for all the points
                self._corners = np.round(self.pts / AREA_STEP).astype(np.int32)
            grid = np.zeros(self.area_lab.shape[:2], dtype=np.uint8)
            cv2.fillPoly(grid, [rows_of(self._corners, indices)], (1,))
            mask = self._masks[indices] = grid.view(bool)
        return mask

    def eye_centre(self, side: str) -> np.ndarray:
        """Centre of the ``side`` eye's contour in crop pixels (cached; do not modify)."""
        centre = self._centres.get(side)
        if centre is None:
            contour = RIGHT_EYE_CONTOUR if side == "right" else LEFT_EYE_CONTOUR
            centre = self._centres[side] = centre_of(self.pts, contour)
        return centre


def every_other(img: np.ndarray) -> np.ndarray:
    """``img[::AREA_STEP, ::AREA_STEP]`` as a contiguous array (the same values). For an
    image of even sides OpenCV's nearest-neighbour halving picks exactly those pixels
    (source pixel ``floor(2 x)``), copying them at a fraction of numpy's strided copy."""
    import cv2

    h, w = img.shape[:2]
    if AREA_STEP == 2 and h % 2 == 0 and w % 2 == 0 and img.ndim == 3 and img.shape[2] in (3, 4):
        out: np.ndarray = cv2.resize(img, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
        return out
    return np.ascontiguousarray(img[::AREA_STEP, ::AREA_STEP])


def fast_median(values: np.ndarray) -> np.ndarray:
    """``np.median(values, axis=0)`` (same result) without its overhead, which is most of
    the cost on these small arrays."""
    n = values.shape[0]
    ordered = np.sort(values, axis=0)
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def fast_std(values: np.ndarray) -> float:
    """``float(values.std())`` of a float array by numpy's own steps (the same value, bit
    for bit) without ``np.std``'s Python overhead, which is most of its cost here."""
    n = np.intp(values.size)
    mean = np.add.reduce(values, axis=None, keepdims=True)
    np.true_divide(mean, n, out=mean, casting="unsafe")
    dev = values - mean
    np.multiply(dev, dev, out=dev)
    total = np.add.reduce(dev, axis=None)
    var = total.dtype.type(total / n)
    return float(var.dtype.type(np.sqrt(var)))


def stripes_ratio(box: np.ndarray) -> float:
    """Sum of |horizontal differences| / sum of |vertical differences| of ``box`` (float32;
    cv2.absdiff gives numpy's |a - b| values at a quarter of the cost)."""
    import cv2

    gx = float(np.add.reduce(cv2.absdiff(box[:, 1:], box[:, :-1]), axis=None))
    gy = float(np.add.reduce(cv2.absdiff(box[1:, :], box[:-1, :]), axis=None))
    return gx / max(gy, 1e-6)


def polygon_mask(shape: tuple[int, ...], pts: np.ndarray) -> np.ndarray:
    import cv2

    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], (1,))
    return mask.view(bool)  # 0 / 1 bytes: a boolean view, no copy


def ellipse_values(img: np.ndarray, centre: np.ndarray, axes: tuple[float, float]) -> np.ndarray:
    """The pixels of ``img`` inside an axis-aligned ellipse (the crop is eye-aligned, so rows are level)."""
    h, w = img.shape[:2]
    cx, cy = float(centre[0]), float(centre[1])
    x0, x1 = max(0, int(cx - axes[0])), min(w, int(cx + axes[0]) + 2)
    y0, y1 = max(0, int(cy - axes[1])), min(h, int(cy + axes[1]) + 2)
    xx = np.arange(x0, x1)[None, :]
    yy = np.arange(y0, y1)[:, None]
    inside = ((xx - cx) / axes[0]) ** 2 + ((yy - cy) / axes[1]) ** 2 <= 1.0
    return img[y0:y1, x0:x1][inside]


def face_regions(
    rgb: np.ndarray,
    mesh: np.ndarray,
    *,
    side: int = SIDE,
    aligned: tuple[np.ndarray, np.ndarray] | None = None,
) -> FaceRegions:
    """Rotate, scale and crop the face so the eyes are level at fixed points; colour planes.

    Args:
        rgb: the working image, uint8 RGB.
        mesh: the face mesh, (N, 2+) points in ``rgb`` pixels.
        aligned: the same crop already made (``facecurator.detect.measures.align_face``
            with this ``side``: identical geometry), as (crop, mesh points in the crop).
    """
    import cv2

    pts2 = np.asarray(mesh, dtype=np.float64)[:, :2]
    right = centre_of(pts2, RIGHT_EYE_CONTOUR)
    left = centre_of(pts2, LEFT_EYE_CONTOUR)
    if aligned is not None and aligned[0].shape[:2] == (side, side):
        made = _with_planes(aligned[0], aligned[1], length(left - right))
        made.to_source = cv2.invertAffineTransform(_alignment(right, left, side)[0])
        made.source_shape = (int(rgb.shape[0]), int(rgb.shape[1]))
        return made
    matrix, scale = _alignment(right, left, side)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, matrix, (side, side), flags=interp, borderMode=cv2.BORDER_REPLICATE)
    pts = pts2 @ matrix[:, :2].T + matrix[:, 2]
    made = _with_planes(crop, pts, length(left - right))
    made.to_source = cv2.invertAffineTransform(matrix)
    made.source_shape = (int(rgb.shape[0]), int(rgb.shape[1]))
    return made


def _alignment(right: np.ndarray, left: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """The affine map (2 x 3) that puts the eye centres at ``_EYES_AT`` of a ``side`` crop,
    and its scale."""
    (rx, ry), (lx, ly) = _EYES_AT
    dst_r = np.array([rx * side, ry * side])
    dst_l = np.array([lx * side, ly * side])
    v = left - right
    iod = length(v)
    scale = float(np.linalg.norm(dst_l - dst_r) / max(1e-6, iod))
    angle = math.atan2(float(v[1]), float(v[0]))
    c, s = scale * math.cos(-angle), scale * math.sin(-angle)
    matrix = np.array([[c, -s, 0.0], [s, c, 0.0]])
    matrix[:, 2] = dst_r - matrix[:, :2] @ right
    return matrix, scale


def _with_planes(crop: np.ndarray, pts: np.ndarray, iod: float) -> FaceRegions:
    import cv2

    # 8-bit Lab (5x cheaper than float) rescaled to L 0-100 and signed a*, b*: a*, b* are
    # the levels minus 128 (whole numbers, exact in float32), L goes through a table of the
    # 256 levels as one plane, which is also the contiguous ``lum`` (the same float32 values
    # as the three-channel table ``_LAB_TABLE``, at a bit over half its cost). The planes
    # are made apart and interleaved by OpenCV (no strided numpy write of the L channel)
    l8, a8, b8 = cv2.split(cv2.cvtColor(crop, cv2.COLOR_RGB2LAB))
    lum = cv2.LUT(l8, _L_TABLE)
    a, b = a8.astype(np.float32), b8.astype(np.float32)
    np.subtract(a, _AB_OFFSET, out=a)
    np.subtract(b, _AB_OFFSET, out=b)
    lab = cv2.merge([lum, a, b])
    lum.flags.writeable = False
    return FaceRegions(rgb=crop, pts=pts, lab=lab, source_iod=iod, _lum=lum)


#: a*, b*: the 8-bit level minus this (float32)
_AB_OFFSET: Final = np.float32(128.0)
_LAB_OFFSET: Final = np.array([0.0, 128.0, 128.0], dtype=np.float32)
_LAB_SCALE: Final = np.array([100.0 / 255.0, 1.0, 1.0], dtype=np.float32)
#: 8-bit OpenCV Lab level -> (L 0-100, signed a*, signed b*), float32, one row per level
_LAB_TABLE: Final = np.ascontiguousarray(
    ((np.arange(256, dtype=np.float32)[:, None] - _LAB_OFFSET) * _LAB_SCALE).reshape(1, 256, 3)
)
#: its L column: 8-bit OpenCV L level -> L 0-100 (float32)
_L_TABLE: Final = np.ascontiguousarray(_LAB_TABLE[..., 0])


#: A skin reference patch must look like skin: chroma and hue (CIELAB) in these
#: ranges in a colour image (masks, lenses, hair and backgrounds fail it).
SKIN_MIN_CHROMA: Final = 6.0
SKIN_MAX_CHROMA: Final = 55.0
SKIN_HUE_DEGREES: Final = (15.0, 95.0)
SKIN_MIN_L: Final = 12.0


@dataclass(frozen=True, slots=True)
class SkinReference:
    """Median CIELAB colour of the face's visible skin."""

    lab: np.ndarray
    monochrome: bool
    #: which patches were used ("right cheek", "left cheek", "forehead")
    patches: tuple[str, ...]

    @property
    def lum(self) -> float:
        return max(1.0, float(self.lab[0]))


_SKIN_PATCHES: Final = (
    ("right cheek", RIGHT_CHEEK),
    ("left cheek", LEFT_CHEEK),
    ("forehead", FOREHEAD),
    ("glabella", GLABELLA),
)
#: Skin patches darker than this fraction of the lightest skin-coloured patch are
#: left out (brown hair over the forehead has a skin-like hue).
SKIN_MIN_RELATIVE_L: Final = 0.6
#: Under a colour cast (``_under_cast``; docs/local-detector-casts.md; tune split): a faint
#: colour (glabella chroma under this) that every light patch shares (a*b* within
#: ``SKIN_TONED_AGREE_AB`` of the glabella: toned prints <= 2.8, the Arcane painting 5.0)
#: is a toned black-and-white photo ...
SKIN_TONED_MAX_CHROMA: Final = 15.0
SKIN_TONED_AGREE_AB: Final = 3.5
#: ... and skin under a cast keeps a skin's chroma (glabella at least this: cast clean
#: faces 18-25, the Arcane painting 11) and its hue within ``SKIN_CAST_HUE_DEGREES``
#: (SKIN_HUE_DEGREES widened ~60° towards magenta, ~40° towards green); the patches
#: within ``SKIN_CAST_AGREE_AB`` of the glabella's colour are that skin.
SKIN_CAST_MIN_CHROMA: Final = 14.0
SKIN_CAST_HUE_DEGREES: Final = (-45.0, 135.0)
SKIN_CAST_AGREE_AB: Final = 8.0


def skin_reference(regions: FaceRegions, *, prefer: tuple[str, ...] = ()) -> SkinReference | None:
    """The face's skin colour from the cheeks, forehead and glabella, or None when none looks like skin.

    Patches that do not look like skin (a mask over the cheeks, hair or a hat over
    the forehead) are left out. ``prefer``: patch names to use alone when they look
    like skin (the nose/mouth measures prefer the forehead, which a mask never covers).
    """
    judged = _skin_like_patches(regions)
    if judged is None:
        return None
    monochrome, ok = judged
    preferred = [item for item in ok if item[0] in prefer]
    use = preferred or ok
    names = tuple(i[0] for i in use)
    # the same patches give the same reference (the cheeks' and the upper face's often agree)
    key = "skin:" + ",".join(names)
    ref = regions.shared.get(key)
    if ref is None:
        lab = fast_median(np.array([item[1] for item in use]))
        ref = regions.shared[key] = SkinReference(lab=lab, monochrome=monochrome, patches=names)
    assert isinstance(ref, SkinReference)
    return ref


def _skin_like_patches(
    regions: FaceRegions,
) -> tuple[bool, list[tuple[str, np.ndarray, np.ndarray]]] | None:
    """(monochrome, the candidate patches that look like skin) or None when there is no
    candidate or none looks like skin; judged once per face (cached in ``regions.shared``)."""
    if "skin" in regions.shared:
        cached = regions.shared["skin"]
        assert cached is None or isinstance(cached, tuple)
        return cached
    judged = regions.shared["skin"] = _judge_patches(_skin_patches(regions))
    return judged


def _judge_patches(
    found: list[tuple[str, np.ndarray, np.ndarray]],
) -> tuple[bool, list[tuple[str, np.ndarray, np.ndarray]]] | None:
    if not found:
        return None
    labs = np.array([lab for _, lab, _ in found])
    # each patch's numbers as Python floats (the float32 values; a float compares with a
    # bound as a numpy scalar does, at a fraction of the cost), chroma in float32 as before
    chromas = np.hypot(labs[:, 1], labs[:, 2]).tolist()
    lights = labs[:, 0].tolist()
    hues = [math.degrees(math.atan2(b, a)) for a, b in labs[:, 1:3].tolist()]
    # a patch too dark to be skin (a dark lens, a bar, a shadow) says nothing of the
    # photo's colour: a grey photo is grey in its lit patches
    lit = [chroma for light, chroma in zip(lights, chromas, strict=True) if light >= SKIN_MIN_L]
    monochrome = max(lit or chromas) < SKIN_MIN_CHROMA
    ok = []
    for item, light, chroma, hue in zip(found, lights, chromas, hues, strict=True):
        if light < SKIN_MIN_L:
            continue
        if monochrome or _skin_coloured(chroma, hue):
            ok.append((item, light))
    if not monochrome:
        cast = _under_cast(found, labs, lights, chromas, hues, [light for _, light in ok])
        if cast is not None:
            return cast
    return _lightest_skin(ok, monochrome=monochrome)


def _skin_coloured(chroma: float, hue: float) -> bool:
    return SKIN_MIN_CHROMA <= chroma <= SKIN_MAX_CHROMA and SKIN_HUE_DEGREES[0] <= hue <= SKIN_HUE_DEGREES[1]


def _lightest_skin(
    ok: list[tuple[tuple[str, np.ndarray, np.ndarray], float]], *, monochrome: bool
) -> tuple[bool, list[tuple[str, np.ndarray, np.ndarray]]] | None:
    """The skin patches without those much darker than the lightest (colour photos)."""
    if not ok:
        return None
    if not monochrome:
        lightest = max(light for _, light in ok)
        ok = [(item, light) for item, light in ok if light >= SKIN_MIN_RELATIVE_L * lightest]
    return monochrome, [item for item, _ in ok]


def _under_cast(
    found: list[tuple[str, np.ndarray, np.ndarray]],
    labs: np.ndarray,
    lights: list[float],
    chromas: list[float],
    hues: list[float],
    ok_lights: list[float],
) -> tuple[bool, list[tuple[str, np.ndarray, np.ndarray]]] | None:
    """The skin of a face under a colour cast (a white balance off, a grade, a toned
    black-and-white print), or None (no cast, or not one this can tell).

    A cast moves every colour of the photo alike, so the skin can leave the hue window
    while hair over the forehead stays in it (the only "skin" left would be the hair).
    The **glabella** (no mask, hand over the mouth or hair fringe reaches it) decides, when
    it is lit but not skin-coloured and no skin-coloured patch is nearly as light as it
    (``SKIN_MIN_RELATIVE_L``):

    * a faint colour (chroma under ``SKIN_TONED_MAX_CHROMA``) that every light patch shares
      (a*b* within ``SKIN_TONED_AGREE_AB``) is a toned monochrome photo: judged as
      black-and-white (lightness only);
    * a skin's chroma (at least ``SKIN_CAST_MIN_CHROMA``) at a hue within
      ``SKIN_CAST_HUE_DEGREES`` (how far white-balance errors and grades move skin) is the
      skin under a cast: the glabella and the patches of its colour (a*b* within
      ``SKIN_CAST_AGREE_AB``: the same material under the same light; at least one).

    A painted or rendered face whose only fault was a hue outside the window stays without
    a skin reference (a faint colour that varies over the face is neither).
    """
    names = [item[0] for item in found]
    if "glabella" not in names:
        return None
    g = names.index("glabella")
    if lights[g] < SKIN_MIN_L or _skin_coloured(chromas[g], hues[g]):
        return None
    if any(light >= SKIN_MIN_RELATIVE_L * lights[g] for light in ok_lights):
        return None
    ga, gb = float(labs[g, 1]), float(labs[g, 2])

    def apart(i: int) -> float:
        return math.hypot(float(labs[i, 1]) - ga, float(labs[i, 2]) - gb)

    lit = [i for i, light in enumerate(lights) if light >= SKIN_MIN_L]
    lightest = max(lights[i] for i in lit)
    light = [i for i in lit if lights[i] >= SKIN_MIN_RELATIVE_L * lightest]
    if (
        len(light) >= 2
        and chromas[g] < SKIN_TONED_MAX_CHROMA
        and all(apart(i) <= SKIN_TONED_AGREE_AB for i in light)
    ):
        return True, [found[i] for i in lit]
    agree = [i for i in lit if apart(i) <= SKIN_CAST_AGREE_AB]
    if (
        len(agree) >= 2
        and SKIN_CAST_MIN_CHROMA <= chromas[g] <= SKIN_MAX_CHROMA
        and SKIN_CAST_HUE_DEGREES[0] <= hues[g] <= SKIN_CAST_HUE_DEGREES[1]
    ):
        return _lightest_skin([(found[i], lights[i]) for i in agree], monochrome=False)
    return None


def _skin_patches(regions: FaceRegions) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, median Lab, mask) of every candidate skin patch inside the crop (cached per face)."""
    if regions.patches is None:
        found = []
        for name, poly in _SKIN_PATCHES:
            mask = regions.polygon(poly)
            if np.count_nonzero(mask) >= 4:
                found.append((name, fast_median(masked(regions.area_lab, mask)), mask))
        regions.patches = found
    return regions.patches
