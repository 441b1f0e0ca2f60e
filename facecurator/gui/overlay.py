"""Face overlay painting: a pure function of the canonical face and its verdict.

:func:`draw_face_overlay` paints one face (box, decision tag, landmarks, label)
with any ``QPainter`` — a graphics item, a thumbnail, or a ``QImage`` in a test.
Coordinates are full upright image pixels; the painter's transform maps them to
the device. Line widths, text and markers keep a constant on-screen size
whatever the zoom (``OverlayContext.scale`` is device pixels per image pixel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from facecurator.domain.face import Face
from facecurator.services.browse import verdict_status

if TYPE_CHECKING:
    from facecurator.domain.rules import Verdict

FaceStatus = Literal["qualified", "unqualified", "unknown"]

#: Device pixels, independent of the zoom.
LINE_WIDTH: Final = 2.0
HIGHLIGHT_LINE_WIDTH: Final = 3.5
LANDMARK_RADIUS: Final = 2.0
LABEL_PIXEL_SIZE: Final = 12
TAG_SIZE: Final = 18.0


@dataclass(frozen=True, slots=True)
class OverlayPalette:
    """Colours as ``#rrggbb`` strings (hashable, so contexts stay frozen)."""

    qualified: str = "#2ecc40"
    unqualified: str = "#ff3b30"
    unknown: str = "#ffb000"
    landmark: str = "#00e5ff"
    label_text: str = "#ffffff"
    label_background: str = "#000000"
    label_background_alpha: int = 170

    def status_colour(self, status: FaceStatus) -> QColor:
        return QColor(
            {"qualified": self.qualified, "unqualified": self.unqualified}.get(status, self.unknown)
        )


DEFAULT_PALETTE: Final = OverlayPalette()


@dataclass(frozen=True, slots=True)
class OverlayContext:
    """How to paint: zoom, what to show, emphasis and colours."""

    scale: float = 1.0
    show_boxes: bool = True
    show_landmarks: bool = True
    show_labels: bool = True
    highlighted: bool = False
    palette: OverlayPalette = field(default=DEFAULT_PALETTE)


def face_status(verdict: Verdict | None) -> FaceStatus:
    """Qualified, unqualified (some condition failed) or unknown (not evaluated / only unknowns).

    The services own the rule (the stored verdicts the filters read use it too).
    """
    return verdict_status(verdict)


def _fmt_angle(value: float) -> str:
    return f"{value:+.1f}°"


def face_label_lines(face: Face) -> list[str]:
    """The short on-image label: only measured attributes, most telling first."""
    lines: list[str] = []
    who = [f"age {face.age}" if face.age is not None else "", face.gender or ""]
    if face.confidence is not None:
        who.append(f"conf {face.confidence:.2f}")
    if any(who):
        lines.append(" · ".join(part for part in who if part))
    if face.pose is not None:
        pose = face.pose
        lines.append(f"P {_fmt_angle(pose.pitch)} Y {_fmt_angle(pose.yaw)} R {_fmt_angle(pose.roll)}")
    if face.blur is not None:
        lines.append(f"blur {face.blur.value:.1f} ({face.blur.scale})")
    elif face.sharpness is not None:
        lines.append(f"sharpness {face.sharpness:.2f}")
    flags: list[str] = []
    if face.glasses is not None:
        flags.append("no glasses" if face.glasses == "none" else face.glasses)
    if face.mask is not None:
        flags.append("mask" if face.mask else "no mask")
    if face.eyes_closed is not None:
        flags.append("eyes closed" if face.eyes_closed else "eyes open")
    if flags:
        lines.append(" · ".join(flags))
    return lines


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "not measured" if value is None else (yes if value else no)


def face_attribute_rows(face: Face) -> list[tuple[str, str]]:
    """Every canonical attribute as (name, value) for the details panel; null = 'not measured'."""
    missing = "not measured"
    box = face.box
    pose = face.pose
    return [
        ("box", f"x {box.x:.0f}  y {box.y:.0f}  w {box.w:.0f}  h {box.h:.0f}"),
        ("confidence", f"{face.confidence:.3f}" if face.confidence is not None else missing),
        ("age", str(face.age) if face.age is not None else missing),
        ("gender", face.gender or missing),
        ("pitch", _fmt_angle(pose.pitch) if pose else missing),
        ("yaw", _fmt_angle(pose.yaw) if pose else missing),
        ("roll", _fmt_angle(pose.roll) if pose else missing),
        ("blur", f"{face.blur.value:.2f} on {face.blur.scale} (higher = blurrier)" if face.blur else missing),
        ("sharpness", f"{face.sharpness:.3f}" if face.sharpness is not None else missing),
        ("quality", f"{face.quality:.3f}" if face.quality is not None else missing),
        ("integrity", f"{face.integrity:.1f}" if face.integrity is not None else missing),
        ("glasses", face.glasses or missing),
        ("mask", _yes_no(face.mask)),
        ("hat", _yes_no(face.hat)),
        ("beard", _yes_no(face.beard)),
        ("eyes", _yes_no(face.eyes_closed, "closed", "open")),
        ("landmarks", str(len(face.landmarks)) if face.landmarks is not None else missing),
    ]


def overlay_extent(face: Face, ctx: OverlayContext) -> QRectF:
    """Image-pixel rectangle that contains everything ``draw_face_overlay`` may paint."""
    box = face.box
    rect = QRectF(box.x, box.y, box.w, box.h)
    if face.landmarks:
        xs = [p[0] for p in face.landmarks]
        ys = [p[1] for p in face.landmarks]
        rect = rect.united(QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    device = 1.0 / max(ctx.scale, 1e-6)  # one device pixel in image pixels
    pad = (TAG_SIZE + HIGHLIGHT_LINE_WIDTH + 2) * device
    label_h = (len(face_label_lines(face)) * (LABEL_PIXEL_SIZE + 4) + 8) * device if ctx.show_labels else 0
    label_w = 300 * device if ctx.show_labels else 0
    return rect.adjusted(-pad, -pad, max(pad, label_w - rect.width()), pad + label_h)


def draw_face_overlay(
    painter: QPainter,
    face: Face,
    verdict: Verdict | None,
    decision: str,
    ctx: OverlayContext,
) -> None:
    """Paint one face: box coloured by verdict, decision shown by line style and tag.

    Pending faces get a solid box, accepted a solid box with a ✓ tag, rejected a
    dashed box with a ✗ tag. Highlighted faces get a thicker line and a light fill.

    Args:
        painter: an active painter whose transform maps image pixels to the device.
        face: the canonical face (box and landmarks in image pixels).
        verdict: its evaluation under the current rule set (None: not evaluated).
        decision: ``pending``, ``accepted`` or ``rejected``.
        ctx: zoom, toggles, emphasis and palette.
    """
    colour = ctx.palette.status_colour(face_status(verdict))
    box = face.box
    rect = QRectF(box.x, box.y, box.w, box.h)
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if ctx.show_boxes:
            pen = QPen(colour)
            pen.setCosmetic(True)  # width in device pixels, whatever the zoom
            pen.setWidthF(HIGHLIGHT_LINE_WIDTH if ctx.highlighted else LINE_WIDTH)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            if decision == "rejected":
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            if ctx.highlighted:
                fill = QColor(colour)
                fill.setAlpha(40)
                painter.setBrush(QBrush(fill))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            if decision in ("accepted", "rejected"):
                _draw_tag(painter, rect.topRight(), "✓" if decision == "accepted" else "✗", colour, ctx)
        if ctx.show_landmarks and face.landmarks:
            _draw_landmarks(painter, face.landmarks, ctx)
        if ctx.show_labels:
            lines = face_label_lines(face)
            if lines:
                _draw_label(painter, rect.bottomLeft(), lines, colour, ctx)
    finally:
        painter.restore()


def _device_frame(painter: QPainter, anchor: QPointF, ctx: OverlayContext) -> None:
    """Move the origin to ``anchor`` and make one unit one device pixel."""
    painter.translate(anchor)
    inverse = 1.0 / max(ctx.scale, 1e-6)
    painter.scale(inverse, inverse)


def _draw_tag(painter: QPainter, corner: QPointF, symbol: str, colour: QColor, ctx: OverlayContext) -> None:
    painter.save()
    _device_frame(painter, corner, ctx)
    tag = QRectF(-TAG_SIZE, 0, TAG_SIZE, TAG_SIZE)  # inside the top-right corner
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRect(tag)
    font = QFont()
    font.setPixelSize(int(TAG_SIZE * 0.8))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(ctx.palette.label_text))
    painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, symbol)
    painter.restore()


def _draw_landmarks(painter: QPainter, points: tuple[tuple[float, float], ...], ctx: OverlayContext) -> None:
    colour = QColor(ctx.palette.landmark)
    radius = LANDMARK_RADIUS / max(ctx.scale, 1e-6)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    for x, y in points:
        painter.drawEllipse(QPointF(x, y), radius, radius)


def _label_font() -> QFont:
    font = QFont()
    font.setPixelSize(LABEL_PIXEL_SIZE)
    return font


def _label_size(lines: list[str], metrics: QFontMetricsF) -> tuple[float, float]:
    return max(metrics.horizontalAdvance(line) for line in lines) + 8, metrics.height() * len(lines) + 6


def label_rect(face: Face, scale: float) -> QRectF | None:
    """Where the label of ``face`` goes, in image pixels at zoom ``scale`` (None: no label).

    Views use it to leave out labels that would cover another face's label.
    """
    lines = face_label_lines(face)
    if not lines:
        return None
    width, height = _label_size(lines, QFontMetricsF(_label_font()))
    device = 1.0 / max(scale, 1e-6)
    box = face.box
    return QRectF(box.x, box.y + box.h + 3 * device, width * device, height * device)


def _draw_label(
    painter: QPainter, anchor: QPointF, lines: list[str], colour: QColor, ctx: OverlayContext
) -> None:
    painter.save()
    _device_frame(painter, anchor, ctx)
    font = _label_font()
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    line_height = metrics.height()
    width, height = _label_size(lines, metrics)
    background = QColor(ctx.palette.label_background)
    background.setAlpha(ctx.palette.label_background_alpha)
    top = 3.0
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRect(QRectF(0, top, width, height))
    painter.setBrush(colour)
    painter.drawRect(QRectF(0, top, 3, height))  # verdict stripe, readable without the box
    painter.setPen(QColor(ctx.palette.label_text))
    for i, line in enumerate(lines):
        painter.drawText(QPointF(6, top + 3 + metrics.ascent() + i * line_height), line)
    painter.restore()
