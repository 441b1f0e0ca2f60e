"""The Identities dock: is every photo of a person really that person?

One row per person (faces, consistent, outliers; folders with outliers first),
a strip of the selected person's faces sorted by distance from the folder's
identity (outliers first, in red, each with its distance and the photo it most
resembles elsewhere), a side-by-side compare of the last two faces clicked
(with the distance between them), and the near-identical photos and probable
double enrollments of the gallery. ``N`` (or the button) rejects the selected
face with the reason "not this person".

The checks are computed on a worker thread from the catalog's embeddings
(:func:`facecurator.services.identity.gallery_identities`); without embeddings
the dock offers to compute them (a detection run with embeddings: cached
detections are not detected again).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Final

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facecurator.detect.embed import EMBEDDER_KEY, Embedding, distance
from facecurator.errors import FacecuratorError
from facecurator.gui.core_errors import core_message
from facecurator.services.catalog import Catalog
from facecurator.services.identity import GalleryIdentities, gallery_identities

log = logging.getLogger("facecurator.gui.identities")

# The reason recorded when a face is moved out of its person.
NOT_THIS_PERSON: Final = "not this person"
STRIP_SIDE: Final = 112
OUTLIER_COLOUR: Final = QColor(200, 40, 40)


class _Bridge(QObject):
    computed = Signal(object, int)  # GalleryIdentities | Exception, generation
    crop = Signal(int, object, int)  # face id, QImage, generation


class IdentitiesPanel(QWidget):
    """The dock's contents; ``window`` gives the store, the scanner and the notifier."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._found: GalleryIdentities | None = None
        self._generation = 0
        self._bridge = _Bridge(self)
        self._bridge.computed.connect(self._on_computed)
        self._bridge.crop.connect(self._on_crop)
        self._compare: list[int] = []
        self._crops: dict[int, QImage] = {}

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.compute_button = QPushButton(self)
        self.compute_button.clicked.connect(self.compute_embeddings)
        self.reject_button = QPushButton(self)
        self.reject_button.clicked.connect(self.reject_selected)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.compute_button)
        top.addWidget(self.reject_button)

        self.persons = QTableWidget(0, 4, self)
        self.persons.verticalHeader().setVisible(False)
        self.persons.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.persons.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.persons.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.persons.itemSelectionChanged.connect(self._show_person)

        self.strip = QListWidget(self)
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(STRIP_SIDE, STRIP_SIDE))
        # one cell per face, whatever its crop's shape: crops never overlap
        self.strip.setGridSize(QSize(STRIP_SIDE + 12, STRIP_SIDE + 30))
        self.strip.setMovement(QListWidget.Movement.Static)
        self.strip.setMinimumHeight(STRIP_SIDE + 52)
        self.strip.itemClicked.connect(self._add_to_compare)

        self.left_face, self.right_face = QLabel(self), QLabel(self)
        for label in (self.left_face, self.right_face):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumSize(STRIP_SIDE * 2, STRIP_SIDE * 2)
        self.compare_text = QLabel(self)
        self.compare_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        compare = QWidget(self)
        faces = QHBoxLayout()
        faces.addWidget(self.left_face)
        faces.addWidget(self.right_face)
        compare_layout = QVBoxLayout(compare)
        compare_layout.addLayout(faces)
        compare_layout.addWidget(self.compare_text)

        self.findings = QListWidget(self)  # duplicates and double enrollments

        # persons and the gallery's findings on the left; the selected person's strip and
        # the side-by-side compare on the right
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.persons)
        left.addWidget(self.findings)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.strip)
        right.addWidget(compare)
        right.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        shortcut = QShortcut(QKeySequence("N"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.reject_selected)
        self.retranslate_ui()

    # -- texts ---------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.compute_button.setText(self.tr("Compute face embeddings"))
        self.compute_button.setToolTip(
            self.tr("Run detection with face embeddings (offline; detections already made are reused)")
        )
        self.reject_button.setText(self.tr("Not this person (N)"))
        self.reject_button.setToolTip(self.tr("Reject the selected face with the reason “not this person”"))
        self.persons.setHorizontalHeaderLabels(
            [self.tr("Person"), self.tr("Faces"), self.tr("Consistent"), self.tr("Outliers")]
        )
        self._show_summary()

    def _show_summary(self) -> None:
        found = self._found
        if found is None:
            self.summary.setText(self.tr("Computing the identity checks…"))
        elif not found.embedded:
            self.summary.setText(
                self.tr("No face embeddings yet: compute them to check that every photo is its person.")
            )
        else:
            report = found.report
            self.summary.setText(
                self.tr(
                    "{embedded} of {faces} faces embedded · {persons} persons · {outliers} outliers · "
                    "{duplicates} near-identical groups · {doubles} probable double enrollments"
                ).format(
                    embedded=found.embedded,
                    faces=found.faces,
                    persons=len(report.persons),
                    outliers=sum(len(p.outliers) for p in report.persons.values()),
                    duplicates=len(report.duplicates),
                    doubles=len(report.double_enrollments),
                )
            )

    # -- computing -------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute the checks on a worker thread (the newest request wins)."""
        self._generation += 1
        generation = self._generation
        path = self._window.store.catalog.path
        root = self._window.store.source_root
        bridge = self._bridge

        def work() -> None:
            try:
                with Catalog(path) as catalog:
                    result: object = gallery_identities(catalog, source_root=root)
            except Exception as exc:
                log.exception("identity checks failed")
                result = exc
            _emit(bridge.computed, result, generation)

        threading.Thread(target=work, name="fc-identities", daemon=True).start()

    def compute_embeddings(self) -> None:
        if self._window.start_scan(embed=True):
            self.summary.setText(self.tr("Computing face embeddings…"))

    def _on_computed(self, result: object, generation: int) -> None:
        if generation != self._generation:
            return
        if isinstance(result, Exception):
            self._window.notifier.error(
                self.tr("Identity checks failed: {error}").format(error=core_message(result))
            )
            return
        assert isinstance(result, GalleryIdentities)
        self._found = result
        self._crops.clear()
        self._show_summary()
        self._fill_persons()
        self._fill_findings()

    def _fill_persons(self) -> None:
        found = self._found
        assert found is not None
        persons = sorted(found.report.persons.values(), key=lambda p: (-len(p.outliers), p.person))
        self.persons.setRowCount(len(persons))
        for row, p in enumerate(persons):
            consistent = str(p.consistent) if p.has_identity else self.tr("no majority")
            cells = [p.person, str(p.faces), consistent, str(len(p.outliers))]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if p.outliers or not p.has_identity:
                    item.setForeground(QBrush(OUTLIER_COLOUR))
                self.persons.setItem(row, col, item)
        self.persons.resizeColumnsToContents()
        if persons:
            self.persons.selectRow(0)

    def _fill_findings(self) -> None:
        found = self._found
        assert found is not None
        self.findings.clear()
        for group in found.report.duplicates:
            names = [found.labels.get(k, str(k)) for k in group]
            self.findings.addItem(
                self.tr("Near-identical: keep {kept}; duplicates: {others}").format(
                    kept=names[0], others=", ".join(names[1:])
                )
            )
        for pair in found.report.double_enrollments:
            self.findings.addItem(
                self.tr("Probable double enrollment: {a} and {b} (distance {d:.2f})").format(
                    a=pair.person_a, b=pair.person_b, d=pair.distance
                )
            )

    # -- the strip and the compare pane --------------------------------------------

    def selected_person(self) -> str | None:
        rows = self.persons.selectionModel().selectedRows() if self.persons.selectionModel() else []
        if not rows:
            return None
        item = self.persons.item(rows[0].row(), 0)
        return item.text() if item else None

    def _show_person(self) -> None:
        self.strip.clear()
        found, person = self._found, self.selected_person()
        if found is None or person is None or person not in found.report.persons:
            return
        for key in found.report.persons[person].order:
            f = found.report.faces[key]
            text = "—" if f.distance is None else f"{f.distance:.2f}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, int(key))  # type: ignore[call-overload]
            tip = [found.labels.get(key, str(key))]
            if f.consistent is False:
                item.setForeground(QBrush(OUTLIER_COLOUR))
                tip.append(self.tr("outlier: {d:.2f} > {t:g}").format(d=f.distance, t=f.threshold))
            if f.nearest is not None:
                tip.append(self.tr("most like {face} ({d:.2f})").format(face=f.nearest[0], d=f.nearest[2]))
            if f.enrolled is False:
                tip.append(self.tr("not the folder's person in this group photo"))
            if f.duplicate_of:
                tip.append(self.tr("near-identical to {kept}").format(kept=f.duplicate_of))
            item.setToolTip("\n".join(tip))
            self.strip.addItem(item)
            self._request_crop(int(key))  # type: ignore[call-overload]

    def _request_crop(self, face_id: int) -> None:
        cached = self._crops.get(face_id)
        if cached is not None:
            self._on_crop(face_id, cached, self._generation)
            return
        store = self._window.store
        if not store.has_face(face_id):
            return
        reviewed = store.face(face_id)
        decoded = getattr(self._window, "decoded", None)
        generation = self._generation
        bridge = self._bridge

        def work() -> None:
            from facecurator.gui.thumbnails import DecodedImageCache, render_face_crop

            try:
                image = render_face_crop(
                    reviewed.image, reviewed.face, store.read_bytes, decoded or DecodedImageCache()
                )
            except Exception:
                log.exception("face crop failed for face %s", face_id)
                return
            _emit(bridge.crop, face_id, image, generation)

        threading.Thread(target=work, name="fc-identity-crop", daemon=True).start()

    def _on_crop(self, face_id: int, image: object, generation: int) -> None:
        if generation != self._generation or not isinstance(image, QImage):
            return
        self._crops[face_id] = image
        for row in range(self.strip.count()):
            item = self.strip.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == face_id:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
        if face_id in self._compare:
            self._show_compare()

    def _add_to_compare(self, item: QListWidgetItem) -> None:
        face_id = int(item.data(Qt.ItemDataRole.UserRole))
        self._compare = [*[f for f in self._compare if f != face_id], face_id][-2:]
        self._show_compare()

    def _show_compare(self) -> None:
        found = self._found
        for label, face_id in zip(
            (self.left_face, self.right_face), [*self._compare, None, None], strict=False
        ):
            image = self._crops.get(face_id) if face_id is not None else None
            if image is None:
                label.clear()
                continue
            label.setPixmap(
                QPixmap.fromImage(image).scaled(
                    STRIP_SIDE * 2, STRIP_SIDE * 2, Qt.AspectRatioMode.KeepAspectRatio
                )
            )
        if found is None or len(self._compare) < 2:
            self.compare_text.setText(self.tr("Click two faces to compare them"))
            return
        a, b = self._compare
        try:
            vectors = self._window.store.catalog.face_vectors([a, b], EMBEDDER_KEY)
        except FacecuratorError as exc:  # the window is closing, or the file went away
            log.warning("compare: %s", exc)
            return
        if a not in vectors or b not in vectors:
            self.compare_text.setText("")
            return
        d = distance(Embedding.vector_from_bytes(vectors[a]), Embedding.vector_from_bytes(vectors[b]))
        verdict = self.tr("same person") if d <= found.report.threshold else self.tr("different people")
        self.compare_text.setText(
            self.tr("{a} ↔ {b}: distance {d:.2f} ({verdict})").format(
                a=found.labels.get(a, a), b=found.labels.get(b, b), d=d, verdict=verdict
            )
        )

    def selected_face(self) -> int | None:
        item = self.strip.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def reject_selected(self) -> None:
        """Move the selected face out of its person: rejected, reason "not this person"."""
        face_id = self.selected_face()
        if face_id is None:
            self._window.notifier.warning(self.tr("Select a face in the strip first"))
            return
        store, decided = self._window.store, []
        # a face another operator holds: the window asks first (services/catalog/assign.py)
        self._window.decide_asking(
            lambda anyway: decided.append(
                store.decide([face_id], "rejected", reason=NOT_THIS_PERSON, include_held=anyway)
            )
        )
        if any(decided):
            item = self.strip.currentItem()
            if item is not None:
                item.setText(item.text() + " ✗")


def _emit(signal: Any, *args: object) -> None:
    """Emit from a worker thread; the panel may have been closed meanwhile."""
    try:
        signal.emit(*args)
    except RuntimeError:  # the bridge's C++ object is gone with its window
        log.debug("identities: result dropped, the panel is gone")


class IdentitiesDock(QDockWidget):
    """The Identities panel as a dock; recomputed after a run or a source change."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("identitiesDock")
        self.panel = IdentitiesPanel(window, self)
        self.setWidget(self.panel)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.panel.refresh)
        window.store.sourceChanged.connect(self.schedule)
        scanner = getattr(window, "scanner", None)
        if scanner is not None:
            scanner.finished.connect(self.schedule)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Identities"))
        self.panel.retranslate_ui()

    def schedule(self, *_args: Any) -> None:
        self._timer.start()


def open_identities(window: Any) -> IdentitiesDock:
    """Show the main window's Identities dock (created on first use, at the bottom)."""
    dock = window.findChild(IdentitiesDock, "identitiesDock")
    if dock is None:
        dock = IdentitiesDock(window)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        beside = [
            d
            for d in window.findChildren(QDockWidget)
            if d is not dock and d.isVisible() and not d.isFloating() and window.dockWidgetArea(d) == bottom
        ]
        window.addDockWidget(bottom, dock)
        if beside:  # a tab over the other bottom panels: the strip and compare need the width
            window.tabifyDockWidget(beside[0], dock)
    dock.show()
    dock.raise_()
    dock.panel.refresh()
    return dock
