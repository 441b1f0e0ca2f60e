"""Child process for the catalog durability test.

Usage: ``python decide_child.py CATALOG``. Accepts every pending face of the
catalog one at a time and prints each face id on stdout right after
``Catalog.decide()`` returns; the test SIGKILLs this process at some point and
then checks that every printed decision is in the catalog.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, when not installed

from facecurator.services.catalog import Catalog


def main(path: str) -> None:
    with Catalog(path) as catalog:
        pending = [row.id for row in catalog.faces() if row.decision.state == "pending"]
        print("ready", flush=True)
        for face_id in pending:
            catalog.decide([face_id], "accepted", reason=f"child {face_id}", who="child")
            print(face_id, flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
