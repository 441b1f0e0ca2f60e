"""Storing a rule set's verdicts in a separate process, so a GUI stays responsive meanwhile.

Evaluating 300 000 faces is a few seconds of pure Python. On a worker *thread* it
holds the GIL the GUI thread needs for every paint and every Qt call it makes
into Python, and the event loop stalls (measured: 150-250 ms gaps on 2 cores).
:func:`fill_verdicts_apart` runs :func:`facecurator.services.browse.fill_verdicts`
in a spawned child process with its own catalog connection instead: the caller's
thread only waits on a pipe (no GIL held), and the result is the same rows in
the same catalog.

A superseded fill is stopped through an event the child checks between chunks,
so it always closes its catalog (no unclean-shutdown marker is left behind).

Once every verdict is stored the caller is answered, and the child goes on storing the
reasons of the verdicts that are not qualified (:func:`~facecurator.services.browse.fill_reasons`:
what ``decide --reject-unqualified`` writes into the audit trail, set-based once they are
stored). That child lingers until it is done, the next fill starts, or :func:`stop_lingering`
(the window closing) stops it, between chunks as above.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from facecurator.domain.rules import RuleSet
from facecurator.errors import CatalogError

if TYPE_CHECKING:
    from facecurator.services.catalog import Catalog

log = logging.getLogger(__name__)

#: The child's scheduling priority below its parent's (``os.nice``): on a 2-core machine it
#: would otherwise take a core from the GUI process while the window paints its first rows.
CHILD_NICENESS: Final = 10

#: Seconds between two looks at ``is_stale`` while the child works.
POLL_S: Final = 0.05
#: Seconds a stopped child gets to finish its chunk and close the catalog before it is killed.
STOP_GRACE_S: Final = 10.0

#: The first and longest waits before the reasons are stored again after a failure (seconds).
RETRY_FIRST_S: Final = 0.25
RETRY_MAX_S: Final = 8.0

#: Children storing reasons after their fill answered: (process, its stop event).
_lingering: list[tuple[BaseProcess, Any]] = []
_lingering_lock = threading.Lock()


def stop_lingering(timeout: float = STOP_GRACE_S) -> None:
    """Stop the children still storing reasons after their fill (a new fill starts, the app
    closes): each finishes its chunk and closes the catalog, or is killed after ``timeout``."""
    _end_lingering(stop=True, timeout=timeout)


def wait_lingering(timeout: float | None = None) -> None:
    """Wait until the children storing reasons are done (tests, scripts)."""
    _end_lingering(stop=False, timeout=timeout)


def _end_lingering(*, stop: bool, timeout: float | None) -> None:
    with _lingering_lock:
        children = _lingering[:]
        _lingering.clear()
    for child, event in children:
        if stop:
            event.set()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()


def fill_verdicts_apart(
    path: Path | str,
    rules: RuleSet,
    *,
    source_root: str | None = None,
    first: Sequence[int] = (),
    chunk: int = 500,
    is_stale: Callable[[], bool] | None = None,
) -> bool:
    """:func:`~facecurator.services.browse.fill_verdicts` over the catalog at ``path`` (a file, or
    a server catalog's URL: ``Catalog.location``), in a
    child process; blocks the calling thread (not the GIL) until it is done.

    Returns True when every verdict is stored, False when ``is_stale`` stopped it.

    Raises:
        CatalogError: the child failed (its message names the catalog), or died.
    """
    stop_lingering()  # one fill at a time: the reasons of a previous one are stored later if need be
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(
            str(path),
            rules.name,
            rules.to_toml(),
            source_root,
            list(first),
            chunk,
            stop,
            send,
            os.getpid(),
        ),
        name="facecurator-verdict-fill",
        daemon=True,
    )
    child.start()
    send.close()  # the child holds the writing end; EOF when it exits
    try:
        outcome: tuple[str, str] | None = None
        while outcome is None:
            if receive.poll(POLL_S):
                try:
                    outcome = receive.recv()
                except EOFError:
                    outcome = ("error", f"the process stopped (exit code {child.exitcode})")
            elif is_stale is not None and is_stale():
                stop.set()
                child.join(STOP_GRACE_S)
                return False
        if outcome[0] == "done":  # it goes on storing the reasons
            with _lingering_lock:
                _lingering.append((child, stop))
            # stopped on the way out (before multiprocessing's own exit hook, registered
            # earlier, would terminate it mid-chunk and leave the catalog marked as in use)
            atexit.unregister(stop_lingering)
            atexit.register(stop_lingering)
        else:
            child.join(STOP_GRACE_S)
    finally:
        receive.close()
        if child.is_alive() and not any(child is lingering for lingering, _ in _lingering):
            child.kill()
            child.join()
    kind, message = outcome
    if kind == "done":
        return True
    if kind == "stopped":
        return False
    raise CatalogError(f"{path}: storing the verdicts of {rules.name} failed: {message}")


def store_reasons(
    path: str,
    rules: RuleSet,
    *,
    source_root: str | None,
    is_stale: Callable[[], bool],
    catalog: Catalog | None = None,
) -> bool:
    """:func:`~facecurator.services.browse.fill_reasons` on a catalog of its own; one that fails
    (the server gone) is tried again after a wait doubling from RETRY_FIRST_S up to RETRY_MAX_S
    (the window's row reads' backoff) until done or stopped -- each try goes on where the stored
    reasons end (a server catalog's CatalogError only). ``catalog``: the first try's (the fill's).
    True when every reason is stored."""
    from facecurator.services.browse import fill_reasons
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog.postgres import is_url

    delay = RETRY_FIRST_S
    while not is_stale():
        try:
            if catalog is not None:
                return fill_reasons(catalog, rules, source_root=source_root, is_stale=is_stale)
            with Catalog(path) as fresh:
                return fill_reasons(fresh, rules, source_root=source_root, is_stale=is_stale)
        except CatalogError as exc:  # (a rejection computes its reasons itself meanwhile)
            if not is_url(path):  # (a file's error: not the server gone -- not tried again)
                raise
            log.warning(
                "%s: storing the reasons of %s failed (again in %.2f s): %s", path, rules.name, delay, exc
            )
        waited = 0.0
        while waited < delay and not is_stale():
            time.sleep(POLL_S)
            waited += POLL_S
        delay, catalog = min(delay * 2, RETRY_MAX_S), None
    return False


def _child(
    path: str,
    name: str,
    toml: str,
    source_root: str | None,
    first: list[int],
    chunk: int,
    stop: object,
    send: object,
    parent: int,
) -> None:
    """The child process: fill, then report ("done" | "stopped" | "error", message), then (done)
    store the reasons. It stops between chunks when asked, or when its parent is gone (a killed
    app leaves no fill behind)."""
    from facecurator.errors import FacecuratorError
    from facecurator.services.browse import fill_verdicts
    from facecurator.services.catalog import Catalog

    if hasattr(os, "nice"):  # (POSIX) the GUI's threads come first on a busy CPU
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICENESS)
    stopped: Callable[[], bool] = stop.is_set  # type: ignore[attr-defined]

    def is_set() -> bool:
        return stopped() or os.getppid() != parent

    answered = False
    outcome: tuple[str, str]
    try:
        rules = RuleSet.from_toml(toml, name=name)
        with Catalog(path) as catalog:
            done = fill_verdicts(
                catalog, rules, source_root=source_root, first=first, chunk=chunk, is_stale=is_set
            )
            if not done:
                outcome = ("stopped", "")
            else:
                send.send(("done", ""))  # type: ignore[attr-defined]
                send.close()  # type: ignore[attr-defined]
                answered = True  # (its failures said, and tried again, there)
                store_reasons(path, rules, source_root=source_root, is_stale=is_set, catalog=catalog)
                return
    except FacecuratorError as exc:
        outcome = ("error", str(exc))
    except Exception as exc:
        log.exception("verdict fill failed")
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    if answered:  # (not by the reasons: store_reasons says why itself)
        log.warning("%s: storing the reasons of %s failed: %s", path, name, outcome[1])
        return
    send.send(outcome)  # type: ignore[attr-defined]
    send.close()  # type: ignore[attr-defined]
