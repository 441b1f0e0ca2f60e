"""Triage: a grid of face crops across all images, decided at keyboard speed.

Keys (on the grid): ``A`` accept, ``R`` reject, ``S``/``Space`` skip, arrows
move, ``Ctrl+Z`` undo (a window action). After a decision the selection moves
to the next pending face; the view scrolls only if that face is off screen, so
the grid never jumps. Decisions are committed by ``Catalog.decide`` on the GUI
thread (about a millisecond) before the next face is shown; the models then
update only the changed rows.
"""

from __future__ import annotations

import time
from typing import Final

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from facecurator.gui.face_details import FaceDetailsPanel
from facecurator.gui.fit import never_cut
from facecurator.gui.i18n import counted
from facecurator.gui.my_faces import MINE, MyFaces
from facecurator.gui.next_pending import NEAR, Found, look_later
from facecurator.gui.sort_words import sort_label
from facecurator.gui.startup import turn
from facecurator.gui.store import FACE_FILTERS, CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache, DecodedImageCache, render_face_crop
from facecurator.gui.triage_delegate import (  # noqa: F401 - FACE_CELL: re-exported
    CROP_BOX,
    CROP_SIDES,
    DECISION_ROLE,
    FACE_CELL,
    FACE_STATUS_ROLE,
    FaceDelegate,
)
from facecurator.gui.triage_model import (
    FACE_ID_ROLE,
    PREVIEW_CROP_SIDE,
    FaceModel,
    crop_key,
    preview_key,
)
from facecurator.gui.triage_view import TriageView
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.queries import pending_among
from facecurator.services.filtering import FACE_SORTS

# The filters of the Triage's "Show:" box: the catalog's, and this operator's share.
TRIAGE_FILTERS = (*FACE_FILTERS, MINE)
# An id list's grid looks for the next pending face in the next 8 rows, then 512 at a time (each
# batch's rows read in one go); a large grid in the next 8 rows held, then asks the catalog.
NEXT_PENDING_BATCHES: Final = (NEAR, 512)


class TriagePage(QWidget):
    """Toolbar (filter, bulk actions, counts) + face grid + large preview and details."""

    currentFaceChanged = Signal(object)  # face id or None
    faceShown = Signal(int)  # face id, after the preview and details show it
    bulkRequested = Signal(str)  # "accept-qualified" | "reject-unqualified"

    def __init__(
        self,
        store: CurationStore,
        crops: AsyncPixmapCache,
        decoded: DecodedImageCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("triagePage")
        self._store = store
        self._crops = crops
        self.model = FaceModel(store, crops, decoded, self)
        self.view = TriageView(self.model, crops, self)
        self.my_faces = MyFaces(store, self)
        self.model.mine = self.my_faces.held
        self.filter_combo = QComboBox(self)
        self.filter_combo.setObjectName("triageFilter")
        for name in TRIAGE_FILTERS:
            self.filter_combo.addItem("", name)  # texts: retranslate_ui()
        self.filter_combo.setCurrentIndex(TRIAGE_FILTERS.index(self.model.filter_name))
        self.filter_combo.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.take_button = QPushButton(self)
        self.take_button.setObjectName("takeMoreFaces")
        self.take_button.setVisible(False)
        self.take_button.clicked.connect(lambda: self.my_faces.take_more())
        self.my_faces.taken.connect(self._on_taken)
        self.my_faces.refilled.connect(self._on_refilled)
        self.accept_button = QPushButton(self)
        self.accept_button.setObjectName("acceptQualified")
        self.reject_button = QPushButton(self)
        self.reject_button.setObjectName("rejectUnqualified")
        self.accept_button.clicked.connect(lambda: self.bulkRequested.emit("accept-qualified"))
        self.reject_button.clicked.connect(lambda: self.bulkRequested.emit("reject-unqualified"))
        self.sort_label = QLabel(self)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("triageSort")
        for key in FACE_SORTS:
            self.sort_combo.addItem("", key)  # texts: retranslate_ui()
        self.sort_order = QToolButton(self)
        self.sort_order.setObjectName("triageSortOrder")
        self.sort_order.setCheckable(True)
        self.sort_combo.currentIndexChanged.connect(lambda _i: self._apply_sort())
        never_cut(self.filter_combo, self.sort_combo)
        self.sort_order.toggled.connect(lambda _on: self._apply_sort())
        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setObjectName("triageCropSize")
        self.size_slider.setRange(*CROP_SIDES)
        self.size_slider.setValue(CROP_BOX)
        self.size_slider.setMaximumWidth(110)
        self.size_slider.setMinimumWidth(60)
        self.size_slider.valueChanged.connect(self.view.set_crop_side)
        self.counts = QLabel(self)
        self.hint = QLabel(self)
        self.hint.setStyleSheet("color: #888")
        # the hint gives way when the window is narrow (its whole text is its tooltip)
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.show_label = QLabel(self)
        # two rows: at 1024 px with the statistics open one row would hold the window wide
        choose, act = QHBoxLayout(), QHBoxLayout()
        for widget in (self.show_label, self.filter_combo, self.sort_label, self.sort_combo, self.sort_order):
            choose.addWidget(widget)
        choose.addWidget(self.size_slider)
        choose.addStretch(1)
        act.addWidget(self.take_button)
        act.addWidget(self.accept_button)
        act.addWidget(self.reject_button)
        act.addStretch(1)
        act.addWidget(self.hint)
        act.addSpacing(12)
        act.addWidget(self.counts)
        bar = QVBoxLayout()
        bar.addLayout(choose)
        bar.addLayout(act)
        turn()  # (a stage of the window's build: startup.turning_while_building)
        self.preview = QLabel(self)
        self.preview.setObjectName("triagePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(256, 256)
        self.preview.setStyleSheet("background: #202124; color: #80868b")
        self.details = FaceDetailsPanel(self)
        side = QSplitter(Qt.Orientation.Vertical, self)
        side.addWidget(self.preview)
        side.addWidget(self.details)
        side.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("triageSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.rowsArrived.connect(self._on_rows_arrived)
        self.model.rowsShifted.connect(self._on_rows_shifted)
        self.model.modelReset.connect(self._after_reset)
        self.model.rowsInserted.connect(lambda *_: self._update_counts())
        store.facesChanged.connect(self._on_faces_changed)
        store.rowsRead.connect(self._on_rows_read)
        store.rulesChanged.connect(lambda _r: self._show_current())
        crops.ready.connect(self._on_crop_ready)
        self._decoded = decoded
        # Big crops for the preview only: a few, so thousands of faces do not fill memory.
        self._previews = AsyncPixmapCache(capacity=32, max_workers=1, parent=self)
        self._previews.ready.connect(self._on_crop_ready)
        # Counting walks every face: coalesce it off the key-press path.
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self._recount)
        self._shown_face: int | None = None
        self._loading: int | None = None  # the current face, its row awaited from the row worker
        self._counting = self._count_again = False  # a paged grid's count on the worker
        self._advances = 0  # A / R's moves on: only the latest one's answer moves the selection
        #: (advance, row) of a far look under way: the selection still on the face just decided
        self._looking: tuple[int, int] | None = None
        self.last_decision_latency: float | None = None
        self._update_counts()
        self.retranslate_ui()

    # -- current face -------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        """Set every text of the page (again, after a language change)."""
        labels = {
            "all": self.tr("All faces"),
            "pending": self.tr("Pending"),
            "qualified": self.tr("Qualified"),
            "unqualified": self.tr("Unqualified"),
            "unknown": self.tr("Unknown"),
            "accepted": self.tr("Accepted"),
            "rejected": self.tr("Rejected"),
            MINE: self.tr("My faces"),
        }
        for row, name in enumerate(TRIAGE_FILTERS):
            self.filter_combo.setItemText(row, labels[name])
        self.take_button.setText(self.tr("Take more"))
        self.take_button.setToolTip(
            self.tr(
                "Take {n} more pending faces that nobody else is reviewing (yours while this window is open)"
            ).format(n=self.my_faces.batch)
        )
        self.accept_button.setText(self.tr("Accept qualified"))
        self.accept_button.setToolTip(
            self.tr("Accept every pending qualified face of the selection (or of the current filter)")
        )
        self.reject_button.setText(self.tr("Reject unqualified"))
        self.reject_button.setToolTip(
            self.tr("Reject every pending unqualified face of the selection (or of the current filter)")
        )
        self.hint.setText(self.tr("A accept · R reject · S skip · Ctrl+Z undo · ? all keys"))
        self.hint.setToolTip(self.hint.text())
        self.show_label.setText(self.tr("Show:"))
        self.sort_label.setText(self.tr("Sort:"))
        for row, key in enumerate(FACE_SORTS):
            self.sort_combo.setItemText(row, sort_label(key))
        self.sort_order.setText("↓" if self.sort_order.isChecked() else "↑")
        self.sort_order.setToolTip(self.tr("Descending (largest first) / ascending"))
        self.size_slider.setToolTip(self.tr("Crop size"))
        self._update_counts()
        self._show_current()

    def _apply_filter(self) -> None:
        """Show the chosen faces; "My faces" takes a batch first when this operator holds none."""
        name = self.filter_combo.currentData()
        self.take_button.setVisible(name == MINE)
        self.my_faces.active = name == MINE
        if name == MINE and not self.my_faces.held():
            self.model.filter_name = MINE  # shown once the faces are taken (_on_taken)
            self.my_faces.take_more()
            return
        self.model.set_filter(name)

    def _on_taken(self, count: int) -> None:
        if self.model.filter_name == MINE:
            self.model.rebuild()
        if not count:
            self.hint.setText(self.tr("No pending face is free: the others hold the rest"))

    def _on_refilled(self, count: int) -> None:
        """The "My faces" list took the next batch by itself: say so."""
        if count:
            text = self.tr("Fewer than {n} of your faces were pending: took %n more", "", count)
            self.hint.setText(counted(text, count).format(n=self.my_faces.refill_below))

    def release_faces(self) -> None:
        """The window closes: give back the faces taken (see MyFaces)."""
        self.my_faces.release()

    def _apply_sort(self) -> None:
        self.sort_order.setText("↓" if self.sort_order.isChecked() else "↑")
        self.model.set_sort(self.sort_combo.currentData(), self.sort_order.isChecked())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def current_face_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(FACE_ID_ROLE) if index.isValid() else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()
        self.currentFaceChanged.emit(current.data(FACE_ID_ROLE) if current.isValid() else None)

    def _on_rows_shifted(self, first: int, last: int) -> None:
        """A go-to's rows moved from an estimated place to their counted one: the current face
        (moved along) is shown there."""
        current = self.view.currentIndex()
        if current.isValid() and first <= current.row() <= last:
            self.view.scrollTo(current, QListView.ScrollHint.EnsureVisible)

    def _on_rows_arrived(self, first: int, last: int) -> None:
        """The current row was a placeholder (its page read on the worker): now it has its face."""
        current = self.view.currentIndex()
        if current.isValid() and first <= current.row() <= last:
            self._on_current_changed(current, current)

    def _show_current(self) -> None:
        face_id = self.current_face_id()
        if face_id is None or not self._store.has_face(face_id):
            self._shown_face = self._loading = None
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("No face selected"))
            self.details.show_face(None, self._store.ruleset.name)
            return
        self._shown_face = face_id
        self._set_preview(face_id)
        self._loading = None
        if not self._readable(face_id):  # its row asked of the row worker: shown when it is in
            self._loading = face_id
            self._store.read_later(face_ids=[face_id])
            self.details.show_face(None, self._store.ruleset.name, self.tr("loading…"))
            return
        row = self.model.row_of(face_id)
        if row is not None:
            self._prefetch_next_preview(row)
        self.details.show_face(self._store.face(face_id), self._store.ruleset.name)
        self.faceShown.emit(face_id)

    def _readable(self, face_id: int) -> bool:
        """Whether the face's row is at hand: cached, or read here now (LazyIdModel.reads_later:
        a large grid on PostgreSQL reads none on the GUI thread; none is read here while the
        catalog's reads fail, nor raised when this one fails: asked of the row worker then)."""
        if self._store.face_cached(face_id):
            return True
        return not self.model.reads_later and self._store.rows_now(face_ids=[face_id])

    def _on_rows_read(self, _image_ids: list[int], face_ids: list[int]) -> None:
        """Rows read on the row worker are in: the current face shown if its row was awaited; asked
        again if the read that carried it was answered without it (sent before a decision or a
        change of its image: its answer is old and not kept; the change's own ask was taken as
        answered by that read)."""
        loading = self._loading
        if loading is None or loading != self.current_face_id():
            return
        if self._store.face_cached(loading):
            self._show_current()
        elif loading in face_ids:  # (a face with no row is not asked again: StoreRows._unread)
            self._store.read_later(face_ids=[loading])

    def _set_preview(self, face_id: int) -> None:
        """The large preview: the sharp big crop when ready, the grid's crop until then.

        The big crop matters: judging blur from an upscaled thumbnail misleads.
        """
        big = self._previews.get(preview_key(face_id))
        pixmap = big if big is not None else self._crops.get(crop_key(face_id))
        if big is None:
            self._request_preview(face_id)
        if pixmap is None:
            row = self.model.row_of(face_id)
            if row is not None:
                self.model.crop(row)
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("loading…"))
            return
        side = max(64, min(self.preview.width(), self.preview.height()) - 8)
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if big is not None
            else Qt.TransformationMode.FastTransformation
        )
        self.preview.setPixmap(pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, mode))

    def preview_pixmap(self, face_id: int) -> QPixmap | None:
        """The sharp preview crop of a face, if rendered."""
        return self._previews.get(preview_key(face_id))

    def _request_preview(self, face_id: int) -> None:
        if not self._store.has_face(face_id) or not self._readable(face_id):
            return  # (not read yet: asked again once it is, _on_rows_read)
        face = self._store.face(face_id)
        image_row, canonical, read, decoded = face.image, face.face, self._store.read_bytes, self._decoded
        self._previews.request(
            preview_key(face_id),
            lambda: render_face_crop(image_row, canonical, read, decoded, side=PREVIEW_CROP_SIDE),
        )

    def _prefetch_next_preview(self, from_row: int) -> None:
        """Render the big crop of the next pending face before the operator gets there: among
        the rows the grid holds (a paged grid's page not read yet is not read for it here, on the
        GUI thread: in "Accepted", where no face is pending, every PgDown read its next page so,
        a walk of up to 5 440 images at 1M on PostgreSQL) whose rows are read (nor a row by id)."""
        count = self.model.rowCount()
        for offset in range(1, min(count, 50)):
            row = (from_row + offset) % count
            face_id = self.model.held_id(row)
            if face_id is None or not self._readable(face_id):
                return
            if self._store.face(face_id).decision == "pending":
                if self._previews.get(preview_key(face_id)) is None:
                    self._request_preview(face_id)
                return

    def _on_crop_ready(self, key: str) -> None:
        if self._shown_face is not None and key in (
            crop_key(self._shown_face),
            preview_key(self._shown_face),
        ):
            self._set_preview(self._shown_face)

    def _after_reset(self) -> None:
        self._update_counts()
        if self.model.rowCount():
            self.view.move_to_row(0)
        else:
            self._show_current()

    def _on_faces_changed(self, face_ids: list[int]) -> None:
        self._update_counts()
        shown = self._shown_face
        if shown in face_ids and self._readable(shown):  # (else asked: shown when in, _on_rows_read)
            self.details.show_face(self._store.face(shown), self._store.ruleset.name)
        elif shown in face_ids:
            self._loading = shown
            self._store.read_later(face_ids=[shown])

    def _update_counts(self) -> None:
        self._counts_timer.start()

    def _recount(self) -> None:
        source, listed = self.model.face_pages(), self.model.listed
        if source is not None or listed is not None:  # a large source's grid: no id list made here
            if self._counting:  # (a count of a million faces takes seconds: one at a time)
                self._count_again = True
                return
            self._counting, self._count_again = True, False
            shown = self.model.rowCount()
            if source is not None:  # counted in SQL
                pending = lambda c: source.count(c, pending=True)  # noqa: E731
                self._store.count_source(pending, lambda p: self._counted(shown, p))
            else:  # a listed view (a Find, a verdict filter): its ids read from its file on the worker
                # (on the GUI thread a million ids took ~100 ms, the longest stall at 1M's open)
                assert listed is not None
                ids_of = listed.id_array

                def among(catalog: Catalog) -> int | None:
                    try:
                        return pending_among(catalog, ids_of()[:shown])
                    except OSError:  # (closed meanwhile: another view shown, counted then)
                        return None

                self._store.count_source(among, lambda p: self._counted(shown, p))
            return
        ids = self.model.id_snapshot()
        # SQL on the store's query worker: no row is read, the GUI thread never waits.
        self._store.pending_count_later(ids, lambda pending: self._show_counts(len(ids), pending))

    def _counted(self, faces: int, pending: object) -> None:
        self._counting = False
        if pending is not None:
            self._show_counts(faces, pending)
        if self._count_again:  # changed while counting: once more
            self._recount()

    def _show_counts(self, faces: int, pending: object) -> None:
        self.counts.setText(self.tr("{n} faces · {p} pending").format(n=faces, p=pending))

    # -- decisions ------------------------------------------------------------------------------

    def target_face_ids(self) -> list[int]:
        """Selected faces in model order (the current face when nothing else is selected)."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedIndexes())
        if rows:
            return [self.model.face_id(row) for row in rows]
        current = self.current_face_id()
        return [current] if current is not None else []

    def scope_face_ids(self) -> list[int]:
        """Bulk scope: the selection when more than one face is selected, else the filter."""
        selected = self.view.selectionModel().selectedIndexes()
        if len(selected) > 1:
            return [self.model.face_id(index.row()) for index in selected]
        return self.model.ids()

    def decide_current(self, state: str, *, include_held: bool = False) -> None:
        """Decide the selected faces (store commits first), then advance to the next pending one.

        Raises:
            FaceHeldError: another operator holds one of them (``include_held``: decide anyway).
        """
        started = time.perf_counter()
        if self._looking is not None:
            if self._looking == (self._advances, self.view.currentIndex().row()):
                self._say_looking()  # (a key pressed for the next face would decide the last again)
                return
            self._looking = None  # (the operator moved on by hand meanwhile)
        targets = self.target_face_ids()
        if not targets:
            return
        if state in ("accepted", "rejected"):
            self._store.decide(targets, state, include_held=include_held)
        last_row = max(self.model.row_of(i) or 0 for i in targets)
        self.advance(last_row)
        self.last_decision_latency = time.perf_counter() - started

    def advance(self, from_row: int) -> None:
        """Move to the next pending face after ``from_row`` (wrapping); with none pending in the
        grid the selection stays, and the status bar says so.

        The next :data:`~facecurator.gui.next_pending.NEAR` rows first, if held (their rows read
        in one go); beyond them an id list is walked a batch of rows at a time
        (:data:`NEXT_PENDING_BATCHES`: it walked a row and a read at a time), and a large grid (a
        page or a listed view's file held at a time) asks the catalog on the query worker
        (:func:`~facecurator.gui.next_pending.look_later`: it walked page after page on the GUI
        thread, 37 pages at 1M on "Accepted" each time, then only its held pages)."""
        count = self.model.rowCount()
        if count == 0:
            return
        self._advances += 1
        advance, current = self._advances, self.view.currentIndex().row()
        large = self.model.is_paged
        near = min(NEAR, count) if large else count
        if (row := self._pending_among(from_row, count, near)) is not None:
            self.view.move_to_row(row)
            return

        def answered(found: Found) -> None:
            if advance != self._advances or self.view.currentIndex().row() != current:
                return  # (moved meanwhile: by a key, a go-to, another decision)
            if found is None:
                self._say_none_pending()
            elif found[1] is not None:
                self.view.move_to_row(found[1])
            else:  # (far from every sampled key: the grid's go-to)
                self.model.row_later(found[0], self.view.move_to_row)

        def done() -> None:
            if self._looking is not None and self._looking[0] == advance:
                self._looking = None
                self._say_looking(over=True)

        if not large:
            self._say_none_pending()
            return
        self._looking = (advance, current)  # (before: a look answered at once is done at once)
        if not look_later(self._store, self.model, from_row, answered, done):
            self._looking = None
            self.view.move_to_row(min(from_row + 1, count - 1))  # (not a grid of the catalog's faces)
        elif self._looking is not None:
            self._say_looking()

    def _pending_among(self, from_row: int, count: int, near: int) -> int | None:
        """The first row of the ``near`` rows after ``from_row`` (wrapping) whose face is pending,
        a batch of rows read at a time; a row not held ends the look (None)."""
        first, batch = NEXT_PENDING_BATCHES
        looked, step = 0, first
        while looked < near:
            rows = [(from_row + offset) % count for offset in range(looked + 1, min(near, looked + step) + 1)]
            looked, step = looked + len(rows), batch
            faces = [(row, self.model.held_id(row)) for row in rows]
            self._store.prefetch_faces([face for _, face in faces if face is not None])
            for row, face in faces:
                if face is None:
                    return None
                if self._store.face(face).decision == "pending":
                    return row
        return None

    def _say_looking(self, *, over: bool = False) -> None:
        """While a far look is under way the status bar says so (A / R wait for it); ``over``:
        the look ended, the saying is taken back if it is still shown."""
        window = self.window()
        if isinstance(window, QMainWindow):
            text = self.tr("Looking for the next pending face…")
            if not over:
                window.statusBar().clearMessage()  # (said again when asked again: a key pressed)
                window.statusBar().showMessage(text)
            elif window.statusBar().currentMessage() == text:
                window.statusBar().clearMessage()

    def _say_none_pending(self) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(self.tr("No pending face left in this view"), 5000)

    def select_face(self, face_id: int) -> bool:
        """Whether the grid shows ``face_id``; if so it becomes current (at once, or in a paged
        grid far from every sampled key when the query worker has counted its row)."""
        return self.model.row_later(face_id, self.view.move_to_row)
