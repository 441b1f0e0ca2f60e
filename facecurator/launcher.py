"""The ``facecurator`` command: the command line, with the desktop app behind it.

``facecurator [SOURCE]`` (no command, or ``gui``) opens the app; every other
command is the headless CLI. This module sits above both front ends so that the
CLI never imports the GUI (only ``facecurator.gui`` imports Qt).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from facecurator.cli.common import EXIT_INTERRUPTED, Desktop
from facecurator.cli.main import main as cli_main


def open_app(source: str | None, catalog: str | None) -> int:
    """Run the desktop app on ``source`` (Qt is imported here, on demand)."""
    from facecurator.gui.app import run_gui

    return run_gui(source, catalog)


def check_qt() -> str:
    """The self-test's Qt check."""
    from facecurator.gui.selftest import check_qt

    return check_qt()


def main(argv: Sequence[str] | None = None) -> int:
    code = cli_main(argv, desktop=Desktop(open_app=open_app, check_qt=check_qt))
    if code == EXIT_INTERRUPTED and argv is None:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """Ctrl-C: leave at once. Everything worth keeping is committed and printed by now;
    the interpreter's own teardown (model runtimes, joining a worker still finishing an
    abandoned image) would take up to seconds more."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
