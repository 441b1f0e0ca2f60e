"""The main window: sources, gallery + image view, triage, detection runs, problems, log.

The window is split along its seams: its docks and status widgets are in
:mod:`~facecurator.gui.docks`, its actions / toolbar / menus in
:mod:`~facecurator.gui.actions`, opening sources in :mod:`~facecurator.gui.window_sources`,
its detection runs in :mod:`~facecurator.gui.runs`
(paid runs priced and confirmed by :mod:`~facecurator.gui.paid_run`, through
signals). Optional panels (rules editor, statistics, export dialog) live in their own
modules and are opened through :data:`~facecurator.gui.actions.OPTIONAL_PANELS`: each module exposes
``open_<name>(window: MainWindow) -> None`` and may use ``window.store``
(reviewed data, ``set_ruleset``, signals), ``window.notifier`` and
:meth:`MainWindow.scope_faces` (the faces of the current page's filter).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Final

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facecurator import paths
from facecurator.domain.rules import DEFAULT_PRESET, RuleSet, load_rules
from facecurator.errors import FacecuratorError
from facecurator.gui.core_errors import core_message, error_line
from facecurator.gui.decision_watch import DecisionWatcher
from facecurator.gui.docks import LogDock, ProblemsDock
from facecurator.gui.empty_state import EmptyState
from facecurator.gui.face_details import FaceDetailsPanel
from facecurator.gui.filter_bar import FilterBar
from facecurator.gui.gallery import GalleryModel, GalleryView
from facecurator.gui.gallery_delegate import IMAGE_ID_ROLE
from facecurator.gui.gallery_header import GalleryHeader
from facecurator.gui.image_view import ImageView
from facecurator.gui.keymap import KeyMap
from facecurator.gui.label_list import with_label_list
from facecurator.gui.latency import favour_the_gui_thread
from facecurator.gui.logs import Notice, Notifier
from facecurator.gui.review_keys import ReviewKeys
from facecurator.gui.shortcut_sheet import ShortcutSheet
from facecurator.gui.startup import turn
from facecurator.gui.store import IMAGE_FILTERS, IMAGE_SORTS, CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache, DecodedImageCache
from facecurator.gui.triage import TriagePage
from facecurator.gui.triage_model import FACE_ID_ROLE
from facecurator.gui.window_sources import WindowSources, _OpenRequest
from facecurator.services.catalog import Catalog

log = logging.getLogger("facecurator.gui.window")

ENV_QT_ORG: Final = "FACECURATOR_QT_ORG"
# Memory caches: a screen shows ~60 cells, so these keep many screens of scroll-back.
THUMB_CACHE_ITEMS: Final = 2000
THUMB_CACHE_BYTES: Final = 192 * 1024 * 1024
CROP_CACHE_ITEMS: Final = 3000
CROP_CACHE_BYTES: Final = 128 * 1024 * 1024
#: "Cannot show" lines remembered to post one a file: a Triage page of a moved folder failed
#: each face crop of an image apart (three lines a photo of three faces, each a Log-dock line).
RECENT_RENDER_NOTICES: Final = 512


def make_settings() -> QSettings:
    """Window state storage: ``<config dir>/gui.ini`` (the file the language choice
    uses too). Tests and portable installs move it with ``FACECURATOR_CONFIG_DIR``."""
    return QSettings(str(paths.config_dir() / "gui.ini"), QSettings.Format.IniFormat)


class MainWindow(WindowSources):
    """The facecurator window over one catalog."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        ruleset: RuleSet | None = None,
        notifier: Notifier | None = None,
        settings: QSettings | None = None,
        auto_scan: bool | None = None,
    ) -> None:
        super().__init__()
        favour_the_gui_thread()
        self.setObjectName("mainWindow")
        self.setWindowTitle("facecurator")
        self.setAcceptDrops(True)
        self.settings = settings or make_settings()
        self.notifier = notifier or Notifier(self)
        if auto_scan is None:
            auto_scan = bool(self.settings.value("autoScan", True, type=bool))
        self.auto_scan = bool(auto_scan)
        #: compute face embeddings by default where they apply (Detect menu; scan --no-identities)
        self.identity_embeddings = bool(self.settings.value("identityEmbeddings", True, type=bool))
        if ruleset is None:
            ruleset = self._initial_ruleset()
        self.store = CurationStore(catalog, ruleset, self)
        self.decision_watch = DecisionWatcher(self.store, self)  # other operators (a shared catalog)
        self.decoded = DecodedImageCache()
        self.thumbnails = AsyncPixmapCache(THUMB_CACHE_ITEMS, max_bytes=THUMB_CACHE_BYTES, parent=self)
        self.crops = AsyncPixmapCache(CROP_CACHE_ITEMS, max_bytes=CROP_CACHE_BYTES, parent=self)
        self.thumbnails.failed.connect(self._on_render_failed)
        self.crops.failed.connect(self._on_render_failed)
        self.source_profile: str | None = None
        self._opening: _OpenRequest | None = None
        self._reported_render_errors: set[str] = set()
        #: the latest "Cannot show" lines posted: one a file, not one a face crop of it too
        self._recent_render_notices: OrderedDict[str, None] = OrderedDict()
        turn()  # the splash keeps turning between the stages of the build (run_gui)
        self._build_gallery_page()
        turn()
        self.triage = TriagePage(self.store, self.crops, self.decoded, self)
        turn()
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("pages")
        self.tabs.addTab(self.gallery_page, "")  # texts: retranslate_ui()
        self.tabs.addTab(self.triage, "")
        self.tabs.currentChanged.connect(self._on_page_changed)
        # One filter bar over both pages: the gallery shows images with a matching face,
        # triage the matching faces (the statistics' bars set it too).
        self.filter_bar = FilterBar(self.store.ruleset, self)
        self.filter_bar.filterChanged.connect(self._on_face_filter)
        for grid in (self.gallery_model, self.triage.model):  # a filter the catalog cannot answer
            grid.faceFilterFailed.connect(self.filter_bar.show_grid_problem)
        self.store.rulesChanged.connect(self.filter_bar.set_ruleset)
        self.gallery_model.findProgress.connect(self.filter_bar.show_progress)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.filter_bar)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.problems = ProblemsDock(self.store, self)
        self.problems.imageActivated.connect(self.show_image)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems)
        self.log_dock = LogDock(self.notifier, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.tabifyDockWidget(self.problems, self.log_dock)
        self.problems.raise_()
        turn()
        self._build_runs()
        # Busy indicator while the store loads a source or re-evaluates the rules.
        self.busy_label = QLabel(self)
        self.busy_label.setObjectName("busyLabel")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)  # indeterminate
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setTextVisible(False)
        self.busy_label.hide()
        self.busy_bar.hide()
        self.counts_label = QLabel(self)
        #: while the row worker's reads fail (the server gone): which read, why, when tried again
        self.row_failure_label = QLabel(self)
        self.row_failure_label.setObjectName("rowFailureLabel")
        self.row_failure_label.setMaximumWidth(480)  # (a long error: cut here, whole in its tooltip)
        self.row_failure_label.hide()
        self._counts_timer = QTimer(self)  # counting walks every face: keep it off the key path
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self._recount)
        status = (
            self.row_failure_label, self.busy_label, self.busy_bar, self.counts_label, self.paid_calls_label
        )  # fmt: skip
        for widget in (*status, self.decision_watch.team_label):  # (team: a shared scan's machines)
            self.statusBar().addPermanentWidget(widget)

        turn()
        self._build_actions()
        self._build_toolbar()
        turn()
        self._build_menus()
        self._build_keys()
        turn()
        # the gallery replaces the first-start panel as soon as the ids are listed (a view the
        # gallery lists as the open begins: at once, its first rows come before the ids)
        self.store.sourceOpening.connect(lambda _root: self._update_empty_state())
        self.store.sourceImagesListed.connect(lambda _root: self._update_empty_state())
        self.store.sourceChanged.connect(lambda _root: self._update_empty_state())
        self.store.loadFailed.connect(lambda _kind, _exc: self._update_empty_state())
        self._update_empty_state()

        self.notifier.posted.connect(self._show_notice)
        self._connect_runs()
        self.store.sourceChanged.connect(lambda _r: self._update_counts())
        self.store.sourceImagesListed.connect(self._on_source_shown)  # the gallery paints it
        self.store.sourceListed.connect(self._on_source_loaded)  # its faces too: the source is open
        self.store.busyChanged.connect(self._on_busy_changed)
        self.store.rowReadFailed.connect(lambda _failure: self._show_row_failure())
        self.store.loadFailed.connect(self._on_load_failed)
        self.store.imagesAdded.connect(lambda _ids: self._update_counts())
        self.store.imagesListed.connect(lambda _ids: self._update_counts())
        self.store.imagesChanged.connect(lambda _ids: self._update_counts())  # a listed image read
        self.store.facesChanged.connect(lambda _ids: self._update_counts())
        self.store.rulesChanged.connect(lambda _r: self._update_counts())
        self.triage.view.decisionRequested.connect(self.triage_decide)
        self.triage.bulkRequested.connect(self.bulk_decide)
        self.triage.view.doubleClicked.connect(
            lambda index: self.open_face_in_gallery(index.data(FACE_ID_ROLE)) if index.isValid() else None
        )
        self.retranslate_ui()
        turn()
        self._restore_state()
        self.update_paid_calls()

    # -- construction --------------------------------------------------------------------------

    def _initial_ruleset(self) -> RuleSet:
        name = str(self.settings.value("rules", DEFAULT_PRESET))
        try:
            return load_rules(name)
        except FacecuratorError as exc:
            self.notifier.warning(
                self.tr("Rules {name}: {error}; using {default}").format(
                    name=name, error=core_message(exc), default=DEFAULT_PRESET
                )
            )
            return load_rules(DEFAULT_PRESET)

    def _build_gallery_page(self) -> None:
        self.gallery_model = GalleryModel(self.store, self.thumbnails, self)
        self.gallery = GalleryView(self.gallery_model, self.thumbnails, self)
        self.image_view = ImageView(self.store, self.thumbnails, self.decoded, self)
        self.details = FaceDetailsPanel(self)
        header = self.gallery_header = GalleryHeader(self.gallery_model, self.gallery, self)
        self.filter_combo, self.sort_combo = header.filter_combo, header.sort_combo
        self.show_label, self.sort_label = header.show_label, header.sort_label
        self.thumb_slider = header.thumb_slider
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(header)
        left_layout.addWidget(self.gallery, 1)
        self.gallery_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.gallery_splitter.setObjectName("gallerySplitter")
        self.gallery_splitter.addWidget(left)
        image_pane, self.label_list = with_label_list(self.image_view, self)
        self.gallery_splitter.addWidget(image_pane)
        self.gallery_splitter.addWidget(self.details)
        self.gallery_splitter.setStretchFactor(0, 2)
        self.gallery_splitter.setStretchFactor(1, 3)
        self.gallery_splitter.setStretchFactor(2, 1)
        self.gallery_splitter.setSizes([520, 760, 300])
        self.gallery_page = QWidget(self)
        page_layout = QVBoxLayout(self.gallery_page)
        page_layout.setContentsMargins(4, 4, 4, 4)
        page_layout.addWidget(self.gallery_splitter)
        self.empty_state = EmptyState(lambda: self.choose_folder(), lambda: self.choose_source(), self)
        self.empty_state.recentChosen.connect(lambda text: self.open_source(text))
        page_layout.addWidget(self.empty_state)
        self.gallery.currentImageChanged.connect(self._on_current_image_changed)
        self._image_awaited: int | None = None
        #: the face (or None: the shown image) whose details wait for its row from the row worker
        self._details_awaited: tuple[int | None] | None = None
        self.store.rowsRead.connect(self._on_rows_read)
        self.image_view.faceHovered.connect(self._on_face_hovered)
        self.image_view.faceSelected.connect(self._on_face_selected)
        self.store.rulesChanged.connect(lambda _r: self._refresh_details())
        self.store.facesChanged.connect(lambda _ids: self._refresh_details())

    def _update_empty_state(self) -> None:
        """The first-start panel while no source is open; the gallery once one is (or once
        it lists the view of one being opened)."""
        empty = self.store.source_root is None and not self.gallery_model.listing_early
        self.empty_state.set_recent(self.recent_sources())
        self.empty_state.setVisible(empty)
        self.gallery_splitter.setVisible(not empty)

    def _build_keys(self) -> None:
        """The review keys (one model for Gallery, image view and Triage) and their sheet."""
        self.keymap = KeyMap(self.settings, self)
        self.review_keys = ReviewKeys(self, self.keymap)
        self.shortcuts_action = QAction(self)
        self.shortcuts_action.setObjectName("shortcutSheet")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.addAction(self.shortcuts_action)
        self.help_menu.insertAction(self.help_menu.actions()[0], self.shortcuts_action)
        self.keymap.changed.connect(self._apply_key_shortcuts)
        self._apply_key_shortcuts()

    def _apply_key_shortcuts(self) -> None:
        self.undo_action.setShortcuts(self.keymap.shortcuts("undo"))
        self.shortcuts_action.setShortcuts(self.keymap.shortcuts("shortcuts"))

    def show_shortcuts(self) -> ShortcutSheet:
        """The sheet of review keys (``?`` / ``F1``), where they are remapped."""
        sheet = ShortcutSheet(self.keymap, self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.open()
        return sheet

    def open_face_in_gallery(self, face_id: int | None) -> None:
        """Show a face's image in the gallery page with that face selected."""
        if face_id is None or not self.store.has_face(face_id):
            return
        self.show_image(self.store.face(face_id).image.id)
        self.image_view.select_face(face_id)
        self.image_view.setFocus()

    def retranslate_ui(self) -> None:
        """Set every text of the window's own widgets (again, after a language change).

        Panels, dialogs, docks and the triage page translate themselves on the
        same ``LanguageChange`` event.
        """
        self.tabs.setTabText(self.tabs.indexOf(self.gallery_page), self.tr("Gallery"))
        self.tabs.setTabText(self.tabs.indexOf(self.triage), self.tr("Triage"))
        filter_labels = {
            "all": self.tr("All images"),
            "pending": self.tr("With pending faces"),
            "qualified": self.tr("With qualified faces"),
            "unqualified": self.tr("With unqualified faces"),
            "accepted": self.tr("With accepted faces"),
            "rejected": self.tr("With rejected faces"),
            "errors": self.tr("Errors"),
        }
        for row, name in enumerate(IMAGE_FILTERS):
            self.filter_combo.setItemText(row, filter_labels[name])
        sort_labels = {
            "name": self.tr("Name"),
            "group": self.tr("Person (folder)"),
            "faces": self.tr("Most faces"),
            "blur": self.tr("Sharpest first"),
            "problems": self.tr("Problems first"),
        }
        for row, key in enumerate(IMAGE_SORTS):
            self.sort_combo.setItemText(row, sort_labels[key])
        self.show_label.setText(self.tr("Show:"))
        self.sort_label.setText(self.tr("Sort:"))
        self.gallery_header.show_count()
        self.thumb_slider.setToolTip(self.tr("Thumbnail size"))

        self._retranslate_actions()
        self.shortcuts_action.setText(self.tr("Keyboard shortcuts…"))

        self._on_busy_changed(self.store.busy)
        self._show_row_failure()
        self._update_counts()
        self._set_paid_calls_text()
        self._refresh_details()

    def changeEvent(self, event: QEvent) -> None:
        # (a window whose construction failed, e.g. on a read-only catalog, has nothing to retranslate)
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "tabs"):
            self.retranslate_ui()
        super().changeEvent(event)

    # -- gallery / image view ------------------------------------------------------------------------

    def _on_current_image_changed(self, image_id: int | None) -> None:
        self._image_awaited = None
        later = self.gallery_model.reads_later  # (a large gallery's row, or while reads fail: the worker's)
        if (
            image_id is not None
            and not self.store.cached(image_id)
            and not self.store.rows_now(image_ids=[image_id], later=later)
        ):
            self._image_awaited = image_id  # read on the row worker, shown when in
            self.image_view.show_loading()
            self._refresh_details()
            return
        self.image_view.show_image(image_id)
        faces = (
            self.store.image(image_id).faces
            if image_id is not None and self.store.has_image(image_id)
            else []
        )
        if len(faces) == 1:
            self.image_view.select_face(faces[0].id)
        else:
            self._refresh_details()

    def _on_rows_read(self, image_ids: list[int], _face_ids: list[int]) -> None:
        """The gallery's current image awaited its row from the row worker: now shown; asked again
        if the read that carried it was answered without it (sent before a change of the image:
        its answer is old and not kept)."""
        if self._details_awaited is not None:
            (face_id,), self._details_awaited = self._details_awaited, None
            self._show_face_details(face_id)
        awaited = self._image_awaited
        if awaited is None or self.gallery.currentIndex().data(IMAGE_ID_ROLE) != awaited:
            return
        if self.store.cached(awaited):
            self._on_current_image_changed(awaited)
        elif awaited in image_ids:  # (an image with no row is not asked again: StoreRows._unread)
            self.store.read_later(image_ids=[awaited])

    def show_image(self, image_id: int) -> None:
        """Show one image in the gallery page (switching the filter if it hides it)."""
        self.tabs.setCurrentIndex(0)
        if not self.gallery.select_image(image_id):
            self.filter_combo.setCurrentIndex(IMAGE_FILTERS.index("all"))
            self.gallery.select_image(image_id)
        self.image_view.show_image(image_id)

    def _on_face_hovered(self, face_id: int | None) -> None:
        self._show_face_details(face_id if face_id is not None else self.image_view.selected_face)

    def _on_face_selected(self, face_id: int | None) -> None:
        self._show_face_details(face_id)

    def _refresh_details(self) -> None:
        self._show_face_details(self.image_view.selected_face)

    def _details_later(self, face_id: int | None) -> bool:
        """Whether the row the details need (the face's, or the shown image's for its placeholder),
        not in memory after a change (a decision forgets its image's row), is asked of the store's
        row worker: on PostgreSQL, not read by id on the GUI thread (:meth:`_on_rows_read` shows
        them once it is in); SQLite reads it now."""
        self._details_awaited = None
        if not self.store.rows_later:
            return False
        image_id = self.image_view.image_id
        if face_id is not None and self.store.has_face(face_id):
            if self.store.face_cached(face_id):
                return False
            self.store.read_later(face_ids=[face_id])
            asked = self.store.read_pending(face_ids=[face_id])
        elif image_id is not None and not self.store.cached(image_id) and self.store.has_image(image_id):
            self.store.read_later(image_ids=[image_id])
            asked = self.store.read_pending(image_ids=[image_id])
        else:
            return False
        if asked:  # (else no such row: read now, as before)
            self._details_awaited = (face_id,)
        return asked

    def _show_face_details(self, face_id: int | None) -> None:
        if self._details_later(face_id):
            return
        if face_id is not None and self.store.has_face(face_id):
            self.details.show_face(self.store.face(face_id), self.store.ruleset.name)
        else:
            placeholder = None
            if self.image_view.image_id is not None and self.store.has_image(self.image_view.image_id):
                image = self.store.image(self.image_view.image_id)
                if image.row.status != "ok":
                    placeholder = error_line(image.row.error) if image.row.error else None
                elif not image.faces:
                    placeholder = self.tr("No face detected in this image.")
            self.details.show_face(None, self.store.ruleset.name, placeholder)

    # -- rules --------------------------------------------------------------------------------------

    def set_rules(self, name_or_ruleset: str | RuleSet) -> bool:
        """Switch the rule set: every face is re-evaluated and every view re-coloured."""
        try:
            ruleset = load_rules(name_or_ruleset) if isinstance(name_or_ruleset, str) else name_or_ruleset
            self.store.set_ruleset(ruleset)
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Rules: {error}").format(error=core_message(exc)))
            self._fill_rules_combo()
            return False
        self.settings.setValue("rules", ruleset.name)
        index = self.rules_combo.findData(ruleset.name)
        if index < 0:
            self.rules_combo.addItem(ruleset.name, ruleset.name)
            index = self.rules_combo.count() - 1
        self.rules_combo.setCurrentIndex(index)
        self.statusBar().showMessage(self.tr("Rules: {name}").format(name=ruleset.name), 4000)
        return True

    # -- notices ------------------------------------------------------------------------------------

    def _show_row_failure(self) -> None:
        """Say so while the rows shown cannot be read (their cells and the current face / image
        say "loading…"), hide it once a read is answered again."""
        failure = self.store.row_failure
        self.row_failure_label.setVisible(failure is not None)
        if failure is None:
            return
        text = self.tr(
            "Reading the rows shown from the catalog failed (images: {images}, faces: {faces}):"
            " {error} — trying again in {seconds} s"
        ).format(
            images=failure.images,
            faces=failure.faces,
            error=core_message(failure.error),
            seconds=f"{failure.retry_ms / 1000:g}",
        )
        self.row_failure_label.setText(text)
        self.row_failure_label.setToolTip(text)

    def _show_notice(self, notice: Notice) -> None:
        self.statusBar().showMessage(notice.text, 8000 if notice.level < logging.WARNING else 15000)

    def _on_render_failed(self, key: str, message: str) -> None:
        if self.scanner.running and self.gallery_model.not_read_yet(key):
            return  # the scan reads it next and lists why it failed (no notice at every bad file)
        if key in self._reported_render_errors:
            return
        self._reported_render_errors.add(key)
        text = self.tr("Cannot show {what}").format(what=error_line(message))
        recent = self._recent_render_notices
        if text in recent:  # another face crop (or the thumbnail) of the same file: said already
            recent.move_to_end(text)
            return
        recent[text] = None
        while len(recent) > RECENT_RENDER_NOTICES:
            recent.popitem(last=False)
        self.notifier.warning(text)

    def _update_counts(self) -> None:
        self._counts_timer.start()

    def _recount(self) -> None:
        self.store.counts_later(self._show_counts)  # SQL on a worker: no row is read

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts_label.setText(
            self.tr("{images} images · {faces} faces · {pending} pending").format(
                images=counts["images"], faces=counts["faces"], pending=counts["pending"]
            )
        )

    def _on_page_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.triage:
            self.triage.view.setFocus()
            if not self.triage.view.currentIndex().isValid() and self.triage.model.rowCount():
                self.triage.view.move_to_row(0)

    # -- state ----------------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1500, 900)
        state = self.settings.value("window/state")
        if not (isinstance(state, QByteArray) and self.restoreState(state)):
            self.resizeDocks([self.problems], [150], Qt.Orientation.Vertical)
        for name, splitter in (("gallery", self.gallery_splitter), ("triage", self.triage.splitter)):
            value = self.settings.value(f"window/{name}Splitter")
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        for key, act in self.overlay_actions.items():
            checked = self.settings.value(f"overlay/{key}", True, type=bool)
            act.setChecked(bool(checked))
            self.image_view.set_overlay_options(**{key: bool(checked)})
        tab = self.settings.value("window/page", 0, type=int)
        self.tabs.setCurrentIndex(int(tab) if tab in (0, 1) else 0)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/gallerySplitter", self.gallery_splitter.saveState())
        self.settings.setValue("window/triageSplitter", self.triage.splitter.saveState())
        self.settings.setValue("window/page", self.tabs.currentIndex())
        self.settings.sync()

    def shutdown(self, timeout_ms: int = 60_000) -> None:
        """Cancel a running scan and wait for it (in-flight images are stored)."""
        self.paid_run.cancel()
        if self.scanner.running:
            self.scanner.cancel()
            self.scanner.wait(timeout_ms)
        self.decision_watch.stop()
        self.triage.release_faces()
        self.store.shutdown(timeout_ms)  # a pending open / rule change is dropped
        self.thumbnails.retain(set())
        self.crops.retain(set())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_toolbars()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.shutdown()
        super().closeEvent(event)
