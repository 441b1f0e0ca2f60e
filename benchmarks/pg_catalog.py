"""The catalog on PostgreSQL against SQLite at scale (issue 17, item 5): ratios, not timings.

    .venv/bin/python benchmarks/pg_catalog.py [--images 1000000] [--faces 3] [--queue 20000]
        [--report] [--json]

Seeds the same synthetic catalog (``--images`` images, ``--faces`` faces each, a
detection per image, a fiftieth of the faces decided; about 31 % of the faces qualify under
the default preset, whose verdicts and reasons are stored as the gallery's fill leaves them
-- since 2026-12-07 session 13: before, no face qualified and no verdict was stored, so the
figures below from before then evaluated every face) into a SQLite file and into a
database of a throwaway PostgreSQL cluster (tests/helpers/pgcluster.py; the server
binaries must be installed), server-side (``generate_series`` / a recursive CTE: the
API would take an hour for a million images), then measures on both, through the
same :class:`~facecurator.services.catalog.Catalog` API:

* ``open``: opening the catalog (SQLite: its quick_check; PostgreSQL: connect + version);
* ``filter``: the face ids of ``yaw>20 and person~p1`` (the SQL filter of issue 13),
  the query the GUI's and the CLI's filters run;
* ``counts``: faces per decision state of the whole catalog;
* ``page``: the faces of 200 images (a gallery page);
* ``decide``: one decision of 200 faces (audit included), committed;
* ``report`` (``--report``): ``facecurator report --json`` of the whole catalog in a child
  process: first byte, total, size and peak memory (streamed: constant in the catalog's size).

PostgreSQL only: ``claim`` (the shared scan's queue: claiming ``--queue`` images 16 at a
time, one worker, then three threads at once with ``FOR UPDATE SKIP LOCKED``: images per
second, and that no image was claimed twice) and ``book`` (one call slot from the
account's rate budget, the per-call cost of the shared QPS cap).

Measured 2026-12-06 on the shared 2-core machine (load average ~7), 1 000 000 images /
3 000 000 faces (seeding: SQLite 34 s, PostgreSQL 90 s):

    filter   SQLite 3.16 s   PostgreSQL 1.23 s (0.39; the same 220 167 faces)
    counts   2.35 s          2.85 s (1.21)
    page     7.5 ms          9.5 ms (1.27)
    decide   39 ms           40 ms (1.04)
    open     1 ms            4.9 ms
    claims   1 worker 7 270 images/s, 3 workers 10 050 images/s, none claimed twice
    book     0.19 ms per call slot

``--report`` at 100 000 images / 300 000 faces (every face evaluated, 301 MB of JSON, the
same bytes from both): first byte SQLite 1.21 s / PostgreSQL 1.12 s, total 44.3 s / 46.9 s
(1.06), peak memory 117 / 134 MB (at 5 000 images: 73 / 75 MB) -- but those peaks were
wait4's, which keeps this seeding process's size (see ``_peak_kb``). The report's own peak
(VmHWM), re-run 2026-12-06 19:55 UTC at load 9.5-11.6: SQLite 83.2 MB, PostgreSQL 64.6 MB
at 100 000 images (first byte 1.18 / 1.52 s, total 56.0 / 57.3 s); on PostgreSQL 64 MB at
2 000, 10 000, 50 000 and 200 000 images (600 MB of JSON), the resident memory flat at
63-64 MB all through: streamed in constant memory.

``--gui``: benchmarks/scale.py's GUI measure on both catalogs (a child process: start ->
the gallery painted with every image's row, goal < 2 s; the longest event-loop stall from
the start, goal < 100 ms, i.e. the gallery stays smooth while verdicts fill; memory),
opened with no verdict stored, then again. Paging itself is the ``page`` figure above (a
gallery page of 200 images); scrolling the window is not driven here.
At 100 000 images / 300 000 faces (--gui --verdict-wait 60, load ~7, the 1M listing
benchmark beside it): gallery shown (every row; process start and Qt included) SQLite
4.01 s / PostgreSQL 5.85 s (1.46) on the first open, 5.11 / 8.74 s (1.71) on the reopen
(on PostgreSQL the verdicts were not all stored within the 60 s wait, so the reopen filled
again); longest stall once the window is up 315 / 117 ms, 181 / 263 ms; RSS 287 / 254 MB.
Both miss the 2 s goal on this machine under this load; PostgreSQL adds about half.
1M on PostgreSQL with --gui: not run (seeding alone is ~90 s, the 4 GUI runs longer).

``--gui`` also scrolls (``--scroll-pages``, 20; benchmarks/gui_scroll.py): the gallery and
Triage's grid paged down one page at a time in the app's window; per page the time to the
rows painted, to every visible thumbnail/crop painted, and the longest event-loop stall
(median / p90 / worst). ``--scroll-only`` skips the open measure, ``--only postgresql``
the other backend. At 100 000 images (two runs, load 5.7-7.7; docs/benchmarks-history.md): rows
14-38 ms median on both, thumbnails 214-287 ms (gallery) and 239-467 ms (Triage) median,
stall 41-89 ms median but 73-428 ms at the 90th percentile: no backend measurably slower.
At 1 000 000 images on PostgreSQL (--only postgresql, load 5-10): rows 20-23 ms, thumbnails
149 ms (gallery) / 626 ms (Triage), stall 35 / 98 ms median: paging reads only its page.

``--hold``: seed PostgreSQL only, print its URL and source root, and keep the server until
SIGTERM (benchmarks/gui_scroll.py, triage_view.py and the CLI run against it). 1M / 3M at load
14-16: 1 252 s (the verdicts 945 248 qualified, 2 054 752 not; 3.7 GB).

``--view FILTER:SORT`` opens the gallery on that view (``pending:name``, ``all:group``, ...) for
the GUI and scroll measures. 2026-12-07, 1 000 000 images / 3 000 000 faces on PostgreSQL
(load 8-11): the code before the listed views (dd4c9d0) opened on ``pending:name`` was still
on its GUI thread's id query after 326 s (stopped there, nothing shown); with them (2f27513)
the first rows were painted 2.45 s after the process started (1.82 s: the source's images
counted), all 979 800 rows 37 s; ``all:group`` first rows 1.03-2.86 s, every row 5.3-9.4 s,
memory after 366-386 MB. The longest stall of those runs (7-8 s) was Triage's paged face
list reading a page on the GUI thread once the faces were listed (the stall trace:
``face_pages.page`` < ``paged_ids._read``), not the gallery (111 ms without it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the throwaway cluster the tests use

_IMAGES_SQLITE = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {images})
INSERT INTO detections (id, identity, detector, settings_key, created_at, width, height, paid_calls,
                        face_count, raw, extra)
SELECT i, 'id' || i, 'local', 'k', '2026-12-06T00:00:00+00:00', 640, 480, 0, {faces}, NULL, NULL FROM n
"""
_IMAGES_PG = """
INSERT INTO detections (id, identity, detector, settings_key, created_at, width, height, paid_calls,
                        face_count, raw, extra)
SELECT i, 'id' || i, 'local', 'k', '2026-12-06T00:00:00+00:00', 640, 480, 0, {faces}, NULL, NULL
FROM generate_series(1, {images}) AS i
"""
_REST = (
    # One face row per (detection, idx): yaw spread over -60..60, sizes 40..240, blur 0..39 on the
    # 0-100 scale: under the default preset (moderation-2.0: |yaw| <= 30, blur < 25) about 31 %
    # of the faces qualify, the others fail on yaw, blur or both.
    """INSERT INTO detection_faces (detection_id, idx, x, y, w, h, confidence, pitch, yaw, roll,
                                    blur_value, blur_scale, glasses, mask)
       SELECT d.id, k.idx, 10, 10, 40 + (d.id * 7 + k.idx) % 200, 40 + (d.id * 7 + k.idx) % 200, 0.9,
              0, ((d.id * 13 + k.idx * 29) % 121) - 60, 0, (d.id * 11 + k.idx * 17) % 40, '0-100',
              'none', 0
       FROM detections AS d CROSS JOIN ({idx}) AS k""",
    """INSERT INTO images (id, uri, name, group_name, source_root, size, mtime_ns, etag, identity, status,
                           error, width, height, detector, detection_id, scanned_at)
       SELECT id, '{root}/p' || (id % 1000) || '/' || id || '.jpg', 'p' || (id % 1000) || '/' || id || '.jpg',
              'p' || (id % 1000), '{root}', 1000, 1, NULL, identity, 'ok', NULL, 640, 480, 'local', id,
              '2026-12-06T00:00:00+00:00'
       FROM detections""",
    """INSERT INTO faces (id, image_id, detection_id, idx)
       SELECT detection_id * 8 + idx, detection_id, detection_id, idx FROM detection_faces""",
)


def _seed(catalog: Any, images: int, faces: int, root: str = "/g", *, verdicts: bool = True) -> None:
    from facecurator.services.catalog.schema import fill_natural_keys

    idx = " UNION ALL ".join(f"SELECT {k} AS idx" for k in range(faces))
    first = _IMAGES_PG if catalog.dialect == "postgresql" else _IMAGES_SQLITE
    with catalog._write("seed the benchmark catalog") as db:
        db.execute(first.format(images=images, faces=faces))
        for statement in _REST:
            db.execute(statement.format(idx=idx, root=root))
        fill_natural_keys(db)  # what every insert through the API writes (the name sorts' keys)
    if catalog.dialect == "postgresql":
        for table in ("detections", "images", "faces"):  # explicit ids: move the identity on
            catalog._db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        # VACUUM too, as autovacuum soon does to a catalog written in bulk: the visibility map
        # set, the gallery's name order is an index-only scan (else a sort of every row)
        catalog._db.execute("VACUUM ANALYZE")
    else:
        catalog._db.execute("ANALYZE")
    ids = [row.id for row in catalog.faces(image_ids=list(range(1, images + 1, 10))[:20000])]
    catalog.decide(ids[: len(ids) // 2], "accepted", who="bench")
    catalog.decide(ids[len(ids) // 2 :], "rejected", who="bench")
    if verdicts:
        store_verdicts(catalog)


#: The reasons the fill stores with each verdict that is not qualified (``review.reasons_text``:
#: the failed conditions' texts in the rule set's order, "; "-joined), written in SQL for this
#: seed's faces, whose only failing conditions are blur and yaw: the same text as the fill's
#: (compared on 65 000 faces of the 1M seed), where ``browse.fill_reasons`` at 1M on PostgreSQL
#: took over 20 s a chunk of 5 000 faces at load 15 (hours for 2 million; since session 14's
#: 4c7fa73 0.3-0.5 s a chunk, 543 s for the 2 million at load 10-14, 203 s since eb387aa at load
#: 10-12: still slower than this one statement).
_REASONS = """UPDATE verdicts AS v SET reasons = concat_ws('; ',
        CASE WHEN df.blur_value >= 25
             THEN 'blur ' || to_char(df.blur_value, 'FM990.0') || ' ≥ 25 (0-100)' END,
        CASE WHEN df.yaw > 30 THEN 'yaw ' || to_char(df.yaw, 'FM990.0') || '° > 30°'
             WHEN df.yaw < -30 THEN 'yaw ' || to_char(df.yaw, 'FM990.0') || '° < -30°' END)
    FROM faces AS f JOIN detection_faces AS df ON df.detection_id = f.detection_id AND df.idx = f.idx
    WHERE f.id = v.face_id AND v.ruleset = :ruleset AND v.status <> 1 AND v.reasons IS NULL"""


def store_verdicts(catalog: Any) -> None:
    """The default preset's verdicts and their reasons stored, as the gallery's fill leaves them
    once it has shown the source (``services/verdict_fill.py``: the verdicts in SQL, then the
    reasons of the faces that are not qualified): a reopen's catalog. SQLite: the fill's own
    reasons (:data:`_REASONS` on PostgreSQL)."""
    from facecurator.domain.rules import DEFAULT_PRESET, load_rules
    from facecurator.services import browse

    rules = load_rules(DEFAULT_PRESET)
    browse.fill_verdicts(catalog, rules)
    if catalog.dialect == "postgresql":
        with catalog._write("seed the benchmark catalog") as db:
            db.execute(_REASONS, {"ruleset": browse.ruleset_id(catalog, rules)})
        catalog._db.execute("VACUUM ANALYZE verdicts")
    else:
        browse.fill_reasons(catalog, rules)
        catalog._db.execute("ANALYZE")


def _best(fn: Callable[[], Any], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _measure(target: str, images: int) -> dict[str, float]:
    from facecurator.services.catalog import Catalog
    from facecurator.services.filtering import face_filter, face_ids_where

    out: dict[str, float] = {}
    out["open"] = _best(lambda: Catalog(target).close())
    node = face_filter("yaw>20 and person~p1").node
    with Catalog(target) as catalog:
        found: list[int] = []
        out["filter"] = _best(lambda: found.extend(face_ids_where(catalog, node)[0]))
        out["filter_faces"] = len(found) / 3
        out["counts"] = _best(catalog.face_counts)
        page = list(range(images // 2, images // 2 + 200))
        out["page"] = _best(lambda: catalog.faces(image_ids=page))
        faces = [row.id for row in catalog.faces(image_ids=page)]
        states = iter(["accepted", "rejected"] * 3)
        out["decide"] = _best(lambda: catalog.decide(faces, next(states), who="bench"))  # type: ignore[arg-type]
    return out


def _report(target: str) -> dict[str, float]:
    """``facecurator report --json`` in a child: first byte, total, bytes, peak memory (wait4)."""
    import subprocess

    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "facecurator", "report", "--json", "--catalog", target],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
    )
    assert proc.stdout is not None
    first = proc.stdout.read(1)
    first_byte = time.perf_counter() - started
    size = len(first)
    peak = _peak_kb(proc.pid)
    while chunk := proc.stdout.read(1 << 20):
        size += len(chunk)
        peak = max(peak, _peak_kb(proc.pid))
    proc.wait()
    assert proc.returncode in (0, 1), f"report failed ({proc.returncode})"
    return {
        "report_first_byte_s": first_byte,
        "report_total_s": time.perf_counter() - started,
        "report_mb": size / 1e6,
        "report_peak_rss_mb": peak / 1024,
    }


def _peak_kb(pid: int) -> int:
    """The child's own peak resident memory (VmHWM), read while it runs (0 once it is gone).

    Not wait4's ru_maxrss: on Linux that keeps the high-water mark of the memory the child
    had before its exec, a copy of this (seeding) process, so it reported this process's
    size (134 MB at 100 000 images where the report itself peaks at ~64 MB)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _claims(url: str, queued: int) -> dict[str, float]:
    from facecurator.domain.protocols import ImageRef
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog.claims import SharedBudget, WorkQueue

    out: dict[str, float] = {}
    refs = [ImageRef(f"/q/{i}.jpg", f"{i}.jpg", "q", 1, 1) for i in range(queued)]
    for workers in (1, 3):
        job = f"bench-{workers}"
        with Catalog(url) as catalog:
            WorkQueue(catalog, job).enqueue(refs)
        claimed: list[str] = []
        lock = threading.Lock()

        def work(n: int, job: str = job, claimed: list[str] = claimed, lock: threading.Lock = lock) -> None:
            with Catalog(url) as catalog:
                queue = WorkQueue(catalog, job, worker=f"bench-{n}")
                while batch := queue.claim(16):
                    queue.finished([(r.uri, None) for r in batch])
                    with lock:
                        claimed.extend(r.uri for r in batch)

        started = time.perf_counter()
        threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        assert len(claimed) == len(set(claimed)) == queued, "an image was claimed twice or lost"
        out[f"claim_{workers}_per_s"] = queued / elapsed
    budget = SharedBudget(url)
    try:
        n = 2000
        started = time.perf_counter()
        for _ in range(n):
            budget.book("bench@x", 1e-6)
        out["book_ms"] = (time.perf_counter() - started) / n * 1000
    finally:
        budget.close()
    return out


def _gui(
    target: str, root: str, images: int, verdict_wait: float, view: str | None = None
) -> dict[str, float]:
    """benchmarks/scale.py's GUI measure on ``target``: process start -> the gallery painted
    with every image's row (goal < 2 s), the longest event-loop stall from the start (goal
    < 100 ms: the gallery stays smooth while the verdicts are filled), memory; opened twice
    (no verdict stored, then with the verdicts the first open stored)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import scale

    out: dict[str, float] = {}
    for label in ("gui_first", "gui_again"):
        marks = scale.gui(REPO, target, root, images, verdict_wait=verdict_wait, view=view)  # type: ignore[arg-type]
        out[f"{label}_first_rows_s"] = round(marks.get("first_rows", marks["shown"]), 2)
        out[f"{label}_shown_s"] = round(marks["shown"], 2)
        out[f"{label}_rows"] = marks["rows"]
        out[f"{label}_verdicts_s"] = round(marks["changed"], 2)
        out[f"{label}_stall_ms"] = round(marks["stall_ms"])
        out[f"{label}_stall_after_start_ms"] = round(marks.get("stall_after_start_ms", 0.0))
        out[f"{label}_rss_mb"] = round(marks["rss_mb"])
        out[f"{label}_rss_peak_mb"] = round(marks["peak_mb"])
        first = marks.get("first_rows", marks["shown"])
        out[f"{label}_goal"] = (
            f"first rows {'meets' if first < 2.0 else 'MISSES'} < 2 s, "
            f"memory {'meets' if marks['rss_mb'] < 500 else 'MISSES'} < 500 MB, "
            f"stall {'meets' if marks['stall_ms'] < 100 else 'MISSES'} < 100 ms"
        )
    return out


def _scroll(target: str, root: str, images: int, args: argparse.Namespace) -> dict[str, Any]:
    """Page through the gallery and Triage's grid (benchmarks/gui_scroll.py): per page, the
    time to the rows painted, to every visible thumbnail painted, and the longest stall."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import gui_scroll

    extra = ("--gallery-view", args.view) if args.view else ()
    return gui_scroll.scroll(
        target, root, images, pages=args.scroll_pages, verdict_wait=args.verdict_wait, extra=extra
    )


def _hold(images: int, faces: int) -> int:
    """Seed a throwaway server's catalog, print ``{"url", "root", "seed_s"}`` and keep the server
    until SIGTERM / Ctrl-C (then stopped and removed). Its source root stays with the server."""
    import signal

    from helpers.pgcluster import Cluster, find_bindir

    from facecurator.services.catalog import Catalog

    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL server binaries: install Debian's postgresql package", file=sys.stderr)
        return 1

    def stopped(*_: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one would cut the server's stop short
        sys.exit(0)

    signal.signal(signal.SIGTERM, stopped)
    cluster = Cluster(bindir)
    try:
        Catalog(cluster.url(cluster.template)).close()
        url = cluster.new_database()
        root = cluster.base / "gallery"
        root.mkdir()
        started = time.perf_counter()
        with Catalog(url) as catalog:
            _seed(catalog, images, faces, str(root))
        seeded = round(time.perf_counter() - started, 1)
        print(json.dumps({"url": url, "root": str(root), "seed_s": seeded}), flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--faces", type=int, default=3)
    parser.add_argument("--queue", type=int, default=20_000)
    parser.add_argument("--report", action="store_true", help="also `report --json` (every face evaluated)")
    parser.add_argument(
        "--gui", action="store_true", help="also the GUI opening the catalog (benchmarks/scale.py's measure)"
    )
    parser.add_argument(
        "--verdict-wait", type=float, default=120.0, help="GUI: seconds to wait for the verdicts"
    )
    parser.add_argument(
        "--scroll-pages", type=int, default=20,
        help="GUI: pages to scroll through in the gallery and in Triage (benchmarks/gui_scroll.py; 0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--only", choices=("sqlite", "postgresql"), help="measure one backend only (a 1M run on PostgreSQL)"
    )
    parser.add_argument(
        "--scroll-only", action="store_true", help="GUI: only the scroll measure (not the open measure)"
    )
    parser.add_argument(
        "--view",
        help="GUI: open the gallery on this view, 'filter:sort' (pending:name, all:group, ...)",
    )
    parser.add_argument(
        "--view-rows",
        type=int,
        help="GUI: the rows --view has (default: every image; pending:name at 1M: 979800 -- the"
        " measure waits for every row of the view painted, so a view with fewer never ends)",
    )
    parser.add_argument(
        "--hold",
        action="store_true",
        help="seed PostgreSQL only, print its URL and source root (JSON), keep the server until"
        " stopped (SIGTERM / Ctrl-C): for benchmarks/gui_scroll.py and the CLI against it",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.hold:
        return _hold(args.images, args.faces)
    from helpers.pgcluster import Cluster, find_bindir

    from facecurator.services.catalog import Catalog

    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL server binaries: install Debian's postgresql package", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("FACECURATOR_DATA_DIR", tmp)
        cluster = Cluster(bindir)
        try:
            Catalog(cluster.url(cluster.template)).close()
            targets = {"sqlite": str(Path(tmp) / "bench.sqlite3"), "postgresql": cluster.new_database()}
            if args.only:
                targets = {args.only: targets[args.only]}
            results: dict[str, Any] = {"images": args.images, "faces": args.images * args.faces}
            for name, target in targets.items():
                started = time.perf_counter()
                root = Path(tmp) / "gallery"  # the GUI opens the catalog's source: a folder that exists
                root.mkdir(exist_ok=True)
                with Catalog(target) as catalog:
                    _seed(catalog, args.images, args.faces, str(root))
                results[f"{name}_seed_s"] = round(time.perf_counter() - started, 1)
                results[name] = {k: round(v, 4) for k, v in _measure(target, args.images).items()}
                if args.report:
                    results[name].update({k: round(v, 2) for k, v in _report(target).items()})
                if args.gui and not args.scroll_only:
                    results[name].update(
                        _gui(target, str(root), args.view_rows or args.images, args.verdict_wait, args.view)
                    )
                if args.gui and args.scroll_pages:
                    results[name]["scroll"] = _scroll(target, str(root), args.view_rows or args.images, args)
            if "postgresql" in targets:
                claims = _claims(targets["postgresql"], args.queue)
                results["postgresql"].update({k: round(v, 3) for k, v in claims.items()})
            results["load_average"] = [round(x, 2) for x in os.getloadavg()]
            if args.only:
                targets = {}  # no ratio
            results["ratio_pg_over_sqlite"] = {
                key: round(results["postgresql"][key] / results["sqlite"][key], 2)
                for key in (
                    "open",
                    "filter",
                    "counts",
                    "page",
                    "decide",
                    "report_first_byte_s",
                    "report_total_s",
                    "gui_first_shown_s",
                    "gui_again_shown_s",
                )
                if targets and key in results["sqlite"]
                if results["sqlite"][key] > 0
            }
        finally:
            cluster.stop()
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for key, value in results.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
