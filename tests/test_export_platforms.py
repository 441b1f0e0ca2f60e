"""Other platforms' code paths, run here by forcing their branch (issue 20, item 7).

The atomic re-export swaps folders with Linux ``renameat2(RENAME_EXCHANGE)``;
macOS and Windows use two renames (DEST aside, staging in). That fallback is
run here with the platform switch turned off, including a real crash (the
process dies with ``os._exit``) between and after its steps; the Windows
branches (no folder fsync, leftovers judged by age instead of ``os.kill``) and
the per-OS keyring hints are run too.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.exports import make_item, no_leftovers, run_export, tree_digest

from facecurator.services.export import LocalPublisher
from facecurator.services.export import staging as export_staging

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

#: A child process: export to DEST with the non-Linux (two renames) path, and die
#: right after the given rename (a power cut / kill at that instant).
CHILD = r"""
import os, sys
from pathlib import Path
sys.path[:0] = [{tests!r}, {repo!r}]
from helpers.exports import make_item, run_export
from facecurator.services.export import staging
staging.ON_LINUX = False
dest, crash_after, image = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
real_rename = Path.rename
def rename(self, target):
    result = real_rename(self, target)
    moved_dest_aside = self == dest and ".fcx-old-" in Path(target).name
    moved_staging_in = ".fcx-staging-" in self.name and Path(target) == dest
    if (crash_after == "aside" and moved_dest_aside) or (crash_after == "in" and moved_staging_in):
        os._exit(9)
    return result
Path.rename = rename
run_export([make_item(image, group="new")], dest)
os._exit(0)
"""


def _export_and_crash(dest: Path, crash_after: str, image: Path) -> None:
    code = CHILD.format(tests=str(TESTS), repo=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", code, str(dest), crash_after, str(image)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 9, f"the export did not reach its crash point:\n{proc.stderr[-2000:]}"


def test_the_fallback_is_taken_when_the_platform_has_no_exchange(
    astronaut_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform switch itself (not a stub of the swap): two renames, nothing left over."""
    monkeypatch.setattr(export_staging, "ON_LINUX", False)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    assert export_staging._exchange_dirs(first, second) is False  # macOS / Windows
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="one")], dest)
    run_export([make_item(astronaut_png, group="two")], dest)
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["two"]
    no_leftovers(tmp_path, dest)


def test_a_crash_between_the_two_renames_keeps_the_previous_export(
    astronaut_png: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="previous")], dest)
    before = tree_digest(dest)
    _export_and_crash(dest, "aside", astronaut_png)
    # The instant of the crash: DEST is aside, the new tree is still in staging.
    assert not dest.exists()
    assert any(".fcx-old-" in p.name for p in tmp_path.iterdir())
    assert any(".fcx-staging-" in p.name for p in tmp_path.iterdir())
    # Whoever looks next (the next export's check) puts the previous export back...
    notes = LocalPublisher().check(str(dest))
    assert any("restored the previous export" in n for n in notes), notes
    assert tree_digest(dest) == before
    # ...and the next export completes and leaves nothing behind.
    summary = run_export([make_item(astronaut_png, group="next")], dest)
    assert any("staging folder of an interrupted export" in n for n in summary.notes), summary.notes
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["next"]
    no_leftovers(tmp_path, dest)


def test_a_crash_after_the_second_rename_keeps_the_new_export(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    run_export([make_item(astronaut_png, group="previous")], dest)
    _export_and_crash(dest, "in", astronaut_png)
    # The new export is in place; the old tree waits aside for removal.
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["new"]
    assert any(".fcx-old-" in p.name for p in tmp_path.iterdir())
    notes = LocalPublisher().check(str(dest))
    assert any("previous export left behind" in n for n in notes), notes
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["new"]
    no_leftovers(tmp_path, dest)


def test_windows_branches(astronaut_png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No folder fsync (Windows cannot open a folder), and a leftover of another process is
    judged by its age (``os.kill`` would terminate it there, not probe it)."""
    monkeypatch.setattr(export_staging, "ON_WINDOWS", True)
    monkeypatch.setattr(export_staging, "ON_LINUX", False)
    synced_folders: list[int] = []
    real_fsync = os.fsync

    def tracking_fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            synced_folders.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(export_staging.os, "fsync", tracking_fsync)
    killed: list[int] = []
    monkeypatch.setattr(export_staging.os, "kill", lambda pid, sig: killed.append(pid))
    dest = tmp_path / "out"
    prefix = export_staging.leftover_prefix(str(dest))
    alive_pid = 99_999_999  # not probed on Windows: its age decides
    recent = tmp_path / f"{prefix}staging-{alive_pid}-young"
    stale = tmp_path / f"{prefix}staging-{alive_pid}-stale"
    recent.mkdir(), stale.mkdir()
    old_enough = time.time() - export_staging._STALE_AFTER_S - 60
    os.utime(stale, (old_enough, old_enough))
    run_export([make_item(astronaut_png, group="one")], dest)
    run_export([make_item(astronaut_png, group="two")], dest)
    assert synced_folders == [] and killed == []
    assert recent.is_dir() and not stale.exists()
    assert sorted(p.name for p in (dest / "faces").iterdir()) == ["two"]


@pytest.mark.parametrize(
    ("platform", "hint"),
    [
        ("linux", "Secret Service"),
        ("darwin", "login Keychain"),
        ("win32", "Windows Credential Manager"),
        ("freebsd14", "keyring backend"),
    ],
)
def test_keyring_hint_per_platform(platform: str, hint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from facecurator.cloud import credentials

    monkeypatch.setattr(credentials.sys, "platform", platform)
    message = credentials._no_backend_message()
    assert hint in message and "ALIBABA_CLOUD_ACCESS_KEY_ID" in message


def test_resources_come_from_the_bundle_when_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PyInstaller branch (``sys._MEIPASS``), which only a built bundle takes otherwise."""
    from facecurator import paths

    checkout = paths.resources_dir()
    assert (checkout / "presets").is_dir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "facecurator" / "resources"
    assert (
        paths.resource_path("presets", "x.toml")
        == tmp_path / "facecurator" / "resources" / "presets" / "x.toml"
    )
