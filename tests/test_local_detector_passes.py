"""The local detector's passes handing pixels to mediapipe (detect/passes.py): the mesh's points
read from their bytes, the detector passes' shared reduction, the mesh's padded square. Each
checks that a speed-up gives the same numbers as the plain way (split from
test_local_detector.py along that seam)."""

from __future__ import annotations

import pytest

from facecurator.detect.local import LocalDetector


def test_mesh_landmarks_read_from_their_bytes_as_point_by_point() -> None:
    """The mesh's points read from the serialized landmark list (passes._landmark_xyz) are
    the numbers the landmarks' own fields give, in order; lists whose points carry other
    fields, or miss one, are read point by point."""
    import numpy as np
    from mediapipe.framework.formats import landmark_pb2

    from facecurator.detect.passes import _landmark_xyz

    rng = np.random.default_rng(5)
    values = rng.normal(0.5, 0.4, (478, 3)).astype(np.float32)
    values[3] = (0.0, -0.0, 1e-30)
    plain = landmark_pb2.NormalizedLandmarkList()
    for x, y, z in values:
        plain.landmark.add(x=float(x), y=float(y), z=float(z))

    def fields(message: landmark_pb2.NormalizedLandmarkList) -> np.ndarray:
        return np.array([(lm.x, lm.y, lm.z) for lm in message.landmark], dtype=np.float64)

    got = _landmark_xyz(plain)
    assert got.shape == (478, 3) and got.dtype == np.float64
    assert got.tobytes() == fields(plain).tobytes() == values.astype(np.float64).tobytes()
    other = landmark_pb2.NormalizedLandmarkList()
    other.CopyFrom(plain)
    other.landmark[7].visibility = 0.5  # a longer record: read point by point
    other.landmark[9].ClearField("z")  # a shorter one
    assert _landmark_xyz(other).tobytes() == fields(other).tobytes()
    assert _landmark_xyz(landmark_pb2.NormalizedLandmarkList()).shape == (0, 3)


@pytest.mark.parametrize("size", [(1000, 750), (1200, 900), (700, 500)])
def test_detector_passes_share_a_reduction_only_when_it_is_the_same(size: tuple[int, int]) -> None:
    """The short- and full-range passes hand mediapipe the image reduced by their own
    whole factor; when both factors agree the reduction is made once and reused."""
    import cv2
    import numpy as np

    from facecurator.detect.passes import _FULL_INPUT, _SHORT_INPUT, _run_detector

    width, height = size
    img = np.random.default_rng(width).integers(0, 256, (height, width, 3), dtype=np.uint8)
    seen: list[np.ndarray] = []

    class Graph:
        def process(self, image: np.ndarray) -> object:
            seen.append(image.copy())
            return type("Result", (), {"detections": None})()

    def alone(side: int) -> np.ndarray:
        factor = -(-max(height, width) // side)
        if factor == 1:
            return img
        part = img[: height // factor * factor, : width // factor * factor]
        return cv2.resize(part, (width // factor, height // factor), interpolation=cv2.INTER_AREA)

    reduced: dict[int, np.ndarray] = {}
    for side in (_SHORT_INPUT, _FULL_INPUT):
        assert _run_detector(Graph(), img, 0, 0, 1.0, "pass", side, reduced) == []
    assert [s.shape for s in seen] == [alone(_SHORT_INPUT).shape, alone(_FULL_INPUT).shape]
    assert np.array_equal(seen[0], alone(_SHORT_INPUT)) and np.array_equal(seen[1], alone(_FULL_INPUT))
    factors = {-(-max(height, width) // side) for side in (_SHORT_INPUT, _FULL_INPUT)} - {1}
    assert sorted(reduced) == sorted(factors)


@pytest.mark.parametrize(
    "box", [(300.0, 200.0, 120.0, 150.0), (20.0, 30.0, 200.0, 180.0), (900.0, 600.0, 90.0, 90.0)]
)
def test_the_mesh_sees_the_padded_square_resized(box: tuple[float, float, float, float]) -> None:
    """The mesh's input is the face's padded square resized to 256 px, whether the square
    lies inside the image (then resized from the image itself) or leaves it (black border)."""
    import cv2
    import numpy as np

    from facecurator.detect.passes import _Candidate
    from facecurator.detect.quality.base import padded_square

    rgb = np.random.default_rng(int(box[0])).integers(0, 256, (750, 1000, 3), dtype=np.uint8)
    x, y, w, h = box
    seen: list[np.ndarray] = []

    class Mesh:
        def process(self, image: np.ndarray) -> object:
            seen.append(image.copy())
            return type("Result", (), {"multi_face_landmarks": None})()

    detector = LocalDetector()
    detector._mesh = Mesh()
    cand = _Candidate(x=x, y=y, w=w, h=h, score=0.9, keypoints=[], source="full")
    assert detector._fit_mesh(rgb, cand) is None
    side = 2.0 * max(w, h)
    x0, y0, isz = round(x + w / 2 - side / 2), round(y + h / 2 - side / 2), round(side)
    square = padded_square(rgb, x0, y0, isz)
    assert square is not None
    interp = cv2.INTER_AREA if isz > 256 else cv2.INTER_LINEAR
    assert seen[0].tobytes() == cv2.resize(square, (256, 256), interpolation=interp).tobytes()
