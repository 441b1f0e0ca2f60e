"""The window's problems list names every bad entry of a scanned folder (issue 20, item 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.bad_entries import bad_folder

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and symlinks: POSIX only")


def test_problems_list_names_pipes_loops_and_dangling_links(qtbot, make_window, tmp_path: Path) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    expected = bad_folder(root)
    window = make_window(tmp_path / "c.sqlite3")
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000) as finished:
        assert window.start_scan("local", jobs=2)
    report = finished.args[0]
    assert report.failed == len(expected) and report.ok == 2
    qtbot.waitUntil(lambda: len(window.problems.image_ids()) == len(expected), timeout=10_000)
    texts = [window.problems.list.item(i).text() for i in range(window.problems.list.count())]
    for name, reason in expected.items():
        assert any(text.startswith(name) and reason in text for text in texts), (name, texts)
