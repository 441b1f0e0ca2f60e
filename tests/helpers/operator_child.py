"""Child process: one operator deciding faces one by one (tests/test_concurrent_operators.py).

Usage: ``python operator_child.py CATALOG WHO STATE ID,ID,...``; waits for one line on stdin
(both operators start together), then decides each face alone, in the order given, and
prints how many of its decisions changed a face (a batch was recorded).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, when not installed


def main(target: str, who: str, state: str, ids: str) -> int:
    from facecurator.services.catalog import Catalog

    face_ids = [int(i) for i in ids.split(",")]
    with Catalog(target) as catalog:
        print("ready", flush=True)
        sys.stdin.readline()
        changed = sum(1 for face_id in face_ids if catalog.decide([face_id], state, who=who))  # type: ignore[arg-type]
    print(f"changed {changed}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
