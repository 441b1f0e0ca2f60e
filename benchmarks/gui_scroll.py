"""Scrolling the gallery and the Triage grid page by page, measured (issue 17 item 5's "page
through it smoothly"), in a child process like benchmarks/scale.py's GUI measure.

    (run by benchmarks/pg_catalog.py --gui --scroll-pages N; alone:)
    .venv/bin/python benchmarks/gui_scroll.py --catalog TARGET --source ROOT --expect N [--pages 20]
        [--repo CHECKOUT]     # the app of another checkout (the code before a change, say)

The child starts the app's window on the catalog, waits for the gallery to show every image
(and the verdicts to be stored, up to ``--verdict-wait``), then for each view (the gallery of
images, then Triage's grid of faces, "All faces"): gives the files of the first pages' images
a real JPEG (a hard link to one 640x480 photo: the synthetic catalog has no files; not timed),
and scrolls down one page (the scroll bar's page step) at a time, ``--pages`` times, as an
operator paging through. Per page, from the scroll:

* ``rows_ms``: to the first paint of the view (its rows read from the catalog and drawn);
* ``thumbs_ms``: to the paint after every visible thumbnail / face crop was rendered (or
  failed): what the operator waits for before the page is all there;
* ``stall_ms``: the longest event-loop gap while the page settles (a 10 ms timer; goal < 100
  ms: the window takes keys and repaints meanwhile).
* ``gui_cpu_ms``: the GUI thread's own CPU time from the scroll until the page settled (the
  work done on it, which a busy machine's scheduling does not inflate as it does the stall).

Then, in each view, jumps (``gallery_jumps``, ``triage_jumps``): the End key, the scroll bar
dragged to 50 %, 10 % and 90 % of its range, Home, and "go to" the row at 70 % (``goto_70``): each
to the first paint (``rows_ms``), to the visible rows all holding their ids (``filled_ms``: a
page read on the query worker paints empty cells first), the longest stall until then and the
GUI thread's CPU, and (``kept``) whether the view was still where the jump put it a second later;
the go-to is filled once its face or image is current and shown (at its row or
at an estimated one), ``exact_ms`` once it is current at its row (an estimate corrected), with
the longest stall and GUI-thread turn until then (``exact_stall_ms``, ``exact_turn_cpu_ms``).
``--hold-sample``: no jump sample is taken (as right after a switch at 3M, while it is walked):
every jump lands in an unsampled part. ``--walk-sample``: Triage takes no sample from the open's
listing (as a view switched to before the listing is done): taken as the view does then (walked
a chunk a query, or in one pass on PostgreSQL); each jump records ``sample_reach``, the share of
the view the sample had reached when it started. ``--trace-queries``: each worker query's
thread, function, start and end printed (stderr).

Beside each stall, two figures tell the GUI thread's own work from the machine's load: per page
and per jump, ``turn_cpu_ms``, the most CPU the GUI thread spent between two ticks of the timer
(its longest turn of work: a busy machine delays it but does not add to it), and
``idle_ms``, the longest gap of an idle Qt app's 10 ms timer (a process of its own, run
beside the child) over the same seconds: the stall the load alone made then.

Printed: the median, 90th percentile and worst of each over the pages, per view, as JSON. A
fresh thumbnail cache per run (cold: every thumbnail is decoded from its file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gui_scroll_support import (
    IdleBeside,
    TurnCpu,
    _link_files,
    _rss_mb,
    _summary,
    _traced,
    _untraced,
    catalog_image_of_faces,
    child_idle,
    shown_window,
    spin,
)

REPO = Path(__file__).resolve().parent.parent
#: The longest one page may take to settle before the run gives up on it (recorded as such).
PAGE_LIMIT_S = 30.0


def _page_through(
    view: Any, cache: Any, ids_of: Any, key_of: Any, pages: int, spin: Any, trace: str = "",
    windows: list[tuple[float, float]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Scroll ``view`` down a page at a time; per page: rows painted, thumbnails painted, stall
    (``trace``: where the stalls went, printed under that label); each page's seconds (from,
    to) are added to ``windows`` (the idle app's gaps over them are read after)."""
    windows = [] if windows is None else windows
    from PySide6.QtCore import QEvent, QObject

    from facecurator.gui.latency import EventLoopMonitor

    painted: list[float] = []
    last_ready = [0.0]

    class PaintSpy(QObject):
        """Paints the view itself, to note when each paint *ends* (rows read and drawn)."""

        def eventFilter(self, obj: Any, event: Any) -> bool:
            if event.type() != QEvent.Type.Paint:
                return False
            view.viewportEvent(event)
            painted.append(time.perf_counter())
            return True

    visible: set[str] = set()

    def on_ready(key: str) -> None:
        if key in visible:  # (a late one of a page scrolled past repaints nothing)
            last_ready[0] = time.perf_counter()

    def shown_rows() -> list[int]:
        """The rows inside the viewport (visible_rows() adds a line or two below it)."""
        area = view.viewport().rect()
        model = view.model()
        return [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]

    def settled() -> bool:
        keys = [key_of(ids_of(r)) for r in shown_rows()]
        visible.clear()
        visible.update(keys)
        done = all(cache.get(k) is not None or cache.error(k) is not None for k in keys)
        return done and bool(painted) and painted[-1] >= last_ready[0]

    spy = PaintSpy()
    view.viewport().installEventFilter(spy)
    cache.ready.connect(on_ready)
    bar = view.verticalScrollBar()
    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()
    turns = TurnCpu(monitor)
    tracer = _traced(monitor, bool(trace), trace)
    measured: dict[str, list[float]] = {
        "rows_ms": [], "thumbs_ms": [], "stall_ms": [], "gui_cpu_ms": [], "turn_cpu_ms": []
    }  # fmt: skip
    gave_up = 0
    for _ in range(pages):
        if bar.value() >= bar.maximum():
            break
        painted.clear()
        gaps_before = len(monitor.gaps)
        started = last_ready[0] = time.perf_counter()
        cpu = time.thread_time()  # the GUI thread's own CPU: what a busy machine does not inflate
        bar.setValue(bar.value() + bar.pageStep())
        spin(lambda: bool(painted), PAGE_LIMIT_S)
        rows_at = painted[0] if painted else float("nan")
        if not spin(settled, PAGE_LIMIT_S):
            gave_up += 1
            keys = [key_of(ids_of(r)) for r in shown_rows()]
            missing = [k for k in keys if cache.get(k) is None and cache.error(k) is None]
            late = bool(painted) and painted[-1] < last_ready[0]
            print(f"page not settled: {len(missing)} of {len(keys)} missing {missing[:5]}, unpainted {late}",
                  file=sys.stderr, flush=True)  # fmt: skip
        thumbs_at = painted[-1] if painted else float("nan")
        spin(lambda: False, 0.03)  # a few ticks after: the last gap is counted
        measured["rows_ms"].append((rows_at - started) * 1000)
        measured["thumbs_ms"].append((thumbs_at - started) * 1000)
        measured["stall_ms"].append(max(monitor.gaps[gaps_before:], default=0.0) * 1000)
        measured["gui_cpu_ms"].append((time.thread_time() - cpu) * 1000)
        measured["turn_cpu_ms"].append(turns.longest(started, time.perf_counter()))
        windows.append((started, time.perf_counter()))
    monitor.stop()
    turns.close()
    _untraced(tracer)
    cache.ready.disconnect(on_ready)
    view.viewport().removeEventFilter(spy)
    out: dict[str, Any] = {key: _summary(values) for key, values in measured.items() if values}
    out.update(
        pages_scrolled=len(measured["rows_ms"]),
        pages_not_settled=gave_up,
        rows_per_page=len(shown_rows()),
    )
    return out


def _gui_cost(monitor: Any, gaps_before: int, turns: Any, started: float, cpu: float) -> dict[str, Any]:
    """What a step cost the GUI thread since ``started``: its longest event-loop gap, its own CPU,
    its longest turn's CPU, and the step's time window."""
    return {
        "stall_ms": round(max(monitor.gaps[gaps_before:], default=0.0) * 1000, 1),
        "gui_cpu_ms": round((time.thread_time() - cpu) * 1000, 1),
        "turn_cpu_ms": round(turns.longest(started, time.perf_counter()), 1),
        "window": (started, time.perf_counter()),
    }


def _held(model: Any, row: int) -> int | None:
    """The id of ``row`` if the model holds it (no page read: a paged list's held pages; a listed
    view's row not written yet, UNLISTED, is None)."""
    ids = model._ids
    held = ids.peek(row) if hasattr(ids, "peek") else ids[row]
    return None if held == -1 else held


def _sample_reach(model: Any) -> float | None:
    """The share of a paged view's rows its jump sample reached so far (its last sampled row
    over the rows; 1.0 once walked to the end); None when the view is not paged."""
    ids = model._ids
    sample = getattr(ids, "_sample", None)
    if sample is None:
        return None
    if getattr(ids, "_sampled", False):
        return 1.0
    return round(sample.rows[-1] / max(1, len(ids)), 3) if len(sample) else 0.0


def _jumps(
    view: Any, spin: Any, trace: str = "", go_to: tuple[Any, int, int] | None = None, put_back: int = 0
) -> dict[str, Any]:
    """Jumps in a view, each to the rows painted, to the rows shown all holding their ids, the
    longest stall until then and the GUI thread's CPU: the End key (the last row made current),
    the scroll bar dragged to 50 %, 10 % and 90 %, the Home key, then ``go_to`` (``(select,
    row, id)``: ``select(id)`` until ``row`` is current and holds ``id``); then, ``put_back``
    rows from it selected, the view read again (``model.rebuild()``: a rule change, a reopen):
    until the current image and the selection are put back (``shown_ms``: at their rows or
    estimated ones) and at their rows (``exact_ms``)."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest

    from facecurator.gui.latency import EventLoopMonitor

    painted: list[float] = []
    model = view.model()

    class PaintSpy(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                view.viewportEvent(event)
                painted.append(time.perf_counter())
                return True
            return False

    def filled() -> bool:
        area = view.viewport().rect()
        rows = [r for r in view.visible_rows() if view.visualRect(model.index(r, 0)).intersects(area)]
        return bool(painted) and all(_held(model, r) is not None for r in rows)

    spy = PaintSpy()
    view.viewport().installEventFilter(spy)
    bar = view.verticalScrollBar()
    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()
    turns = TurnCpu(monitor)
    tracer = _traced(monitor, bool(trace), trace)
    out: dict[str, Any] = {}
    view.setFocus()
    actions: list[tuple[str, Any, Any]] = [
        ("end_key", lambda: QTest.keyClick(view, Qt.Key.Key_End), filled),
        ("drag_50", lambda: bar.setValue(bar.maximum() // 2), filled),
        ("drag_10", lambda: bar.setValue(bar.maximum() // 10), filled),
        ("drag_90", lambda: bar.setValue(bar.maximum() * 9 // 10), filled),
        ("home_key", lambda: QTest.keyClick(view, Qt.Key.Key_Home), filled),
    ]
    exact: tuple[int, int] | None = None
    if go_to is not None:
        select, row, wanted = go_to
        exact = (row, wanted)

        def landed() -> bool:  # the face current and shown, at its row or at an estimated one
            current = view.currentIndex().row()
            return current >= 0 and _held(model, current) == wanted and filled()

        actions.append(("goto_70", lambda: select(wanted), landed))
    for name, act, done in actions:
        spin(lambda: False, 0.2)
        painted.clear()
        gaps_before = len(monitor.gaps)
        started, cpu = time.perf_counter(), time.thread_time()
        reach = _sample_reach(model)
        act()
        spin(lambda: bool(painted), PAGE_LIMIT_S)
        rows_at = painted[0] if painted else float("nan")
        shown_at = bar.value()  # (where the jump put the view)
        spin(done, 2 * PAGE_LIMIT_S)
        filled_at = time.perf_counter() if done() else float("nan")
        spin(lambda: False, 0.1)  # the gaps of the turns after it are counted
        out[name] = {
            "sample_reach": reach,
            "rows_ms": round((rows_at - started) * 1000, 1),
            "filled_ms": round((filled_at - started) * 1000, 1),
            **_gui_cost(monitor, gaps_before, turns, started, cpu),
        }
        if name != "goto_70":  # the view still where the jump put it a second later (no relayout's jump)
            spin(lambda: False, 1.0)
            out[name]["kept"] = bar.value() == shown_at
        if name == "goto_70" and exact is not None:  # landed at an estimate: its row corrected later
            at_row = lambda: view.currentIndex().row() == exact[0] and _held(model, exact[0]) == exact[1]  # noqa: E731
            spin(at_row, 2 * PAGE_LIMIT_S)
            out[name]["exact_ms"] = round((time.perf_counter() - started) * 1000, 1) if at_row() else None
            out[name]["exact_stall_ms"] = round(max(monitor.gaps[gaps_before:], default=0.0) * 1000, 1)
            out[name]["exact_turn_cpu_ms"] = round(turns.longest(started, time.perf_counter()), 1)
    if put_back and exact is not None and out.get("goto_70", {}).get("exact_ms") is not None:
        out["put_back"] = _put_back(view, spin, exact, put_back, monitor, turns)
    monitor.stop()
    turns.close()
    _untraced(tracer)
    view.viewport().removeEventFilter(spy)
    return out


def _put_back(
    view: Any, spin: Any, exact: tuple[int, int], rows: int, monitor: Any, turns: Any
) -> dict[str, Any]:
    """``rows`` rows from ``exact`` (the go-to's (row, id), current) selected, the view read again:
    the current image and the selection put back (at estimated rows, then at their rows)."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    model, (row, wanted) = view.model(), exact
    last = min(model.rowCount() - 1, row + rows - 1)
    flags = QItemSelectionModel.SelectionFlag
    view.selectionModel().select(QItemSelection(model.index(row, 0), model.index(last, 0)), flags.Select)
    chosen = [_held(model, r) for r in range(row, last + 1)]

    def selected() -> list[tuple[int, Any]]:
        return sorted((i.row(), _held(model, i.row())) for i in view.selectionModel().selectedIndexes())

    def shown() -> bool:
        current = view.currentIndex().row()
        picked = selected()
        return current >= 0 and _held(model, current) == wanted and [i for _r, i in picked] == chosen

    def at_rows() -> bool:
        return shown() and view.currentIndex().row() == row and selected()[0][0] == row

    spin(lambda: False, 0.2)
    gaps_before = len(monitor.gaps)
    started, cpu = time.perf_counter(), time.thread_time()
    model.rebuild()
    spin(shown, 2 * PAGE_LIMIT_S)
    shown_at = time.perf_counter() if shown() else float("nan")
    spin(at_rows, 2 * PAGE_LIMIT_S)
    exact_at = time.perf_counter() if at_rows() else float("nan")
    spin(lambda: False, 0.1)
    return {
        "rows": len(chosen),
        "shown_ms": round((shown_at - started) * 1000, 1),
        "exact_ms": round((exact_at - started) * 1000, 1),
        **_gui_cost(monitor, gaps_before, turns, started, cpu),
    }


def _go_to(args: argparse.Namespace, window: Any, name: str) -> tuple[Any, int, int] | None:
    """ "Go to" the row at 70 % of a paged view: (select, row, its id), the id read here on a
    connection of its own (not timed); None when the view is not paged."""
    from facecurator.services.catalog import Catalog

    model = window.gallery_model if name == "gallery" else window.triage.model
    keys = getattr(model._ids, "keys", None)
    if keys is None:
        return None
    row = model.rowCount() * 7 // 10
    with Catalog(args.catalog) as catalog:
        wanted = int(keys.page(catalog, offset=row, limit=1)[0][-1])
    select = window.gallery.select_image if name == "gallery" else window.triage.select_face
    return select, row, wanted


def _trace_queries() -> None:
    """Print each store worker query's thread, function, start and end (seconds since now) to
    stderr: where a far page or a put-back waited."""
    import threading

    from facecurator.gui import store_jobs

    zero, run = time.perf_counter(), store_jobs._QueryJob.run

    def traced(job: Any) -> None:
        name = getattr(job._run, "__qualname__", repr(job._run))
        started = time.perf_counter() - zero
        print(f"query-start {threading.current_thread().name} {name} {started:.3f}", file=sys.stderr)
        try:
            run(job)
        finally:
            ended = time.perf_counter() - zero
            thread = threading.current_thread().name
            took = f"{started:.3f} {ended:.3f} ({ended - started:.3f} s)"
            print(f"query {thread} {name} {took}", file=sys.stderr)

    store_jobs._QueryJob.run = traced  # type: ignore[method-assign]


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.repo))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from facecurator.gui.gallery import thumb_key
    from facecurator.gui.triage_model import crop_key

    if args.hold_sample:  # no jump sample: every jump lands where a sample has not reached yet
        from facecurator.gui import paged_ids

        paged_ids.PagedIds._sample_of = lambda *_a: None  # type: ignore[method-assign]
        paged_ids.PagedIds._sample_from = lambda *_a: None  # type: ignore[method-assign]
    if args.trace_queries:  # each worker query's thread, start and end (stderr)
        _trace_queries()
    if args.walk_sample:  # the open's listing does not give the samples: taken as a switch does
        from facecurator.gui.store_rows import StoreRows

        StoreRows.listed_face_sample = lambda *_a: None  # type: ignore[method-assign]
    master = Path(tempfile.mkdtemp(prefix="fc-scroll-")) / "master.jpg"
    Image.new("RGB", (640, 480), (150, 120, 100)).save(master, quality=85)
    catalog, window = shown_window(args.catalog)
    store = window.store
    changed: list[bool] = []
    store.sourceChanged.connect(lambda _r: changed.append(True))
    if args.gallery_view:  # the gallery opened on a filter and a sort: "filter:sort"
        window.gallery_model.filter_name, window.gallery_model.sort_key = args.gallery_view.split(":")
    window.open_source(args.source, scan=False)

    def laid_out(view: Any) -> float:
        """Wait until the view's rows are all laid out (batched over event-loop turns: the last
        row has its place; the scroll range alone stayed at the first batch's for seconds, and
        the jumps then moved inside the first 2 000 rows), so paging measures paging, not
        layout; the seconds it took."""
        started = time.perf_counter()
        model = view.model()
        spin(lambda: view.visualRect(model.index(model.rowCount() - 1, 0)).isValid(), 300)
        spin(lambda: False, 0.5)
        return time.perf_counter() - started

    spin(lambda: window.gallery_model.rowCount() >= args.expect, 600)
    spin(lambda: bool(changed) and not store.busy, args.verdict_wait)
    results: dict[str, Any] = {"verdicts_stored": bool(changed), "pages": args.pages}
    idle = IdleBeside()
    page_windows: dict[str, list[tuple[float, float]]] = {}
    # The views take the window's width (a fresh settings folder: no layout saved).
    window.gallery_splitter.setSizes([1000, 300, 200])
    window.triage.splitter.setSizes([1100, 400])
    results["rss_loaded_mb"] = round(_rss_mb(), 1)
    for name in args.views.split(","):
        if name == "gallery":
            window.tabs.setCurrentWidget(window.gallery_page)
            view, model, cache = window.gallery, window.gallery_model, window.thumbnails
            ids_of = model.image_id
            key_of = thumb_key
        else:
            window.tabs.setCurrentWidget(window.triage)
            combo = window.triage.filter_combo
            combo.setCurrentIndex(combo.findData(args.triage_filter))
            view, model, cache = window.triage.view, window.triage.model, window.crops
            spin(lambda m=model: m.rowCount() > 0, 120)
            ids_of = model.face_id
            key_of = crop_key
        results[f"{name}_layout_s"] = round(laid_out(view), 1)
        bar = view.verticalScrollBar()
        size = view.viewport().size()
        shown = f"viewport {size.width()}x{size.height()}, scroll max {bar.maximum()}"
        print(f"{name}: {model.rowCount()} rows, {shown}", file=sys.stderr, flush=True)
        results[f"{name}_rss_mb"] = round(_rss_mb(), 1)
        per_page = max(1, len(view.visible_rows()))
        rows = min(model.rowCount(), per_page * (args.pages + 2))
        ids = [ids_of(r) for r in range(rows)]
        if name == "triage":  # the faces' images
            ids = sorted(set(catalog_image_of_faces(catalog, ids).values()))
        _link_files(catalog, ids, master)
        trace = name if args.trace else ""
        page_windows[name] = []
        results[name] = _page_through(
            view, cache, ids_of, key_of, args.pages, spin, trace, page_windows[name]
        )
        results[f"{name}_jumps"] = _jumps(
            view, spin, f"{name} jumps" if args.trace else "", _go_to(args, window, name),
            args.put_back if name == "gallery" else 0,
        )  # fmt: skip
        held = getattr(model, "held_ids", None)
        if held is not None:
            results[f"{name}_held_ids"] = held
    results["rss_end_mb"] = round(_rss_mb(), 1)
    idle.finish()  # the load's share: the idle app's longest gap over each page and jump
    for name, windows in page_windows.items():
        results[name]["idle_ms"] = _summary([idle.longest(*w) for w in windows] or [0.0])
        for jump in results.get(f"{name}_jumps", {}).values():
            jump["idle_ms"] = round(idle.longest(*jump.pop("window")), 1)
    print(json.dumps(results), flush=True)
    window.shutdown()
    window.close()
    catalog.close()
    app.processEvents()


def scroll(
    target: str,
    source: str,
    expect: int,
    *,
    pages: int,
    verdict_wait: float,
    repo: Path = REPO,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run the child on ``target`` with a cold thumbnail cache (``extra``: more of its options);
    its JSON."""
    with tempfile.TemporaryDirectory(prefix="fc-scroll-cache-") as cache:
        env = child_env(cache)
        done = subprocess.run(
            [
                sys.executable, __file__, "--child", "--catalog", target, "--source", source,
                "--expect", str(expect), "--pages", str(pages), "--verdict-wait", str(verdict_wait),
                "--repo", str(repo), *extra,
            ],
            env=env, stdout=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"scroll child failed ({done.returncode}): see its messages above")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def child_env(cache: str) -> dict[str, str]:
    """The environment of a child window: offscreen, its caches and settings under ``cache``."""
    return dict(
        os.environ,
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        FACECURATOR_CACHE_DIR=cache,
        FACECURATOR_CONFIG_DIR=str(Path(cache) / "config"),
    )


def window_parser(description: str | None) -> argparse.ArgumentParser:
    """The options of a benchmark run in a child window: the catalog, its source, the images the
    gallery shows, the checkout measured (and the child's own flag)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--expect", type=int, required=True, help="images the gallery shows")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose app is measured")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = window_parser(__doc__)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--verdict-wait", type=float, default=120.0)
    parser.add_argument("--views", default="gallery,triage", help="views paged, in this order")
    parser.add_argument(
        "--triage-filter", default="all", help="Triage's filter while paging (all, pending ...)"
    )
    parser.add_argument("--trace", action="store_true", help="print where each stall over 50 ms went")
    parser.add_argument(
        "--put-back", type=int, default=0,
        help="gallery: after the go-to, select this many rows from it and read the view again",
    )  # fmt: skip
    parser.add_argument(
        "--hold-sample",
        action="store_true",
        help="take no jump sample: every jump lands in an unsampled part",
    )
    parser.add_argument(
        "--trace-queries", action="store_true", help="print each worker query's thread, start and end"
    )
    parser.add_argument(
        "--walk-sample",
        action="store_true",
        help="Triage: no jump sample from the open's listing (taken as after a switch: walked, or"
        " in one pass where the view counts it so); each jump records the sample's reach then",
    )
    parser.add_argument(
        "--gallery-view", help="open the gallery on this view, 'filter:sort' (e.g. pending:name, all:group)"
    )
    parser.add_argument("--child-idle", action="store_true", help=argparse.SUPPRESS)
    if argv is None and "--child-idle" in sys.argv:
        child_idle()
        return 0
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    extra = (
        "--views",
        args.views,
        "--triage-filter",
        args.triage_filter,
        *(["--trace"] if args.trace else []),
        *(["--hold-sample"] if args.hold_sample else []),
        *(["--walk-sample"] if args.walk_sample else []),
        *(["--trace-queries"] if args.trace_queries else []),
        *(["--put-back", str(args.put_back)] if args.put_back else []),
        *(["--gallery-view", args.gallery_view] if args.gallery_view else []),  # (was not passed on)
    )
    result = scroll(
        args.catalog, args.source, args.expect,
        pages=args.pages, verdict_wait=args.verdict_wait, repo=args.repo.resolve(), extra=extra,
    )  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
