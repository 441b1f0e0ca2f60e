"""Side panel: every attribute of one face and each rule condition's outcome."""

from __future__ import annotations

from html import escape
from typing import Final

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from facecurator.domain.rules import CONDITION_TYPES
from facecurator.gui.i18n import QT_TRANSLATE_NOOP
from facecurator.gui.overlay import DEFAULT_PALETTE, face_attribute_rows, face_status
from facecurator.gui.rule_words import CHOICE_LABELS, choice_label, term, translate_reason
from facecurator.services.review import ReviewedFace

# The panel's narrowest width (pixels): its reasons still read at 1024 px with the statistics open.
MIN_WIDTH: Final = 210
_OUTCOME_MARK = {"pass": ("✓", "#2ecc40"), "fail": ("✗", "#ff3b30"), "unknown": ("?", "#ffb000")}

#: Face statuses and decision states as the panel names them (context "FaceDetails").
STATE_WORDS: Final = {
    "qualified": QT_TRANSLATE_NOOP("FaceDetails", "qualified"),
    "unqualified": QT_TRANSLATE_NOOP("FaceDetails", "unqualified"),
    "unknown": QT_TRANSLATE_NOOP("FaceDetails", "unknown"),
    "pending": QT_TRANSLATE_NOOP("FaceDetails", "pending"),
    "accepted": QT_TRANSLATE_NOOP("FaceDetails", "accepted"),
    "rejected": QT_TRANSLATE_NOOP("FaceDetails", "rejected"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("FaceDetails", text)


def state_word(state: str) -> str:
    """A face status or decision state in the current language (the state itself if unknown)."""
    return _tr(STATE_WORDS[state]) if state in STATE_WORDS else state


def condition_name(condition_id: str) -> str:
    """A condition's name as the rules editor shows it (translated); its id when it has no label.

    A condition's id is its kind, or its kind and what tells two of a kind apart
    (``pose_yaw``: the pose condition on the yaw axis, ``blur_2``)."""
    kind, suffix = condition_id, ""
    while kind not in CONDITION_TYPES and "_" in kind:
        kind, rest = kind.rsplit("_", 1)
        suffix = f"{rest}_{suffix}" if suffix else rest
    cls = CONDITION_TYPES.get(kind)
    if cls is None or not cls.label:
        return condition_id
    name = term(cls.label)
    if suffix in CHOICE_LABELS:  # a measure condition: its measure's words ("Eyes visible")
        name += f" ({choice_label(suffix)})"
    elif suffix and not suffix.isdigit():
        name += f" ({QCoreApplication.translate('Overlay', suffix)})"  # pitch / yaw / roll
    return name


def face_title(image_name: str, index: int) -> str:
    """ "<image> · face <n>" in the current language (``index`` counts from 0)."""
    return QCoreApplication.translate("FaceDetails", "{image} · face {n}").format(
        image=image_name, n=index + 1
    )


def face_details_html(face: ReviewedFace, rules_name: str) -> str:
    """Rich text for one face: status, decision, failing reasons first, then every attribute."""
    status = face_status(face.verdict)
    colour = DEFAULT_PALETTE.status_colour(status).name()
    decision = face.row.decision
    title = escape(face_title(face.image.name, face.row.index))
    header = QCoreApplication.translate("FaceDetails", "{status} under {rules} · decision {decision}").format(
        status=f"<b style='color:{colour}'>{escape(state_word(status))}</b>",
        rules=f"<i>{escape(rules_name)}</i>",
        decision=f"<b>{escape(state_word(decision.state))}</b>",
    )
    parts = [f"<h3 style='margin:0'>{title}</h3>", f"<p style='margin:2px 0'>{header}"]
    if decision.state != "pending":
        who = (
            " " + QCoreApplication.translate("FaceDetails", "by {who}").format(who=escape(decision.who))
            if decision.who
            else ""
        )
        when = (
            " " + QCoreApplication.translate("FaceDetails", "at {when}").format(when=escape(decision.at))
            if decision.at
            else ""
        )
        why = f" — {escape(decision.reason)}" if decision.reason else ""
        parts.append(f"<br><small>{who}{when}{why}</small>")
    parts.append("</p><table width='100%' cellspacing='0' cellpadding='1'>")
    # Conditions against the face first: that is what the operator is looking for.
    results = sorted(face.verdict.results, key=lambda r: {"fail": 0, "unknown": 1, "pass": 2}[r.outcome])
    for result in results:
        mark, mark_colour = _OUTCOME_MARK.get(result.outcome, ("?", "#888"))
        parts.append(
            f"<tr><td style='color:{mark_colour}'><b>{mark}</b></td>"
            f"<td>{escape(condition_name(result.condition))}</td>"
            f"<td>{escape(translate_reason(result))}</td></tr>"
        )
    parts.append("</table><hr><table width='100%' cellspacing='0' cellpadding='1'>")
    for name, value, measured in face_attribute_rows(face.face):
        style = "" if measured else " style='color:#888'"
        parts.append(f"<tr><td><b>{escape(name)}</b></td><td{style}>{escape(value)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


class _WrappedText(QLabel):
    """A word-wrapped rich-text label whose size is its height at the width it is given.

    A QLabel answers its size hints by laying the whole document out at several widths (as
    wide as it likes, one line, every word on its own line), ~2 ms each for a face's tables:
    a key press in Triage spent ~9 ms laying out the next face's details and ~7 ms more
    painting them. In the panel (a scroll area that gives the text its width and scrolls
    it) only the height for that width matters; each is laid out once per text and font
    (the margins are set once)."""

    def __init__(self) -> None:
        super().__init__()
        self._heights: dict[int, int] = {}

    def setText(self, text: str) -> None:
        if text != self.text():
            self._heights.clear()
            super().setText(text)

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def sizeHint(self) -> QSize:
        width = max(1, self.width())
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # one line; the layout asks the height for the width
        return QSize(1, self.fontMetrics().lineSpacing() + 2 * self.margin())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)


class FaceDetailsPanel(QScrollArea):
    """Shows the hovered or selected face; empty text when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faceDetails")
        self.setWidgetResizable(True)
        # the text wraps to the panel's width (never a sideways scroll that hides the reasons)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(MIN_WIDTH)
        self._label = _WrappedText()
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setMargin(6)
        self._label.setMinimumWidth(1)  # wrap to the viewport, whatever the longest line
        container = QWidget()
        layout = QVBoxLayout(container)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._label)
        layout.addStretch(1)
        self.setWidget(container)
        self.face_id: int | None = None
        self.show_face(None, "")

    def show_face(self, face: ReviewedFace | None, rules_name: str, placeholder: str | None = None) -> None:
        self.face_id = face.id if face is not None else None
        if face is None:
            text = placeholder or self.tr("Hover or select a face to see its attributes.")
            self._label.setText(f"<p style='color:#888'>{escape(text)}</p>")
        else:
            self._label.setText(face_details_html(face, rules_name))

    def text(self) -> str:
        return self._label.text()
