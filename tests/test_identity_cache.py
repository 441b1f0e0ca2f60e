"""One result per image identity: a copy of a local image is never detected (paid) twice
(issue 20, item 2), counted at the service by the emulator's billable counter."""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import os
import shutil
from pathlib import Path

from emulator import CloudEmulator, cloud_emulator, cloud_profile, make_test_image  # noqa: F401

from facecurator.detect.registry import make_detector
from facecurator.services import jobs
from facecurator.services.catalog import Catalog
from facecurator.sources.local import LocalFolderSource


def _scan(root: Path, profile: str, catalog: Catalog) -> jobs.ScanReport:
    return jobs.scan(LocalFolderSource(root), make_detector("green", profile=profile), catalog, jobs=4)


def test_copies_in_one_batch_are_detected_once(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, catalog_target: str
) -> None:
    root = tmp_path / "photos"
    (root / "alice").mkdir(parents=True)
    original = root / "alice" / "a.jpg"
    original.write_bytes(make_test_image(seed=1))
    for i in range(5):  # byte-identical copies, same size and mtime: the same identity
        (root / f"copy{i}").mkdir()
        shutil.copy2(original, root / f"copy{i}" / "a.jpg")
    (root / "alice" / "other.jpg").write_bytes(make_test_image(seed=2))
    with Catalog(catalog_target) as catalog:
        report = _scan(root, cloud_profile, catalog)
        assert report.ok == 7 and report.failed == 0
        assert cloud_emulator.billable["green"] == 2  # one per distinct image
        assert report.paid_calls == 2 and report.cached == 5
        # Every copy shows the faces (its own face rows and decisions, one stored detection).
        assert len({row.image_id for row in catalog.faces()}) == 7


def test_a_moved_image_is_not_detected_again(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, catalog_target: str
) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    (root / "a.jpg").write_bytes(make_test_image(seed=3))
    with Catalog(catalog_target) as catalog:
        _scan(root, cloud_profile, catalog)
        assert cloud_emulator.billable["green"] == 1
        (root / "bob").mkdir()
        (root / "a.jpg").rename(root / "bob" / "a.jpg")  # sorted into a person folder (mtime kept)
        report = _scan(root, cloud_profile, catalog)
        assert report.ok == 1 and report.cached == 1 and report.paid_calls == 0
        assert cloud_emulator.billable["green"] == 1


def test_a_plain_copy_with_a_new_mtime_is_not_paid_again(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, catalog_target: str
) -> None:
    """``cp`` without -p gives the copy a new mtime, so a new identity (the contract's
    size + mtime + hash), but the same bytes: stored again from the cache, never paid."""
    root = tmp_path / "photos"
    (root / "alice").mkdir(parents=True)
    original = root / "alice" / "a.jpg"
    original.write_bytes(make_test_image(seed=4))
    with Catalog(catalog_target) as catalog:
        _scan(root, cloud_profile, catalog)
        assert cloud_emulator.billable["green"] == 1
        (root / "bob").mkdir()
        copy = root / "bob" / "a.jpg"
        shutil.copyfile(original, copy)
        stat = original.stat()
        os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # surely another mtime
        (root / "bob" / "b.jpg").write_bytes(make_test_image(seed=5))  # and one new image
        report = _scan(root, cloud_profile, catalog)
        assert report.ok == 3 and report.failed == 0
        assert cloud_emulator.billable["green"] == 2  # only the new image was paid for
        assert report.paid_calls == 1
        rows = {row.uri: row for row in catalog.images()}
        copied = rows[str(copy)]
        assert copied.identity != rows[str(original)].identity  # its own identity...
        faces_original = [f.face for f in catalog.faces(image_ids=[rows[str(original)].id])]
        faces_copy = [f.face for f in catalog.faces(image_ids=[copied.id])]
        assert faces_copy == faces_original and faces_copy  # ...and the same faces
        # A third scan finds the copy by path: nothing detected, nothing paid.
        again = _scan(root, cloud_profile, catalog)
        assert again.cached == 3 and again.paid_calls == 0
        assert cloud_emulator.billable["green"] == 2
