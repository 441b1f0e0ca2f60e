"""The row worker's half of the store's row cache (:class:`~facecurator.gui.store_rows.StoreRows`):
a large grid's rows asked as painted, gathered over an event-loop turn into one read on the
"fc-rows" worker and kept when answered.

A read that fails (the server gone or restarting, a dropped connection) is not an answer: its ids
stay asked -- no paint asks for them meanwhile -- and are asked again after a wait that doubles
from RETRY_FIRST_MS up to RETRY_MAX_MS, for as long as it fails (one connection try each time), and
at once when another read is answered; ``rowReadFailed`` announces the failure while it lasts
(None once a read is answered). Before, a failed read marked its ids unreadable until the next
change, and the current face / image said "loading…" after the server was back (review15).
A paged grid's page of ids whose read failed (on the GUI thread or its worker: :meth:`page_failed`)
is said and asked again the same way.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from PySide6.QtCore import QTimer, SignalInstance

from facecurator.domain.rules import RuleSet
from facecurator.services.catalog import Catalog
from facecurator.services.catalog import queries as q
from facecurator.services.identity import GalleryIdentities
from facecurator.services.review import ReviewedFace, ReviewedImage, review

log = logging.getLogger(__name__)

#: The wait before a failed row read is asked again (ms), doubled after each failure in a row...
RETRY_FIRST_MS: Final = 250
#: ... up to this: a server down for long is tried every 8 s (one connection attempt).
RETRY_MAX_MS: Final = 8000


@dataclass
class _RowRead:
    """Rows asked of the row worker (:meth:`RowReads.read_later`), not answered yet."""

    images: set[int] = field(default_factory=set)
    faces: set[int] = field(default_factory=set)
    #: images forgotten since it was sent (a decision, a rescan): not kept from its answer
    stale: set[int] = field(default_factory=set)
    #: every row was forgotten since (new rules, an open): nothing of its answer is kept
    void: bool = False


@dataclass(frozen=True, slots=True)
class RowReadFailure:
    """A read of rows on the row worker failed: how many rows it asked, why, and when it is
    asked again (what the window shows while row reads fail)."""

    images: int
    faces: int
    error: str
    retry_ms: int


class RowReads:
    """Rows read on the row worker (see the module docstring); a mixin of the store's rows."""

    ruleset: RuleSet
    source_root: str | None
    _identities: GalleryIdentities | None
    _rows: OrderedDict[int, ReviewedImage]
    _face_rows: dict[int, ReviewedFace]
    #: rows asked this event-loop turn (sent at its end), and those sent and not answered yet
    #: (a failed one until it is asked again)
    _asking: _RowRead | None
    _row_reads: list[_RowRead]
    #: failed reads waiting for ``_row_retry`` (a single-shot timer) to ask their ids again
    _row_failed: list[_RowRead]
    #: ... and the failed page reads of paged grids: each asked again by calling it
    _pages_failed: list[Callable[[], None]]
    _row_retry: QTimer
    #: the wait before the next failed read is asked again (ms)
    _row_retry_ms: int
    #: the last row read's failure while no read has been answered since (None: none)
    row_failure: RowReadFailure | None
    #: ids asked whose answer had no row (another source's, gone): not asked again until a change
    _unread: set[int]
    #: (image ids, face ids) asked of the row worker: their answer is in the cache (those it had)
    rowsRead: SignalInstance
    #: a RowReadFailure while row reads fail; None once one is answered again
    rowReadFailed: SignalInstance

    def _start_row_reads(self) -> None:
        """Nothing asked, nothing failed (the store's __init__: a QObject, the timer's parent)."""
        self._asking = None
        self._row_reads = []
        self._row_failed = []
        self._pages_failed = []
        self._row_retry = QTimer(self)  # type: ignore[arg-type]
        self._row_retry.setSingleShot(True)
        self._row_retry.timeout.connect(self._retry_rows)
        self._row_retry_ms = RETRY_FIRST_MS
        self.row_failure = None
        self._unread = set()

    @property
    def closed(self) -> bool:
        raise NotImplementedError

    def _keep(self, images: Sequence[ReviewedImage]) -> None:
        raise NotImplementedError

    def read_rows(
        self,
        run: Callable[[Catalog], object],
        callback: Callable[[object], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """:meth:`query` on the row worker, ``failed(error)`` when it fails (CurationStore)."""
        raise NotImplementedError

    def read_later(self, *, image_ids: Sequence[int] = (), face_ids: Sequence[int] = ()) -> None:
        """Ask the row worker for the rows of these images (of these faces' images) that are not
        cached, asked or unreadable, gathered over this event-loop turn into one read; ``rowsRead``
        says when they are in the cache. A large grid's rows as painted: read by id on the GUI
        thread, a page's were a round trip or two to PostgreSQL, 0.10-0.46 s under load at 1M."""
        if self.closed:
            return
        reads = [read for read in (self._asking, *self._row_reads) if read is not None]
        images = [
            i for i in image_ids
            if i not in self._rows and i not in self._unread and not any(i in r.images for r in reads)
        ]  # fmt: skip
        faces = [
            i for i in face_ids
            if i not in self._face_rows and i not in self._unread and not any(i in r.faces for r in reads)
        ]  # fmt: skip
        if not images and not faces:
            return
        if self._asking is None:
            self._asking = _RowRead()
            QTimer.singleShot(0, self._send_rows)
        self._asking.images.update(images)
        self._asking.faces.update(faces)

    def read_pending(self, *, image_ids: Sequence[int] = (), face_ids: Sequence[int] = ()) -> bool:
        """Whether a row of these images / faces is asked of the row worker and not answered
        (``rowsRead`` will say so; after :meth:`read_later`, False: nothing to ask -- cached, or
        no such row)."""
        reads = [read for read in (self._asking, *self._row_reads) if read is not None]
        return any(i in read.images for read in reads for i in image_ids) or any(
            i in read.faces for read in reads for i in face_ids
        )

    def _send_rows(self) -> None:
        """Send the rows asked this turn to the row worker (read and evaluated there by the
        services' review, the one owner of the evaluation)."""
        read, self._asking = self._asking, None
        if read is None or self.closed:
            return
        self._row_reads.append(read)
        ruleset, identities, root = self.ruleset, self._identities, self.source_root
        images, faces = sorted(read.images), sorted(read.faces)

        def run(catalog: Catalog) -> list[ReviewedImage]:
            wanted = sorted(set(images).union(q.image_of_faces(catalog, faces).values() if faces else ()))
            return review(catalog, ruleset, source_root=root, image_ids=wanted, identities=identities)

        self.read_rows(
            run,
            lambda answer: self._rows_answered(read, ruleset, identities, answer),  # type: ignore[arg-type]
            lambda error: self._rows_failed(read, error),
        )

    def _rows_answered(
        self,
        read: _RowRead,
        ruleset: RuleSet,
        identities: GalleryIdentities | None,
        answer: list[ReviewedImage],
    ) -> None:
        """Keep what the row worker read (not the rows forgotten since it was sent, nor under
        other rules) and announce the ids asked: the views paint them, or ask again."""
        self._row_reads.remove(read)
        self.page_answered()
        fresh = not read.void and ruleset == self.ruleset and identities is self._identities
        root = self.source_root  # (asked before an open listed its source: another's not kept)
        if fresh:
            self._keep([
                image for image in answer
                if image.row.id not in read.stale and image.row.id not in self._rows
                and root in (None, image.row.source_root)
            ])  # fmt: skip
            # (no such row: not asked again until a change)
            self._unread.update(i for i in read.images if i not in self._rows and i not in read.stale)
            self._unread.update(i for i in read.faces if i not in self._face_rows and not read.stale)
        self.rowsRead.emit(sorted(read.images), sorted(read.faces))

    def _rows_failed(self, read: _RowRead, error: Exception) -> None:
        """A read failed on the worker: its ids stay asked until ``_row_retry`` asks them again
        (the wait doubling up to RETRY_MAX_MS), and the failure is announced."""
        if self.closed:
            self._row_reads.remove(read)
            return
        self._row_failed.append(read)
        self._failed(len(read.images), len(read.faces), error)

    def page_failed(self, images: int, faces: int, error: Exception, again: Callable[[], None]) -> None:
        """The read of a paged grid's page of ``images`` / ``faces`` rows failed (the catalog out
        of reach): said as a failed row read, and ``again()`` called when those are asked again."""
        if not self.closed:
            self._pages_failed.append(again)
            self._failed(images, faces, error)

    def page_answered(self) -> None:
        """A read was answered (rows, or a paged grid's page): a failure said is over, and the
        reads still waiting are asked again now (not in 8 s)."""
        if self.row_failure is not None:
            self.row_failure = None
            self._row_retry_ms = RETRY_FIRST_MS
            self.rowReadFailed.emit(None)
            if self._row_failed or self._pages_failed:
                self._row_retry.start(0)

    def _failed(self, images: int, faces: int, error: Exception) -> None:
        """Say that a read failed and have ``_row_retry`` ask it again (the wait doubling up to
        RETRY_MAX_MS)."""
        delay = self._row_retry_ms
        self._row_retry_ms = min(delay * 2, RETRY_MAX_MS)
        log.warning(
            "reading the rows of %d images and %d faces failed (asked again in %.2f s): %s",
            images, faces, delay / 1000, error,
        )  # fmt: skip
        self.row_failure = RowReadFailure(images, faces, str(error), delay)
        if not self._row_retry.isActive():
            self._row_retry.start(delay)
        self.rowReadFailed.emit(self.row_failure)

    def _retry_rows(self) -> None:
        """Ask again the ids of the reads that failed (those still wanted: not cached since, not
        of a source or rule set left meanwhile -- the views ask those anew), and the failed pages."""
        waiting, self._row_failed = self._row_failed, []
        pages, self._pages_failed = self._pages_failed, []
        for read in waiting:
            self._row_reads.remove(read)
        if self.closed:
            return
        for read in waiting:
            if not read.void:
                self.read_later(image_ids=sorted(read.images), face_ids=sorted(read.faces))
        for again in pages:
            again()
