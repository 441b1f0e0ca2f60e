"""Run ``decide_child.py`` on a catalog and SIGKILL it mid-stream (the SQLite and PostgreSQL
durability tests share it): every face id the child printed had its ``decide()`` returned."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

CHILD = Path(__file__).resolve().parent / "decide_child.py"


def decide_until_killed(target: str, kill_after: int) -> list[int]:
    """The ids the child reported decided, read up to ``kill_after`` before the SIGKILL and
    whatever it printed before the signal landed."""
    printed: list[int] = []
    with subprocess.Popen(
        [sys.executable, str(CHILD), target], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            while len(printed) < kill_after:
                line = child.stdout.readline()
                assert line, "child exited early: " + child.stderr.read()
                printed.append(int(line))
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait(10)
        # Lines the child printed before the signal landed but we had not read yet.
        printed += [int(line) for line in child.stdout.read().split()]
    assert child.returncode == -signal.SIGKILL
    return printed
