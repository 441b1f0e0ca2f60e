"""Identity checks through the catalog, the review and the export (issue 14), on made-up
descriptors (no model needed):

* every export format writes each face's identity findings into manifest.json and
  manifest.csv (distance to the folder's identity, outlier, near-identical group and the
  one kept, enrolled face of a group photo, probable double enrollment), read back here;
* two sources of one catalog that both hold an ``alice/`` folder are two persons: their
  faces are never pooled into one identity, and an export of both writes two folders.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facecurator.detect.embed import EMBEDDER_KEY
from facecurator.domain.face import Box, Face
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.domain.rules import load_rules
from facecurator.services.catalog import Catalog
from facecurator.services.export import COCO_JSON, CSV_COLUMNS, ExportItem, export
from facecurator.services.identity import gallery_identities
from facecurator.services.review import all_faces, export_items, review

#: one made-up person per axis: same person ~0.2 apart, different people ~1.4 apart
_RNG = np.random.default_rng(14)


def person(axis: int) -> np.ndarray:
    v = np.zeros(128, dtype=np.float32)
    v[axis] = 1.0
    return v


def photo_of(axis: int, jitter: float = 0.02) -> np.ndarray:
    return (person(axis) + _RNG.normal(0, jitter, 128)).astype(np.float32)


def add_photo(
    catalog: Catalog, root: Path, rel: str, vectors: list[np.ndarray], *, phash: int | None = None
) -> list[int]:
    """A real (small) image file under ``root`` with one face per vector; returns the face ids."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    width = 120 * len(vectors)
    Image.new("RGB", (width, 160), (90 + 20 * len(rel) % 100, 120, 150)).save(path, quality=90)
    stat = path.stat()
    ref = ImageRef(
        uri=str(path), name=rel, group=Path(rel).parent.name, size=stat.st_size, mtime_ns=stat.st_mtime_ns
    )
    identity = f"{root.name}:{rel}"
    faces = [Face(box=Box(20 + 120 * i, 30, 80, 100), confidence=0.99) for i in range(len(vectors))]
    detection = catalog.store_detection(identity, "local", "test", DetectionResult(faces, width, 160))
    image_id = catalog.record_image(
        ref,
        source_root=str(root),
        identity=identity,
        status="ok",
        error=None,
        detection_id=detection,
        width=width,
        height=160,
        detector="local",
    )
    catalog.store_embeddings(
        detection, EMBEDDER_KEY, phash, [("landmarks", v.astype("<f4").tobytes()) for v in vectors]
    )
    return [row.id for row in catalog.faces(image_ids=[image_id])]


def read_back(dest: Path) -> tuple[dict[str, dict], dict[str, dict[str, str]]]:
    """manifest.json's and manifest.csv's entries by image name (+ #face index)."""
    manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
    entries = {f"{e['image_name']}#{e['face_index']}": e for e in manifest["faces"]}
    with (dest / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    return entries, {f"{r['image_name']}#{r['face_index']}": r for r in rows}


def _items(catalog: Catalog, source_root: str | None = None) -> list[ExportItem]:
    rules = load_rules("moderation-2.0")
    found = gallery_identities(catalog, source_root=source_root)
    faces = all_faces(review(catalog, rules, source_root=source_root, identities=found))
    catalog.decide([f.id for f in faces], "accepted", who="test")
    faces = all_faces(review(catalog, rules, source_root=source_root, identities=found))
    return export_items(faces)


def _export(items: list[ExportItem], dest: Path, fmt: str) -> None:
    summary = export(
        items,
        dest,
        fmt=fmt,
        rules_name="moderation-2.0",
        read_bytes=lambda item: Path(item.image_uri).read_bytes(),
    )
    assert summary.failed == [] and summary.exported == len(items)


@pytest.mark.parametrize("fmt", ["folders", "coco", "vggface2"])
def test_every_export_format_writes_the_identity_findings(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "gallery"
    with Catalog(tmp_path / "c.sqlite3") as catalog:  # the catalog's backends: the test below
        # alice: three photos of person 0, a near-identical copy of the first, a stranger,
        # and a group photo (a stranger beside alice); bob: person 0 again (double enrollment)
        original = photo_of(0)
        add_photo(catalog, root, "alice/a1.jpg", [original], phash=0x0F0F)
        add_photo(catalog, root, "alice/a2.jpg", [photo_of(0)], phash=0xFFFF_0000)
        add_photo(catalog, root, "alice/a3.jpg", [photo_of(0)], phash=0x00FF_00FF_0000)
        add_photo(catalog, root, "alice/a1_copy.jpg", [original + 0.001], phash=0x0F0F)
        add_photo(catalog, root, "alice/stranger.jpg", [photo_of(5)])
        add_photo(catalog, root, "alice/group.jpg", [photo_of(7), photo_of(0)])
        add_photo(catalog, root, "bob/b1.jpg", [photo_of(0)])
        add_photo(catalog, root, "bob/b2.jpg", [photo_of(0)])
        items = _items(catalog)
    dest = tmp_path / fmt
    _export(items, dest, fmt)
    entries, rows = read_back(dest)

    a1, copy = entries["alice/a1.jpg#0"]["identity_check"], entries["alice/a1_copy.jpg#0"]["identity_check"]
    assert a1["person"] == "alice" and a1["distance"] < 0.6 and a1["outlier"] is False
    # near-identical: one group, the first photo kept (the same quality: the first listed)
    assert a1["duplicate_group"] == copy["duplicate_group"] is not None
    assert {a1["duplicate_kept"], copy["duplicate_kept"]} == {True, False}
    kept, dropped = (a1, copy) if a1["duplicate_kept"] else (copy, a1)
    assert dropped["duplicate_of"] in ("alice/a1.jpg", "alice/a1_copy.jpg") and kept["duplicate_of"] is None
    stranger = entries["alice/stranger.jpg#0"]["identity_check"]
    assert stranger["outlier"] is True and stranger["distance"] > 0.6
    assert stranger["nearest_elsewhere"]["person"] == "bob"  # the only other folder
    # the group photo: face 1 (alice) is enrolled, face 0 (the stranger) is not
    assert entries["alice/group.jpg#1"]["identity_check"]["enrolled"] is True
    assert entries["alice/group.jpg#0"]["identity_check"]["enrolled"] is False
    # alice and bob are one person: a probable double enrollment, on every face of both
    assert a1["double_enrollment"] == ["bob"]
    assert entries["bob/b1.jpg#0"]["identity_check"]["double_enrollment"] == ["alice"]
    assert entries["alice/a2.jpg#0"]["identity_check"]["duplicate_group"] is None

    # manifest.csv: the same findings, one column each
    row = rows["alice/stranger.jpg#0"]
    assert float(row["identity_distance"]) == pytest.approx(stranger["distance"], abs=1e-3)
    assert row["identity_outlier"] == "true" and row["nearest_elsewhere"].startswith("bob/")
    assert rows["alice/a1.jpg#0"]["identity_outlier"] == "false"
    assert rows["alice/group.jpg#1"]["enrolled_face"] == "true"
    assert rows["alice/group.jpg#0"]["enrolled_face"] == "false"
    assert rows["alice/a2.jpg#0"]["enrolled_face"] == ""  # a photo of one face: does not apply
    group = rows["alice/a1.jpg#0"]["duplicate_group"]
    assert group and rows["alice/a1_copy.jpg#0"]["duplicate_group"] == group
    assert {rows["alice/a1.jpg#0"]["duplicate_kept"], rows["alice/a1_copy.jpg#0"]["duplicate_kept"]} == {
        "true",
        "false",
    }
    assert rows["alice/a2.jpg#0"]["duplicate_group"] == rows["alice/a2.jpg#0"]["duplicate_kept"] == ""
    assert rows["alice/a1.jpg#0"]["double_enrollment_with"] == "bob"
    assert rows["bob/b2.jpg#0"]["double_enrollment_with"] == "alice"
    if fmt == "coco":  # the COCO file's own annotations carry them too
        coco = json.loads((dest / COCO_JSON).read_text("utf-8"))
        checks = [a["facecurator"]["identity_check"] for a in coco["annotations"]]
        assert len(checks) == len(entries) and all(c is not None for c in checks)


def test_without_embeddings_the_identity_columns_are_empty(tmp_path: Path) -> None:
    root = tmp_path / "gallery"
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        add_photo(catalog, root, "alice/a1.jpg", [photo_of(0)])
        rules = load_rules("moderation-2.0")
        faces = all_faces(review(catalog, rules))
        catalog.decide([f.id for f in faces], "accepted", who="test")
        items = export_items(all_faces(review(catalog, rules)))
    _export(items, tmp_path / "out", "folders")
    entries, rows = read_back(tmp_path / "out")
    assert entries["alice/a1.jpg#0"]["identity_check"] is None
    identity_columns = CSV_COLUMNS[CSV_COLUMNS.index("identity_distance") :]
    assert all(rows["alice/a1.jpg#0"][c] == "" for c in identity_columns)


def test_same_folder_name_in_two_sources_is_two_persons(tmp_path: Path, catalog_target: str) -> None:
    team_a, team_b = tmp_path / "team-a", tmp_path / "team-b"
    with Catalog(catalog_target) as catalog:
        # team-a/alice is person 0, team-b/alice is person 3: pooled, neither would have a majority
        a_faces = [add_photo(catalog, team_a, f"alice/{i}.jpg", [photo_of(0)])[0] for i in range(2)]
        b_faces = [add_photo(catalog, team_b, f"alice/{i}.jpg", [photo_of(3)])[0] for i in range(2)]
        add_photo(catalog, team_b, "carol/c.jpg", [photo_of(4)])

        found = gallery_identities(catalog)  # the whole catalog: both sources
        persons = set(found.report.persons)
        qualified_a, qualified_b = f"{team_a}/alice", f"{team_b}/alice"
        assert persons == {qualified_a, qualified_b, "carol"}
        for face_id in a_faces:
            check = found.of(face_id)
            assert check is not None and check.person == qualified_a and check.consistent is True
        for face_id in b_faces:
            check = found.of(face_id)
            assert check is not None and check.person == qualified_b and check.consistent is True
        assert found.report.persons[qualified_a].has_identity
        assert found.report.double_enrollments == []  # different people
        assert found.labels[a_faces[0]] == f"{team_a}/alice/0.jpg"  # names say which source

        # one source at a time: the folder's plain name
        one = gallery_identities(catalog, source_root=str(team_a))
        assert set(one.report.persons) == {"alice"}

        # an export of both sources: two folders, never one
        items = _items(catalog)
    _export(items, tmp_path / "out", "folders")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    sources_of: dict[str, set[str]] = {}
    for e in manifest["faces"]:
        if e["identity"] == "alice":
            sources_of.setdefault(e["subject_dir"], set()).add(Path(e["source"]).parent.parent.name)
    assert sorted(sources_of) == ["alice", "alice-2"]
    assert sorted(tuple(v) for v in sources_of.values()) == [("team-a",), ("team-b",)]
    assert len(list((tmp_path / "out" / "faces" / "alice").iterdir())) == 2


# --------------------------------------------------------------------------- on by default


def test_embeddings_are_on_by_default_only_for_the_local_detector_on_person_folders(tmp_path: Path) -> None:
    from facecurator.detect.embed import available
    from facecurator.errors import SourceError
    from facecurator.services.identity import default_embedder
    from facecurator.sources.local import LocalFolderSource

    by_person, flat = tmp_path / "by_person", tmp_path / "flat"
    for path in (by_person / "alice" / "1.jpg", flat / "1.jpg", flat / "2.jpg"):
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (32, 32)).save(path)
    assert default_embedder(LocalFolderSource(flat), "local") is None  # no person to check
    assert default_embedder(LocalFolderSource(by_person), "green") is None  # a cloud detector
    if available():
        assert default_embedder(LocalFolderSource(by_person), "local") is not None

    class Unlistable(LocalFolderSource):
        def iter_images(self):  # type: ignore[no-untyped-def]
            raise SourceError(f"{self.root}: cannot list (planted)")
            yield  # pragma: no cover

    # a listing that fails is the scan's to report: no embeddings by default, no failure here
    assert default_embedder(Unlistable(by_person), "local") is None


def test_report_identities_csv_and_json_carry_the_same_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from facecurator.cli.identity_report import CSV_COLUMNS as REPORT_COLUMNS
    from facecurator.cli.main import main

    root = tmp_path / "gallery"
    catalog_path = tmp_path / "c.sqlite3"
    with Catalog(catalog_path) as catalog:
        original = photo_of(0)
        add_photo(catalog, root, "alice/a1.jpg", [original], phash=0x0F0F)
        add_photo(catalog, root, "alice/a1_copy.jpg", [original + 0.001], phash=0x0F0F)
        add_photo(catalog, root, "alice/a2.jpg", [photo_of(0)], phash=0xFFFF_0000)
        add_photo(catalog, root, "alice/stranger.jpg", [photo_of(5)])
        add_photo(catalog, root, "bob/b1.jpg", [photo_of(0)])
        add_photo(catalog, root, "bob/b2.jpg", [photo_of(0)])
    assert main(["report", "--identities", "--csv", "--catalog", str(catalog_path)]) == 0
    rows = {r["face"]: r for r in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert tuple(next(iter(rows.values())).keys()) == REPORT_COLUMNS
    assert rows["alice/stranger.jpg"]["outlier"] == "true" and rows["alice/a2.jpg"]["outlier"] == "false"
    assert rows["alice/a1.jpg"]["duplicate_group"] == rows["alice/a1_copy.jpg"]["duplicate_group"] != ""
    assert {rows["alice/a1.jpg"]["duplicate_kept"], rows["alice/a1_copy.jpg"]["duplicate_kept"]} == {
        "true",
        "false",
    }
    assert rows["alice/a2.jpg"]["duplicate_kept"] == ""
    assert rows["alice/a2.jpg"]["double_enrollment_with"] == "bob"
    assert rows["bob/b1.jpg"]["double_enrollment_with"] == "alice"
    assert main(["report", "--identities", "--json", "--catalog", str(catalog_path)]) == 0
    faces = {f["face"]: f for f in json.loads(capsys.readouterr().out)["faces"]}
    assert faces["alice/stranger.jpg"]["outlier"] is True
    assert faces["bob/b2.jpg"]["double_enrollment"] == ["alice"]
