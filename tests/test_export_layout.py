"""Export layout: folders, manifest and hashes, crops (margin, metadata stripped, EXIF
orientation, several faces of one image), worker count, per-image failures, nothing to
export, rejected faces included."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from helpers.exports import (
    EXIF6_UPRIGHT_BOX,
    MEDICS_BOXES,
    all_files,
    assert_clean_jpeg,
    make_item,
    mean_abs_diff,
    no_leftovers,
    run_export,
    tree_digest,
)
from PIL import Image, ImageOps

import facecurator
from facecurator.domain.face import Box
from facecurator.errors import ConfigError, ExportError, SourceError
from facecurator.services.export import (
    CSV_COLUMNS,
    MANIFEST_SCHEMA_VERSION,
    ExportItem,
    crop_region,
)

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
