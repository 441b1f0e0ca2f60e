"""PyInstaller entry script: the bundle's ``facecurator`` executable is the console script."""

import multiprocessing
import sys

from facecurator.launcher import main

if __name__ == "__main__":
    # The GUI stores verdicts in a spawned child process (facecurator.services.verdict_fill):
    # in the bundle that child is this executable, which must run the child and not the app.
    multiprocessing.freeze_support()
    sys.exit(main())
