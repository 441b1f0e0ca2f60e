"""Face embeddings offline: dlib's ResNet face descriptor (128-d, CC0 weights).

The descriptor is computed from the detector's own box and landmarks — no
second detector runs:

* faces with the local detector's landmarks (``mesh-5``: eye centres, nose tip,
  mouth corners; ``detector-6``: eye centres, nose tip, mouth centre) are
  aligned to dlib's 150 x 150 chip by a similarity fit of those points to
  where dlib's own alignment puts them (``CHIP_TEMPLATE``, measured on the
  corpus's frontal faces: eye std 0.8 px);
* other faces (cloud detectors, whose landmark order varies) get dlib's
  5-point shape predictor run inside the detector's box, which gives the
  ``full_object_detection`` dlib's alignment expects.

The model files come from the ``face-recognition-models`` package (MIT code,
CC0 models); only the 5-point predictor and the ResNet are used (the 68-point
model is neither loaded nor bundled). Nothing is downloaded at run time.

One :class:`FaceEmbedder` per worker thread (``clone()``); the models load on
first use. The ResNet runs in OpenCV's DNN module (``dlib_net``: same weights, same
descriptors, a tenth of dlib-bin's CPU time); OpenCV and dlib release the GIL while
they compute, so worker threads overlap.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from facecurator.detect.embed_key import EMBEDDER_KEY
from facecurator.detect.messages import detect_text
from facecurator.domain.face import Face
from facecurator.domain.images import decode_image, rgb_array
from facecurator.errors import ConfigError, DetectorError, ModelLoadError

log = logging.getLogger(__name__)

EMBEDDING_DIM: Final = 128
#: The two model files used, inside the ``face_recognition_models/models`` folder.
SHAPE_MODEL: Final = "shape_predictor_5_face_landmarks.dat"
RESNET_MODEL: Final = "dlib_face_recognition_resnet_model_v1.dat"
MODEL_FILES: Final = (SHAPE_MODEL, RESNET_MODEL)

CHIP_SIZE: Final = 150
#: Where dlib's 5-point alignment (``get_face_chip``, padding 0.25) puts, in the
#: 150 px chip: the subject's right eye centre, left eye centre, nose tip,
#: right and left mouth corners (ArcFace order, as the local detector gives
#: them). Measured over the corpus's 44 near-frontal faces, made symmetric.
CHIP_TEMPLATE: Final = np.array(
    [[47.3, 45.9], [100.3, 45.9], [73.8, 82.3], [48.8, 99.8], [98.8, 99.8]], dtype=np.float64
)
#: Template rows used for the local detector's landmark kinds (the 6-point
#: detector gives the mouth centre: the mean of the two corners).
_MOUTH_CENTRE: Final = CHIP_TEMPLATE[3:5].mean(axis=0)
#: Faces whose box is shorter than this (full-image pixels) are not embedded:
#: the descriptor of a face this small says nothing reliable.
MIN_FACE_SIDE: Final = 32
#: Images are decoded at the size that gives the smallest embedded face's eyes
#: this many pixels apart (the chip's own eye distance is 53 px), never more
#: than the full image.
_DECODE_EYE_DISTANCE: Final = 80.0


@dataclass(frozen=True, slots=True)
class Embedding:
    """One face's descriptor: 128 float32 values (unit scale: same person <= ~0.6)."""

    vector: np.ndarray
    method: str  # "landmarks" | "box"

    def to_bytes(self) -> bytes:
        return np.asarray(self.vector, dtype="<f4").tobytes()

    @staticmethod
    def vector_from_bytes(data: bytes) -> np.ndarray:
        vec = np.frombuffer(data, dtype="<f4")
        if vec.shape != (EMBEDDING_DIM,):
            raise ValueError(f"an embedding has {EMBEDDING_DIM} values, got {vec.size}")
        return vec.astype(np.float32)


@dataclass(frozen=True, slots=True)
class ImageEmbeddings:
    """One image's descriptors (None for a face not embedded) and its perceptual hash."""

    faces: list[Embedding | None]
    phash: int | None


def models_dir() -> Path:
    """The folder holding the model files (the installed ``face_recognition_models``).

    Found without importing the package (its ``__init__`` uses pkg_resources).

    Raises:
        ModelLoadError: the package is not installed or a model file is missing.
    """
    bundled = getattr(sys, "_MEIPASS", None)  # the PyInstaller bundle carries the two files
    if bundled and (Path(bundled) / "face_recognition_models" / "models").is_dir():
        folder = Path(bundled) / "face_recognition_models" / "models"
    else:
        spec = importlib.util.find_spec("face_recognition_models")
        if spec is None or not spec.submodule_search_locations:
            raise ModelLoadError(detect_text("embed.no_package"))
        folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in MODEL_FILES:
        if not (folder / name).is_file():
            raise ModelLoadError(detect_text("embed.missing", path=folder / name))
    return folder


def available() -> bool:
    """True when dlib and the model files are installed (embeddings can be computed)."""
    try:
        models_dir()
    except ModelLoadError:
        return False
    return importlib.util.find_spec("dlib") is not None


def make_embedder() -> FaceEmbedder:
    """An embedder whose models are known to be installed (they load on first use).

    Raises:
        ConfigError: dlib or the model files are not installed.
    """
    try:
        folder = models_dir()
    except ModelLoadError as exc:
        raise ConfigError(str(exc)) from exc
    if importlib.util.find_spec("dlib") is None:
        raise ConfigError(detect_text("embed.no_dlib"))
    return FaceEmbedder(folder)


class FaceEmbedder:
    """Computes descriptors for the faces of one image. Not shared between threads."""

    key: Final = EMBEDDER_KEY

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._shape: Any = None
        self._net: Any = None
        self._engine = ""
        self._busy = threading.Lock()

    def clone(self) -> FaceEmbedder:
        return FaceEmbedder(self._model_dir)

    def close(self) -> None:
        self._shape = self._net = None

    def load(self) -> None:
        """Load the descriptor network now (otherwise on the first face).

        The ResNet runs in OpenCV's DNN module (``dlib_net``: the same weights,
        the same descriptors, about ten times less CPU than dlib-bin's build);
        dlib's own network is the fallback when that cannot be built. dlib's
        5-point predictor loads on the first face that needs it.

        Raises:
            ModelLoadError: no engine can load the model files.
        """
        if self._net is not None:
            return
        folder = self._model_dir or models_dir()
        try:
            self._net = _FastNet(folder / RESNET_MODEL)
            self._engine = self._net.engine
        except ModelLoadError as exc:
            log.warning("%s; using dlib's own network (slower)", exc)
            try:  # dlib refuses a damaged file with a RuntimeError
                self._net = _dlib().face_recognition_model_v1(str(folder / RESNET_MODEL))
            except RuntimeError as dlib_exc:
                log.warning("face embeddings: cannot load %s: %s", folder / RESNET_MODEL, dlib_exc)
                raise ModelLoadError(detect_text("embed.damaged", path=folder / RESNET_MODEL)) from dlib_exc
            self._engine = "dlib"
        except RuntimeError as exc:
            log.warning("face embeddings: cannot load %s: %s", folder / RESNET_MODEL, exc)
            raise ModelLoadError(detect_text("embed.damaged", path=folder / RESNET_MODEL)) from exc

    @property
    def engine(self) -> str:
        """``opencv`` or ``dlib``: what runs the ResNet (after :meth:`load`)."""
        return self._engine

    def _shape_predictor(self) -> Any:
        if self._shape is None:
            folder = self._model_dir or models_dir()
            try:
                self._shape = _dlib().shape_predictor(str(folder / SHAPE_MODEL))
            except RuntimeError as exc:
                log.warning("face embeddings: cannot load %s: %s", folder / SHAPE_MODEL, exc)
                raise ModelLoadError(detect_text("embed.damaged", path=folder / SHAPE_MODEL)) from exc
        return self._shape

    def embed_image(
        self, data: bytes, faces: Sequence[Face], *, name: str, long_side: int | None = None
    ) -> ImageEmbeddings:
        """Descriptors of ``faces`` (boxes in full upright pixels) in the encoded image ``data``.

        ``long_side`` (the full image's longer side, when known) lets a large
        image be decoded reduced. None for a face too small to embed.

        Raises:
            ImageError: the image cannot be decoded.
            DetectorError: dlib failed on this image.
            ModelLoadError: the models cannot be loaded.
        """
        wanted = [f for f in faces if _embeddable(f)]
        if not wanted:
            return ImageEmbeddings([None] * len(faces), None)
        decoded = decode_image(data, name=name, max_side=_decode_side(wanted, long_side))
        rgb = rgb_array(decoded.image)
        return ImageEmbeddings(
            self.embed_pixels(rgb, faces, scale=decoded.scale, name=name), image_phash(rgb)
        )

    def embed_decoded(
        self, rgb: np.ndarray, faces: Sequence[Face], *, scale: float, name: str
    ) -> ImageEmbeddings:
        """Like :meth:`embed_image` from pixels already decoded (the detector's working image)."""
        if not any(_embeddable(f) for f in faces):
            return ImageEmbeddings([None] * len(faces), None)
        return ImageEmbeddings(self.embed_pixels(rgb, faces, scale=scale, name=name), image_phash(rgb))

    def embed_pixels(
        self, rgb: np.ndarray, faces: Sequence[Face], *, scale: float = 1.0, name: str = "image"
    ) -> list[Embedding | None]:
        """Descriptors from upright RGB pixels; ``scale`` maps them to full-image pixels."""
        if not self._busy.acquire(blocking=False):
            raise DetectorError(
                f"{name}: this FaceEmbedder is busy in another thread; use clone() per thread"
            )
        try:
            self.load()
            chips: list[np.ndarray] = []
            slots: list[tuple[int, str]] = []
            out: list[Embedding | None] = [None] * len(faces)
            for i, face in enumerate(faces):
                if not _embeddable(face):
                    continue
                chip, method = self._chip(rgb, face, scale)
                if chip is not None:
                    chips.append(chip)
                    slots.append((i, method))
            if chips:
                vectors = self._net.compute_face_descriptor(chips)
                for (i, method), vec in zip(slots, vectors, strict=True):
                    out[i] = Embedding(np.asarray(vec, dtype=np.float32), method)
            return out
        except ModelLoadError:
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise DetectorError(detect_text("embed.failed", uri=name, error=error)) from exc
        finally:
            self._busy.release()

    def _chip(self, rgb: np.ndarray, face: Face, scale: float) -> tuple[np.ndarray | None, str]:
        src, dst = _landmark_pairs(face)
        if src is not None and dst is not None:
            return _warp_chip(rgb, _similarity(src / scale, dst)), "landmarks"
        dlib = _dlib()
        b = face.box
        h, w = rgb.shape[:2]
        left, top = max(0, round(b.x / scale)), max(0, round(b.y / scale))
        right, bottom = min(w - 1, round((b.x + b.w) / scale)), min(h - 1, round((b.y + b.h) / scale))
        if right - left < 8 or bottom - top < 8:
            return None, "box"
        shape = self._shape_predictor()(rgb, dlib.rectangle(left, top, right, bottom))
        return np.asarray(dlib.get_face_chip(rgb, shape, CHIP_SIZE, 0.25)), "box"


def _dlib() -> Any:
    try:
        import dlib
    except ImportError as exc:
        log.warning("face embeddings: cannot import dlib: %s", exc)
        raise ModelLoadError(detect_text("embed.no_dlib")) from exc
    return dlib


class _FastNet:
    """dlib's ResNet in ONNX Runtime when installed, else OpenCV's DNN (``dlib_net``), with
    dlib's ``compute_face_descriptor(chips)`` call."""

    def __init__(self, model_file: Path) -> None:
        from facecurator.detect.dlib_net import OnnxRuntimeDescriptor, OpenCVDescriptor

        try:
            self._descriptor: OnnxRuntimeDescriptor | OpenCVDescriptor = OnnxRuntimeDescriptor(model_file)
            self.engine = "onnxruntime"
        except ModelLoadError:
            self._descriptor = OpenCVDescriptor(model_file)
            self.engine = "opencv"

    def compute_face_descriptor(self, chips: list[np.ndarray]) -> np.ndarray:
        return self._descriptor.compute(chips)


def image_phash(rgb: np.ndarray) -> int:
    """64-bit perceptual hash (DCT of the 32 x 32 grey image, low 8 x 8 against their median).

    The same construction as ``imagehash.phash``; computed with OpenCV, already a
    dependency. Re-encoded, resized or lightly edited copies differ in a few bits.
    """
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8]
    bits = (low > np.median(low)).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors (dlib's scale)."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


# -- alignment -----------------------------------------------------------------


def _embeddable(face: Face) -> bool:
    return face.box.w >= MIN_FACE_SIDE and face.box.h >= MIN_FACE_SIDE


def _landmark_pairs(face: Face) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(image points, template points) for the local detector's landmark kinds, else (None, None)."""
    kind = face.raw.get("landmark_kind") if isinstance(face.raw, dict) else None
    marks = face.landmarks
    if not marks:
        return None, None
    pts = np.asarray(marks, dtype=np.float64)
    if kind == "mesh-5" and len(pts) == 5:
        return pts, CHIP_TEMPLATE
    if kind == "detector-6" and len(pts) == 6:
        return pts[:4], np.vstack([CHIP_TEMPLATE[:3], _MOUTH_CENTRE])
    return None, None


def _similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 least-squares similarity (rotation, uniform scale, shift) mapping src onto dst (Umeyama)."""
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rot = u @ sign @ vt
    var = (s**2).sum() / len(src)
    k = float(np.trace(np.diag(sig) @ sign) / var) if var > 0 else 1.0
    m = k * rot
    return np.hstack([m, (mu_d - m @ mu_s)[:, None]])


def _warp_chip(rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The 150 px chip; a much larger face is first area-reduced (as dlib's pyramid does)."""
    import cv2

    k = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    if k < 0.5:
        # Cut the face's neighbourhood, shrink it with area averaging, then warp.
        inv = cv2.invertAffineTransform(matrix)
        corners = np.array([[0, 0], [CHIP_SIZE, 0], [0, CHIP_SIZE], [CHIP_SIZE, CHIP_SIZE]], dtype=np.float64)
        pts = corners @ inv[:, :2].T + inv[:, 2]
        h, w = rgb.shape[:2]
        x0, y0 = max(0, int(pts[:, 0].min()) - 2), max(0, int(pts[:, 1].min()) - 2)
        x1, y1 = min(w, int(pts[:, 0].max()) + 3), min(h, int(pts[:, 1].max()) + 3)
        if x1 - x0 >= 4 and y1 - y0 >= 4:
            f = k * 1.5
            crop = cv2.resize(
                rgb[y0:y1, x0:x1],
                (max(1, round((x1 - x0) * f)), max(1, round((y1 - y0) * f))),
                interpolation=cv2.INTER_AREA,
            )
            fx, fy = crop.shape[1] / (x1 - x0), crop.shape[0] / (y1 - y0)
            to_crop = np.array([[fx, 0, -x0 * fx], [0, fy, -y0 * fy], [0, 0, 1]])
            matrix = (np.vstack([matrix, [0, 0, 1]]) @ np.linalg.inv(to_crop))[:2]
            rgb = crop
    return cv2.warpAffine(
        rgb, matrix, (CHIP_SIZE, CHIP_SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )


def _decode_side(wanted: Sequence[Face], long_side: int | None) -> int | None:
    """Longest side to decode at so the smallest wanted face keeps enough pixels (None: full)."""
    if not long_side:
        return None
    smallest = min(max(f.box.w, f.box.h) for f in wanted)
    # the eye distance is about 0.4 of a detector box side
    factor = (0.4 * smallest) / _DECODE_EYE_DISTANCE
    if factor <= 1.0:
        return None
    return max(256, int(long_side / factor))
