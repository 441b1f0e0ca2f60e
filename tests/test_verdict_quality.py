"""The verdict-quality harness of issue 18 (benchmarks/verdict_quality.py, benchmarks/truthset/).

The unit tests run everywhere (no Qt, no corpus): label files, matching a
labelled face to a detection, the confusion and preset counts (the derived
variants on a synthetic face: tests/test_derived_variants.py). The corpus test runs the harness on the TEST
split of the truth set (corpus, the gathered photos when they are on the
machine, and derived variants) and checks the issue's targets — marked xfail
until the measures of issue 18 are in — and that the harness itself works.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import verdict_quality as vq
from benchmarks.truthset import derive
from benchmarks.truthset.detections import DetectionCache
from benchmarks.truthset.labels import (
    ATTRIBUTES,
    LABELS_CSV,
    Label,
    check,
    read_labels,
    split_table,
    write_labels,
)
from facecurator.domain.face import BLUR_SCALE_LOCAL, Blur, Box, Face, Measure, MeasureSet, Pose
from facecurator.domain.measures import MEASURE_NAMES

# --------------------------------------------------------------------------- helpers


def _label(
    x: float = 0.5, y: float = 0.5, split: str = "test", path: Path | None = None, **attrs: int | None
) -> Label:
    values: dict[str, bool | None] = {a: False for a in ATTRIBUTES}
    values.update({k: None if v is None else bool(v) for k, v in attrs.items()})
    return Label(
        set="corpus",
        file=f"f{x:.2f}_{y:.2f}.jpg" if path is None else path.name,
        source="github:o/r",
        split=split,
        face_x=x,
        face_y=y,
        attrs=values,
        path=path,
    )


def _face(x: float, y: float, w: float, h: float, **kw: object) -> Face:
    return Face(box=Box(x, y, w, h), **kw)  # type: ignore[arg-type]


def _good_face(x: float = 0, y: float = 0, side: float = 200) -> Face:
    """A face every built-in preset qualifies (frontal, sharp, no sunglasses, eyes open, no mask)."""
    return _face(
        x,
        y,
        side,
        side,
        confidence=0.99,
        pose=Pose(0, 0, 0),
        blur=Blur(5.0, BLUR_SCALE_LOCAL),
        glasses="none",
        mask=False,
        eyes_closed=False,
        raw={"ear": [0.3, 0.3], "landmark_kind": "mesh-5"},
        measures=MeasureSet({name: Measure(0.9) for name in MEASURE_NAMES}),
    )


# --------------------------------------------------------------------------- labels


def test_label_file_round_trip_and_flags(tmp_path: Path) -> None:
    labels = [_label(0.25, 0.5, sunglasses=1, left_eye_closed=None), _label(0.75, 0.5, clear_glasses=1)]
    path = tmp_path / "labels.csv"
    write_labels(path, labels)
    back = read_labels(path)
    assert [dict(b.attrs) for b in back] == [dict(a.attrs) for a in labels]
    assert back[0].must_not and not back[0].clean and back[0].flags == ("sunglasses",)
    assert back[1].clean and not back[1].must_not  # clear glasses are allowed
    undecided = _label(yaw_over30=None)
    assert not undecided.clean and not undecided.must_not


def test_bad_label_rows_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    write_labels(path, [_label()])
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([text[0], text[1].replace(",test,", ",later,")]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.csv:2"):
        read_labels(path)


def test_check_finds_a_source_in_both_splits() -> None:
    assert check([_label(0.2, 0.5, split="tune"), _label(0.8, 0.5, split="test")]) == [
        "source github:o/r is in both splits (corpus:f0.80_0.50.jpg)"
    ]


def test_committed_labels_are_valid() -> None:
    labels = read_labels(LABELS_CSV)
    assert labels and check(labels) == []
    for split in ("tune", "test", "test2"):
        part = [lb for lb in labels if lb.split == split]
        assert any(lb.clean for lb in part) and any(lb.must_not for lb in part), split


def test_the_fresh_test2_part_is_its_own_split() -> None:
    """test2 (session 13) is reported apart: its sources are in no other split, so ``--split
    test`` keeps meaning the old held-out part, and the split table has a column of its own."""
    labels = read_labels(LABELS_CSV)
    fresh = [lb for lb in labels if lb.split == "test2"]
    assert sum(lb.must_not for lb in fresh) >= 60 and sum(lb.clean for lb in fresh) >= 40
    assert {lb.source for lb in fresh}.isdisjoint(lb.source for lb in labels if lb.split != "test2")
    assert check([_label(0.2, 0.5, split="test"), _label(0.8, 0.5, split="test2")]) == [
        "source github:o/r is in both splits (corpus:f0.80_0.50.jpg)"
    ]
    head, faces = split_table(labels).splitlines()[:2]
    assert head.split() == ["tune", "test", "test2"]
    assert faces.split()[1:] == [str(sum(lb.split == s for lb in labels)) for s in ("tune", "test", "test2")]


# --------------------------------------------------------------------------- matching


def test_match_takes_the_box_containing_the_centre_nearest_its_middle() -> None:
    big = _face(0, 0, 100, 100)
    small = _face(10, 10, 30, 30)
    far = _face(150, 0, 40, 40)
    detected = vq.Detected(200, 100, (big, small, far))
    assert vq.match_face((0.1, 0.2), detected) == 1  # inside both, nearer the small box's centre
    assert vq.match_face((0.2, 0.45), detected) == 0  # inside both, nearer the big box's centre
    assert vq.match_face((0.4, 0.8), detected) == 0  # only inside the big box
    assert vq.match_face((0.85, 0.2), detected) == 2
    assert vq.match_face((0.85, 0.9), detected) is None  # inside no box
    assert vq.match_face((0.5, 0.5), vq.Detected(0, 0, (), error="broken")) is None


def test_match_uses_fractions_of_width_and_height() -> None:
    # a wide image: x is a fraction of the width, y of the height (swapping them misses)
    detected = vq.Detected(1000, 100, (_face(700, 10, 50, 50),))
    assert vq.match_face((0.72, 0.3), detected) == 0
    assert vq.match_face((0.3, 0.72), detected) is None


# --------------------------------------------------------------------------- counting


def _evaluate(pairs: list[tuple[Label, vq.Detected]]) -> list[vq.Outcome]:
    detections = {}
    labels = []
    for i, (label, detected) in enumerate(pairs):
        path = Path(f"/nowhere/img{i}.jpg")
        detections[path] = detected
        labels.append(Label(**{**label.__dict__, "path": path, "file": path.name}))
    return vq.evaluate(labels, detections, vq.load_presets())


def test_confusion_counts_each_face_once() -> None:
    found = vq.Detected(400, 400, (_good_face(100, 100),))
    shades = vq.Detected(400, 400, (_good_face(100, 100).with_changes(glasses="sunglasses"),))
    unmeasured = vq.Detected(400, 400, (_good_face(100, 100).with_changes(glasses=None),))
    nothing = vq.Detected(400, 400, ())
    outcomes = _evaluate(
        [
            (_label(sunglasses=1), shades),  # TP
            (_label(sunglasses=1), found),  # FN
            (_label(sunglasses=0), shades),  # FP
            (_label(sunglasses=0), found),  # TN
            (_label(sunglasses=0), found),  # TN
            (_label(sunglasses=1), unmeasured),  # unknown
            (_label(sunglasses=None), shades),  # not labelled: not counted
            (_label(sunglasses=1), nothing),  # not found
        ]
    )
    assert vq.confusion(outcomes, "sunglasses") == {
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "tn": 2,
        "unknown": 1,
        "unlabelled": 1,
        "not_found": 1,
        "present": 3,
        "absent": 3,
    }
    # a detector that does not provide the measure: every found face with a label is "unknown"
    bare = vq.Detected(400, 400, (_face(100, 100, 200, 200),))
    outcomes = _evaluate([(_label(), bare)] * 3)
    assert vq.confusion(outcomes, "not_photo")["unknown"] == 3


def test_preset_summary_counts_false_qualified_and_portraits() -> None:
    good = vq.Detected(400, 400, (_good_face(100, 100),))
    small = vq.Detected(400, 400, (_good_face(170, 170, side=60),))
    outcomes = _evaluate(
        [
            (_label(), good),  # clean portrait, qualifies
            (_label(), small),  # clean, sole face, but too small to be a portrait
            (_label(eyes_occluded=1), good),  # must-not that qualifies: false-qualified
            (_label(blurred=1), vq.Detected(400, 400, ())),  # must-not, not found
        ]
    )
    s = vq.preset_summary(outcomes, "enrollment-strict", 112)
    assert s["false_qualified"] == 1
    assert s["false_qualified_faces"][0]["flags"] == ["eyes_occluded"]
    assert s["must_not"] == {"faces": 2, "found": 1}
    assert s["by_flag"]["eyes_occluded"] == {"faces": 1, "found": 1, "qualified": 1}
    assert s["by_flag"]["blurred"] == {"faces": 1, "found": 0, "qualified": 0}
    assert s["clean"] == {"faces": 2, "found": 2, "qualified": 1}  # the small face fails min_face_size
    assert (s["portraits"]["faces"], s["portraits"]["qualified"]) == (1, 1)


def test_enrollment_presets_are_evaluated_without_the_one_face_condition() -> None:
    presets = vq.load_presets()
    assert {"enrollment-strict", "moderation-2.0"} <= set(presets)
    assert all(c.kind != "face_count" for c in presets["enrollment-strict"].conditions)
    two = vq.Detected(800, 400, (_good_face(50, 50), _good_face(450, 50)))
    outcomes = _evaluate([(_label(0.2, 0.3), two)])
    assert outcomes[0].qualified["enrollment-strict"]


def test_detection_cache_round_trip(tmp_path: Path) -> None:
    cache = DetectionCache(tmp_path, "local-v3;x", "abc")
    detected = vq.Detected(640, 480, (_good_face(10, 20),))
    cache.put("f" * 64, detected)
    assert cache.get("f" * 64) == detected
    assert DetectionCache(tmp_path, "local-v3;y", "abc").get("f" * 64) is None  # other settings
    assert DetectionCache(tmp_path, "local-v3;x", "abd").get("f" * 64) is None  # other code


# --------------------------------------------------------------------------- the truth set (corpus)


@pytest.fixture(scope="module")
def test_split() -> vq.Run:
    from benchmarks.truthset.labels import corpus_root, gathered_root

    if not (corpus_root() / "MANIFEST.csv").is_file():
        pytest.skip(f"corpus not available at {corpus_root()} (../shared exists only on our machines)")
    sets = ("corpus", "gathered", "derived") if gathered_root() else ("corpus", "derived")
    # a few clean faces per split give every derived variant; the cache makes re-runs fast
    return vq.run(splits=("test",), sets=sets, cache_dir=vq.default_cache_dir(), derive_limit=6)


@pytest.mark.corpus
def test_harness_counts_add_up(test_split: vq.Run) -> None:
    s = test_split.figures["splits"]["test"]
    # the clean-preserving variants count apart (``clean_variants``), in no other figure
    outcomes = [o for o in test_split.outcomes if o.label.split == "test" and not vq.is_camera_variant(o)]
    assert s["faces"] == len(outcomes) and s["found"] == sum(o.found for o in outcomes)
    assert s["faces"] == s["found"] + len(s["not_found"])
    for attr, c in s["attributes"].items():
        labelled = sum(o.label.attrs.get(attr) is not None for o in outcomes)
        assert c["tp"] + c["fp"] + c["fn"] + c["tn"] + c["unknown"] + c["not_found"] == labelled, attr
        assert c["tp"] + c["fp"] + c["fn"] + c["tn"] + c["unknown"] + c["unlabelled"] == s["found"], attr
        assert c["tp"] + c["fn"] <= c["present"] and c["fp"] + c["tn"] <= c["absent"], attr
        assert c["tp"] + c["fp"] + c["fn"] + c["tn"] + c["unknown"] == c["present"] + c["absent"], attr
    for name, p in s["presets"].items():
        assert p["false_qualified"] == len(p["false_qualified_faces"]) <= p["must_not"]["found"], name
        assert p["clean"]["qualified"] <= p["clean"]["found"] <= p["clean"]["faces"], name
        assert p["portraits"]["qualified"] <= p["portraits"]["faces"] <= p["clean"]["faces"], name
        for flag, f in p["by_flag"].items():
            assert f["qualified"] <= f["found"] <= f["faces"], (name, flag)


@pytest.mark.corpus
def test_harness_finds_the_labelled_faces(test_split: vq.Run) -> None:
    outcomes = [o for o in test_split.outcomes if o.label.split == "test"]
    corpus = [o for o in outcomes if o.label.set == "corpus"]
    # every clean single-face portrait of the corpus is matched (coordinates, orientation, matching)
    portraits = [o for o in corpus if o.label.clean and o.sole]
    assert portraits and all(o.found for o in portraits), [o.label.key for o in portraits if not o.found]
    assert sum(o.found for o in corpus) >= 0.8 * len(corpus)
    derived = [o for o in outcomes if o.label.set == "derived"]
    # the variants that can be made here (the real hands only where their photos are)
    made = [v for v in derive.VARIANTS if v.available is None or v.available("test")]
    assert len(derived) >= 6 * len(made) * 0.5
    assert sum(o.found for o in derived) >= 0.8 * len(derived)
    # a face is matched to the detection at its centre: the detection box contains the label's point
    for o in outcomes:
        if o.face is not None:
            d = test_split.detections[o.label.path]  # type: ignore[index]
            x, y = o.label.face_x * d.width, o.label.face_y * d.height
            b = o.face.box
            assert b.x <= x <= b.x + b.w and b.y <= y <= b.y + b.h, o.label.key


ISSUE_18 = (
    "issue 18 target not reached (local-v52): test split, enrollment-strict qualifies 17 of 156 real"
    " must-not faces (13 renders or GAN faces: 10 of the 12 StyleGAN faces of aws-samples, 2"
    " PaddleGAN outputs, 1 vladmandic/human CGI render -- local-v52's CLIP probe, re-fitted on the"
    " tune part with synth18's and synth19's generated faces and the tune sketch / cartoon variants,"
    " catches the PhotoMaker painting and cgi-model-13 and lets 2 more aws-samples faces pass than"
    " local-v51's; 1 dim low-key portrait, 1 light-tinted lens, 1 laugh with both eyes shut, 1"
    " fingertip over the lips) and 4 of 930 variants (1 real hand over an eye, 1 from the side, 1"
    " brown filter lens, 1 gradient; 2 of 810 without the real hands, whose photos CI does not have);"
    " test2 47 of 318 (52 at local-v51; 10 of synth19's 97 generated faces); moderation-2.0 16 of 225"
    " sunglasses faces (1 of 15 real; 15 lens variants); the condition probes re-fitted at local-v49"
    " and local-v50 and local-v51's two lens rules (masked faces, one strong lens edge) changed no"
    " test or test2 verdict"
)


def _gathered_here() -> bool:
    from benchmarks.truthset.labels import gathered_root

    return gathered_root() is not None


@pytest.mark.corpus
# Without the gathered photos (a clean clone in CI) the test split is the corpus' own faces, on
# which the target holds: a plain test there (an XPASS would hide a regression), xfail with them.
@pytest.mark.xfail(condition=_gathered_here(), strict=False, reason=ISSUE_18)
def test_enrollment_strict_qualifies_no_must_not_face(test_split: vq.Run) -> None:
    p = test_split.figures["splits"]["test"]["presets"]["enrollment-strict"]
    assert p["false_qualified"] == 0, [f["face"] for f in p["false_qualified_faces"]]


@pytest.mark.corpus
def test_enrollment_strict_qualifies_clean_frontal_portraits(test_split: vq.Run) -> None:
    q = test_split.figures["splits"]["test"]["presets"]["enrollment-strict"]["portraits"]
    assert q["faces"] > 0 and q["qualified"] >= 0.9 * q["faces"], q["not_qualified"]


@pytest.mark.corpus
def test_enrollment_strict_qualifies_no_face_rolled_beyond_30(test_split: vq.Run) -> None:
    p = test_split.figures["splits"]["test"]["presets"]["enrollment-strict"]
    assert p["by_flag"]["roll_over30"]["qualified"] == 0, [
        f["face"] for f in p["false_qualified_faces"] if "roll_over30" in f["flags"]
    ]


@pytest.mark.corpus
@pytest.mark.xfail(strict=False, reason=ISSUE_18)
def test_moderation_qualifies_no_face_with_sunglasses(test_split: vq.Run) -> None:
    p = test_split.figures["splits"]["test"]["presets"]["moderation-2.0"]
    assert p["by_flag"]["sunglasses"]["qualified"] == 0, [
        f["face"] for f in p["false_qualified_faces"] if "sunglasses" in f["flags"]
    ]


@pytest.mark.corpus
def test_enrollment_strict_rejects_a_hand_over_half_the_mouth(test_split: vq.Run) -> None:
    # fingers from the side over one mouth corner (truthset/cover_variants.py, half_mouth_hand):
    # 23 of 30 test variants qualified at local-v34; read since local-v36 as lines across the
    # lower cheek (detect/quality/fingers.py, docs/local-detector-fingers.md)
    hands = [
        o for o in test_split.outcomes if o.label.split == "test" and o.label.variant == "half_mouth_hand"
    ]
    found = [o for o in hands if o.found]
    assert len(found) >= 3, [o.label.key for o in hands]
    assert not [o.label.key for o in found if o.qualified.get("enrollment-strict")]


#: Clean camera variants (truthset/camera_variants.py) that enrollment-strict may reject, per kind,
#: among the few clean test faces the fixture derives them from: the misses of local-v34 (lower,
#: never raise). Counted as misses, not as a floor of qualified faces, because how many sources
#: the fixture has depends on the machine: 6 where the gathered photos lie beside the repository,
#: 3 from the corpus alone (a clean clone in CI); local-v34 misses the same or fewer on the three.
CAMERA_MISSES = {
    "cast_blue": 0, "cast_green": 0, "cast_magenta": 1, "cast_tungsten": 1, "exposure_down": 0,
    "exposure_up": 1, "film_grade": 0, "half_size": 1, "iso_noise": 0, "jpeg_mild": 1,
    "lossless_png": 1, "roll10": 1,
}  # fmt: skip


@pytest.mark.corpus
def test_enrollment_strict_keeps_clean_faces_under_camera_differences(test_split: vq.Run) -> None:
    kinds = test_split.figures["splits"]["test"]["clean_variants"]["enrollment-strict"]
    assert set(kinds) == set(CAMERA_MISSES)
    for name, allowed in CAMERA_MISSES.items():
        assert kinds[name]["faces"] >= 3, (name, kinds[name]["faces"])
        missed = kinds[name]["faces"] - kinds[name]["qualified"]
        assert missed <= allowed, (name, kinds[name]["not_qualified"])
