"""The source the app opens at start, listed in a thread while the window is being built.

Importing the GUI and building the main window take most of a second on this
2-core machine, and listing a 100 000-image source (the ids of the gallery and
triage, :func:`~facecurator.services.catalog.queries.source_lists`) about as
long again. :func:`start` begins the listing before the window is built (its own
catalog connection, mostly SQLite, which runs without the GIL);
:meth:`CurationStore._list <facecurator.gui.store.CurationStore>` takes the result
(:func:`take`) instead of listing again when it opens the same source of the same
catalog. Only local folders are listed early (an ``oss://`` source needs its
profile). A listing that failed is simply done again by the store.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q

log = logging.getLogger(__name__)

#: A listing older than this is not used (the catalog may have changed since).
MAX_AGE_S: Final = 30.0

Lists = tuple[list[int], list[int], list[int], list[int]]


class EarlyListing:
    """One source listed in a thread: (images, images by name, faces, pending faces)."""

    def __init__(self, location: str, source_root: str) -> None:
        self.location, self.source_root = location, source_root
        self.lists: Lists | None = None
        self._thread = threading.Thread(target=self._run, name="early listing", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            # reads go on while the check on open runs (a write would wait for it)
            with Catalog(self.location, check_later=True) as catalog:
                self.lists = q.source_lists(catalog, source_root=self.source_root)
        except Exception as exc:  # noqa: BLE001 - the store lists again and reports its own error
            log.debug("early listing of %s failed: %s", self.source_root, exc)

    def wait(self, timeout: float) -> Lists | None:
        self._thread.join(timeout)
        return None if self._thread.is_alive() else self.lists


_lock = threading.Lock()
_early: EarlyListing | None = None


def start(location: str, source: str) -> None:
    """List the local folder ``source`` of the catalog at ``location`` in a thread (nothing for
    other sources, or when the folder cannot be opened)."""
    global _early
    if source.startswith("oss://"):
        return
    from facecurator.errors import FacecuratorError
    from facecurator.sources import open_source

    try:
        root = open_source(source).root
    except FacecuratorError:
        return  # the window says why when it opens it
    with _lock:
        _early = EarlyListing(location, root)


def take(location: str, source_root: str | None) -> Lists | None:
    """The early listing of this source of this catalog (once), or None."""
    global _early
    with _lock:
        early, _early = _early, None
    if early is None or (early.location, early.source_root) != (location, source_root):
        return None
    return early.wait(MAX_AGE_S)
