"""The main window's decisions: accept / reject / undo, one face or a whole scope.

A part of :class:`~facecurator.gui.main_window.MainWindow`; texts are translated
in the window's context (see :mod:`facecurator.gui.actions`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from facecurator.errors import FacecuratorError, FaceHeldError
from facecurator.gui.core_errors import core_message
from facecurator.gui.i18n import counted
from facecurator.gui.window_base import WindowBase
from facecurator.services.filtering import FaceFilter
from facecurator.services.review import ReviewedFace


def _ask(parent: QWidget, title: str, question: str) -> bool:
    return QMessageBox.question(parent, title, question) == QMessageBox.StandardButton.Yes


def held_question(exc: FaceHeldError) -> str:
    """The question "Held by bob until 14:05 — decide anyway?" (translated), first holder named."""
    _face, who, until = exc.holds[0]
    n = len(exc.holds)
    if until is None:
        text = QCoreApplication.translate(
            "MainWindow", "%n face(s) assigned to {who} — decide anyway?", "", n
        ).format(who=who)
    else:
        time_text = datetime.fromtimestamp(until).strftime("%H:%M")
        text = QCoreApplication.translate(
            "MainWindow", "%n face(s) held by {who} until {time} — decide anyway?", "", n
        ).format(who=who, time=time_text)
    return counted(text, n)


class Decisions(WindowBase):
    """Decisions taken in the main window (a part of MainWindow)."""

    #: ``(parent, title, question) -> yes?``; tests replace it so nothing blocks.
    confirm_held: Callable[[QWidget, str, str], bool] = staticmethod(_ask)

    def triage_decide(self, state: str) -> None:
        try:
            self.decide_asking(lambda anyway: self.triage.decide_current(state, include_held=anyway))
        except FacecuratorError as exc:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Saving the decision failed: {error}").format(
                    error=core_message(exc)
                )
            )

    def decide_in_view(self, state: str) -> bool:
        """A/R in the gallery: the selected face (or the image's only face); False when
        there is no face to decide (the status bar says so) or saving failed."""
        face_id = self.image_view.selected_face
        if (
            face_id is None
            and self.image_view.image_id is not None
            and self.store.has_image(self.image_view.image_id)
        ):
            faces = self.store.image(self.image_view.image_id).faces
            face_id = faces[0].id if len(faces) == 1 else None
        if face_id is None:
            self.statusBar().showMessage(
                QCoreApplication.translate(
                    "MainWindow", "Select a face first (click it, or Tab through them)"
                ),
                4000,
            )
            return False
        return self.decide_faces([face_id], state)

    def decide_faces(self, face_ids: list[int], state: str) -> bool:
        try:
            self.decide_asking(lambda anyway: self.store.decide(face_ids, state, include_held=anyway))
        except FacecuratorError as exc:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Saving the decision failed: {error}").format(
                    error=core_message(exc)
                )
            )
            return False
        return True

    def decide_asking(self, decide: Callable[[bool], object]) -> None:
        """``decide(False)``; when another operator holds a face (the rule: services/catalog/
        assign.py), ask "Held by bob until 14:05 — decide anyway?" and on yes ``decide(True)``."""
        try:
            decide(False)
        except FaceHeldError as exc:
            title = QCoreApplication.translate("MainWindow", "Held by another operator")
            if self.confirm_held(self, title, held_question(exc)):
                decide(True)

    def undo(self) -> None:
        try:
            restored = self.store.undo()
        except FacecuratorError as exc:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Undo failed: {error}").format(
                    error=core_message(exc)
                )
            )
            return
        if not restored:
            self.statusBar().showMessage(QCoreApplication.translate("MainWindow", "Nothing to undo"), 3000)
            return
        n = len(restored)
        self.statusBar().showMessage(
            counted(QCoreApplication.translate("MainWindow", "Undid the decision of %n face(s)", "", n), n),
            3000,
        )
        if self.tabs.currentWidget() is self.triage and self.store.has_face(restored[0]):
            self.triage.select_face(restored[0])  # back to the face just undone

    def scope_faces(self) -> list[ReviewedFace]:
        """The faces of the current page's scope (triage: selection or filter; gallery: filtered images)."""
        if self.tabs.currentWidget() is self.triage:
            return self.store.faces(self.triage.scope_face_ids())
        selected = [  # (a listed view's rows not read yet have no id: None)
            image_id
            for i in self.gallery.selectionModel().selectedIndexes()
            if (image_id := i.data(Qt.ItemDataRole.UserRole + 1)) is not None
        ]
        image_ids = selected if len(selected) > 1 else self.gallery_model.ids()
        faces = [face for image_id in image_ids for face in self.store.image(image_id).faces]
        face_filter = self.gallery_model.face_filter
        if face_filter is not None and face_filter.needs_catalog:  # assigned: is answered in SQL
            wanted = set(self.store.faces_passing([face.id for face in faces], face_filter))
            return [face for face in faces if face.id in wanted]
        return faces if face_filter is None else face_filter.select(faces)

    def _on_face_filter(self, face_filter: FaceFilter | None) -> None:
        """The filter bar's expression changed: both pages show what it selects."""
        self.gallery_model.set_face_filter(face_filter)
        self.triage.model.set_face_filter(face_filter)
        text = self.filter_bar.expression() if face_filter is not None else ""
        shown = self.triage.model.rowCount()
        if text:
            matched = QCoreApplication.translate("MainWindow", "Filter: %n face(s) match", "", shown)
            self.statusBar().showMessage(f"{counted(matched, shown)} — {text}", 5000)

    def bulk_decide(self, kind: str) -> int:
        """Accept the qualified or reject the unqualified pending faces of the current scope.

        When nothing is decided the status says why (no faces, none pending, or no
        pending face qualifies / fails under the rules), never just "0"."""
        try:
            faces = self.scope_faces()  # (read from the catalog: the server may be gone)
            face_ids = [face.id for face in faces]
            if kind == "accept-qualified":
                count = self.store.accept_qualified(face_ids)
                text = QCoreApplication.translate("MainWindow", "Accepted %n qualified face(s)", "", count)
            else:
                count = self.store.reject_unqualified(face_ids)
                text = QCoreApplication.translate("MainWindow", "Rejected %n unqualified face(s)", "", count)
        except FacecuratorError as exc:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Bulk decision failed: {error}").format(
                    error=core_message(exc)
                )
            )
            return 0
        if count == 0:
            self.notifier.info(self._why_nothing(kind, faces))
        else:
            self.notifier.info(counted(text, count))
        return count

    def _why_nothing(self, kind: str, faces: list[ReviewedFace]) -> str:
        pending = sum(1 for face in faces if face.decision == "pending")
        rules = self.store.ruleset.name
        if not faces:
            return QCoreApplication.translate("MainWindow", "Nothing to decide: no faces in the current view")
        if not pending:
            return QCoreApplication.translate(
                "MainWindow", "Nothing to decide: every face in the current view is already decided"
            )
        if kind == "accept-qualified":
            text = QCoreApplication.translate(
                "MainWindow",
                "Nothing accepted: no pending face in the current view (%n) qualifies under {rules}",
                "",
                pending,
            )
        else:
            text = QCoreApplication.translate(
                "MainWindow",
                "Nothing rejected: every pending face in the current view (%n) qualifies under {rules}",
                "",
                pending,
            )
        return counted(text, pending).format(rules=rules)
