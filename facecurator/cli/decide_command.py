"""``facecurator decide``: bulk accept/reject of pending faces a committed chunk at a
time, and ``--undo [--wait]``."""

from __future__ import annotations

import argparse
import sys

from facecurator.cli.command_support import Progress, _err, open_catalog, resolve_rules, source_root_filter
from facecurator.cli.common import EXIT_OK, print_json
from facecurator.cli.where import where_filter
from facecurator.services.catalog import Catalog


def cmd_decide(args: argparse.Namespace) -> int:
    from facecurator.services.review import accept_qualified, reject_unqualified

    with open_catalog(args) as catalog:
        if args.undo:
            return _undo(catalog, args)
        rules = resolve_rules(catalog, args.rules)
        state = "accepted" if args.accept_qualified else "rejected"
        bar = Progress("decide")

        def reported(done: int, total: int) -> None:
            # Printed only after the chunk is committed: what is reported is on disk.
            bar.update(done, total)
            if not args.json:
                print(f"{state} {done}/{total}", flush=True)

        decide = accept_qualified if args.accept_qualified else reject_unqualified
        root = source_root_filter(args.source)
        selected = where_filter(args, rules, catalog, root)
        face_ids = None
        if selected is not None:  # the matching faces, read a page of images at a time
            from facecurator.services.review import iter_review

            images = iter_review(catalog, rules, source_root=root)
            face_ids = [face.id for image in images for face in selected.select(image.faces)]
        try:
            result = decide(
                catalog, rules, face_ids, source_root=root, on_chunk=reported, include_held=args.include_held
            )
        finally:
            bar.close()
        if args.json:
            print_json(
                {
                    "decision": state,
                    "faces": result.count,
                    "skipped": result.skipped,
                    "batches": list(result.batch_ids),
                    "rules": rules.name,
                    "counts": catalog.face_counts(),
                }
            )
        elif result.total == 0:
            print(f"no pending {'qualified' if args.accept_qualified else 'unqualified'} faces")
        else:
            skipped = (
                f"; {result.skipped} skipped: decided by someone else first or held by another operator"
                " (--include-held decides those too)"
                if result.skipped
                else ""
            )
            print(f"{state} {result.count} faces{skipped}")
    return EXIT_OK


#: How often a waiting undo looks at the batch it waits for (seconds).
UNDO_POLL_S = 0.2


def _undo(catalog: Catalog, args: argparse.Namespace) -> int:
    """``decide --undo [--wait]``: refused (or waits) while the last batch is still being written."""
    import time

    from facecurator.errors import BatchBusyError

    announced: set[int] = set()
    while True:
        try:
            undone = catalog.undo_last()
            break
        except BatchBusyError as exc:
            if not args.wait:
                raise
            if exc.batch_id not in announced:
                by = f"process {exc.pid}" if exc.pid is not None else "another process"
                _err(f"waiting for decision batch {exc.batch_id} (being written by {by}) to finish ...")
                sys.stderr.flush()
                announced.add(exc.batch_id)
            while catalog.batch_writer(exc.batch_id)[1]:
                time.sleep(UNDO_POLL_S)
    if args.json:
        print_json(
            {
                "undone": [] if undone is None else undone.face_ids,
                "batch": None if undone is None else undone.batch_id,
                "interrupted": bool(undone and undone.interrupted),
            }
        )
    elif undone is None:
        print("nothing to undo")
    elif undone.interrupted:
        print(
            f"undid the last decision batch ({len(undone.face_ids)} faces); it had been interrupted "
            "before it was complete (its process stopped)"
        )
    else:
        print(f"undid the last decision batch ({len(undone.face_ids)} faces)")
    return EXIT_OK
