"""``facecurator decide --accept-qualified`` (or ``--reject-unqualified``) of a whole catalog, this
checkout against another, alternating, each run on a fresh copy of the same catalog (issue 17
item 5: a bulk decision at 1M images / 3M faces in seconds).

    .venv/bin/python benchmarks/decide_bulk.py CATALOG --against /work/main [--runs 2]
        [--reject] [--backed-up] [--json FILE]

``CATALOG``: a SQLite file (copied with ``cp --reflink=auto`` beside it for each run, the copy
removed after) or a PostgreSQL URL of a database with no connection open (``benchmarks/pg_catalog.py
--hold`` prints one; each run's copy is ``CREATE DATABASE ... TEMPLATE`` it, dropped after). Write
the catalog with the older of the two checkouts: the newer migrates each copy when it opens it (its
migration is inside its figure). Each run is the CLI (its text output: ``--json`` adds the
catalog's counts per decision state, 14 s at 1M on SQLite) in a child process under cProfile: its
wall time and CPU time, and the cumulative seconds of its phases (the backup or check before a bulk
change, the verdict fill, the targets' plan or count, the chunks' writes, the counts printed after).
The load average is printed with each run: this machine is shared.

A fresh SQLite copy has no backup: the run takes the day's backup before the bulk change (an
online copy and its full integrity check), as a day's first bulk change does. ``--backed-up``
measures the later ones of a day instead: each copy is given a backup taken now (a hard link to
``CATALOG``, only ever read and removed), so the check before the change is the catalog's own.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

#: Phase name -> the function whose cumulative time it is (file suffix, function name).
PHASES = {
    "prepare": ("catalog/database.py", "prepare_bulk_change"),
    "backup": ("catalog/backup.py", "take_backup"),
    "fill": ("services/browse.py", "fill_verdicts"),
    "reasons": ("services/browse.py", "fill_reasons"),
    "plan": ("catalog/bulk.py", "stored_target_plan"),
    "count": ("catalog/bulk.py", "count_stored_targets"),
    "chunks": ("catalog/decisions.py", "decide_by_verdict"),
    "counts": ("catalog/database.py", "face_counts"),
    "open": ("catalog/database.py", "__init__"),
}


def _copy(catalog: str, tag: str) -> str:
    if catalog.startswith("postgres"):
        import psycopg

        base, _, query = catalog.partition("?")
        head, _, name = base.rpartition("/")
        copy = f"{name}_{tag}"
        with psycopg.connect(f"{head}/postgres?{query}", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {copy} TEMPLATE {name} STRATEGY FILE_COPY")
        return f"{head}/{copy}?{query}"
    copy = f"{catalog}.{tag}"
    subprocess.run(["cp", "--reflink=auto", catalog, copy], check=True)
    return copy


def _drop(copy: str) -> None:
    if copy.startswith("postgres"):
        import psycopg

        base, _, query = copy.partition("?")
        head, _, name = base.rpartition("/")
        with psycopg.connect(f"{head}/postgres?{query}", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
        return
    folder, name = Path(copy).parent, Path(copy).name
    for path in [*folder.glob(name + "*"), *folder.glob(f".{name}.*")]:  # its backups, its records
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def _phases(profile: Path) -> dict[str, float]:
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.items():
        for phase, (suffix, name) in PHASES.items():
            if function == name and filename.endswith(suffix):
                found[phase] = round(found.get(phase, 0.0) + cumulative, 2)
    return found


def _backed_up(catalog: str, copy: str) -> None:
    """A backup of ``copy`` taken now (its catalog's name and stamp; ``catalog`` hard-linked)."""
    folder = Path(f"{copy}.backups")
    folder.mkdir()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    os.link(catalog, folder / f"{Path(copy).stem}-{stamp}.sqlite3")


def run_once(checkout: Path, catalog: str, tag: str, action: str, backed_up: bool = False) -> dict[str, Any]:
    copy = _copy(catalog, tag)
    try:
        if backed_up and not copy.startswith("postgres"):
            _backed_up(catalog, copy)
        with tempfile.TemporaryDirectory() as folder:
            profile = Path(folder) / "decide.prof"
            command = [
                str(checkout / ".venv/bin/python"), "-m", "cProfile", "-o", str(profile),
                "-m", "facecurator.launcher", "decide", action, "--catalog", copy,
            ]  # fmt: skip
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(command, cwd=checkout, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise SystemExit(f"{checkout}: exit {done.returncode}\n{done.stderr[-2000:]}")
            last = done.stdout.strip().splitlines()[-1]  # "accepted 927603 faces"
            return {
                "checkout": str(checkout),
                "wall_s": round(wall, 2),
                "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
                "faces": int(last.split()[1]) if last.split()[1].isdigit() else last,
                "load": [round(load, 1), round(os.getloadavg()[0], 1)],
                "phases": _phases(profile),
            }
    finally:
        _drop(copy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("catalog", help="a SQLite file or a PostgreSQL URL (see above)")
    parser.add_argument("--against", type=Path, required=True, help="the other checkout (its .venv)")
    parser.add_argument("--runs", type=int, default=2, help="pairs of runs (default 2)")
    parser.add_argument("--reject", action="store_true", help="--reject-unqualified instead")
    parser.add_argument(
        "--backed-up", action="store_true", help="SQLite: a backup of today beside each copy (see above)"
    )
    parser.add_argument("--json", type=Path, help="also write the runs here")
    args = parser.parse_args(argv)
    action = "--reject-unqualified" if args.reject else "--accept-qualified"
    runs = []
    for k in range(args.runs):
        pair = [(args.against, "before"), (REPO, "after")]
        for checkout, label in pair if k % 2 == 0 else pair[::-1]:
            result = run_once(checkout, args.catalog, f"{label}{k}_{os.getpid()}", action, args.backed_up)
            result["label"] = label
            runs.append(result)
            print(json.dumps(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
