"""The About box lists the third-party notices, in both languages."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QTextEdit

pytestmark = pytest.mark.gui

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_about_box_shows_the_third_party_notices(qtbot, opened_window, ui_language) -> None:
    box = opened_window.about_box()
    qtbot.addWidget(box)
    details = box.detailedText()
    (shown,) = box.findChildren(QTextEdit)
    assert shown.toPlainText() == details and shown.minimumWidth() >= 480  # readable, not a strip
    assert "PySide6_Essentials" in details and "LGPL-3.0" in details and "mediapipe" in details
    info = box.informativeText()
    assert "LGPL" in info
    if ui_language == "zh_CN":
        assert HAN.search(info) and "third-party" not in info
        assert HAN.search(box.windowTitle())
    else:
        assert "third-party software" in info
