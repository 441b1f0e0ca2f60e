"""``python -m facecurator`` is the ``facecurator`` command."""

import sys

from facecurator.launcher import main

sys.exit(main())
