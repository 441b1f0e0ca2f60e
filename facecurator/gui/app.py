"""Desktop app entry point: ``facecurator`` (no arguments) and ``facecurator gui SOURCE``."""

from __future__ import annotations

import gc
import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from facecurator import paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger("facecurator.gui")


def run_gui(source: str | None, catalog_path: str | None) -> int:
    """Create the application and the main window, optionally open ``source``; the exit status.

    Args:
        source: a folder or ``oss://BUCKET/PREFIX`` to open (None: the last one
            is not reopened automatically; the recent menu has it).
        catalog_path: the catalog file (None: the per-user default).
    """
    resume_collection = pause_collection()  # until the window is shown
    try:
        return _run_gui(source, catalog_path, resume_collection)
    finally:
        resume_collection()


def _run_gui(source: str | None, catalog_path: str | None, resume_collection: Callable[[], None]) -> int:
    """:func:`run_gui` with the cyclic collector paused (resumed once the window is shown)."""
    from facecurator.errors import CatalogDamagedError, FacecuratorError
    from facecurator.services.catalog import Catalog

    opened: Catalog | FacecuratorError
    try:
        # the check on open runs beside the window (the first write waits for it)
        opened = Catalog(catalog_path, check_later=True)
    except FacecuratorError as exc:
        opened = exc

    from PySide6.QtCore import QCoreApplication, QThreadPool
    from PySide6.QtWidgets import QApplication

    from facecurator.gui.i18n import ENV_QT_ORG, install_translator
    from facecurator.gui.logs import Notifier, setup_logging
    from facecurator.gui.startup import splash_while_importing, turning_while_building

    QCoreApplication.setOrganizationName(os.environ.get(ENV_QT_ORG, paths.APP_NAME))
    QCoreApplication.setApplicationName(paths.APP_NAME)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    icon = paths.resource_path("icons", "facecurator-256.png")
    if icon.is_file():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))  # type: ignore[attr-defined]
    log_path = setup_logging()
    language = install_translator(app)
    log.info("starting the desktop app (log: %s, language: %s)", log_path, language)
    notifier = Notifier()
    previous_hook = sys.excepthook
    sys.excepthook = _make_excepthook(notifier)
    restored = ""
    try:
        if isinstance(opened, CatalogDamagedError):
            log.error("cannot open the catalog: %s", opened)
            restored = _offer_restore(opened, catalog_path)
            if not restored:
                raise opened
            catalog = Catalog(catalog_path)
        elif isinstance(opened, FacecuratorError):
            raise opened
        else:
            catalog = opened
            try:
                catalog.ensure_writable()  # not left to the first write, which may come late
            except FacecuratorError:
                catalog.close()
                raise
    except FacecuratorError as exc:
        refuse_catalog(exc)
        sys.excepthook = previous_hook
        return 2
    watcher = None
    current = {"catalog": catalog}
    try:
        splash = splash_while_importing()  # turning while the window's modules are imported on a thread
        from facecurator.gui.main_window import MainWindow

        try:
            # built in stages, the splash turning between them; it writes its rule set: a
            # read-only catalog fails
            with turning_while_building():
                window = MainWindow(catalog, notifier=notifier)
        except FacecuratorError as exc:
            splash.close()
            refuse_catalog(exc)
            return 2
        if restored:
            notifier.info(restored)
        from facecurator.gui.termination import TerminationWatcher

        watcher = TerminationWatcher(lambda _signum: _close_all(app))
        window.show()
        splash.close()
        log.info("main window shown")
        # What the start built (modules, the window) lives as long as the app: frozen, a full
        # collection no longer walks it, so the collections a 100 000-image open triggers
        # (on any thread, holding the GIL) stay short instead of stalling the event loop.
        gc.freeze()
        resume_collection()
        if catalog.pending_check is not None:
            from facecurator.gui.catalog_repair import CheckWatch

            def damaged(error: CatalogDamagedError) -> None:
                """The check in the background found damage: close the window and the
                catalog, offer the restore, and open the restored catalog in a new window."""
                nonlocal window
                log.error("the catalog check on open failed: %s", error)
                QApplication.setQuitOnLastWindowClosed(False)
                window.close()
                current["catalog"].close()
                text = _offer_restore(error, catalog_path)
                if not text:
                    app.quit()
                    return
                current["catalog"] = Catalog(catalog_path)
                window = MainWindow(current["catalog"], notifier=notifier)
                notifier.info(text)
                window.show()
                QApplication.setQuitOnLastWindowClosed(True)

            CheckWatch(catalog.pending_check, damaged, parent=app)
        if source:
            window.open_source(source)
        status = app.exec()
        QThreadPool.globalInstance().waitForDone(5000)
        from facecurator.gui.background import wait_for_background

        wait_for_background(5000)
        return int(status)
    finally:
        if watcher is not None:
            watcher.close()
        current["catalog"].close()
        sys.excepthook = previous_hook


def pause_collection() -> Callable[[], None]:
    """Pause Python's cyclic garbage collector for the start; returns the call that resumes it
    (once the window is shown; harmless if called again, and a no-op if it was off already).

    The start builds what lives as long as the app (~350 modules, the window) and leaves a few
    hundred garbage objects; the collections its allocations triggered walked the growing heap
    again and again: 10-30 ms of the start's CPU here (0.33-0.45 s in all).
    """
    if not gc.isenabled():
        return lambda: None
    gc.disable()
    return gc.enable


def startup_error_box(error: object) -> QMessageBox:
    """The message that the catalog cannot be used (in the user's language; not shown yet)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    from facecurator.gui.core_errors import core_message

    text = QCoreApplication.translate("App", "facecurator cannot use the catalog: {error}").format(
        error=core_message(error)
    )
    box = QMessageBox(QMessageBox.Icon.Critical, paths.APP_NAME, text)
    box.setObjectName("startupError")
    return box


def refuse_catalog(error: object) -> None:
    """The catalog cannot be used: say why (log, stderr, a message box) before the app exits."""
    log.error("cannot open the catalog: %s", error)
    print(f"facecurator: {error}", file=sys.stderr)
    startup_error_box(error).exec()


def _close_all(app: object) -> None:
    """A terminating signal: close every window (as the user would), then leave the loop."""
    app.closeAllWindows()  # type: ignore[attr-defined]
    app.quit()  # type: ignore[attr-defined]


def _offer_restore(error: object, catalog_path: str | None) -> str:
    """The damaged-catalog dialog; what was restored (one line), or '' when the user quit."""
    from pathlib import Path

    from facecurator.gui.catalog_repair import CatalogRepairDialog

    path = Path(catalog_path).expanduser() if catalog_path else paths.default_catalog_path()
    dialog = CatalogRepairDialog(error, path)  # type: ignore[arg-type]
    if dialog.exec() != dialog.DialogCode.Accepted:
        return ""
    return dialog.result_text()


def _make_excepthook(notifier: object):
    """Unexpected exceptions in slots: log the traceback, tell the operator, keep running."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        try:
            from PySide6.QtCore import QCoreApplication

            text = QCoreApplication.translate("App", "Unexpected error: {error} (details in the log file)")
            notifier.error(text.format(error=f"{type(value).__name__}: {value}"))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - never raise from the excepthook
            pass

    return hook
