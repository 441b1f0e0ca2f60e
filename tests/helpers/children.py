"""Child processes the multi-process catalog tests start: a helper script run with this
Python, its pipes open (text), returned once it said it is ready."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start_ready(script: Path, *args: str) -> subprocess.Popen[str]:
    """``python SCRIPT ARGS`` (stdin, stdout and stderr piped, Python warnings off), once its
    first line, ``ready``, was read."""
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc
