"""What ``report``, ``status`` and ``--help`` import (issue 17 item 5: ``report --json``'s first
byte at 1M on PostgreSQL is mostly the interpreter's start and the CLI's imports): only what the
verb needs -- no detector, image, GUI, cloud or progress-bar library, no other verb's module, and
psycopg only when the catalog is PostgreSQL. The CLI runs in a subprocess, as an operator's does;
a tiny hook writes the names in ``sys.modules`` when the command is done."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers.catalogs import seed_catalog

REPO = Path(__file__).resolve().parents[1]

HOOK = (
    "import sys\n"
    "from facecurator.launcher import main\n"
    "try:\n"
    "    code = main(sys.argv[2:])\n"
    "finally:  # --help leaves by SystemExit\n"
    "    open(sys.argv[1], 'w', encoding='utf-8').write('\\n'.join(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)

#: Libraries a reading command never needs (the detectors', images', the GUI's, the clouds', tqdm's).
HEAVY = (
    "numpy", "PIL", "cv2", "onnxruntime", "mediapipe", "scipy", "matplotlib", "PySide6", "shiboken6",
    "keyring", "tqdm", "requests", "urllib3", "oss2", "alibabacloud_tea_openapi", "alibabacloud_credentials",
)  # fmt: skip
#: facecurator's modules a reading command never needs (other verbs, the detectors, the GUI).
NOT_READING = (
    "facecurator.gui", "facecurator.services.jobs", "facecurator.services.shared_scan",
    "facecurator.services.export.run", "facecurator.services.export.render", "facecurator.cli.scan_command",
    "facecurator.cli.decide_command", "facecurator.cli.export_command",
)  # fmt: skip
#: Of facecurator.detect and facecurator.cloud, the constants report and status read.
LIGHT = {
    "facecurator.detect", "facecurator.detect.quality", "facecurator.detect.quality.clip_reasons",
    "facecurator.detect.embed_key", "facecurator.cloud", "facecurator.cloud.redact",
}  # fmt: skip


def _imported(tmp_path: Path, *args: str) -> tuple[set[str], Any]:
    names = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", HOOK, str(names), *args], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(names.read_text(encoding="utf-8").split()), done


def _too_heavy(modules: set[str], *, server: bool) -> list[str]:
    heavy = set(HEAVY) | ({"psycopg", "psycopg_binary", "psycopg_c"} if not server else set())
    return sorted(
        name
        for name in modules
        if name.split(".")[0] in heavy
        or any(name == m or name.startswith(m + ".") for m in NOT_READING)
        or (name.startswith(("facecurator.detect", "facecurator.cloud")) and name not in LIGHT)
    )


def test_report_on_a_file_imports_only_what_it_reads(tmp_path: Path) -> None:
    catalog = tmp_path / "c.sqlite3"
    seed_catalog(catalog, str(tmp_path / "g"), 30, 2)
    modules, done = _imported(tmp_path, "report", "--json", "--catalog", str(catalog))
    assert '"images":[' in done.stdout and "facecurator.services.review" in modules  # it ran
    assert _too_heavy(modules, server=False) == []
    modules, _ = _imported(tmp_path, "report", "--csv", "--where", "yaw>10", "--catalog", str(catalog))
    assert _too_heavy(modules, server=False) == []


def test_report_and_status_on_a_server_import_only_what_they_read(tmp_path: Path, pg_cluster: Any) -> None:
    url = pg_cluster.new_database()
    seed_catalog(url, "/gallery", 30, 2)
    modules, done = _imported(tmp_path, "report", "--json", "--catalog", url)
    assert '"images":[' in done.stdout and "psycopg" in modules
    assert _too_heavy(modules, server=True) == []
    modules, done = _imported(tmp_path, "status", "--catalog", url)
    assert "images left" in done.stdout
    assert _too_heavy(modules, server=True) == []


def test_help_imports_no_catalog_driver(tmp_path: Path) -> None:
    modules, done = _imported(tmp_path, "--help")
    assert "report" in done.stdout
    assert _too_heavy(modules, server=False) == []
