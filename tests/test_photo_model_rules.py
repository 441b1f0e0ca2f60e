"""Issue 18 cost: the CLIP photograph model runs only for rules that use a measure it feeds.

As a user would: a real photo (the committed astronaut, enlarged so that every other
enrollment-strict condition qualifies its face) scanned into a real catalog under the default
preset (moderation-2.0) does not run the model, and its detection is stored under another
settings key; its ``photograph`` (and the measures the condition probes could have failed) are
unknown with the reason, so enrollment-strict never qualifies it. A scan under
enrollment-strict then re-detects exactly that image with the model; a moderation scan after
it reuses the model's detection (nothing paid twice). The CLI says how many faces lack the check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import clip_reasons, photo_model
from facecurator.detect.registry import make_detector
from facecurator.domain.rules import load_rules
from facecurator.services.catalog import Catalog
from facecurator.services.jobs import scan
from facecurator.services.review import review
from facecurator.sources.local import LocalFolderSource

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model_installed() -> None:
    m = photo_model.PhotoModel()
    if not m.available():
        pytest.skip(f"{m.probe.reason(photo_model.REASON_MISSING)}: scripts/install.sh installs it")


@pytest.fixture
def folder(tmp_path: Path, model_installed: None) -> Path:
    """One photo whose face qualifies under every other enrollment-strict condition."""
    import cv2
    from PIL import Image

    from facecurator import paths

    with Image.open(paths.resource_path("selftest", "astronaut.jpg")) as img:
        rgb = np.asarray(img.convert("RGB"))
    big = cv2.resize(rgb, None, fx=2, fy=2, interpolation=cv2.INTER_LANCZOS4)
    root = tmp_path / "photos" / "astronaut"
    root.mkdir(parents=True)
    Image.fromarray(big).save(root / "astronaut.png")
    return root.parent


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many faces the CLIP model read in this process (every worker's detector)."""
    counted: list[int] = []
    real = photo_model.PhotoModel.read

    def read(self: photo_model.PhotoModel, rgb: Any, mesh: Any) -> Any:
        counted.append(1)
        return real(self, rgb, mesh)

    monkeypatch.setattr(photo_model.PhotoModel, "read", read)
    yield counted


def _scan(folder: Path, catalog_path: Path, rules: str) -> tuple[Any, str]:
    detector = make_detector("local", rules=load_rules(rules))
    try:
        with Catalog(catalog_path) as catalog:
            return scan(LocalFolderSource(folder), detector, catalog, jobs=1), detector.settings_key
    finally:
        detector.close()


def _face(catalog_path: Path, rules: str) -> Any:
    with Catalog(catalog_path) as catalog:
        (image,) = review(catalog, load_rules(rules))
    (face,) = image.faces
    return face


def test_the_default_rules_do_not_run_the_model_and_strict_rules_re_detect_with_it(
    folder: Path, tmp_path: Path, reads: list[int]
) -> None:
    catalog_path = tmp_path / "catalog.sqlite3"
    report, moderation_key = _scan(folder, catalog_path, "moderation-2.0")
    assert report.detected == 1 and not reads  # the model did not run
    assert moderation_key.endswith(clip_reasons.NO_MODEL_KEY)
    face = _face(catalog_path, "enrollment-strict")
    photo = face.face.measures["photograph"]
    assert photo.value is None and photo.reason == clip_reasons.REASON_NO_MODEL  # unknown, never a pass
    for fed in ("eyes_visible", "nose_mouth_visible"):  # what the probes could have failed: unknown too
        assert face.face.measures[fed].value is None, fed
    assert not face.verdict.qualified
    unknown = [r.reason for r in face.verdict.results if r.outcome == "unknown"]
    assert any(clip_reasons.REASON_NO_MODEL in reason for reason in unknown), unknown  # the reason shown
    assert _face(catalog_path, "moderation-2.0").verdict.qualified  # what the default rules ask is there
    with Catalog(catalog_path) as catalog:
        assert catalog.unchecked_faces(clip_reasons.NO_MODEL_KEY, clip_reasons.REASON_NO_MODEL) == (1, 1)

    report, strict_key = _scan(folder, catalog_path, "enrollment-strict")
    assert strict_key != moderation_key and not strict_key.endswith(clip_reasons.NO_MODEL_KEY)
    assert report.detected == 1 and len(reads) == 1  # re-detected, the model read its face
    face = _face(catalog_path, "enrollment-strict")
    assert face.face.raw["photo_model"]["checked"] is True
    assert face.face.measures["photograph"].value == 1.0 and face.verdict.qualified
    with Catalog(catalog_path) as catalog:
        assert catalog.unchecked_faces(clip_reasons.NO_MODEL_KEY, clip_reasons.REASON_NO_MODEL) == (0, 0)

    # back under the default rules: the model's detection serves them, nothing is detected again
    report, _ = _scan(folder, catalog_path, "moderation-2.0")
    assert report.detected == 0 and report.cached == 1 and len(reads) == 1
    assert _face(catalog_path, "enrollment-strict").face.measures["photograph"].value == 1.0


def test_settings_keys_tell_the_model_and_the_probes_apart(model_installed: None) -> None:
    with_model, without = LocalDetector(), LocalDetector(photo_model=False)
    assert with_model.settings_key == with_model.settings.key  # local-v45's key: its detections ran it
    assert without.settings_key != with_model.settings_key
    assert without.reusable_keys == (with_model.settings_key, without.settings_key)  # the model's first
    assert with_model.reusable_keys == (with_model.settings_key,)  # a scan without it never serves
    no_probes = LocalDetector()
    no_probes._photo.conditions = ()  # clip_conditions.json missing or fitted on another embedding
    assert no_probes.settings_key == with_model.settings_key + ";probes=off"
    assert make_detector("local").settings_key == with_model.settings_key  # no rules: as before
    for preset, runs in (
        ("moderation-1.0", False),
        ("moderation-2.0", False),
        ("enrollment-strict", True),
        ("enrollment-iso", True),  # eyes_visible, nose_mouth_visible: fed by the probes
    ):
        assert make_detector("local", rules=load_rules(preset)).settings.photo_model is runs, preset


def test_the_measures_the_model_feeds_come_from_its_files(tmp_path: Path) -> None:
    assert clip_reasons.model_measures() == {
        "photograph",
        "photograph_model",
        *(p["measure"] for p in json.loads(clip_reasons.CONDITIONS_FILE.read_text())["probes"].values()),
    }
    assert {"eyes_visible", "nose_mouth_visible"} <= clip_reasons.model_measures()
    assert clip_reasons.model_measures(tmp_path / "missing.json") == {"photograph", "photograph_model"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "facecurator", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_the_cli_scans_for_its_rules_and_says_what_lacks_the_model(folder: Path, catalog_target: str) -> None:
    """On a SQLite file, then on a PostgreSQL catalog (where ``status`` also says it)."""
    catalog = catalog_target
    done = _cli("scan", str(folder), "--catalog", catalog, "--rules", "moderation-2.0", "--json")
    assert done.returncode == 0, done.stderr
    (image,) = json.loads(done.stdout)["images"]
    assert image["faces"][0]["qualified"] is True
    done = _cli("report", "--catalog", catalog, "--rules", "enrollment-strict")
    assert done.returncode == 0, done.stderr
    assert "1 faces in 1 images not checked by the CLIP photograph model" in done.stderr
    assert "scan --rules enrollment-strict" in done.stderr
    done = _cli("report", "--catalog", catalog, "--rules", "enrollment-strict", "--json")
    body = json.loads(done.stdout)
    assert body["not_checked_by_photo_model"] == {"images": 1, "faces": 1}
    assert body["images"][0]["faces"][0]["qualified"] is False
    assert any(clip_reasons.REASON_NO_MODEL in r for r in body["images"][0]["faces"][0]["reasons"])
    if catalog.startswith("postgresql:"):  # status of shared scans: server catalogs only
        done = _cli("status", "--catalog", catalog)
        assert "1 faces in 1 images not checked" in done.stdout, done.stdout + done.stderr
    done = _cli("scan", str(folder), "--catalog", catalog, "--rules", "enrollment-strict", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["scan"]["detected"] == 1 and body["images"][0]["faces"][0]["qualified"] is True
    done = _cli("report", "--catalog", catalog, "--rules", "enrollment-strict", "--json")
    assert json.loads(done.stdout)["not_checked_by_photo_model"] == {"images": 0, "faces": 0}


def test_a_shared_scan_without_the_model_counts_a_detection_made_with_it(pg_url: str) -> None:
    """The server catalog's identity lookup of a long shared scan (image_gate.CatalogKnown) takes
    every reusable key: an image detected with the model is known to a scan without it."""
    from facecurator.domain.protocols import DetectionResult
    from facecurator.services.image_gate import CatalogKnown

    with_model, without = LocalDetector(), LocalDetector(photo_model=False)
    with Catalog(pg_url) as catalog:
        catalog.store_detection("id-1", "local", with_model.settings_key, DetectionResult([], 10, 10))
        location = catalog.location
    known = CatalogKnown(location, "local", without.reusable_keys)
    alone = CatalogKnown(location, "local", (without.settings_key,))
    strict = CatalogKnown(location, "local", with_model.reusable_keys)
    try:
        assert "id-1" in known and "id-1" in strict
        assert "id-1" not in alone  # the key alone would detect it again
        assert "id-2" not in known
    finally:
        for each in (known, alone, strict):
            each.close()
