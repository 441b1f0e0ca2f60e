"""Local folder source: recursive, stable order, parent folder = subject (the person)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from facecurator.domain.error_texts import error_text
from facecurator.domain.files import kind_problem, read_regular_file, stat_problem
from facecurator.domain.protocols import ImageRef, content_identity
from facecurator.errors import SourceError
from facecurator.sources.messages import source_text

#: Files no operator means as a photo: never listed.
IGNORED_NAMES: Final = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "manifest.csv"})


class LocalFolderSource:
    """All files below a folder (``~`` expanded), sorted by relative path; or one file.

    A single file (``facecurator scan photo.jpg``) is a source of its own: its root
    is the file, so a scan of it never marks the rest of its folder missing; its
    subject is its folder's name, as in a scan of the folder.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        path = Path(os.fspath(root)).expanduser()
        if not path.exists():
            raise SourceError(source_text("source.no_such", path=path))
        if not (path.is_dir() or path.is_file()):
            raise SourceError(source_text("source.irregular", path=path))
        self.path = path.resolve()
        self.root = str(self.path)
        self.single_file = self.path.is_file()

    def iter_images(self) -> Iterator[ImageRef]:
        """Every file below the folder, sorted by relative path. Links to folders are
        followed once (a link back into a folder already listed is a loop and
        reported); an entry that cannot be an image (named pipe, socket, device,
        link loop, dangling link, file deleted meanwhile) is listed with its
        ``problem``, so the scan reports it instead of skipping it or hanging on it."""
        if self.single_file:
            st = self.path.stat()
            yield ImageRef(
                uri=str(self.path),
                name=self.path.name,
                group=self.path.parent.name,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
            )
            return
        # Strings, not Paths, per entry: building three Paths per file cost ~30 us each,
        # a third of a second for 10 000 files on a loaded 2-core machine.
        entries: list[tuple[str, str, str | None]] = []
        root_stat = self.path.stat()
        self._walk(self.root, "", {(root_stat.st_dev, root_stat.st_ino): self.root}, entries)
        entries.sort(key=lambda item: item[0])
        root_name = self.path.name
        for rel, full, problem in entries:
            parts = rel.rsplit("/", 2)
            group = parts[-2] if len(parts) > 1 else root_name
            if problem is None:
                try:
                    st = os.stat(full)  # noqa: PTH116 (a str: no Path per file)
                except OSError as exc:
                    problem = stat_problem(Path(full), exc)
                else:
                    problem = kind_problem(st.st_mode)
                if problem is None:
                    yield ImageRef(uri=full, name=rel, group=group, size=st.st_size, mtime_ns=st.st_mtime_ns)
                    continue
            yield ImageRef(uri=full, name=rel, group=group, size=0, mtime_ns=0, problem=problem)

    def _walk(
        self,
        folder: str,
        prefix: str,
        seen: dict[tuple[int, int], str],
        out: list[tuple[str, str, str | None]],
    ) -> None:
        """List ``folder`` (``prefix``: its path relative to the root, "" or ending in "/")."""
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            rel = prefix.rstrip("/") or "."
            out.append((rel, folder, error_text("file.cannot_list", detail=exc.strerror or exc)))
            return
        for entry in children:
            name = entry.name
            if name.startswith(".") or name.lower() in IGNORED_NAMES:
                continue
            full = os.path.join(folder, name)  # noqa: PTH118
            rel = prefix + name
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False  # a link loop or a broken entry: reported as a file below
            if not is_dir:
                out.append((rel, full, None))
                continue
            try:
                st = os.stat(full)  # noqa: PTH116
            except OSError as exc:
                out.append((rel, full, stat_problem(Path(full), exc)))
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                target = seen[key]
                reason = (
                    error_text("file.loop_to", target=os.path.relpath(target, self.root).replace(os.sep, "/"))
                    if target != self.root
                    else error_text("file.loop_to_source")
                )
                out.append((rel, full, reason))
                continue
            self._walk(full, rel + "/", {**seen, key: full}, out)

    def read_bytes(self, ref: ImageRef) -> bytes:
        return read_regular_file(ref.uri, SourceError)

    def identity(self, ref: ImageRef, data: bytes) -> str:
        """Size + mtime + SHA-256 of the content (the contract's local image identity)."""
        return content_identity(ref, data)
