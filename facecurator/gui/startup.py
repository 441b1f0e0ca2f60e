"""The start before the window: a splash that keeps turning while the window's modules load.

Importing the window's modules is most of the app's start (0.3-0.5 s of CPU here, seconds
on a loaded machine): done on the GUI thread it is one long event-loop stall before
anything is shown. :func:`import_while_turning` imports them on a thread while the GUI
thread shows a splash ("Starting…") and keeps its event loop turning (the importing
thread gives the GIL up every switch interval); the window is then built on the GUI
thread (~0.05 s) and replaces the splash.

:func:`splash_while_importing` goes one step further for the first turn of the loop: it
turns before the splash is built, and PySide6's Python enums of Qt's namespace (~100 of
them, ~17 ms of CPU, built when ``Qt`` is first imported) are built on the importing thread
first, so the start has no slice longer than building the splash.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QEventLoop

from facecurator import paths
from facecurator.gui.latency import favour_the_gui_thread

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

#: What building the main window needs (the catalog's package, then the window and its views),
#: then what building it and opening a folder import on the way (the detector menu's cloud
#: detectors, the folder source). Not NumPy: a gallery's image listing is indexed without it,
#: the faces' listing imports it on the store's worker after the gallery is shown (rowindex).
WINDOW_MODULES: Final = (
    "facecurator.services.catalog",
    "facecurator.gui.main_window",
    "facecurator.detect.cloud",
    "facecurator.sources.local",
)


#: Built first on the importing thread of :func:`splash_while_importing`: what the splash needs
#: (Qt's namespace, whose ~100 enums PySide6 builds in Python when it is first imported).
SPLASH_NEEDS: Final = ("PySide6.QtCore.Qt", "PySide6.QtGui.QPixmap", "PySide6.QtWidgets.QLabel")


def import_while_turning(modules: Sequence[str] = WINDOW_MODULES, *, poll_s: float = 0.005) -> None:
    """Import ``modules`` on a thread while this (GUI) thread's event loop keeps turning; return
    once they are imported. An import error is raised here, on the GUI thread."""
    _import_while_turning(modules, poll_s, None)


def splash_while_importing(modules: Sequence[str] = WINDOW_MODULES, *, poll_s: float = 0.005) -> QWidget:
    """:func:`import_while_turning` with the splash (:func:`show_splash`), shown as soon as what it
    needs (:data:`SPLASH_NEEDS`) is built on the importing thread, the event loop turning from the
    start; returns the splash once ``modules`` are imported (close it when the window shows)."""
    shown: list[QWidget] = []
    _import_while_turning(modules, poll_s, lambda: shown.append(show_splash()))
    return shown[0]


def _import_while_turning(modules: Sequence[str], poll_s: float, splash: Callable[[], None] | None) -> None:
    """Import ``modules`` on a thread (first :data:`SPLASH_NEEDS` when ``splash``, which is called
    on this thread once they are built) while this thread's event loop keeps turning.

    The importing thread waits while the splash is built and shown: PySide6 builds its Python
    types and enums lazily, and two threads doing so at once crashed the start (a segmentation
    fault in about 1 start of 20 here: the splash's ``show()`` converting a Qt message's type for
    the log's handler while the thread imported ``main_window``'s names). Between turns this
    thread only runs the event loop (the splash's paints, in Qt) on what is already built."""
    failed: list[BaseException] = []
    done = threading.Event()
    ready = threading.Event()
    built = threading.Event()  # the splash is built and shown: the importing thread goes on

    def work() -> None:
        try:
            if splash is not None:
                for name in SPLASH_NEEDS:
                    module, attribute = name.rsplit(".", 1)
                    getattr(importlib.import_module(module), attribute)
                ready.set()
                built.wait()
            for name in modules:
                importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - raised again on the GUI thread
            failed.append(exc)
        finally:
            ready.set()
            done.set()

    favour_the_gui_thread()  # the importing thread gives the GIL up every millisecond
    answer_pyside_use_without_reading_sources()
    every_event = QEventLoop.ProcessEventsFlag.AllEvents  # (its enum built here, not beside the thread)
    threading.Thread(target=work, name="fc-imports", daemon=True).start()
    try:
        while True:
            finished = done.wait(poll_s)  # (waiting releases the GIL)
            if splash is not None and ready.is_set():
                if not failed:
                    splash()
                    QCoreApplication.processEvents(every_event, 5)  # its first paint, the thread waiting
                splash = None
                built.set()
            if finished:
                break
            QCoreApplication.processEvents(every_event, 5)
    finally:
        built.set()  # (never left waiting, whatever happened here)
    if failed:
        raise failed[0]


def answer_pyside_use_without_reading_sources() -> None:
    """PySide6 asks of every module imported after it whether it uses PySide6 (its
    ``__feature__`` switch: 0 for such a module, -1 to ignore it) by reading and searching the
    module's source file (``inspect.getsource``): ~10 % of the window's import time. Give it the
    same answer from the module's names instead (it imported something of PySide6), no file
    read. Nothing here uses ``__feature__``; PySide6 without that hook is left as it is."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", imports_pyside)  # noqa: B010 - a private hook


def imports_pyside(module: object) -> bool:
    """Whether a module's names hold something of PySide6 (a module, class or function)."""
    for value in list(getattr(module, "__dict__", {}).values()):
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.startswith("PySide6"):
            return True
    return False


_building = threading.local()


@contextmanager
def turning_while_building() -> Iterator[None]:
    """Within this block :func:`turn` lets the event loop take a turn: the main window is built
    in stages (pages, docks, menus: 0.1 s of CPU here, half a second on a loaded machine) and the
    splash and timers keep turning between them instead of one long stall. Outside it (a window
    a test builds) :func:`turn` does nothing."""
    previous = getattr(_building, "on", False)
    _building.on = True
    try:
        yield
    finally:
        _building.on = previous


def turn() -> None:
    """One short turn of the event loop between two stages of building the window (only within
    :func:`turning_while_building`). The window is not shown yet and nothing it started runs."""
    if getattr(_building, "on", False):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def show_splash() -> QWidget:
    """The splash shown while the window's modules load: the app's icon and "Starting…".

    A plain frameless window, not ``QSplashScreen``, which waits (up to a second) for the
    window system to expose it before returning. Close it once the main window is shown.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    splash = QWidget(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    splash.setObjectName("startSplash")
    layout = QVBoxLayout(splash)
    icon = paths.resource_path("icons", "facecurator-256.png")
    if icon.is_file():
        picture = QLabel(splash)
        picture.setPixmap(
            QPixmap(str(icon)).scaled(
                128, 128, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        layout.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
    message = QLabel(QCoreApplication.translate("App", "Starting…"), splash)
    message.setObjectName("startMessage")
    layout.addWidget(message, 0, Qt.AlignmentFlag.AlignHCenter)
    splash.show()  # painted by the first turn of the loop (import_while_turning)
    return splash
