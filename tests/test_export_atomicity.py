"""Export atomicity: a re-export replaces the previous one whole (atomic exchange on
Linux, two renames elsewhere), failures and crashes leave it intact or are recovered,
a foreign destination is refused, cancel publishes nothing."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from helpers.exports import (
    make_item,
    no_leftovers,
    run_export,
    tree_digest,
)

from facecurator.errors import CancelledError, ExportError
from facecurator.services.export import (
    LocalPublisher,
)
from facecurator.services.export import staging as export_staging

# --------------------------------------------------------------------------- atomicity


def test_reexport_replaces_the_previous_export(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="old-person")], dest)
    assert (dest / "faces" / "old-person" / "astronaut.jpg").is_file()
    summary = run_export([make_item(astronaut_png, group="new-person")], dest, margin=0.2)
    assert summary.exported == 1
    assert not (dest / "faces" / "old-person").exists()
    assert (dest / "faces" / "new-person" / "astronaut.jpg").is_file()
    assert json.loads((dest / "manifest.json").read_text("utf-8"))["margin"] == 0.2
    no_leftovers(tmp_path, dest)


def test_reexport_without_atomic_exchange(
    astronaut_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS / Windows path: two renames, then the old tree is removed."""
    monkeypatch.setattr(export_staging, "_exchange_dirs", lambda a, b: False)
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="one")], dest)
    run_export([make_item(astronaut_png, group="two")], dest)
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["two"]
    no_leftovers(tmp_path, dest)


def test_exchange_is_used_on_linux(astronaut_png: Path, tmp_path: Path) -> None:
    if not os.sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux-only")
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "one").write_text("1"), (second / "two").write_text("2")
    assert export_staging._exchange_dirs(first, second) is True
    assert (first / "two").exists() and (second / "one").exists()


def test_write_failure_mid_export_leaves_previous_export_intact(
    astronaut_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "out"
    items = [make_item(astronaut_png, uri=f"mem://{i}", name=f"p{i}.png", group="g") for i in range(5)]
    run_export(items[:1], dest)
    before = tree_digest(dest)

    real_fsync, calls = os.fsync, []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(ExportError, match="No space left on device"):
        run_export(items, dest, read_bytes=lambda _i: astronaut_png.read_bytes())
    monkeypatch.undo()
    assert tree_digest(dest) == before
    no_leftovers(tmp_path, dest)


def test_publisher_failure_leaves_previous_export_intact(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png)], dest)
    before = tree_digest(dest)

    class BrokenPublisher(LocalPublisher):
        def publish(self, staging_dir: Path, dest: str) -> None:
            assert (staging_dir / "manifest.json").is_file()  # a complete tree was staged
            raise ExportError(f"{dest}: simulated failure")

    with pytest.raises(ExportError, match="simulated failure"):
        run_export([make_item(astronaut_png, group="other")], dest, publisher=BrokenPublisher())
    assert tree_digest(dest) == before
    no_leftovers(tmp_path, dest)


def test_failed_second_rename_rolls_back(
    astronaut_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_staging, "_exchange_dirs", lambda a, b: False)
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png)], dest)
    before = tree_digest(dest)
    real_rename = Path.rename

    def rename(self: Path, target):  # the staging -> DEST rename fails (e.g. a virus scanner)
        if ".fcx-staging-" in self.name and Path(target) == dest:
            raise OSError(errno.EACCES, "Permission denied")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(ExportError, match="Permission denied"):
        run_export([make_item(astronaut_png, group="other")], dest)
    monkeypatch.undo()
    assert tree_digest(dest) == before
    no_leftovers(tmp_path, dest)


def test_leftovers_of_a_crash_are_recovered(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="previous")], dest)
    prefix = export_staging.leftover_prefix(str(dest))
    dead_pid = 99_999_999  # above any kernel's pid_max: that process cannot exist
    # A crash between "DEST aside" and "staging in": DEST is missing, the old export is aside,
    # and a half-written staging folder is left.
    old = tmp_path / f"{prefix}old-{dead_pid}-abcd1234"
    dest.rename(old)
    staging = tmp_path / f"{prefix}staging-{dead_pid}-x1y2"
    (staging / "faces" / "half").mkdir(parents=True)
    (staging / "faces" / "half" / "partial.jpg").write_bytes(b"\xff\xd8 half")

    # Before the next export, DEST is back to the previous export...
    notes = LocalPublisher().check(str(dest))
    assert any("restored" in n for n in notes)
    assert (dest / "faces" / "previous" / "astronaut.jpg").is_file()
    # ...and the next export cleans the staging leftover and replaces DEST.
    dest.rename(old)
    summary = run_export([make_item(astronaut_png, group="next")], dest)
    assert any("restored" in n for n in summary.notes)
    assert any("staging folder of an interrupted export" in n for n in summary.notes)
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["next"]
    no_leftovers(tmp_path, dest)


def test_a_live_exports_staging_folder_is_left_alone(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    prefix = export_staging.leftover_prefix(str(dest))
    other = tmp_path / f"{prefix}staging-{os.getppid()}-busy"  # our parent process is alive
    other.mkdir()
    summary = run_export([make_item(astronaut_png)], dest)
    assert other.is_dir()
    assert any("left" in n and "alone" in n for n in summary.notes)


def test_refuses_a_foreign_destination(astronaut_png: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"precious")
    reads: list[int] = []
    with pytest.raises(ExportError, match="not a facecurator export"):
        run_export([make_item(astronaut_png)], foreign, read_bytes=lambda i: reads.append(i.face_id) or b"")
    assert reads == []  # refused before any image was read
    assert (foreign / "thesis.docx").read_bytes() == b"precious"
    assert sorted(p.name for p in foreign.iterdir()) == ["thesis.docx"]

    other_tool = tmp_path / "other"
    other_tool.mkdir()
    (other_tool / "manifest.json").write_text('{"schema_version": 1, "tool": {"name": "other"}}')
    with pytest.raises(ExportError, match="not a facecurator export"):
        run_export([make_item(astronaut_png)], other_tool)

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        run_export([make_item(astronaut_png)], a_file)
    assert a_file.read_text() == "x"

    mounted = tmp_path / "usb"
    mounted.mkdir()
    real_ismount = os.path.ismount
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os.path, "ismount", lambda p: Path(p) == mounted or real_ismount(p))
        with pytest.raises(ExportError, match="mount point"):
            run_export([make_item(astronaut_png)], mounted)

    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_export([make_item(astronaut_png)], empty).exported == 1
    no_leftovers(tmp_path, empty)


def test_cancel_publishes_nothing(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="kept")], dest)
    before = tree_digest(dest)
    items = [make_item(astronaut_png, uri=f"mem://{i}", group="g") for i in range(6)]
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    with pytest.raises(CancelledError):
        run_export(
            items,
            dest,
            read_bytes=lambda _i: astronaut_png.read_bytes(),
            progress=progress,
            cancel=lambda: len(seen) >= 2,
        )
    assert tree_digest(dest) == before
    no_leftovers(tmp_path, dest)
    with pytest.raises(CancelledError):
        run_export(items, tmp_path / "fresh", cancel=lambda: True, read_bytes=lambda _i: b"")
    assert not (tmp_path / "fresh").exists()
