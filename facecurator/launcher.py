"""The ``facecurator`` command: the command line, with the desktop app behind it.

``facecurator [SOURCE]`` (no command, or ``gui``) opens the app; every other
command is the headless CLI. This module sits above both front ends so that the
CLI never imports the GUI (only ``facecurator.gui`` imports Qt).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from facecurator.cli.common import Desktop
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
    return cli_main(argv, desktop=Desktop(open_app=open_app, check_qt=check_qt))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
