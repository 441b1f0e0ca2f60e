"""Detection runs from the window: progress, failures listed, cancel, a responsive event loop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.heap import app_like_heap
from helpers.idle_floor import IdleFloor

from facecurator.gui.latency import EventLoopMonitor

#: The acceptance bound: the window must take input within this while scanning (over an
#: idle Qt app's gaps measured beside it).
MAX_EVENT_LOOP_GAP = 0.100


@pytest.fixture
def big_folder(tmp_path: Path, photo_dir: Path) -> Path:
    """Enough images that a scan takes long enough to cancel (copies under new names)."""
    root = tmp_path / "many"
    images = [p for p in sorted(photo_dir.rglob("*")) if p.is_file() and p.stat().st_size > 0]
    for copy in range(6):
        for image in images:
            target = root / f"set{copy}" / image.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(image, target)
    return root


def test_scan_from_the_window_streams_results_and_lists_failures(
    qtbot, make_window, tmp_path: Path, photo_dir: Path
) -> None:
    window = make_window(tmp_path / "fresh.sqlite3")
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    assert window.gallery_model.rowCount() == 0
    progress: list[object] = []
    window.scanner.progress.connect(progress.append)
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000) as finished:
        assert window.start_scan("local", jobs=2)
        assert window.scan_status.isVisible()
        assert not window.scan_action.isEnabled()
    report = finished.args[0]
    files = [p for p in photo_dir.rglob("*") if p.is_file()]
    assert report.total == len(files) and not report.cancelled
    assert progress and progress[-1].done == len(files) and progress[-1].total == len(files)
    assert "images" in window.scan_status.label.text() and "/s" in window.scan_status.label.text()
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=10_000)
    assert not window.scan_status.isVisible()
    # Images streamed into the gallery and the triage grid as they were recorded.
    assert window.gallery_model.rowCount() == len(files)
    assert window.triage.model.rowCount() == len(window.store.face_ids()) > 0
    # Broken files are listed with their reasons, and logged.
    failed = window.problems.image_ids()
    assert len(failed) == report.failed >= 1
    assert any("empty" in window.problems.list.item(i).text() for i in range(window.problems.list.count()))


def test_opening_a_folder_starts_the_local_scan_by_itself(
    qtbot, make_window, tmp_path: Path, photo_dir: Path
) -> None:
    """Auto-scan on open (the default): the scan starts once the source is listed, while its
    verdicts are still being stored, and detects the folder's images."""
    window = make_window(tmp_path / "fresh.sqlite3", auto_scan=True)
    with qtbot.waitSignal(window.scanner.finished, timeout=60_000) as finished:
        assert window.open_source(str(photo_dir))
    files = [p for p in photo_dir.rglob("*") if p.is_file()]
    assert finished.args[0].total == len(files)
    qtbot.waitUntil(lambda: window.gallery_model.rowCount() == len(files), timeout=10_000)
    faces = window.store.counts()["faces"]
    assert faces > 0
    # the status bar counts the faces the scan found (the images were listed before, faceless)
    qtbot.waitUntil(lambda: f" {faces} faces" in window.counts_label.text(), timeout=10_000)


def test_progress_knows_the_total_before_the_scan_lists_the_last_image(photo_dir: Path) -> None:
    """The folder is listed before detection, so the bar is determinate from the first images."""
    import pytest

    from facecurator.gui.scan import ScanWorker
    from facecurator.services.jobs import ScanProgress

    worker = ScanWorker(str(photo_dir), "local", str(photo_dir / "unused.sqlite3"))
    files = [p for p in photo_dir.rglob("*") if p.is_file()]
    listed: list[tuple[str, list[int]]] = []
    worker.imagesListed.connect(lambda root, ids: listed.append((root, ids)))
    worker._on_listed([1, 2], len(files))  # what scan(on_listed=...) reports before detecting
    assert [ids for _root, ids in listed] == [[1, 2]]
    sent: list[ScanProgress] = []
    worker.progress.connect(sent.append)
    worker._on_progress(ScanProgress(1, None, 0, 0, 2.0, None, "first.jpg"))
    worker._flush()
    assert sent[-1].total == len(files)
    assert sent[-1].eta == pytest.approx((len(files) - 1) / 2.0)


def test_event_loop_stays_responsive_while_scanning_the_corpus(
    qtbot, make_window, tmp_path: Path, corpus_dir: Path
) -> None:
    """The acceptance measure: a 10 ms timer never waits 100 ms during a corpus scan.

    On a machine busy with other work the OS alone delays an idle event loop: the
    window's longest gap may exceed that of an idle Qt app measured side by side, over
    the same seconds (helpers/idle_floor.py), by at most 100 ms (the founders' bar).
    99% of the ticks must be on time regardless.
    """
    window = make_window(tmp_path / "fresh.sqlite3")
    assert window.open_source(str(corpus_dir), scan=False)
    assert window.store.wait_until_idle()
    monitor = EventLoopMonitor(interval_ms=10)
    with app_like_heap(), IdleFloor() as floor:
        monitor.start()
        with qtbot.waitSignal(window.scanner.finished, timeout=180_000) as finished:
            assert window.start_scan("local")
        monitor.stop()
    report = finished.args[0]
    assert report.total >= 50 and report.failed >= 4  # the corpus's bad/ files
    assert monitor.ticks > 100
    worst = [round(gap * 1000) for gap in sorted(monitor.gaps)[-5:]]
    detail = f"worst gaps {worst} ms, an idle Qt app beside it {floor.max_gap * 1000:.0f} ms"
    assert monitor.percentile(0.99) < MAX_EVENT_LOOP_GAP, detail
    assert monitor.max_gap <= floor.max_gap + MAX_EVENT_LOOP_GAP, detail


def test_a_listed_image_shows_its_thumbnail_before_the_scan_reads_it(
    qtbot, make_window, tmp_path: Path, photo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new folder's thumbnails are decoded as soon as it is listed, while the detector is
    still loading (the scan reads no image meanwhile): they do not wait for the scan."""
    import threading

    import facecurator.gui.scan as scan_module

    loaded = threading.Event()
    real = scan_module.make_scan_detector

    def slow_to_load(*args: object, **kwargs: object) -> object:
        loaded.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, "make_scan_detector", slow_to_load)
    folder = tmp_path / "new"
    folder.mkdir()
    good = next(p for p in sorted(photo_dir.rglob("*.jpg")) if p.stat().st_size > 0)
    shutil.copy2(good, folder / "a_good.jpg")
    (folder / "b_empty.jpg").write_bytes(b"")
    window = make_window(tmp_path / "fresh.sqlite3")
    ready: list[str] = []
    failed: list[str] = []
    window.thumbnails.ready.connect(ready.append)
    window.thumbnails.failed.connect(lambda key, _why: failed.append(key))
    try:
        assert window.open_source(str(folder), scan=True)
        qtbot.waitUntil(lambda: bool(ready) and bool(failed), timeout=30_000)
        assert window.scanner.running and not loaded.is_set()
        shown = window.gallery_model.ids()
        assert len(shown) == 2 and {window.store.image(i).row.status for i in shown} == {"listed"}
        # the bad file's thumbnail fails: the scan will list why, no notice meanwhile
        assert not any("Cannot show" in notice.text for notice in window.notifier.history)
    finally:
        loaded.set()
    window.cancel_action.trigger()
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=60_000)


def test_error_patterns_are_compiled_once_the_window_is_built(qtbot, make_window, tmp_path: Path) -> None:
    """The first failure shown (a bad file's thumbnail as a scan begins) parses its message with
    every template's pattern: they are compiled on a thread once the window is built, not by
    the GUI thread then (~60 ms of Python, more under load)."""
    from facecurator.gui import core_errors

    for messages, _english, _nested in core_errors._SETS:
        messages.__dict__.pop("_patterns", None)  # as in a fresh process
    make_window(tmp_path / "fresh.sqlite3")
    qtbot.waitUntil(
        lambda: all("_patterns" in m.__dict__ for m, _english, _nested in core_errors._SETS), timeout=30_000
    )


def test_cancel_a_scan(qtbot, make_window, tmp_path: Path, big_folder: Path) -> None:
    window = make_window(tmp_path / "fresh.sqlite3")
    assert window.open_source(str(big_folder), scan=False)
    assert window.store.wait_until_idle()
    total = sum(1 for p in big_folder.rglob("*") if p.is_file())
    order: list[str] = []
    window.scanner.imagesListed.connect(lambda _root, ids: order.append(f"listed {len(ids)}"))
    window.scanner.imagesDone.connect(lambda ids: order.append("done"))
    with qtbot.waitSignal(window.scanner.progress, timeout=60_000):
        assert window.start_scan("local", jobs=2)
    with qtbot.waitSignal(window.scanner.finished, timeout=60_000) as finished:
        window.cancel_action.trigger()
    report = finished.args[0]
    assert report.cancelled
    assert report.total < total
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=10_000)
    assert window.scan_action.isEnabled()
    assert any("cancelled" in notice.text for notice in window.notifier.history)
    # Every image was listed (and shown) before the first one was detected; what was
    # scanned is read, the rest stays "listed" (not read yet); a new run resumes from the cache.
    assert order[0] == f"listed {total}" and "done" in order
    assert window.gallery_model.rowCount() == total
    statuses = [window.store.image(i).row.status for i in window.gallery_model.ids()]
    assert statuses.count("listed") == total - report.total
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000) as resumed:
        window.start_scan("local", jobs=2)
    assert resumed.args[0].cached >= report.ok
    assert resumed.args[0].total == total


def test_scan_failure_is_reported_not_raised(qtbot, make_window, tmp_path: Path, photo_dir: Path) -> None:
    window = make_window(tmp_path / "fresh.sqlite3")
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    window.store.source_root = str(tmp_path / "vanished")  # the folder disappears before the run
    with qtbot.waitSignal(window.scanner.failed, timeout=30_000) as failed:
        window.start_scan("local")
    assert "vanished" in failed.args[0]
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=10_000)
    assert any("Detection failed" in n.text and "vanished" in n.text for n in window.notifier.history)
    assert "vanished" in window.statusBar().currentMessage()


def test_detector_choice_follows_the_source_and_paid_runs_ask_first(
    qtbot, make_window, catalog_path: Path, photo_dir: Path, monkeypatch
) -> None:
    window = make_window(catalog_path)
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    combo = window.detector_combo
    model = combo.model()
    states = {combo.itemData(row): model.item(row).isEnabled() for row in range(combo.count())}
    assert states["local"] and not states["oss-faces"] and not states["imm"]
    assert "OSS" in model.item(combo.findData("imm")).toolTip()
    asked: list[str] = []
    # Paid runs are priced first (listing only: no cloud call), then confirmed.
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tNeverUsedInThisTest")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "never-sent-anywhere")
    from facecurator.gui.cost_dialog import CostConfirmDialog

    monkeypatch.setattr(
        CostConfirmDialog,
        "ask",
        classmethod(lambda cls, question, parent, answer: (asked.append(question.detector), answer(False))),
    )
    with qtbot.waitSignal(window.paid_run.finished, timeout=10_000) as ended:
        assert window.start_scan("green")  # priced on a worker, then asked: no nested event loop
        assert window.paid_run.busy and not window.scan_action.isEnabled() and asked == []
        assert not window.start_scan("green")  # one estimate at a time
    assert ended.args == [False]  # the operator said no: nothing is sent
    assert asked == ["green"] and not window.scanner.running and window.scan_action.isEnabled()
    # Cancelling the estimate ends it at once: nothing is asked or started.
    with qtbot.waitSignal(window.paid_run.finished, timeout=10_000) as ended:
        assert window.start_scan("green")
        window.paid_run.cancel()
    assert ended.args == [False] and asked == ["green"] and not window.paid_run.busy
    assert window.statusBar().currentMessage() == "Cost estimate cancelled"
    assert not window.start_scan("imm")  # cannot read a local folder: refused with a reason, not asked
    assert asked == ["green"]
    assert "OSS" in window.notifier.history[-1].text


def test_the_cost_dialog_answers_through_a_callback_without_waiting(qtbot) -> None:
    """``CostConfirmDialog.ask`` opens the dialog and returns; the answer comes when it closes."""
    from PySide6.QtWidgets import QWidget

    from facecurator.cloud.cost import estimate
    from facecurator.gui.cost_dialog import CostConfirmDialog
    from facecurator.gui.scan import CostQuestion

    parent = QWidget()
    qtbot.addWidget(parent)
    question = CostQuestion("green", "oss://b/p/", None, 3, 2, estimate("green", 2), ())
    for accept, expected in ((True, [True]), (False, [False])):
        answers: list[bool] = []
        CostConfirmDialog.ask(question, parent, answers.append)
        dialog = parent.findChild(CostConfirmDialog)
        assert dialog is not None and dialog.isVisible() and answers == []  # returned while it is open
        if accept:
            dialog.start_button.click()
        else:
            dialog.reject()
        assert answers == expected
        qtbot.waitUntil(lambda: parent.findChild(CostConfirmDialog) is None, timeout=5_000)  # deleted


def test_a_new_folder_opened_to_scan_is_listed_then_detected(
    qtbot, make_window, tmp_path: Path, photo_dir: Path
) -> None:
    """Opening a new folder starts its scan as soon as its ids are listed (not after its
    verdicts): every image shows before the first is detected, and the scan ends on all."""
    window = make_window(tmp_path / "fresh.sqlite3")
    files = [p for p in photo_dir.rglob("*") if p.is_file()]
    listed: list[int] = []
    window.scanner.imagesListed.connect(lambda _root, ids: listed.extend(ids))
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000) as finished:
        assert window.open_source(str(photo_dir), scan=True)
    assert not any("Wait until" in notice.text for notice in window.notifier.history)
    assert len(listed) == len(files) == finished.args[0].total
    qtbot.waitUntil(lambda: window.gallery_model.rowCount() == len(files), timeout=10_000)
    assert {window.store.image(i).row.status for i in window.gallery_model.ids()} <= {"ok", "error"}
