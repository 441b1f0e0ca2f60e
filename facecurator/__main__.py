"""``python -m facecurator`` is the ``facecurator`` command."""

import sys

from facecurator.cli.main import main

sys.exit(main())
