"""The overlay is a pure function: render faces into a QImage and read pixels back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.rules import ImageContext, load_rules
from facecurator.gui.overlay import (
    DEFAULT_PALETTE,
    OverlayContext,
    draw_face_overlay,
    face_attribute_rows,
    face_label_lines,
    face_status,
    overlay_extent,
)

BOX = Box(40, 30, 80, 100)
GOOD = Face(box=BOX, confidence=0.97, pose=Pose(2.0, -5.0, 1.0), blur=Blur(10.0, "0-100"), glasses="none")
TURNED = GOOD.with_changes(pose=Pose(2.0, 41.2, 1.0))
UNMEASURED = GOOD.with_changes(blur=None)  # blur not measured: unknown, never "fine"


def render(face: Face, verdict, decision: str = "pending", **ctx) -> QImage:
    image = QImage(200, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        draw_face_overlay(painter, face, verdict, decision, OverlayContext(**ctx))
    finally:
        painter.end()
    return image


def close_to(actual: QColor, expected: str, tolerance: int = 40) -> bool:
    want = QColor(expected)
    return all(abs(a - b) <= tolerance for a, b in zip(actual.getRgb()[:3], want.getRgb()[:3], strict=True))


def left_edge(image: QImage) -> list[QColor]:
    x = int(BOX.x)
    return [image.pixelColor(x, y) for y in range(int(BOX.y) + 5, int(BOX.y + BOX.h) - 5)]


@pytest.mark.parametrize(
    ("face", "status", "colour"),
    [
        (GOOD, "qualified", DEFAULT_PALETTE.qualified),
        (TURNED, "unqualified", DEFAULT_PALETTE.unqualified),
        (UNMEASURED, "unknown", DEFAULT_PALETTE.unknown),
    ],
)
def test_box_edges_take_the_verdict_colour(face: Face, status: str, colour: str) -> None:
    verdict = load_rules("moderation-2.0").evaluate(face, ImageContext(face_count=1))
    assert face_status(verdict) == status
    image = render(face, verdict, show_labels=False, show_landmarks=False)
    edge = left_edge(image)
    assert all(close_to(c, colour) for c in edge), [c.name() for c in edge[:5]]
    assert close_to(image.pixelColor(int(BOX.x + BOX.w / 2), int(BOX.y + BOX.h / 2)), "#ffffff")  # not filled
    assert close_to(image.pixelColor(5, 5), "#ffffff")


def test_rejected_is_dashed_and_accepted_is_solid_with_a_tag() -> None:
    verdict = load_rules("moderation-2.0").evaluate(GOOD, ImageContext(face_count=1))
    rejected = left_edge(render(GOOD, verdict, "rejected", show_labels=False))
    accepted = render(GOOD, verdict, "accepted", show_labels=False)
    gaps = sum(1 for c in rejected if close_to(c, "#ffffff", 60))
    assert gaps >= 10, "a rejected face's box is dashed"
    # Decided: the decision's colour, not the verdict's (a rejected qualified face is not green).
    assert all(close_to(c, DEFAULT_PALETTE.accepted) for c in left_edge(accepted))
    assert not any(close_to(c, DEFAULT_PALETTE.qualified) for c in rejected)
    assert any(close_to(c, DEFAULT_PALETTE.rejected) for c in rejected)
    # The tag is a filled square outside the box, above its top-right corner: the face stays clear.
    tag_pixel = accepted.pixelColor(int(BOX.x + BOX.w) - 3, int(BOX.y) - 6)
    assert close_to(tag_pixel, DEFAULT_PALETTE.accepted, 60)
    assert close_to(accepted.pixelColor(int(BOX.x + BOX.w) - 4, int(BOX.y) + 4), "#ffffff")
    rejected_image = render(GOOD, verdict, "rejected", show_labels=False)
    assert close_to(
        rejected_image.pixelColor(int(BOX.x + BOX.w) - 3, int(BOX.y) - 6), DEFAULT_PALETTE.rejected_tag, 60
    )
    pending = render(GOOD, verdict, "pending", show_labels=False)
    assert close_to(pending.pixelColor(int(BOX.x + BOX.w) - 3, int(BOX.y) - 6), "#ffffff")


def test_rule_change_recolours_the_same_face() -> None:
    """Same face, two rule sets: the verdict (and the box colour) follows the rules."""
    strict = load_rules("moderation-2.0")
    loose = type(strict).from_toml(
        'schema_version = 1\nname = "loose-yaw"\nunknown = "fail"\n'
        '[[conditions]]\nkind = "pose"\naxis = "yaw"\nmax_degrees = 60\n'
    )
    context = ImageContext(face_count=1)
    red = render(TURNED, strict.evaluate(TURNED, context), show_labels=False)
    green = render(TURNED, loose.evaluate(TURNED, context), show_labels=False)
    assert all(close_to(c, DEFAULT_PALETTE.unqualified) for c in left_edge(red))
    assert all(close_to(c, DEFAULT_PALETTE.qualified) for c in left_edge(green))


def test_landmarks_labels_and_toggles() -> None:
    face = GOOD.with_changes(landmarks=((60.0, 60.0), (100.0, 60.0)))
    verdict = load_rules("moderation-2.0").evaluate(face, ImageContext(face_count=1))
    shown = render(face, verdict)
    assert close_to(shown.pixelColor(60, 60), DEFAULT_PALETTE.landmark)
    # The label hangs below the box on a dark background.
    assert shown.pixelColor(int(BOX.x) + 20, int(BOX.y + BOX.h) + 10).lightness() < 128
    hidden = render(face, verdict, show_boxes=False, show_landmarks=False, show_labels=False)
    assert hidden.pixelColor(60, 60) == QColor("white")
    assert all(close_to(c, "#ffffff") for c in left_edge(hidden))
    assert all(c == QColor("white") for c in (hidden.pixelColor(x, 140) for x in range(40, 120)))


def test_zoom_keeps_line_width_in_device_pixels() -> None:
    """At 4x zoom the box edge is still ~2 device pixels wide, not 8."""
    verdict = load_rules("moderation-2.0").evaluate(GOOD, ImageContext(face_count=1))
    image = QImage(800, 800, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.scale(4, 4)
    draw_face_overlay(painter, GOOD, verdict, "pending", OverlayContext(scale=4, show_labels=False))
    painter.end()
    row = [image.pixelColor(x, 300) for x in range(150, 175)]
    coloured = [c for c in row if close_to(c, DEFAULT_PALETTE.qualified, 80)]
    assert 1 <= len(coloured) <= 4


def test_text_helpers_name_every_attribute() -> None:
    lines = face_label_lines(TURNED)
    assert any("Y +41.2°" in line for line in lines)
    assert any("blur 10.0 (0-100)" in line for line in lines)
    rows = {name: value for name, value, _measured in face_attribute_rows(UNMEASURED)}
    assert rows["blur"] == "not measured"
    assert rows["yaw"] == "-5.0°"
    assert set(rows) >= {"age", "gender", "pitch", "yaw", "roll", "blur", "glasses", "mask", "eyes"}
    extent = overlay_extent(GOOD, OverlayContext(scale=1.0))
    assert extent.contains(BOX.x, BOX.y) and extent.bottom() > BOX.y + BOX.h
