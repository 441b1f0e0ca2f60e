"""Local folder source: recursive, stable order, parent folder = subject (the person)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from facecurator.domain.protocols import ImageRef, content_identity
from facecurator.errors import SourceError

#: Files no operator means as a photo: never listed.
IGNORED_NAMES: Final = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "manifest.csv"})


class LocalFolderSource:
    """All files below a folder (``~`` expanded), sorted by relative path."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        path = Path(os.fspath(root)).expanduser()
        if not path.exists():
            raise SourceError(f"{path}: no such folder")
        if not path.is_dir():
            raise SourceError(f"{path}: not a folder")
        self.path = path.resolve()
        self.root = str(self.path)

    def iter_images(self) -> Iterator[ImageRef]:
        entries: list[tuple[str, Path]] = []
        for dirpath, dirnames, filenames in os.walk(self.path, onerror=None, followlinks=False):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for filename in filenames:
                if filename.startswith(".") or filename.lower() in IGNORED_NAMES:
                    continue
                full = Path(dirpath, filename)
                entries.append((full.relative_to(self.path).as_posix(), full))
        entries.sort(key=lambda item: item[0])
        for rel, full in entries:
            try:
                st = full.stat()
            except OSError:
                continue  # vanished between walk and stat
            parent = full.parent
            group = parent.name if parent != self.path else self.path.name
            yield ImageRef(uri=str(full), name=rel, group=group, size=st.st_size, mtime_ns=st.st_mtime_ns)

    def read_bytes(self, ref: ImageRef) -> bytes:
        try:
            return Path(ref.uri).read_bytes()
        except OSError as exc:
            raise SourceError(f"{ref.uri}: cannot read file: {exc.strerror or exc}") from exc

    def identity(self, ref: ImageRef, data: bytes) -> str:
        """Size + mtime + SHA-256 of the content (the contract's local image identity)."""
        return content_identity(ref, data)
