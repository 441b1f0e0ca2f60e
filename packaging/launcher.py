"""PyInstaller entry script: the bundle's ``facecurator`` executable is the console script."""

import sys

from facecurator.launcher import main

if __name__ == "__main__":
    sys.exit(main())
