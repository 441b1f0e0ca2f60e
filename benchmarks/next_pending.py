"""A / R's next pending face in a large Triage grid, measured (issue 17: the next pending face
beyond a paged grid's held pages; ``TriagePage.advance``).

    .venv/bin/python benchmarks/next_pending.py --catalog COPY --source ROOT [--filter accepted]
        [--presses 4] [--gap 20000] [--repo CHECKOUT] [--trace]

The app's window opens on the catalog (a copy: decisions are written into it), Triage on
``--filter``; once the grid is counted, its jump sample taken and the store idle, pending faces
are set up far apart in the grid (not timed):

* "accepted" / "rejected": ``--presses`` faces of the grid, at 1/(n+1), 2/(n+1) ... of its rows
  (sampled keys' rows), put back to pending (as an operator's undo); then R on row 0 and on each
  face reached: each press should reach the next of them;
* "all" / "pending": the ``--gap`` faces after row 0 decided (accepted), then A on row 0: the
  next pending face is ``--gap`` + 1 rows on (its SQL walks them), then ``--presses`` - 1 more A
  (the next row: the near case).

Per press, from the key press: ``found_ms`` until the expected face is current (None: the
selection went elsewhere -- the code before next17 took the next row -- ``row`` says where),
the longest event-loop gap (``stall_ms``, a 10 ms timer) and the GUI thread's CPU
(``gui_cpu_ms``) until then plus half a second (the landing's pages painted). One JSON line;
``--trace``: where each stall over 50 ms went (benchmarks/stall_trace.py), on stderr. Report the
machine's load (``uptime``) beside the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from gui_scroll_support import _rss_mb, _traced, _untraced, checkout_parser, shut, spin, triage_shown


def _setup(store: Any, model: Any, args: argparse.Namespace) -> list[tuple[int, int]]:
    """Decide or put back faces (not timed): the (row, face id) each press should reach."""
    from facecurator.services.catalog.face_pages import FacePages

    paged = model.paged
    assert paged is not None, "the grid is not paged (a source of fewer faces?)"
    count = model.rowCount()
    if args.filter in ("accepted", "rejected"):
        sample = paged._sample
        rows = [sample.row(i) for i in range(len(sample))]
        wanted = [count * k // (args.presses + 1) for k in range(1, args.presses + 1)]
        picks = [min(range(len(rows)), key=lambda i: abs(rows[i] - w)) for w in wanted]
        targets = [(rows[i], int(sample.keys[i][-1])) for i in picks]
        store.decide([face for _row, face in targets], "pending")
        return targets
    keys = FacePages(args.source, None if args.filter == "all" else args.filter).page(
        store.catalog, limit=args.gap + args.presses + 1
    )
    store.decide([int(key[-1]) for key in keys[1 : args.gap + 1]], "accepted")
    return [(args.gap + k, int(keys[args.gap + k][-1])) for k in range(1, args.presses + 1)]


def _seed_accepted(args: argparse.Namespace) -> None:
    """Accept every n-th face of the source, ``--seed-accepted`` of them, unless as many are
    accepted (a copy of the seeded SQLite catalog has no decision; PostgreSQL's has 30 000)."""
    sys.path.insert(0, str(args.repo))
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog import queries as q

    with Catalog(args.catalog) as catalog:
        if len(q.face_ids(catalog, source_root=args.source, filter_name="accepted")) >= args.seed_accepted:
            return
        every = q.face_ids(catalog, source_root=args.source)
        catalog.decide(list(every[:: max(1, len(every) // args.seed_accepted)]), "accepted")


def child(args: argparse.Namespace) -> None:
    if args.seed_accepted:
        _seed_accepted(args)
    app, catalog, window = triage_shown(args)
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from facecurator.gui.latency import EventLoopMonitor

    store, page = window.store, window.triage
    model, view = page.model, page.view
    started = time.perf_counter()
    window.open_source(args.source, scan=False)
    spin(lambda: not store.busy and model.rowCount() > 0, args.limit)
    page.filter_combo.setCurrentIndex(page.filter_combo.findData(args.filter))
    sampled = lambda: model.paged is not None and model.paged._sampled and not store._queries  # noqa: E731
    spin(sampled, args.limit)  # (the grid counted, its jump sample taken)
    opened_s = time.perf_counter() - started
    targets = _setup(store, model, args)
    spin(lambda: not store._queries, args.limit)
    view.setFocus()
    view.move_to_row(0)
    spin(lambda: page.current_face_id() is not None, 30)
    key = Qt.Key.Key_R if args.filter in ("accepted", "rejected") else Qt.Key.Key_A
    monitor = EventLoopMonitor(interval_ms=10)
    tracer = _traced(monitor, args.trace, f"next_pending {args.filter}")
    presses = []
    for row, face in targets:
        from_row = view.currentIndex().row()
        spin(lambda: False, 0.3)  # (settled)
        monitor.start()
        cpu, t0 = time.thread_time(), time.perf_counter()
        QTest.keyClick(view, key)
        moved = lambda: page.current_face_id() == face or view.currentIndex().row() not in (from_row, row)  # noqa: B023, E731
        reached = spin(moved, args.wait)
        found = reached and page.current_face_id() == face
        found_ms = (time.perf_counter() - t0) * 1000 if found else None
        spin(lambda: False, 0.5)
        monitor.stop()
        presses.append({
            "from": from_row, "target_row": row, "row": view.currentIndex().row(),
            "found_ms": None if found_ms is None else round(found_ms, 1),
            "stall_ms": round(max(monitor.gaps, default=0.0) * 1000, 1),
            "gui_cpu_ms": round((time.thread_time() - cpu) * 1000, 1),
        })  # fmt: skip
    _untraced(tracer)
    print(
        json.dumps({
            "filter": args.filter, "rows": model.rowCount(), "opened_s": round(opened_s, 1),
            "backend": "postgresql" if args.catalog.startswith("postgresql") else "sqlite",
            "presses": presses, "rss_mb": round(_rss_mb(), 1),
        }),
        flush=True,
    )  # fmt: skip
    shut(window, catalog, app)


if __name__ == "__main__":
    options = checkout_parser(__doc__)
    options.add_argument("--filter", default="accepted", help="Triage's filter")
    options.add_argument("--presses", type=int, default=4)
    options.add_argument("--gap", type=int, default=20000, help='"all"/"pending": faces decided after row 0')
    options.add_argument("--seed-accepted", type=int, default=0, help="accept this many faces first")
    options.add_argument("--limit", type=float, default=600.0, help="seconds for the open and the grid")
    options.add_argument("--wait", type=float, default=30.0, help="seconds a press may take")
    options.add_argument("--trace", action="store_true", help="print where each stall over 50 ms went")
    child(options.parse_args())
