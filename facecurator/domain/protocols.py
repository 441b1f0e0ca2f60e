"""What the adapters are: a source lists images and reads their bytes, a detector
turns one image into canonical faces. The services depend on these protocols, never
on a concrete source or detector.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from facecurator.domain.face import Face


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One image of a source, as listed (before it is read).

    Attributes:
        uri: the image's full source string: an absolute local path or
            ``oss://bucket/key``. Unique within a catalog.
        name: the path relative to the source root, '/'-separated (for display).
        group: the subject (the person) the image belongs to: its parent folder
            (or OSS prefix segment); the source root's own name for top-level files.
        size: bytes.
        mtime_ns: modification time (local) or Last-Modified (OSS), in ns.
        etag: the OSS ETag (None for local files).
        problem: why this entry cannot be an image although it was listed (a named
            pipe, a symbolic link loop, a dangling link, a file deleted while listing):
            the scan records it as a per-image error with this reason, never reads it.
    """

    uri: str
    name: str
    group: str
    size: int
    mtime_ns: int
    etag: str | None = None
    problem: str | None = None

    @property
    def quick_identity(self) -> str | None:
        """Image identity known without reading content (OSS ETag), else None."""
        return f"etag:{self.etag}" if self.etag else None


def content_identity(ref: ImageRef, data: bytes) -> str:
    """Image identity from content: size + mtime + SHA-256 (the contract's local identity)."""
    return f"{ref.size}:{ref.mtime_ns}:{hashlib.sha256(data).hexdigest()}"


def bytes_key(identity: str) -> str:
    """What two identities share when their bytes are the same.

    A local identity without its mtime (a plain ``cp`` gives the copy a new mtime,
    hence a new identity, but the same bytes must not be detected or paid twice);
    any other identity (an OSS ETag) as it is.
    """
    size, sep, rest = identity.partition(":")
    mtime, sep2, digest = rest.partition(":")
    if sep and sep2 and size.isdigit() and mtime.lstrip("-").isdigit() and digest:
        return f"{size}:{digest}"
    return identity


def bytes_key_pattern(identity: str) -> str | None:
    """A SQLite GLOB pattern matching every local identity with the same bytes, or None
    when ``identity`` is not a local one (hex digests and sizes hold no GLOB specials)."""
    key = bytes_key(identity)
    if key == identity:
        return None
    size, _, digest = key.partition(":")
    return f"{size}:*:{digest}"


class Source(Protocol):
    """A local folder or an OSS prefix."""

    root: str

    def iter_images(self) -> Iterator[ImageRef]:
        """Every entry of the source, in a stable order (unsupported files included:
        the scan reports them as per-image errors rather than skipping silently)."""
        ...

    def read_bytes(self, ref: ImageRef) -> bytes:
        """The encoded image; raises SourceError/ImageError naming the image."""
        ...

    def identity(self, ref: ImageRef, data: bytes) -> str:
        """What makes this image "the same" (the detection cache key), given its bytes."""
        ...


@dataclass(frozen=True, slots=True)
class DetectionResult:
    """Faces found in one image.

    ``width``/``height`` are the full upright image's size (None when the
    provider does not say and the image was not decoded). ``raw`` is the
    provider's whole response (kept in the catalog for audit), ``paid_calls``
    the number of billable calls this detection made.

    ``pixels`` (transient, never stored): the upright RGB array the detector
    decoded, and ``pixel_scale`` maps its pixels to full-image pixels, so the
    worker can compute face embeddings without decoding the image again.
    """

    faces: list[Face]
    width: int | None
    height: int | None
    raw: Any = None
    paid_calls: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    pixels: Any = field(default=None, repr=False, compare=False)
    pixel_scale: float = 1.0


class Detector(Protocol):
    """One detector instance; each worker thread gets its own (see ``clone``)."""

    # Read-only members: the detectors keep them as constants (Final or ClassVar).
    @property
    def name(self) -> str:
        """The contract's detector name: local, oss-faces, imm, green."""
        ...

    @property
    def needs_bytes(self) -> bool:
        """True when detect() needs the image bytes (local decoding / upload)."""
        ...

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
