"""Blocking calls (cloud listings, credential checks, cost plans) off the GUI thread.

:func:`run_in_background` runs a plain function on a small pool of its own, so
a slow network call never waits behind thumbnail renders in the global pool
(and never delays them), and delivers the result or the exception back on the
GUI thread through queued signals. The function must not touch widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger("facecurator.gui.background")

#: Network calls in flight at once (listings, checks, plans).
MAX_CLOUD_THREADS: Final = 4

_pool: QThreadPool | None = None
_pending: set[_Relay] = set()
_pending_lock = threading.Lock()


def cloud_pool() -> QThreadPool:
    """The pool for network-bound work (created on first use)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setObjectName("fc-cloud")
        _pool.setMaxThreadCount(MAX_CLOUD_THREADS)
    return _pool


def wait_for_background(timeout_ms: int = 30_000) -> bool:
    """Block until every background call has ended (shutdown and tests)."""
    return _pool.waitForDone(timeout_ms) if _pool is not None else True


class _Relay(QObject):
    """Carries one call's outcome to the GUI thread: it lives there, the worker emits."""

    succeeded = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(self, on_result: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        super().__init__()
        self.alive = True
        self._on_result = on_result
        self._on_error = on_error
        # Bound methods of a GUI-thread object: queued across threads, run on the GUI thread.
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    @Slot(object)
    def _deliver_result(self, value: Any) -> None:
        self._finish(self._on_result, value)

    @Slot(object)
    def _deliver_error(self, exc: Any) -> None:
        self._finish(self._on_error, exc)

    def _finish(self, handler: Callable[[Any], None], value: Any) -> None:
        with _pending_lock:
            _pending.discard(self)
        self.deleteLater()
        if self.alive:
            handler(value)

    def receiver_gone(self, *_args: object) -> None:
        self.alive = False


class _Call(QRunnable):
    def __init__(self, function: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._function = function
        self._relay = relay

    def run(self) -> None:
        relay = self._relay
        try:
            result = self._function()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            relay.failed.emit(exc)
        else:
            relay.succeeded.emit(result)


def run_in_background(
    function: Callable[[], Any],
    on_result: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    receiver: QObject | None = None,
) -> None:
    """Run ``function()`` on the cloud pool; call ``on_result(value)`` or ``on_error(exc)`` on the GUI thread.

    Args:
        receiver: when given and destroyed before the call ends, the outcome is dropped
            (a closed dialog never gets a late answer).
    """
    relay = _Relay(on_result, on_error)
    if receiver is not None:
        receiver.destroyed.connect(relay.receiver_gone)
    with _pending_lock:
        _pending.add(relay)
    cloud_pool().start(_Call(function, relay))
