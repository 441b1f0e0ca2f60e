"""Export formats and publishers: COCO and VGGFace2 layouts, a custom publisher, items
from reviewed faces, wide-gamut sources converted to sRGB, the caller's verdict reasons."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers.exports import (
    ASTRONAUT_BOX,
    EXIF6_UPRIGHT_BOX,
    FIVE_POINTS,
    MEDICS_BOXES,
    assert_clean_jpeg,
    make_item,
    mean_abs_diff,
    read_path,
    run_export,
    tree_digest,
)
from PIL import Image

from facecurator.domain.face import Box
from facecurator.errors import ExportError
from facecurator.services.export import (
    EXPORT_FORMATS,
    ExportItem,
    Publisher,
    crop_region,
    export,
)

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
