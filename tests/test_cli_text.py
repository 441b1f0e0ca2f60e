"""Plain-text output keeps one record per line whatever a name holds (issue 19, item 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from facecurator.cli.text import clean
from facecurator.domain.face import Box, Face, Pose
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.services.catalog import Catalog

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facecurator", *args], capture_output=True, text=True, timeout=120, env=ENV
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain name.jpg", "plain name.jpg"),
        ("中文 照片.jpg", "中文 照片.jpg"),
        ("two\nlines.jpg", "two\\nlines.jpg"),
        ("tab\there\r.jpg", "tab\\there\\r.jpg"),
        ("esc\x1b[31mred.jpg", "esc\\x1b[31mred.jpg"),
        ("rtl\u202egpj.exe", "rtl\\u202egpj.exe"),
        ("line\u2028sep", "line\\u2028sep"),
        ("undecodable\udcff.jpg", "undecodable\\udcff.jpg"),
        ("nbsp\u00a0and zwj \U0001f469\u200d\U0001f4bb", "nbsp\u00a0and zwj \U0001f469\u200d\U0001f4bb"),
    ],
)
def test_clean_escapes_control_characters_only(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def _catalog_with_names(path: Path, names: list[str]) -> None:
    with Catalog(path) as catalog:
        for i, name in enumerate(names):
            ref = ImageRef(uri=f"/photos/{name}", name=name, group="p", size=1, mtime_ns=i)
            face = Face(box=Box(10, 10, 200, 200), confidence=0.9, pose=Pose(0, 0, 0))
            detection = catalog.store_detection(
                f"id{i}", "import:test", "k", DetectionResult([face], 640, 480)
            )
            catalog.record_image(
                ref,
                source_root="/photos",
                identity=f"id{i}",
                status="ok",
                error=None,
                detection_id=detection,
                width=640,
                height=480,
            )


def test_report_keeps_a_file_name_with_a_newline_on_one_line(tmp_path: Path) -> None:
    catalog = tmp_path / "c.sqlite3"
    _catalog_with_names(catalog, ["p/two\nlines.jpg", "p/plain.jpg", "p/esc\x1b]0;title\x07.jpg"])
    proc = run_cli("report", "--catalog", str(catalog))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, lines  # one line per face
    assert any(line.startswith("/photos/p/two\\nlines.jpg\t") for line in lines), lines
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    # JSON keeps the real name
    data = json.loads(run_cli("report", "--json", "--catalog", str(catalog)).stdout)
    assert {image["name"] for image in data["images"]} >= {"p/two\nlines.jpg"}


def test_scan_errors_name_a_file_with_a_newline_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "bad\nname.jpg").write_bytes(b"not an image at all")
    proc = run_cli("scan", str(folder), "--catalog", str(tmp_path / "c.sqlite3"))
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert "bad\\nname.jpg" in errors[0]
    assert "name.jpg" not in proc.stderr.replace("bad\\nname.jpg", "")
