"""Sources: local folders and OSS prefixes, opened from the contract's source string."""

from __future__ import annotations

from facecurator.domain.protocols import ImageRef, Source

OSS_SCHEME = "oss://"


def is_oss(text: str) -> bool:
    return text.startswith(OSS_SCHEME)


def open_source(text: str, *, profile: str | None = None) -> Source:
    """A folder path (``~`` expanded) or ``oss://BUCKET/PREFIX``."""
    if is_oss(text):
        from facecurator.sources.oss import OssSource

        return OssSource(text, profile=profile)
    from facecurator.sources.local import LocalFolderSource

    return LocalFolderSource(text)


def read_image_bytes(uri: str, *, profile: str | None = None) -> bytes:
    """The bytes of one image by its catalog uri (a local path or ``oss://bucket/key``)."""
    if is_oss(uri):
        from facecurator.sources.oss import read_object

        return read_object(uri, profile=profile)
    from facecurator.domain.files import read_regular_file
    from facecurator.errors import SourceError

    return read_regular_file(uri, SourceError)  # never blocks on a named pipe


def source_kind(text: str) -> str:
    return "oss" if is_oss(text) else "local"


__all__ = ["ImageRef", "Source", "is_oss", "open_source", "read_image_bytes", "source_kind"]
