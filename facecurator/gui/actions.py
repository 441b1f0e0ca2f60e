"""The main window's actions, toolbar and menus, and the panels and help they open.

A part of :class:`~facecurator.gui.main_window.MainWindow`: the actions are
attributes of the window (tests and panels reach them there); their texts are
set again on a language change by :meth:`WindowActions._retranslate_actions`.
Texts are translated in the window's context (``QCoreApplication.translate("MainWindow", …)``):
that is the context ``self.tr`` looks up at run time, whatever class defines the method.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMessageBox, QTextEdit, QToolBar

from facecurator import __version__
from facecurator.domain.rules import DEFAULT_PRESET, list_presets
from facecurator.errors import FacecuratorError
from facecurator.gui.core_errors import core_message
from facecurator.gui.decisions import Decisions
from facecurator.gui.i18n import LANGUAGES, QT_TRANSLATE_NOOP, language_menu
from facecurator.gui.logs import log_dir
from facecurator.gui.runs import DetectionRuns
from facecurator.gui.scan import detector_available, detector_description, detector_names
from facecurator.gui.source_chooser import SourceChooser
from facecurator.sources import source_kind

log = logging.getLogger("facecurator.gui.window")

MAX_RECENT: Final = 10

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
    (
        "identities",
        QT_TRANSLATE_NOOP("MainWindow", "Identities"),
        "facecurator.gui.identities",
        "open_identities",
        "Ctrl+Shift+I",
    ),
)


def panel_available(module_name: str) -> bool:
    """Whether an optional panel module exists in this build. It is imported when the panel is
    first opened (:meth:`WindowActions.open_panel`, which reports a module that fails), not
    while the window is built: the panels' modules (NumPy among them) would cost the start."""
    return importlib.util.find_spec(module_name) is not None


class WindowActions(DetectionRuns, Decisions):
    """The window's actions, toolbar and menus (a part of MainWindow)."""

    def _build_actions(self) -> None:
        def action(
            slot: Callable[..., Any],
            shortcut: QKeySequence | str | QKeySequence.StandardKey | None = None,
            name: str = "",
        ) -> QAction:
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
            if not panel_available(module):
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
        # wide enough for "moderation-2.0 (modified)": never cut the rule set's name
        self.rules_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
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
        self.addToolBar(bar)
        self.toolbar = bar
        # The overlay toggles and the panels on a toolbar of their own: beside the main
        # one when the window is wide enough, on a second row when not (never hidden
        # behind the » extension).
        panels = QToolBar(self)
        panels.setObjectName("panelsToolbar")
        panels.setMovable(False)
        for act in self.overlay_actions.values():
            panels.addAction(act)
        panels.addSeparator()
        for act in self.panel_actions.values():
            panels.addAction(act)
        self.addToolBar(panels)
        self.panels_toolbar = panels

    def fit_toolbars(self) -> None:
        """One toolbar row when both fit in the window's width, else the panels on a second row."""
        needed = self.toolbar.sizeHint().width() + self.panels_toolbar.sizeHint().width() + 8
        wrapped = self.toolBarBreak(self.panels_toolbar)
        if needed > self.width() and not wrapped:
            self.insertToolBarBreak(self.panels_toolbar)
        elif needed <= self.width() and wrapped:
            self.removeToolBarBreak(self.panels_toolbar)

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
        self.identity_embeddings_action = scan_menu.addAction("")
        self.identity_embeddings_action.setObjectName("identityEmbeddingsAction")
        self.identity_embeddings_action.setCheckable(True)
        self.identity_embeddings_action.setChecked(self.identity_embeddings)
        self.identity_embeddings_action.toggled.connect(self._set_identity_embeddings)
        self.rules_menu = rules_menu = menu.addMenu("")
        rules_menu.addAction(self.panel_actions["rules_editor"])
        self.tools_menu = tools_menu = menu.addMenu("")
        tools_menu.addAction(self.panel_actions["statistics"])
        tools_menu.addSeparator()
        tools_menu.addAction(self.cloud_profiles_action)
        self.help_menu = help_menu = menu.addMenu("")
        help_menu.addAction(self.open_logs_action)
        self.about_action = help_menu.addAction("", self._about)

    def _retranslate_actions(self) -> None:
        """The texts of the actions, toolbar and menus (again, after a language change)."""
        self.open_action.setText(QCoreApplication.translate("MainWindow", "Open folder…"))
        self.open_source_action.setText(QCoreApplication.translate("MainWindow", "Open source…"))
        self.quit_action.setText(QCoreApplication.translate("MainWindow", "Quit"))
        self.undo_action.setText(QCoreApplication.translate("MainWindow", "Undo decision"))
        self.scan_action.setText(QCoreApplication.translate("MainWindow", "Detect faces"))
        self.cancel_action.setText(QCoreApplication.translate("MainWindow", "Cancel detection"))
        self.gallery_action.setText(QCoreApplication.translate("MainWindow", "Gallery"))
        self.triage_action.setText(QCoreApplication.translate("MainWindow", "Triage"))
        self.fit_action.setText(QCoreApplication.translate("MainWindow", "Fit image"))
        self.zoom_in_action.setText(QCoreApplication.translate("MainWindow", "Zoom in"))
        self.zoom_out_action.setText(QCoreApplication.translate("MainWindow", "Zoom out"))
        overlay_labels = {
            "boxes": QCoreApplication.translate("MainWindow", "Face boxes"),
            "landmarks": QCoreApplication.translate("MainWindow", "Landmarks"),
            "labels": QCoreApplication.translate("MainWindow", "Attribute labels"),
        }
        for key, act in self.overlay_actions.items():
            act.setText(overlay_labels[key])
        for key, text, module, _function, _shortcut in OPTIONAL_PANELS:
            act = self.panel_actions[key]
            act.setText(
                QCoreApplication.translate("MainWindow", text)
            )  # marked for lupdate in OPTIONAL_PANELS
            if not panel_available(module):
                act.setToolTip(QCoreApplication.translate("MainWindow", "Not available in this build yet"))
        self.open_logs_action.setText(QCoreApplication.translate("MainWindow", "Open log folder"))
        self.cloud_profiles_action.setText(QCoreApplication.translate("MainWindow", "Cloud profiles…"))

        self.toolbar.setWindowTitle(QCoreApplication.translate("MainWindow", "Main"))
        self.panels_toolbar.setWindowTitle(QCoreApplication.translate("MainWindow", "Panels"))
        self.fit_toolbars()  # the texts' widths changed
        self.rules_label.setText(QCoreApplication.translate("MainWindow", " Rules: "))
        self.detector_label.setText(QCoreApplication.translate("MainWindow", " Detector: "))
        self._update_detector_items(source_kind(self.store.source_root) if self.store.source_root else None)

        self.file_menu.setTitle(QCoreApplication.translate("MainWindow", "&File"))
        self.recent_menu.setTitle(QCoreApplication.translate("MainWindow", "Recent sources"))
        self.edit_menu.setTitle(QCoreApplication.translate("MainWindow", "&Edit"))
        self.accept_all_action.setText(
            QCoreApplication.translate("MainWindow", "Accept qualified (current filter)")
        )
        self.reject_all_action.setText(
            QCoreApplication.translate("MainWindow", "Reject unqualified (current filter)")
        )
        self.view_menu.setTitle(QCoreApplication.translate("MainWindow", "&View"))
        self.scan_menu.setTitle(QCoreApplication.translate("MainWindow", "&Detect"))
        self.auto_scan_action.setText(
            QCoreApplication.translate(
                "MainWindow", "Detect new images when a folder is opened (local detector)"
            )
        )
        self.identity_embeddings_action.setText(
            QCoreApplication.translate(
                "MainWindow", "Compute face embeddings for the identity checks (folders per person)"
            )
        )
        self.identity_embeddings_action.setToolTip(
            QCoreApplication.translate(
                "MainWindow",
                "Local detector on a folder per person: also compute face embeddings (offline, "
                "about a quarter of the detection time). Off: skipped, as scan --no-identities.",
            )
        )
        self.rules_menu.setTitle(QCoreApplication.translate("MainWindow", "&Rules"))
        self.tools_menu.setTitle(QCoreApplication.translate("MainWindow", "&Tools"))
        self.help_menu.setTitle(QCoreApplication.translate("MainWindow", "&Help"))
        self.about_action.setText(QCoreApplication.translate("MainWindow", "About facecurator"))

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
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Listing rule presets failed: {e}").format(
                    e=core_message(exc)
                )
            )
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

    # -- recent sources ------------------------------------------------------------

    def recent_sources(self) -> list[str]:
        value = self.settings.value("recentSources", [])
        if isinstance(value, str):  # QSettings reads a one-item list back as its item
            return [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def _remember_source(self, text: str) -> None:
        recent = [text] + [s for s in self.recent_sources() if s != text]
        self.settings.setValue("recentSources", recent[:MAX_RECENT])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_sources()
        for text in recent:
            self.recent_menu.addAction(text, partial(self.open_source, text))
        self.recent_menu.setEnabled(bool(recent))

    # -- action slots --------------------------------------------------------------

    def choose_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        recent = [s for s in self.recent_sources() if not s.startswith("oss://")]
        folder = QFileDialog.getExistingDirectory(
            self, QCoreApplication.translate("MainWindow", "Open a folder"), recent[0] if recent else ""
        )
        if folder:
            self.open_source(folder)

    def choose_source(self) -> None:
        choice = SourceChooser.ask(self.recent_sources(), self)  # preselects our source_profile
        if choice is not None:
            self.open_source(choice.text, profile=choice.profile)

    def _set_auto_scan(self, enabled: bool) -> None:
        self.auto_scan = enabled
        self.settings.setValue("autoScan", enabled)

    def _set_identity_embeddings(self, enabled: bool) -> None:
        self.identity_embeddings = enabled
        self.settings.setValue("identityEmbeddings", enabled)

    def _toggle_overlay(self, key: str, checked: bool) -> None:
        self.image_view.set_overlay_options(**{key: checked})
        self.settings.setValue(f"overlay/{key}", checked)

    # -- optional panels and help --------------------------------------------------

    def open_panel(self, module_name: str, function: str) -> None:
        try:
            module = importlib.import_module(module_name)
            getattr(module, function)(self)
        except FacecuratorError as exc:
            self.notifier.error(core_message(exc))
        except Exception as exc:
            log.exception("opening %s failed", module_name)
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Opening {panel} failed: {error}").format(
                    panel=module_name, error=core_message(exc)
                )
            )

    def _on_language_changed(self, language: str) -> None:
        # Every widget retranslated itself on the LanguageChange event the new
        # translator sent (see retranslate_ui); this only reports the switch.
        self.notifier.info(
            QCoreApplication.translate("MainWindow", "Language: {name}").format(
                name=LANGUAGES.get(language, language)
            )
        )

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))

    def _about(self) -> None:
        self.about_box().exec()

    def about_box(self) -> QMessageBox:
        """The About box: version, catalog, logs, paid calls; its details list the third-party notices."""
        from facecurator.notices import notices_text

        box = QMessageBox(self)
        box.setWindowTitle(QCoreApplication.translate("MainWindow", "About facecurator"))
        icon = QApplication.windowIcon()
        if not icon.isNull():
            box.setIconPixmap(icon.pixmap(64, 64))  # as QMessageBox.about does
        box.setText(
            QCoreApplication.translate(
                "MainWindow",
                "facecurator {version}\nCatalog: {catalog}\nLogs: {logs}\nPaid cloud calls: {paid}",
            ).format(
                version=__version__,
                catalog=self.store.catalog.path,
                logs=log_dir(),
                paid=self._paid_calls_text(),
            )
        )
        box.setInformativeText(
            QCoreApplication.translate(
                "MainWindow",
                "facecurator uses third-party software, each under its own licence (Qt and PySide6 under "
                "the GNU LGPL 3.0). Show Details lists each one with its version, licence and source; the "
                "licence texts are in the licenses folder of the app bundle.",
            )
        )
        box.setDetailedText(notices_text())
        for details in box.findChildren(QTextEdit):  # a few hundred lines: not in a 250 px strip
            details.setMinimumSize(560, 320)
        return box
