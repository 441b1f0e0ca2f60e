"""SIGTERM, SIGHUP and SIGINT end the desktop app the way closing its window does.

Python runs a signal handler only when the interpreter gets control, which the Qt
event loop does not give it while idle. The handler therefore only writes the
signal number to a socket (``signal.set_wakeup_fd``) that a ``QSocketNotifier``
watches; the notifier then closes the window on the GUI thread: the running scan
is cancelled and waited for, the layout saved, the catalog closed and its
clean-shutdown marker removed, so the next start does not report an unclean
shutdown and check the whole catalog.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger("facecurator.gui")

#: the signals a session manager, ``kill`` or a terminal sends to end a program
TERMINATING_SIGNALS: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


class TerminationWatcher(QObject):
    """Turns a terminating signal into ``on_signal(signum)`` on the GUI thread.

    ``close()`` puts back the previous handlers and wake-up descriptor.
    """

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous_handlers = {
            signum: signal.signal(signum, _note_only) for signum in TERMINATING_SIGNALS
        }
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        try:
            data = self._reader.recv(64)
        except OSError:  # nothing to read after all
            return
        for signum in dict.fromkeys(data):  # each signal once, in the order received
            if signum in TERMINATING_SIGNALS:
                log.info("received %s: shutting down cleanly", signal.Signals(signum).name)
                self._on_signal(signum)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._reader.close()
        self._writer.close()


def _note_only(signum: int, frame: object) -> None:
    """The Python-level handler: nothing; the wake-up byte does the work."""
