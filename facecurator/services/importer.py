"""``import-results``: stored provider JSON results into the catalog.

Which image a result file belongs to, in order:

1. a sidecar next to the photo: ``photo.jpg.json`` or ``photo.json`` beside ``photo.jpg``;
2. the image named inside the result (legacy ``ImageUri``, Moderation ``url``),
   when it is an ``oss://`` URI or an existing local path;
3. otherwise the result file itself stands for the image (``result:<path>``):
   its faces can be reviewed and decided, but there are no pixels to crop.

The detection is stored under the detector name ``import:<shape>`` so it never
collides with a live detector's cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facecurator.domain.image_names import SUPPORTED_EXTENSIONS
from facecurator.domain.normalize import load_result_file, normalize
from facecurator.domain.protocols import DetectionResult, ImageRef, content_identity
from facecurator.errors import FacecuratorError
from facecurator.services.catalog import Catalog

IMPORT_SETTINGS_KEY = "import-v1"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    file: str
    image_uri: str | None
    shape: str | None
    faces: int
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "image": self.image_uri,
            "shape": self.shape,
            "faces": self.faces,
            "error": self.error,
        }


def import_result_file(catalog: Catalog, path: Path) -> ImportOutcome:
    """Load one result file; every failure is returned as data naming the file."""
    try:
        payload = load_result_file(path)
        result = normalize(payload)
        ref, identity, source_root = _image_for(path, payload)
        detection = DetectionResult(
            faces=result.faces, width=result.width, height=result.height, raw=payload, extra=result.extra
        )
        detector = f"import:{result.shape}"
        detection_id = catalog.store_detection(identity, detector, IMPORT_SETTINGS_KEY, detection)
        width, height = result.width, result.height
        if (width is None or height is None) and not ref.uri.startswith(("oss://", "result:")):
            width, height = _upright_size(Path(ref.uri))
        catalog.record_image(
            ref,
            source_root=source_root,
            identity=identity,
            status="ok",
            error=None,
            detection_id=detection_id,
            width=width,
            height=height,
            detector=detector,
        )
        return ImportOutcome(str(path), ref.uri, result.shape, len(result.faces), None)
    except FacecuratorError as exc:
        message = str(exc)
        return ImportOutcome(
            str(path), None, None, 0, message if str(path) in message else f"{path}: {message}"
        )
    except OSError as exc:
        return ImportOutcome(str(path), None, None, 0, f"{path}: cannot read: {exc.strerror or exc}")


def _image_for(path: Path, payload: Any) -> tuple[ImageRef, str, str]:
    """(image ref, identity, source root) of the image a result file describes."""
    path = path.resolve()
    for candidate in _sidecar_candidates(path):
        if candidate.is_file():
            data = candidate.read_bytes()
            st = candidate.stat()
            ref = ImageRef(
                uri=str(candidate),
                name=candidate.name,
                group=candidate.parent.name,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
            )
            return ref, content_identity(ref, data), str(candidate.parent)
    named = _named_image(payload)
    if named and named.startswith("oss://"):
        bucket_and_key = named[len("oss://") :]
        bucket, _, key = bucket_and_key.partition("/")
        parts = key.split("/")
        group = parts[-2] if len(parts) > 1 else bucket
        ref = ImageRef(uri=named, name=key, group=group, size=0, mtime_ns=0)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return ref, f"import:{named}:{digest}", f"oss://{bucket}"
    data = path.read_bytes()
    st = path.stat()
    uri = f"result:{path}"
    ref = ImageRef(uri=uri, name=path.name, group=path.parent.name, size=st.st_size, mtime_ns=st.st_mtime_ns)
    return ref, f"result:{hashlib.sha256(data).hexdigest()}", f"result:{path.parent}"


def _sidecar_candidates(path: Path) -> list[Path]:
    stem = path.name[: -len(".json")] if path.name.lower().endswith(".json") else path.stem
    candidates = []
    if Path(stem).suffix.lower() in SUPPORTED_EXTENSIONS:
        candidates.append(path.with_name(stem))  # photo.jpg.json -> photo.jpg
    candidates += [path.with_name(stem + ext) for ext in sorted(SUPPORTED_EXTENSIONS)]
    return candidates


def _named_image(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    for key in ("ImageUri", "url", "URL", "SourceURI"):
        value = payload.get(key)
        if isinstance(value, str) and value.startswith("oss://"):
            return value
    return None


def _upright_size(path: Path) -> tuple[int | None, int | None]:
    from PIL import Image

    try:
        with Image.open(path) as img:
            orientation = img.getexif().get(0x0112)
            w, h = img.size
            return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    except Exception:  # noqa: BLE001 - size is informative only
        return None, None
