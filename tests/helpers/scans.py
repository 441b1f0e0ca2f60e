"""Scanning a folder into a catalog file for tests, with the real local detector."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def scan_locally(folder: Path, catalog_path: Path, *, jobs: int = 2) -> Any:
    """Scan ``folder`` into the catalog file ``catalog_path`` with the local detector, in this
    process; returns the scan's report."""
    from facecurator.detect.registry import make_detector
    from facecurator.services.catalog import Catalog
    from facecurator.services.jobs import scan
    from facecurator.sources.local import LocalFolderSource

    detector = make_detector("local")
    try:
        with Catalog(catalog_path) as catalog:
            return scan(LocalFolderSource(folder), detector, catalog, jobs=jobs)
    finally:
        detector.close()


def scan_without_file_privileges(folder: Path, catalog_path: Path) -> None:
    """Scan ``folder`` in a process that may not bypass file permissions (root may: it runs
    without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH then), so a mode-000 file really fails."""
    command = [sys.executable, "-m", "facecurator", "scan", str(folder), "--catalog", str(catalog_path)]
    command += ["--jobs", "1"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: no file is unreadable to this process")
        drop = "-dac_override,-dac_read_search"
        command = [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert catalog_path.is_file(), done.stderr[-2000:]
