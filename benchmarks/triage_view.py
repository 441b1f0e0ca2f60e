"""Triage's grid opened on a filter of a large source, measured (issue 17 item 5: "open the GUI on
a filter in < 2 s"; the gallery's own is benchmarks/scale.py ``--view``).

    .venv/bin/python benchmarks/triage_view.py --catalog COPY --source ROOT [--filter qualified]
        [--limit 240] [--repo CHECKOUT]

The child starts the app's window on the catalog (a copy: the open's fill writes to it), shows
Triage's page with its filter set to ``--filter`` (as a window closed on that filter reopens),
opens the source and measures from the open, with a 10 ms timer on the GUI thread:

* ``first_rows_s``: to the first paint of Triage's grid with rows;
* ``every_row_s``: to the grid's every row (a listed view complete; else its rows shown once the
  open's verdicts are stored); ``verdicts_s``: to every verdict stored (``sourceChanged``);
* ``stall_ms``: the longest event-loop gap until the later of those; ``rows``: the rows then;
* ``rss_mb``: memory at the end.

``--trace``: where the stalls over 50 ms went (benchmarks/stall_trace.py), printed to stderr.

Run it twice on one copy: the first open stores the verdicts (none stored before), the second
is a reopen. ``--limit`` seconds at most (what it has then). One JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from gui_scroll_support import _rss_mb, _traced, _untraced, checkout_parser, shut, spin, triage_shown


def child(args: argparse.Namespace) -> None:
    app, catalog, window = triage_shown(args)
    from PySide6.QtCore import QEvent, QObject

    from facecurator.gui.latency import EventLoopMonitor
    from facecurator.gui.view_ids import ListedIds

    store, page = window.store, window.triage
    model, view = page.model, page.view
    model.filter_name = args.filter
    painted: list[float] = []

    class PaintSpy(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint and model.rowCount() > 0 and not painted:
                view.viewportEvent(event)
                painted.append(time.perf_counter())
                return True
            return False

    spy = PaintSpy()
    view.viewport().installEventFilter(spy)
    changed: list[float] = []
    store.sourceChanged.connect(lambda _r: changed.append(time.perf_counter()))
    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()
    tracer = _traced(monitor, args.trace, "triage")
    started = time.perf_counter()
    window.open_source(args.source, scan=False)

    def whole() -> bool:
        ids = model._ids
        if isinstance(ids, ListedIds):
            return ids.complete and model.rowCount() == ids.written and bool(changed)
        return bool(changed) and model.rowCount() > 0

    spin(lambda: bool(painted) and whole(), args.limit)
    ended = time.perf_counter()
    monitor.stop()
    _untraced(tracer)
    view.viewport().removeEventFilter(spy)

    def since(at: list[float]) -> float | None:
        return round(at[0] - started, 2) if at else None

    results = {
        "filter": args.filter,
        "first_rows_s": since(painted),
        "every_row_s": round(ended - started, 2) if whole() else None,
        "verdicts_s": since(changed),
        "stall_ms": round(max(monitor.gaps, default=0.0) * 1000, 1),
        "rows": model.rowCount(),
        "listed": isinstance(model._ids, ListedIds),
        "rss_mb": round(_rss_mb(), 1),
    }
    print(json.dumps(results), flush=True)
    shut(window, catalog, app)


if __name__ == "__main__":
    options = checkout_parser(__doc__)
    options.add_argument("--filter", default="qualified", help="Triage's filter")
    options.add_argument("--limit", type=float, default=240.0)
    options.add_argument("--trace", action="store_true", help="print where each stall over 50 ms went")
    child(options.parse_args())
