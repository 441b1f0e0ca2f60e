"""Child process: the real ``facecurator`` command line, paused after each progress line.

Usage: ``python paused_cli.py ARG...`` runs ``facecurator ARG...`` in this process.
Every stdout line that reports a committed chunk (``accepted 200/1000``) is
written and flushed, then the child waits for one line on stdin before it goes
on: ``go`` (next chunk) or ``run`` (no more pauses). The progress line is printed
after the chunk's transaction has committed, so while paused the child holds no
lock on the catalog and another process can use it freely.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, when not installed

_PROGRESS = re.compile(r"^(accepted|rejected) \d+/\d+$")


class _PausingStdout(io.TextIOBase):
    def __init__(self, out: io.TextIOBase) -> None:
        self._out = out
        self._line = ""
        self._pausing = True

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._out.write(text)
        self._line += text
        while "\n" in self._line:
            line, self._line = self._line.split("\n", 1)
            if self._pausing and _PROGRESS.match(line):
                self._out.flush()
                answer = sys.stdin.readline().strip()
                if answer != "go":
                    self._pausing = False
        return len(text)

    def flush(self) -> None:
        self._out.flush()


def main(argv: list[str]) -> int:
    from facecurator.cli.main import main as cli_main

    sys.stdout = _PausingStdout(sys.stdout)  # type: ignore[assignment]
    try:
        return cli_main(argv)
    finally:
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
