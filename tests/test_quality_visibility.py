"""The local detector's named quality measures on real corpus faces and derived variants.

Variants are made here from a clean portrait (a black bar over the eyes, dark
lenses, a rectangle over nose and mouth, a skin-coloured patch over one eye)
at the positions of the clean face's own landmarks, and detected again.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers.mouth import mouth_points
from PIL import Image, ImageDraw

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality.occlusion import (
    LIP_WEAK_CONTRAST,
    LIPS_LINE_MIN_P10,
    LIPS_MIN_STD,
    LIPS_MIN_STD_NO_LIPS,
    MOUTH_FRACTION_NO_LIPS,
    _no_line,
)
from facecurator.detect.quality.regions import MOUTH_AREA, MOUTH_OPENING, FaceRegions
from facecurator.domain.face import Face
from facecurator.domain.protocols import ImageRef

pytest.importorskip("mediapipe")


@pytest.fixture(scope="module")
def detector() -> Iterator[LocalDetector]:
    det = LocalDetector()
    yield det
    det.close()


def detect_one(detector: LocalDetector, data: bytes, name: str) -> Face:
    result = detector.detect(ImageRef(uri=name, name=name, group="", size=len(data), mtime_ns=0), data)
    assert len(result.faces) >= 1, name
    return max(result.faces, key=lambda f: f.box.w * f.box.h)


def value(face: Face, name: str) -> float | None:
    return face.measures[name].value


def low(face: Face, name: str) -> bool:
    found = face.measures[name].value
    return found is not None and found < 0.5


def high(face: Face, name: str) -> bool:
    found = face.measures[name].value
    return found is not None and found >= 0.5


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_clean_portraits_read_visible_and_open(corpus_dir: Path, detector: LocalDetector) -> None:
    for name in ("people/obama/obama.jpg", "people/deepface_p03/img14.jpg", "single/astronaut.png"):
        face = detect_one(detector, (corpus_dir / name).read_bytes(), name)
        for measure in ("eyes_visible", "eyes_open", "nose_mouth_visible", "face_visible"):
            assert high(face, measure), (name, measure, face.measures[measure])
        assert face.eyes_closed is False and face.wears_sunglasses is False and face.mask is False


def test_real_sunglasses_and_masks(corpus_dir: Path, detector: LocalDetector) -> None:
    face = detect_one(detector, (corpus_dir / "occlusion/sunglasses_dark.jpg").read_bytes(), "sunglasses")
    assert low(face, "eyes_visible")
    assert face.measures["eyes_visible"].reason == "sunglasses?"
    assert value(face, "eyes_open") is None  # an eye we cannot see is never "open"
    assert face.eyes_closed is None and face.wears_sunglasses is True
    for name in ("occlusion/mask_surgical_woman.jpg", "occlusion/mask_white_selfie.png"):
        face = detect_one(detector, (corpus_dir / name).read_bytes(), name)
        assert low(face, "nose_mouth_visible"), name
        assert face.mask is True, name


def test_closed_eyes(corpus_dir: Path, detector: LocalDetector) -> None:
    face = detect_one(detector, (corpus_dir / "pose/roll_right_wryneck.png").read_bytes(), "wryneck")
    assert low(face, "eyes_open") and face.eyes_closed is True


@pytest.fixture(scope="module")
def portrait(corpus_dir: Path, detector: LocalDetector) -> tuple[Image.Image, Face]:
    data = (corpus_dir / "people/deepface_p03/img14.jpg").read_bytes()
    img = Image.open(io.BytesIO(data)).convert("RGB")
    return img, detect_one(detector, data, "img14")


def _eyes(face: Face) -> tuple[np.ndarray, np.ndarray, float]:
    assert face.landmarks is not None
    right, left = np.array(face.landmarks[0]), np.array(face.landmarks[1])
    return right, left, float(np.linalg.norm(left - right))


def _hand_shading(img: Image.Image, face: Face) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mouth's centre, the cheek's colour and a shading ramp across the image (lighter
    on one side) for a hand of the skin's colour, as the truth set's ``mouth_hand``."""
    right, _, iod = _eyes(face)
    assert face.landmarks is not None
    mouth = np.array(face.landmarks[3:5]).mean(axis=0)
    cheek = np.asarray(img).astype(np.float64)[int(right[1] + 0.6 * iod), int(right[0])]
    xx = np.arange(img.size[0], dtype=np.float64)[None, :]
    return mouth, cheek, 1.0 + 0.12 * np.tanh((xx - mouth[0]) / iod)


def _over_mouth(img: Image.Image, layer: np.ndarray, mouth: np.ndarray, iod: float) -> Image.Image:
    """``img`` with an ellipse of ``layer`` (a hand) over the mouth."""
    cover = Image.new("L", img.size, 0)
    ImageDraw.Draw(cover).ellipse(
        [*(mouth - np.array([0.8 * iod, 0.36 * iod])), *(mouth + np.array([0.8 * iod, 0.36 * iod]))], fill=255
    )
    return Image.composite(Image.fromarray(layer), img, cover)


def test_bar_and_dark_lenses_hide_the_eyes(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    right, left, iod = _eyes(face)
    bar = img.copy()
    ImageDraw.Draw(bar).rectangle(
        [right[0] - 0.6 * iod, right[1] - 0.25 * iod, left[0] + 0.6 * iod, left[1] + 0.25 * iod],
        fill=(0, 0, 0),
    )
    lenses = img.copy()
    draw = ImageDraw.Draw(lenses)
    for centre in (right, left):
        draw.ellipse(
            [*(centre - np.array([0.42 * iod, 0.3 * iod])), *(centre + np.array([0.42 * iod, 0.3 * iod]))],
            fill=(60, 38, 20),
        )
    for variant, name in ((bar, "bar"), (lenses, "brown lenses")):
        found = detect_one(detector, png(variant), name)
        assert low(found, "eyes_visible"), name
        assert found.eyes_closed is not False, name  # unknown (or closed), never "open"
        assert found.wears_sunglasses is True, name  # so moderation-2.0's no-sunglasses fails


def _tinted(img: Image.Image, face: Face, colour: tuple[int, int, int], opacity: int) -> Image.Image:
    right, left, iod = _eyes(face)
    cover = Image.new("L", img.size, 0)
    draw = ImageDraw.Draw(cover)
    for centre in (right, left):
        draw.ellipse(
            [*(centre - np.array([0.44 * iod, 0.32 * iod])), *(centre + np.array([0.44 * iod, 0.32 * iod]))],
            fill=opacity,
        )
    return Image.composite(Image.new("RGB", img.size, colour), img, cover)


def test_see_through_tinted_lenses_are_sunglasses(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    # 75 % grey-blue: the eyes still show through, the colour is far from the skin's
    found = detect_one(detector, png(_tinted(img, face, (60, 70, 95), 190)), "grey-blue lenses")
    assert found.wears_sunglasses is True
    eyes = found.raw["quality"]["eyes"]
    assert min(eyes["right"]["tint"], eyes["left"]["tint"]) >= 16.0, eyes
    # 65 % brown: a hue close to the skin's (tint under 16), but both eyes dimmed and flattened
    found = detect_one(detector, png(_tinted(img, face, (110, 60, 20), 166)), "brown lenses")
    eyes = found.raw["quality"]["eyes"]
    assert max(eyes["right"]["tint"], eyes["left"]["tint"]) < 16.0, eyes
    assert max(eyes["right"]["contrast"], eyes["left"]["contrast"]) < 0.35, eyes
    assert found.wears_sunglasses is True
    # the clean portrait's eye regions have the skin's colour and full contrast
    bare = face.raw["quality"]["eyes"]
    assert max(bare[s]["tint"] for s in ("right", "left")) < 10.0
    assert min(bare[s]["contrast"] for s in ("right", "left")) > 0.5


def test_dimmed_rule_needs_both_eyes_dark_and_flat() -> None:
    from facecurator.detect.quality.eyes import EyeReading, dimmed_by_lenses

    def eye(contrast: float, bright: float) -> EyeReading:
        return EyeReading(0.9, 0.9, "", contrast=contrast, bright=bright, median=0.6)

    assert dimmed_by_lenses(eye(0.30, 0.6), eye(0.32, 0.7)) is True
    assert dimmed_by_lenses(eye(0.30, 0.6), eye(0.45, 0.7)) is False  # one eye bare
    assert dimmed_by_lenses(eye(0.30, 0.85), eye(0.30, 0.7)) is False  # not darker than skin
    assert dimmed_by_lenses(EyeReading(None, None, "face too small"), eye(0.3, 0.6)) is False


def test_veiled_rule_needs_both_eye_areas_flatter_than_bare_eyes() -> None:
    from facecurator.detect.quality.eyes import VEILED_SPREAD_MAX, EyeReading, veiled_by_lenses

    def eye(spread: float, contrast: float = 0.3) -> EyeReading:
        return EyeReading(0.9, 0.9, "", contrast=contrast, bright=1.0, median=0.9, spread=spread)

    assert VEILED_SPREAD_MAX <= 0.25  # 20 % under the flattest bare eye area of the tune split (0.302)
    assert veiled_by_lenses(eye(0.20), eye(0.24)) is True
    assert veiled_by_lenses(eye(0.20), eye(0.30)) is False  # one eye bare
    assert veiled_by_lenses(eye(0.25), eye(0.25)) is False  # the bound itself is bare
    # a narrow bare eye in smooth skin: a flat area, but the eye keeps its own contrast
    assert veiled_by_lenses(eye(0.22, 0.9), eye(0.24, 0.9)) is False
    assert veiled_by_lenses(eye(0.22, 0.2), eye(0.24, 0.36)) is False
    assert veiled_by_lenses(EyeReading(None, None, "face too small"), eye(0.1)) is False


def test_a_skin_coloured_veil_over_both_eyes_is_sunglasses(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    """A see-through lens of the skin's own colour (an amber lens over tanned skin): it
    neither dims the eyes nor shifts their colour, so the lightness and colour rules are
    silent, but it lays its light over the eyes and flattens them (``spread``)."""
    img, face = portrait
    right, _, iod = _eyes(face)
    arr = np.asarray(img).astype(np.float64)
    y, x = int(right[1] + 0.55 * iod), int(right[0])
    cheek = tuple(int(v) for v in arr[y - 3 : y + 3, x - 3 : x + 3].reshape(-1, 3).mean(axis=0))
    found = detect_one(detector, png(_tinted(img, face, cheek, 180)), "skin-coloured lenses")
    eyes, lens = found.raw["quality"]["eyes"], found.raw["quality"]["lens_tint"]
    # what the other lens rules read: not darker than the skin, no colour of their own
    assert min(eyes[s]["bright"] for s in ("right", "left")) >= 0.8, eyes
    assert max(eyes[s]["tint"] for s in ("right", "left")) < 10.0, eyes
    assert lens["common"] < 12.5 and lens["warm"] < 7.7, lens
    assert min(eyes[s]["visible"] for s in ("right", "left")) >= 0.5, eyes
    assert max(eyes[s]["spread"] for s in ("right", "left")) < 0.25, eyes
    assert max(eyes[s]["contrast"] for s in ("right", "left")) < 0.35, eyes
    assert found.wears_sunglasses is True
    bare = face.raw["quality"]["eyes"]
    assert min(bare[s]["spread"] for s in ("right", "left")) > 0.5, bare
    assert face.wears_sunglasses is False


def test_sunglasses_from_eyes_tint_rule() -> None:
    from facecurator.detect.quality.eyes import EyeReading, sunglasses_from_eyes

    def eye(tint: float, bright: float) -> EyeReading:
        return EyeReading(0.9, 0.9, "", contrast=0.6, bright=bright, median=0.7, tint=tint)

    assert sunglasses_from_eyes(eye(20, 0.7), eye(18, 0.75)).sunglasses is True
    assert sunglasses_from_eyes(eye(20, 0.7), eye(18, 0.75)).reason == "tinted lenses?"
    assert sunglasses_from_eyes(eye(20, 0.7), eye(12, 0.75)).sunglasses is False  # one eye only
    assert sunglasses_from_eyes(eye(20, 0.95), eye(20, 0.9)).sunglasses is False  # not darker
    assert sunglasses_from_eyes(EyeReading(None, None, "face too small"), eye(20, 0.7)).sunglasses is None


def test_one_opaque_dark_lens_is_enough_for_sunglasses() -> None:
    from facecurator.detect.quality.eyes import EyeReading, sunglasses_from_eyes

    lens = EyeReading(0.0, None, "covered?", contrast=0.0, bright=0.11, median=0.11)
    glare = EyeReading(0.95, 0.9, "", contrast=0.9, bright=1.3, median=0.8, tint=8.0)
    bare = EyeReading(0.95, 0.9, "", contrast=0.7, bright=1.0, median=0.7, tint=4.0)
    # a reflection on the other lens reads as a bright, detailed eye: one dark lens decides
    assert sunglasses_from_eyes(lens, glare).sunglasses is True
    assert sunglasses_from_eyes(glare, lens).reason == "sunglasses?"
    assert sunglasses_from_eyes(bare, glare).sunglasses is False
    # a skin-coloured hand over one eye is uniform but not dark; a shaded eye is dark but detailed
    hand = EyeReading(0.0, None, "covered?", contrast=0.05, bright=0.95, median=0.9)
    shade = EyeReading(0.6, 0.9, "", contrast=0.3, bright=0.2, median=0.15)
    assert sunglasses_from_eyes(hand, bare).sunglasses is False
    assert sunglasses_from_eyes(shade, bare).sunglasses is False


def test_patch_over_one_eye_and_rectangle_over_mouth(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    right, _, iod = _eyes(face)
    arr = np.asarray(img)
    cheek = arr[int(right[1] + 0.6 * iod), int(right[0])]
    hand = img.copy()
    ImageDraw.Draw(hand).ellipse(
        [*(right - np.array([0.55 * iod, 0.4 * iod])), *(right + np.array([0.55 * iod, 0.4 * iod]))],
        fill=tuple(int(c) for c in cheek),
    )
    found = detect_one(detector, png(hand), "hand")
    assert low(found, "eye_visible_right")
    assert high(found, "eye_visible_left")
    assert low(found, "eyes_visible")
    assert face.landmarks is not None
    mouth = np.array(face.landmarks[3:5]).mean(axis=0)
    nose = np.array(face.landmarks[2])
    rect = img.copy()
    ImageDraw.Draw(rect).rectangle(
        [nose[0] - 0.8 * iod, nose[1] - 0.1 * iod, nose[0] + 0.8 * iod, mouth[1] + 0.5 * iod],
        fill=(120, 120, 180),
    )
    found = detect_one(detector, png(rect), "rectangle")
    assert low(found, "nose_mouth_visible")
    assert high(found, "eyes_visible")


def test_hair_strands_over_one_eye_and_a_hand_over_the_mouth(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    img, face = portrait
    right, _, iod = _eyes(face)
    hair = img.copy()
    draw = ImageDraw.Draw(hair)
    # strands falling from the forehead across the subject's right eye (image left)
    for k in range(12):
        x = right[0] + (k / 11 - 0.5) * iod
        draw.line(
            [(x - 0.1 * iod, right[1] - 0.9 * iod), (x + 0.25 * iod, right[1] + 0.7 * iod)],
            fill=(30, 20, 12),
            width=max(1, int(0.04 * iod)),
        )
    found = detect_one(detector, png(hair), "hair")
    eyes = found.raw["quality"]["eyes"]
    assert eyes["right"]["stripes"] > 1.6 > eyes["left"]["stripes"], eyes
    assert low(found, "eye_visible_right") and high(found, "eye_visible_left")
    assert found.measures["eye_visible_right"].reason == "hair, lenses or shadow?"
    assert face.raw["quality"]["eyes"]["right"]["stripes"] < 1.2  # the bare eye
    # a hand of the skin's colour over the mouth, shaded across (lighter on one side, as
    # the truth set's ``mouth_hand`` variant): the mouth area varies and looks like skin,
    # so only the flat lightness of the "lips" under it shows the cover
    assert face.landmarks is not None
    mouth, cheek, ramp = _hand_shading(img, face)
    rng = np.random.default_rng(5)
    arr = np.asarray(img)
    layer = np.clip(cheek * ramp[..., None] + rng.normal(0, 5, arr.shape), 0, 255).astype(np.uint8)
    hand = _over_mouth(img, layer, mouth, iod)
    found = detect_one(detector, png(hand), "hand over the mouth")
    occ = found.raw["quality"]["occlusion"]
    assert occ["lips_std"] < LIPS_MIN_STD < face.raw["quality"]["occlusion"]["lips_std"], occ
    # the colour test alone would pass this cover: the lips rule is what fails it
    assert occ["mouth"] >= MOUTH_FRACTION_NO_LIPS, occ
    assert found.measures["mouth_visible"].reason == "covered?"
    assert low(found, "mouth_visible") and low(found, "nose_mouth_visible")
    assert high(found, "eyes_visible")


def _blotchy_hand(img: Image.Image, face: Face) -> Image.Image:
    """``img`` with a hand of the skin's colour over the mouth, with blotchy shading."""
    import cv2

    iod = _eyes(face)[2]
    mouth, cheek, ramp = _hand_shading(img, face)
    rng = np.random.default_rng(5)
    arr = np.asarray(img)
    sigma = 0.08 * iod
    blots = cv2.GaussianBlur(rng.normal(0, 40, arr.shape[:2]), (0, 0), sigma) * sigma * 2 / 255
    layer = np.clip(cheek * (ramp + blots)[..., None], 0, 255).astype(np.uint8)
    return _over_mouth(img, layer, mouth, iod)


def test_a_blotchy_skin_coloured_hand_without_lip_colour_covers_the_mouth(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    # a hand of the skin's colour over the mouth with blotchy shading (as the ``mouth_hand``
    # variant of a large face reads): the "lips" under it vary more than a flat patch
    # (lips_std above LIPS_MIN_STD) but show neither the lips' colour nor their shading
    img, face = portrait
    assert face.landmarks is not None and face.raw is not None
    bare = face.raw["quality"]["occlusion"]
    assert bare["lip_contrast"] > 0 and bare["lips_std"] >= LIPS_MIN_STD_NO_LIPS  # real lips
    found = detect_one(detector, png(_blotchy_hand(img, face)), "blotchy hand")
    occ = found.raw["quality"]["occlusion"] if found.raw else {}
    # only the bound for lips without their colour fails it: the area looks like skin, the
    # lips' lightness varies more than a flat patch's, nothing runs up and down across them
    assert occ["lip_contrast"] <= 0 and occ["mouth"] >= MOUTH_FRACTION_NO_LIPS, occ
    assert LIPS_MIN_STD < occ["lips_std"] < LIPS_MIN_STD_NO_LIPS, occ
    assert found.measures["mouth_visible"].reason == "covered?"
    assert low(found, "mouth_visible") and low(found, "nose_mouth_visible")
    assert high(found, "eyes_visible")


def test_a_hand_over_the_mouth_of_a_black_and_white_photo(
    portrait: tuple[Image.Image, Face], detector: LocalDetector
) -> None:
    # a B&W photo (as the ``mouth_hand`` variant of face-api.js amy1.png): the lips' colour
    # says nothing, so lips without a dark line or shadow (lips_p10 >= LIPS_LINE_MIN_P10)
    # must show the spread of LIPS_MIN_STD_NO_LIPS, as colourless lips in a colour photo
    img, _ = portrait
    grey = img.convert("L").convert("RGB")
    bare = detect_one(detector, png(grey), "grey img14")
    assert bare.raw is not None
    lips = bare.raw["quality"]["occlusion"]
    assert lips["lips_p10"] < LIPS_LINE_MIN_P10 and high(bare, "mouth_visible"), lips  # real lips
    found = detect_one(detector, png(_blotchy_hand(grey, bare)), "grey blotchy hand")
    occ = found.raw["quality"]["occlusion"] if found.raw else {}
    assert occ["lips_p10"] >= LIPS_LINE_MIN_P10 and occ["mouth"] >= MOUTH_FRACTION_NO_LIPS, occ
    # over the bound for any lips, under the bound for lips showing neither colour nor line
    assert LIPS_MIN_STD < occ["lips_std"] < LIPS_MIN_STD_NO_LIPS, occ
    assert found.measures["mouth_visible"].reason == "covered?"
    assert low(found, "mouth_visible") and low(found, "nose_mouth_visible")
    assert high(found, "eyes_visible")


def test_lips_without_a_line_need_the_spread_only_when_their_colour_is_weak() -> None:
    # a skin-coloured hand's soft edge leaks a little redness onto the "lips" (test split:
    # deepface img50.jpg's ``mouth_hand`` reads lip_contrast 1.0, lips_p10 0.90)
    assert _no_line(0.90, 1.0, monochrome=False)
    assert _no_line(LIPS_LINE_MIN_P10, LIP_WEAK_CONTRAST - 0.5, monochrome=False)
    # lips clearly redder than the mouth area around them are lips, line or not (a pout)
    assert not _no_line(0.90, LIP_WEAK_CONTRAST, monochrome=False)
    assert not _no_line(0.90, 12.0, monochrome=False)
    # a dark line between the lips: lips, whatever their colour
    assert not _no_line(LIPS_LINE_MIN_P10 - 0.01, 0.0, monochrome=True)
    assert _no_line(0.95, 12.0, monochrome=True)  # monochrome: the colour is not evidence


def test_detail_verdicts_become_pass_fail_measures() -> None:
    from facecurator.detect.quality.summary import DETAIL_MEASURES, detail_named
    from facecurator.domain.measures import ALL_MEASURES

    named = detail_named(
        {"blurred": (True, "x"), "compressed": (False, "y"), "upscaled": (None, "too small")}
    )
    assert set(named) == set(DETAIL_MEASURES) and set(named) <= set(ALL_MEASURES)
    assert named["sharp"].value == 0.0 and named["sharp"].reason
    assert named["no_compression_artefacts"].value == 1.0
    assert named["full_resolution"].value is None and named["full_resolution"].reason == "too small"
    assert named["photograph"].value is None  # a verdict that was not given is not measured, never a pass


def test_a_speaking_mouth_showing_its_teeth_is_visible(corpus_dir: Path, detector: LocalDetector) -> None:
    # mouth wide open, teeth and the dark inside showing, lips about the skin's colour:
    # read "covered" (0.47) while the opening counted as not face-like
    name = "people/obama/obama2.jpg"
    face = detect_one(detector, (corpus_dir / name).read_bytes(), name)
    mouth = face.measures["mouth_visible"].value
    assert mouth is not None and mouth >= 0.55, face.measures["mouth_visible"]
    nose_mouth = face.measures["nose_mouth_visible"].value
    assert nose_mouth is not None and nose_mouth >= 0.5
    assert face.raw is not None
    assert face.raw["quality"]["occlusion"]["lip_contrast"] > 0  # the teeth no longer dilute the lips


def _open_mouth_regions() -> FaceRegions:
    """A 128 px crop whose mouth area is skin, lips red, and an open mouth: white teeth."""
    from facecurator.detect.quality.regions import _with_planes

    side = 128
    # a mouth area, the lips inside it and the opening inside the lips (crop pixels)
    pts = mouth_points(area=(30, 20), lips=(22, 11), opening=(16, 6))
    rgb = np.zeros((side, side, 3), dtype=np.uint8)
    rgb[:] = (200, 150, 120)
    yy, xx = np.mgrid[0:side, 0:side]
    rgb[((xx - 64) / 22) ** 2 + ((yy - 92) / 11) ** 2 <= 1] = (180, 80, 80)
    rgb[((xx - 64) / 16) ** 2 + ((yy - 92) / 6) ** 2 <= 1] = (245, 245, 240)
    return _with_planes(rgb, pts, 100.0)


def test_the_mouth_opening_is_left_out_of_the_mouth_and_lips() -> None:
    from facecurator.detect.quality.occlusion import _without_opening, lip_contrast

    regions = _open_mouth_regions()
    opening = regions.polygon(MOUTH_OPENING)
    assert np.count_nonzero(opening) > 20
    mouth = _without_opening(regions, MOUTH_AREA)
    assert not (mouth & opening).any()
    assert np.count_nonzero(mouth) == np.count_nonzero(regions.polygon(MOUTH_AREA) & ~opening)
    # lips redder than the skin around them once the white teeth are left out
    assert lip_contrast(regions) > 20


def aligned_face(
    detector: LocalDetector, path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The eye-aligned crop, its points and the mesh the detector hands to ``face_quality``
    for the first face of ``path`` (so a test can paint on the very pixels it measures)."""
    import facecurator.detect.local as local

    seen: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    real = local.face_quality

    def spy(rgb: np.ndarray, mesh: np.ndarray, *, yaw: float, aligned: tuple[np.ndarray, np.ndarray]):  # type: ignore[no-untyped-def]
        seen.append((aligned[0].copy(), aligned[1].copy(), np.array(mesh)))
        return real(rgb, mesh, yaw=yaw, aligned=aligned)

    monkeypatch.setattr(local, "face_quality", spy)
    detect_one(detector, path.read_bytes(), path.stem)
    return seen[0]


def test_a_shaded_glabella_alone_is_not_the_nose_reference(
    corpus_dir: Path, detector: LocalDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hair over the forehead and a glasses bridge's shade on the glabella: the nose and
    mouth are compared with every skin patch, not with the shaded glabella alone."""
    from facecurator.detect.quality.regions import FOREHEAD, GLABELLA, face_regions, polygon_mask
    from facecurator.detect.quality.summary import face_quality

    crop, pts, mesh = aligned_face(detector, corpus_dir / "people/deepface_p03/img14.jpg", monkeypatch)
    shaded = crop.astype(np.float32)
    forehead = polygon_mask(crop.shape[:2], pts[list(FOREHEAD)])
    glabella = polygon_mask(crop.shape[:2], pts[list(GLABELLA)])
    shaded[forehead] *= 0.35  # dark hair over the forehead: not skin
    shaded[glabella & ~forehead] *= 0.62  # the bridge's shade: skin, just within 0.6 x
    painted = np.clip(shaded, 0, 255).astype(np.uint8)
    regions = face_regions(painted, mesh, aligned=(painted, pts))
    from facecurator.detect.quality.regions import skin_reference

    upper = skin_reference(regions, prefer=("forehead", "glabella"))
    assert upper is not None and upper.patches == ("glabella",)  # the case this is about
    quality = face_quality(painted, mesh, yaw=0.0, aligned=(painted, pts))
    nose = quality.measures["nose_visible"].value
    assert nose is not None and nose >= 0.5, quality.measures["nose_visible"]
    assert quality.raw["skin"]["upper"] == quality.raw["skin"]["cheeks"]


def test_a_dark_lens_over_a_grey_face_s_cheek_leaves_it_grey(
    corpus_dir: Path, detector: LocalDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A black-and-white photo with dark brown lenses painted on, one reaching over a cheek
    (the truth set's ``sunglasses`` variant of a tilted grey face): the lens's colour says
    nothing of the photo's, so the face stays monochrome, its lit patches are the skin
    reference and the lenses read as sunglasses (not "no skin visible": unknown)."""
    from facecurator.detect.quality.regions import (
        IOD,
        RIGHT_CHEEK,
        face_regions,
        polygon_mask,
        skin_reference,
    )
    from facecurator.detect.quality.summary import face_quality

    crop, pts, mesh = aligned_face(detector, corpus_dir / "formats/einstein.webp", monkeypatch)
    bare = face_regions(crop, mesh, aligned=(crop, pts))
    reference = skin_reference(bare)
    assert reference is not None and reference.monochrome  # the case this is about
    lens = (35, 22, 12)  # the truth set's dark brown lens
    painted = Image.fromarray(crop)
    draw = ImageDraw.Draw(painted)
    for side in ("right", "left"):
        cx, cy = bare.eye_centre(side)
        draw.ellipse([cx - 0.44 * IOD, cy - 0.28 * IOD, cx + 0.44 * IOD, cy + 0.36 * IOD], fill=lens)
    out = np.array(painted)
    out[polygon_mask(crop.shape[:2], pts[list(RIGHT_CHEEK)])] = lens  # the lens over one cheek
    regions = face_regions(out, mesh, aligned=(out, pts))
    skin = skin_reference(regions)
    assert skin is not None and skin.monochrome, skin
    assert "right cheek" not in skin.patches  # too dark to be skin
    quality = face_quality(out, mesh, yaw=0.0, aligned=(out, pts))
    assert quality.sunglasses is True, quality.raw["eyes"]
    assert low_value(quality.measures["eyes_visible"].value)


def low_value(found: float | None) -> bool:
    return found is not None and found < 0.5
