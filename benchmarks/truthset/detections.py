"""Running the local detector over truth-set images, with an on-disk cache, and matching labels.

Detections are cached per (image sha256, detector settings, detector source code)
in ``FACECURATOR_BENCH_CACHE`` (default ``~/.cache/facecurator-bench``): a re-run
after a change of the detector's code detects again, an unchanged one reads JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facecurator.domain.face import Face


@dataclass(frozen=True)
class Detected:
    """The detector's result for one image (or the error it raised)."""

    width: int
    height: int
    faces: tuple[Face, ...]
    error: str = ""


def default_cache_dir() -> Path:
    env = os.environ.get("FACECURATOR_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "facecurator-bench"


def code_fingerprint() -> str:
    """Hash of the detector's source (facecurator/detect and the face/image modules), its data
    files (``detect/quality/photo_model.json``: the CLIP probe) and the enrollment-strict preset
    (the CLIP model's gate, ``photo_model._gate``): a change to any of them changes detections."""
    import facecurator.detect.local as local_module
    from facecurator.domain import face as face_module
    from facecurator.domain import images as images_module
    from facecurator.paths import resource_path

    digest = hashlib.sha256()
    detect = Path(local_module.__file__).parent
    files = sorted(p for p in detect.rglob("*") if p.suffix in (".py", ".json"))  # detect/, detect/quality/
    files.append(resource_path("presets", "enrollment-strict.toml"))
    files += [Path(face_module.__file__), Path(images_module.__file__)]
    files += sorted(Path(face_module.__file__).parent.glob("measures.py"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class DetectionCache:
    """Detections on disk, one JSON file per (image sha256, settings key, code fingerprint)."""

    def __init__(self, folder: Path | None, settings_key: str, fingerprint: str) -> None:
        self.folder = folder
        self.salt = hashlib.sha256(f"{settings_key}|{fingerprint}".encode()).hexdigest()[:16]
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def _path(self, sha: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{sha}-{self.salt}.json"

    def get(self, sha: str) -> Detected | None:
        path = self._path(sha)
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Detected(
                width=int(data["width"]),
                height=int(data["height"]),
                faces=tuple(Face.from_json(f) for f in data["faces"]),
                error=str(data.get("error", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None  # a broken cache file is recomputed

    def put(self, sha: str, detected: Detected) -> None:
        path = self._path(sha)
        if path is None:
            return
        data = {
            "width": detected.width,
            "height": detected.height,
            "faces": [f.to_json() for f in detected.faces],
            "error": detected.error,
        }
        # One temporary file per writer: two benchmark runs sharing the cache (two engineers, two
        # splits) once renamed each other's half-written ".tmp" away and one run died on it.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)


class Runner:
    """Runs (or reads from the cache) the local detector on image files."""

    def __init__(self, cache_dir: Path | None, settings: Mapping[str, Any] | None = None) -> None:
        from facecurator.detect.local import LocalDetector

        # with the CLIP photograph model whatever the default: the benchmark measures every preset
        # (enrollment-strict reads the model; moderation-2.0 reads none of its measures, so its
        # figures are those of a scan without it) on one detection per image
        self.detector = LocalDetector(**{"photo_model": True, **dict(settings or {})})
        self.cache = DetectionCache(cache_dir, self.detector.settings_key, code_fingerprint())
        self.computed = 0
        self.cached = 0

    def detect(self, path: Path) -> Detected:
        from facecurator.domain.protocols import ImageRef
        from facecurator.errors import DetectorError, ImageError

        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        hit = self.cache.get(sha)
        if hit is not None:
            self.cached += 1
            return hit
        st = path.stat()
        ref = ImageRef(
            uri=str(path), name=path.name, group=path.parent.name, size=st.st_size, mtime_ns=st.st_mtime_ns
        )
        try:
            result = self.detector.detect(ref, data)
            detected = Detected(result.width or 0, result.height or 0, tuple(result.faces))
        except (ImageError, DetectorError) as exc:
            detected = Detected(0, 0, (), error=str(exc))
        self.cache.put(sha, detected)
        self.computed += 1
        return detected

    def close(self) -> None:
        self.detector.close()


def match_face(label_xy: tuple[float, float], detected: Detected) -> int | None:
    """Index of the detection whose box contains the labelled centre (nearest box centre), or None.

    ``label_xy`` is the centre as fractions of the upright image's width and height.
    """
    if not detected.faces or detected.width <= 0 or detected.height <= 0:
        return None
    x, y = label_xy[0] * detected.width, label_xy[1] * detected.height
    best: tuple[float, int] | None = None
    for i, face in enumerate(detected.faces):
        b = face.box
        if b.x <= x <= b.x + b.w and b.y <= y <= b.y + b.h:
            d = (b.x + b.w / 2 - x) ** 2 + (b.y + b.h / 2 - y) ** 2
            if best is None or d < best[0]:
                best = (d, i)
    return None if best is None else best[1]
