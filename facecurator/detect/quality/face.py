"""All quality measures of one face in one call, sharing nothing but the
inputs, plus the suggested verdicts with their reasons.

For the integrator (the local detector): after the mesh fit, call

    quality = measure_face(rgb, mesh, scale=decoded.scale, jpeg_quality=q)

where ``q`` is :func:`facecurator.detect.quality.detail.jpeg_quality` of the
file's quantisation tables (``PIL.Image.open(...).quantization``, read with the
header the detector already opens in ``local._header``; None for other formats).
``quality.measures`` holds every number (for ``Face.raw``), ``quality.verdicts``
the attribute -> (True / False / None, reason) the rules need; None means "not
measured", never a pass. Cost: about 2-3 ms CPU a face (a portrait's detection
costs ~35 ms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np

from facecurator.detect.quality import covers, detail, exposure, photo, pose, strokes
from facecurator.detect.quality.base import Measure, face_view

if TYPE_CHECKING:
    from PIL import Image

#: The attributes of the truth set's labels that these measures decide.
VERDICTS: Final = (
    "blurred",
    "compressed",
    "upscaled",
    "underexposed",
    "overexposed",
    "not_photo",
    "pitch_over30",
    "yaw_over30",
)


@dataclass(frozen=True, slots=True)
class FaceQuality:
    """Every measure (by name) and the suggested verdicts (attribute -> (flag, reason))."""

    measures: dict[str, Measure]
    verdicts: dict[str, tuple[bool | None, str]] = field(default_factory=dict)

    def raw(self) -> dict[str, object]:
        """A JSON-ready summary for ``Face.raw``: name -> value (None = not measured), plus reasons."""
        out: dict[str, object] = {name: m.value for name, m in self.measures.items()}
        out["reasons"] = {name: m.reason for name, m in self.measures.items() if m.value is None}
        out["details"] = {name: dict(m.details) for name, m in self.measures.items() if m.details}
        out["verdicts"] = {k: v for k, (v, _) in self.verdicts.items()}
        return out


def measure_face(
    rgb: np.ndarray,
    mesh: np.ndarray,
    *,
    scale: float = 1.0,
    jpeg_quality: float | None = None,
    with_pose: bool = True,
    head: tuple[float, float] | None = None,
    native: Image.Image | None = None,
    dct_factor: int | None = None,
) -> FaceQuality:
    """Measure one face. See the module docstring for the arguments; ``head``
    is the (pitch, yaw) the detector's ``measures.head_pose`` already fitted
    (the pose is then only corrected, not fitted again); ``native`` the file's
    full-size luma when it was resized by a fractional factor
    (``DecodedImage.native_grey``, for the JPEG grid: grid.py); ``dct_factor`` the JPEG
    DCT scaling the working image is exactly (``DecodedImage.dct_factor``)."""
    view = face_view(rgb, mesh)
    d = detail.detail_measures(
        rgb,
        mesh,
        scale=scale,
        jpeg_quality_value=jpeg_quality,
        view=view,
        native=native,
        dct_factor=dct_factor,
    )
    e = exposure.exposure_measures(rgb, mesh, view=view)
    p = photo.photo_measures(rgb, mesh, view=view)
    s = strokes.stroke_measures(view)
    measures: dict[str, Measure] = {
        "sharpness": d.sharpness,
        "compression": d.compression,
        "pixelation": d.pixelation,
        "effective_resolution": d.effective_resolution,
        "block_spectrum": d.block_spectrum,
        **e,
        **p,
        **s,
    }
    if jpeg_quality is not None:
        measures["jpeg_quality"] = Measure(float(jpeg_quality), f"JPEG quality about {jpeg_quality:g}")
    verdicts: dict[str, tuple[bool | None, str]] = {}
    soft = detail.blurred(d)
    if soft is False:
        # a soft face under thin drawn lines (boxes, dots, text) reads sharp: read it
        # without them (covers.py; only where the sharpness says "sharp")
        robust = covers.robust_sharpness(view)
        if robust is not None:
            measures["sharpness_robust"] = Measure(round(robust, 4), "without thin lines")
            soft = robust < covers.ROBUST_SHARPNESS_MIN
    verdicts["blurred"] = (soft, "little detail (out of focus or enlarged)" if soft else d.sharpness.reason)
    comp = detail.compressed(d)
    comp_reason = d.compression.reason
    if jpeg_quality is not None and jpeg_quality < detail.JPEG_QUALITY_MIN:
        comp_reason = f"JPEG quality about {jpeg_quality:g}"
    elif detail.off_grid_blocking(d.block_spectrum):
        period = d.block_spectrum.details.get("period", 0.0)
        comp_reason = f"JPEG blocking off the grid ({period:.1f} px blocks)"
    elif comp and not (d.compression.value or 0.0) >= detail.COMPRESSION_MAX and detail.colour_blocks(d):
        comp_reason = "JPEG colour blocks (16 px grid)"
    verdicts["compressed"] = (comp, comp_reason)
    verdicts["upscaled"] = (detail.upscaled(d), d.effective_resolution.reason)
    under, over = exposure.underexposed(e), exposure.overexposed(e)
    verdicts["underexposed"] = (under, e["underexposure"].reason)
    verdicts["overexposed"] = (over, e["overexposure"].reason)
    if comp or under or over:
        # flat blocks, crushed shadows and clipped highlights look like flat colour fills
        verdicts["not_photo"] = (None, "texture hidden by compression or exposure")
    else:
        reason = p["flat_colour"].reason
        raw_flat = p["flat_colour"].value or 0.0
        calm = p["flat_colour_median"].value
        if raw_flat <= photo.FLAT_COLOUR_MAX and calm is not None:
            reason = p["flat_colour_median"].reason
        light = p["flat_lightness"].value
        if (
            raw_flat <= photo.FLAT_COLOUR_MAX
            and (calm or 0.0) <= photo.FLAT_MEDIAN_MAX
            and light is not None
            and light > photo.FLAT_LIGHTNESS_MAX
        ):
            reason = p["flat_lightness"].reason
        drawn = photo.not_photo(p)
        # a pencil drawing has no flat fills: strokes cover the skin, or lines the paper
        sketched, why = strokes.drawing(s)
        if sketched:
            drawn, reason = True, why
        verdicts["not_photo"] = (drawn, reason)
    if with_pose:
        angles = pose.corrected_pose(mesh, head=head)
        measures.update(angles)
        for name in ("pitch", "yaw"):
            value = angles[name].value
            flag = None if value is None else abs(value) > pose.POSE_LIMIT
            verdicts[f"{name}_over30"] = (
                flag,
                f"{name} {value:+.0f} deg" if value is not None else angles[name].reason,
            )
    return FaceQuality(measures, verdicts)
