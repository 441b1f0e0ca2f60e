"""Decisions made elsewhere, as they happen: what a second operator's window shows.

On a PostgreSQL catalog every decision and undo sends a ``NOTIFY`` when it commits
(``Catalog._announce``); a :class:`DecisionFeed` LISTENs on a connection of its own and
wakes at once. On a SQLite file (one desktop: the GUI and the command line) it looks
every ``poll_interval`` seconds. Either way what changed is read from the append-only
audit trail (entries after the last one seen), so a notification that was missed
(e.g. while reconnecting) loses nothing: the next look catches up.

Catalog writes are serialised (SQLite's write lock; the advisory lock on a server), so
audit ids grow in commit order and "after the last one seen" is exact.

The conflict rule for two operators deciding one face: the last write wins, and both
are in the audit trail with who and when (the second entry's ``old_state`` is the
first one's ``new_state``). A bulk decision (accept qualified, reject unqualified)
never overrides: it decides only faces still pending and tells how many it skipped
because someone else decided them first.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Final

from facecurator.errors import CatalogError
from facecurator.services.catalog.database import Catalog
from facecurator.services.catalog.dialect import POSTGRESQL
from facecurator.services.catalog.health import process_owner
from facecurator.services.catalog.rows import AuditRow

#: How often a SQLite catalog is looked at (seconds).
POLL_INTERVAL: Final = 1.0
#: At most this many audit entries per look (the rest come with the next one).
MAX_ENTRIES: Final = 50_000


class DecisionFeed:
    """Audit entries written since the feed started, by any process (see the module doc).

    Use it from one thread (it owns a Catalog): the GUI runs it on a worker thread.
    """

    def __init__(
        self, location: str, *, poll_interval: float = POLL_INTERVAL, others_only: bool = False
    ) -> None:
        """``others_only``: leave out what this process decided (its window shows that already)."""
        self.catalog = Catalog(location)
        self.poll_interval = poll_interval
        self._others_only = others_only
        self._stop = threading.Event()
        self._listen: Any = None
        self._listening: Any = None
        self._listen_error = ""
        self._location = location
        with self.catalog._reading("audit trail") as db:
            self.last_seen = int(db.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0])
        if self.catalog.dialect == POSTGRESQL:
            self._listen_again()
            if self._listen is None:
                self.catalog.close()
                raise CatalogError(self._listen_error)

    def stop(self) -> None:
        """Make a waiting :meth:`wait` return (from any thread)."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait(self, timeout: float) -> list[AuditRow]:
        """The entries written since the last call, waiting up to ``timeout`` s for one."""
        entries = self._since()
        if entries or self._stop.is_set():
            return entries
        if self.catalog.dialect == POSTGRESQL and (self._listen is None or self._listen.closed):
            self._listen_again()  # the audit trail read: the server is back, LISTEN again
        if self._listen is not None:
            try:
                for _ in self._listen.notifies(timeout=min(timeout, self.poll_interval), stop_after=1):
                    break
            except Exception as exc:  # noqa: BLE001 - psycopg's own: the server went away
                self._listen_error = str(exc)
                self._unlisten()  # listened to again at the next wait that reads the audit trail
        else:
            self._stop.wait(min(timeout, self.poll_interval))
        return self._since()

    def _listen_again(self) -> None:
        """(Re)open the LISTEN connection; while the server refuses it, the feed looks every
        ``poll_interval`` instead (the audit trail misses nothing either way). Without it a
        server restart left the feed on a dead connection (review19)."""
        from facecurator.services.catalog import postgres

        self._unlisten()
        listening = postgres.listening(self._location)
        try:
            self._listen = listening.__enter__()
        except CatalogError as exc:
            self._listen_error = str(exc)
            return
        self._listening = listening

    def _unlisten(self) -> None:
        if self._listening is not None:
            with contextlib.suppress(Exception):  # its connection may be dead already
                self._listening.__exit__(None, None, None)
        self._listening = self._listen = None

    def _since(self) -> list[AuditRow]:
        with self.catalog._reading("audit trail") as db:
            rows = db.execute(
                "SELECT a.id, a.batch_id, a.at, a.who, a.face_id, a.action, a.old_state, a.new_state,"
                " a.reason, b.owner FROM audit AS a JOIN batches AS b ON b.id = a.batch_id"
                " WHERE a.id > ? ORDER BY a.id LIMIT ?",
                (self.last_seen, MAX_ENTRIES),
            ).fetchall()
        if rows:
            self.last_seen = int(rows[-1][0])
        own = process_owner() if self._others_only else None
        return [AuditRow(*row[:9]) for row in rows if own is None or row[9] != own]

    def close(self) -> None:
        self._stop.set()
        self._unlisten()
        self.catalog.close()

    def __enter__(self) -> DecisionFeed:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
