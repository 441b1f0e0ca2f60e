"""The window's scan runs the CLIP photograph model only for rules that use it; switching to
such rules after a scan without it shows how many faces lack the check, and one button
re-detects those (issue 18's cost; gui/model_check.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facecurator.detect.quality import photo_model


@pytest.fixture
def one_photo(tmp_path: Path) -> Path:
    """A photo whose face qualifies under every other enrollment-strict condition."""
    import cv2
    from PIL import Image

    from facecurator import paths

    if not photo_model.PhotoModel().available():
        pytest.skip("the CLIP photograph model is not installed (scripts/install.sh installs it)")
    with Image.open(paths.resource_path("selftest", "astronaut.jpg")) as img:
        rgb = np.asarray(img.convert("RGB"))
    root = tmp_path / "photos"
    (root / "astronaut").mkdir(parents=True)
    big = cv2.resize(rgb, None, fx=2, fy=2, interpolation=cv2.INTER_LANCZOS4)
    Image.fromarray(big).save(root / "astronaut" / "astronaut.png")
    return root


def test_switching_to_rules_that_need_the_model_says_so_and_one_click_re_detects(
    qtbot: Any, make_window: Any, tmp_path: Path, one_photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = photo_model.PhotoModel.read
    monkeypatch.setattr(photo_model.PhotoModel, "read", lambda self, *a: reads.append(1) or real(self, *a))
    window = make_window(tmp_path / "catalog.sqlite3")
    assert window.set_rules("moderation-2.0")
    assert window.open_source(str(one_photo), scan=False)
    assert window.store.wait_until_idle()
    assert window.start_scan("local", jobs=1)
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=60_000)
    assert not reads  # the default rules do not use the model: it did not run
    notice = window.model_check
    assert not notice.isVisible()

    assert window.set_rules("enrollment-strict")
    qtbot.waitUntil(notice.isVisible, timeout=10_000)
    assert notice.counts == (1, 1)
    assert "1 faces in 1 images not checked by the photograph model" in notice.label.text()

    # the operator has since picked a paid cloud detector: the button still re-detects with the
    # local one (the CLIP model is local; a cloud call would be paid and never check it)
    combo = window.detector_combo
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) != "local"))
    assert window.current_detector() != "local"
    qtbot.mouseClick(notice.button, _left())
    qtbot.waitUntil(lambda: window.scanner.running or len(reads) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=60_000)
    assert len(reads) == 1  # the image scanned without the model is read by it, once
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=10_000)
    assert notice.counts == (0, 0)
    assert window.last_scan_report.detected == 1


def _left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
