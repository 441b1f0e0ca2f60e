"""An export's bulk on disk, not in memory (issue 11: ``export`` in constant memory).

An export plans every image before it writes one (the plans are written in name order)
and writes its manifests after the last crop: at 100 000 images that held every face's
plan and manifest entry in memory (~34 KB of RSS per exported face, measured). Here the
plans and entries go to a temporary file as they are made (:class:`Spill`), and the
manifests are streamed from it (:class:`SpilledList` for ``json``, :func:`csv_chunks`,
:func:`json_chunks`): what stays in memory is one sort key per planned image.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, Final, Generic, TypeVar

T = TypeVar("T")

#: Bytes gathered before one write of a streamed file.
CHUNK_BYTES: Final = 1 << 16


class Spill(Generic[T]):
    """Objects appended to a temporary file (pickled): read back in order, or one by the
    position :meth:`append` returned. Not thread-safe; the file is gone when closed."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="facecurator-export-")  # noqa: SIM115
        self._end = 0
        self._count = 0

    def append(self, value: T) -> int:
        """Store ``value``; its position (for :meth:`get`)."""
        at = self._end
        self._file.seek(at)
        pickle.dump(value, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._end = self._file.tell()
        self._count += 1
        return at

    def get(self, at: int) -> T:
        self._file.seek(at)
        value: T = pickle.load(self._file)
        return value

    def __iter__(self) -> Iterator[T]:
        at = 0
        for _ in range(self._count):
            self._file.seek(at)
            value: T = pickle.load(self._file)
            at = self._file.tell()
            yield value

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._file.close()


class SpilledList(list):
    """A list to ``json`` whose items are read from a :class:`Spill` as they are encoded
    (``transform`` applied to each): ``json``'s indenting encoder only iterates a list."""

    def __init__(self, spill: Spill[Any], transform: Callable[[Any], Any] | None = None) -> None:
        super().__init__()
        self._spill = spill
        self._transform = transform

    def __iter__(self) -> Iterator[Any]:
        transform = self._transform
        for value in self._spill:
            yield value if transform is None else transform(value)

    def __len__(self) -> int:
        return len(self._spill)

    def __bool__(self) -> bool:
        return len(self._spill) > 0


def _gathered(pieces: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def json_chunks(value: Any) -> Iterator[bytes]:
    """The bytes of ``json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\\n"``,
    a chunk at a time (a :class:`SpilledList` inside is read as it is written)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, allow_nan=False)
    return _gathered(itertools.chain(encoder.iterencode(value), ("\n",)))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The bytes of a CSV file (``\\r\\n`` lines) of ``header`` and ``rows``, a chunk at a time."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in itertools.chain((header,), rows):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return _gathered(lines())
