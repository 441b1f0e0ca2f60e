"""The clean-preserving derived variants (benchmarks/truthset/camera_variants.py, issue 18):
each does what its camera difference does, and the label stays clean."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks import verdict_quality as vq
from benchmarks.truthset import camera_variants as cv
from benchmarks.truthset import derive
from benchmarks.truthset.labels import ATTRIBUTES, Label
from tests.test_verdict_quality import _good_face


def _photo() -> tuple[object, cv.Points]:
    """A 600x500 photo: a grey wall, a skin-coloured oval with dark eyes, a fine texture."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(3)
    img = Image.new("RGB", (600, 500), (128, 128, 128))
    draw = ImageDraw.Draw(img)
    draw.ellipse((200, 120, 400, 380), fill=(210, 160, 130))
    for x, y in ((260, 220), (340, 220)):
        draw.ellipse((x - 8, y - 5, x + 8, y + 5), fill=(40, 30, 30))
    arr = np.clip(np.asarray(img, dtype=np.float64) + rng.normal(0, 2, (500, 600, 3)), 0, 255)
    img = Image.fromarray(arr.astype(np.uint8))
    pts: cv.Points = {
        "right_eye": np.array([260.0, 220.0]),
        "left_eye": np.array([340.0, 220.0]),
        "nose": np.array([300.0, 270.0]),
        "mouth_right": np.array([270.0, 320.0]),
        "mouth_left": np.array([330.0, 320.0]),
        "mouth": np.array([300.0, 320.0]),
        "box": np.array([200.0, 130.0, 400.0, 350.0]),
        "box_centre": np.array([300.0, 240.0]),
        "box_side": np.array([220.0]),
    }
    return img, pts


def _make(name: str, seed: int = 0) -> tuple[np.ndarray, tuple[float, float]]:
    img, pts = _photo()
    variant = next(v for v in cv.CAMERA_VARIANTS if v.name == name)
    out, centre = variant.make(img, pts, np.random.default_rng(seed))  # type: ignore[arg-type]
    return np.asarray(out.convert("RGB"), dtype=np.float64), centre


def _linear(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _source() -> np.ndarray:
    img, _ = _photo()
    return np.asarray(img, dtype=np.float64)  # type: ignore[arg-type]


WALL = (slice(20, 80), slice(20, 120))  # the grey wall: a neutral patch
CHEEK = (slice(260, 290), slice(250, 280))


def test_casts_tint_a_grey_the_way_their_light_does_and_keep_its_luminance() -> None:
    src = _linear(_source()[WALL].reshape(-1, 3)).mean(axis=0)
    luma = np.array([0.2126, 0.7152, 0.0722])
    ratios = {}
    for name in ("cast_tungsten", "cast_green", "cast_magenta", "cast_blue"):
        out, _ = _make(name)
        got = _linear(out[WALL].reshape(-1, 3)).mean(axis=0)
        assert float(luma @ got) == pytest.approx(float(luma @ src), rel=0.03), name
        ratios[name] = got / src
    r, g, b = ratios["cast_tungsten"]
    assert r > g > b and r / b > 1.4  # warm: red over blue
    r, g, b = ratios["cast_green"]
    assert g > r and g > b and g / r > 1.1
    r, g, b = ratios["cast_magenta"]
    assert r > g and b > g and r / g > 1.15  # pink: green held back
    r, g, b = ratios["cast_blue"]
    assert b > g > r and b / r > 1.3


def test_exposure_changes_light_by_0_7_stop_in_linear_light() -> None:
    src = _linear(_source()[WALL].reshape(-1, 3)).mean(axis=0)  # mid-grey: nothing clips
    for name, stops in (("exposure_up", 0.7), ("exposure_down", -0.7)):
        out, _ = _make(name)
        got = _linear(out[WALL].reshape(-1, 3)).mean(axis=0)
        assert got / src == pytest.approx(np.full(3, 2.0**stops), rel=0.03), name


def test_film_grade_is_mild_and_warm_in_the_highlights() -> None:
    src, (out, _) = _source(), _make("film_grade")
    assert np.abs(out - src).mean() < 20  # a grade, not a new picture
    # less saturated skin, a lifted black
    sat = lambda px: float((px.max(axis=-1) - px.min(axis=-1)).mean())  # noqa: E731
    assert sat(out[CHEEK]) < sat(src[CHEEK])
    black = np.zeros((1, 1, 3), dtype=np.uint8)
    from PIL import Image

    lifted = cv.film_grade(Image.fromarray(black), np.random.default_rng(0))
    assert np.asarray(lifted).min() >= 5


def test_half_size_halves_the_photo_but_keeps_the_face_at_128_px() -> None:
    out, centre = _make("half_size")
    # the face box is 220 px: half would be 110, so the scale is 128 / 220
    f = cv.HALF_SIZE_MIN_FACE / 220.0
    assert out.shape[:2] == (round(500 * f), round(600 * f))
    assert centre == pytest.approx((300 * f, 240 * f))
    img, pts = _photo()
    pts["box_side"] = np.array([300.0])
    small, _ = cv.CAMERA_VARIANTS[8].make(img, pts, np.random.default_rng(0))  # type: ignore[arg-type]
    assert cv.CAMERA_VARIANTS[8].name == "half_size" and small.size == (300, 250)


def test_iso_noise_adds_mild_noise_growing_with_the_light() -> None:
    src, (out, _) = _source(), _make("iso_noise")
    diff = out - src
    wall, cheek = float(diff[WALL].std()), float(diff[CHEEK].std())
    assert 0.5 < wall < 6 and 0.5 < cheek < 6, (wall, cheek)
    assert abs(float(diff.mean())) < 1.0  # no change of exposure


def test_roll10_turns_by_10_degrees_towards_level_and_keeps_the_face_centre() -> None:
    rng = np.random.default_rng(0)
    level = {"right_eye": np.array([100.0, 100.0]), "left_eye": np.array([200.0, 100.0])}
    tilted = {"right_eye": np.array([100.0, 100.0]), "left_eye": np.array([200.0, 80.0])}  # +11.3°
    assert cv.roll10_angle(tilted, rng) == -10.0  # turned back towards level
    other = {"right_eye": np.array([100.0, 80.0]), "left_eye": np.array([200.0, 100.0])}
    assert cv.roll10_angle(other, rng) == 10.0
    assert {cv.roll10_angle(level, rng) for _ in range(16)} == {-10.0, 10.0}
    out, (cx, cy) = _make("roll10")
    # no empty (black) corner is left, and the reported centre is on the face's skin
    assert out.shape[0] < 500 and out.shape[1] < 600
    corners = out[[0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners.sum(axis=1) > 200).all(), corners
    r, g, b = out[round(cy), round(cx)]
    assert r > 180 and 130 < g < 190 and b < 160, (r, g, b)
    # the eyes' line is turned by 10°: find the two dark eye blobs
    dark = np.argwhere(out.sum(axis=2) < 200)
    left, right = dark[dark[:, 1] < cx], dark[dark[:, 1] >= cx]
    (y0, x0), (y1, x1) = left.mean(axis=0), right.mean(axis=0)
    assert abs(math.degrees(math.atan2(y1 - y0, x1 - x0))) == pytest.approx(10.0, abs=1.5)


def test_lossless_png_and_jpeg_mild_keep_the_picture() -> None:
    src, (same, _) = _source(), _make("lossless_png")
    assert np.array_equal(src, same)
    kinds = {v.name: v for v in cv.CAMERA_VARIANTS}
    assert kinds["lossless_png"].suffix == ".png"
    assert kinds["jpeg_mild"].suffix == ".jpg" and kinds["jpeg_mild"].jpeg_quality == (70, 91)


def test_camera_variants_keep_the_clean_label_and_are_counted_apart(tmp_path: Path) -> None:
    assert {v.name for v in cv.CAMERA_VARIANTS} <= {v.name for v in derive.VARIANTS}
    assert all(not v.labels for v in cv.CAMERA_VARIANTS)  # no label is overridden
    values: dict[str, bool | None] = {a: False for a in ATTRIBUTES}
    values["clear_glasses"] = True
    source = Label("corpus", "a.jpg", "github:o/r", "test", 0.5, 0.5, values)
    face = _good_face(100, 100)
    detections, labels = {}, []
    for i, name in enumerate(("cast_blue", "cast_blue", "roll10", "eyes_bar")):
        path = tmp_path / f"v{i}.png"
        attrs = {**values, **({"eyes_occluded": True} if name == "eyes_bar" else {})}
        labels.append(
            Label("derived", f"a#{name}", "github:o/r", "test", 0.5, 0.5, attrs, variant=name, path=path)
        )
        detections[path] = vq.Detected(400, 400, (face,) if i != 1 else ())
    assert labels[0].clean and labels[0].attrs["clear_glasses"] is True and labels[3].must_not
    del source
    outcomes = vq.evaluate(labels, detections, vq.load_presets())
    s = vq.summarize(outcomes, vq.load_presets())
    # the camera variants count in no other figure
    assert s["faces"] == 1 and s["presets"]["enrollment-strict"]["clean"]["faces"] == 0
    kinds = s["clean_variants"]["enrollment-strict"]
    assert set(kinds) == {"cast_blue", "roll10"}
    assert (kinds["cast_blue"]["faces"], kinds["cast_blue"]["found"]) == (2, 1)
    assert kinds["cast_blue"]["qualified"] + len(kinds["cast_blue"]["not_qualified"]) == 2
    assert kinds["cast_blue"]["not_qualified"][-1]["reasons"] == ["not found"]
