"""Export confinement: safe path components, hostile names never write outside the
destination, output paths checked against the staging root, CSV cells never formulas."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
from helpers.exports import (
    all_files,
    make_item,
    no_leftovers,
    run_export,
)
from PIL import Image

from facecurator.errors import ExportError
from facecurator.services import export as export_mod
from facecurator.services.export import (
    safe_component,
)
from facecurator.services.export import staging as export_staging

# --------------------------------------------------------------------------- confinement


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alice", "alice"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("/abs/x.jpg", "_abs_x.jpg"),
        ("a\x00b", "a_b"),
        ("CON", "_CON"),
        ("con.jpg", "_con.jpg"),
        ("nul", "_nul"),
        ("COM1.txt", "_COM1.txt"),
        ("LPT9", "_LPT9"),
        ("COM¹", "_COM¹"),
        ("CONSOLE", "CONSOLE"),
        ("..", "_"),
        (".", "_"),
        ("", "_"),
        ("   ", "_"),
        ("name. . ", "name"),
        (".hidden", "hidden"),
        ("a:b*c?d", "a_b_c_d"),
        ("tab\there", "tab_here"),
        ("rtl\u202egpj.exe", "rtl_gpj.exe"),
        ("=cmd|' /C calc'!A0", "_=cmd_' _C calc'!A0"),
        ("-rf", "_-rf"),
        ("人脸 照片", "人脸 照片"),
        ("e\u0301", "\u00e9"),  # NFC: one code point, as macOS would show it
    ],
)
def test_safe_component_table(name: str, expected: str) -> None:
    assert safe_component(name) == expected


def test_safe_component_long_names_are_bounded_and_distinct() -> None:
    a, b = "x" * 499 + "a", "x" * 499 + "b"
    safe_a, safe_b = safe_component(a), safe_component(b)
    assert len(safe_a) <= 120 and safe_a != safe_b and "~" in safe_a
    cjk = safe_component("脸" * 300)
    assert len(cjk.encode("utf-8")) <= export_mod.MAX_COMPONENT_BYTES
    lone_surrogate = safe_component("bad\udcffname")  # undecodable bytes from os.fsdecode
    assert lone_surrogate == "bad_name"
    lone_surrogate.encode("utf-8")
    assert safe_component("x" * 50, max_len=20).endswith(safe_component("x" * 50, max_len=20)[-9:])
    assert len(safe_component("y" * 50, max_len=20)) == 20


HOSTILE_NAMES = [
    "../../etc/passwd",
    "/abs/x.jpg",
    "..\\..\\windows\\win.ini",
    "a\x00b.jpg",
    "CON.jpg",
    "nul",
    "COM1.txt",
    "LPT1",
    "x" * 500 + ".jpg",
    "x" * 499 + "y.jpg",
    "..",
    ".",
    "",
    "   ",
    "trailing dot.",
    "trailing space.jpg ",
    "人脸 照片.jpg",
    "Photo.jpg",
    "photo.JPG",
    "PHOTO.jpg",
    "ctrl\x07\x1b[31mred.jpg",
]


def test_hostile_names_never_write_outside_dest(astronaut_png: Path, tmp_path: Path) -> None:
    buffer = io.BytesIO()  # a small JPEG keeps 189 decodes fast; the box still fits
    Image.open(astronaut_png).convert("RGB").crop((0, 0, 300, 300)).save(buffer, "JPEG")
    data = buffer.getvalue()
    groups = ["../../escape", "/abs", "..", "", "CON", "Alice", "alice", "人", "x" * 400]
    items = [
        make_item(astronaut_png, uri=f"mem://{gi}/{ni}", name=name, group=group)
        for gi, group in enumerate(groups)
        for ni, name in enumerate(HOSTILE_NAMES)
    ]
    work = tmp_path / "work"
    (work / "dest-parent").mkdir(parents=True)
    before = {p for p in all_files(tmp_path)}
    dest = work / "dest-parent" / "out"
    summary = run_export(items, dest, read_bytes=lambda _item: data, workers=2)

    assert summary.exported == len(items) and summary.failed == []
    created = {p for p in all_files(tmp_path)} - before
    assert created, "nothing written"
    for path in created:
        assert path.resolve().is_relative_to(dest.resolve()), f"written outside DEST: {path}"
    no_leftovers(dest.parent, dest)
    crops = [p for p in all_files(dest / "faces")]
    assert len(crops) == len(items)  # every face has its own file: no overwrite after sanitising
    for folder in [dest / "faces", *(dest / "faces").iterdir()]:
        keys = [unicodedata.normalize("NFC", p.name).casefold() for p in folder.iterdir()]
        assert len(keys) == len(set(keys)), f"case-insensitive collision in {folder}"
    for path in all_files(dest):
        for part in path.relative_to(dest).parts:
            assert len(part.encode("utf-8")) <= 255
            assert part.split(".")[0].rstrip().upper() not in {"CON", "NUL", "COM1", "LPT1", "PRN", "AUX"}
            assert not any(ord(c) < 32 or ord(c) == 127 for c in part)
            assert part == part.strip(" .") and not part.startswith(("-", "=", "+", "@"))
            assert part not in ("", ".", "..")
    assert (dest / "faces" / "人" / "人脸 照片.jpg").is_file()  # unicode stays readable
    manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
    assert {e["source"] for e in manifest["faces"]} == {i.image_uri for i in items}
    assert {e["identity"] for e in manifest["faces"]} == set(groups)
    for entry in manifest["faces"]:
        assert (dest / entry["file"]).is_file()


def test_output_paths_are_checked_against_the_staging_root(tmp_path: Path) -> None:
    staging = export_staging.Staging(tmp_path)
    for bad in ("..", ".", "", "a/b", "a\\b", "a\x00b"):
        with pytest.raises(ExportError):
            staging.path("faces", bad)
    outside = tmp_path.parent / "elsewhere"
    outside.mkdir(exist_ok=True)
    (tmp_path / "faces").mkdir()
    (tmp_path / "faces" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ExportError, match="outside the export"):
        staging.write(("faces", "link", "x.jpg"), b"data")
    assert not (outside / "x.jpg").exists()


def test_csv_cells_cannot_become_formulas(astronaut_png: Path, tmp_path: Path) -> None:
    item = make_item(astronaut_png, group='=HYPERLINK("http://evil")', name="+sum.png")
    run_export([item], tmp_path / "out")
    with (tmp_path / "out" / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert row["identity"] == '\'=HYPERLINK("http://evil")'
    assert row["image_name"] == "'+sum.png"
    assert row["file"] == "faces/_=HYPERLINK(_http___evil_)/_+sum.jpg"
    for value in row.values():
        assert not value.startswith(("=", "+", "@")) and not (
            value.startswith("-") and not value[1:2].isdigit()
        )
