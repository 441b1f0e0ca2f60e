"""Every export format loaded by the reader its users use (issue 19, item 3).

COCO: pycocotools (``COCO``, ``annToMask`` on every annotation, ``COCOeval``
self-evaluation for boxes and masks = AP 1.0), every face of an exported image
annotated, the ones not exported marked crowd/ignore with their decision.
VGGFace2: the ``loose_bb`` / ``loose_landmark`` CSV layout read with pandas.
Folders: ``manifest.csv`` read with pandas. Each fails when a field is missing.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from facecurator.cli.main import main as cli_main
from facecurator.domain.face import Box, Face, Pose
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.services.catalog import Catalog

FIVE = ((0.35, 0.4), (0.65, 0.4), (0.5, 0.55), (0.38, 0.72), (0.62, 0.72))
SIX = ((0.35, 0.4), (0.65, 0.4), (0.5, 0.55), (0.5, 0.72), (0.1, 0.45), (0.9, 0.45))

#: image -> faces as (box x, y, w, h, decision, landmark layout)
IMAGES: dict[str, list[tuple[int, int, int, int, str, tuple[tuple[float, float], ...] | None]]] = {
    "alice/group.jpg": [
        (20, 30, 80, 100, "accepted", FIVE),
        (140, 40, 70, 90, "rejected", FIVE),
        (240, 50, 60, 70, "pending", None),
    ],
    "alice/solo.jpg": [(60, 40, 120, 150, "accepted", SIX)],
    "bob/edge.jpg": [
        (-10, 100, 90, 120, "accepted", FIVE),  # off the left edge: clamped
        (200, 20, 80, 90, "accepted", None),
        (110, 130, 50, 60, "pending", FIVE),
    ],
    "bob/none.jpg": [(30, 30, 90, 90, "pending", FIVE)],  # nothing exported from it
}


def _landmarks(
    box: Box, layout: tuple[tuple[float, float], ...] | None
) -> tuple[tuple[float, float], ...] | None:
    if layout is None:
        return None
    return tuple((box.x + fx * box.w, box.y + fy * box.h) for fx, fy in layout)


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """A catalog of real JPEG files with known faces and decisions; uri -> decisions."""
    root = tmp_path_factory.mktemp("gallery")
    photos = root / "photos"
    catalog_path = root / "catalog.sqlite3"
    decisions: dict[str, list[str]] = {}
    with Catalog(catalog_path) as catalog:
        for name, specs in IMAGES.items():
            path = photos / name
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (320, 240), (120, 110, 100)).save(path, quality=90)
            faces = []
            for x, y, w, h, _, layout in specs:
                box = Box(float(x), float(y), float(w), float(h))
                faces.append(
                    Face(box=box, confidence=0.9, landmarks=_landmarks(box, layout), pose=Pose(0, 0, 0))
                )
            stat = path.stat()
            ref = ImageRef(
                uri=str(path),
                name=name,
                group=name.split("/")[0],
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )
            detection = catalog.store_detection(f"id-{name}", "local", "k", DetectionResult(faces, 320, 240))
            image_id = catalog.record_image(
                ref,
                source_root=str(photos),
                identity=f"id-{name}",
                status="ok",
                error=None,
                detection_id=detection,
                width=320,
                height=240,
            )
            rows = catalog.faces([image_id])
            for row, (*_, decision, _layout) in zip(rows, specs, strict=True):
                if decision != "pending":
                    catalog.decide([row.id], decision, reason="test")  # type: ignore[arg-type]
            decisions[str(path)] = [spec[4] for spec in specs]
    return catalog_path, decisions


def export(catalog: Path, dest: Path, fmt: str, *extra: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(["export", str(dest), "--format", fmt, "--json", "--catalog", str(catalog), *extra])
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())


def quiet(fn, *args):  # pycocotools prints progress
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


@pytest.mark.parametrize("include_rejected", [False, True])
def test_coco_loads_in_pycocotools_with_every_face_annotated(
    gallery: tuple[Path, dict[str, list[str]]], tmp_path: Path, include_rejected: bool
) -> None:
    catalog, decisions = gallery
    extra = ("--include-rejected",) if include_rejected else ()
    export(catalog, tmp_path / "out", "coco", *extra)
    coco = quiet(COCO, str(tmp_path / "out" / "annotations.coco.json"))
    exported_states = {"accepted", "rejected"} if include_rejected else {"accepted"}
    sources = {img["facecurator"]["source"]: img_id for img_id, img in coco.imgs.items()}
    # Exactly the images with an exported face, every one of their faces annotated.
    assert set(sources) == {uri for uri, states in decisions.items() if exported_states & set(states)}
    (category,) = coco.loadCats(coco.getCatIds())
    n_points = len(category.get("keypoints", []))
    for uri, img_id in sources.items():
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[img_id], iscrowd=None))
        assert sorted(a["facecurator"]["decision"] for a in anns) == sorted(decisions[uri])
        image = coco.imgs[img_id]
        for ann in anns:
            for key in ("id", "image_id", "category_id", "bbox", "area", "iscrowd", "segmentation"):
                assert key in ann, f"annotation without {key}: {ann}"
            exported = ann["facecurator"]["decision"] in exported_states
            assert ann["facecurator"]["exported"] is exported
            assert ann["iscrowd"] == (0 if exported else 1)
            assert ann.get("ignore", 0) == (0 if exported else 1)
            mask = coco.annToMask(ann)
            assert mask.shape == (image["height"], image["width"])
            _, _, w, h = ann["bbox"]
            assert abs(int(mask.sum()) - w * h) <= 2 * (w + h) + 4, (ann, int(mask.sum()))
            assert abs(ann["area"] - w * h) <= 2 * (w + h) + 4
            if n_points:
                assert len(ann["keypoints"]) == 3 * n_points and "num_keypoints" in ann
    # the box off the left edge is clamped to the image
    edge = [a for a in coco.anns.values() if a["facecurator"]["source"].endswith("edge.jpg")]
    assert min(a["bbox"][0] for a in edge) == 0


def test_coco_self_evaluation_is_perfect_for_boxes_and_masks(
    gallery: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> None:
    catalog, _ = gallery
    export(catalog, tmp_path / "out", "coco")
    coco = quiet(COCO, str(tmp_path / "out" / "annotations.coco.json"))
    truth = [a for a in coco.anns.values() if not a["iscrowd"]]
    assert truth
    for iou_type in ("bbox", "segm"):
        dets = []
        for ann in truth:
            det = {"image_id": ann["image_id"], "category_id": ann["category_id"], "score": 1.0}
            if iou_type == "bbox":
                det["bbox"] = list(ann["bbox"])
            else:
                det["segmentation"] = coco.annToRLE(ann)
            dets.append(det)
        results = quiet(coco.loadRes, dets)
        evaluation = COCOeval(coco, results, iou_type)
        quiet(evaluation.evaluate)
        quiet(evaluation.accumulate)
        quiet(evaluation.summarize)
        assert evaluation.stats[0] == pytest.approx(1.0), (iou_type, evaluation.stats)
    assert [a for a in coco.anns.values() if a["iscrowd"]]  # the faces not exported are there, as crowd


def test_vggface2_csvs_load_with_pandas(gallery: tuple[Path, dict[str, list[str]]], tmp_path: Path) -> None:
    catalog, decisions = gallery
    summary = export(catalog, tmp_path / "out", "vggface2")
    out = tmp_path / "out"
    crops = {p.relative_to(out / "data").with_suffix("").as_posix(): p for p in (out / "data").rglob("*.jpg")}
    assert len(crops) == summary["exported"] == sum(s.count("accepted") for s in decisions.values())
    boxes = pd.read_csv(out / "bb_landmark" / "loose_bb.csv")
    assert list(boxes.columns) == ["NAME_ID", "X", "Y", "W", "H"]
    assert not boxes.isna().any().any()
    assert set(boxes["NAME_ID"]) == set(crops)
    for column in ("X", "Y", "W", "H"):
        assert pd.api.types.is_integer_dtype(boxes[column]), column
    for row in boxes.itertuples():
        with Image.open(crops[row.NAME_ID]) as crop:
            assert min(row.X, row.Y) >= 0, row
            assert crop.width + 1 >= row.X + row.W and crop.height + 1 >= row.Y + row.H, row
    points = pd.read_csv(out / "bb_landmark" / "loose_landmark.csv")
    assert list(points.columns) == ["NAME_ID"] + [f"P{i}{a}" for i in range(1, 6) for a in "XY"]
    assert not points.isna().any().any()
    assert set(points["NAME_ID"]) <= set(crops)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    five_point = {e["name_id"] for e in manifest["faces"] if len(e["attributes"]["landmarks"] or []) == 5}
    assert set(points["NAME_ID"]) == five_point  # every face with the 5-point layout, no other
    assert "loose_landmark" in json.dumps(manifest["notes"])


def test_folders_manifest_csv_loads_with_pandas(
    gallery: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> None:
    from facecurator.services.export import CSV_COLUMNS

    catalog, _ = gallery
    summary = export(catalog, tmp_path / "out", "folders")
    table = pd.read_csv(tmp_path / "out" / "manifest.csv", keep_default_na=False)
    assert list(table.columns) == list(CSV_COLUMNS)
    assert len(table) == summary["exported"]
    for file in table["file"]:
        assert (tmp_path / "out" / file).is_file()
    assert set(table["decision"]) == {"accepted"}
