"""Child process: one operator's Triage taking faces to review (tests/test_assignment.py).

Usage: ``python taker_child.py CATALOG WHO BATCH LEASE_S MODE``; waits for one line on stdin
(the operators start together). MODE ``work``: takes BATCH faces at a time, decides each taken
face (accepted, as WHO), prints ``took ID,ID,...`` per batch, and when nothing can be taken
waits for faces others hold to come free (their lease ran out) until none is pending, then
prints ``done``. MODE ``hold``: takes one batch, prints it, and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, when not installed

#: The longest a worker waits for faces held by others (a killed one's lease must run out).
PATIENCE_S = 120.0


def main(target: str, who: str, batch: str, lease: str, mode: str) -> int:
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog.assign import take

    with Catalog(target) as catalog:
        print("ready", flush=True)
        sys.stdin.readline()
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            ids = take(catalog, who, int(batch), lease_s=float(lease))
            if ids:
                print("took " + ",".join(map(str, ids)), flush=True)
                if mode == "hold":
                    sys.stdin.readline()  # killed here
                    return 0
                for face_id in ids:  # one by one, as an operator does (who looks at each a moment)
                    time.sleep(0.01)
                    catalog.decide([face_id], "accepted", who=who)
                continue
            pending = catalog.face_counts().get("pending", 0)
            if not pending:
                print("done", flush=True)
                return 0
            time.sleep(0.05)  # someone holds the rest: look again (a dead one's lease runs out)
    print("gave up", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
