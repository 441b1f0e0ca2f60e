"""Process start -> the main window shown, of ``facecurator gui --catalog CATALOG`` (issue 17 item 5).

    .venv/bin/python benchmarks/start_window.py CATALOG RUNS REPO [REPO ...]

Runs each checkout's ``python -m facecurator gui`` (offscreen, a settings, cache and data folder
of its own, emptied each run), alternating the checkouts (the order reversed every other round),
``RUNS`` times each; the window is shown when the app logs "main window shown" (its log file's
timestamp, ms); the process's CPU (every thread) is read from ``/proc`` as that line appears,
then the app is sent SIGTERM (it shuts down cleanly: the next open needs no check). A catalog
under 200 MB is copied afresh for each run (its check on open then runs, beside the window); a
larger one (a copy of the 1M catalog: copy it first, never the original) and a
``postgresql://`` URL are opened as they are. Prints each run (with the load average) and each
checkout's medians. Each checkout is byte-compiled first (as ``scale.py``'s ``compiled``);
``--no-pyc`` compiles nothing and runs with ``PYTHONDONTWRITEBYTECODE=1``, as this machine's
shells do: a checkout without ``__pycache__`` (a fresh worktree) then compiles every module at
each start, one with it reads its ``.pyc``. A start that shows no window within 30 s is killed with
SIGABRT (``PYTHONFAULTHANDLER=1``: every thread's stack) and its stderr kept in ``/tmp``.

2026-12-07 (startup17, docs/benchmarks-history.md, "the start before the window"), a clean reopen of the 1M
catalog at load 7.2-15.4, 10 runs each (measured with this script's first version, in /tmp): the
code before without .pyc (--no-pyc, a fresh worktree) 3.50 s (CPU 0.72 s), with .pyc 2.86 s
(0.50 s), after 1.68 s (0.38 s).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_once(repo: Path, catalog: str, base: Path, *, no_pyc: bool) -> tuple[float, float] | None:
    """(seconds to the window shown, CPU seconds by then) of one start, or None (no window)."""
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1")
    env.update(
        FACECURATOR_CONFIG_DIR=str(base / "config"),
        FACECURATOR_CACHE_DIR=str(base / "cache"),
        FACECURATOR_DATA_DIR=str(base / "data"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if no_pyc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if "://" not in catalog and Path(catalog).stat().st_size < 200e6:
        shutil.copy(catalog, base / "catalog.sqlite3")
        catalog = str(base / "catalog.sqlite3")
    log = base / "cache" / "logs" / "facecurator.log"
    tick = os.sysconf("SC_CLK_TCK")
    started = time.time()
    with open(base / "stderr", "w") as stderr:
        proc = subprocess.Popen(
            [str(repo / ".venv" / "bin" / "python"), "-m", "facecurator", "gui", "--catalog", catalog],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    text, cpu = "", None
    while time.time() - started < 30:
        try:
            text = log.read_text(encoding="utf-8")
        except OSError:
            text = ""
        if "main window shown" in text:
            with open(f"/proc/{proc.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / tick
            break
        time.sleep(0.003)
    if cpu is None:
        proc.send_signal(signal.SIGABRT)
        proc.wait()
        kept = Path(tempfile.gettempdir()) / f"start-window-{int(time.time())}.txt"
        shutil.copy(base / "stderr", kept)
        print(f"{repo.name}: no window within 30 s (stacks: {kept})", flush=True)
        return None
    found = re.search(r"^(\S+ \S+) INFO\s+facecurator\.gui: main window shown", text, re.MULTILINE)
    assert found, text[-2000:]
    shown = datetime.datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f").timestamp() - started
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    return shown, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("catalog", help="a SQLite file (a copy) or a postgresql:// URL")
    parser.add_argument("runs", type=int)
    parser.add_argument("repos", nargs="+", type=Path, help="checkouts, each with its .venv")
    parser.add_argument("--no-pyc", action="store_true", help="PYTHONDONTWRITEBYTECODE=1, no compiling first")
    args = parser.parse_args()
    repos = [repo.resolve() for repo in args.repos]
    if not args.no_pyc:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        for repo in repos:
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(repo / "facecurator")], check=True, env=env
            )
    results: dict[Path, list[tuple[float, float]]] = {repo: [] for repo in repos}
    work = Path(tempfile.mkdtemp(prefix="start-window-"))
    try:
        for round_ in range(args.runs):
            for repo in repos if round_ % 2 == 0 else repos[::-1]:
                load = os.getloadavg()[0]
                measured = start_once(repo, args.catalog, work / repo.name, no_pyc=args.no_pyc)
                if measured is not None:
                    results[repo].append(measured)
                    shown, cpu = measured
                    print(f"{repo.name:20s} window {shown:6.3f} s  cpu {cpu:5.2f} s  load {load:5.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for repo, runs in results.items():
        if runs:
            wall = statistics.median(shown for shown, _ in runs)
            cpu = statistics.median(cpu for _, cpu in runs)
            print(f"{repo.name:20s} median window {wall:.3f} s, cpu {cpu:.2f} s ({len(runs)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
