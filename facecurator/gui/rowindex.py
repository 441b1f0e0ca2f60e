"""Row of an id in a model's id list, without a dict of every id.

A dict of 300 000 ids costs ~25 MB and ~100 ms to build on the GUI thread, on
every filter change. :class:`RowIndex` sorts the ids in NumPy the first time a
row is looked up (a few ms, in C) and answers by binary search; ids appended
afterwards (a scan adding rows) go to a small dict until the next rebuild.

NumPy is imported when the first long index is built (on the store's worker, as an open lists
its ids: the faces, or a gallery of over :data:`DICT_MAX_WITHOUT_NUMPY` images), not when the
window's modules load: it is a fifth of the GUI's import time. A
short list (up to :data:`DICT_MAX` ids: a folder's first listed screenful, a new folder of
a few thousand photos) is indexed by a dict instead: importing NumPy on the GUI thread
stalled it 160-340 ms as the first listed thumbnail arrived.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np


#: Lists up to this long are indexed by a dict (~1 MB, a few ms), longer ones in NumPy.
DICT_MAX: Final = 20_000
#: ... and up to this long while NumPy is not imported yet (~5 MB and ~15 ms at 100 000 ids, on
#: the store's worker): opening a 100 000-image gallery then shows it without waiting for NumPy's
#: import (0.06 s of CPU here, 0.3-0.5 s on a loaded machine); the faces' listing imports it next.
DICT_MAX_WITHOUT_NUMPY: Final = 200_000


class RowIndex:
    """``id -> row`` over an id list (the ids must be unique), built lazily."""

    def __init__(self, ids: Sequence[int] = ()) -> None:
        self._ids = ids
        self._sorted: np.ndarray | None = None
        self._order: np.ndarray | None = None
        self._extra: dict[int, int] = {}
        self._small: dict[int, int] | None = None

    def built(self) -> RowIndex:
        """Sort now (on a worker thread, say) and return self."""
        if self._sorted is None and self._small is None and self._ids:
            self._build()
        return self

    def _build(self) -> None:
        if len(self._ids) <= DICT_MAX or (
            len(self._ids) <= DICT_MAX_WITHOUT_NUMPY and sys.modules.get("numpy") is None
        ):
            self._small = {key: row for row, key in enumerate(self._ids)}
            self._extra = {}
            return
        import numpy as np

        values = _int64s(self._ids)
        order = np.argsort(values, kind="stable")
        self._sorted = values[order]
        # rows fit in 32 bits: half the index's memory for the rows (3 000 000 ids: 12 MB)
        self._order = order.astype(np.int32) if len(order) < 2**31 else order
        del order
        self._extra = {}

    def get(self, key: int, default: int | None = None) -> int | None:
        row = self._extra.get(key)
        if row is not None:
            return row
        if self._sorted is None and self._small is None:
            if not self._ids:
                return default
            self._build()
        if self._small is not None:
            return self._small.get(key, default)
        assert self._sorted is not None and self._order is not None
        pos = int(self._sorted.searchsorted(key))
        if pos < len(self._sorted) and int(self._sorted[pos]) == key:
            return int(self._order[pos])
        return default

    def known(self, keys: Sequence[int]) -> list[int]:
        """The ids among ``keys`` that are in the list, in the order given (vectorised)."""
        keys = list(keys)
        if len(keys) < 64:
            return [k for k in keys if self.get(k) is not None]
        if self._sorted is None and self._small is None:
            if not self._ids:
                return [k for k in keys if k in self._extra]
            self._build()
        if self._small is not None:
            small, extra = self._small, self._extra
            return [k for k in keys if k in small or k in extra]
        assert self._sorted is not None
        import numpy as np

        wanted = np.fromiter(keys, dtype=np.int64, count=len(keys))
        pos = np.minimum(np.searchsorted(self._sorted, wanted), max(len(self._sorted) - 1, 0))
        hit = self._sorted[pos] == wanted if len(self._sorted) else np.zeros(len(keys), dtype=bool)
        extra = self._extra
        return [k for k, h in zip(keys, hit.tolist(), strict=True) if h or k in extra]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def __getitem__(self, key: int) -> int:
        row = self.get(key)
        if row is None:
            raise KeyError(key)
        return row

    def __setitem__(self, key: int, row: int) -> None:
        """Record an id appended to the list after the index was built."""
        self._extra[key] = row


#: Ids converted per NumPy call from a list: one ``np.fromiter`` over 3 000 000 ints held the
#: GIL ~0.2 s on the store's worker (the GUI's event loop stalled with it).
CONVERT_CHUNK: Final = 100_000


def _int64s(ids: Sequence[int]) -> np.ndarray:
    """``ids`` as an int64 array: a copy of an ``array('q')``'s buffer (one memcpy), a list a
    chunk per call."""
    import numpy as np

    if isinstance(ids, array) and ids.typecode == "q":
        return np.frombuffer(ids, dtype=np.int64).copy()  # the view is dropped: the array may grow
    chunks = [
        np.fromiter(ids[start : start + CONVERT_CHUNK], dtype=np.int64)
        for start in range(0, len(ids), CONVERT_CHUNK)
    ]
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
