"""A process that fills a catalog's verdicts in a child process (the GUI's way) and exits as soon
as the fill answered, while the child still stores the reasons (tests/test_browse.py).

    python fill_and_exit.py CATALOG
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from facecurator.domain.rules import load_rules
from facecurator.services.verdict_fill import fill_verdicts_apart

if __name__ == "__main__":
    print(fill_verdicts_apart(sys.argv[1], load_rules("moderation-2.0")), flush=True)
