"""Under-exposure judged on the light, not the skin (issue 18, facecurator.detect.quality.exposure).

A dim shot leaves the whole scene (face, eye whites, hair, background, clothes) far
under white; a dark-skinned face in good light does not. The verdict must tell them
apart by the scene's brightest part (``scene_light``), so a face that is merely dark
(dark skin, its own highlights under 100) is not "underexposed" while the same photo
taken 2.5-3.5 stops under is. Calibration: docs/local-detector.md ("Under-exposure
judged on the light").
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facecurator.detect.quality import exposure, face
from facecurator.detect.quality.base import FACE_OVAL, Measure

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.csv").exists(), reason="../shared/corpus (the shared test photos) is not present"
)
PORTRAITS = ("people/deepface_p01/img2.jpg", "people/obama/obama.jpg", "people/deepface_p03/img13.jpg")


def _stops(rgb: np.ndarray, stops: float) -> np.ndarray:
    """``rgb`` with ``stops`` more (> 0) or less (< 0) exposure, in linear light (as the
    truth set's ``dim`` variant)."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4) * 2.0**stops
    lin = np.clip(lin, 0.0, 1.0)
    out = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)


def _scene(face_level: int, shirt_level: int, background: int = 120) -> np.ndarray:
    """A 300 x 300 picture: a face box (100..200 x 80..200) of ``face_level`` with a
    few brighter pixels (eye whites), a shirt under it and a background."""
    rgb = np.full((300, 300, 3), background, np.uint8)
    rgb[210:300, 60:240] = shirt_level
    rgb[80:200, 100:200] = (face_level, int(face_level * 0.8), int(face_level * 0.65))
    rgb[120:124, 120:130] = 2 * face_level  # a little eye white, far under 1 % of the scene
    return rgb


# --------------------------------------------------------------------------- scene_light


def test_scene_light_is_the_brightest_percent_of_the_scene_around_the_face() -> None:
    rgb = _scene(face_level=60, shirt_level=230)
    light = exposure.scene_light(rgb, (100, 80, 200, 200))
    assert light.value == 230  # the white shirt under the dark face
    assert light.details["samples"] > 5_000  # every 3rd pixel of the 300 x 220 scene
    # the brightest channel counts: a saturated red shirt is as much light as a white one
    rgb[210:300, 60:240] = (230, 40, 40)
    assert exposure.scene_light(rgb, (100, 80, 200, 200)).value == 230
    # a few specular pixels (under 1 % of the scene) do not make a dim scene bright
    dim = _scene(face_level=60, shirt_level=70, background=70)
    dim[5:8, 5:8] = 255
    assert exposure.scene_light(dim, (100, 80, 200, 200)).value == 70


def test_scene_light_looks_beyond_the_face_but_not_across_the_whole_photo() -> None:
    rgb = _scene(face_level=60, shirt_level=60, background=60)
    wide = np.full((300, 1200, 3), 60, np.uint8)
    wide[:, :300] = rgb
    wide[:, 700:] = 250  # a lit wall far to the right: another part of the photo
    assert exposure.scene_light(wide, (100, 80, 200, 200)).value < exposure.SCENE_LIGHT_MIN
    wide[:, 290:300] = 250  # within one face width of the face: its background
    assert exposure.scene_light(wide, (100, 80, 200, 200)).value == 250


def _measures(mean: float, dark: float, light: float | None) -> dict[str, Measure]:
    return {
        "brightness": Measure(mean, ""),
        "underexposure": Measure(dark, "", {"p95": 90.0}),
        "scene_light": Measure(light, ""),
    }


def test_underexposed_judges_the_light_not_the_face_tone() -> None:
    # a dark face (mean 60, highlights 90) in a scene with something near white: fine
    assert exposure.underexposed(_measures(60.0, 0.05, 220.0)) is False
    # the same face in a scene whose brightest part is 2+ stops under white: a dim shot
    assert exposure.underexposed(_measures(60.0, 0.05, exposure.SCENE_LIGHT_MIN - 1)) is True
    assert exposure.underexposed(_measures(60.0, 0.05, exposure.SCENE_LIGHT_MIN)) is False
    # a black face (backlit against a window) stays underexposed whatever the scene
    assert exposure.underexposed(_measures(30.0, 0.1, 255.0)) is True
    assert exposure.underexposed(_measures(70.0, 0.7, 255.0)) is True
    # no scene measure: the face rules alone; the face not measured: unknown
    assert exposure.underexposed(_measures(60.0, 0.05, None)) is False
    assert exposure.underexposed(_measures(None, None, 220.0)) is None  # type: ignore[arg-type]


def test_scene_light_bound_is_two_stops_under_white() -> None:
    white = np.full((4, 4, 3), 255, np.uint8)
    assert abs(int(_stops(white, -2.0)[0, 0, 0]) - exposure.SCENE_LIGHT_MIN) <= 1


# --------------------------------------------------------------------------- corpus faces


@cache
def _detector():  # type: ignore[no-untyped-def]
    from facecurator.detect.local import LocalDetector

    det = LocalDetector()
    det.load()
    return det


def _largest_face(rgb: np.ndarray) -> np.ndarray:
    det = _detector()
    meshes = [m for m in (det._fit_mesh(rgb, c) for c in det._candidates(rgb)) if m is not None]
    assert meshes, "no face with a mesh"
    return max(meshes, key=lambda m: np.ptp(m[:, 0]) * np.ptp(m[:, 1]))


def _working(rel: str) -> np.ndarray:
    from facecurator.detect.local import _header
    from facecurator.domain.images import decode_image

    data = (CORPUS / rel).read_bytes()
    decoded = decode_image(data, name=rel, max_side=_header(data, _detector().settings.working_side)[0])
    return np.ascontiguousarray(np.asarray(decoded.image.convert("RGB"), dtype=np.uint8))


def _png_round_trip(rgb: np.ndarray) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    with Image.open(io.BytesIO(buf.getvalue())) as img:
        return np.asarray(img.convert("RGB"), dtype=np.uint8)


@needs_corpus
@pytest.mark.parametrize("rel", PORTRAITS)
def test_a_darker_face_in_the_same_light_is_not_underexposed(rel: str) -> None:
    """The face oval 3 stops darker (darker skin; eye whites and teeth too, the hardest
    case) while its scene keeps its light: the face's own highlights fall under 100, the
    old "dim highlights" rule's bound, but the photo is not underexposed. The whole
    photo 2.5 stops under is."""
    import cv2

    rgb = _working(rel)
    mesh = _largest_face(rgb)
    oval = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillPoly(oval, [np.round(mesh[list(FACE_OVAL), :2]).astype(np.int32)], (1,))
    darker = rgb.copy()
    darker[oval > 0] = _stops(rgb, -3.0)[oval > 0]
    darker = _png_round_trip(darker)
    q = face.measure_face(darker, mesh, with_pose=False)
    assert q.measures["underexposure"].details["p95"] < 100, q.measures["underexposure"]
    assert q.measures["scene_light"].value is not None
    assert q.measures["scene_light"].value >= exposure.SCENE_LIGHT_MIN + 20, q.measures["scene_light"]
    assert q.verdicts["underexposed"][0] is False, q.raw()
    dim = _png_round_trip(_stops(rgb, -2.5))
    q_dim = face.measure_face(dim, mesh, with_pose=False)
    assert q_dim.verdicts["underexposed"][0] is True, q_dim.raw()
    # it is the light that says so: the dim face is neither black nor mostly dark
    assert q_dim.measures["brightness"].value is not None
    assert q_dim.measures["brightness"].value >= exposure.BRIGHTNESS_MIN, q_dim.measures["brightness"]
    assert q_dim.measures["scene_light"].value is not None
    assert q_dim.measures["scene_light"].value < exposure.SCENE_LIGHT_MIN


# --------------------------------------------------------------------------- washed out (local-v35)


def _veiled(rgb: np.ndarray, veil: float) -> np.ndarray:
    """``rgb`` under a uniform veil of ``veil`` of white in linear light (the truth set's
    ``washed`` variant: benchmarks/truthset/exposure_variants.py)."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lin = veil + (1.0 - veil) * lin
    out = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)


def _light_scene() -> np.ndarray:
    """A 300 x 300 light picture: background 190, a face box (100..200 x 80..200) of
    (210, 180, 160) and a shirt of 220 under it."""
    rgb = np.full((300, 300, 3), 190, np.uint8)
    rgb[210:300, 60:240] = 220
    rgb[80:200, 100:200] = (210, 180, 160)
    return rgb


def test_scene_dark_is_the_darkest_twentieth_of_the_scene_around_the_face() -> None:
    box = (100, 80, 200, 200)
    # the face (14 % of the scene) is its darkest part, by its darkest channel (blue 160)
    assert exposure.scene_dark(_light_scene(), box) == 160
    # dark hair beside the face (over 5 % of the scene) makes the scene's darks dark
    rgb = _light_scene()
    rgb[80:200, 80:100] = 20
    rgb[80:200, 200:220] = 20
    assert exposure.scene_dark(rgb, box) == 20
    # a few dark pixels (under 5 % of the scene) do not
    rgb = _light_scene()
    rgb[30:40, 10:40] = 0
    assert exposure.scene_dark(rgb, box) == 160
    # a saturated colour counts by its darkest channel: a blue shirt is dark in red
    blue = _light_scene()
    blue[210:300, 0:300] = (30, 90, 230)
    assert exposure.scene_dark(blue, box) == 30
    # far from the face (beyond one face width) is another part of the photo
    wide = np.full((300, 1200, 3), 190, np.uint8)
    wide[:, :300] = _light_scene()
    wide[:, 700:] = 0
    assert exposure.scene_dark(wide, box) == 160
    wide[:, 290:300] = 0  # within one face width: its background
    wide[:, 0:30] = 0
    assert exposure.scene_dark(wide, box) == 0


def _over(clipped: float, reason: str) -> dict[str, Measure]:
    return {"overexposure": Measure(clipped, reason)}


def test_overexposed_is_clipped_or_washed_out() -> None:
    assert exposure.overexposed(_over(0.31, "face clipped white")) is True
    assert exposure.overexposed(_over(0.10, "not clipped")) is False
    assert exposure.overexposed(_over(0.10, exposure.REASON_WASHED)) is True
    assert exposure.overexposed(_over(0.0, exposure.REASON_WASHED)) is True
    assert exposure.overexposed({"overexposure": Measure(None, "face too small")}) is None


@needs_corpus
@pytest.mark.parametrize("rel", PORTRAITS)
def test_a_washed_out_photo_is_overexposed_with_nothing_clipped(rel: str) -> None:
    """The whole photo under a veil of a third of white (black becomes sRGB 155; the
    outside +1.5 EV face reads as a veil of about 0.3): nothing is clipped, but nothing
    is dark on the face or around it. The original is not; nor is the face alone lifted
    as far (a fair face in bright light) while its hair and background keep their darks."""
    import cv2

    rgb = _working(rel)
    mesh = _largest_face(rgb)
    q = face.measure_face(rgb, mesh, with_pose=False)
    assert q.verdicts["overexposed"][0] is False, q.raw()
    washed = _png_round_trip(_veiled(rgb, 0.33))
    q_w = face.measure_face(washed, mesh, with_pose=False)
    over = q_w.measures["overexposure"]
    assert over.value is not None and over.value <= exposure.OVEREXPOSURE_MAX, over
    assert q_w.verdicts["overexposed"] == (True, exposure.REASON_WASHED), q_w.raw()
    assert over.details["p5"] >= exposure.WASHED_FACE_P5
    assert over.details["scene_dark"] >= exposure.WASHED_SCENE_DARK
    oval = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillPoly(oval, [np.round(mesh[list(FACE_OVAL), :2]).astype(np.int32)], (1,))
    light_face = rgb.copy()
    light_face[oval > 0] = _veiled(rgb, 0.33)[oval > 0]
    q_l = face.measure_face(_png_round_trip(light_face), mesh, with_pose=False)
    assert q_l.measures["overexposure"].details["p5"] >= exposure.WASHED_FACE_P5
    assert q_l.verdicts["overexposed"][0] is False, q_l.raw()
