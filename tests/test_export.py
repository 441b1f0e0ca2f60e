"""Export: layouts, manifests, metadata stripping, confinement, atomicity, cancel.

Face boxes of the corpus images were measured once with OpenCV's frontal-face
Haar cascade on the upright images and are written down here: these tests are
about what the export does with boxes, not about detection.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

import facecurator
from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.errors import CancelledError, ConfigError, ExportError, SourceError
from facecurator.services import export as export_mod
from facecurator.services.export import (
    CSV_COLUMNS,
    EXPORT_FORMATS,
    MANIFEST_SCHEMA_VERSION,
    ExportItem,
    ExportSummary,
    LocalPublisher,
    Publisher,
    crop_region,
    export,
    safe_component,
)

ASTRONAUT_BOX = (177.0, 66.0, 95.0, 95.0)
EXIF6_UPRIGHT_BOX = (78.0, 124.0, 186.0, 186.0)  # in the upright 348x522 image
MEDICS_BOXES = ((530, 84, 132, 132), (284, 103, 120, 120), (120, 121, 116, 116), (703, 141, 127, 127))
FIVE_POINTS = ((205.0, 100.0), (245.0, 100.0), (225.0, 120.0), (210.0, 140.0), (240.0, 140.0))

_next_id = iter(range(1, 1_000_000))
#: uri -> file holding its bytes (items may carry made-up uris such as mem://3)
_SOURCE_FILES: dict[str, Path] = {}


def make_item(
    path: Path | str,
    *,
    box: tuple[float, float, float, float] = ASTRONAUT_BOX,
    group: str = "astronaut",
    name: str | None = None,
    uri: str | None = None,
    index: int = 0,
    decision: str = "accepted",
    size: tuple[int, int] | None = None,
    landmarks: tuple[tuple[float, float], ...] | None = None,
) -> ExportItem:
    face = Face(
        box=Box(*box),
        confidence=0.97,
        landmarks=landmarks,
        pose=Pose(1.5, -3.0, 2.0),
        blur=Blur(4.0, "0-100"),
        glasses="none",
        mask=False,
        eyes_closed=False,
        raw={"provider": "secret-ish raw payload"},
    )
    qualified = decision != "rejected"
    _SOURCE_FILES[uri or str(path)] = Path(path)
    return ExportItem(
        face_id=next(_next_id),
        image_uri=uri or str(path),
        image_name=name if name is not None else Path(path).name,
        group=group,
        image_width=size[0] if size else None,
        image_height=size[1] if size else None,
        face_index=index,
        face=face,
        qualified=qualified,
        rule_results=[
            {"condition": "blur", "outcome": "pass", "reason": "blur 4 < 25"},
            {
                "condition": "yaw",
                "outcome": "pass" if qualified else "fail",
                "reason": "yaw 3.0° ≤ 30°" if qualified else "yaw 41.2° > 30°",
            },
        ],
        decision=decision,
        decision_reason=None if qualified else "looks away",
        decided_by="operator",
        decided_at="2026-11-21T07:00:00Z",
    )


def read_path(item: ExportItem) -> bytes:
    return _SOURCE_FILES[item.image_uri].read_bytes()


def run_export(items: list[ExportItem], dest: Path, **kwargs) -> ExportSummary:
    kwargs.setdefault("rules_name", "moderation-2.0")
    kwargs.setdefault("read_bytes", read_path)
    return export(items, dest, **kwargs)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def all_files(root: Path) -> Iterator[Path]:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            yield Path(dirpath, name)


def jpeg_segments(data: bytes) -> list[int]:
    """The JPEG marker bytes before the image data (APP0, DQT, SOF, ...)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: metadata can only come before it
            break
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers


def assert_clean_jpeg(path: Path) -> None:
    data = path.read_bytes()
    markers = jpeg_segments(data)
    assert 0xE1 not in markers, f"{path.name}: APP1 (EXIF/XMP) present"
    assert 0xE2 not in markers, f"{path.name}: APP2 (ICC) present"
    assert 0xFE not in markers, f"{path.name}: comment present"
    with Image.open(path) as img:
        assert img.format == "JPEG"
        assert img.mode == "RGB"
        assert len(img.getexif()) == 0
        assert "exif" not in img.info and "icc_profile" not in img.info


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())


def no_leftovers(parent: Path, dest: Path) -> None:
    hidden = [p.name for p in parent.iterdir() if ".fcx-" in p.name]
    assert hidden == [], f"staging/old folders left behind: {hidden}"
    assert not any(p.name.startswith(f".{dest.name}") for p in parent.iterdir())


# --------------------------------------------------------------------------- layout


def test_folders_layout_manifest_and_hashes(astronaut_png: Path, tmp_path: Path) -> None:
    second_box = (60.0, 300.0, 80.0, 90.0)
    items = [
        make_item(astronaut_png, group="eileen"),
        make_item(astronaut_png, uri=str(astronaut_png) + "#copy", name="copy/astronaut.png", group="crew"),
        make_item(astronaut_png, uri="mem://two", name="two.png", group="crew", index=0),
        make_item(astronaut_png, uri="mem://two", name="two.png", group="crew", index=1, box=second_box),
        make_item(astronaut_png, uri="mem://pending", group="crew", decision="pending"),
    ]
    reads: list[str] = []

    def read(item: ExportItem) -> bytes:
        reads.append(item.image_uri)
        return astronaut_png.read_bytes()

    steps: list[tuple[int, int]] = []
    dest = tmp_path / "out"
    summary = run_export(items, dest, read_bytes=read, progress=lambda d, t: steps.append((d, t)))

    assert summary.exported == 4 and summary.skipped_pending == 1 and summary.failed == []
    assert sorted(reads) == sorted({i.image_uri for i in items if i.decision != "pending"})  # once per image
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    files = sorted(p.relative_to(dest).as_posix() for p in all_files(dest))
    assert files == [
        "faces/crew/astronaut.jpg",
        "faces/crew/two_face0.jpg",
        "faces/crew/two_face1.jpg",
        "faces/eileen/astronaut.jpg",
        "manifest.csv",
        "manifest.json",
    ]
    assert summary.files == len(files)
    assert summary.manifest_path == str(dest / "manifest.json")

    manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
    assert manifest["schema_version"] == MANIFEST_SCHEMA_VERSION
    assert manifest["tool"] == {"name": "facecurator", "version": facecurator.__version__}
    assert manifest["format"] == "folders" and manifest["rules"] == "moderation-2.0"
    assert manifest["margin"] == 0.4
    assert manifest["counts"]["exported"] == 4 and manifest["counts"]["skipped_pending"] == 1
    assert manifest["counts"]["identities"] == 2 and manifest["counts"]["files"] == len(files)
    assert len(manifest["faces"]) == 4
    for entry in manifest["faces"]:
        crop = dest / entry["file"]
        assert hashlib.sha256(crop.read_bytes()).hexdigest() == entry["sha256"]
        assert entry["bytes"] == crop.stat().st_size
        assert "raw" not in entry["attributes"]
        assert entry["attributes"]["pose"] == {"pitch": 1.5, "yaw": -3.0, "roll": 2.0}
        assert [r["outcome"] for r in entry["rule_results"]] == ["pass", "pass"]
        assert entry["decided_by"] == "operator" and entry["decision"] == "accepted"
        left, top, right, bottom = crop_region(Box(**entry["box"]), 512, 512, 0.4)
        assert entry["crop"] == {"x": left, "y": top, "w": right - left, "h": bottom - top}
        with Image.open(crop) as img:
            assert img.size == (right - left, bottom - top)
            reference = Image.open(astronaut_png).convert("RGB").crop((left, top, right, bottom))
            assert mean_abs_diff(img.convert("RGB"), reference) < 4  # JPEG q95 of the same pixels
    # The astronaut crop: box grown by 40 % of 95 px (38 px) on every side.
    eileen = next(e for e in manifest["faces"] if e["identity"] == "eileen")
    assert eileen["crop"] == {"x": 139, "y": 28, "w": 171, "h": 171}
    assert eileen["box_in_crop"] == {"x": 38.0, "y": 38.0, "w": 95.0, "h": 95.0}

    with (dest / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert [r["file"] for r in rows] == [e["file"] for e in manifest["faces"]]
    assert [r["sha256"] for r in rows] == [e["sha256"] for e in manifest["faces"]]
    assert rows[0]["qualified"] == "true" and rows[0]["glasses"] == "none" and rows[0]["age"] == ""
    assert rows[0]["blur"] == "4.0" and rows[0]["blur_scale"] == "0-100"


def test_crop_margin_is_clamped_to_the_image() -> None:
    assert crop_region(Box(10, 20, 100, 50), 1000, 1000, 0.4) == (0, 0, 150, 90)
    assert crop_region(Box(900, 900, 100, 100), 1000, 1000, 0.5) == (850, 850, 1000, 1000)
    assert crop_region(Box(10.5, 10.5, 10, 10), 100, 100, 0.0) == (10, 10, 21, 21)
    assert crop_region(Box(2000, 10, 50, 50), 1000, 1000, 0.4) is None
    assert crop_region(Box(10, 10, 0, 50), 1000, 1000, 0.4) is None


def test_crops_carry_no_exif_gps_icc_or_comment(astronaut_png: Path, tmp_path: Path) -> None:
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 26.5)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 29.2)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = tmp_path / "src" / "gps_photo.jpg"
    source.parent.mkdir()
    Image.open(astronaut_png).convert("RGB").save(
        source, "JPEG", exif=exif, icc_profile=icc, comment=b"secret"
    )
    with Image.open(source) as check:  # the source really carries it all
        assert check.getexif().get_ifd(0x8825)[1] == "N" and "icc_profile" in check.info

    dest = tmp_path / "out"
    summary = run_export([make_item(source)], dest, fmt="coco")
    assert summary.exported == 1
    jpegs = [p for p in all_files(dest) if p.suffix == ".jpg"]
    assert len(jpegs) == 2  # the crop and the coco copy of the original
    for path in jpegs:
        assert_clean_jpeg(path)
        assert b"PhoneModel" not in path.read_bytes() and b"secret" not in path.read_bytes()
    manifest_text = (dest / "manifest.json").read_text("utf-8")
    assert "secret-ish raw payload" not in manifest_text  # Face.raw never exported


def test_exif_orientation_crop_is_upright(corpus_dir: Path, tmp_path: Path) -> None:
    import cv2

    source = corpus_dir / "formats" / "exif_orientation6.jpg"
    dest = tmp_path / "out"
    summary = run_export([make_item(source, box=EXIF6_UPRIGHT_BOX, group="formats", size=(348, 522))], dest)
    assert summary.exported == 1 and summary.failed == []
    crop_path = dest / "faces" / "formats" / "exif_orientation6.jpg"
    assert_clean_jpeg(crop_path)
    region = crop_region(Box(*EXIF6_UPRIGHT_BOX), 348, 522, 0.4)
    with Image.open(source) as raw:
        upright = ImageOps.exif_transpose(raw).convert("RGB")
        sideways = raw.convert("RGB")  # pixels as stored, ignoring EXIF
    with Image.open(crop_path) as crop:
        crop = crop.convert("RGB")
    assert crop.size == (region[2] - region[0], region[3] - region[1])
    assert mean_abs_diff(crop, upright.crop(region)) < 4
    assert mean_abs_diff(crop, sideways.crop(region)) > 20  # the check can fail
    # And a frontal-face detector finds the face in the crop as written.
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    gray = cv2.cvtColor(np.asarray(crop), cv2.COLOR_RGB2GRAY)
    assert len(cascade.detectMultiScale(gray, 1.1, 5, minSize=(60, 60))) == 1


def test_multi_face_image_names_and_single_decode(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "multi" / "medics_4.jpg"
    items = [make_item(source, box=b, group="multi", index=i) for i, b in enumerate(MEDICS_BOXES)]
    items.append(make_item(source, box=(1, 1, 5, 5), group="multi", index=4, decision="pending"))
    calls = []

    def read(item: ExportItem) -> bytes:
        calls.append(item.face_id)
        return source.read_bytes()

    summary = run_export(items, tmp_path / "out", read_bytes=read)
    assert summary.exported == 4 and summary.skipped_pending == 1 and len(calls) == 1
    names = sorted(p.name for p in (tmp_path / "out" / "faces" / "multi").iterdir())
    assert names == [f"medics_4_face{i}.jpg" for i in range(4)]
    with Image.open(source) as full:
        full = full.convert("RGB")
        for i, box in enumerate(MEDICS_BOXES):
            region = crop_region(Box(*box), *full.size, 0.4)
            with Image.open(tmp_path / "out" / "faces" / "multi" / f"medics_4_face{i}.jpg") as crop:
                assert mean_abs_diff(crop.convert("RGB"), full.crop(region)) < 4


def test_worker_count_does_not_change_the_result(astronaut_png: Path, tmp_path: Path) -> None:
    items = [
        make_item(astronaut_png, uri=f"mem://{i}", name=f"{'Same' if i % 2 else 'same'}.png", group="g")
        for i in range(8)
    ]
    one = run_export(items, tmp_path / "one", workers=1)
    four = run_export(items, tmp_path / "four", workers=4)
    assert one.exported == four.exported == 8
    digest_one, digest_four = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "four")
    digest_one.pop("manifest.json"), digest_four.pop("manifest.json")  # created_at / destination differ
    assert digest_one == digest_four
    names = sorted(p.name for p in (tmp_path / "four" / "faces" / "g").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "one" / "faces" / "g").iterdir())
    # 'Same' and 'same' collide on Windows / macOS: one name each, case-insensitively.
    assert len({n.casefold() for n in names}) == 8


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
    staging = export_mod._Staging(tmp_path)
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
    monkeypatch.setattr(export_mod, "_exchange_dirs", lambda a, b: False)
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
    assert export_mod._exchange_dirs(first, second) is True
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
    monkeypatch.setattr(export_mod, "_exchange_dirs", lambda a, b: False)
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
    prefix = export_mod._leftover_prefix(str(dest))
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
    prefix = export_mod._leftover_prefix(str(dest))
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


# --------------------------------------------------------------------------- failures


def test_read_and_decode_failures_are_per_image(astronaut_png: Path, tmp_path: Path) -> None:
    items = [make_item(astronaut_png, uri=f"mem://{i}", name=f"img{i}.png", group="g") for i in range(5)]
    items.append(
        make_item(astronaut_png, uri="mem://changed", name="changed.png", group="g", size=(640, 480))
    )
    items.append(make_item(astronaut_png, uri="mem://outside", name="outside.png", box=(900, 900, 50, 50)))

    def read(item: ExportItem) -> bytes:
        if item.image_uri == "mem://2":
            raise SourceError("oss://bucket/img2.png: NoSuchKey")
        if item.image_uri == "mem://3":
            raise TimeoutError("read timed out")
        if item.image_uri == "mem://4":
            return b"this is not an image"
        return astronaut_png.read_bytes()

    summary = run_export(items, tmp_path / "out", read_bytes=read)
    assert summary.exported == 2
    reasons = dict(summary.failed)
    assert set(reasons) == {"mem://2", "mem://3", "mem://4", "mem://changed", "mem://outside"}
    assert "NoSuchKey" in reasons["mem://2"]
    assert reasons["mem://3"] == "img3.png: cannot read: read timed out"
    assert reasons["mem://4"].startswith("img4.png:")
    assert "512x512" in reasons["mem://changed"] and "640x480" in reasons["mem://changed"]
    assert "outside" in reasons["mem://outside"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert {f["source"] for f in manifest["failed"]} == set(reasons)
    assert manifest["counts"]["failed"] == 5
    assert all(f["face_ids"] and f["reason"] for f in manifest["failed"])


def test_nothing_to_export_is_an_error_and_changes_nothing(astronaut_png: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    with pytest.raises(ExportError, match="nothing to export"):
        run_export([make_item(astronaut_png, decision="pending")], dest)
    with pytest.raises(ExportError, match="nothing exported"):
        run_export([make_item(astronaut_png)], dest, read_bytes=lambda _i: b"")
    assert not dest.exists()
    no_leftovers(tmp_path, dest)
    with pytest.raises(ConfigError):
        run_export([make_item(astronaut_png)], dest, fmt="yolo")
    with pytest.raises(ConfigError):
        run_export([make_item(astronaut_png)], dest, margin=-0.1)


def test_include_rejected(astronaut_png: Path, tmp_path: Path) -> None:
    items = [
        make_item(astronaut_png, uri="mem://a", name="a.png", group="p"),
        make_item(astronaut_png, uri="mem://b", name="b.png", group="p", decision="rejected"),
        make_item(astronaut_png, uri="mem://c", name="c.png", group="p", decision="pending"),
    ]
    read = lambda _i: astronaut_png.read_bytes()  # noqa: E731
    without = run_export(items, tmp_path / "without", read_bytes=read)
    assert (without.exported, without.skipped_pending, without.skipped_rejected) == (1, 1, 1)
    assert not (tmp_path / "without" / "rejected").exists()

    summary = run_export(items, tmp_path / "with", read_bytes=read, include_rejected=True)
    assert (summary.exported, summary.skipped_pending, summary.skipped_rejected) == (2, 1, 0)
    assert (tmp_path / "with" / "faces" / "p" / "a.jpg").is_file()
    assert (tmp_path / "with" / "rejected" / "p" / "b.jpg").is_file()
    manifest = json.loads((tmp_path / "with" / "manifest.json").read_text("utf-8"))
    flags = {e["file"]: (e["rejected"], e["decision"], e["qualified"]) for e in manifest["faces"]}
    assert flags == {
        "faces/p/a.jpg": (False, "accepted", True),
        "rejected/p/b.jpg": (True, "rejected", False),
    }
    rejected = next(e for e in manifest["faces"] if e["rejected"])
    assert rejected["reasons"] == ["yaw 41.2° > 30°"] and rejected["decision_reason"] == "looks away"
    assert manifest["counts"]["rejected"] == 1 and manifest["counts"]["accepted"] == 1
    with (tmp_path / "with" / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    assert rows["rejected/p/b.jpg"]["reasons"] == "yaw 41.2° > 30°"
    assert rows["rejected/p/b.jpg"]["decision"] == "rejected"


# --------------------------------------------------------------------------- coco / vggface2


def test_coco_structure(astronaut_png: Path, corpus_dir: Path, tmp_path: Path) -> None:
    medics = corpus_dir / "multi" / "medics_4.jpg"
    rotated = corpus_dir / "formats" / "exif_orientation6.jpg"
    items = [
        make_item(astronaut_png, landmarks=FIVE_POINTS),
        make_item(astronaut_png, uri="mem://rej", name="rej.png", decision="rejected"),
        make_item(rotated, box=EXIF6_UPRIGHT_BOX, group="formats"),
        *(make_item(medics, box=b, group="multi", index=i) for i, b in enumerate(MEDICS_BOXES)),
    ]

    def read(item: ExportItem) -> bytes:
        return astronaut_png.read_bytes() if item.image_uri.startswith("mem://") else read_path(item)

    dest = tmp_path / "out"
    summary = run_export(items, dest, fmt="coco", read_bytes=read)
    assert summary.exported == 6 and summary.format == "coco"
    coco = json.loads((dest / "annotations.coco.json").read_text("utf-8"))
    assert coco["categories"][0]["id"] == 1 and coco["categories"][0]["name"] == "face"
    assert coco["categories"][0]["keypoints"] == ["p1", "p2", "p3", "p4", "p5"]
    images = {img["id"]: img for img in coco["images"]}
    assert len(images) == len(coco["images"]) == 3
    for img in coco["images"]:
        path = dest / "images" / img["file_name"]
        assert_clean_jpeg(path)
        with Image.open(path) as pil:
            assert pil.size == (img["width"], img["height"])
    rotated_image = next(i for i in coco["images"] if i["facecurator"]["source"] == str(rotated))
    assert (rotated_image["width"], rotated_image["height"]) == (348, 522)  # upright copy
    anns = coco["annotations"]
    assert [a["id"] for a in anns] == list(range(1, 7))
    assert sum(1 for a in anns if a["image_id"] == rotated_image["id"]) == 1
    for ann in anns:
        img = images[ann["image_id"]]
        x, y, w, h = ann["bbox"]
        assert x >= 0 and y >= 0 and x + w <= img["width"] and y + h <= img["height"]
        assert ann["area"] == pytest.approx(w * h, rel=1e-3)
        assert ann["iscrowd"] == 0 and ann["category_id"] == 1
        assert ann["facecurator"]["decision"] == "accepted"
        assert "raw" not in ann["facecurator"]["attributes"]
    astro = next(a for a in anns if a.get("keypoints"))
    assert astro["bbox"] == list(ASTRONAUT_BOX)
    assert astro["keypoints"][:3] == [205.0, 100.0, 2] and astro["num_keypoints"] == 5
    manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
    assert {e["coco_annotation_id"] for e in manifest["faces"]} == {a["id"] for a in anns}
    for entry in manifest["faces"]:
        assert (dest / entry["file"]).is_file()

    with_rejected = run_export(items, tmp_path / "rej", fmt="coco", read_bytes=read, include_rejected=True)
    assert with_rejected.exported == 7
    coco = json.loads((tmp_path / "rej" / "annotations.coco.json").read_text("utf-8"))
    assert sorted(a["facecurator"]["decision"] for a in coco["annotations"]).count("rejected") == 1


def test_vggface2_layout(astronaut_png: Path, tmp_path: Path) -> None:
    items = [
        make_item(astronaut_png, uri="mem://1", name="0001_01.png", group="n000001", landmarks=FIVE_POINTS),
        make_item(astronaut_png, uri="mem://2", name="0002_01.png", group="n000001"),
        make_item(astronaut_png, uri="mem://3", name="0001_01.png", group="n000002", decision="rejected"),
    ]
    dest = tmp_path / "out"
    summary = run_export(
        items, dest, fmt="vggface2", read_bytes=lambda _i: astronaut_png.read_bytes(), include_rejected=True
    )
    assert summary.exported == 3
    assert sorted(p.name for p in (dest / "data" / "n000001").iterdir()) == ["0001_01.jpg", "0002_01.jpg"]
    assert (dest / "rejected" / "n000002" / "0001_01.jpg").is_file()
    assert not (dest / "faces").exists()
    bb_lines = (dest / "bb_landmark" / "loose_bb.csv").read_text("utf-8").splitlines()
    assert bb_lines[0] == "NAME_ID,X,Y,W,H"
    rows = list(csv.reader(bb_lines[1:]))
    assert [r[0] for r in rows] == ["n000001/0001_01", "n000001/0002_01"]  # rejected faces stay out
    manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
    by_name = {e.get("name_id"): e for e in manifest["faces"]}
    for name_id, x, y, w, h in rows:
        entry = by_name[name_id]
        assert (dest / "data" / f"{name_id}.jpg").is_file() and entry["file"] == f"data/{name_id}.jpg"
        assert (int(x), int(y)) == (round(entry["box_in_crop"]["x"]), round(entry["box_in_crop"]["y"]))
        assert (int(w), int(h)) == (95, 95)
        with Image.open(dest / entry["file"]) as crop:  # the box lies inside the written crop
            assert int(x) + int(w) <= crop.width and int(y) + int(h) <= crop.height
    assert "relative to the written crop" in manifest["notes"]["vggface2"]
    lm_lines = (dest / "bb_landmark" / "loose_landmark.csv").read_text("utf-8").splitlines()
    assert lm_lines[0] == "NAME_ID,P1X,P1Y,P2X,P2Y,P3X,P3Y,P4X,P4Y,P5X,P5Y"
    first = lm_lines[1].split(",")
    assert first[0] == "n000001/0001_01"
    assert (float(first[1]), float(first[2])) == (205.0 - 139, 100.0 - 28)  # crop origin (139, 28)
    assert len(lm_lines) == 2


# --------------------------------------------------------------------------- publishers


def test_custom_publisher_gets_the_staged_tree(astronaut_png: Path, tmp_path: Path) -> None:
    published: dict[str, dict[str, str]] = {}

    class MemoryPublisher(Publisher):
        def publish(self, staging_dir: Path, dest: str) -> None:
            published[dest] = tree_digest(staging_dir)

    summary = run_export([make_item(astronaut_png)], "oss://bucket/exports/2026", publisher=MemoryPublisher())
    tree = published["oss://bucket/exports/2026"]
    assert sorted(tree) == ["faces/astronaut/astronaut.jpg", "manifest.csv", "manifest.json"]
    assert summary.manifest_path == "oss://bucket/exports/2026/manifest.json"
    from facecurator import paths

    staging_parent = paths.cache_dir() / "export-staging"
    assert staging_parent.is_dir() and list(staging_parent.iterdir()) == []  # staged in the cache, removed
    with pytest.raises(ExportError, match="OSS publisher"):
        run_export([make_item(astronaut_png)], "oss://bucket/x")


def test_formats_constant() -> None:
    assert EXPORT_FORMATS == ("folders", "coco", "vggface2")


def test_items_from_reviewed_faces(astronaut_png: Path, tmp_path: Path) -> None:
    from facecurator.domain.rules import ConditionResult, Verdict
    from facecurator.services.catalog import Decision, FaceRow, ImageRow
    from facecurator.services.review import ReviewedFace, export_items

    image = ImageRow(
        id=7, uri=str(astronaut_png), name="crew/astronaut.png", group="crew", source_root=str(tmp_path),
        size=1, mtime_ns=1, identity="x", status="ok", error=None, width=512, height=512,
        detector="local", detection_id=3, scanned_at="2026-11-21T07:00:00Z",
    )  # fmt: skip
    face = make_item(astronaut_png).face
    verdict = Verdict(
        qualified=True,
        results=(
            ConditionResult("blur", "pass", "blur 4.0 < 25"),
            ConditionResult("mask", "unknown", "mask not measured"),
        ),
        unknown_policy="pass",
    )
    row = FaceRow(
        id=42, image_id=7, index=0, face=face, decision=Decision("accepted", None, "ana", "2026-11-21Z")
    )
    [item] = export_items([ReviewedFace(row=row, image=image, verdict=verdict)])
    assert (item.face_id, item.image_uri, item.group, item.image_width) == (
        42,
        str(astronaut_png),
        "crew",
        512,
    )
    assert item.rule_results[1]["outcome"] == "unknown"
    summary = export(
        [item], tmp_path / "out", rules_name="mine", read_bytes=lambda i: Path(i.image_uri).read_bytes()
    )
    assert summary.exported == 1
    entry = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))["faces"][0]
    assert entry["decided_by"] == "ana" and entry["face_id"] == 42
    assert entry["rule_results"][1] == {
        "condition": "mask",
        "outcome": "unknown",
        "reason": "mask not measured",
    }
    # With the verdict's own reasons the unknown does not count under policy "pass".
    entry_reasons = ["mask not measured"] if item.reasons is None else item.reasons
    assert entry["reasons"] == entry_reasons
    assert entry["file"] == "faces/crew/astronaut.jpg"


def test_wide_gamut_source_is_converted_to_srgb(corpus_dir: Path, tmp_path: Path) -> None:
    """The ICC profile is dropped, so ProPhoto pixels must be converted or the crop looks washed out."""
    from PIL import ImageCms

    source = corpus_dir / "people" / "kit_harington" / "john2.jpeg"
    box = (250.0, 80.0, 120.0, 120.0)
    dest = tmp_path / "out"
    run_export([make_item(source, box=box, group="kit")], dest)
    crop_path = dest / "faces" / "kit" / "john2.jpg"
    assert_clean_jpeg(crop_path)
    region = crop_region(Box(*box), 630, 374, 0.4)
    with Image.open(source) as raw:
        assert "ProPhoto" in ImageCms.getProfileDescription(
            ImageCms.ImageCmsProfile(io.BytesIO(raw.info["icc_profile"]))
        )
        as_stored = raw.convert("RGB").crop(region)
        in_srgb = ImageCms.profileToProfile(
            raw.convert("RGB"),
            ImageCms.ImageCmsProfile(io.BytesIO(raw.info["icc_profile"])),
            ImageCms.createProfile("sRGB"),
            outputMode="RGB",
        ).crop(region)
    with Image.open(crop_path) as crop:
        crop = crop.convert("RGB")
    assert mean_abs_diff(crop, in_srgb) < 4
    assert mean_abs_diff(crop, as_stored) > mean_abs_diff(crop, in_srgb) + 4


def test_verdict_reasons_given_by_the_caller_win(astronaut_png: Path, tmp_path: Path) -> None:
    import dataclasses

    item = dataclasses.replace(make_item(astronaut_png, decision="rejected"), reasons=["one face only"])
    run_export([item], tmp_path / "out", include_rejected=True)
    entry = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))["faces"][0]
    assert entry["reasons"] == ["one face only"]
    with (tmp_path / "out" / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        assert next(csv.DictReader(fh))["reasons"] == "one face only"
