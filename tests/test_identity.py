"""Identity checks (pure): robust centre, outliers, enrolled face, duplicates, double enrollment, conditions.

Synthetic descriptors with known geometry: each person is a point in 128-d space,
their photos small jitters around it (same person ≈ 0.2–0.3 apart, different
people ≈ 1.0 apart, like dlib's scale). The corpus-backed checks are in
test_identity_corpus.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from facecurator.domain.face import Blur, Box, Face
from facecurator.domain.identity import (
    DEFAULT_THRESHOLD,
    FaceIdentity,
    FaceVector,
    check_gallery,
    face_quality,
    hamming,
    robust_centre,
)
from facecurator.domain.rules import ImageContext, RuleSet, make_condition

RNG = np.random.default_rng(14)
PEOPLE = {name: RNG.normal(size=128) / np.sqrt(128) * 0.75 for name in ("ann", "bob", "cy", "dee")}


def photo(person: str, jitter: float = 0.1) -> np.ndarray:
    return PEOPLE[person] + RNG.normal(size=128) * jitter / np.sqrt(128)


def fv(key: str, folder: str, vector: np.ndarray, *, image: str | None = None, **kw: object) -> FaceVector:
    return FaceVector(
        key=key, image=image or key, person=folder, label=f"{folder}/{key}", vector=vector, **kw
    )  # type: ignore[arg-type]


def test_people_are_apart_and_photos_together() -> None:
    """The synthetic geometry matches dlib's scale, so the tests below mean something."""
    assert np.linalg.norm(photo("ann") - photo("ann")) < 0.35
    assert np.linalg.norm(photo("ann") - photo("bob")) > 0.8


def test_robust_centre_follows_the_majority_not_the_outliers() -> None:
    vectors = np.array([photo("ann") for _ in range(4)] + [photo("bob"), photo("cy")])
    centre, members = robust_centre(vectors)
    assert centre is not None
    assert members.tolist() == [True] * 4 + [False, False]
    assert np.linalg.norm(centre - PEOPLE["ann"]) < 0.15
    # a plain mean would be dragged towards the outliers
    assert np.linalg.norm(vectors.mean(axis=0) - PEOPLE["ann"]) > np.linalg.norm(centre - PEOPLE["ann"])


def test_no_majority_means_no_identity() -> None:
    centre, _ = robust_centre(np.array([photo("ann"), photo("bob")]))
    assert centre is None
    centre, _ = robust_centre(np.array([photo("ann"), photo("bob"), photo("cy")]))
    assert centre is None
    # one photo is its own identity
    centre, _ = robust_centre(np.array([photo("ann")]))
    assert centre is not None


def test_faces_of_one_photo_are_one_vote() -> None:
    """Three faces of the same group photo cannot outvote two single photos."""
    vectors = np.array([photo("ann"), photo("ann"), photo("bob"), photo("bob"), photo("bob")])
    centre, _ = robust_centre(vectors, groups=["p1", "p2", "g", "g", "g"])
    assert centre is not None and np.linalg.norm(centre - PEOPLE["ann"]) < 0.2


def test_an_outlier_is_flagged_with_its_distance_and_the_photo_it_resembles() -> None:
    faces = [fv(f"ann{i}", "ann", photo("ann")) for i in range(3)]
    faces.append(fv("intruder", "ann", photo("bob")))
    faces += [fv(f"bob{i}", "bob", photo("bob")) for i in range(2)]
    report = check_gallery(faces)
    intruder = report.faces["intruder"]
    assert intruder.consistent is False and intruder.distance is not None and intruder.distance > 0.6
    assert intruder.nearest is not None and intruder.nearest[1] == "bob" and intruder.nearest[2] < 0.4
    assert all(report.faces[f"ann{i}"].consistent for i in range(3))
    ann = report.persons["ann"]
    assert ann.outliers == ("intruder",)
    assert ann.order[0] == "intruder"  # the strip shows outliers first
    assert ann.consistent == 3 and ann.faces == 4


def test_a_folder_without_majority_is_unknown_not_failed() -> None:
    report = check_gallery([fv("a", "mixed", photo("ann")), fv("b", "mixed", photo("bob"))])
    assert report.faces["a"].consistent is None and report.faces["a"].distance is None
    assert report.persons["mixed"].has_identity is False


def test_in_a_group_photo_the_folders_person_is_enrolled_and_the_others_are_not() -> None:
    faces = [fv(f"ann{i}", "ann", photo("ann")) for i in range(2)]
    faces += [
        fv("g0", "ann", photo("bob"), image="group"),
        fv("g1", "ann", photo("ann"), image="group"),
        fv("g2", "ann", photo("cy"), image="group"),
    ]
    report = check_gallery(faces)
    assert [report.faces[k].enrolled for k in ("g0", "g1", "g2")] == [False, True, False]
    assert report.faces["ann0"].enrolled is None  # single-face photos: not a group question


def test_a_group_photo_where_nobody_is_the_person_enrolls_no_one() -> None:
    faces = [fv(f"ann{i}", "ann", photo("ann")) for i in range(2)]
    faces += [fv("g0", "ann", photo("bob"), image="group"), fv("g1", "ann", photo("cy"), image="group")]
    report = check_gallery(faces)
    assert report.faces["g0"].enrolled is False and report.faces["g1"].enrolled is False


def test_near_identical_photos_are_grouped_and_the_best_kept() -> None:
    base = photo("ann")
    faces = [
        fv("orig", "ann", base, quality=300.0, phash=0xF0F0F0F0F0F0F0F0),
        fv("small_copy", "ann", base + 0.001, quality=120.0, phash=0xF0F0F0F0F0F0F0F1),  # hash 1 bit off
        fv(
            "same_shot", "ann", base + RNG.normal(size=128) * 0.05 / np.sqrt(128), quality=100.0
        ),  # 0.05 apart
        fv("other_day", "ann", photo("ann", jitter=0.3), quality=250.0, phash=0x0F0F0F0F0F0F0F0F),
    ]
    report = check_gallery(faces)
    assert report.duplicates == [["orig", "small_copy", "same_shot"]]
    assert report.faces["small_copy"].duplicate_of == "ann/orig"
    assert report.faces["same_shot"].duplicate_of == "ann/orig"
    assert report.faces["orig"].duplicate_of is None and report.faces["other_day"].duplicate_of is None


def test_duplicates_are_only_looked_for_within_a_person() -> None:
    v = photo("ann")
    report = check_gallery([fv("a", "ann", v, phash=1), fv("b", "ann2", v, phash=1)])
    assert report.duplicates == []


def test_two_folders_of_one_person_are_a_double_enrollment() -> None:
    faces = [fv(f"a{i}", "ann", photo("ann")) for i in range(3)]
    faces += [fv(f"b{i}", "ann_again", photo("ann")) for i in range(2)]
    faces += [fv(f"c{i}", "bob", photo("bob")) for i in range(2)]
    report = check_gallery(faces)
    assert [(d.person_a, d.person_b) for d in report.double_enrollments] == [("ann", "ann_again")]
    pair = report.double_enrollments[0]
    assert (
        pair.distance < 0.3
        and pair.closest[0].startswith("ann/")
        and pair.closest[1].startswith("ann_again/")
    )


def test_report_json_names_faces_by_label() -> None:
    faces = [fv(f"ann{i}", "ann", photo("ann")) for i in range(3)] + [fv("x", "ann", photo("bob"))]
    data = check_gallery(faces).to_json({"x": "ann/x.jpg"})
    assert data["persons"][0]["outliers"] == ["ann/x.jpg"]
    assert data["threshold"] == DEFAULT_THRESHOLD


def test_face_quality_prefers_bigger_and_sharper() -> None:
    big = Face(box=Box(0, 0, 300, 300), blur=Blur(10, "0-100"))
    small = Face(box=Box(0, 0, 100, 100), blur=Blur(10, "0-100"))
    blurry = Face(box=Box(0, 0, 300, 300), blur=Blur(90, "0-100"))
    assert face_quality(big) > face_quality(small)
    assert face_quality(big) > face_quality(blurry)


def test_hamming() -> None:
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(1 << 63, 0) == 1


# --------------------------------------------------------------------------- conditions


def _identity(**kw: object) -> FaceIdentity:
    base: dict[str, object] = dict(
        key=1,
        person="ann",
        distance=0.3,
        consistent=True,
        nearest=None,
        enrolled=None,
        duplicate_of=None,
        threshold=0.6,
    )
    base.update(kw)
    return FaceIdentity(**base)  # type: ignore[arg-type]


FACE = Face(box=Box(0, 0, 200, 200))


@pytest.mark.parametrize(
    ("found", "outcome", "reason"),
    [
        (_identity(distance=0.41), "pass", "distance 0.41 ≤ 0.6 from ann"),
        (
            _identity(distance=0.83, consistent=False, nearest=("bob/1.jpg", "bob", 0.38)),
            "fail",
            "distance 0.83 > 0.6 from ann; most like bob/1.jpg (0.38)",
        ),
        (_identity(distance=0.83, consistent=False), "fail", "distance 0.83 > 0.6 from ann"),
        (
            _identity(distance=None, consistent=None),
            "unknown",
            "the photos of ann do not agree on one person",
        ),
        (None, "unknown", "identity not measured (no face embedding)"),
    ],
)
def test_identity_consistent_condition(found: FaceIdentity | None, outcome: str, reason: str) -> None:
    condition = make_condition("identity_consistent")
    result = condition.evaluate(FACE, ImageContext(1, found))
    assert (result.outcome, result.reason) == (outcome, reason)
    assert condition.outcome(FACE, ImageContext(1, found)) == outcome


def test_identity_consistent_uses_its_own_limit() -> None:
    strict = make_condition("identity_consistent", max_distance=0.4)
    assert strict.evaluate(FACE, ImageContext(1, _identity(distance=0.45))).outcome == "fail"


def test_enrolled_face_condition() -> None:
    condition = make_condition("enrolled_face")
    assert condition.evaluate(FACE, ImageContext(1, _identity())).reason == "the only face in the photo"
    yes = condition.evaluate(FACE, ImageContext(3, _identity(enrolled=True)))
    no = condition.evaluate(FACE, ImageContext(3, _identity(enrolled=False, consistent=False)))
    assert (yes.outcome, no.outcome) == ("pass", "fail")
    assert no.reason == "not this person: not the face of ann in this photo"
    assert condition.evaluate(FACE, ImageContext(3)).outcome == "unknown"


def test_no_duplicate_condition() -> None:
    condition = make_condition("no_duplicate")
    dup = condition.evaluate(FACE, ImageContext(1, _identity(duplicate_of="ann/best.jpg")))
    assert (dup.outcome, dup.reason) == ("fail", "near-identical to ann/best.jpg (kept)")
    assert condition.evaluate(FACE, ImageContext(1, _identity())).outcome == "pass"


def test_identity_conditions_round_trip_through_toml() -> None:
    rules = RuleSet(
        "identity",
        (
            make_condition("identity_consistent", max_distance=0.55),
            make_condition("enrolled_face"),
            make_condition("no_duplicate"),
        ),
    )
    again = RuleSet.from_toml(rules.to_toml())
    assert again.conditions == rules.conditions
