"""Batch scanning with the real local detector: progress, cancel, resume, isolation."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from facecurator.detect.local import LocalDetector
from facecurator.domain.protocols import DetectionResult, ImageRef, content_identity
from facecurator.errors import SourceError
from facecurator.services.catalog import Catalog
from facecurator.services.jobs import CancelToken, ImageOutcome, ScanProgress, list_source, plan, scan
from facecurator.sources.local import LocalFolderSource


@pytest.fixture
def gallery(tmp_path: Path, astronaut_png: Path) -> Path:
    """Two people, a broken file, a non-image file and a nested folder."""
    root = tmp_path / "gallery"
    for person, count in (("alice", 3), ("bob", 2)):
        folder = root / person
        folder.mkdir(parents=True)
        for i in range(count):
            _distinct_copy(astronaut_png, folder / f"img{i}.png", tag=f"{person}{i}")
    (root / "bob" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / "bob" / "notes.txt").write_text("hello", encoding="utf-8")
    (root / ".hidden").mkdir()
    shutil.copy(astronaut_png, root / ".hidden" / "skip.png")
    return root


def _distinct_copy(original: Path, target: Path, *, tag: str) -> None:
    """The same photo with different bytes (a PNG text chunk): byte-identical copies
    share one detection (tests/test_identity_cache.py), these are separate images."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("tag", tag)
    with Image.open(original) as image:
        image.save(target, pnginfo=info)


class CountingDetector:
    """The real local detector, counting calls (not a stand-in: it detects)."""

    name = "local"
    needs_bytes = True

    def __init__(self, calls: list[str] | None = None, inner: LocalDetector | None = None) -> None:
        self.calls = calls if calls is not None else []
        self.inner = inner or LocalDetector()
        self._lock = threading.Lock()

    @property
    def settings_key(self) -> str:
        return self.inner.settings_key

    def detect(self, ref: ImageRef, data: bytes | None) -> DetectionResult:
        with self._lock:
            self.calls.append(ref.name)
        return self.inner.detect(ref, data)

    def clone(self) -> CountingDetector:
        return CountingDetector(self.calls, self.inner.clone())

    def close(self) -> None:
        self.inner.close()


def test_local_source_order_groups_and_identity(gallery: Path) -> None:
    source = LocalFolderSource(gallery)
    refs = list(source.iter_images())
    names = [ref.name for ref in refs]
    assert names == sorted(names)
    assert "alice/img0.png" in names and "bob/notes.txt" in names
    assert not any(".hidden" in name for name in names)
    assert {ref.group for ref in refs} == {"alice", "bob"}
    ref = refs[0]
    identity = content_identity(ref, source.read_bytes(ref))
    assert identity.startswith(f"{ref.size}:{ref.mtime_ns}:") and len(identity.split(":")[2]) == 64
    with pytest.raises(SourceError, match="no such file or folder"):
        LocalFolderSource(gallery / "nope")
    top = gallery / "top.png"
    shutil.copy(gallery / "alice" / "img0.png", top)
    assert next(r for r in LocalFolderSource(gallery).iter_images() if r.name == "top.png").group == "gallery"


def test_scan_progress_failures_and_resume(gallery: Path, tmp_path: Path) -> None:
    calls: list[str] = []
    progress: list[ScanProgress] = []
    outcomes: list[ImageOutcome] = []
    with Catalog(tmp_path / "c.db") as catalog:
        report = scan(
            LocalFolderSource(gallery),
            CountingDetector(calls),
            catalog,
            jobs=2,
            progress=progress.append,
            on_image=outcomes.append,
        )
        assert report.total == 7 and report.ok == 5 and report.failed == 2 and report.detected == 5
        errors = dict(report.errors)
        assert "not a supported image type .txt" in errors[str(gallery / "bob" / "notes.txt")]
        assert "broken.jpg" in errors[str(gallery / "bob" / "broken.jpg")]
        assert sorted(calls) == sorted(
            [
                "alice/img0.png",
                "alice/img1.png",
                "alice/img2.png",
                "bob/broken.jpg",
                "bob/img0.png",
                "bob/img1.png",
            ]
        )
        assert [p.done for p in progress] == list(range(1, 8))
        assert progress[-1].total == 7 and progress[-1].failed == 2
        assert len(outcomes) == 7
        faces = catalog.faces()
        assert len(faces) == 5 and all(
            len(catalog.faces(image_ids=[o.image_id])) == 1 for o in outcomes if o.status == "ok"
        )

        # Resume: nothing detected again; a changed file is.
        calls.clear()
        again = scan(LocalFolderSource(gallery), CountingDetector(calls), catalog, jobs=2)
        assert again.detected == 0 and again.cached == 5 and calls == ["bob/broken.jpg"]
        touched = gallery / "alice" / "img1.png"
        os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
        calls.clear()
        # A new mtime on the same bytes is a new identity but not new content: no call.
        assert scan(LocalFolderSource(gallery), CountingDetector(calls), catalog, jobs=2).detected == 0
        assert calls == ["bob/broken.jpg"]
        _distinct_copy(touched, touched, tag="edited")  # new content
        os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 2 * 10**9))
        calls.clear()
        third = scan(LocalFolderSource(gallery), CountingDetector(calls), catalog, jobs=2)
        assert sorted(calls) == ["alice/img1.png", "bob/broken.jpg"]
        assert third.detected == 1
        assert plan(LocalFolderSource(gallery), CountingDetector(), catalog).to_detect == 1  # broken.jpg


def test_decisions_survive_a_rescan_and_deleted_images_disappear(gallery: Path, tmp_path: Path) -> None:
    with Catalog(tmp_path / "c.db") as catalog:
        scan(LocalFolderSource(gallery), LocalDetector(), catalog, jobs=1)
        face = catalog.faces()[0]
        catalog.decide([face.id], "accepted")
        scan(LocalFolderSource(gallery), LocalDetector(), catalog, jobs=1)
        assert catalog.face(face.id).decision.state == "accepted"
        (gallery / "alice" / "img2.png").unlink()
        scan(LocalFolderSource(gallery), LocalDetector(), catalog, jobs=1)
        assert str(gallery / "alice" / "img2.png") not in {row.uri for row in catalog.images()}


def test_cancel_stops_and_keeps_what_was_done(gallery: Path, tmp_path: Path) -> None:
    for i in range(8):
        shutil.copy(gallery / "alice" / "img0.png", gallery / "alice" / f"extra{i}.png")
    cancel = CancelToken()

    def on_image(outcome: ImageOutcome) -> None:
        cancel.cancel()  # after the first finished image

    with Catalog(tmp_path / "c.db") as catalog:
        report = scan(
            LocalFolderSource(gallery), LocalDetector(), catalog, jobs=2, on_image=on_image, cancel=cancel
        )
        assert report.cancelled
        assert 1 <= report.total < 15
        stored = len(catalog.images())
        assert stored == report.total, "everything finished before the cancel is stored"
        resumed = scan(LocalFolderSource(gallery), LocalDetector(), catalog, jobs=2)
        assert resumed.cached >= report.ok
        assert resumed.total == 15


def test_a_detector_crash_is_isolated(gallery: Path, tmp_path: Path) -> None:
    class Exploding(CountingDetector):
        def detect(self, ref: ImageRef, data: bytes | None) -> DetectionResult:
            if ref.name == "alice/img1.png":
                raise RuntimeError("boom")
            return super().detect(ref, data)

        def clone(self) -> Exploding:
            return Exploding(self.calls, self.inner.clone())

    with Catalog(tmp_path / "c.db") as catalog:
        report = scan(LocalFolderSource(gallery), Exploding(), catalog, jobs=2)
    errors = dict(report.errors)
    assert "internal error: RuntimeError: boom" in errors[str(gallery / "alice" / "img1.png")]
    assert report.ok == 4


def test_a_folder_is_listed_before_anything_is_detected(gallery: Path, tmp_path: Path) -> None:
    """list_source(): every image recorded as ``listed`` before the first detection, under the
    id it keeps once read; scan(complete=True) then knows the total from the first progress."""
    source = LocalFolderSource(gallery)
    calls: list[str] = []
    totals: list[int | None] = []
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        refs, ids = list_source(source, catalog)
        assert len(ids) == len(refs) and not calls
        assert {row.status for row in catalog.images(source_root=source.root)} == {"listed"}
        report = scan(
            source,
            CountingDetector(calls),
            catalog,
            jobs=2,
            refs=refs,
            complete=True,
            prepared=True,
            progress=lambda p: totals.append(p.total),
        )
        assert report.total == len(refs) and totals and all(t == len(refs) for t in totals)
        rows = catalog.images(source_root=source.root)
        assert sorted(row.id for row in rows) == sorted(ids)  # the same ids, now read
        assert {row.status for row in rows} == {"ok", "error"}
        # Listing again records nothing new: the catalog knows them all.
        assert list_source(source, catalog)[1] == []


def test_a_folder_s_first_screenful_is_recorded_and_announced_before_the_rest(
    gallery: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """list_source(on_first=): the first FIRST_LISTED images are recorded (committed: a view
    reads them) and announced while the rest is not listed yet; the ids come back in order."""
    import facecurator.services.jobs as jobs

    monkeypatch.setattr(jobs, "FIRST_LISTED", 2)
    source = LocalFolderSource(gallery)
    seen: list[tuple[list[int], int]] = []
    with Catalog(tmp_path / "c.sqlite3") as catalog, Catalog(tmp_path / "c.sqlite3") as viewer:

        def on_first(ids: list[int]) -> None:
            seen.append((list(ids), len(viewer.images(source_root=source.root, status="listed"))))

        refs, ids = list_source(source, catalog, on_first=on_first)
    assert len(refs) > 2 and len(ids) == len(refs)
    assert seen == [(ids[:2], 2)]  # only the first two were recorded when they were announced
