"""What a detector is. Detectors take one image and return canonical faces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from facecurator.core.face import Face
from facecurator.sources.base import ImageRef


@dataclass(frozen=True, slots=True)
class DetectionResult:
    """Faces found in one image.

    ``width``/``height`` are the full upright image's size (None when the
    provider does not say and the image was not decoded). ``raw`` is the
    provider's whole response (kept in the catalog for audit), ``paid_calls``
    the number of billable calls this detection made.
    """

    faces: list[Face]
    width: int | None
    height: int | None
    raw: Any = None
    paid_calls: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Detector(Protocol):
    """One detector instance; each worker thread gets its own (see ``clone``)."""

    #: the contract's detector name: local, oss-faces, imm, green
    name: str
    #: True when detect() needs the image bytes (local decoding / upload)
    needs_bytes: bool

    @property
    def settings_key(self) -> str:
        """Stable string of every setting that changes the result (part of the cache key)."""
        ...

    def detect(self, ref: ImageRef, data: bytes | None) -> DetectionResult:
        """Detect faces; raises ImageError/DetectorError naming the image."""
        ...

    def clone(self) -> Detector:
        """A fresh instance for another worker thread."""
        ...

    def close(self) -> None: ...
