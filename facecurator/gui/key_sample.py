"""The jump sample of a paged view (:class:`~facecurator.gui.paged_keys.PagedKeys`): sparse keys
of the view in order with their rows -- rows 0, ``step``, 2 ``step`` ... as walked, then shifted
down by the rows a scan inserts before them (rather than dropped and walked again: ~1 s at
1 000 000 images, 35 s at 3 000 000 faces on PostgreSQL, during which a new row's place was
counted from the start).

Immutable: the GUI thread replaces it whole, so a worker counting from the one it took reads
keys and rows that belong together.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from facecurator.gui.key_sources import Key


@dataclass(frozen=True, slots=True)
class Sample:
    """Sampled ``keys`` (ascending) and the ``rows`` they stand at (ascending)."""

    keys: tuple[Key, ...] = ()
    rows: tuple[int, ...] = ()

    @classmethod
    def stepped(cls, keys: Sequence[Key], step: int, first_row: int = 0) -> Sample:
        """``keys`` at rows ``first_row``, ``first_row + step`` ..."""
        return cls(tuple(tuple(k) for k in keys), tuple(range(first_row, first_row + step * len(keys), step)))

    def __len__(self) -> int:
        return len(self.keys)

    def anchor(self, key: Key) -> int:
        """The index of the last sampled key at or before ``key`` (-1: none)."""
        return bisect_right(self.keys, tuple(key)) - 1

    def row(self, anchor: int) -> int:
        """The row of sampled key ``anchor`` (-1: the start, row 0)."""
        return self.rows[anchor] if anchor >= 0 else 0

    def at_or_before(self, row: int) -> int:
        """The index of the last sampled key at or before ``row`` (-1: none)."""
        return bisect_right(self.rows, row) - 1

    def extended(self, keys: Sequence[Key], step: int) -> Sample:
        """With ``keys`` walked on from the last key, ``step`` rows apart."""
        last = self.rows[-1] if self.rows else -step
        more = Sample.stepped(keys, step, last + step)
        return Sample(self.keys + more.keys, self.rows + more.rows)

    def shifted(self, at: int, by: int = 1) -> Sample:
        """After ``by`` rows were inserted at row ``at``: the keys at or after it ``by`` rows down."""
        first = bisect_left(self.rows, at)
        if first == len(self.rows):
            return self
        return Sample(self.keys, self.rows[:first] + tuple(r + by for r in self.rows[first:]))
