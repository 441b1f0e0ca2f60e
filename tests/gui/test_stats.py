"""The statistics panel: histogram counts match numpy, blur stays per scale, condition outcomes add up."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.rules import DEFAULT_PRESET, ImageContext, load_rules
from facecurator.gui.stats import ANGLE_EDGES, StatsPanel, face_statistics
from facecurator.services.catalog import PENDING, FaceRow, ImageRow
from facecurator.services.review import ReviewedFace

pytestmark = pytest.mark.gui

SCALES = ("0-20", "0-100", "local-0-100")


def _image(image_id: int) -> ImageRow:
    return ImageRow(
        image_id, f"/photos/p{image_id % 7}/{image_id}.jpg", f"p{image_id % 7}/{image_id}.jpg",
        f"p{image_id % 7}", "/photos", 1000, 0, "id", "ok", None, 1000, 800, "local", image_id, None,
    )  # fmt: skip


def _faces(count: int, seed: int = 7) -> list[ReviewedFace]:
    """Varied faces: some without pose, age or blur; blur on three scales."""
    rng = random.Random(seed)
    rules = load_rules(DEFAULT_PRESET)
    context = ImageContext(face_count=1)
    image = _image(1)
    faces = []
    for i in range(count):
        scale = SCALES[i % 3]
        top = 20.0 if scale == "0-20" else 100.0
        face = Face(
            box=Box(0, 0, rng.uniform(20, 400), rng.uniform(20, 400)),
            confidence=0.9,
            pose=None if i % 11 == 0 else Pose(rng.uniform(-60, 60), rng.uniform(-95, 95), rng.gauss(0, 10)),
            blur=None if i % 13 == 0 else Blur(rng.uniform(0, top), scale),
            glasses=rng.choice(["none", "glasses", "sunglasses", None]),
            age=None if i % 5 == 0 else rng.randint(1, 90),
        )
        row = FaceRow(i + 1, image.id, 0, face, PENDING)
        faces.append(ReviewedFace(row, image, rules.evaluate(face, context)))
    return faces


def _column(faces: list[ReviewedFace], get) -> np.ndarray:
    values = [get(f.face) for f in faces]
    return np.array([v for v in values if v is not None], dtype=float)


def test_histograms_match_numpy_and_blur_is_split_by_scale() -> None:
    faces = _faces(3000)
    stats = face_statistics(faces)
    assert stats.faces == 3000

    yaw = _column(faces, lambda f: f.pose.yaw if f.pose else None)
    expected, _ = np.histogram(np.clip(yaw, -90, 90), bins=ANGLE_EDGES)
    assert stats.histograms["yaw"].counts.tolist() == expected.tolist()
    assert stats.histograms["yaw"].missing == 3000 - yaw.size

    sizes = _column(faces, lambda f: min(f.box.w, f.box.h))
    expected, edges = np.histogram(sizes, bins=30)
    assert stats.histograms["size"].counts.tolist() == expected.tolist()
    np.testing.assert_allclose(stats.histograms["size"].edges, edges)

    ages = _column(faces, lambda f: f.age)
    expected, _ = np.histogram(ages, bins=np.arange(0, 105, 5))
    assert stats.histograms["age"].counts.tolist() == expected.tolist()

    blur_keys = sorted(k for k in stats.histograms if k.startswith("blur:"))
    assert blur_keys == sorted(f"blur:{s}" for s in SCALES)
    for scale in SCALES:
        values = _column(faces, lambda f, s=scale: f.blur.value if f.blur and f.blur.scale == s else None)
        top = 20.0 if scale == "0-20" else 100.0
        expected, _ = np.histogram(values, bins=np.linspace(0, top, 21))
        hist = stats.histograms[f"blur:{scale}"]
        assert hist.counts.tolist() == expected.tolist()
        assert hist.total == values.size  # no face of another scale in this series
    assert sum(stats.histograms[k].total for k in blur_keys) == sum(1 for f in faces if f.face.blur)


def test_condition_counts_add_up_per_condition() -> None:
    faces = _faces(2000)
    stats = face_statistics(faces)
    rules = load_rules(DEFAULT_PRESET)
    assert list(stats.conditions) == [c.id for c in rules.conditions]
    for cid, counts in stats.conditions.items():
        outcomes = [r.outcome for f in faces for r in f.verdict.results if r.condition == cid]
        assert counts.passed == outcomes.count("pass")
        assert counts.failed == outcomes.count("fail")
        assert counts.unknown == outcomes.count("unknown")
        assert counts.passed + counts.failed + counts.unknown == 2000
    assert stats.conditions["no_sunglasses"].unknown > 0  # glasses None -> unknown
    assert stats.conditions["pose_yaw"].failed > 0


def test_panel_plots_the_computed_counts(qtbot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    faces = _faces(600)
    panel.set_faces(faces)  # hidden: deferred
    assert panel.stats.faces == 0
    panel.show()
    qtbot.waitUntil(lambda: panel.stats.faces == 600, timeout=2000)
    assert panel.header.text() == "600 faces in the current view"
    for key, hist in panel.stats.histograms.items():
        plotted = panel.items[key].opts["height"]
        assert list(plotted) == hist.counts.tolist(), key
    assert {k for k in panel.plots if k.startswith("blur:")} == {f"blur:{s}" for s in SCALES}
    passed = panel.items["conditions:pass"].opts["height"]
    assert list(passed) == [c.passed for c in panel.stats.conditions.values()]
    # a narrower filter redraws at once while visible
    panel.set_faces(faces[:10])
    assert panel.stats.faces == 10
    panel.set_faces([])
    assert panel.stats.faces == 0 and "blur:" in panel.plots


def test_statistics_of_100k_faces_are_fast() -> None:
    faces = _faces(1000) * 100
    started = time.perf_counter()
    stats = face_statistics(faces)
    elapsed = time.perf_counter() - started
    assert stats.faces == 100_000
    assert sum(stats.histograms["size"].counts) == 100_000
    assert elapsed < 2.0, f"{elapsed:.2f} s for 100k faces"
    print(f"face_statistics: 100k faces in {elapsed * 1000:.0f} ms")


def test_rule_limits_are_drawn_on_their_histograms(qtbot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    panel.show()
    rules = load_rules("enrollment-strict")
    panel.set_faces(_faces(300), rules)
    positions = {
        key: [line.value() for line in lines]
        for key, lines in panel.items.items()
        if key.startswith("threshold:")
    }
    assert positions["threshold:yaw"] == [-30, 30] and positions["threshold:roll"] == [-30, 30]
    assert positions["threshold:blur:0-100"] == [25] and positions["threshold:blur:local-0-100"] == [25]
    assert positions["threshold:blur:0-20"] == [5]  # 25 on 0-100 is 5 on 0-20 (the documented mapping)
    assert positions["threshold:size"] == [112]
    panel.set_faces(_faces(300), load_rules(DEFAULT_PRESET))  # no size rule: no line
    assert "threshold:size" not in panel.items


def test_every_bar_filters_exactly_its_faces() -> None:
    from facecurator.gui.stats import bar_filter
    from facecurator.services.filtering import face_filter

    faces = _faces(1500, seed=3)
    rules = load_rules(DEFAULT_PRESET)
    stats = face_statistics(faces)
    checked = 0
    for key, hist in stats.histograms.items():
        for index, count in enumerate(hist.counts.tolist()):
            expression = bar_filter(key, hist.edges, index)
            assert expression is not None
            selected = face_filter(expression, rules).select(faces)
            assert len(selected) == count, (key, index, expression)
            checked += 1
    assert checked > 100


def test_click_on_a_bar_filters_gallery_and_triage(qtbot, opened_window) -> None:
    from PySide6.QtCore import QPointF, Qt

    from facecurator.gui.stats import open_statistics

    window = opened_window
    window.triage.filter_combo.setCurrentIndex(0)  # all faces
    dock = open_statistics(window)
    panel = dock.panel
    qtbot.waitUntil(lambda: panel.stats.faces == len(window.store.faces()), timeout=3000)
    failed = {cid: c.failed for cid, c in panel.stats.conditions.items() if c.failed}
    if not failed:
        pytest.skip("no face fails a condition in the test folder")
    cid = next(iter(failed))
    ids = list(panel.stats.conditions)
    counts = panel.stats.conditions[cid]

    def click(key: str, x: float, y: float) -> None:
        """A mouse click on the plot point (x, y), where the plot is now (a refresh re-lays it out)."""
        plot = panel.plots[key]
        if plot.vb.sceneBoundingRect().width() > 50:  # laid out (new plots start empty)
            scene = plot.vb.mapViewToScene(QPointF(x, y))
            qtbot.mouseClick(
                panel.graphics.viewport(), Qt.MouseButton.LeftButton, pos=panel.graphics.mapFromScene(scene)
            )

    # the middle of the condition's "fail" segment, clicked with the mouse
    qtbot.waitUntil(
        lambda: (
            click("conditions", ids.index(cid), counts.passed + counts.failed / 2)
            or window.filter_bar.expression() == f"failed:{cid}"
        ),
        timeout=5000,
    )
    shown = [window.triage.model.face_id(r) for r in range(window.triage.model.rowCount())]
    assert len(shown) == counts.failed
    assert all(
        any(r.condition == cid and r.outcome == "fail" for r in window.store.face(i).verdict.results)
        for i in shown
    )
    # the statistics follow the filter: the panel now counts only those faces
    qtbot.waitUntil(lambda: panel.stats.faces == counts.failed, timeout=3000)
    # a histogram bar: the yaw bin of the first face
    window.filter_bar.clear()
    qtbot.waitUntil(lambda: panel.stats.faces == len(window.store.faces()), timeout=3000)
    hist = panel.stats.histograms["yaw"]
    index = int(np.argmax(hist.counts))
    centre = (hist.edges[index] + hist.edges[index + 1]) / 2
    qtbot.waitUntil(
        lambda: (
            click("yaw", centre, hist.counts[index] / 2) or "yaw_signed" in window.filter_bar.expression()
        ),
        timeout=5000,
    )
    assert "yaw_signed" in window.filter_bar.expression()
    assert window.triage.model.rowCount() == int(hist.counts[index])
