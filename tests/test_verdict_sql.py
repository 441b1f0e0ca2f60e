"""The stored verdicts evaluated in SQL (domain/rules/verdict_sql.py, services/catalog/bulk.py)
are the ones the Python evaluation stores, on both backends: every condition kind with a SQL
form, several parameter sets, both unknown policies, over a grid of faces that includes every
unmeasured value, every blur scale and each limit exactly (issue 11: decide in seconds). The
``measure`` kind reads the stored measures JSON: its grid has each limit, the doubles either
side of it, JSON integers and exponents, null values and absent measures."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from helpers.evaluations import counted_evaluations

from facecurator.domain import face as scales
from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.measures import MEASURE_NAMES, Measure, MeasureSet
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.domain.rules import CONDITION_TYPES, RuleSet, load_rules, make_condition
from facecurator.domain.rules.verdict_sql import verdict_sql
from facecurator.services import browse
from facecurator.services.catalog import Catalog, bulk
from facecurator.services.catalog import queries as q
from facecurator.services.review import reasons_text, review

ROOT = "/grid"

#: Kinds evaluated in Python only (their verdicts need the whole gallery).
PYTHON_ONLY = {"identity_consistent", "enrolled_face", "no_duplicate"}

#: Measure values around the limits of the measure conditions below (0.5 and 0.3: the
#: neighbouring doubles, 0.1 + 0.2, a JSON integer, an exponent), null (not measurable)
#: and absent (None here).
MEASURE_VALUES: list[Any] = [
    None, Measure(None, "no eyes found"), Measure(0.5), Measure(math.nextafter(0.5, 0.0), "dark"),
    Measure(math.nextafter(0.5, 1.0)), Measure(0.3), Measure(math.nextafter(0.3, 0.0)), Measure(0.1 + 0.2),
    Measure(1), Measure(0), Measure(1e-05), Measure(0.7 - 0.2),
]  # fmt: skip


def _measures(k: int) -> MeasureSet:
    """Face ``k``'s measures: each name a different value of MEASURE_VALUES (none: every 7th face;
    each exactly at 0.5: every 11th, which qualify under every measure)."""
    if k % 7 == 3:
        return MeasureSet()
    if k % 11 == 0:
        return MeasureSet(dict.fromkeys(MEASURE_NAMES, Measure(0.5)))
    chosen = {name: MEASURE_VALUES[(k + 5 * n) % len(MEASURE_VALUES)] for n, name in enumerate(MEASURE_NAMES)}
    return MeasureSet({name: value for name, value in chosen.items() if value is not None})


def _faces() -> list[Face]:
    """A grid of faces: each attribute unmeasured, below, at and above the limits used below."""
    blurs = [None, Blur(24.9, scales.BLUR_SCALE_MODERATION_2), Blur(25.0, scales.BLUR_SCALE_MODERATION_2)]
    blurs += [Blur(5.0, scales.BLUR_SCALE_MODERATION_1), Blur(4.9, scales.BLUR_SCALE_MODERATION_1)]
    blurs += [Blur(25.0, scales.BLUR_SCALE_LOCAL), Blur(60.0, scales.BLUR_SCALE_LOCAL)]
    blurs += [Blur(10.0, "mystery-scale")]
    poses = [None, Pose(30.0, -30.0, 0.5), Pose(-30.5, 30.01, -20.0), Pose(0.0, 12.0, 20.0)]
    glasses: list[Any] = [None, "none", "glasses", "sunglasses"]
    flags: list[Any] = [None, False, True]
    faces = []
    for k, (blur, pose, glass, sun) in enumerate(itertools.product(blurs, poses, glasses, flags)):
        side = [111.9, 112.0, 200.0][k % 3]
        faces.append(
            Face(
                box=Box(1.0, 2.0, side, [side, 111.0, 300.0][k % 3]),
                confidence=[None, 0.9, 0.89, 0.99][k % 4],
                pose=pose,
                blur=blur,
                sharpness=[None, 0.5, 0.49][k % 3],
                quality=[None, 0.5, 0.7, 0.2][k % 4],
                integrity=[None, 80.0, 79.9][k % 3],
                glasses=glass,
                mask=flags[k % 3],
                hat=flags[(k + 1) % 3],
                eyes_closed=flags[(k + 2) % 3],
                age=[None, 17, 18, 65, 66][k % 5],
                sunglasses=sun,
                measures=_measures(k),
            )
        )
    return faces


def _rule_sets() -> list[RuleSet]:
    needs: dict[str, dict[str, Any]] = {"pose": {"axis": "pitch"}, "age_range": {"min": 18}}
    kinds = [kind for kind in CONDITION_TYPES if kind not in PYTHON_ONLY]
    every = [make_condition(kind, **needs.get(kind, {})) for kind in kinds]
    variants = [
        make_condition("blur", id="blur_m1", max=5.0, scale=scales.BLUR_SCALE_MODERATION_1),
        make_condition("blur", id="blur_local", max=25.0, scale=scales.BLUR_SCALE_LOCAL, convert=False),
        make_condition("pose", id="pitch", axis="pitch", max_degrees=30.0),
        make_condition("pose", id="yaw", axis="yaw", max_degrees=30.0),
        make_condition("pose", id="roll", axis="roll", max_degrees=20.0),
        make_condition("min_integrity", id="integrity_required", required=True),
        make_condition("age_range", id="adult", min=18),
        make_condition("age_range", id="young", max=65),
        make_condition("age_range", id="working", min=18, max=65),
        make_condition("face_count", id="two", count=2),
        make_condition("min_face_size", id="size", min_px=112.0),
        *(make_condition("measure", id=f"{name}_30", measure=name, min=0.3) for name in MEASURE_NAMES[:4]),
        make_condition("measure", id="tiny", measure="sharp", min=1e-05),
    ]
    every_measure = [make_condition("measure", measure=name) for name in MEASURE_NAMES]
    conditions = [c for c in every if c.kind not in ("age_range", "pose", "measure")]
    conditions += variants + every_measure
    return [
        RuleSet(name="all-fail", conditions=tuple(conditions), unknown="fail"),
        RuleSet(name="all-pass", conditions=tuple(conditions), unknown="pass"),
        RuleSet(name="none", conditions=(), unknown="fail"),
        load_rules("moderation-2.0"),
        load_rules("moderation-1.0"),
        load_rules("enrollment-strict"),
        load_rules("enrollment-iso"),
        RuleSet(name="measures-only", conditions=tuple(every_measure), unknown="fail"),
    ]


def _seed(catalog: Catalog) -> None:
    """The grid in images of 1, 2 and 3 faces (face_count), one unreadable image."""
    faces = _faces()
    with catalog.transaction():
        start, i = 0, 0
        while start < len(faces):
            group = faces[start : start + 1 + i % 3]
            start += len(group)
            name = f"img{i:04d}.jpg"
            ref = ImageRef(uri=f"{ROOT}/{name}", name=name, group="", size=1, mtime_ns=i)
            result = DetectionResult(group, 640, 480)
            detection = catalog.store_detection(f"id{i}", "import:test", "k", result)
            catalog.record_image(
                ref, source_root=ROOT, identity=f"id{i}", status="error" if i == 5 else "ok",
                error="broken" if i == 5 else None, detection_id=detection, width=640, height=480,
                detector="import:test",
            )  # fmt: skip
            i += 1


def _stored(catalog: Catalog, ruleset: int) -> list[tuple[Any, ...]]:
    with catalog._reading("verdicts") as db:
        rows = db.execute(
            "SELECT face_id, status, blur, outcomes FROM verdicts WHERE ruleset = ? ORDER BY face_id",
            (ruleset,),
        ).fetchall()
    return [tuple(row) for row in rows]


def test_every_sql_verdict_is_the_python_one(catalog_target: str) -> None:
    with Catalog(catalog_target) as catalog:
        _seed(catalog)
        image_ids = [row.id for row in catalog.images(source_root=ROOT)]
        statuses: dict[str, set[int]] = {}
        for rules in _rule_sets():
            in_sql = verdict_sql(rules, bulk.FACE_COLUMNS)
            assert in_sql is not None, rules.name
            python = q.ruleset_id(catalog, f"python-{rules.name}", rules.name)
            sql = q.ruleset_id(catalog, f"sql-{rules.name}", rules.name)
            browse.store_verdicts(catalog, python, review(catalog, rules, image_ids=image_ids))
            stored = bulk.store_verdicts_sql(catalog, sql, in_sql, source_root=ROOT, id_range=(1, 10**9))
            expected = _stored(catalog, python)
            assert stored == len(expected) > 300, rules.name
            got = _stored(catalog, sql)
            assert got == expected, next((a, b) for a, b in zip(got, expected, strict=True) if a != b)
            statuses[rules.name] = {row[1] for row in got}
            # a second fill stores nothing more (only the missing verdicts are evaluated)
            assert bulk.store_verdicts_sql(catalog, sql, in_sql, source_root=ROOT, id_range=(1, 10**9)) == 0
    # the grid has unqualified and unknown faces, qualified ones under the presets
    assert statuses["none"] == {1}
    assert statuses["moderation-2.0"] == {0, 1, 2}
    assert statuses["measures-only"] == {0, 1, 2}


@pytest.mark.parametrize("kind", sorted(PYTHON_ONLY))
def test_a_rule_set_with_a_kind_not_in_sql_is_evaluated_in_python(kind: str) -> None:
    condition_type = CONDITION_TYPES.get(kind)
    if condition_type is None:
        pytest.skip(f"no condition kind {kind!r} in this build")
    rules = RuleSet(name="x", conditions=(condition_type(),), unknown="fail")
    assert verdict_sql(rules, bulk.FACE_COLUMNS) is None


def _reasons(catalog: Catalog, ruleset: int) -> dict[int, Any]:
    with catalog._reading("verdicts") as db:
        rows = db.execute("SELECT face_id, reasons FROM verdicts WHERE ruleset = ?", (ruleset,)).fetchall()
    return {face: reasons for face, reasons in rows}


def test_the_reasons_stored_with_a_verdict_are_the_evaluations(
    catalog_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``decide --reject-unqualified`` writes each face's reasons from its stored verdict: a verdict
    stored in SQL gets them once (fill_reasons: only the faces not qualified are evaluated, a chunk
    at a time), a verdict stored in Python has them already; either way each is exactly
    ``"; ".join(evaluate(face).reasons)`` (every kind, both unknown policies, the face grid)."""
    evaluated = counted_evaluations(monkeypatch)
    with Catalog(catalog_target) as catalog:
        _seed(catalog)
        image_ids = [row.id for row in catalog.images(source_root=ROOT)]
        for rules in _rule_sets():
            faces = [face for image in review(catalog, rules, image_ids=image_ids) for face in image.faces]
            expected = {face.id: reasons_text(face.verdict) for face in faces}
            against = {face.id for face in faces if not face.verdict.qualified}
            browse.fill_verdicts(catalog, rules)  # in SQL: no reasons yet
            ruleset = browse.ruleset_id(catalog, rules)
            assert set(_reasons(catalog, ruleset).values()) <= {None}, rules.name
            evaluated.clear()
            assert browse.fill_reasons(catalog, rules, chunk=50)
            assert sum(evaluated) == len(against) and max(evaluated, default=0) <= 50, rules.name
            stored = _reasons(catalog, ruleset)
            got = {face: text for face, text in stored.items() if face in against}
            assert got == {face: expected[face] for face in against}, rules.name
            assert all(stored[face] is None for face in expected if face not in against)  # never needed
            # stored in Python: the same texts ('' for a qualified face)
            python = q.ruleset_id(catalog, f"python-{rules.name}", rules.name)
            browse.store_verdicts(catalog, python, review(catalog, rules, image_ids=image_ids))
            assert _reasons(catalog, python) == expected, rules.name
            evaluated.clear()
            assert browse.fill_reasons(catalog, rules)  # stored: nothing is evaluated again
            assert evaluated == [], rules.name
    assert any(len(set(_t.split("; "))) > 1 for _t in expected.values())  # several reasons in one line
