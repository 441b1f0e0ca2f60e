"""The derived variants of the verdict truth set (benchmarks/truthset/derive.py, variants.py,
lens_variants.py, cover_variants.py, exposure_variants.py) on a synthetic face: each draws what
it names, carries its labels, is deterministic, and comes from the pinned clean sources (split from
tests/test_verdict_quality.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from benchmarks import verdict_quality as vq
from benchmarks.truthset import derive
from benchmarks.truthset.camera_variants import CAMERA_VARIANT_NAMES
from benchmarks.truthset.labels import (
    LABELS_CSV,
    Label,
    read_labels,
)
from facecurator.domain.face import Box
from tests.test_verdict_quality import _good_face, _label

# --------------------------------------------------------------------------- derived variants


def _synthetic_source(tmp_path: Path) -> tuple[Label, vq.Detected]:
    """A 600x500 grey photo with a 'face' whose eyes, nose and mouth are coloured dots."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 500), (150, 140, 130))
    draw = ImageDraw.Draw(img)
    draw.ellipse((200, 120, 400, 380), fill=(220, 180, 160))
    points = {"re": (260, 220), "le": (340, 220), "nose": (300, 270), "mr": (270, 320), "ml": (330, 320)}
    for x, y in points.values():
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(0, 200, 0))
    path = tmp_path / "source.png"
    img.save(path)
    face = _good_face(200, 120, 200).with_changes(
        box=Box(200, 130, 200, 220),
        landmarks=(points["re"], points["le"], points["nose"], points["mr"], points["ml"]),
    )
    label = Label(**{**_label(0.5, 0.5).__dict__, "path": path, "file": "source.png"})
    return label, vq.Detected(600, 500, (face,))


def _derive(label: Label, detected: vq.Detected, folder: Path) -> list[Label]:
    assert label.path is not None
    return derive.derive_all([label], {label.path: detected}, folder)


def _pixel(path: Path, xy: tuple[float, float]) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as img:
        rgb = np.asarray(img.convert("RGB"))
    return rgb[round(xy[1] * rgb.shape[0]), round(xy[0] * rgb.shape[1])].astype(int)


def test_derived_variants_cover_the_features_and_carry_their_labels(tmp_path: Path) -> None:
    label, detected = _synthetic_source(tmp_path)
    assert derive.eligible(label, detected) == 0
    variants = {v.variant: v for v in _derive(label, detected, tmp_path / "out")}
    # the real-hand variants only where their hands' photos are (hand_variants.available)
    expected = {v.name for v in derive.VARIANTS if v.available is None or v.available(label.split)}
    assert set(variants) == expected
    for variant in variants.values():
        assert variant.set == "derived" and variant.split == label.split and variant.source == label.source
        assert variant.path is not None and variant.path.is_file()
        # every variant is a must-not face but the clean-preserving camera differences
        camera = variant.variant in CAMERA_VARIANT_NAMES
        assert variant.clean if camera else variant.must_not, variant.variant

    from PIL import Image

    def green_left(name: str) -> int:
        with Image.open(variants[name].path) as img:  # type: ignore[arg-type]
            rgb = np.asarray(img.convert("RGB")).astype(int)
        return int(((rgb[..., 1] > 150) & (rgb[..., 0] < 80) & (rgb[..., 2] < 80)).sum())

    # 5 green dots mark the eyes, nose and mouth: the bar and the lenses hide the 2 eye dots,
    # the rectangle the nose and mouth dots, the hand one eye dot
    dots = green_left("roll45")  # only rotated: all dots still there
    assert dots > 0
    assert green_left("eyes_bar") == pytest.approx(dots * 3 / 5, rel=0.15)
    assert green_left("sunglasses") == pytest.approx(dots * 3 / 5, rel=0.15)
    assert green_left("eye_hand") == pytest.approx(dots * 4 / 5, rel=0.15)
    assert green_left("nose_mouth_bar") == pytest.approx(dots * 2 / 5, rel=0.15)
    assert variants["eyes_bar"].attrs["eyes_occluded"] is True
    assert variants["eyes_bar"].attrs["left_eye_closed"] is None  # cannot be seen under the bar
    assert variants["sunglasses"].attrs["sunglasses"] is True
    # tinted lenses are see-through: the eye dots change colour but are not blacked out
    tinted = variants["tinted"].attrs
    assert tinted["sunglasses"] is True and tinted["eyes_occluded"] is True
    assert green_left("tinted") == pytest.approx(dots * 3 / 5, rel=0.15)
    eye = _pixel(variants["tinted"].path, (260 / 600, 220 / 500))  # type: ignore[arg-type]
    assert eye.max() > 40 and not (eye[1] > 150 and eye[0] < 80 and eye[2] < 80), eye
    assert variants["compressed"].path.suffix == ".jpg"  # type: ignore[union-attr]
    # sketch: a pencil drawing of the photo, saved as a JPEG
    assert variants["sketch"].attrs["not_photo"] is True and variants["sketch"].path.suffix == ".jpg"  # type: ignore[union-attr]
    # glare: the dark lenses hide both eye dots, a reflection lights one lens up
    assert green_left("glare") == pytest.approx(dots * 3 / 5, rel=0.15)
    assert variants["glare"].attrs["sunglasses"] is True
    # the hand over the mouth hides both mouth-corner dots, not the nose; hair hides one eye
    assert green_left("mouth_hand") == pytest.approx(dots * 3 / 5, rel=0.15)
    assert variants["mouth_hand"].attrs["nose_mouth_occluded"] is True
    assert green_left("hair_eye") < dots * 4.5 / 5
    assert variants["hair_eye"].attrs["eyes_occluded"] is True
    # dim: 2.5-3.5 stops less light; bright: 40-50 % of the face box clipped white
    from PIL import Image as _Image

    def luma(name: str) -> np.ndarray:
        with _Image.open(variants[name].path) as img:  # type: ignore[arg-type]
            return np.asarray(img.convert("L")).astype(float)

    assert luma("dim").mean() < 0.45 * luma("eye_hand").mean()
    # the face (a quarter of the crop) is clipped, the grey background is not
    assert float((luma("bright") >= 250).mean()) > 0.1 > float((luma("eye_hand") >= 250).mean())
    assert variants["dim"].attrs["underexposed"] is True and variants["bright"].attrs["overexposed"] is True
    # washed: a veil of a third to half of white: black becomes light grey (sRGB >= 155),
    # nothing new is clipped, the order of the tones is kept
    veiled, plain = luma("washed"), luma("lossless_png")
    assert veiled.min() >= 150 > plain.min()
    assert float((veiled >= 250).mean()) <= float((plain >= 250).mean()) + 0.01
    assert np.corrcoef(veiled.ravel(), plain.ravel())[0, 1] > 0.9
    assert variants["washed"].attrs["overexposed"] is True


def test_real_lens_variants_draw_what_they_name(tmp_path: Path) -> None:
    """gradient, mirrored, brown_lens and aviator (benchmarks/truthset/lens_variants.py):
    labelled sunglasses; each lens does to the eye what its kind of real lens does."""
    label, detected = _synthetic_source(tmp_path)
    variants = {v.variant: v for v in _derive(label, detected, tmp_path / "out")}

    def at(name: str, y: float) -> np.ndarray:
        """The variant's pixel on the right eye's vertical (the source photo's y)."""
        path = variants[name].path
        assert path is not None
        return _pixel(path, (260 / 600, y / 500)).astype(float)

    for name in ("gradient", "mirrored", "brown_lens", "aviator"):
        attrs = variants[name].attrs
        assert attrs["sunglasses"] is True and attrs["eyes_occluded"] is True, name
        assert attrs["clear_glasses"] is None and attrs["left_eye_closed"] is None, name
    skin = at("eye_hand", 205.0)  # the skin above the eye, untouched by the hand variant's other eye
    # gradient: dark at the top of the lens, light at its bottom (both inside the lens)
    top, bottom = at("gradient", 203.0), at("gradient", 240.0)
    assert top.sum() < 0.5 * skin.sum() and bottom.sum() > 1.5 * top.sum(), (top, bottom, skin)
    # brown_lens: a filter multiplies the light, red passing more than blue, the skin still seen
    brown = at("brown_lens", 205.0)
    assert 0.1 * skin.sum() < brown.sum() < 0.9 * skin.sum(), (brown, skin)
    assert brown[0] / skin[0] > 1.5 * brown[2] / skin[2], (brown, skin)
    # mirrored: opaque and bright over the eye (the green eye dot is gone, not darkened)
    mirror = at("mirrored", 220.0)
    assert not (mirror[1] > 150 and mirror[0] < 80 and mirror[2] < 80) and mirror.max() > 100, mirror
    # aviator: a dark G-15 lens, green passing most
    aviator = at("aviator", 210.0)
    assert aviator.sum() < 0.5 * skin.sum() and aviator[1] >= aviator[2], (aviator, skin)


def test_derived_roll_keeps_the_face_centre(tmp_path: Path) -> None:
    label, detected = _synthetic_source(tmp_path)
    variants = {v.variant: v for v in _derive(label, detected, tmp_path / "out")}
    roll = variants["roll45"]
    # the face (skin colour) is at the reported centre of the rotated image
    r, g, b = _pixel(roll.path, (roll.face_x, roll.face_y))  # type: ignore[arg-type]
    assert r > 190 and 150 < g < 210 and b > 130, (r, g, b)


def test_derived_roll_turns_the_way_the_face_is_tilted() -> None:
    rng = np.random.default_rng(0)
    level = {"right_eye": np.array([100.0, 100.0]), "left_eye": np.array([200.0, 100.0])}
    # the eye on the image's right higher: roll > 0, turned further counter-clockwise
    tilted = {"right_eye": np.array([100.0, 100.0]), "left_eye": np.array([200.0, 65.6])}
    assert derive.eye_line_roll(tilted) == pytest.approx(19.0, abs=0.1)
    assert derive.roll45_angle(tilted, rng) == 45.0
    other = {"right_eye": np.array([100.0, 65.6]), "left_eye": np.array([200.0, 100.0])}
    assert derive.roll45_angle(other, rng) == -45.0
    for _ in range(8):
        for pts in (level, tilted, other):
            assert abs(derive.eye_line_roll(pts) + derive.roll45_angle(pts, rng)) >= 45.0


def test_derived_variants_are_deterministic(tmp_path: Path) -> None:
    label, detected = _synthetic_source(tmp_path)
    first = _derive(label, detected, tmp_path / "a")
    second = _derive(label, detected, tmp_path / "b")
    digest = [hashlib.sha256(v.path.read_bytes()).hexdigest() for v in first]  # type: ignore[union-attr]
    assert digest == [hashlib.sha256(v.path.read_bytes()).hexdigest() for v in second]  # type: ignore[union-attr]
    assert [(v.face_x, v.face_y) for v in first] == [(v.face_x, v.face_y) for v in second]


def test_only_clean_large_mesh_faces_are_derived_from(tmp_path: Path) -> None:
    label, detected = _synthetic_source(tmp_path)
    blurred = Label(**{**label.__dict__, "attrs": {**label.attrs, "blurred": True}})
    assert derive.eligible(blurred, detected) is None
    small = vq.Detected(600, 500, (detected.faces[0].with_changes(box=Box(250, 200, 100, 100)),))
    assert derive.eligible(label, small) is None
    no_mesh = vq.Detected(600, 500, (detected.faces[0].with_changes(raw={"landmark_kind": "detector-6"}),))
    assert derive.eligible(label, no_mesh) is None


def test_pinned_sources_ignore_new_labels_and_report_the_lost_ones(tmp_path: Path) -> None:
    label, detected = _synthetic_source(tmp_path)

    def face(name: str, split: str = "test", **attrs: int | None) -> Label:
        return Label(
            **{
                **label.__dict__,
                "file": name,
                "path": tmp_path / name,
                "split": split,
                "attrs": {**label.attrs, **attrs},
            }
        )

    faces = [face(f"p{k}.png") for k in range(6)] + [face("t0.png", "tune")]
    detections = {lb.path: detected for lb in faces}
    pins = {"test": [faces[1].key, faces[3].key, faces[4].key], "tune": [faces[6].key]}
    chosen = derive.select_sources(faces, detections, pins=pins)
    assert [lb.key for lb, _ in chosen.sources["test"]] == pins["test"] and not chosen.unavailable
    # a new clean label changes nothing; the unpinned spread would take it
    new = face("p2b.png")
    detections[new.path] = detected
    again = derive.select_sources([*faces, new], detections, pins=pins)
    assert [lb.key for lb, _ in again.sources["test"]] == pins["test"]
    assert new.key in [lb.key for lb, _ in derive.select_sources([*faces, new], detections).sources["test"]]
    # a pinned face no longer eligible is reported, not replaced by another one
    relabelled = [face("p3.png", blurred=1) if lb.key == faces[3].key else lb for lb in faces]
    lost = derive.select_sources([lb for lb in relabelled if lb.key != faces[4].key], detections, pins=pins)
    assert [lb.key for lb, _ in lost.sources["test"]] == [faces[1].key]
    assert {(split, key) for split, key, _ in lost.unavailable} == {
        ("test", faces[3].key),
        ("test", faces[4].key),
    }
    # only the splits being run: a test-only run neither derives nor reports the tune pins
    only_test = derive.select_sources(faces[:6], detections, pins=pins)
    assert set(only_test.sources) == {"test"} and not only_test.unavailable
    # --limit spreads over the pinned faces; the list survives a write/read round trip
    assert len(derive.select_sources(faces, detections, pins=pins, limit=2).sources["test"]) == 2
    derive.write_pins(pins, tmp_path / "pins.csv")
    assert derive.read_pins(tmp_path / "pins.csv") == {k: sorted(v) for k, v in pins.items()}


def test_the_committed_pins_name_labelled_faces() -> None:

    labels = {lb.key: lb for lb in read_labels(LABELS_CSV)}
    pins = derive.read_pins()
    assert sorted(pins) == ["test", "tune"] and all(len(keys) == 30 for keys in pins.values())
    for split, keys in pins.items():
        for key in keys:
            assert key in labels and labels[key].split == split and labels[key].clean, key


# --------------------------------------------------------------------------- cover variants


def test_cover_variants_hide_what_they_name(tmp_path: Path) -> None:
    """brim, half_mouth_hand and overlay_blur (benchmarks/truthset/cover_variants.py)."""
    from PIL import Image, ImageDraw

    label, detected = _synthetic_source(tmp_path)
    assert label.path is not None
    with Image.open(label.path) as opened:
        source = opened.convert("RGB")
    ImageDraw.Draw(source).ellipse((294, 314, 306, 326), fill=(200, 0, 0))  # a red dot at the mouth centre
    source.save(label.path)
    src = np.asarray(source).astype(float)
    variants = {v.variant: v for v in _derive(label, detected, tmp_path / "out")}

    def rgb(name: str) -> np.ndarray:
        """The variant in the source's pixels (the crop starts 14 px in: 2.6 x 220 px wide)."""
        with Image.open(variants[name].path) as img:  # type: ignore[arg-type]
            arr = np.asarray(img.convert("RGB")).astype(float)
        assert arr.shape == (500, 572, 3)
        return np.pad(arr, ((0, 0), (14, 14), (0, 0)))

    def green(arr: np.ndarray, x: int, y: int) -> bool:
        r, g, b = arr[y, x]
        return bool(g > 150 and r < 80 and b < 80)

    # brim: both eye dots hidden from above down to at least their centres; the mouth dots
    # and the face below untouched but for the brim's shadow just under it
    brim = rgb("brim")
    brim_attrs = variants["brim"].attrs
    assert brim_attrs["eyes_occluded"] is True and brim_attrs["left_eye_closed"] is None
    for x in (260, 340):
        assert green(src, x, 220) and not any(green(brim, x, y) for y in range(212, 223)), x
    assert green(brim, 270, 320) and green(brim, 330, 320)
    assert brim[240, 300].sum() < 0.93 * src[240, 300].sum()  # the shadow
    assert abs(brim[350, 300].sum() - src[350, 300].sum()) < 0.1 * src[350, 300].sum()
    # half_mouth_hand: one mouth corner hidden, the other seen; the mouth centre (red dot) covered
    hand = rgb("half_mouth_hand")
    assert variants["half_mouth_hand"].attrs["nose_mouth_occluded"] is True
    assert green(hand, 270, 320) != green(hand, 330, 320)
    assert src[320, 300, 0] > 150 and not (hand[320, 300, 0] > 150 and hand[320, 300, 1] < 60)
    assert green(hand, 300, 270) and green(hand, 260, 220) and green(hand, 340, 220)  # nose and eyes seen
    # overlay_blur: the face's lower edge (no overlay there) is soft; thin saturated lines drawn sharp
    blur = rgb("overlay_blur")
    assert variants["overlay_blur"].attrs["blurred"] is True
    step = np.abs(np.diff(src[360:400, 300].sum(axis=1))).max()
    soft = np.abs(np.diff(blur[360:400, 300].sum(axis=1))).max()
    assert soft < step / 3, (soft, step)
    saturated = (blur.max(axis=2) - blur.min(axis=2)) > 150
    assert saturated.sum() > 300  # the box, its text, the landmark dots
    assert np.abs(np.diff(blur.sum(axis=2), axis=1))[saturated[:, 1:]].max() > 150  # drawn sharp


def test_variant_kinds_whose_photos_are_absent_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real-hand variants need their hands' photos: where a split has none, the benchmark names
    the kinds it did not make (a fresh machine without them once reported fewer variants silently)."""
    from benchmarks.truthset import hand_variants

    monkeypatch.setattr(hand_variants, "hands", lambda split: () if split == "test" else ("a hand",))
    selection = derive.Selection(sources={"test": [], "tune": []})
    missing = derive.kinds_not_made(selection)
    hand_kinds = {v.name for v in hand_variants.HAND_VARIANTS}
    assert len(hand_kinds) == 4 and {name for _split, name in missing} == hand_kinds
    assert {split for split, _name in missing} == {"test"}
