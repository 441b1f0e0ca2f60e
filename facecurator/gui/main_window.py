"""The main window: sources, gallery + image view, triage, detection runs, problems, log.

Optional panels (rules editor, statistics, export dialog) live in their own
modules and are opened through :data:`OPTIONAL_PANELS`: each module exposes
``open_<name>(window: MainWindow) -> None`` and may use ``window.store``
(reviewed data, ``set_ruleset``, signals), ``window.notifier`` and
:meth:`MainWindow.scope_faces` (the faces of the current page's filter).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QEvent, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from facecurator import __version__, paths
from facecurator.detect.registry import is_cloud
from facecurator.domain.rules import DEFAULT_PRESET, RuleSet, list_presets, load_rules
from facecurator.errors import FacecuratorError
from facecurator.gui.face_details import FaceDetailsPanel
from facecurator.gui.gallery import GalleryModel, GalleryView
from facecurator.gui.i18n import LANGUAGES, language_menu
from facecurator.gui.image_view import ImageView
from facecurator.gui.latency import favour_the_gui_thread
from facecurator.gui.logs import Notice, Notifier, log_dir
from facecurator.gui.scan import (
    CostQuestion,
    ScanController,
    detector_available,
    detector_description,
    detector_names,
)
from facecurator.gui.source_chooser import SourceChooser
from facecurator.gui.store import IMAGE_FILTERS, IMAGE_SORTS, CurationStore
from facecurator.gui.thumbnails import AsyncPixmapCache, DecodedImageCache
from facecurator.gui.triage import TriagePage
from facecurator.services.catalog import Catalog
from facecurator.services.jobs import ScanProgress, ScanReport
from facecurator.services.review import ReviewedFace
from facecurator.sources import source_kind

log = logging.getLogger("facecurator.gui.window")

ENV_QT_ORG: Final = "FACECURATOR_QT_ORG"
MAX_RECENT: Final = 10
#: Memory caches: a screen shows ~60 cells, so these keep many screens of scroll-back.
THUMB_CACHE_ITEMS: Final = 2000
THUMB_CACHE_BYTES: Final = 192 * 1024 * 1024
CROP_CACHE_ITEMS: Final = 3000
CROP_CACHE_BYTES: Final = 128 * 1024 * 1024

#: (key, menu text (translated in retranslate_ui), module, function, shortcut) of the panels
#: written as separate modules.
OPTIONAL_PANELS: Final = (
    (
        "rules_editor",
        QT_TRANSLATE_NOOP("MainWindow", "Rules editor…"),
        "facecurator.gui.rules_editor",
        "open_rules_editor",
        "Ctrl+E",
    ),
    (
        "statistics",
        QT_TRANSLATE_NOOP("MainWindow", "Statistics"),
        "facecurator.gui.stats",
        "open_statistics",
        "Ctrl+I",
    ),
    (
        "export",
        QT_TRANSLATE_NOOP("MainWindow", "Export…"),
        "facecurator.gui.export_dialog",
        "open_export_dialog",
        "Ctrl+Shift+E",
    ),
)


def make_settings() -> QSettings:
    """Window state storage: ``<config dir>/gui.ini`` (the file the language choice
    uses too). Tests and portable installs move it with ``FACECURATOR_CONFIG_DIR``."""
    return QSettings(str(paths.config_dir() / "gui.ini"), QSettings.Format.IniFormat)


def _panel_available(module_name: str, function: str) -> bool:
    """Whether an optional panel module exists and exposes its ``open_*`` hook."""
    if importlib.util.find_spec(module_name) is None:
        return False
    try:
        module = importlib.import_module(module_name)
    except Exception:
        log.exception("cannot import %s", module_name)
        return False
    return callable(getattr(module, function, None))


def _format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class _OpenRequest:
    """What ``open_source`` was asked, kept until the store has loaded the source."""

    text: str
    root: str
    profile: str | None
    scan: bool | None


class ScanStatus(QWidget):
    """Status-bar widget: progress bar, count / rate / ETA text and a cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("scanProgress")
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.label = QLabel(self)
        self.label.setObjectName("scanProgressText")
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelScan")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_progress(self, progress: ScanProgress) -> None:
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
            count = f"{progress.done}/{progress.total}"
        else:
            self.bar.setRange(0, 0)  # busy: the source is still being listed
            count = str(progress.done)
        failed = self.tr(" · {n} failed").format(n=progress.failed) if progress.failed else ""
        self.label.setText(
            self.tr("{count} images · {rate:.1f}/s · ETA {eta}{failed}").format(
                count=count, rate=progress.rate, eta=_format_seconds(progress.eta), failed=failed
            )
        )


class ProblemsDock(QDockWidget):
    """Images that failed (unreadable, unsupported, detector error) with their reasons."""

    imageActivated = Signal(int)

    def __init__(self, store: CurationStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsDock")
        self._store = store
        self.list = QListWidget(self)
        self.list.setObjectName("problemsList")
        self.list.itemActivated.connect(self._activated)
        self.list.itemDoubleClicked.connect(self._activated)
        self.setWidget(self.list)
        self._items: dict[int, QListWidgetItem] = {}
        store.sourceChanged.connect(lambda _root: self.rebuild())
        store.imagesAdded.connect(self.update_images)
        store.imagesChanged.connect(self.update_images)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(
            self.tr("Problems ({n})").format(n=len(self._items)) if self._items else self.tr("Problems")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def rebuild(self) -> None:
        self.list.clear()
        self._items = {}
        self.update_images(self._store.image_ids())

    def update_images(self, image_ids: list[int]) -> None:
        for image_id in image_ids:
            if not self._store.has_image(image_id):
                continue
            row = self._store.image(image_id).row
            item = self._items.get(image_id)
            if row.status == "error":
                text = f"{row.name} — {row.error or self.tr('unknown error')}"
                if item is None:
                    item = QListWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, image_id)
                    item.setToolTip(row.uri)
                    self.list.addItem(item)
                    self._items[image_id] = item
                else:
                    item.setText(text)
            elif item is not None:
                self.list.takeItem(self.list.row(item))
                del self._items[image_id]
        self.retranslate_ui()

    def image_ids(self) -> list[int]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        self.imageActivated.emit(item.data(Qt.ItemDataRole.UserRole))


class LogDock(QDockWidget):
    """Every notice of this session, newest last (errors in red)."""

    def __init__(self, notifier: Notifier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logDock")
        self.list = QListWidget(self)
        self.list.setObjectName("logList")
        self.setWidget(self.list)
        for notice in notifier.history:
            self.add(notice)
        notifier.posted.connect(self.add)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Log"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def add(self, notice: Notice) -> None:
        import time

        stamp = time.strftime("%H:%M:%S", time.localtime(notice.at))
        item = QListWidgetItem(f"{stamp}  {notice.text}")
        if notice.level >= logging.ERROR:
            item.setForeground(Qt.GlobalColor.red)
        elif notice.level >= logging.WARNING:
            item.setForeground(Qt.GlobalColor.darkYellow)
        self.list.addItem(item)
        if self.list.count() > 2000:
            self.list.takeItem(0)
        self.list.scrollToBottom()


class MainWindow(QMainWindow):
    """The facecurator window over one catalog."""

    sourceOpened = Signal(str)

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
            auto_scan = self.settings.value("autoScan", True, type=bool)
        self.auto_scan = bool(auto_scan)
        if ruleset is None:
            ruleset = self._initial_ruleset()
        self.store = CurationStore(catalog, ruleset, self)
        self.decoded = DecodedImageCache()
        self.thumbnails = AsyncPixmapCache(THUMB_CACHE_ITEMS, max_bytes=THUMB_CACHE_BYTES, parent=self)
        self.crops = AsyncPixmapCache(CROP_CACHE_ITEMS, max_bytes=CROP_CACHE_BYTES, parent=self)
        self.thumbnails.failed.connect(self._on_render_failed)
        self.crops.failed.connect(self._on_render_failed)
        self.scanner = ScanController(self)
        self.source_profile: str | None = None
        self._opening: _OpenRequest | None = None
        self._reported_render_errors: set[str] = set()

        self._build_gallery_page()
        self.triage = TriagePage(self.store, self.crops, self.decoded, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("pages")
        self.tabs.addTab(self.gallery_page, "")  # texts: retranslate_ui()
        self.tabs.addTab(self.triage, "")
        self.tabs.currentChanged.connect(self._on_page_changed)
        self.setCentralWidget(self.tabs)

        self.problems = ProblemsDock(self.store, self)
        self.problems.imageActivated.connect(self.show_image)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems)
        self.log_dock = LogDock(self.notifier, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.tabifyDockWidget(self.problems, self.log_dock)
        self.problems.raise_()

        self.scan_status = ScanStatus(self)
        self.scan_status.cancel_button.clicked.connect(self.cancel_scan)
        self.statusBar().addPermanentWidget(self.scan_status)
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
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.busy_bar)
        self.counts_label = QLabel(self)
        self._counts_timer = QTimer(self)  # counting walks every face: keep it off the key path
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self._recount)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.paid_calls_label = QLabel(self)
        self.paid_calls_label.setObjectName("paidCalls")
        self.statusBar().addPermanentWidget(self.paid_calls_label)
        self._planning = False

        self._build_actions()
        self._build_toolbar()
        self._build_menus()

        self.notifier.posted.connect(self._show_notice)
        self.scanner.progress.connect(self._on_scan_progress)
        self.scanner.imagesDone.connect(self.store.refresh_images)
        self.scanner.finished.connect(self._on_scan_finished)
        self.scanner.failed.connect(self._on_scan_failed)
        self.scanner.stopped.connect(self._on_scan_stopped)
        self.store.sourceChanged.connect(lambda _r: self._update_counts())
        self.store.sourceChanged.connect(self._on_source_loaded)
        self.store.busyChanged.connect(self._on_busy_changed)
        self.store.loadFailed.connect(self._on_load_failed)
        self.store.imagesAdded.connect(lambda _ids: self._update_counts())
        self.store.facesChanged.connect(lambda _ids: self._update_counts())
        self.store.rulesChanged.connect(lambda _r: self._update_counts())
        self.triage.view.decisionRequested.connect(self.triage_decide)
        self.triage.bulkRequested.connect(self.bulk_decide)
        self._paid_calls_total = 0
        self.retranslate_ui()
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
                    name=name, error=exc, default=DEFAULT_PRESET
                )
            )
            return load_rules(DEFAULT_PRESET)

    def _build_gallery_page(self) -> None:
        self.gallery_model = GalleryModel(self.store, self.thumbnails, self)
        self.gallery = GalleryView(self.gallery_model, self.thumbnails, self)
        self.image_view = ImageView(self.store, self.thumbnails, self.decoded, self)
        self.details = FaceDetailsPanel(self)
        self.filter_combo = QComboBox(self)
        self.filter_combo.setObjectName("galleryFilter")
        for name in IMAGE_FILTERS:
            self.filter_combo.addItem("", name)  # texts: retranslate_ui()
        self.filter_combo.currentIndexChanged.connect(
            lambda _i: self.gallery_model.set_filter(self.filter_combo.currentData())
        )
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("gallerySort")
        for key in IMAGE_SORTS:
            self.sort_combo.addItem("", key)
        self.sort_combo.currentIndexChanged.connect(
            lambda _i: self.gallery_model.set_sort(self.sort_combo.currentData())
        )
        header = QHBoxLayout()
        self.show_label = QLabel(self)
        self.sort_label = QLabel(self)
        header.addWidget(self.show_label)
        header.addWidget(self.filter_combo)
        header.addWidget(self.sort_label)
        header.addWidget(self.sort_combo)
        header.addStretch(1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(header)
        left_layout.addWidget(self.gallery, 1)
        self.gallery_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.gallery_splitter.setObjectName("gallerySplitter")
        self.gallery_splitter.addWidget(left)
        self.gallery_splitter.addWidget(self.image_view)
        self.gallery_splitter.addWidget(self.details)
        self.gallery_splitter.setStretchFactor(0, 2)
        self.gallery_splitter.setStretchFactor(1, 3)
        self.gallery_splitter.setStretchFactor(2, 1)
        self.gallery_splitter.setSizes([520, 760, 300])
        self.gallery_page = QWidget(self)
        page_layout = QVBoxLayout(self.gallery_page)
        page_layout.setContentsMargins(4, 4, 4, 4)
        page_layout.addWidget(self.gallery_splitter)
        self.gallery.currentImageChanged.connect(self._on_current_image_changed)
        self.image_view.faceHovered.connect(self._on_face_hovered)
        self.image_view.faceSelected.connect(self._on_face_selected)
        self.image_view.decisionRequested.connect(self._decide_in_view)
        self.store.rulesChanged.connect(lambda _r: self._refresh_details())
        self.store.facesChanged.connect(lambda _ids: self._refresh_details())

    def _build_actions(self) -> None:
        def action(slot, shortcut: QKeySequence | str | None = None, name: str = "") -> QAction:
            act = QAction(self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            if name:
                act.setObjectName(name)
            self.addAction(act)
            return act

        # Texts are set (and set again on a language change) by retranslate_ui().
        self.open_action = action(self.choose_folder, QKeySequence.StandardKey.Open, "open")
        self.open_source_action = action(self.choose_source, "Ctrl+Shift+O", "openSource")
        self.quit_action = action(self.close, QKeySequence.StandardKey.Quit, "quit")
        self.undo_action = action(self.undo, QKeySequence.StandardKey.Undo, "undo")
        self.scan_action = action(lambda: self.start_scan(), "F5", "scan")
        self.cancel_action = action(self.cancel_scan, None, "cancelScan")
        self.cancel_action.setEnabled(False)
        self.gallery_action = action(lambda: self.tabs.setCurrentIndex(0), "Ctrl+1", "showGallery")
        self.triage_action = action(lambda: self.tabs.setCurrentIndex(1), "Ctrl+2", "showTriage")
        self.fit_action = action(self.image_view.fit, None, "fitImage")
        self.zoom_in_action = action(self.image_view.zoom_in, QKeySequence.StandardKey.ZoomIn, "zoomIn")
        self.zoom_out_action = action(self.image_view.zoom_out, QKeySequence.StandardKey.ZoomOut, "zoomOut")
        self.overlay_actions: dict[str, QAction] = {}
        for key, shortcut in (("boxes", "Ctrl+B"), ("landmarks", "Ctrl+L"), ("labels", "Ctrl+T")):
            act = action(lambda checked=False, key=key: self._toggle_overlay(key, checked), shortcut)
            act.setCheckable(True)
            act.setChecked(True)
            act.setObjectName(f"overlay_{key}")
            self.overlay_actions[key] = act
        self.panel_actions: dict[str, QAction] = {}
        for key, _text, module, function, shortcut in OPTIONAL_PANELS:
            act = action(
                lambda _c=False, m=module, f=function: self.open_panel(m, f), shortcut, f"panel_{key}"
            )
            if not _panel_available(module, function):
                act.setEnabled(False)
            self.panel_actions[key] = act
        self.open_logs_action = action(self.open_log_folder, None, "openLogs")
        self.cloud_profiles_action = action(self.open_cloud_profiles, None, "cloudProfiles")

    def _build_toolbar(self) -> None:
        bar = QToolBar(self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.addAction(self.open_action)
        bar.addSeparator()
        self.rules_label = QLabel(self)
        bar.addWidget(self.rules_label)
        self.rules_combo = QComboBox(self)
        self.rules_combo.setObjectName("rulesCombo")
        self._fill_rules_combo()
        self.rules_combo.activated.connect(lambda _i: self.set_rules(self.rules_combo.currentData()))
        bar.addWidget(self.rules_combo)
        bar.addSeparator()
        self.detector_label = QLabel(self)
        bar.addWidget(self.detector_label)
        self.detector_combo = QComboBox(self)
        self.detector_combo.setObjectName("detectorCombo")
        model = QStandardItemModel(self.detector_combo)
        self.detector_combo.setModel(model)
        for name in detector_names():
            self.detector_combo.addItem(name, name)
        self._update_detector_items(None)
        saved = str(self.settings.value("detector", "local"))
        index = self.detector_combo.findData(saved)
        if index >= 0 and detector_available(saved)[0]:
            self.detector_combo.setCurrentIndex(index)
        bar.addWidget(self.detector_combo)
        bar.addAction(self.scan_action)
        bar.addAction(self.cancel_action)
        bar.addSeparator()
        for act in self.overlay_actions.values():
            bar.addAction(act)
        bar.addSeparator()
        for act in self.panel_actions.values():
            bar.addAction(act)
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_menus(self) -> None:
        menu = self.menuBar()
        self.file_menu = file_menu = menu.addMenu("")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.open_source_action)
        self.recent_menu = file_menu.addMenu("")
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self.panel_actions["export"])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.edit_menu = edit_menu = menu.addMenu("")
        edit_menu.addAction(self.undo_action)
        self.accept_all_action = edit_menu.addAction("", lambda: self.bulk_decide("accept-qualified"))
        self.reject_all_action = edit_menu.addAction("", lambda: self.bulk_decide("reject-unqualified"))
        self.view_menu = view_menu = menu.addMenu("")
        view_menu.addAction(self.gallery_action)
        view_menu.addAction(self.triage_action)
        view_menu.addSeparator()
        for act in self.overlay_actions.values():
            view_menu.addAction(act)
        view_menu.addSeparator()
        view_menu.addAction(self.fit_action)
        view_menu.addAction(self.zoom_in_action)
        view_menu.addAction(self.zoom_out_action)
        view_menu.addSeparator()
        view_menu.addAction(self.problems.toggleViewAction())
        view_menu.addAction(self.log_dock.toggleViewAction())
        view_menu.addSeparator()
        self.language_menu = language_menu(self, on_change=self._on_language_changed)
        view_menu.addMenu(self.language_menu)
        self.scan_menu = scan_menu = menu.addMenu("")
        scan_menu.addAction(self.scan_action)
        scan_menu.addAction(self.cancel_action)
        scan_menu.addSeparator()
        self.auto_scan_action = scan_menu.addAction("")
        self.auto_scan_action.setCheckable(True)
        self.auto_scan_action.setChecked(self.auto_scan)
        self.auto_scan_action.toggled.connect(self._set_auto_scan)
        self.rules_menu = rules_menu = menu.addMenu("")
        rules_menu.addAction(self.panel_actions["rules_editor"])
        self.tools_menu = tools_menu = menu.addMenu("")
        tools_menu.addAction(self.panel_actions["statistics"])
        tools_menu.addSeparator()
        tools_menu.addAction(self.cloud_profiles_action)
        self.help_menu = help_menu = menu.addMenu("")
        help_menu.addAction(self.open_logs_action)
        self.about_action = help_menu.addAction("", self._about)

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

        self.open_action.setText(self.tr("Open folder…"))
        self.open_source_action.setText(self.tr("Open source…"))
        self.quit_action.setText(self.tr("Quit"))
        self.undo_action.setText(self.tr("Undo decision"))
        self.scan_action.setText(self.tr("Detect faces"))
        self.cancel_action.setText(self.tr("Cancel detection"))
        self.gallery_action.setText(self.tr("Gallery"))
        self.triage_action.setText(self.tr("Triage"))
        self.fit_action.setText(self.tr("Fit image"))
        self.zoom_in_action.setText(self.tr("Zoom in"))
        self.zoom_out_action.setText(self.tr("Zoom out"))
        overlay_labels = {
            "boxes": self.tr("Face boxes"),
            "landmarks": self.tr("Landmarks"),
            "labels": self.tr("Attribute labels"),
        }
        for key, act in self.overlay_actions.items():
            act.setText(overlay_labels[key])
        for key, text, module, function, _shortcut in OPTIONAL_PANELS:
            act = self.panel_actions[key]
            act.setText(self.tr(text))  # marked for lupdate in OPTIONAL_PANELS
            if not _panel_available(module, function):
                act.setToolTip(self.tr("Not available in this build yet"))
        self.open_logs_action.setText(self.tr("Open log folder"))
        self.cloud_profiles_action.setText(self.tr("Cloud profiles…"))

        self.toolbar.setWindowTitle(self.tr("Main"))
        self.rules_label.setText(self.tr(" Rules: "))
        self.detector_label.setText(self.tr(" Detector: "))
        self._update_detector_items(source_kind(self.store.source_root) if self.store.source_root else None)

        self.file_menu.setTitle(self.tr("&File"))
        self.recent_menu.setTitle(self.tr("Recent sources"))
        self.edit_menu.setTitle(self.tr("&Edit"))
        self.accept_all_action.setText(self.tr("Accept qualified (current filter)"))
        self.reject_all_action.setText(self.tr("Reject unqualified (current filter)"))
        self.view_menu.setTitle(self.tr("&View"))
        self.scan_menu.setTitle(self.tr("&Detect"))
        self.auto_scan_action.setText(self.tr("Detect new images when a folder is opened (local detector)"))
        self.rules_menu.setTitle(self.tr("&Rules"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("About facecurator"))

        self._on_busy_changed(self.store.busy)
        self._update_counts()
        self._set_paid_calls_text()
        self._refresh_details()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _update_detector_items(self, kind: str | None) -> None:
        """Enable the detectors that can work on the open source (tooltips say why not)."""
        model = self.detector_combo.model()
        for row in range(self.detector_combo.count()):
            name = self.detector_combo.itemData(row)
            ok, why = detector_available(name, kind)
            item = model.item(row)  # type: ignore[attr-defined]
            item.setEnabled(ok)
            item.setToolTip(detector_description(name) + ("" if ok else f" — {why}"))
        if not detector_available(self.current_detector(), kind)[0]:
            self.detector_combo.setCurrentIndex(self.detector_combo.findData("local"))

    def _fill_rules_combo(self) -> None:
        self.rules_combo.clear()
        try:
            names = list_presets()
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Listing rule presets failed: {e}").format(e=exc))
            names = [DEFAULT_PRESET]
        current = self.store.ruleset.name
        if current not in names:
            names.append(current)
        for name in names:
            self.rules_combo.addItem(name, name)
        self.rules_combo.setCurrentIndex(self.rules_combo.findData(current))

    def refresh_presets(self) -> None:
        """Re-list presets (the rules editor calls this after saving one)."""
        self._fill_rules_combo()

    # -- sources ---------------------------------------------------------------------------------

    def recent_sources(self) -> list[str]:
        value = self.settings.value("recentSources", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember_source(self, text: str) -> None:
        recent = [text] + [s for s in self.recent_sources() if s != text]
        self.settings.setValue("recentSources", recent[:MAX_RECENT])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_sources()
        for text in recent:
            self.recent_menu.addAction(text, lambda t=text: self.open_source(t))
        self.recent_menu.setEnabled(bool(recent))

    def choose_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        recent = [s for s in self.recent_sources() if not s.startswith("oss://")]
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a folder"), recent[0] if recent else "")
        if folder:
            self.open_source(folder)

    def choose_source(self) -> None:
        choice = SourceChooser.ask(self.recent_sources(), self)  # preselects our source_profile
        if choice is not None:
            self.open_source(choice.text, profile=choice.profile)

    def open_source(self, text: str, *, scan: bool | None = None, profile: str | None = None) -> bool:
        """Open a folder or ``oss://`` source: show what the catalog knows, then scan it.

        Args:
            text: the source string.
            scan: detect new/changed images now (default: the auto-scan setting,
                never automatically for paid cloud detectors).
            profile: the cloud profile for an ``oss://`` source (None: the default).
        """
        from facecurator.sources import open_source

        if self.scanner.running:
            self.notifier.warning(self.tr("Cancel the running detection before opening another source"))
            return False
        try:
            source = open_source(text, profile=profile)
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Cannot open {source}: {error}").format(source=text, error=exc))
            return False
        # Reading and evaluating a large catalog takes seconds (~0.3 s per 10k
        # images): the store does it on a worker and the window stays usable with
        # the current data; _on_source_loaded finishes the job.
        self._opening = _OpenRequest(text, source.root, profile, scan)
        self.store.open_source(source.root)
        return True

    def _on_source_loaded(self, root: str) -> None:
        """The store applied a loaded source: point the views at it (and maybe scan)."""
        request, self._opening = self._opening, None
        if request is None:
            return  # not opened through open_source() (e.g. a direct store call in a test)
        self.thumbnails.retain(set())
        self.crops.retain(set())
        self.store.profile = request.profile  # thumbnails and previews read OSS objects with it
        self.source_profile = request.profile
        self._update_detector_items(source_kind(request.root))
        self.setWindowTitle(f"facecurator — {request.root}")
        self._remember_source(request.text if request.text.startswith("oss://") else request.root)
        self.image_view.show_image(None)
        if self.gallery_model.rowCount():
            self.gallery.setCurrentIndex(self.gallery_model.index(0, 0))
        self.notifier.info(
            self.tr("Opened {source}: {n} images in the catalog").format(
                source=request.root, n=len(self.store.image_ids())
            )
        )
        self.sourceOpened.emit(request.root)
        scan = request.scan
        if scan is None:
            scan = self.auto_scan and self.current_detector() == "local"
        if scan:
            self.start_scan()

    def _on_load_failed(self, kind: str, exc: object) -> None:
        if kind == "open":
            request, self._opening = self._opening, None
            source = request.text if request is not None else (self.store.pending_source_root or "")
            self.notifier.error(
                self.tr("Reading the catalog for {source} failed: {error}").format(source=source, error=exc)
            )
        else:
            self.notifier.error(self.tr("Rules: {error}").format(error=exc))
            self._fill_rules_combo()

    def _on_busy_changed(self, busy: bool) -> None:
        """Status-bar indicator while the store loads a source or re-evaluates the rules."""
        if busy:
            if self.store.pending_kind == "open":
                self.busy_label.setText(
                    self.tr("Loading {source}…").format(source=self.store.pending_source_root or "")
                )
            else:
                self.busy_label.setText(
                    self.tr("Applying rules {name}…").format(name=self.store.requested_ruleset.name)
                )
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_folder(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        folder = self._dropped_folder(event)
        if folder is not None:
            event.acceptProposedAction()
            self.open_source(folder)

    @staticmethod
    def _dropped_folder(event: QDragEnterEvent | QDropEvent) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                path = Path(url.toLocalFile())
                if path.is_dir():
                    return str(path)
                if path.is_file():
                    return str(path.parent)
        return None

    # -- gallery / image view ------------------------------------------------------------------------

    def _on_current_image_changed(self, image_id: int | None) -> None:
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

    def _show_face_details(self, face_id: int | None) -> None:
        if face_id is not None and self.store.has_face(face_id):
            self.details.show_face(self.store.face(face_id), self.store.ruleset.name)
        else:
            placeholder = None
            if self.image_view.image_id is not None and self.store.has_image(self.image_view.image_id):
                image = self.store.image(self.image_view.image_id)
                if image.row.status != "ok":
                    placeholder = image.row.error
                elif not image.faces:
                    placeholder = self.tr("No face detected in this image.")
            self.details.show_face(None, self.store.ruleset.name, placeholder)

    def _set_auto_scan(self, enabled: bool) -> None:
        self.auto_scan = enabled
        self.settings.setValue("autoScan", enabled)

    def _toggle_overlay(self, key: str, checked: bool) -> None:
        self.image_view.set_overlay_options(**{key: checked})
        self.settings.setValue(f"overlay/{key}", checked)

    # -- rules --------------------------------------------------------------------------------------

    def set_rules(self, name_or_ruleset: str | RuleSet) -> bool:
        """Switch the rule set: every face is re-evaluated and every view re-coloured."""
        try:
            ruleset = load_rules(name_or_ruleset) if isinstance(name_or_ruleset, str) else name_or_ruleset
            self.store.set_ruleset(ruleset)
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Rules: {error}").format(error=exc))
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

    # -- decisions ---------------------------------------------------------------------------------

    def triage_decide(self, state: str) -> None:
        try:
            self.triage.decide_current(state)
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Saving the decision failed: {error}").format(error=exc))

    def _decide_in_view(self, state: str) -> None:
        """A/R in the image view: the selected face (or the image's only face)."""
        face_id = self.image_view.selected_face
        if (
            face_id is None
            and self.image_view.image_id is not None
            and self.store.has_image(self.image_view.image_id)
        ):
            faces = self.store.image(self.image_view.image_id).faces
            face_id = faces[0].id if len(faces) == 1 else None
        if face_id is None:
            self.statusBar().showMessage(self.tr("Select a face first (click it, or Tab through them)"), 4000)
            return
        self.decide_faces([face_id], state)

    def decide_faces(self, face_ids: list[int], state: str) -> None:
        try:
            self.store.decide(face_ids, state)
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Saving the decision failed: {error}").format(error=exc))

    def undo(self) -> None:
        try:
            restored = self.store.undo()
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Undo failed: {error}").format(error=exc))
            return
        if not restored:
            self.statusBar().showMessage(self.tr("Nothing to undo"), 3000)
            return
        self.statusBar().showMessage(self.tr("Undid the decision of {n} faces").format(n=len(restored)), 3000)
        if self.tabs.currentWidget() is self.triage and self.store.has_face(restored[0]):
            self.triage.select_face(restored[0])  # back to the face just undone

    def scope_faces(self) -> list[ReviewedFace]:
        """The faces of the current page's scope (triage: selection or filter; gallery: filtered images)."""
        if self.tabs.currentWidget() is self.triage:
            return self.store.faces(self.triage.scope_face_ids())
        selected = [
            i.data(Qt.ItemDataRole.UserRole + 1) for i in self.gallery.selectionModel().selectedIndexes()
        ]
        image_ids = selected if len(selected) > 1 else self.gallery_model.ids()
        return [face for image_id in image_ids for face in self.store.image(image_id).faces]

    def bulk_decide(self, kind: str) -> int:
        """Accept the qualified or reject the unqualified pending faces of the current scope."""
        face_ids = [face.id for face in self.scope_faces()]
        try:
            if kind == "accept-qualified":
                count = self.store.accept_qualified(face_ids)
                text = self.tr("Accepted {n} qualified faces")
            else:
                count = self.store.reject_unqualified(face_ids)
                text = self.tr("Rejected {n} unqualified faces")
        except FacecuratorError as exc:
            self.notifier.error(self.tr("Bulk decision failed: {error}").format(error=exc))
            return 0
        self.notifier.info(text.format(n=count))
        return count

    # -- detection runs -------------------------------------------------------------------------------

    def current_detector(self) -> str:
        return str(self.detector_combo.currentData() or "local")

    def start_scan(self, detector: str | None = None, *, jobs: int | None = None) -> bool:
        if self.store.pending_kind == "open":
            # It would scan the source still shown, not the one being opened.
            self.notifier.warning(self.tr("Wait until the source is loaded, then detect"))
            return False
        root = self.store.source_root
        if root is None:
            self.notifier.warning(self.tr("Open a folder first"))
            return False
        name = detector or self.current_detector()
        ok, why = detector_available(name, source_kind(root))
        if not ok:
            self.notifier.error(self.tr("Detector {name}: {why}").format(name=name, why=why))
            return False
        refs = None
        if is_cloud(name):
            question = self.estimate_paid_scan(name, root)
            if question is None:
                return False
            if question.to_detect and not self.confirm_cloud_scan(question):
                self.statusBar().showMessage(self.tr("Paid run not started"), 4000)
                return False
            refs = question.refs
        self.settings.setValue("detector", name)
        started = self.scanner.start(
            root, name, str(self.store.catalog.path), jobs=jobs, profile=self.source_profile, refs=refs
        )
        if started:
            self.scan_action.setEnabled(False)
            self.cancel_action.setEnabled(True)
            self.scan_status.setVisible(True)
            self.scan_status.bar.setRange(0, 0)
            self.scan_status.label.setText(self.tr("Starting the {name} detector…").format(name=name))
            self.statusBar().showMessage(self.tr("Detecting faces in {root}").format(root=root))
        return started

    def estimate_paid_scan(self, name: str, root: str) -> CostQuestion | None:
        """List the source and price the run on a worker thread; None when it failed or was cancelled.

        The window keeps painting meanwhile (a local event loop); a window-modal
        progress dialog, shown when listing takes a moment, can cancel it.
        """
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QProgressDialog

        from facecurator.gui.background import run_in_background
        from facecurator.gui.scan import PlanCancelled, PlanProgress, plan_paid_scan

        if self._planning:
            return None
        self._planning = True
        progress = PlanProgress()
        outcome: dict[str, object] = {}
        loop = QEventLoop(self)
        text = self.tr("Estimating the cost: listing {source}…").format(source=root)
        box = QProgressDialog(text, self.tr("Cancel"), 0, 0, self)
        box.setObjectName("costEstimateProgress")
        box.setWindowTitle(self.tr("Paid run"))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setMinimumDuration(500)
        box.setAutoReset(False)
        box.setAutoClose(False)
        ticker = QTimer(self)
        ticker.setInterval(200)
        ticker.timeout.connect(
            lambda: box.setLabelText(
                self.tr("Estimating the cost: {n} images listed in {source}…").format(
                    n=progress.listed, source=root
                )
            )
        )

        def done(key: str, value: object) -> None:
            if not outcome:  # the first outcome wins (closing the box also emits canceled)
                outcome[key] = value
            loop.quit()

        box.canceled.connect(lambda: (progress.cancelled.set(), done("cancelled", True)))
        run_in_background(
            lambda: plan_paid_scan(
                root, name, str(self.store.catalog.path), profile=self.source_profile, progress=progress
            ),
            lambda question: done("question", question),
            lambda exc: done("error", exc),
            receiver=self,
        )
        self.scan_action.setEnabled(False)
        self.statusBar().showMessage(text)
        ticker.start()
        try:
            if not outcome:
                loop.exec()
        finally:
            ticker.stop()
            box.canceled.disconnect()
            box.close()
            box.deleteLater()
            self.scan_action.setEnabled(not self.scanner.running)
            self._planning = False
        if "cancelled" in outcome:
            self.statusBar().showMessage(self.tr("Cost estimate cancelled"), 4000)
            return None
        error = outcome.get("error")
        if error is not None:
            if not isinstance(error, PlanCancelled):
                if not isinstance(error, FacecuratorError):
                    log.error("estimating %s on %s failed", name, root, exc_info=error)  # type: ignore[arg-type]
                self.notifier.error(
                    self.tr("Cannot estimate the {name} run on {root}: {error}").format(
                        name=name, root=root, error=error
                    )
                )
            return None
        question = outcome["question"]
        assert isinstance(question, CostQuestion)
        log.info(
            "paid run %s on %s: %d of %d images to send: %s",
            name,
            root,
            question.to_detect,
            question.total,
            question.estimate.describe(),
        )
        if not question.to_detect:
            self.statusBar().showMessage(
                self.tr("Every image was detected with {name} before: no paid call needed").format(name=name),
                6000,
            )
        return question

    def confirm_cloud_scan(self, question: CostQuestion) -> bool:
        """Show the estimate and ask before a paid run (tests patch this or ``CostConfirmDialog.ask``)."""
        from facecurator.gui.cost_dialog import CostConfirmDialog

        return CostConfirmDialog.ask(question, self)

    def update_paid_calls(self) -> None:
        """The catalog's paid-call counter in the status bar (hidden while it is zero)."""
        try:
            calls = self.store.catalog.paid_calls()
        except FacecuratorError as exc:
            log.warning("cannot read the paid-call counter: %s", exc)
            return
        self._paid_calls_total = sum(calls.values())
        self.paid_calls_label.setVisible(self._paid_calls_total > 0)
        self._set_paid_calls_text()
        self.paid_calls_label.setToolTip("\n".join(f"{service}: {n}" for service, n in sorted(calls.items())))

    def _set_paid_calls_text(self) -> None:
        self.paid_calls_label.setText(self.tr("Paid calls: {n}").format(n=self._paid_calls_total))

    @property
    def profile(self) -> str | None:
        """The cloud profile of the open source (None: the default profile)."""
        return self.source_profile

    def open_cloud_profiles(self) -> None:
        from facecurator.gui.cloud_dialog import CloudProfilesDialog

        CloudProfilesDialog.open_for(self, profile=self.source_profile)

    def cancel_scan(self) -> None:
        if self.scanner.running:
            self.scanner.cancel()
            self.scan_status.label.setText(self.tr("Cancelling: finishing the images in progress…"))

    def _on_scan_progress(self, progress: ScanProgress) -> None:
        self.scan_status.show_progress(progress)

    def _on_scan_finished(self, report: ScanReport) -> None:
        verb = self.tr("Detection cancelled") if report.cancelled else self.tr("Detection finished")
        text = self.tr("{verb}: {total} images ({cached} cached, {failed} failed) in {t}").format(
            verb=verb,
            total=report.total,
            cached=report.cached,
            failed=report.failed,
            t=_format_seconds(report.elapsed),
        )
        if report.failed:
            self.notifier.warning(text)
            self.problems.raise_()
        else:
            self.notifier.info(text)
        self.last_scan_report = report

    def _on_scan_failed(self, message: str) -> None:
        self.notifier.error(self.tr("Detection failed: {message}").format(message=message))

    def _on_scan_stopped(self) -> None:
        self.update_paid_calls()
        self.scan_action.setEnabled(True)
        self.cancel_action.setEnabled(False)
        self.scan_status.setVisible(False)

    # -- notices ------------------------------------------------------------------------------------

    def _show_notice(self, notice: Notice) -> None:
        self.statusBar().showMessage(notice.text, 8000 if notice.level < logging.WARNING else 15000)

    def _on_render_failed(self, key: str, message: str) -> None:
        if key not in self._reported_render_errors:
            self._reported_render_errors.add(key)
            self.notifier.warning(self.tr("Cannot show {what}").format(what=message))

    def _update_counts(self) -> None:
        self._counts_timer.start()

    def _recount(self) -> None:
        faces = self.store.faces()
        pending = sum(1 for face in faces if face.decision == "pending")
        self.counts_label.setText(
            self.tr("{images} images · {faces} faces · {pending} pending").format(
                images=len(self.store.image_ids()), faces=len(faces), pending=pending
            )
        )

    def _on_page_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.triage:
            self.triage.view.setFocus()
            if not self.triage.view.currentIndex().isValid() and self.triage.model.rowCount():
                self.triage.view.move_to_row(0)

    # -- optional panels and help -----------------------------------------------------------------------

    def open_panel(self, module_name: str, function: str) -> None:
        try:
            module = importlib.import_module(module_name)
            getattr(module, function)(self)
        except FacecuratorError as exc:
            self.notifier.error(str(exc))
        except Exception as exc:
            log.exception("opening %s failed", module_name)
            self.notifier.error(
                self.tr("Opening {panel} failed: {error}").format(panel=module_name, error=exc)
            )

    def _on_language_changed(self, language: str) -> None:
        # Every widget retranslated itself on the LanguageChange event the new
        # translator sent (see retranslate_ui); this only reports the switch.
        self.notifier.info(self.tr("Language: {name}").format(name=LANGUAGES.get(language, language)))

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            self.tr("About facecurator"),
            self.tr(
                "facecurator {version}\nCatalog: {catalog}\nLogs: {logs}\nPaid cloud calls: {paid}"
            ).format(
                version=__version__,
                catalog=self.store.catalog.path,
                logs=log_dir(),
                paid=self._paid_calls_text(),
            ),
        )

    def _paid_calls_text(self) -> str:
        try:
            calls = self.store.catalog.paid_calls()
        except FacecuratorError as exc:
            return str(exc)
        if not calls:
            return "0"
        return f"{sum(calls.values())} (" + ", ".join(f"{k} {v}" for k, v in sorted(calls.items())) + ")"

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
        if self.scanner.running:
            self.scanner.cancel()
            self.scanner.wait(timeout_ms)
        self.store.shutdown(timeout_ms)  # a pending open / rule change is dropped
        self.thumbnails.retain(set())
        self.crops.retain(set())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.shutdown()
        super().closeEvent(event)
