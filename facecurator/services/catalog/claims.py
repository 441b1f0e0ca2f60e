"""The shared work of a server catalog: the scan queue, the workers, an account's rate budget.

PostgreSQL only (a SQLite catalog is one desktop's). The coordination tables are part of
the one schema (step 7 of services/catalog/schema.py; a SQLite catalog has them, unused):

* ``scan_queue``: one row per listed image of a *job* (source + detector + settings).
  A worker claims rows with ``FOR UPDATE SKIP LOCKED`` and a lease (server clock);
  a heartbeat renews its leases; a claim whose lease ran out (its worker was killed,
  or lost the network) is claimed again by another. A row is ``done`` once its image
  is stored in the catalog; a row claimed again after that finds the image cached
  (same identity, detector and settings) and is never detected nor paid again.
  Each row carries the *pass* that last listed it (``scan_passes``: a job's pass grows
  when a scan starts over a complete job), so the images a finished pass did not list are
  marked missing by one statement (:meth:`WorkQueue.mark_missing`): a worker never holds
  the listing, however long (an OSS prefix of millions of objects).
* ``scan_workers``: one row per worker process: host, pid, job, images done, rate,
  last heartbeat (``facecurator status``).
* ``rate_budget``: one row per account and service: the next free call slot. Every
  worker of every machine books its calls there (:class:`SharedBudget`), so together
  they keep one account's QPS cap.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from facecurator.domain.protocols import ImageRef
from facecurator.errors import CatalogError
from facecurator.services.catalog.database import Catalog
from facecurator.services.catalog.dialect import POSTGRESQL

#: Seconds a claim lasts without a heartbeat (a killed worker's images wait this long).
LEASE_S: Final = 60.0
#: A worker whose heartbeat is older than this many leases is shown as gone.
GONE_AFTER_LEASES: Final = 1.0
#: Rows per enqueue statement.
ENQUEUE_CHUNK: Final = 1000


def require_server(catalog: Catalog, what: str) -> None:
    if catalog.dialect != POSTGRESQL:
        raise CatalogError(f"{catalog.path}: {what} needs a server catalog (postgresql://...)")


def worker_name() -> str:
    """This process as a worker: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """A scan worker as ``facecurator status`` shows it."""

    worker: str
    job: str
    host: str
    pid: int
    started_at: str
    heartbeat_age: float  # seconds since its last heartbeat (server clock)
    done: int
    rate: float  # images per second, recent
    state: str  # scanning | done | cancelled | failed
    alive: bool  # heartbeat within the lease


@dataclass(frozen=True, slots=True)
class JobInfo:
    job: str
    total: int
    left: int
    failed: int = 0  # images whose last pass failed (or whose faces could not be embedded)


class WorkQueue:
    """One worker's view of one job's queue (see the module doc). Uses ``catalog`` from
    its thread; the heartbeat opens its own connection (:meth:`heartbeat`)."""

    def __init__(
        self, catalog: Catalog, job: str, *, worker: str | None = None, lease_s: float = LEASE_S
    ) -> None:
        require_server(catalog, "a shared scan")
        self.catalog = catalog
        self.job = job
        self.worker = worker or worker_name()
        self.lease_s = float(lease_s)
        self.pass_no = 0  # set by start_pass

    # -- the queue ------------------------------------------------------------------------

    def enqueue(self, refs: Iterable[ImageRef]) -> int:
        """Add listed images to this pass (those already queued keep their state unless they
        changed); returns how many."""
        rows = [
            (self.job, r.uri, r.name, r.group, r.size, r.mtime_ns, r.etag, r.problem, self.pass_no)
            for r in refs
        ]
        if not rows:
            return 0
        with self.catalog._write("queue the listed images", exclusive=False) as db:
            # An image changed since it was queued (size, mtime, ETag) is to do again, as it is now.
            db.executemany(
                "INSERT INTO scan_queue"
                " (job, uri, name, group_name, size, mtime_ns, etag, problem, listed_pass)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (job, uri) DO UPDATE SET listed_pass = excluded.listed_pass,"
                " state = CASE WHEN (scan_queue.size, scan_queue.mtime_ns, scan_queue.etag)"
                " IS DISTINCT FROM (excluded.size, excluded.mtime_ns, excluded.etag)"
                " THEN 'todo' ELSE scan_queue.state END,"
                " failure = CASE WHEN (scan_queue.size, scan_queue.mtime_ns, scan_queue.etag)"
                " IS DISTINCT FROM (excluded.size, excluded.mtime_ns, excluded.etag)"
                " THEN NULL ELSE scan_queue.failure END,"
                " name = excluded.name, group_name = excluded.group_name, size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, etag = excluded.etag, problem = excluded.problem",
                rows,
            )
        return len(rows)

    def mark_missing(self, source_root: str) -> int:
        """Mark the images of ``source_root`` this pass did not list as ``missing`` (one
        statement; call once the whole source was listed). Returns how many."""
        with self.catalog._write(f"update images of {source_root}") as db:
            cursor = db.execute(
                "UPDATE images SET status = 'missing', error = 'no longer listed by its source'"
                " WHERE source_root = ? AND status <> 'missing' AND NOT EXISTS ("
                " SELECT 1 FROM scan_queue AS q"
                " WHERE q.job = ? AND q.uri = images.uri AND q.listed_pass = ?)",
                (source_root, self.job, self.pass_no),
            )
            return int(cursor.rowcount)

    def start_pass(self) -> bool:
        """A scan started on a job that is complete starts a new pass over it (every image is
        checked again, as a re-scan does: unchanged ones are cached, failed ones retried).
        Returns whether it did; a job in progress is joined as it is (and its pass)."""
        with self.catalog._write("start a scan pass", exclusive=False) as db:
            db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (self.job,))
            todo = db.execute(
                "SELECT count(*) FILTER (WHERE state = 'todo'), count(*) FROM scan_queue WHERE job = ?",
                (self.job,),
            ).fetchone()
            current = db.execute("SELECT pass FROM scan_passes WHERE job = ?", (self.job,)).fetchone()
            new = not todo[0] and todo[1] > 0
            if current is None or new:
                self.pass_no = (int(current[0]) if current else 0) + 1
                db.execute(
                    "INSERT INTO scan_passes (job, pass) VALUES (?, ?)"
                    " ON CONFLICT (job) DO UPDATE SET pass = excluded.pass",
                    (self.job, self.pass_no),
                )
            else:
                self.pass_no = int(current[0])
            if not new:
                return False
            db.execute(
                "UPDATE scan_queue SET state = 'todo', worker = NULL, lease_until = NULL, failure = NULL"
                " WHERE job = ?",
                (self.job,),
            )
        return True

    def claim(self, n: int) -> list[ImageRef]:
        """Claim up to ``n`` images nobody holds (never claimed, or their lease ran out)."""
        with self.catalog._write("claim images to scan", exclusive=False) as db:
            rows = db.execute(
                """UPDATE scan_queue SET worker = ?, claims = claims + 1,
                          lease_until = clock_timestamp() + make_interval(secs => ?)
                   WHERE id IN (
                       SELECT id FROM scan_queue
                       WHERE job = ? AND state = 'todo'
                         AND (lease_until IS NULL OR lease_until < clock_timestamp())
                       ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                   RETURNING id, uri, name, group_name, size, mtime_ns, etag, problem""",
                (self.worker, self.lease_s, self.job, int(n)),
            ).fetchall()
        rows.sort()
        return [
            ImageRef(uri, name, group, size, mtime, etag, problem)
            for _, uri, name, group, size, mtime, etag, problem in rows
        ]

    def finished(self, outcomes: Sequence[tuple[str, str | None]]) -> None:
        """Mark images stored (their outcome is committed in the catalog): (uri, failure or
        None) each; the failure is kept with the image's row (:func:`failures`)."""
        if not outcomes:
            return
        with self.catalog._write("mark scanned images", exclusive=False) as db:
            db.executemany(  # a failure noted in this pass (note_failure) stays
                "UPDATE scan_queue SET state = 'done', lease_until = NULL, failure = coalesce(?, failure)"
                " WHERE job = ? AND uri = ?",
                [(failure, self.job, uri) for uri, failure in outcomes],
            )

    def note_failure(self, uri: str, failure: str) -> None:
        """Keep why an image is incomplete (stored without its face embeddings) with its row."""
        with self.catalog._write("note a scan failure", exclusive=False) as db:
            db.execute(
                "UPDATE scan_queue SET failure = ? WHERE job = ? AND uri = ?", (failure, self.job, uri)
            )

    def waiting_on_others(self) -> tuple[int, float | None]:
        """(images still to do that are not this worker's, seconds until the first of them
        can be claimed: 0 when one can be now, None when there is none)."""
        with self.catalog._reading("the work queue") as db:
            row = db.execute(
                """SELECT count(*), min(CASE WHEN lease_until IS NULL THEN 0 ELSE
                          greatest(0, extract(epoch FROM lease_until - clock_timestamp())) END)
                   FROM scan_queue WHERE job = ? AND state = 'todo'
                     AND (worker IS NULL OR worker <> ? OR lease_until < clock_timestamp())""",
                (self.job, self.worker),
            ).fetchone()
        count = int(row[0])
        return count, (None if count == 0 else float(row[1] or 0.0))

    def progress(self) -> JobInfo:
        return job_info(self.catalog, self.job)

    # -- the worker row -------------------------------------------------------------------

    def register(self) -> None:
        with self.catalog._write("register the scan worker", exclusive=False) as db:
            db.execute(
                """INSERT INTO scan_workers
                       (worker, job, host, pid, started_at, heartbeat_at, done, rate, state, lease_s)
                   VALUES (?, ?, ?, ?, clock_timestamp(), clock_timestamp(), 0, 0, 'scanning', ?)
                   ON CONFLICT (worker) DO UPDATE SET job = excluded.job, started_at = excluded.started_at,
                       heartbeat_at = excluded.heartbeat_at, done = 0, rate = 0, state = 'scanning',
                       lease_s = excluded.lease_s""",
                (self.worker, self.job, socket.gethostname(), os.getpid(), self.lease_s),
            )

    def beat(self, db: Any, done: int, rate: float, state: str = "scanning") -> None:
        """Renew this worker's leases and heartbeat (on the heartbeat's own connection ``db``)."""
        db.execute(
            "UPDATE scan_queue SET lease_until = clock_timestamp() + make_interval(secs => ?)"
            " WHERE job = ? AND worker = ? AND state = 'todo'",  # still ours: nobody claimed it again
            (self.lease_s, self.job, self.worker),
        )
        db.execute(
            "UPDATE scan_workers SET heartbeat_at = clock_timestamp(), done = ?, rate = ?, state = ?"
            " WHERE worker = ?",
            (int(done), float(rate), state, self.worker),
        )

    def heartbeat(self, counters: Counters, interval: float | None = None) -> Heartbeat:
        """Start renewing this worker's leases every ``interval`` s (default a third of the lease)."""
        return Heartbeat(self, counters, interval or self.lease_s / 3)


class Counters:
    """What a worker has done so far (updated by the scan, read by the heartbeat)."""

    def __init__(self) -> None:
        self.done = 0
        self.rate = 0.0
        self.state = "scanning"


class Heartbeat:
    """A thread with its own connection that renews a worker's leases and heartbeat."""

    def __init__(self, queue: WorkQueue, counters: Counters, interval: float) -> None:
        self.queue = queue
        self.counters = counters
        self.interval = interval
        self._stop = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="scan-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with Catalog(self.queue.catalog.location) as catalog:
                while True:
                    with catalog._write("renew the scan leases", exclusive=False) as db:
                        self.queue.beat(db, self.counters.done, self.counters.rate, self.counters.state)
                    if self._stop.wait(self.interval):
                        break
                with catalog._write("end the scan worker", exclusive=False) as db:
                    self.queue.beat(db, self.counters.done, self.counters.rate, self.counters.state)
        except BaseException as exc:  # noqa: BLE001 - reported by the scan when it ends
            self.error = exc

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)


# -- status ---------------------------------------------------------------------------------


_JOB_COUNTS: Final = (
    "count(*), count(*) FILTER (WHERE state = 'todo'),"
    " count(*) FILTER (WHERE state = 'done' AND failure IS NOT NULL)"
)


def job_info(catalog: Catalog, job: str) -> JobInfo:
    with catalog._reading("the work queue") as db:
        total, left, failed = db.execute(
            f"SELECT {_JOB_COUNTS} FROM scan_queue WHERE job = ?", (job,)
        ).fetchone()
    return JobInfo(job, int(total), int(left), int(failed))


def failures(catalog: Catalog, *, page: int = 1000) -> Iterator[tuple[str, str, str]]:
    """(job, uri, failure) of every image whose last pass failed, a page at a time (a long
    shared scan's failures are read from here, not held by its workers)."""
    require_server(catalog, "failures of shared scans")
    last = 0
    while True:
        with catalog._reading("the work queue") as db:
            rows = db.execute(
                "SELECT id, job, uri, failure FROM scan_queue"
                " WHERE id > ? AND state = 'done' AND failure IS NOT NULL ORDER BY id LIMIT ?",
                (last, page),
            ).fetchall()
        for _, job, uri, failure in rows:
            yield job, uri, failure
        if len(rows) < page:
            return
        last = rows[-1][0]


def status(catalog: Catalog) -> tuple[list[JobInfo], list[WorkerInfo]]:
    """Every job with images left (or a worker), and every worker, newest first."""
    require_server(catalog, "status of shared scans")
    with catalog._reading("the work queue") as db:
        jobs = db.execute(f"SELECT job, {_JOB_COUNTS} FROM scan_queue GROUP BY job ORDER BY job").fetchall()
        workers = db.execute(
            """SELECT worker, job, host, pid, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                      extract(epoch FROM clock_timestamp() - heartbeat_at), done, rate, state, lease_s
               FROM scan_workers ORDER BY started_at DESC, worker"""
        ).fetchall()
    return (
        [JobInfo(job, int(total), int(left), int(failed)) for job, total, left, failed in jobs],
        [
            WorkerInfo(
                w,
                j,
                h,
                int(p),
                s,
                float(age),
                int(d),
                float(r),
                st,
                alive=st == "scanning" and float(age) < lease * GONE_AFTER_LEASES,
            )
            for w, j, h, p, s, age, d, r, st, lease in workers
        ],
    )


@dataclass(frozen=True, slots=True)
class TeamSummary:
    """The shared scans at a glance (the GUI's status bar): which machines work, how fast, what is left."""

    working: tuple[WorkerInfo, ...]  # the machines working now, newest first
    left: int  # images left in every job

    @property
    def counts(self) -> tuple[int, float, int]:
        """(machines working, images/s together, images left)."""
        return len(self.working), sum(w.rate for w in self.working), self.left


def team_summary(catalog: Catalog) -> TeamSummary | None:
    """The shared scans' machines and images left, or None on a SQLite catalog."""
    if catalog.dialect != POSTGRESQL:
        return None
    jobs, workers = status(catalog)
    return TeamSummary(tuple(w for w in workers if w.alive), sum(j.left for j in jobs))


# -- one account's rate budget ----------------------------------------------------------------


class SharedBudget:
    """Call slots of one account booked in the catalog: all workers together keep its cap.

    ``book(account, interval)`` moves the account's next free slot ``interval`` s on (the
    booking limiter's own spacing, so each process keeps its adaptive back-off) and
    returns how long the caller waits for its slot, on the server's clock. Thread-safe:
    one connection of its own, behind a lock (a booking is one short statement).
    """

    def __init__(self, location: str) -> None:
        from facecurator.services.catalog import postgres

        shown, self._db = postgres.connect(location, timeout=30)
        self.location = str(shown)
        self._lock = threading.Lock()
        self._known: set[str] = set()

    def book(self, account: str, interval: float) -> float:
        with self._lock:
            if account not in self._known:
                self._db.execute(
                    "INSERT OR IGNORE INTO rate_budget (account, next_at) VALUES (?, clock_timestamp())",
                    (account,),
                )
                self._known.add(account)
            row = self._db.execute(
                """UPDATE rate_budget
                   SET next_at = greatest(next_at, clock_timestamp()) + make_interval(secs => ?)
                   WHERE account = ?
                   RETURNING extract(epoch FROM next_at - clock_timestamp()) - ?""",
                (interval, account, interval),
            ).fetchone()
        return max(0.0, float(row[0]))

    def close(self) -> None:
        with self._lock:
            self._db.close()
