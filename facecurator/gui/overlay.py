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

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from facecurator.domain.face import Face
from facecurator.gui.i18n import QT_TRANSLATE_NOOP
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
#: Device pixels between a box and the label below it.
LABEL_GAP: Final = 3.0


@dataclass(frozen=True, slots=True)
class OverlayPalette:
    """Colours as ``#rrggbb`` strings (hashable, so contexts stay frozen)."""

    qualified: str = "#2ecc40"
    unqualified: str = "#ff3b30"
    unknown: str = "#ffb000"
    #: decided faces: the decision wins over the verdict (a rejected qualified face is not green)
    accepted: str = "#1e88e5"
    rejected: str = "#9e9e9e"
    rejected_tag: str = "#c62828"
    landmark: str = "#00e5ff"
    label_text: str = "#ffffff"
    label_background: str = "#000000"
    label_background_alpha: int = 170

    def status_colour(self, status: FaceStatus) -> QColor:
        return QColor(
            {"qualified": self.qualified, "unqualified": self.unqualified}.get(status, self.unknown)
        )

    def face_colour(self, status: FaceStatus, decision: str) -> QColor:
        """The box colour: the decision's once decided (blue accepted, grey rejected), else the verdict's."""
        if decision == "accepted":
            return QColor(self.accepted)
        if decision == "rejected":
            return QColor(self.rejected)
        return self.status_colour(status)


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
    #: where the label goes (its top-left corner, image pixels) and whether a leader line joins
    #: it to the face (set by the view's label layout); None: just below the box
    label_at: tuple[float, float, bool] | None = None
    #: the face's number in the list of labels that found no room on the image (drawn as a
    #: badge above the box's top-left corner); None: no badge
    marker: int | None = None


def face_status(verdict: Verdict | None) -> FaceStatus:
    """Qualified, unqualified (some condition failed) or unknown (not evaluated / only unknowns).

    The services own the rule (the stored verdicts the filters read use it too).
    """
    return verdict_status(verdict)


def _fmt_angle(value: float) -> str:
    return f"{value:+.1f}°"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Overlay", text)


#: Attribute values the detectors give as words (gender, glasses), in context "Overlay".
VALUE_WORDS: Final = {
    "male": QT_TRANSLATE_NOOP("Overlay", "male"),
    "female": QT_TRANSLATE_NOOP("Overlay", "female"),
    "none": QT_TRANSLATE_NOOP("Overlay", "none"),
    "common": QT_TRANSLATE_NOOP("Overlay", "glasses"),
    "glasses": QT_TRANSLATE_NOOP("Overlay", "glasses"),
    "sun": QT_TRANSLATE_NOOP("Overlay", "sunglasses"),
    "sunglasses": QT_TRANSLATE_NOOP("Overlay", "sunglasses"),
}


def value_word(value: str) -> str:
    return _tr(VALUE_WORDS[value]) if value in VALUE_WORDS else value


def face_label_lines(face: Face) -> list[str]:
    """The short on-image label: only measured attributes, most telling first (translated)."""
    lines: list[str] = []
    who = [
        QCoreApplication.translate("Overlay", "age {n}").format(n=face.age) if face.age is not None else "",
        value_word(face.gender or ""),
    ]
    if face.confidence is not None:
        who.append(
            QCoreApplication.translate("Overlay", "conf {value}").format(value=f"{face.confidence:.2f}")
        )
    if any(who):
        lines.append(" · ".join(part for part in who if part))
    if face.pose is not None:
        pose = face.pose
        lines.append(
            QCoreApplication.translate("Overlay", "P {pitch} Y {yaw} R {roll}").format(
                pitch=_fmt_angle(pose.pitch), yaw=_fmt_angle(pose.yaw), roll=_fmt_angle(pose.roll)
            )
        )
    if face.blur is not None:
        lines.append(
            QCoreApplication.translate("Overlay", "blur {value} ({scale})").format(
                value=f"{face.blur.value:.1f}", scale=face.blur.scale
            )
        )
    elif face.sharpness is not None:
        lines.append(
            QCoreApplication.translate("Overlay", "sharpness {value}").format(value=f"{face.sharpness:.2f}")
        )
    flags: list[str] = []
    if face.glasses is not None:
        flags.append(
            QCoreApplication.translate("Overlay", "no glasses")
            if face.glasses == "none"
            else value_word(face.glasses)
        )
    if face.mask is not None:
        flags.append(
            QCoreApplication.translate("Overlay", "mask")
            if face.mask
            else QCoreApplication.translate("Overlay", "no mask")
        )
    if face.eyes_closed is not None:
        flags.append(
            QCoreApplication.translate("Overlay", "eyes closed")
            if face.eyes_closed
            else QCoreApplication.translate("Overlay", "eyes open")
        )
    if flags:
        lines.append(" · ".join(flags))
    return lines


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> tuple[str, bool]:
    if value is None:
        return QCoreApplication.translate("Overlay", "not measured"), False
    return (_tr(yes) if value else _tr(no)), True


def face_attribute_rows(face: Face) -> list[tuple[str, str, bool]]:
    """Every canonical attribute as (name, value, measured) for the details panel, translated;
    a null value reads "not measured"."""
    missing = QCoreApplication.translate("Overlay", "not measured")
    box = face.box
    pose = face.pose

    def num(value: float | int | None, fmt: str) -> tuple[str, bool]:
        return (format(value, fmt), True) if value is not None else (missing, False)

    def angle(value: float | None) -> tuple[str, bool]:
        return (_fmt_angle(value), True) if value is not None else (missing, False)

    blur = (
        (
            QCoreApplication.translate("Overlay", "{value} on {scale} (higher = blurrier)").format(
                value=f"{face.blur.value:.2f}", scale=face.blur.scale
            ),
            True,
        )
        if face.blur
        else (missing, False)
    )
    rows: list[tuple[str, tuple[str, bool]]] = [
        (
            QCoreApplication.translate("Overlay", "box"),
            (f"x {box.x:.0f}  y {box.y:.0f}  w {box.w:.0f}  h {box.h:.0f}", True),
        ),
        (QCoreApplication.translate("Overlay", "confidence"), num(face.confidence, ".3f")),
        (QCoreApplication.translate("Overlay", "age"), num(face.age, "d")),
        (
            QCoreApplication.translate("Overlay", "gender"),
            (value_word(face.gender), True) if face.gender else (missing, False),
        ),
        (QCoreApplication.translate("Overlay", "pitch"), angle(pose.pitch if pose else None)),
        (QCoreApplication.translate("Overlay", "yaw"), angle(pose.yaw if pose else None)),
        (QCoreApplication.translate("Overlay", "roll"), angle(pose.roll if pose else None)),
        (QCoreApplication.translate("Overlay", "blur"), blur),
        (QCoreApplication.translate("Overlay", "sharpness"), num(face.sharpness, ".3f")),
        (QCoreApplication.translate("Overlay", "quality"), num(face.quality, ".3f")),
        (QCoreApplication.translate("Overlay", "integrity"), num(face.integrity, ".1f")),
        (
            QCoreApplication.translate("Overlay", "glasses"),
            (value_word(face.glasses), True) if face.glasses else (missing, False),
        ),
        (QCoreApplication.translate("Overlay", "mask"), _yes_no(face.mask)),
        (QCoreApplication.translate("Overlay", "hat"), _yes_no(face.hat)),
        (QCoreApplication.translate("Overlay", "beard"), _yes_no(face.beard)),
        (QCoreApplication.translate("Overlay", "eyes"), _yes_no(face.eyes_closed, "closed", "open")),
        (
            QCoreApplication.translate("Overlay", "landmarks"),
            (str(len(face.landmarks)), True) if face.landmarks is not None else (missing, False),
        ),
    ]
    return [(name, value, measured) for name, (value, measured) in rows]


# lupdate: the words _yes_no passes through _tr
_YES_NO_WORDS = (
    QT_TRANSLATE_NOOP("Overlay", "yes"),
    QT_TRANSLATE_NOOP("Overlay", "no"),
    QT_TRANSLATE_NOOP("Overlay", "closed"),
    QT_TRANSLATE_NOOP("Overlay", "open"),
)


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
    if ctx.show_labels and ctx.label_at is not None:
        placed = label_rect(face, ctx.scale, ctx.label_at)
        rect = rect.adjusted(-pad, -pad, pad, pad)
        return rect if placed is None else rect.united(placed.adjusted(-2 * device, -2 * device, 0, 0))
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
    """Paint one face: box coloured by verdict while pending, by decision once decided.

    Pending faces get a solid box in the verdict's colour (green / red / amber);
    accepted a solid blue box with a ✓ tag, rejected a dashed grey box with a red
    ✗ tag. Tags sit outside the box (above its top-right corner), so they never
    cover a small face's eyes. Highlighted faces get a thicker line and a light fill.

    Args:
        painter: an active painter whose transform maps image pixels to the device.
        face: the canonical face (box and landmarks in image pixels).
        verdict: its evaluation under the current rule set (None: not evaluated).
        decision: ``pending``, ``accepted`` or ``rejected``.
        ctx: zoom, toggles, emphasis and palette.
    """
    colour = ctx.palette.face_colour(face_status(verdict), decision)
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
            if decision == "accepted":
                _draw_tag(painter, rect.topRight(), "✓", colour, ctx)
            elif decision == "rejected":
                _draw_tag(painter, rect.topRight(), "✗", QColor(ctx.palette.rejected_tag), ctx)
        if ctx.marker is not None:
            _draw_marker(painter, rect.topLeft(), str(ctx.marker), colour, ctx)
        if ctx.show_landmarks and face.landmarks:
            _draw_landmarks(painter, face.landmarks, ctx)
        if ctx.show_labels:
            lines = face_label_lines(face)
            if lines:
                placed = label_rect(face, ctx.scale, ctx.label_at)
                if placed is not None:
                    if ctx.label_at is not None and ctx.label_at[2]:
                        _draw_leader(painter, rect, placed, colour)
                    _draw_label(painter, placed.topLeft(), lines, colour, ctx)
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
    tag = QRectF(-TAG_SIZE, -TAG_SIZE - 2, TAG_SIZE, TAG_SIZE)  # outside: above the top-right corner
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


def _draw_marker(
    painter: QPainter, corner: QPointF, number: str, colour: QColor, ctx: OverlayContext
) -> None:
    """The face's number in the label list: a badge above the box's top-left corner (outside the box,
    like the decision tag at the other corner), as wide as the number needs."""
    painter.save()
    _device_frame(painter, corner, ctx)
    font = QFont()
    font.setPixelSize(int(TAG_SIZE * 0.75))
    font.setBold(True)
    painter.setFont(font)
    width = max(TAG_SIZE, painter.fontMetrics().horizontalAdvance(number) + 6)
    badge = QRectF(0, -TAG_SIZE - 2, width, TAG_SIZE)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(badge, 4, 4)
    painter.setPen(QColor(ctx.palette.label_text))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, number)
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


def label_rect(face: Face, scale: float, at: tuple[float, float, bool] | None = None) -> QRectF | None:
    """Where the label of ``face`` goes, in image pixels at zoom ``scale`` (None: no label):
    at ``at`` (top-left corner, from the view's label layout), else just below the box.

    Views use its size to lay out labels that never cover each other.
    """
    lines = face_label_lines(face)
    if not lines:
        return None
    width, height = _label_size(lines, QFontMetricsF(_label_font()))
    device = 1.0 / max(scale, 1e-6)
    if at is not None:
        return QRectF(at[0], at[1], width * device, height * device)
    box = face.box
    return QRectF(box.x, box.y + box.h + LABEL_GAP * device, width * device, height * device)


def _draw_leader(painter: QPainter, box: QRectF, label: QRectF, colour: QColor) -> None:
    """A thin line from the face to its label placed away from it."""
    from facecurator.gui.label_layout import leader_points

    start, end = leader_points(box, label)
    pen = QPen(colour)
    pen.setCosmetic(True)
    pen.setWidthF(1.5)
    painter.setPen(pen)
    painter.drawLine(start, end)
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    radius = 2.5 / max(abs(painter.transform().m11()), 1e-6)  # 2.5 device pixels
    painter.drawEllipse(start, radius, radius)


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
    top = 0.0
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRect(QRectF(0, top, width, height))
    painter.setBrush(colour)
    painter.drawRect(QRectF(0, top, 3, height))  # verdict stripe, readable without the box
    painter.setPen(QColor(ctx.palette.label_text))
    for i, line in enumerate(lines):
        painter.drawText(QPointF(6, top + 3 + metrics.ascent() + i * line_height), line)
    painter.restore()
