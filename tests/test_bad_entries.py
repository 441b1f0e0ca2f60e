"""Bad input at the edges of a local scan (issue 20, item 8): a named pipe called
``a.jpg``, link loops, a dangling link and files deleted during the scan each get
a reason (never a hang, never a silent skip), and Ctrl-C stops a scan within a
second, keeping what was done."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers.bad_entries import bad_folder, make_image

from facecurator.domain.files import read_regular_file
from facecurator.domain.images import decode_image
from facecurator.errors import ImageError, SourceError
from facecurator.services import jobs
from facecurator.services.catalog import Catalog
from facecurator.services.workers import CANCEL_GRACE
from facecurator.sources.local import LocalFolderSource

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and symlinks: POSIX only")


def test_listing_gives_every_bad_entry_a_problem(tmp_path: Path) -> None:
    expected = bad_folder(tmp_path)
    refs = {ref.name: ref for ref in LocalFolderSource(tmp_path).iter_images()}
    assert set(refs) == {"good.png", "person/p.png", *expected}
    assert refs["good.png"].problem is None and refs["person/p.png"].problem is None
    for name, reason in expected.items():
        assert reason in (refs[name].problem or ""), (name, refs[name].problem)
    assert "nowhere.jpg" in (refs["gone.jpg"].problem or "")  # names the missing target


def test_a_linked_folder_is_followed_once(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    make_image(elsewhere / "x.png")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(elsewhere)
    assert [(r.name, r.problem) for r in LocalFolderSource(root).iter_images()] == [("linked/x.png", None)]


def test_reading_a_named_pipe_fails_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "a.jpg"
    os.mkfifo(fifo)
    outcome: list[BaseException | bytes] = []

    def read() -> None:
        try:
            outcome.append(read_regular_file(fifo, SourceError))
        except BaseException as exc:  # noqa: BLE001 - the outcome is asserted below
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():
        with open(fifo, "wb"):  # unblock the reader before failing
            pass
        pytest.fail("reading a named pipe blocked")
    assert isinstance(outcome[0], SourceError) and "named pipe" in str(outcome[0])
    with pytest.raises(ImageError, match="named pipe"):
        decode_image(fifo)


def test_files_deleted_during_the_scan_are_reported(tmp_path: Path) -> None:
    for i in range(3):
        make_image(tmp_path / f"{i}.png", seed=i)
    source = LocalFolderSource(tmp_path)
    # Between the folder walk and the file's stat:
    listing = source.iter_images()
    first = next(listing)
    (tmp_path / "1.png").unlink()
    rest = list(listing)
    assert first.problem is None
    assert rest[0].name == "1.png"
    assert rest[0].problem == "cannot read file: it was deleted or moved (no such file)"
    # Between listing and reading:
    refs = list(LocalFolderSource(tmp_path).iter_images())
    (tmp_path / "2.png").unlink()
    with Catalog(tmp_path / "c.db") as catalog:
        report = jobs.scan(source, _NoFaces(), catalog, refs=refs, jobs=1)
        errors = dict(report.errors)
        assert report.ok == 1 and report.failed == 1
        assert "deleted or moved" in errors[str(tmp_path / "2.png")]


class _NoFaces:
    name = "nofaces"
    needs_bytes = True
    settings_key = "none"

    def detect(self, ref, data):  # type: ignore[no-untyped-def]
        from facecurator.domain.protocols import DetectionResult

        return DetectionResult([], 1, 1)

    def clone(self) -> _NoFaces:
        return self

    def close(self) -> None:
        pass


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facecurator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_scan_and_report_name_every_bad_entry(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    expected = bad_folder(root)
    catalog = str(tmp_path / "c.db")
    proc = _cli("scan", str(root), "--json", "--catalog", catalog, timeout=120)  # a hang fails here
    assert proc.returncode == 1, proc.stderr[-2000:]
    scanned = {image["name"]: image for image in json.loads(proc.stdout)["images"]}
    report_proc = _cli("report", "--json", "--catalog", catalog)
    reported = {image["name"]: image for image in json.loads(report_proc.stdout)["images"]}
    for images in (scanned, reported):
        assert images["good.png"]["status"] == "ok"
        for name, reason in expected.items():
            assert images[name]["status"] == "error" and reason in images[name]["error"], images[name]
    plain = _cli("scan", str(root), "--catalog", catalog)
    for name in expected:
        assert f"{root / name}: " in plain.stderr  # the human-readable run names them too


def test_ctrl_c_stops_a_scan_within_a_second_and_keeps_what_was_done(tmp_path: Path) -> None:
    root = tmp_path / "many"
    for i in range(150):
        make_image(root / f"{i:03d}.png", seed=i, size=(640, 480))
    catalog = tmp_path / "c.db"
    with subprocess.Popen(
        [sys.executable, "-m", "facecurator", "scan", str(root), "--catalog", str(catalog), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ) as proc:
        stored = 0
        while stored < 5:
            try:
                proc.wait(timeout=0.1)
                pytest.fail(f"the scan ended before it was interrupted: {proc.stderr.read()[-1000:]}")
            except subprocess.TimeoutExpired:
                stored = _stored(catalog)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    assert proc.returncode == 130, err[-2000:]
    assert took < 1.0, f"Ctrl-C took {took:.2f}s to stop the scan"
    assert "interrupted: the images above are stored" in err and "Traceback" not in err
    kept = _stored(catalog)
    assert stored <= kept < 150
    # The next scan resumes: what was stored is not detected again.
    proc2 = _cli("scan", str(root), "--json", "--catalog", str(catalog), timeout=300)
    assert json.loads(proc2.stdout)["scan"]["cached"] >= kept


def _stored(catalog: Path) -> int:
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True) as db:
            return int(db.execute("select count(*) from images where status = 'ok'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # schema not created yet


class _Hangs:
    """Detects the first images at once, then hangs (a stuck read, a dead connection)."""

    name = "hangs"
    needs_bytes = False
    settings_key = "hangs"

    def __init__(self, quick: int) -> None:
        self.quick = quick
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._calls = 0

    def detect(self, ref, data):  # type: ignore[no-untyped-def]
        from facecurator.domain.protocols import DetectionResult

        with self._lock:
            self._calls += 1
            hang = self._calls > self.quick
        if hang:
            self.release.wait(30)
        return DetectionResult([], 1, 1)

    def clone(self) -> _Hangs:
        return self

    def close(self) -> None:
        pass


def test_a_cancelled_scan_returns_promptly_even_when_a_detection_hangs(tmp_path: Path) -> None:
    for i in range(12):
        make_image(tmp_path / "img" / f"{i:02d}.png", seed=i)
    detector = _Hangs(quick=3)
    cancel = jobs.CancelToken()
    stored: list[str] = []

    def on_image(outcome) -> None:  # type: ignore[no-untyped-def]
        stored.append(outcome.ref.name)
        if len(stored) == 3:
            cancel.cancel()  # what Ctrl-C does (the CLI's handler) or the GUI's Cancel

    try:
        with Catalog(tmp_path / "c.db") as catalog:
            started = time.monotonic()
            report = jobs.scan(
                LocalFolderSource(tmp_path / "img"),
                detector,
                catalog,
                jobs=2,
                cancel=cancel,
                on_image=on_image,
            )
            took = time.monotonic() - started
            kept = [row.name for row in catalog.images() if row.status == "ok"]
    finally:
        detector.release.set()
    assert report.cancelled and report.ok == 3 and took < 1.0 + CANCEL_GRACE
    assert sorted(kept) == sorted(stored)
