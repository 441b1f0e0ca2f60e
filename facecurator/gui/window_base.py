"""What the parts of the main window share: its widgets and state, declared once.

:class:`~facecurator.gui.main_window.MainWindow` is written in parts, each a
class of its own module over this base: :class:`~facecurator.gui.decisions.Decisions`,
:class:`~facecurator.gui.runs.DetectionRuns`, :class:`~facecurator.gui.actions.WindowActions`
and the window itself. The attributes below are built by ``MainWindow.__init__``
(the actions by ``WindowActions._build_actions``); the two methods are the
window's own, which the actions call.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QMenu, QTabWidget, QToolBar

from facecurator.domain.rules import RuleSet
from facecurator.gui.docks import LogDock, ProblemsDock
from facecurator.gui.filter_bar import FilterBar
from facecurator.gui.gallery import GalleryModel, GalleryView
from facecurator.gui.image_view import ImageView
from facecurator.gui.logs import Notifier
from facecurator.gui.store import CurationStore
from facecurator.gui.triage import TriagePage


class WindowBase(QMainWindow):
    """The main window's shared widgets and state (see the module docstring)."""

    settings: QSettings
    notifier: Notifier
    store: CurationStore
    auto_scan: bool
    identity_embeddings: bool
    source_profile: str | None
    tabs: QTabWidget
    gallery: GalleryView
    gallery_model: GalleryModel
    image_view: ImageView
    triage: TriagePage
    filter_bar: FilterBar
    problems: ProblemsDock
    log_dock: LogDock
    open_action: QAction
    open_source_action: QAction
    quit_action: QAction
    undo_action: QAction
    scan_action: QAction
    cancel_action: QAction
    gallery_action: QAction
    triage_action: QAction
    fit_action: QAction
    zoom_in_action: QAction
    zoom_out_action: QAction
    overlay_actions: dict[str, QAction]
    panel_actions: dict[str, QAction]
    open_logs_action: QAction
    cloud_profiles_action: QAction
    accept_all_action: QAction
    reject_all_action: QAction
    auto_scan_action: QAction
    identity_embeddings_action: QAction
    about_action: QAction
    toolbar: QToolBar
    panels_toolbar: QToolBar
    rules_label: QLabel
    rules_combo: QComboBox
    detector_label: QLabel
    detector_combo: QComboBox
    file_menu: QMenu
    recent_menu: QMenu
    edit_menu: QMenu
    view_menu: QMenu
    language_menu: QMenu
    scan_menu: QMenu
    rules_menu: QMenu
    tools_menu: QMenu
    help_menu: QMenu

    def open_source(self, text: str, *, scan: bool | None = None, profile: str | None = None) -> bool:
        raise NotImplementedError  # MainWindow's

    def set_rules(self, name_or_ruleset: str | RuleSet) -> bool:
        raise NotImplementedError  # MainWindow's
