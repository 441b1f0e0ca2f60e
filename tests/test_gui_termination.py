"""SIGTERM/SIGHUP end the desktop app like closing its window: exit 0, catalog closed cleanly.

A real ``python -m facecurator gui`` process (offscreen Qt) on a folder being
scanned: a signal must cancel the scan, close the catalog and remove its
clean-shutdown marker, so that the next start does not report an unclean
shutdown and run the full integrity check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facecurator.services.catalog import health

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _wait_for(predicate, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            pytest.fail(f"the app exited early with {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the app did not come up in time")
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_terminating_signal_is_a_clean_shutdown(tmp_path: Path, astronaut_png: Path, signum: int) -> None:
    from PIL import Image

    photos = tmp_path / "photos" / "eileen"
    photos.mkdir(parents=True)
    with Image.open(astronaut_png) as image:
        for quality in range(70, 94, 3):  # different bytes: each is detected
            image.convert("RGB").save(photos / f"astronaut_q{quality}.jpg", quality=quality)
    catalog = tmp_path / "catalog.sqlite3"
    cache = tmp_path / "cache"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        FACECURATOR_CACHE_DIR=str(cache),
        FACECURATOR_CONFIG_DIR=str(tmp_path / "config"),
        FACECURATOR_DATA_DIR=str(tmp_path / "data"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "facecurator", "gui", str(photos.parent), "--catalog", str(catalog)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    log_file = cache / "logs" / "facecurator.log"

    def shown() -> bool:
        try:
            return "main window shown" in log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False

    _wait_for(shown, 120, proc)
    assert [p for p in catalog.parent.iterdir() if ".open-" in p.name], "the running app keeps a marker"
    proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the app did not end after the signal")
    assert proc.returncode == 0, stderr.decode(errors="replace")[-2000:]
    assert not [p for p in catalog.parent.iterdir() if ".open-" in p.name], "marker left: unclean shutdown"
    assert health.stale_markers(catalog) == []
    text = log_file.read_text(encoding="utf-8", errors="replace")
    assert f"received {signal.Signals(signum).name}: shutting down cleanly" in text
