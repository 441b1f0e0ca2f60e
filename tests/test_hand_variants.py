"""The real-hand derived variants (benchmarks/truthset/hand_variants.py): made from a cut-out
hand of a gathered photo where that photo is here, over the mouth or one eye as labelled, and
left out cleanly where it is not (CI's machine has no gathered photos).

The hand here is a synthetic photo (a textured skin-coloured palm with four fingers) standing in
for a gathered one, so the tests run the same with and without ``/work/truthset``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.truthset import derive, hand_variants
from tests.test_derived_variants import _derive, _synthetic_source

HAND_NAMES = {v.name for v in hand_variants.HAND_VARIANTS}


def _hand_photo(root: Path) -> hand_variants.Hand:
    """A 400x500 photo of a 'hand' (palm and four fingers pointing up) under ``root``/photos."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (400, 500), (30, 90, 40))
    draw = ImageDraw.Draw(img)
    outline = [(120, 470), (110, 260), (110, 90), (150, 90), (160, 240), (170, 70), (210, 70)]
    outline += [(215, 240), (225, 80), (265, 80), (265, 250), (280, 110), (315, 110), (310, 300)]
    outline += [(290, 470)]
    draw.polygon(outline, fill=(205, 150, 125))
    rng = np.random.default_rng(7)
    arr = np.asarray(img, dtype=np.float64) + rng.normal(0, 6, (500, 400, 3))
    path = root / "photos" / "o__r" / "hand.png"
    path.parent.mkdir(parents=True)
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path)
    return hand_variants.Hand(
        file="o__r/hand.png",
        source="github:o/r",
        split="test",
        hand=0,
        wrist=(205.0, 470.0),
        knuckle=(215.0, 260.0),
        outline=tuple(outline),
    )


@pytest.fixture
def one_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> hand_variants.Hand:
    hand = _hand_photo(tmp_path / "truthset")
    monkeypatch.setenv("FACECURATOR_TRUTHSET", str(tmp_path / "truthset"))
    monkeypatch.setattr(hand_variants, "all_hands", lambda: (hand,))
    hand_variants.PLACEMENT_MISSES.clear()
    return hand


def test_without_the_hands_photos_the_real_hand_variants_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACECURATOR_TRUTHSET", str(tmp_path / "nonexistent"))
    assert not hand_variants.available("tune") and not hand_variants.available("test")
    label, detected = _synthetic_source(tmp_path)
    made = {v.variant for v in _derive(label, detected, tmp_path / "out")}
    assert made == {v.name for v in derive.VARIANTS} - HAND_NAMES
    # the face's plan is complete: derived again, nothing is redrawn (the cached files are used)
    again = _derive(label, detected, tmp_path / "out")
    assert {v.variant for v in again} == made


def test_real_hand_variants_cover_what_they_label(tmp_path: Path, one_hand: hand_variants.Hand) -> None:
    from PIL import Image

    label, detected = _synthetic_source(tmp_path)  # a test-split face: the hand's split
    variants = {v.variant: v for v in _derive(label, detected, tmp_path / "out")}
    assert set(variants) >= HAND_NAMES
    assert hand_variants.PLACEMENT_MISSES == []
    with Image.open(label.path) as src:  # type: ignore[arg-type]
        source = np.asarray(src.convert("RGB"), dtype=np.float64)
    # the synthetic face (its photo is cropped by derive: compare at the landmarks, mapped)
    points = {"re": (260, 220), "le": (340, 220), "mr": (270, 320), "ml": (330, 320)}

    def changed(name: str, xy: tuple[int, int]) -> bool:
        path = variants[name].path
        assert path is not None
        with Image.open(path) as img:
            out = np.asarray(img.convert("RGB"), dtype=np.float64)
        # derive crops 2.6 face boxes (220 px) round the box centre (300, 240), from x 14 and
        # y 0 here, and keeps the scale (220 < FACE_PX 240)
        x, y = xy
        return bool(np.abs(out[y, x - 14] - source[y, x]).max() > 25)

    mouth = (300, 320)
    for name in ("real_hand_below", "real_hand_diagonal", "real_hand_side"):
        attrs = variants[name].attrs
        assert attrs["nose_mouth_occluded"] is True and attrs["mask"] is None
        assert variants[name].must_not
        # a mouth corner (a green dot) is under the hand (coloured like the cheek), the eyes are not
        assert changed(name, points["mr"]) or changed(name, points["ml"]), name
        assert not changed(name, points["re"]) and not changed(name, points["le"]), name
    eye = variants["real_hand_eye"]
    assert eye.attrs["eyes_occluded"] is True and eye.attrs["left_eye_closed"] is None
    assert changed("real_hand_eye", points["re"]) != changed("real_hand_eye", points["le"])
    assert not changed("real_hand_eye", points["mr"]) and not changed("real_hand_eye", points["ml"])
    # the hand's colour is moved to the cheek's (the photo's hand is (205, 150, 125); the face's
    # skin is (220, 180, 160)): the pasted mouth pixel is closer to the face's skin
    path = variants["real_hand_below"].path
    assert path is not None
    with Image.open(path) as img:
        pasted = np.asarray(img.convert("RGB"), dtype=np.float64)[mouth[1], mouth[0] - 14]
    assert np.abs(pasted - (220, 180, 160)).sum() < np.abs(pasted - (205, 150, 125)).sum()


def test_real_hand_variants_are_deterministic(tmp_path: Path, one_hand: hand_variants.Hand) -> None:
    label, detected = _synthetic_source(tmp_path)
    first = [v for v in _derive(label, detected, tmp_path / "a") if v.variant in HAND_NAMES]
    second = [v for v in _derive(label, detected, tmp_path / "b") if v.variant in HAND_NAMES]
    assert len(first) == len(HAND_NAMES)
    digest = [hashlib.sha256(v.path.read_bytes()).hexdigest() for v in first]  # type: ignore[union-attr]
    assert digest == [hashlib.sha256(v.path.read_bytes()).hexdigest() for v in second]  # type: ignore[union-attr]


def test_the_hands_file_gives_each_split_its_own_hands() -> None:
    """hands.json: every hand's origin is recorded, each source is in one split, both splits
    have hands, and the outlines are polygons inside their photo's recorded axis' reach."""
    rows = json.loads(hand_variants.HANDS_JSON.read_text(encoding="utf-8"))
    splits: dict[str, set[str]] = {}
    for row in rows:
        assert row["source"].startswith("github:") and len(row["commit"]) == 40 and len(row["sha256"]) == 64
        assert row["licence"] in {"Apache-2.0", "MIT", "CC0-1.0"}
        assert len(row["outline"]) >= 10
        splits.setdefault(row["source"], set()).add(row["split"])
    assert all(len(s) == 1 for s in splits.values())
    hands = hand_variants.all_hands()
    assert sum(h.split == "tune" for h in hands) >= 3 and sum(h.split == "test" for h in hands) >= 3
