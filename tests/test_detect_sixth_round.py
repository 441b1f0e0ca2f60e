"""Issue 18, sixth speed round (docs/local-detector-cost.md): each speed-up gives the numbers
the plain way gave, bit for bit — mediapipe's graphs run without ``process``'s per-call
class, head pose and eye centres with their constants made once, the face- and hair-like
maps' shared chroma and hue planes, numpy's percentile of whole numbers."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest

from facecurator.detect import measures, passes
from facecurator.detect.quality import occlusion, regions
from facecurator.detect.quality.regions import SkinReference


def _plain_head_pose(mesh: np.ndarray) -> tuple[float, float, float, float]:
    """head_pose as it was before the round (its constants made on every call)."""
    pts = np.asarray(mesh, dtype=np.float64)[list(measures._RIGID_INDICES)]
    target = pts * np.array([1.0, -1.0, -1.0])
    src = measures._CANONICAL - measures._CANONICAL.mean(axis=0)
    dst = target - target.mean(axis=0)
    u, sing, vt = np.linalg.svd(dst.T @ src)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    fix = np.diag([1.0, 1.0, d])
    rot = u @ fix @ vt
    scale = float((sing * np.diag(fix)).sum() / (src**2).sum())
    fitted = scale * (src @ rot.T)
    size = math.sqrt(float((dst**2).sum(axis=1).mean())) or 1.0
    residual = math.sqrt(float(((fitted - dst) ** 2).sum(axis=1).mean())) / size
    forward = rot[:, 2]
    yaw = math.degrees(math.atan2(forward[0], forward[2]))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, forward[1]))))
    roll = math.degrees(math.atan2(rot[1, 0], rot[1, 1]))
    return pitch, yaw, roll, residual


@pytest.mark.parametrize("seed", range(8))
def test_head_pose_and_eye_centres_are_the_plain_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mesh = rng.normal(0.0, 3.0, (478, 3))
    canonical = np.array([measures.CANONICAL_RIGID_POINTS[i] for i in measures._RIGID_INDICES])
    angle = rng.uniform(-0.6, 0.6)
    turn = np.array(
        [[math.cos(angle), 0.0, math.sin(angle)], [0.0, 1.0, 0.0], [-math.sin(angle), 0.0, math.cos(angle)]]
    )
    mesh[list(measures._RIGID_INDICES)] = (canonical @ turn.T) * [1.0, -1.0, -1.0] * rng.uniform(
        3, 30
    ) + rng.normal(0.0, 0.2, canonical.shape)
    mesh[:, :2] += rng.uniform(50, 900, 2)
    pose = measures.head_pose(mesh)
    assert (pose.pitch, pose.yaw, pose.roll, pose.residual) == _plain_head_pose(mesh)
    right, left = measures.eye_centres(mesh)
    pts = mesh[:, :2]
    assert right.tobytes() == pts[list(measures.RIGHT_EYE_CONTOUR)].mean(axis=0).tobytes()
    assert left.tobytes() == pts[list(measures.LEFT_EYE_CONTOUR)].mean(axis=0).tobytes()


def test_box_slices_are_remembered_as_computed() -> None:
    for side in (96, 128, 131):
        for box in (*measures._CHEEK_BOXES, *measures._EYE_WINDOWS, measures._BRIDGE_BAND):
            y0, y1, x0, x1 = (round(v * side) for v in box)
            assert measures._box_slices(side, box) == (slice(y0, y1), slice(x0, x1))


def _plain_maps(reg: regions.FaceRegions, skin: SkinReference) -> tuple[np.ndarray, np.ndarray]:
    """face_like_map and hair_like_map as they were before the round (each its own planes)."""
    lum, a, b = reg.area_planes
    ref_l, ref_a, ref_b = (float(v) for v in skin.lab)
    ok = (lum >= occlusion.FACE_L_RANGE[0] * max(ref_l, 1.0)) & (
        lum <= occlusion.FACE_L_RANGE[1] * max(ref_l, 1.0)
    )
    hair_chroma = a * a + b * b
    if not skin.monochrome:
        da, db = a - ref_a, b - ref_b
        chroma2 = a * a + b * b
        ref_chroma = (ref_a * ref_a + ref_b * ref_b) ** 0.5
        skin_like = da * da + db * db <= occlusion.SKIN_AB_RADIUS * occlusion.SKIN_AB_RADIUS
        skin_like &= chroma2 >= (occlusion.SKIN_MIN_CHROMA_RATIO * ref_chroma) ** 2
        lip_like = (da >= occlusion.LIP_A_RANGE[0]) & (da <= occlusion.LIP_A_RANGE[1])
        lip_like &= (db >= -occlusion.LIP_B_BELOW) & (a > 0)
        lip_like &= chroma2 <= (ref_chroma + occlusion.LIP_MAX_EXTRA_CHROMA) ** 2
        ok &= skin_like | lip_like
    hair = ~ok & (lum < ref_l)
    if not skin.monochrome:
        hue = np.degrees(np.arctan2(b, a))
        hued = (hue >= occlusion.SKIN_HUE_DEGREES[0]) & (hue <= occlusion.SKIN_HUE_DEGREES[1])
        hued &= hair_chroma <= (math.hypot(ref_a, ref_b) + occlusion.LIP_MAX_EXTRA_CHROMA) ** 2
        hair &= hued | (hair_chroma < occlusion.SKIN_MIN_CHROMA * occlusion.SKIN_MIN_CHROMA)
    return ok, hair


@pytest.mark.parametrize("seed", range(4))
def test_face_and_hair_maps_share_their_planes_and_are_the_plain_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    crop = np.clip(rng.normal((170, 120, 100), 40, (regions.SIDE, regions.SIDE, 3)), 0, 255).astype(np.uint8)
    reg = regions._with_planes(crop, rng.uniform(0, regions.SIDE, (478, 2)), 60.0)
    skins = [
        SkinReference(
            lab=np.array([62.0, 14.5, 17.25], dtype=np.float32), monochrome=False, patches=("cheeks",)
        ),
        SkinReference(lab=np.array([48.3, 9.0, 11.0]), monochrome=False, patches=("forehead",)),
        SkinReference(lab=np.array([55.0, 0.5, -0.5]), monochrome=True, patches=("cheeks",)),
    ]
    for skin in [*skins, skins[0]]:  # the first again: its maps come from the cache
        want_like, want_hair = _plain_maps(reg, skin)
        like = occlusion.face_like_map(reg, skin)
        hair = occlusion.hair_like_map(reg, skin, like)
        assert like.tobytes() == want_like.tobytes() and hair.tobytes() == want_hair.tobytes()
        assert not like.flags.writeable and not hair.flags.writeable
    assert occlusion.face_like_map(reg, skins[0]) is occlusion.face_like_map(reg, skins[0])
    # another reference of the same numbers is another object: made again, the same map
    twin = SkinReference(lab=skins[0].lab.copy(), monochrome=False, patches=("cheeks",))
    assert occlusion.face_like_map(reg, twin).tobytes() == _plain_maps(reg, twin)[0].tobytes()


class _Plain:
    """A solution graph reached through ``process`` only (no internals to read)."""

    def __init__(self) -> None:
        self.calls = 0

    def process(self, image: np.ndarray) -> object:
        self.calls += 1
        return type("Result", (), {"detections": None})()


def test_graph_outputs_are_process_outputs(corpus_dir: Path) -> None:
    """Each graph run the cheap way gives what ``process`` gives, at the next timestamp (a
    repeated or missed timestamp makes mediapipe fail or the graphs' state differ)."""
    mp = pytest.importorskip("mediapipe")
    from PIL import Image

    data = (corpus_dir / "people/deepface_p03/img14.jpg").read_bytes()
    img = Image.open(io.BytesIO(data)).convert("RGB")
    img.thumbnail((700, 700))
    rgb = np.ascontiguousarray(np.asarray(img))
    face = np.ascontiguousarray(np.asarray(img.resize((256, 256))))
    for kind in ("detections", "mesh"):
        if kind == "detections":
            cheap = mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.3)
            plain = mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.3)
            inputs, name = [rgb, rgb[::2, ::2].copy(), rgb], "detections"
        else:
            cheap = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True)
            plain = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True)
            inputs, name = [face, face[:, ::-1].copy(), face], "multi_face_landmarks"
        try:
            for k, image in enumerate(inputs):
                # alternate on the cheap graph too: process and graph_outputs share its clock
                got = passes.graph_outputs(cheap, image) if k != 1 else cheap.process(image)
                want = plain.process(image)
                assert getattr(got, name) is not None
                assert str(getattr(got, name)) == str(getattr(want, name))
                assert cheap._simulated_timestamp == plain._simulated_timestamp == 33333 * (k + 1)
        finally:
            cheap.close()
            plain.close()
    other = _Plain()
    assert passes.graph_outputs(other, rgb).detections is None and other.calls == 1


def test_percentiles_of_levels_are_numpys() -> None:
    rng = np.random.default_rng(18)
    for k in range(3000):
        n = int(rng.integers(1, 700))
        dtype = (np.uint8, np.uint16, np.int32, np.int64)[k % 4]
        high = 256 if dtype == np.uint8 else 5000
        values = rng.integers(0, high, n).astype(dtype)
        if k % 7 == 0:
            values[:] = values[0]  # all alike
        q = float((90, 75, 50, 0, 100, 5, 99.5)[k % 7]) if k % 3 else float(rng.uniform(0, 100))
        before = values.copy()
        got = measures.percentile_of_levels(values, q)
        assert got == float(np.percentile(values, q)), (n, q, dtype)
        assert values.tobytes() == before.tobytes()  # the caller's array is left as it was
    for k in range(3000):  # float64: grey levels as the glasses measure has them, and any values
        n = int(rng.integers(1, 700))
        values = rng.integers(0, 256, n).astype(np.float64) if k % 2 else rng.normal(0, 1e3, n)
        if k % 5 == 0:
            values[rng.integers(0, n, 3)] = -0.0
        q = float((90, 75, 50, 0, 100, 5, 99.5)[k % 7]) if k % 3 else float(rng.uniform(0, 100))
        got = measures.percentile_of_levels(values, q)
        want = float(np.percentile(values, q))
        assert np.array_equal(np.float64(got), np.float64(want)) and np.signbit(got) == np.signbit(want), (
            n,
            q,
        )
    for edge, q in (([-3.0, -0.0, -1.0], 100.0), ([-0.0], 40.0)):  # -0.0 at the top end: +0.0, -0.0
        got, want = measures.percentile_of_levels(np.array(edge), q), np.percentile(edge, q)
        assert got == want and np.signbit(got) == np.signbit(want)
    nan = np.array([3.0, np.nan, 1.0, 2.0])
    assert np.isnan(measures.percentile_of_levels(nan, 50)) and np.isnan(np.percentile(nan, 50))
    floats = rng.normal(size=50).astype(np.float32)  # numpy subtracts these in float32: its own way
    assert measures.percentile_of_levels(floats, 90) == float(np.percentile(floats, 90))
