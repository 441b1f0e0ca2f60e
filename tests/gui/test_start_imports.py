"""The desktop app's start imports nothing its window does not need before it is shown.

Every module imported before the window shows is CPU time the user waits for (issue 17 item 5:
the first rows of a 1M-image gallery in < 2 s, most of it the process start on a loaded
machine). NumPy alone was ~65 ms of the start's ~0.45 s of CPU, Pillow ~10 ms; the detectors'
runtimes (OpenCV, MediaPipe, dlib, ONNX Runtime) and the cloud SDKs would be seconds. They are
imported where they are used: on workers, once the window is up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Top-level packages the start must not import (each is used after the window is shown).
HEAVY: tuple[str, ...] = (
    "numpy",
    "PIL",
    "pillow_heif",
    "cv2",
    "mediapipe",
    "dlib",
    "onnxruntime",
    "jax",
    "matplotlib",
    "oss2",
    "alibabacloud_tea_openapi",
    "alibabacloud_green20220302",
    "alibabacloud_imm20200930",
    "aliyunsdkcore",
    "aliyunsdkkms",
    "keyring",
    "cryptography",
)

#: The real start (``facecurator gui --catalog ...`` through the launcher and ``run_gui``) up to
#: its event loop, whose ``exec`` reports what the process imported and the collector's state
#: (paused for the start, resumed once the window is shown) instead of running.
_START = r"""
import gc, json, sys
from PySide6.QtWidgets import QApplication

class App(QApplication):
    def exec(self):
        window = next(w for w in self.topLevelWidgets() if w.objectName() == "mainWindow")
        print(json.dumps({"modules": sorted(sys.modules), "shown": window.isVisible(),
                          "collecting": gc.isenabled(), "frozen": gc.get_freeze_count()}))
        return 0

app = App(sys.argv[:1])
from facecurator.launcher import main
status = main(["gui", "--catalog", sys.argv[1]])
sys.exit(status)
"""


def _start(catalog: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _START, catalog],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_start_imports_no_heavy_module_before_the_window(catalog_target: str) -> None:
    started = _start(catalog_target)
    assert started["shown"], "the window was not shown when the event loop started"
    modules = set(started["modules"])  # type: ignore[arg-type]
    assert "facecurator.gui.main_window" in modules  # (the start did run)
    imported = sorted(name for name in HEAVY if name in modules)
    assert imported == [], f"the start imported {imported} before the window was shown"
    # (a PostgreSQL catalog's driver is needed to open it; a SQLite one never loads it)
    assert ("psycopg" in modules) == catalog_target.startswith("postgresql:")


def test_the_collector_paused_for_the_start_runs_again_once_the_window_shows(tmp_path: Path) -> None:
    started = _start(str(tmp_path / "catalog.sqlite3"))
    assert started["collecting"], "the cyclic garbage collector was left off after the start"
    assert started["frozen"], "what the start built was not frozen (gc.freeze) once shown"
