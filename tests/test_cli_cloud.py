"""The command line against the loopback cloud emulator: what an operator types.

Each command runs as a subprocess (the real CLI, the real SDKs, HTTP to 127.0.0.1).
"""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
    use_emulator_profile,
)


def cli(*args: str, check: int | None = 0, stdin: str | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "facecurator", *args],
        capture_output=True,
        text=True,
        timeout=180,
        input=stdin,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if check is not None:
        assert proc.returncode == check, (
            f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return proc


def _fill_bucket(emu: CloudEmulator, count: int = 6) -> list[str]:
    keys = [f"gallery/person{i % 2}/photo{i}.jpg" for i in range(count)]
    for i, key in enumerate(keys):
        emu.put_object(BUCKET, key, make_test_image(640, 480, seed=i))
    emu.put_object(BUCKET, "gallery/person0/noface_wall.jpg", make_test_image(640, 480, seed=99))
    return keys


@pytest.mark.parametrize("detector", ["imm", "oss-faces", "green", "green-pro"])
def test_scan_bucket_then_rescan_makes_no_paid_call(
    detector: str, cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    keys = _fill_bucket(cloud_emulator)
    catalog = str(tmp_path / "c.db")
    source = f"oss://{BUCKET}/gallery/"
    first = cli(
        "scan", source, "--detector", detector, "--profile", cloud_profile, "--json", "--catalog", catalog
    )
    data = json.loads(first.stdout)
    assert "paid batch: 7 of 7 images to detect" in first.stderr
    assert data["summary"]["images"] == len(keys) + 1 and data["summary"]["errors"] == 0
    by_source = {image["source"]: image for image in data["images"]}
    for key in keys:
        image = by_source[f"oss://{BUCKET}/{key}"]
        shape = "green" if detector.startswith("green") else "imm"
        assert len(image["faces"]) == len(cloud_emulator.expected_faces(BUCKET, key, shape=shape)), key
        assert image["group"] == key.split("/")[-2]
        for face in image["faces"]:
            assert face["raw"] is not None and "qualified" in face
    assert by_source[f"oss://{BUCKET}/gallery/person0/noface_wall.jpg"]["faces"] == []
    billed = cloud_emulator.total_billable()
    assert billed == len(keys) + 1
    assert data["scan"]["paid_calls"] == billed

    again = cli(
        "scan", source, "--detector", detector, "--profile", cloud_profile, "--json", "--catalog", catalog
    )
    assert json.loads(again.stdout)["scan"]["detected"] == 0
    assert "paid batch: 0 of 7 images to detect (7 cached)" in again.stderr
    assert cloud_emulator.total_billable() == billed, (
        "a re-scan of unchanged objects must not call a paid service"
    )

    report = json.loads(cli("report", "--json", "--catalog", catalog).stdout)
    expected_key = detector if detector != "green-pro" else "green-pro"
    assert report["paid_calls"] == {expected_key: billed}


def test_local_folder_through_green_upload(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    folder = tmp_path / "photos" / "alice"
    folder.mkdir(parents=True)
    for i in range(3):
        (folder / f"a{i}.jpg").write_bytes(make_test_image(400, 300, seed=10 + i))
    catalog = str(tmp_path / "c.db")
    data = json.loads(
        cli(
            "scan",
            str(tmp_path / "photos"),
            "--detector",
            "green",
            "--profile",
            cloud_profile,
            "--json",
            "--catalog",
            catalog,
        ).stdout
    )
    assert data["summary"]["errors"] == 0
    assert cloud_emulator.count(action="DescribeUploadToken") >= 1
    assert cloud_emulator.billable["green"] == 3


def test_imm_refuses_a_local_folder(cloud_profile: str, tmp_path: Path) -> None:
    proc = cli(
        "scan",
        str(tmp_path),
        "--detector",
        "imm",
        "--profile",
        cloud_profile,
        "--catalog",
        str(tmp_path / "c.db"),
        check=2,
    )
    assert "imm" in proc.stderr and "local" in proc.stderr


def test_wrong_secret_stops_the_batch_with_a_clear_reason(
    cloud_emulator: CloudEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fill_bucket(cloud_emulator)
    profile = use_emulator_profile(cloud_emulator, monkeypatch, access_key_secret="not-the-secret")
    proc = cli(
        "scan",
        f"oss://{BUCKET}/gallery/",
        "--detector",
        "imm",
        "--profile",
        profile,
        "--catalog",
        str(tmp_path / "c.db"),
        check=2,
    )
    assert "Traceback" not in proc.stderr
    assert "not-the-secret" not in proc.stderr + proc.stdout
    assert "signature" in proc.stderr.lower() or "secret" in proc.stderr.lower()
    assert cloud_emulator.total_billable() == 0


def test_faults_end_detected_or_failed_with_reason(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    keys = _fill_bucket(cloud_emulator, count=20)
    cloud_emulator.set_faults(error_rate=0.15, throttle_rate=0.05, seed=7)
    proc = cli(
        "scan",
        f"oss://{BUCKET}/gallery/",
        "--detector",
        "imm",
        "--profile",
        cloud_profile,
        "--json",
        "--catalog",
        str(tmp_path / "c.db"),
        check=None,
    )
    assert proc.returncode in (0, 1)
    data = json.loads(proc.stdout)
    assert len(data["images"]) == len(keys) + 1
    for image in data["images"]:
        assert image["status"] == "ok" or (
            image["status"] == "error" and image["error"] and "IMM" in image["error"]
        )


def test_export_to_oss_uploads_the_local_layout(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    _fill_bucket(cloud_emulator)
    catalog = str(tmp_path / "c.db")
    cli(
        "scan",
        f"oss://{BUCKET}/gallery/",
        "--detector",
        "imm",
        "--profile",
        cloud_profile,
        "--catalog",
        catalog,
    )
    # Accept every face, whatever the rules, so the export has content.
    report = json.loads(cli("report", "--json", "--catalog", catalog).stdout)
    loose = tmp_path / "loose.toml"
    loose.write_text('name = "loose"\nunknown = "pass"\nschema_version = 1\n', encoding="utf-8")
    cli("decide", "--accept-qualified", "--rules", str(loose), "--catalog", catalog)
    faces = report["summary"]["faces"]
    assert faces > 0
    local = json.loads(
        cli(
            "export", str(tmp_path / "out"), "--json", "--profile", cloud_profile, "--catalog", catalog
        ).stdout
    )
    remote = json.loads(
        cli(
            "export", f"oss://{BUCKET}/enrollment", "--json", "--profile", cloud_profile, "--catalog", catalog
        ).stdout
    )
    assert remote["exported"] == local["exported"] == faces
    uploaded = cloud_emulator.objects(BUCKET, "enrollment/")
    manifest = json.loads(uploaded["enrollment/manifest.json"])
    written = {
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()
    }
    assert {k[len("enrollment/") :] for k in uploaded} == written
    assert len(manifest["faces"]) == faces


def test_a_paid_batch_progress_line_knows_its_total_from_the_first_image(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: on a terminal, the paid batch's progress line counts "n/total" (and so an ETA)
    from its first image: the cost plan's listing gives the total before any call is sent.
    In-process, with stderr a terminal; one call at a time (3 in flight) over 8 images."""
    import io

    from facecurator.cli import command_support
    from facecurator.cli.main import main

    for i in range(8):
        cloud_emulator.put_object(BUCKET, f"tty/p{i}.jpg", make_test_image(200, 150, seed=i + 40))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    frames: list[str] = []  # what the line shows after each image
    real_update = command_support.Progress.update

    def update(self: command_support.Progress, done: int, total: int | None, postfix: str = "") -> None:
        real_update(self, done, total, postfix)
        frames.append(str(self._bar))

    monkeypatch.setattr(command_support.Progress, "update", update)
    source = f"oss://{BUCKET}/tty/"
    args = ["scan", source, "--detector", "green", "--profile", cloud_profile, "--yes", "--jobs", "1"]
    assert main([*args, "--json", "--catalog", str(tmp_path / "c.db")]) == 0
    assert cloud_emulator.billable["green"] == 8 and len(frames) == 8, frames
    assert all(f"{n}/8 " in frame for n, frame in enumerate(frames, 1)), frames
    assert "<" in frames[0] and "?" not in frames[0].split("<")[1], frames  # elapsed<ETA, the ETA known
