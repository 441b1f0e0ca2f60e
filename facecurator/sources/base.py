"""What a source is: something that lists images and reads their bytes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One image of a source, as listed (before it is read).

    Attributes:
        uri: the image's full source string: an absolute local path or
            ``oss://bucket/key``. Unique within a catalog.
        name: the path relative to the source root, '/'-separated (for display).
        group: the person/identity the image belongs to: its parent folder
            (or OSS prefix segment); the source root's own name for top-level files.
        size: bytes.
        mtime_ns: modification time (local) or Last-Modified (OSS), in ns.
        etag: the OSS ETag (None for local files).
    """

    uri: str
    name: str
    group: str
    size: int
    mtime_ns: int
    etag: str | None = None

    @property
    def quick_identity(self) -> str | None:
        """Identity known without reading content (OSS ETag), else None."""
        return f"etag:{self.etag}" if self.etag else None


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
