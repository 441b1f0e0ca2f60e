"""The main window's sources: opening a folder or ``oss://`` source (listed by the
store on a worker, then maybe scanned), the busy indicator meanwhile, and folders
dropped on the window.

A part of :class:`~facecurator.gui.main_window.MainWindow` (see
:mod:`~facecurator.gui.window_base`); texts are translated in the window's context
(``QCoreApplication.translate("MainWindow", …)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QProgressBar

from facecurator.errors import FacecuratorError
from facecurator.gui.actions import WindowActions
from facecurator.gui.core_errors import core_message
from facecurator.gui.thumbnails import AsyncPixmapCache
from facecurator.sources import source_kind


@dataclass(frozen=True, slots=True)
class _OpenRequest:
    """What ``open_source`` was asked, kept until the store has loaded the source."""

    text: str
    root: str
    profile: str | None
    scan: bool | None


class WindowSources(WindowActions):
    """Opening sources (see the module docstring)."""

    sourceOpened = Signal(str)

    crops: AsyncPixmapCache
    busy_label: QLabel
    busy_bar: QProgressBar
    _opening: _OpenRequest | None

    def _on_current_image_changed(self, image_id: int | None) -> None:
        raise NotImplementedError  # MainWindow's

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
            self.notifier.warning(
                QCoreApplication.translate(
                    "MainWindow", "Cancel the running detection before opening another source"
                )
            )
            return False
        try:
            source = open_source(text, profile=profile)
        except FacecuratorError as exc:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Cannot open {source}: {error}").format(
                    source=text, error=core_message(exc)
                )
            )
            return False
        # Reading and evaluating a large catalog takes seconds (~0.3 s per 10k
        # images): the store does it on a worker and the window stays usable with
        # the current data; _on_source_loaded finishes the job.
        self._opening = _OpenRequest(text, source.root, profile, scan)
        self.store.open_source(source.root)
        return True

    def _on_source_shown(self, _root: str) -> None:
        """The store listed the images of the source being opened: the gallery paints them now
        (thumbnails and previews read OSS objects with its profile; the old requests are dropped)."""
        if (request := self._opening) is not None:
            self.thumbnails.retain(set())
            self.crops.retain(set())
            self.store.profile = self.source_profile = request.profile
            self.image_view.show_image(None)

    def _on_source_loaded(self, root: str) -> None:
        """The store listed the source being opened, images and faces (its verdicts are stored
        next): point the views at it (and maybe scan)."""
        request, self._opening = self._opening, None
        if request is None:
            return  # not opened through open_source() (e.g. a direct store call in a test)
        self._update_detector_items(source_kind(request.root))
        self.setWindowTitle(f"facecurator — {request.root}")
        self._remember_source(request.text if request.text.startswith("oss://") else request.root)
        if self.gallery_model.rowCount():
            self.gallery.setCurrentIndex(self.gallery_model.index(0, 0))
            # The listing may have made row 0 current already (no change signal then): show it.
            self._on_current_image_changed(self.gallery_model.image_id(0))
        self.notifier.info(
            QCoreApplication.translate("MainWindow", "Opened {source}: {n} images in the catalog").format(
                source=request.root, n=self.store.image_count()
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
                QCoreApplication.translate(
                    "MainWindow", "Reading the catalog for {source} failed: {error}"
                ).format(source=source, error=core_message(exc))
            )
        else:
            self.notifier.error(
                QCoreApplication.translate("MainWindow", "Rules: {error}").format(error=core_message(exc))
            )
            self._fill_rules_combo()

    def _on_busy_changed(self, busy: bool) -> None:
        """Status-bar indicator while the store loads a source or re-evaluates the rules."""
        if busy:
            if self.store.pending_kind == "open":
                self.busy_label.setText(
                    QCoreApplication.translate("MainWindow", "Loading {source}…").format(
                        source=self.store.pending_source_root or ""
                    )
                )
            else:
                self.busy_label.setText(
                    QCoreApplication.translate("MainWindow", "Applying rules {name}…").format(
                        name=self.store.requested_ruleset.name
                    )
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
