"""Crops and copies: the face box grown by the margin, re-encoded as a clean sRGB JPEG."""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass, field

from PIL import Image

from facecurator.domain.face import Box
from facecurator.domain.images import decode_image
from facecurator.errors import FacecuratorError
from facecurator.services.export.model import JPEG_QUALITY, ExportItem

log = logging.getLogger(__name__)


def crop_region(box: Box, width: int, height: int, margin: float) -> tuple[int, int, int, int] | None:
    """The crop rectangle ``(left, top, right, bottom)`` for a face box.

    The box grows by ``margin * box.w`` on the left and right and by
    ``margin * box.h`` at the top and bottom, is rounded outwards to whole
    pixels and clamped to the image. None when the box has no area or lies
    entirely outside the image.
    """
    if box.w <= 0 or box.h <= 0:
        return None
    if box.x >= width or box.y >= height or box.x + box.w <= 0 or box.y + box.h <= 0:
        return None
    grow_x, grow_y = margin * box.w, margin * box.h
    left = max(0, math.floor(box.x - grow_x))
    top = max(0, math.floor(box.y - grow_y))
    right = min(width, math.ceil(box.x + box.w + grow_x))
    bottom = min(height, math.ceil(box.y + box.h + grow_y))
    if right - left < 1 or bottom - top < 1:
        return None
    return left, top, right, bottom


def encode_jpeg(image: Image.Image) -> bytes:
    """RGB JPEG, quality 95, from a fresh image: no EXIF/GPS/XMP/ICC/comment is carried over."""
    fresh = Image.new("RGB", image.size)
    fresh.paste(image.convert("RGB") if image.mode != "RGB" else image)
    buffer = io.BytesIO()
    fresh.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels tagged with a non-sRGB RGB ICC profile to sRGB (best effort)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode != "RGB":
        return image
    try:
        from PIL import ImageCms

        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if profile.profile.xcolor_space.strip() != "RGB":
            return image  # e.g. a CMYK profile left over after decode converted to RGB
        description = (profile.profile.profile_description or "").lower()
        if description.startswith("srgb"):
            return image
        converted = ImageCms.profileToProfile(
            image, profile, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except Exception as exc:  # noqa: BLE001 - a broken profile must not fail the export
        log.debug("ICC conversion skipped: %s", exc)
        return image
    return converted if converted is not None else image


@dataclass
class Plan:
    """One source image and its faces to export (sorted by face index)."""

    uri: str
    name: str
    group: str
    width: int | None
    height: int | None
    items: list[ExportItem]
    #: the image's other faces (pending, or rejected without include_rejected): COCO marks them
    others: list[ExportItem] = field(default_factory=list)


@dataclass
class RenderedFace:
    item: ExportItem
    region: tuple[int, int, int, int] | None
    jpeg: bytes | None
    error: str | None


@dataclass
class Rendered:
    plan: Plan
    width: int = 0
    height: int = 0
    faces: list[RenderedFace] = field(default_factory=list)
    original_jpeg: bytes | None = None
    error: str | None = None


def render_plan(plan: Plan, data: bytes, margin: float, want_original: bool) -> Rendered:
    """Decode one image at full resolution and encode its crops (runs in a worker thread)."""
    try:
        decoded = decode_image(data, name=plan.name)
    except FacecuratorError as exc:
        return Rendered(plan, error=str(exc))
    width, height = decoded.full_width, decoded.full_height
    if plan.width is not None and plan.height is not None and (plan.width, plan.height) != (width, height):
        return Rendered(
            plan,
            error=(
                f"{plan.name}: image is now {width}x{height} but was {plan.width}x{plan.height} "
                "when its faces were detected; rescan it"
            ),
        )
    image = _to_srgb(decoded.image)
    rendered = Rendered(plan, width=width, height=height)
    for item in plan.items:
        region = crop_region(item.face.box, width, height, margin)
        if region is None:
            box = item.face.box
            rendered.faces.append(
                RenderedFace(
                    item,
                    None,
                    None,
                    f"{plan.name}: face {item.face_index}: box ({box.x:g}, {box.y:g}, {box.w:g}x{box.h:g}) "
                    f"is empty or outside the {width}x{height} image",
                )
            )
            continue
        rendered.faces.append(RenderedFace(item, region, encode_jpeg(image.crop(region)), None))
    if want_original:
        rendered.original_jpeg = encode_jpeg(image)
    return rendered
