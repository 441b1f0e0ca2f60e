"""Identity checks on real photos: embeddings, the scan, the catalog, review, CLI and export.

Needs ../shared/corpus (skips with a reason without it). One gallery is scanned
once per session (the embedding model costs ~0.1 s per face):

    obama/      obama.jpg, obama1.jpg, obama2.jpg, copy.jpg (obama.jpg halved and
                re-encoded), wrong.jpg (someone else: deepface img13),
                obama_and_biden.jpg (3 faces, one of them Obama)
    p01/        the three deepface_p01 photos
    p01_again/  bad/人脸 照片 测试 01.jpg (the same person as p01: a double enrollment)
    kit/        the three kit_harington photos (scanned first WITHOUT embeddings:
                the embedding scan must embed their cached detections)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from facecurator.detect.embed import (
    EMBEDDER_KEY,
    FaceEmbedder,
    ImageEmbeddings,
    distance,
    image_phash,
    models_dir,
)
from facecurator.detect.local import LocalDetector
from facecurator.domain.identity import DUPLICATE_HASH_BITS, hamming
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.domain.rules import RuleSet, load_rules, make_condition
from facecurator.errors import DetectorError, ModelLoadError
from facecurator.services.catalog import Catalog
from facecurator.services.identity import GalleryIdentities, gallery_identities
from facecurator.services.jobs import ScanReport, scan
from facecurator.services.review import review
from facecurator.sources.local import LocalFolderSource

pytestmark = pytest.mark.corpus


def _ref(path: Path) -> ImageRef:
    return ImageRef(
        uri=str(path), name=path.name, group=path.parent.name, size=path.stat().st_size, mtime_ns=0
    )


@pytest.fixture(scope="session")
def detector() -> LocalDetector:
    return LocalDetector()


@pytest.fixture(scope="session")
def embedder() -> FaceEmbedder:
    e = FaceEmbedder()
    e.load()
    return e


def _embed(
    path: Path, detector: LocalDetector, embedder: FaceEmbedder
) -> tuple[DetectionResult, ImageEmbeddings]:
    data = path.read_bytes()
    result = detector.detect(_ref(path), data)
    return result, embedder.embed_image(
        data, result.faces, name=str(path), long_side=max(result.width, result.height)
    )


# --------------------------------------------------------------------------- the embedder


def test_same_person_is_close_and_different_people_are_far(
    corpus_dir: Path, detector: LocalDetector, embedder: FaceEmbedder
) -> None:
    people = corpus_dir / "people"
    vec = {}
    for person in ("obama", "deepface_p01", "kit_harington"):
        for path in sorted((people / person).glob("*")):
            _, found = _embed(path, detector, embedder)
            assert found.faces[0] is not None, path
            vec[(person, path.name)] = found.faces[0].vector
    for (pa, na), va in vec.items():
        for (pb, nb), vb in vec.items():
            if (pa, na) >= (pb, nb):
                continue
            d = distance(va, vb)
            if pa == pb:
                assert d <= 0.6, (na, nb, d)
            else:
                assert d > 0.6, (na, nb, d)


def test_landmark_alignment_and_the_shape_predictor_agree(
    corpus_dir: Path, detector: LocalDetector, embedder: FaceEmbedder
) -> None:
    path = corpus_dir / "people" / "obama" / "obama.jpg"
    data = path.read_bytes()
    result = detector.detect(_ref(path), data)
    face = result.faces[0]
    by_marks = embedder.embed_image(data, [face], name="x").faces[0]
    by_box = embedder.embed_image(data, [face.with_changes(raw={})], name="x").faces[0]
    assert by_marks is not None and by_box is not None
    assert (by_marks.method, by_box.method) == ("landmarks", "box")
    assert distance(by_marks.vector, by_box.vector) < 0.25
    # the scan's path (the detector's own pixels) gives the same person
    scan_path = embedder.embed_decoded(result.pixels, [face], scale=result.pixel_scale, name="x").faces[0]
    assert scan_path is not None and distance(scan_path.vector, by_marks.vector) < 0.2


def test_the_detectors_six_keypoints_align_like_the_mesh_points(
    corpus_dir: Path, detector: LocalDetector, embedder: FaceEmbedder
) -> None:
    """A face the mesh did not confirm carries mediapipe's 6 keypoints (eyes, nose, mouth centre, ears)."""
    path = corpus_dir / "people" / "kit_harington" / "johnsnow_test1.jpg"
    data = path.read_bytes()
    face = detector.detect(_ref(path), data).faces[0]
    assert face.raw["landmark_kind"] == "mesh-5"
    eyes_nose = list(face.landmarks[:3])
    mouth = tuple(np.mean(face.landmarks[3:5], axis=0))
    ears = [(face.box.x, face.box.y + face.box.h / 2), (face.box.x + face.box.w, face.box.y + face.box.h / 2)]
    six = face.with_changes(
        landmarks=(*eyes_nose, mouth, *ears), raw={**face.raw, "landmark_kind": "detector-6"}
    )
    a, b = embedder.embed_image(data, [face, six], name="x").faces
    assert a is not None and b is not None and b.method == "landmarks"
    assert distance(a.vector, b.vector) < 0.15


def test_clones_embed_the_same_in_two_threads(
    corpus_dir: Path, detector: LocalDetector, embedder: FaceEmbedder
) -> None:
    path = corpus_dir / "people" / "deepface_p03" / "img14.jpg"
    data = path.read_bytes()
    faces = detector.detect(_ref(path), data).faces
    clones = [embedder.clone(), embedder.clone()]
    with ThreadPoolExecutor(2) as pool:
        out = list(pool.map(lambda e: e.embed_image(data, faces, name="x").faces[0].vector, clones))
    assert np.array_equal(out[0], out[1])


def test_one_embedder_refuses_a_second_thread(
    corpus_dir: Path, detector: LocalDetector, embedder: FaceEmbedder
) -> None:
    path = corpus_dir / "people" / "obama" / "obama1.jpg"
    data = path.read_bytes()
    faces = detector.detect(_ref(path), data).faces
    shared = embedder.clone()
    shared._busy.acquire()  # another thread is inside embed_pixels
    try:
        with pytest.raises(DetectorError, match="busy in another thread; use clone"):
            shared.embed_image(data, faces, name="x")
    finally:
        shared._busy.release()


def test_perceptual_hash_matches_a_resized_copy_not_another_photo(corpus_dir: Path) -> None:
    from PIL import Image

    a = np.asarray(Image.open(corpus_dir / "people" / "obama" / "obama.jpg").convert("RGB"))
    half = np.asarray(Image.fromarray(a).resize((a.shape[1] // 2, a.shape[0] // 2)))
    other = np.asarray(Image.open(corpus_dir / "people" / "obama" / "obama1.jpg").convert("RGB"))
    assert hamming(image_phash(a), image_phash(half)) <= DUPLICATE_HASH_BITS
    assert hamming(image_phash(a), image_phash(other)) > 3 * DUPLICATE_HASH_BITS


def test_missing_model_files_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec

    class Spec:
        submodule_search_locations = (str(tmp_path),)

    (tmp_path / "models").mkdir()
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n: Spec() if n == "face_recognition_models" else real(n)
    )
    with pytest.raises(ModelLoadError, match=r"model file missing: .*shape_predictor_5_face_landmarks\.dat"):
        models_dir()


def test_tiny_faces_are_not_embedded(
    detector: LocalDetector, embedder: FaceEmbedder, corpus_dir: Path
) -> None:
    path = corpus_dir / "people" / "obama" / "obama.jpg"
    face = detector.detect(_ref(path), path.read_bytes()).faces[0]
    tiny = face.with_changes(box=type(face.box)(face.box.x, face.box.y, 20, 20))
    assert embedder.embed_image(path.read_bytes(), [tiny], name="x").faces == [None]


# --------------------------------------------------------------------------- scan -> catalog -> checks


@dataclass
class Scanned:
    root: Path
    catalog_path: Path
    first: ScanReport
    second: ScanReport
    third: ScanReport
    identities: GalleryIdentities


@pytest.fixture(scope="session")
def scanned(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    from PIL import Image

    root = tmp_path_factory.mktemp("identity") / "gallery"
    people = corpus_dir / "people"
    for folder, files in {
        "obama": [people / "obama" / n for n in ("obama.jpg", "obama1.jpg", "obama2.jpg")],
        "p01": sorted((people / "deepface_p01").glob("*")),
        "kit": sorted((people / "kit_harington").glob("*")),
    }.items():
        (root / folder).mkdir(parents=True)
        for f in files:
            shutil.copy(f, root / folder / f.name)
    shutil.copy(people / "deepface_p03" / "img13.jpg", root / "obama" / "wrong.jpg")
    shutil.copy(corpus_dir / "multi" / "obama_and_biden.jpg", root / "obama" / "obama_and_biden.jpg")
    with Image.open(people / "obama" / "obama.jpg") as img:
        img.resize((img.width // 2, img.height // 2)).save(root / "obama" / "copy.jpg", quality=80)
    (root / "p01_again").mkdir()
    shutil.copy(corpus_dir / "bad" / "人脸 照片 测试 01.jpg", root / "p01_again" / "人脸 照片 测试 01.jpg")

    catalog_path = root.parent / "catalog.sqlite3"
    source = LocalFolderSource(root)
    with Catalog(catalog_path) as catalog:
        kit = [r for r in source.iter_images() if r.group == "kit"]
        first = scan(source, LocalDetector(), catalog, jobs=2, refs=kit)  # no embeddings
        second = scan(source, LocalDetector(), catalog, jobs=2, embedder=FaceEmbedder())
        third = scan(source, LocalDetector(), catalog, jobs=2, embedder=FaceEmbedder())
        identities = gallery_identities(catalog, source_root=source.root)
    return Scanned(root, catalog_path, first, second, third, identities)


def _by_label(s: Scanned) -> dict[str, object]:
    return {s.identities.labels[k]: f for k, f in s.identities.report.faces.items()}


def test_the_scan_embeds_new_and_cached_detections_once(scanned: Scanned) -> None:
    assert scanned.first.embedded == 0 and scanned.first.ok == 3
    second = scanned.second
    assert second.failed == 0 and second.embed_errors == []
    assert second.cached == 3  # the kit photos were detected by the first scan...
    assert second.embedded == second.ok == 13  # ...and embedded by this one, like every other photo
    assert scanned.third.embedded == 0 and scanned.third.cached == 13 and scanned.third.detected == 0
    assert scanned.identities.embedded == scanned.identities.faces == 15


def test_the_wrong_person_is_an_outlier(scanned: Scanned) -> None:
    faces = _by_label(scanned)
    wrong = faces["obama/wrong.jpg"]
    assert wrong.consistent is False and wrong.distance > 0.6  # type: ignore[attr-defined]
    assert wrong.nearest is not None  # type: ignore[attr-defined]
    for name in ("obama/obama.jpg", "obama/obama1.jpg", "obama/obama2.jpg", "obama/copy.jpg"):
        assert faces[name].consistent is True, name  # type: ignore[attr-defined]
    assert scanned.identities.report.persons["obama"].order[0] in {
        k
        for k, label in scanned.identities.labels.items()
        if label.startswith(("obama/wrong", "obama/obama_and"))
    }


def test_the_group_photo_enrolls_obama_only(scanned: Scanned) -> None:
    faces = _by_label(scanned)
    group = {label: f for label, f in faces.items() if label.startswith("obama/obama_and_biden.jpg#")}
    assert len(group) == 3
    enrolled = [label for label, f in group.items() if f.enrolled]  # type: ignore[attr-defined]
    assert len(enrolled) == 1
    assert faces[enrolled[0]].consistent is True  # type: ignore[attr-defined]
    assert all(f.enrolled is False for label, f in group.items() if label != enrolled[0])  # type: ignore[attr-defined]


def test_the_resized_copy_is_a_duplicate_of_the_original(scanned: Scanned) -> None:
    faces = _by_label(scanned)
    assert faces["obama/copy.jpg"].duplicate_of == "obama/obama.jpg"  # type: ignore[attr-defined]
    assert faces["obama/obama.jpg"].duplicate_of is None  # type: ignore[attr-defined]
    assert faces["obama/obama1.jpg"].duplicate_of is None  # type: ignore[attr-defined]


def test_the_same_person_in_two_folders_is_a_double_enrollment(scanned: Scanned) -> None:
    pairs = [(d.person_a, d.person_b) for d in scanned.identities.report.double_enrollments]
    assert pairs == [("p01", "p01_again")]


def test_rules_with_identity_conditions_give_reasons(scanned: Scanned) -> None:
    base = load_rules("moderation-2.0")
    rules = RuleSet(
        "with-identity",
        (
            *base.conditions,
            make_condition("identity_consistent"),
            make_condition("enrolled_face"),
            make_condition("no_duplicate"),
        ),
    )
    with Catalog(scanned.catalog_path) as catalog:
        images = review(catalog, rules)
    results = {
        (img.row.name, f.row.index): {r.condition: r for r in f.verdict.results}
        for img in images
        for f in img.faces
    }
    wrong = results[("obama/wrong.jpg", 0)]["identity_consistent"]
    assert (
        wrong.outcome == "fail"
        and wrong.reason.startswith("distance ")
        and "from obama; most like" in wrong.reason
    )
    assert results[("obama/copy.jpg", 0)]["no_duplicate"].reason == "near-identical to obama/obama.jpg (kept)"
    assert results[("obama/obama.jpg", 0)]["identity_consistent"].outcome == "pass"
    group = [results[("obama/obama_and_biden.jpg", i)]["enrolled_face"].outcome for i in range(3)]
    assert sorted(group) == ["fail", "fail", "pass"]


def test_cli_report_identities_json(scanned: Scanned, capsys: pytest.CaptureFixture[str]) -> None:
    from facecurator.cli.main import main

    assert main(["report", "--identities", "--json", "--catalog", str(scanned.catalog_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["embedder"] == EMBEDDER_KEY and data["threshold"] == 0.6
    obama = next(p for p in data["persons"] if p["person"] == "obama")
    assert "obama/wrong.jpg" in obama["outliers"]
    assert [d["persons"] for d in data["double_enrollments"]] == [["p01", "p01_again"]]
    assert ["obama/obama.jpg", "obama/copy.jpg"] in data["duplicates"]
    by_face = {f["face"]: f for f in data["faces"]}
    assert by_face["obama/wrong.jpg"]["consistent"] is False
    assert by_face["obama/wrong.jpg"]["nearest_elsewhere"]["distance"] > 0


def test_export_manifest_carries_the_identity_results(
    scanned: Scanned, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from facecurator.cli.main import main

    catalog_copy = tmp_path / "catalog.sqlite3"
    with closing(sqlite3.connect(scanned.catalog_path)) as src, closing(sqlite3.connect(catalog_copy)) as dst:
        src.backup(dst)  # decisions go to a copy: the session's gallery stays pending
    with Catalog(catalog_copy) as catalog:
        catalog.decide([f.id for f in catalog.faces()], "accepted")
    dest = tmp_path / "out"
    assert main(["export", str(dest), "--catalog", str(catalog_copy), "--json"]) == 0
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    entries = {(e["image_name"], e["face_index"]): e for e in manifest["faces"]}
    assert entries[("obama/wrong.jpg", 0)]["identity_check"]["consistent"] is False
    assert entries[("obama/obama.jpg", 0)]["identity_check"]["consistent"] is True
    assert entries[("obama/copy.jpg", 0)]["identity_check"]["duplicate_of"] == "obama/obama.jpg"


# --------------------------------------------------------------------------- failures are data


class BrokenEmbedder:
    key = "broken"

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def embed_image(self, data: bytes, faces: object, *, name: str, long_side: int | None = None) -> object:
        raise DetectorError(f"{name}: face embedding failed: planted")

    def embed_decoded(self, rgb: object, faces: object, *, scale: float, name: str) -> object:
        with self._lock:
            self.calls += 1
        raise DetectorError(f"{name}: face embedding failed: planted")

    def clone(self) -> BrokenEmbedder:
        return self

    def close(self) -> None:
        pass


def test_an_embedding_failure_never_fails_the_image(corpus_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "g" / "obama"
    root.mkdir(parents=True)
    shutil.copy(corpus_dir / "people" / "obama" / "obama.jpg", root / "a.jpg")
    broken = BrokenEmbedder()
    with Catalog(tmp_path / "c.sqlite3") as catalog:
        report = scan(LocalFolderSource(root.parent), LocalDetector(), catalog, jobs=1, embedder=broken)  # type: ignore[arg-type]
        assert report.ok == 1 and report.failed == 0 and report.embedded == 0
        assert len(report.embed_errors) == 1 and "planted" in report.embed_errors[0][1]
        assert catalog.embeddings("broken") == ({}, {})
        assert len(catalog.faces()) == 1


def test_cli_scan_identities_embeds_and_the_json_faces_carry_the_checks(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from facecurator.cli.main import main

    root = tmp_path / "g" / "obama"
    root.mkdir(parents=True)
    for name in ("obama.jpg", "obama1.jpg"):
        shutil.copy(corpus_dir / "people" / "obama" / name, root / name)
    catalog = tmp_path / "c.sqlite3"
    assert main(["scan", str(root.parent), "--identities", "--json", "--catalog", str(catalog)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scan"]["embedded"] == 2 and data["scan"]["embed_errors"] == []
    checks = [face["identity_check"] for image in data["images"] for face in image["faces"]]
    assert [c["consistent"] for c in checks] == [True, True]
    assert all(c["person"] == "obama" and c["distance"] < 0.6 for c in checks)
    # with --no-identities nothing is embedded, and the faces carry no identity_check
    other = tmp_path / "c2.sqlite3"
    assert main(["scan", str(root.parent), "--no-identities", "--json", "--catalog", str(other)]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["scan"]["embedded"] == 0
    assert all("identity_check" not in face for image in plain["images"] for face in image["faces"])
    # by default: on for a source filed one folder per person...
    default = tmp_path / "c3.sqlite3"
    assert main(["scan", str(root.parent), "--json", "--catalog", str(default)]) == 0
    assert json.loads(capsys.readouterr().out)["scan"]["embedded"] == 2
    # ...off for a flat folder (no person to check)
    flat = tmp_path / "c4.sqlite3"
    assert main(["scan", str(root), "--json", "--catalog", str(flat)]) == 0
    assert json.loads(capsys.readouterr().out)["scan"]["embedded"] == 0


def test_a_plain_copy_scanned_with_its_original_gets_its_embeddings(
    corpus_dir: Path, tmp_path: Path, embedder: FaceEmbedder, catalog_target: str
) -> None:
    """A copy with a new mtime is a new identity with the same bytes: its detection is copied
    (never detected again), and so are the embeddings (else its identity checks are missing)."""
    import os

    root = tmp_path / "g"
    for person in ("obama", "obama_again"):
        (root / person).mkdir(parents=True)
    original = root / "obama" / "a.jpg"
    shutil.copy(corpus_dir / "people" / "obama" / "obama.jpg", original)
    copy = root / "obama_again" / "a.jpg"
    shutil.copyfile(original, copy)
    stat = original.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    with Catalog(catalog_target) as catalog:
        report = scan(LocalFolderSource(root), LocalDetector(), catalog, jobs=1, embedder=embedder.clone())
        assert report.ok == 2 and report.detected == 1 and report.embedded == 2
        rows = {Path(row.uri).parent.name: row for row in catalog.images()}
        assert rows["obama"].detection_id != rows["obama_again"].detection_id
        vectors, hashes = catalog.embeddings(EMBEDDER_KEY)
        faces = {row.image_id: row.id for row in catalog.faces()}
        a, b = (vectors[faces[rows[p].id]][1] for p in ("obama", "obama_again"))
        assert a == b and hashes[rows["obama"].id] == hashes[rows["obama_again"].id] is not None
