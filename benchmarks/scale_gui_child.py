"""The measured GUI process of benchmarks/scale.py (``scale.py --child-gui``): starts the
app's pieces like ``facecurator gui``, opens a source and reports its timestamps, stalls and
memory as one JSON line; and the idle Qt app beside it (``--child-idle``), the floor of those
figures. The parent side (seeding, running, the table) is scale.py."""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def child_gui(args: argparse.Namespace) -> None:
    """Start the app's pieces like ``facecurator gui``, open a source, report timestamps as JSON."""
    sys.path.insert(0, str(args.repo))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:  # as run_gui: the cyclic collector paused until the window is shown
        from facecurator.gui.app import pause_collection
    except ImportError:  # a checkout from before the paused collector
        resume_collection = lambda: None  # noqa: E731
    else:
        resume_collection = pause_collection()
    import faulthandler

    # A hang shows where: past every wait below (shown 600 s, verdicts, thumbnails 60 s), or on demand
    faulthandler.dump_traceback_later(600 + args.verdict_wait + 300, exit=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 PID: every thread's stack
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from facecurator.gui.latency import EventLoopMonitor

    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()  # ticks only once the loop runs: building the window counts as a stall
    tracer = None
    if os.environ.get("FACECURATOR_STALL_TRACE"):  # where the stalls go, on stderr at the end
        from stall_trace import StallTracer

        tracer = StallTracer(monitor)
        tracer.start()
    splash = None
    # run_gui opens the catalog before the application exists (a server catalog's driver is
    # imported then); here it is opened once the loop runs: its driver loads with the modules
    server = "://" in args.catalog
    try:  # as the app starts (gui/app.py run_gui): a splash turning while the modules load
        from facecurator.gui.startup import WINDOW_MODULES, splash_while_importing
    except ImportError:
        try:  # a checkout from before the splash built after the first turn
            from facecurator.gui.startup import WINDOW_MODULES, import_while_turning, show_splash
        except ImportError:  # a checkout from before the staged start: imported on the GUI thread
            pass
        else:
            splash = show_splash()
            import_while_turning((*WINDOW_MODULES, "psycopg") if server else WINDOW_MODULES)
    else:
        splash = splash_while_importing((*WINDOW_MODULES, "psycopg") if server else WINDOW_MODULES)
    from facecurator.services.catalog import Catalog

    # As the app (gui/app.py run_gui) opens it: the check on open beside the window.
    try:
        catalog = Catalog(args.catalog, check_later=True)
    except TypeError:  # a checkout from before check_later
        catalog = Catalog(args.catalog)
    from facecurator.gui.main_window import MainWindow

    try:  # as run_gui builds it: in stages, the event loop turning between them
        from facecurator.gui.startup import turning_while_building
    except ImportError:  # a checkout from before the staged build
        window = MainWindow(catalog, auto_scan=False)
    else:
        with turning_while_building():
            window = MainWindow(catalog, auto_scan=False)
    window.resize(1500, 950)
    # The gallery is what is measured: show its page whatever page the settings restored (a
    # window last closed on Triage reopens on Triage, and the gallery would never paint).
    window.tabs.setCurrentWidget(window.gallery_page)
    window.show()
    if splash is not None:
        splash.close()
    # as run_gui once the window is shown: what the start built frozen (since 744efc6), then the
    # collector resumed (paused for the start); with it paused and nothing frozen, the first
    # collections after the start walked every object the start made (stalls of 0.4-0.7 s)
    gc.freeze()
    resume_collection()
    marks: dict[str, float] = {}
    # the window shown: since the process started (wall, as every mark), and the process's CPU
    # by then (every thread; less noisy than the wall time on a loaded machine)
    marks["window_shown"] = time.time() - args.t0
    marks["window_cpu_s"] = time.process_time()
    store = window.store
    gallery = window.gallery

    def now() -> float:
        return time.time() - args.t0

    painted: list[float] = []
    # paints once every expected row is in the model: the measure is the first of them (the last
    # paint before the count was reached, a screenful of the first rows, measured too early)
    painted_full: list[float] = []
    from PySide6.QtCore import QEvent, QObject

    def listed_view():  # a large view being listed (a checkout from before the listed views: None)
        return getattr(window.gallery_model, "listed", None)

    class PaintSpy(QObject):
        def eventFilter(self, obj, event):
            model = window.gallery_model
            listed = listed_view()
            # rows with ids (a listed view's rows past those written, shown from its count, are
            # blank cells: not the first rows), then every row listed
            if event.type() == QEvent.Type.Paint and model.rowCount() and (listed is None or listed.written):
                painted.append(now())
                if model.rowCount() >= args.expect and (listed is None or listed.complete):
                    painted_full.append(painted[-1])
            return False

    spy = PaintSpy()
    gallery.viewport().installEventFilter(spy)
    thumbs = []
    window.thumbnails.ready.connect(lambda _key: thumbs.append(now()) if not thumbs else None)
    if hasattr(store, "sourceListed"):
        store.sourceListed.connect(lambda _r: marks.setdefault("listed", now()))
    store.sourceChanged.connect(lambda _r: marks.setdefault("changed", now()))
    store.sourceImagesListed.connect(lambda _r: marks.setdefault("images_listed", now()))
    model = window.gallery_model
    model.rowsInserted.connect(lambda *_a: marks.setdefault("rows_in", now()))
    model.modelReset.connect(lambda: marks.setdefault("rows_in", now()) if model.rowCount() else None)

    def on_count() -> None:  # a listed view's count: estimated first, then exact (times and values)
        count = model.view_count
        if count is not None and model.listed is not None:
            kind = "estimate" if count[1] else "exact"
            marks.setdefault(f"{kind}_count_s", now())
            marks.setdefault(f"{kind}_count", count[0])

    if hasattr(model, "countChanged"):
        model.countChanged.connect(on_count)
    if args.view:  # open on a filter and a sort (as the header's choices left them): "filter:sort"
        window.gallery_model.filter_name, window.gallery_model.sort_key = args.view.split(":")
    window.open_source(args.source, scan=args.scan)
    marks["window"] = now()

    def spin(until, limit: float) -> None:
        deadline = time.time() + limit
        while not until() and time.time() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            time.sleep(0.001)

    if not store.busy and "changed" not in marks and "listed" not in marks:
        raise SystemExit(f"could not open {args.source}")
    spin(lambda: bool(painted_full), 30 if args.scan else 600)
    if not painted_full:
        raise SystemExit(
            f"the gallery was never painted with rows ({window.gallery_model.rowCount()} of {args.expect}"
            f" listed, page {window.tabs.currentIndex()} shown, store busy: {store.busy})"
        )
    marks["shown"] = painted_full[0]
    marks["first_rows"] = painted[0]  # the first paint with rows (a listed view's first chunk)
    marks["rows"] = window.gallery_model.rowCount()
    shown_rss = _rss_mb()[0]
    spin(lambda: "changed" in marks and not store.busy, args.verdict_wait)
    marks.setdefault("changed", float("nan"))
    if args.thumbs:
        spin(lambda: bool(thumbs), 60)
        marks["thumb"] = thumbs[0] if thumbs else float("nan")
    end = time.time() + 1.0  # deferred work (layout batches, counts) is measured too
    spin(lambda: time.time() > end, 2)
    monitor.stop()
    if tracer is not None:
        tracer.stop()
        print(tracer.report(top=int(os.environ["FACECURATOR_STALL_TRACE"])), file=sys.stderr, flush=True)
    rss, peak = _rss_mb()
    gaps = sorted(monitor.gaps)
    running = monitor.gaps[1:]  # after the first turn of the event loop (the window is up)
    marks.update(
        startup_gap_ms=(monitor.gaps[0] * 1000) if monitor.gaps else 0.0,
        stall_after_start_ms=(max(running) * 1000) if running else 0.0,
        stall_ms=monitor.max_gap * 1000,
        p99_ms=(gaps[int(0.99 * (len(gaps) - 1))] * 1000) if gaps else 0.0,
        rss_shown_mb=shown_rss,
        rss_mb=rss,
        peak_mb=peak,
    )
    if window.scanner.running:
        window.scanner.cancel()
        window.scanner.wait()
    window.shutdown()  # (it joins the verdict fill's child, also one still storing reasons)
    import resource

    # the verdict fill's child process (joined): its peak memory is apart from the GUI's
    marks["fill_child_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(marks), flush=True)
    window.close()
    catalog.close()
    app.processEvents()


def child_idle() -> None:
    """An idle Qt app's event loop, measured like the GUI's until stdin closes: the stalls this
    machine's scheduler alone causes at the same time (the floor of the GUI's figures). The one
    idle app is tests/helpers/idle_floor.py (tests/gui/test_large_catalog.py measures against it)."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from helpers.idle_floor import run_idle_app

    run_idle_app()
