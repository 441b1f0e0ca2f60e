"""Blocking on a face's gradient profiles: folds at whole and fractional block sizes
and the block spectrum (blocks off the decode grid), for :mod:`detail`'s
``compression``, ``pixelation`` and ``block_spectrum`` measures (how each is read:
detail.py's docstring, docs/measures-detail.md).

Split from detail.py; nothing here changes a value.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Final

import numpy as np

from facecurator.detect.quality.base import Measure, fast_mean, unmeasured

#: Grey levels added to both sides of the blockiness ratio (flat faces stay near 1).
_FOLD_FLOOR: Final = 0.5
#: The face is cut in this many strips for the blockiness (median over strips).
_STRIPS: Final = 5


def _fold(profiles: np.ndarray, period: int) -> float:
    """Blockiness of a stack of profiles (one row per strip) at ``period``.

    Each profile is folded by position modulo ``period``; each phase is the
    median over the blocks (an edge at every block boundary counts, one strong
    edge of an object does not); the strip's value is (largest phase + floor) /
    (median phase + floor); the result is the median over the strips.
    """
    nblocks = profiles.shape[1] // period
    if nblocks < 3:
        return 1.0
    blocks = profiles[:, : nblocks * period].reshape(profiles.shape[0], nblocks, period).copy()
    # the (upper) medians by partition: the same order statistics as a sort, cheaper
    k = nblocks // 2
    blocks.partition(k, axis=1)
    phases = blocks[:, k, :]
    mid = phases.copy()
    mid.partition(period // 2, axis=1)
    ratio = (phases.max(axis=1) + _FOLD_FLOOR) / (mid[:, period // 2] + _FOLD_FLOOR)
    ratio.partition(ratio.size // 2)
    return float(ratio[ratio.size // 2])


#: Block sizes searched for pixelation (working pixels).
_PIXEL_PERIODS: Final = tuple(range(3, 17))


def _folds(profiles: np.ndarray, periods: tuple[int, ...]) -> list[float]:
    """``[_fold(profiles, p) for p in periods]`` (the same values): the phase medians per
    period, then one sort of every period's phases (padded with +inf, so the largest
    phase and the upper median sit at ``p - 1`` and ``p // 2``) and one median over the
    strips for all periods."""
    strips = profiles.shape[0]
    width = max(periods)
    padded = np.full((len(periods), strips, width), np.inf, dtype=profiles.dtype)
    used = []
    for i, period in enumerate(periods):
        nblocks = profiles.shape[1] // period
        if nblocks < 3:
            continue
        blocks = profiles[:, : nblocks * period].reshape(strips, nblocks, period).copy()
        blocks.partition(nblocks // 2, axis=1)
        padded[i, :, :period] = blocks[:, nblocks // 2, :]
        used.append(i)
    out = [1.0] * len(periods)
    if not used:
        return out
    rows = np.array(used)
    ordered = np.sort(padded[rows], axis=2)
    sizes = np.array([periods[i] for i in used])
    picks = np.arange(len(used))[:, None], np.arange(strips)[None, :]
    top = ordered[picks[0], picks[1], (sizes - 1)[:, None]]
    mid = ordered[picks[0], picks[1], (sizes // 2)[:, None]]
    ratio = (top + _FOLD_FLOOR) / (mid + _FOLD_FLOOR)
    ratio.partition(strips // 2, axis=1)
    for j, i in enumerate(used):
        out[i] = float(ratio[j, strips // 2])
    return out


def _middle(a: np.ndarray, axis: int) -> np.ndarray:
    """The (upper) median along ``axis`` - ``np.median``'s overhead is most of
    the cost on these small arrays (a partition gives the same order statistic as a sort)."""
    k = a.shape[axis] // 2
    part = a.copy()
    part.partition(k, axis=axis)
    return part.take(k, axis=axis)


def _profiles(face: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean |difference| between neighbouring columns in each of ``_STRIPS``
    horizontal strips of the face (one row per strip), and between
    neighbouring rows in each of ``_STRIPS`` vertical strips."""
    import cv2

    # |a - b| in float32 by OpenCV: the same values as numpy's, 4x cheaper
    dx = cv2.absdiff(face[:, 1:], face[:, :-1])
    dy = cv2.absdiff(face[1:, :], face[:-1, :])
    # the strips of ``np.array_split``; ``np.add.reduce(...) / n`` is ``mean`` without its
    # overhead. Its first ``extra`` strips are one item longer than the others: each group
    # of equal strips is one reshaped view whose strips are summed in one call (each sum in
    # the order ``np.add.reduce`` of the strip's own slice takes, bit for bit) and divided
    # straight into their rows (no ``np.stack``)
    cols = np.empty((_STRIPS, dx.shape[1]), dtype=dx.dtype)
    rows = np.empty((_STRIPS, dy.shape[0]), dtype=dy.dtype)
    for first, last, start, stop, size in _strip_groups(dx.shape[0]):
        block = dx[start:stop].reshape(last - first, size, dx.shape[1])
        np.true_divide(np.add.reduce(block, axis=1), size, out=cols[first:last])
    for first, last, start, stop, size in _strip_groups(dy.shape[1]):
        block = dy[:, start:stop].reshape(dy.shape[0], last - first, size)
        np.true_divide(np.add.reduce(block, axis=2), size, out=rows[first:last].T)
    return cols, rows


@functools.lru_cache(maxsize=256)
def _strip_groups(n: int) -> tuple[tuple[int, int, int, int, int], ...]:
    """:func:`_strips` of ``n`` items as groups of equal strips: (first strip, end strip,
    first item, end item, items a strip), the longer strips first."""
    each, extra = divmod(n, _STRIPS)
    split = extra * (each + 1)
    groups = ((0, extra, 0, split, each + 1), (extra, _STRIPS, split, n, each))
    return tuple(g for g in groups if g[1] > g[0] and g[4] > 0)


@functools.lru_cache(maxsize=256)
def _strips(n: int) -> tuple[tuple[int, int], ...]:
    """The (start, end) of ``np.array_split``'s ``_STRIPS`` sections of ``n`` items."""
    each, extra = divmod(n, _STRIPS)
    bounds = [0]
    for i in range(_STRIPS):
        bounds.append(bounds[-1] + each + (1 if i < extra else 0))
    return tuple(itertools.pairwise(bounds))


def _blockiness(profiles: tuple[np.ndarray, np.ndarray], period: int) -> float:
    """Blockiness at ``period``, the smaller of the two axes (JPEG blocks and
    enlarged pixels are squares; the edges of an object, or a texture, rarely
    repeat at the same period on both axes)."""
    cols, rows = profiles
    return min(_fold(cols, period), _fold(rows, period))


#: Block sizes searched by :func:`block_spectrum` (working pixels): a JPEG's 8 px blocks
#: after a resize by 0.5-1.5, and the 4 px blocks of a JPEG decoded at 1/2.
SPECTRUM_PERIODS: Final = (4.0, 12.0)
#: The profiles are zero-padded to this length before the transform (period resolution).
_SPECTRUM_N: Final = 512
#: Off-grid blocking (tune split): the fold at the spectrum's peak period of every face
#: without the ``compressed`` label <= 1.31 (real photos too), the ``recompressed``
#: variants 1.20-2.12 (median 1.48; 17 of 30 at 1.45, a 10 % margin); the peak / its
#: neighbourhood: median 3.8 on real photos, a line is >= 10.
SPECTRUM_FOLD_MIN: Final = 1.45
SPECTRUM_LOCAL_MIN: Final = 10.0
_freqs: Final = np.fft.rfftfreq(_SPECTRUM_N)
_BAND: Final = (_freqs >= 1 / 20) & (_freqs <= 1 / 2.5)
_SEARCH: Final = (_freqs >= 1 / SPECTRUM_PERIODS[1]) & (_freqs <= 1 / SPECTRUM_PERIODS[0])


@functools.lru_cache(maxsize=64)
def _hanning(size: int) -> np.ndarray:
    return np.hanning(size)


def _grid_periods(grid: float) -> np.ndarray:
    """The decode grid's period and its neighbours in the spectrum (harmonics, double)."""
    return np.array([grid, grid / 2, grid / 3, 2 * grid])


@functools.lru_cache(maxsize=64)
def _search(grid: float) -> np.ndarray:
    """The spectrum's search band without the decode grid's periods (one per decode
    scale, cached: read-only)."""
    search = _SEARCH & np.all(np.abs(_freqs[None, :] * _grid_periods(grid)[:, None] - 1.0) > 0.04, axis=0)
    search.flags.writeable = False
    return search


def block_spectrum(profiles: tuple[np.ndarray, np.ndarray], grid: float | None = None) -> Measure:
    """Blocking whose grid need not fall on whole pixels (see the module docstring).

    ``grid``: the decode grid of a JPEG file (8 / decode scale), whose periods (and
    harmonics) the folding at the grid already reads; peaks there are left out."""
    values, periods, locals_, folds = [], [], [], []
    search = _search(grid) if grid else _SEARCH
    if any(prof.shape[1] < 6 * SPECTRUM_PERIODS[1] for prof in profiles):
        return unmeasured("face too small for the block spectrum")
    # both profiles' windowed means zero-padded to ``_SPECTRUM_N`` in one array and
    # transformed in one call (the padding ``rfft(p, n)`` does; each row is transformed
    # on its own, bit for bit the same spectrum)
    padded = np.zeros((len(profiles), _SPECTRUM_N))
    for row, prof in zip(padded, profiles, strict=True):
        p = np.add.reduce(prof, axis=0) / prof.shape[0]  # prof.mean(axis=0), cheaper
        np.multiply(p - fast_mean(p), _hanning(p.size), out=row[: p.size])
    powers = np.abs(np.fft.rfft(padded)) ** 2
    for prof, power in zip(profiles, powers, strict=True):
        floor = float(_middle(power[_BAND], axis=0)) + 1e-9
        i = int(np.argmax(np.where(search, power, -1.0)))
        f0 = float(_freqs[i])
        near = (_freqs >= 0.8 * f0) & (_freqs <= 1.25 * f0) & (np.abs(_freqs - f0) > 3.0 / prof.shape[1])
        local = float(_middle(power[near], axis=0)) + 1e-9 if near.any() else floor
        values.append(float(power[i]) / floor)
        locals_.append(float(power[i]) / local)
        periods.append(1.0 / f0)
        folds.append(_fold_fractional(prof, 1.0 / f0))
    k = int(np.argmin(values))
    return Measure(
        round(values[k], 3),
        "block spectrum peak",
        {
            "period": round(periods[k], 2),
            "local": round(min(locals_), 3),
            "fold": round(min(folds), 4),
        },
    )


def _fold_fractional(profiles: np.ndarray, period: float) -> float:
    """:func:`_fold` at a period that need not be a whole number of pixels: block ``k``
    is the ``floor(period)`` positions from ``floor(k * period)``, so a block edge falls
    on its first or second phase; neighbouring phases are summed."""
    m = math.floor(period)
    n = profiles.shape[1]
    nblocks = int((n - m) / period) + 1
    if m < 2 or nblocks < 3:
        return 1.0
    starts = np.floor(np.arange(nblocks) * period).astype(np.int64)
    blocks = profiles[:, starts[:, None] + np.arange(m)[None, :]]
    phases = _middle(blocks, axis=1)
    pairs = np.empty_like(phases)  # phases + np.roll(phases, -1, axis=1), cheaper
    np.add(phases[:, :-1], phases[:, 1:], out=pairs[:, :-1])
    np.add(phases[:, -1], phases[:, 0], out=pairs[:, -1])
    ratio = (pairs.max(axis=1) + 2 * _FOLD_FLOOR) / (_middle(pairs, axis=1) + 2 * _FOLD_FLOOR)
    return float(_middle(ratio, axis=0))
