"""``facecurator self-test``: does this installation (wheel or bundle) work?

Each check is independent and reports one line; a failing check never stops
the others.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from facecurator import __version__, paths


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float
    #: ok, but something the operator may want to fix (e.g. no keyring while no profile needs one)
    warning: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "warning": self.warning,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }

    @property
    def label(self) -> str:
        return "WARN" if self.warning else "PASS" if self.ok else "FAIL"


class CheckWarning(Exception):
    """Raised by a check whose problem does not stop this installation from working."""


def check_version() -> str:
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    return f"facecurator {__version__}{frozen}, Python {sys.version.split()[0]}"


def check_resources() -> str:
    from facecurator.domain.rules import BUILTIN_PRESETS, load_rules

    for name in BUILTIN_PRESETS:
        load_rules(name)
    image = paths.resource_path("selftest", "astronaut.jpg")
    if not image.is_file():
        raise RuntimeError(f"missing {image}")
    return f"{len(BUILTIN_PRESETS)} rule presets and the test image in {paths.resources_dir()}"


def check_detector() -> str:
    from facecurator.detect.local import LocalDetector
    from facecurator.domain.protocols import ImageRef

    image = paths.resource_path("selftest", "astronaut.jpg")
    data = image.read_bytes()
    ref = ImageRef(uri=str(image), name=image.name, group="selftest", size=len(data), mtime_ns=0)
    detector = LocalDetector()
    try:
        result = detector.detect(ref, data)
    finally:
        detector.close()
    if len(result.faces) != 1:
        raise RuntimeError(f"expected 1 face on the test image, found {len(result.faces)}")
    face = result.faces[0]
    pose = f"yaw {face.pose.yaw:.1f}°" if face.pose else "no pose"
    blur = f"blur {face.blur.value:.1f} ({face.blur.scale})" if face.blur else "no blur"
    detail = f"local detector models load and run: 1 face, {pose}, {blur}"
    # the CLIP photograph model on the test face's box (it runs in scans only on faces that
    # would otherwise qualify under enrollment-strict; the test face does not)
    import numpy as np

    from facecurator.detect.quality.photo_model import PhotoModel

    b, k = face.box, result.pixel_scale or 1.0
    corners = np.array([[b.x / k, b.y / k, 0.0], [(b.x + b.w) / k, (b.y + b.h) / k, 0.0]])
    reading = PhotoModel().read(np.asarray(result.pixels), corners)
    if reading.score is None:
        raise CheckWarning(f"{detail}; CLIP photograph model off: {reading.reason}")
    clip = f"score {reading.score:.2f}, threshold {reading.threshold:.2f}"
    return f"{detail}; CLIP photograph model runs ({clip})"


def check_embeddings() -> str:
    """The identity checks' models (dlib 5-point predictor + ResNet) load and embed the test face."""
    from facecurator.detect.embed import EMBEDDING_DIM, FaceEmbedder, models_dir
    from facecurator.detect.local import LocalDetector
    from facecurator.domain.protocols import ImageRef

    folder = models_dir()  # ModelLoadError naming the missing file
    image = paths.resource_path("selftest", "astronaut.jpg")
    data = image.read_bytes()
    ref = ImageRef(uri=str(image), name=image.name, group="selftest", size=len(data), mtime_ns=0)
    detector = LocalDetector()
    try:
        result = detector.detect(ref, data)
    finally:
        detector.close()
    embedder = FaceEmbedder(folder)
    embedder.load()
    faces = result.faces
    # The landmark alignment and the shape predictor (the box alone) both run.
    box_only = [f.with_changes(raw={}) for f in faces]
    found = embedder.embed_image(data, [*faces, *box_only], name=str(image)).faces
    if len(found) != 2 or any(e is None or e.vector.shape != (EMBEDDING_DIM,) for e in found):
        raise RuntimeError("the test face was not embedded")
    gap = float(((found[0].vector - found[1].vector) ** 2).sum() ** 0.5)  # type: ignore[union-attr]
    if gap > 0.6:
        raise RuntimeError(f"the two alignments of the test face disagree (distance {gap:.2f})")
    return (
        f"face embedding models load and run ({folder.name}: 5-point predictor + ResNet "
        f"in {embedder.engine}; {gap:.2f})"
    )


def check_heif() -> str:
    from PIL import Image

    from facecurator.domain import images

    images._register_heif()
    if "HEIF" not in Image.registered_extensions().values():
        raise RuntimeError("HEIC/HEIF decoder not registered")
    return "HEIC/HEIF decoding available"


def check_keyring() -> str:
    from facecurator.cloud.credentials import keyring_backend, keyring_description
    from facecurator.cloud.profiles import list_profiles

    try:
        backend = keyring_backend()  # ConfigError with what to install when there is none
        backend.get_password("facecurator", "self-test-probe")  # proves the backend answers
    except Exception as exc:
        profiles = list_profiles()
        if profiles:
            raise
        # Only cloud profiles keep secrets in the keyring: without one nothing needs it yet.
        raise CheckWarning(f"{exc} (no cloud profile needs it yet; local folders work without it)") from exc
    return f"keyring backend {keyring_description()} answers"


def check_catalog() -> str:
    from facecurator.services.catalog import Catalog

    with Catalog() as catalog:
        catalog.set_setting("self_test.last_run", datetime.now(timezone.utc).isoformat())
        path = catalog.path
    return f"catalog writable at {path}"


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("version", check_version),
    ("resources", check_resources),
    ("detector", check_detector),
    ("embeddings", check_embeddings),
    ("heif", check_heif),
    ("qt", lambda: ""),  # given by the caller: only the GUI imports Qt
    ("keyring", check_keyring),
    ("catalog", check_catalog),
]


def run_self_test(*, check_qt: Callable[[], str]) -> list[CheckResult]:
    """Every check in order; ``check_qt`` is the front end's Qt check."""
    results = []
    for name, listed in CHECKS:
        check = check_qt if name == "qt" else listed
        started = time.monotonic()
        warning = False
        try:
            detail, ok = check(), True
        except CheckWarning as exc:
            detail, ok, warning = str(exc), True, True
        except Exception as exc:  # noqa: BLE001 - every failure is a reported check result
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results.append(CheckResult(name, ok, detail, time.monotonic() - started, warning))
    return results
