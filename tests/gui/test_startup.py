"""The app's start: the window's modules are imported on a thread while the event loop turns."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from facecurator.gui.latency import EventLoopMonitor
from facecurator.gui.startup import import_while_turning, show_splash

#: How long the planted module's import runs Python (a GUI-thread import would stall that long).
IMPORT_S = 0.6


@pytest.fixture
def slow_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module whose import runs Python for IMPORT_S seconds (as the window's modules do)."""
    name = "fc_slow_import_for_test"
    (tmp_path / f"{name}.py").write_text(
        "import time\n"
        f"end = time.perf_counter() + {IMPORT_S}\n"
        "n = 0\n"
        "while time.perf_counter() < end:\n"
        "    n += 1\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_the_event_loop_turns_while_the_modules_are_imported(qapp, slow_module: str) -> None:
    monitor = EventLoopMonitor(interval_ms=10)
    monitor.start()
    import_while_turning([slow_module])
    monitor.stop()
    assert slow_module in sys.modules  # imported when it returns
    # On the GUI thread the import would be one gap of IMPORT_S; here the loop kept turning.
    assert monitor.ticks >= 10, f"the event loop barely turned ({monitor.ticks} ticks)"
    assert monitor.max_gap < IMPORT_S / 2, f"a {monitor.max_gap * 1000:.0f} ms stall while importing"


def test_an_import_error_is_raised_on_the_gui_thread(qapp) -> None:
    with pytest.raises(ModuleNotFoundError, match="fc_no_such_module"):
        import_while_turning(["fc_no_such_module"])


def test_the_splash_says_the_app_is_starting(qapp) -> None:
    from PySide6.QtWidgets import QLabel

    splash = show_splash()
    try:
        assert splash.isVisible()
        assert splash.findChild(QLabel, "startMessage").text() == "Starting…"
    finally:
        splash.close()


def test_the_window_is_built_in_stages_the_event_loop_turning_between_them(qapp, tmp_path: Path) -> None:
    """As run_gui builds it (turning_while_building), the window's build lets the event loop turn
    between its stages (pages, docks, menus): no one stall of the whole build. A window built
    elsewhere (the tests' windows) never turns the loop in the middle of its constructor."""
    from PySide6.QtCore import QTimer

    from facecurator.gui.main_window import MainWindow
    from facecurator.gui.startup import turning_while_building
    from facecurator.services.catalog import Catalog

    turns: list[int] = []
    timer = QTimer()
    timer.setInterval(0)  # fires on every turn of the loop
    timer.timeout.connect(lambda: turns.append(1))
    catalog = Catalog(tmp_path / "c.sqlite3")
    windows = []
    try:
        timer.start()
        windows.append(MainWindow(catalog, auto_scan=False))
        outside = len(turns)
        with turning_while_building():
            windows.append(MainWindow(catalog, auto_scan=False))
        inside = len(turns) - outside
        timer.stop()
    finally:
        for window in windows:
            window.shutdown()
            window.close()
        catalog.close()
    assert outside == 0, "a window built outside run_gui turned the event loop"
    assert inside >= 8, f"the build turned the loop {inside} times: in too few stages"


def test_pyside_learns_which_modules_use_it_without_reading_their_source(
    qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySide6 read the source file of every module imported after it (~10 % of the window's
    imports); import_while_turning has it answer from the module's names instead, alike."""
    import inspect

    feature = pytest.importorskip("shibokensupport.feature")
    if not hasattr(feature, "_mod_uses_pyside"):
        pytest.skip("this PySide6 does not scan imported modules")
    monkeypatch.setattr(feature, "_mod_uses_pyside", feature._mod_uses_pyside)  # restored after
    (tmp_path / "fc_uses_qt.py").write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    (tmp_path / "fc_plain.py").write_text("import json\nX = json.dumps([1])\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    reads: list[object] = []
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: reads.append(obj) or real(obj))
    try:
        import_while_turning(["fc_uses_qt", "fc_plain"])
        # what PySide6's import hook calls for each module an import statement brings in (asked
        # here: whether its hook is in place depends on what else ran in this process)
        for name in ("fc_uses_qt", "fc_plain"):
            feature.pyside_feature_dict.pop(name, None)
            feature.feature_imported(sys.modules[name])
    finally:
        for name in ("fc_uses_qt", "fc_plain"):
            sys.modules.pop(name, None)
    assert reads == []  # no source file read
    assert feature.pyside_feature_dict.pop("fc_uses_qt") == 0  # uses PySide6: "no feature" default
    assert feature.pyside_feature_dict.pop("fc_plain") == -1  # ignored by the switch


def test_the_splash_waits_for_its_needs_built_on_the_importing_thread(
    qapp, slow_module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first turn of the start: what the splash needs (Qt's namespace: ~100 Python enums
    built when first imported) is built on the importing thread while the loop turns, and the
    splash is shown once it is, before the window's modules are in."""
    from PySide6.QtWidgets import QLabel

    from facecurator.gui import startup

    monkeypatch.setattr(startup, "SPLASH_NEEDS", (f"{slow_module}.n", *startup.SPLASH_NEEDS))
    monitor = EventLoopMonitor(interval_ms=10)
    shown_after: list[int] = []
    real_show = startup.show_splash

    def show() -> Any:
        shown_after.append(monitor.ticks)
        return real_show()

    monkeypatch.setattr(startup, "show_splash", show)
    monitor.start()
    splash = startup.splash_while_importing(["json"])
    monitor.stop()
    try:
        assert splash.isVisible() and splash.findChild(QLabel, "startMessage").text() == "Starting…"
        assert shown_after and shown_after[0] >= 10  # the loop turned while the needs were built
        assert monitor.max_gap < IMPORT_S / 2, f"a {monitor.max_gap * 1000:.0f} ms stall before the splash"
    finally:
        splash.close()


def test_the_importing_thread_waits_while_the_splash_is_built_and_shown(
    qapp, slow_module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySide6 builds its Python types and enums lazily and two threads doing so at once crashed
    the start (a segmentation fault in ~1 start of 20: the splash's show() converting a Qt
    message's type for the log's handler while the thread imported the window's names): the
    window's modules are imported only once the splash is built, shown and painted."""
    from facecurator.gui import startup

    seen: list[bool] = []
    real_show = startup.show_splash

    def show() -> Any:
        seen.append(slow_module in sys.modules)  # (a module is there from its import's start)
        splash = real_show()
        qapp.processEvents()
        seen.append(slow_module in sys.modules)
        return splash

    monkeypatch.setattr(startup, "show_splash", show)
    splash = startup.splash_while_importing([slow_module])
    try:
        assert seen == [False, False], "the window's modules were imported while the splash was built"
        assert slow_module in sys.modules  # then imported
    finally:
        splash.close()
