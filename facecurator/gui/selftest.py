"""The self-test's Qt check: Qt starts and shows a window (offscreen without a display)."""

from __future__ import annotations

import os
import sys


def check_qt() -> str:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform.startswith(
        "linux"
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(["facecurator-self-test"])
    widget = QWidget()
    widget.resize(32, 32)
    widget.show()
    app.processEvents()
    widget.close()
    return f"Qt {__import__('PySide6').__version__} starts (platform {QApplication.platformName()})"
