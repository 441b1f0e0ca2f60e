"""Logging for the desktop app: a rotating file, Qt's own messages, and the notifier.

Every failure the operator should know about goes through :class:`Notifier`: it
is logged (so it lands in the rotating file in ``cache_dir()/logs``) and shown
non-modally by the main window (status bar + the log dock). Messages sent before
a window is listening are kept and replayed, so start-up errors are not lost.
"""

from __future__ import annotations

import logging
import logging.handlers
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QMessageLogContext, QObject, QtMsgType, Signal, qInstallMessageHandler

from facecurator import paths

LOG_FILE_NAME: Final = "facecurator.log"
LOG_MAX_BYTES: Final = 2_000_000
LOG_BACKUPS: Final = 5

log = logging.getLogger("facecurator.gui")
qt_log = logging.getLogger("facecurator.qt")

_QT_LEVELS: Final = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

_file_handler: logging.Handler | None = None


def log_dir() -> Path:
    path = paths.cache_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # Qt prints to stderr by default, where nobody sees it in a desktop app;
    # keep its warnings (failed image plugins, platform issues) in our log.
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s%s", message, where)


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Install the rotating file handler (once) and route Qt messages into logging.

    Returns the log file path, or None when the file could not be opened (the
    app still runs; logging to a file is best-effort).
    """
    global _file_handler
    qInstallMessageHandler(_qt_message_handler)
    root = logging.getLogger("facecurator")
    root.setLevel(min(root.level or level, level) if root.level else level)
    if _file_handler is not None:
        return Path(getattr(_file_handler, "baseFilename", ""))
    try:
        path = log_dir() / LOG_FILE_NAME
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        log.warning("cannot open the log file: %s", exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.addHandler(handler)
    _file_handler = handler
    return path


def teardown_logging() -> None:
    """Remove the file handler and Qt's message handler (tests; app exit)."""
    global _file_handler
    qInstallMessageHandler(None)
    if _file_handler is not None:
        logging.getLogger("facecurator").removeHandler(_file_handler)
        _file_handler.close()
        _file_handler = None


@dataclass(frozen=True, slots=True)
class Notice:
    level: int  # logging level
    text: str  # one line naming the image or the step
    at: float  # time.time()


class Notifier(QObject):
    """Non-modal user messages: logged, then shown by whoever listens."""

    posted = Signal(object)  # Notice

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[Notice] = []

    def post(self, level: int, text: str) -> Notice:
        notice = Notice(level, text, time.time())
        log.log(level, "%s", text)
        self.history.append(notice)
        del self.history[:-1000]
        self.posted.emit(notice)
        return notice

    def info(self, text: str) -> Notice:
        return self.post(logging.INFO, text)

    def warning(self, text: str) -> Notice:
        return self.post(logging.WARNING, text)

    def error(self, text: str) -> Notice:
        return self.post(logging.ERROR, text)
