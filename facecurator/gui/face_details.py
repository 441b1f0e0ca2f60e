"""Side panel: every attribute of one face and each rule condition's outcome."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from facecurator.gui.overlay import DEFAULT_PALETTE, face_attribute_rows, face_status
from facecurator.gui.rule_words import translate_reason
from facecurator.services.review import ReviewedFace

_OUTCOME_MARK = {"pass": ("✓", "#2ecc40"), "fail": ("✗", "#ff3b30"), "unknown": ("?", "#ffb000")}


def face_details_html(face: ReviewedFace, rules_name: str) -> str:
    """Rich text for one face: status, decision, failing reasons first, then every attribute."""
    status = face_status(face.verdict)
    colour = DEFAULT_PALETTE.status_colour(status).name()
    decision = face.row.decision
    parts = [
        f"<h3 style='margin:0'>{escape(face.image.name)} · face {face.row.index + 1}</h3>",
        f"<p style='margin:2px 0'><b style='color:{colour}'>{escape(status)}</b> under "
        f"<i>{escape(rules_name)}</i> · decision <b>{escape(decision.state)}</b>",
    ]
    if decision.state != "pending":
        who = f" by {escape(decision.who)}" if decision.who else ""
        when = f" at {escape(decision.at)}" if decision.at else ""
        why = f" — {escape(decision.reason)}" if decision.reason else ""
        parts.append(f"<br><small>{who}{when}{why}</small>")
    parts.append("</p><table cellspacing='0' cellpadding='1'>")
    # Conditions against the face first: that is what the operator is looking for.
    results = sorted(face.verdict.results, key=lambda r: {"fail": 0, "unknown": 1, "pass": 2}[r.outcome])
    for result in results:
        mark, mark_colour = _OUTCOME_MARK.get(result.outcome, ("?", "#888"))
        parts.append(
            f"<tr><td style='color:{mark_colour}'><b>{mark}</b></td>"
            f"<td>{escape(result.condition)}</td><td>{escape(translate_reason(result))}</td></tr>"
        )
    parts.append("</table><hr><table cellspacing='0' cellpadding='1'>")
    for name, value in face_attribute_rows(face.face):
        style = " style='color:#888'" if value == "not measured" else ""
        parts.append(f"<tr><td><b>{escape(name)}</b></td><td{style}>{escape(value)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


class FaceDetailsPanel(QScrollArea):
    """Shows the hovered or selected face; empty text when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("faceDetails")
        self.setWidgetResizable(True)
        self._label = QLabel()
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setMargin(6)
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
