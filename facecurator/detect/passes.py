"""The local detector's face-finding passes: boxes from the short-range,
full-range and tiled mediapipe detectors, merged across passes, and the small
geometry helpers the measuring step uses (crops, clipped boxes, five points).

Split from :mod:`facecurator.detect.local` (which runs the passes, fits the
mesh and measures each face); nothing here changes a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from facecurator.domain.face import Box

#: Images are area-reduced by a whole factor to at most this long side before
#: the short-range (128 px model) and full-range (192 px model) detectors.
_SHORT_INPUT: Final = 512
_FULL_INPUT: Final = 800


@dataclass(slots=True)
class _Candidate:
    """A face box from one detector pass, in working-image pixels."""

    x: float
    y: float
    w: float
    h: float
    score: float
    keypoints: list[tuple[float, float]]
    source: str
    sources: set[str] = field(default_factory=set)
    #: boxes of the same face from other passes (suppressed by non-maximum suppression)
    others: list[_Candidate] = field(default_factory=list)

    def iou(self, other: _Candidate) -> float:
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union > 0 else 0.0

    def overlap_of_smaller(self, other: _Candidate) -> float:
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        smaller = min(self.w * self.h, other.w * other.h)
        return ix * iy / smaller if smaller > 0 else 0.0


def _gray(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _crop(img: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray | None:
    h, w = img.shape[:2]
    ix0, iy0 = max(0, int(x0)), max(0, int(y0))
    ix1, iy1 = min(w, int(np.ceil(x1))), min(h, int(np.ceil(y1)))
    if ix1 - ix0 < 8 or iy1 - iy0 < 8:
        return None
    return img[iy0:iy1, ix0:ix1]


def _clip_box(cand: _Candidate, w: int, h: int, scale: float) -> Box:
    x0, y0 = max(0.0, cand.x), max(0.0, cand.y)
    x1, y1 = min(float(w), cand.x + cand.w), min(float(h), cand.y + cand.h)
    return Box(
        x=round(x0 * scale, 1),
        y=round(y0 * scale, 1),
        w=round(max(0.0, x1 - x0) * scale, 1),
        h=round(max(0.0, y1 - y0) * scale, 1),
    )


def _five_points(mesh: np.ndarray) -> list[tuple[float, float]]:
    """ArcFace order: subject's right eye, left eye, nose tip, right and left mouth corners."""
    right_eye = mesh[[33, 133, 159, 145], :2].mean(axis=0)
    left_eye = mesh[[263, 362, 386, 374], :2].mean(axis=0)
    return [
        (float(right_eye[0]), float(right_eye[1])),
        (float(left_eye[0]), float(left_eye[1])),
        (float(mesh[1, 0]), float(mesh[1, 1])),
        (float(mesh[61, 0]), float(mesh[61, 1])),
        (float(mesh[291, 0]), float(mesh[291, 1])),
    ]


#: One ``NormalizedLandmark`` of a serialized ``NormalizedLandmarkList`` with exactly x, y
#: and z set: field 1 (length 15), then x, y, z as fields 1-3 (32-bit, little-endian).
_LANDMARK_RECORD: Final = np.dtype(
    [
        ("list_tag", "u1"),
        ("size", "u1"),
        ("x_tag", "u1"),
        ("x", "<f4"),
        ("y_tag", "u1"),
        ("y", "<f4"),
        ("z_tag", "u1"),
        ("z", "<f4"),
    ]
)
_LANDMARK_TAGS: Final = (0x0A, 15, 0x0D, 0x15, 0x1D)
#: (byte offset in a record, the byte expected there) of each tag
_TAG_OFFSETS: Final = tuple(
    (int(_LANDMARK_RECORD.fields[name][1]), tag)  # type: ignore[index]
    for name, tag in zip(("list_tag", "size", "x_tag", "y_tag", "z_tag"), _LANDMARK_TAGS, strict=True)
)


def _landmark_xyz(landmarks: Any) -> np.ndarray:
    """A mediapipe ``NormalizedLandmarkList``'s points as an (N, 3) float64 array of x, y, z:
    the same numbers as ``[(lm.x, lm.y, lm.z) for lm in landmarks.landmark]`` (each float32
    widened exactly), read from its serialized bytes in one step (the list's 478 attribute
    reads cost ~0.15 ms a face). A list whose points carry other fields (visibility,
    presence) or miss one is read point by point."""
    data = landmarks.SerializeToString()
    count = len(data) // _LANDMARK_RECORD.itemsize
    if count and len(data) == count * _LANDMARK_RECORD.itemsize:
        # each tag byte of every record, compared as one strided slice of the bytes
        size = _LANDMARK_RECORD.itemsize
        if all(data[at::size] == bytes((tag,)) * count for at, tag in _TAG_OFFSETS):
            rec = np.frombuffer(data, dtype=_LANDMARK_RECORD)
            xyz = np.empty((count, 3), dtype=np.float64)
            xyz[:, 0], xyz[:, 1], xyz[:, 2] = rec["x"], rec["y"], rec["z"]
            return xyz
    return np.array([(lm.x, lm.y, lm.z) for lm in landmarks.landmark], dtype=np.float64).reshape(-1, 3)


def graph_outputs(solution: Any, image: np.ndarray) -> Any:
    """``solution.process(image)`` of a mediapipe solution graph (``FaceDetection``,
    ``FaceMesh``: one RGB image stream): the same packet at the same simulated timestamp and
    the same outputs, by attribute, without the ``collections.namedtuple`` class that
    ``SolutionBase.process`` defines anew on every call (~40 us each, six calls an image,
    and a class is cyclic garbage for the collector). Reads the solution's internals of the
    pinned mediapipe; anything else goes through ``process`` itself."""
    from types import SimpleNamespace

    from mediapipe.python.solution_base import PacketDataType

    graph = getattr(solution, "_graph", None)
    inputs = getattr(solution, "_input_stream_type_info", None)
    outputs = getattr(solution, "_output_stream_type_info", None)
    found = getattr(solution, "_graph_outputs", None)
    kind = inputs.get("image") if isinstance(inputs, dict) and len(inputs) == 1 else None
    if (
        graph is None
        or not isinstance(outputs, dict)
        or not isinstance(found, dict)
        or not isinstance(getattr(solution, "_simulated_timestamp", None), int)
        or kind not in (PacketDataType.IMAGE_FRAME, PacketDataType.IMAGE)
        or image.ndim != 3
        or image.shape[2] != 3
    ):
        return solution.process(image)
    found.clear()
    solution._simulated_timestamp += 33333  # as process: a 30 fps video's timestamps
    packet = solution._make_packet(kind, image).at(solution._simulated_timestamp)
    graph.add_packet_to_input_stream(stream="image", packet=packet)
    graph.wait_until_idle()
    return SimpleNamespace(
        **{
            name: solution._get_packet_content(kind_out, found[name]) if name in found else None
            for name, kind_out in outputs.items()
        }
    )


def _tiles(img: np.ndarray, n: int, overlap: float = 0.25) -> list[tuple[int, int, np.ndarray]]:
    h, w = img.shape[:2]
    tw = int(w / (n - (n - 1) * overlap))
    th = int(h / (n - (n - 1) * overlap))
    out = []
    for i in range(n):
        for j in range(n):
            x0 = round(j * (w - tw) / (n - 1))
            y0 = round(i * (h - th) / (n - 1))
            out.append((x0, y0, np.ascontiguousarray(img[y0 : y0 + th, x0 : x0 + tw])))
    return out


def _run_detector(
    graph: Any,
    img: np.ndarray,
    x0: int,
    y0: int,
    to_working: float,
    source: str,
    input_side: int,
    reduced: dict[int, np.ndarray] | None = None,
) -> list[_Candidate]:
    """``reduced``: the reductions of this same ``img`` already made, by factor (the
    short- and full-range passes over a 1024 px image both reduce it by 2): reused, and
    this pass's added."""
    import cv2

    factor = -(-max(img.shape[:2]) // input_side)
    if factor > 1:
        # Reduce by a whole factor with area averaging (exact multiples keep
        # OpenCV on its fast path): cheaper to hand to mediapipe, and mediapipe's
        # own reduction to the model input does no low-pass filtering.
        img = img[: img.shape[0] // factor * factor, : img.shape[1] // factor * factor]
        h, w = img.shape[:2]
        small = None if reduced is None else reduced.get(factor)
        if small is None:
            small = cv2.resize(img, (w // factor, h // factor), interpolation=cv2.INTER_AREA)
            if reduced is not None:
                reduced[factor] = small
    else:
        h, w = img.shape[:2]
        small = img
    result = graph_outputs(graph, np.ascontiguousarray(small))
    out = []
    for det in result.detections or []:
        rel = det.location_data.relative_bounding_box
        kps = [
            ((x0 + kp.x * w) * to_working, (y0 + kp.y * h) * to_working)
            for kp in det.location_data.relative_keypoints
        ]
        out.append(
            _Candidate(
                x=(x0 + rel.xmin * w) * to_working,
                y=(y0 + rel.ymin * h) * to_working,
                w=rel.width * w * to_working,
                h=rel.height * h * to_working,
                score=float(det.score[0]),
                keypoints=kps,
                source=source,
                sources={source},
            )
        )
    return out


def _merge(cands: list[_Candidate]) -> list[_Candidate]:
    """Greedy non-maximum suppression across passes; keeps the best-scored box."""
    kept: list[_Candidate] = []
    for cand in sorted(cands, key=lambda c: c.score, reverse=True):
        for k in kept:
            if cand.iou(k) > 0.3 or cand.overlap_of_smaller(k) > 0.6:
                k.sources |= cand.sources
                k.others.append(cand)
                break
        else:
            kept.append(cand)
    return kept
