"""Natural-scene statistics of a face crop (issue 18, ninth round; measured only, not in the
detector): the two feature families of the computer-graphics-versus-photograph literature.

- ``brisque``: BRISQUE-style MSCN statistics (Mittal, Moorthy & Bovik 2012) -- the
  mean-subtracted contrast-normalised luminance (7 x 7 Gaussian window, sigma 7/6), the
  generalised-Gaussian shape and variance of the coefficients and the asymmetric-GGD
  shape, mean and left / right variances of their four neighbour products (horizontal,
  vertical, both diagonals), at two scales: 18 x 2 = 36 numbers, over a mask (the face
  oval) or the whole crop.
- ``lyu_farid``: Lyu & Farid, "How realistic is photorealistic?" (IEEE TSP 2005) -- a
  3-level separable wavelet decomposition (Daubechies-2 filters) of each colour channel;
  mean, variance, skewness and kurtosis of each subband's coefficients and of the log
  error of their best linear prediction (least squares on magnitudes) from the four
  spatial neighbours, the parent, the other two orientations and the same subband in
  the other two channels: 3 levels x 3 orientations x 3 channels x 8 = 216 numbers.

Used by ``benchmarks/natural_scene_separation.py``; see docs/local-detector-renders.md,
"Ninth round".
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy.special import gamma

_ALPHAS = np.arange(0.2, 10.0, 0.001)
#: Gamma(1/a) Gamma(3/a) / Gamma(2/a)^2, the GGD moment ratio tabulated over the shapes
_RATIO = gamma(1 / _ALPHAS) * gamma(3 / _ALPHAS) / gamma(2 / _ALPHAS) ** 2
_LO = np.array(
    [-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025], np.float32
)
_HI = np.array(
    [-0.48296291314469025, 0.836516303737469, -0.22414386804185735, -0.12940952255092145], np.float32
)
#: neighbour-product offsets (dy, dx): horizontal, vertical, main and anti diagonal
_PAIRS = ((0, 1), (1, 0), (1, 1), (1, -1))


def ggd(x: np.ndarray) -> tuple[float, float]:
    """Shape and variance of a zero-mean generalised Gaussian (moment matching)."""
    s2, e = float(np.mean(x * x)), float(np.mean(np.abs(x)))
    if e <= 0 or s2 <= 0:
        return 10.0, 0.0
    return float(_ALPHAS[np.argmin((_RATIO - s2 / e**2) ** 2)]), s2


def aggd(x: np.ndarray) -> tuple[float, float, float, float]:
    """Shape, mean, left and right variance of an asymmetric generalised Gaussian."""
    left, right = x[x < 0], x[x >= 0]
    sl = math.sqrt(float(np.mean(left * left))) if left.size else 1e-6
    sr = math.sqrt(float(np.mean(right * right))) if right.size else 1e-6
    g = sl / max(sr, 1e-9)
    rho = float(np.mean(np.abs(x))) ** 2 / max(float(np.mean(x * x)), 1e-12)
    rho *= (g**3 + 1) * (g + 1) / (g**2 + 1) ** 2
    a = float(_ALPHAS[np.argmin((1 / _RATIO - rho) ** 2)])
    eta = (sr - sl) * gamma(2 / a) / math.sqrt(gamma(1 / a) * gamma(3 / a))
    return a, float(eta), sl * sl, sr * sr


def mscn(grey: np.ndarray) -> np.ndarray:
    """Mean-subtracted contrast-normalised coefficients of a float32 luma image."""
    mu = cv2.GaussianBlur(grey, (7, 7), 7 / 6)
    var = cv2.GaussianBlur(grey * grey, (7, 7), 7 / 6) - mu * mu
    return (grey - mu) / (np.sqrt(np.abs(var)) + 1.0)


def _shifted(a: np.ndarray, dy: int, dx: int) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``a`` shifted by (dy, dx), cropped to their overlap."""
    h, w = a.shape
    if dx >= 0:
        return a[: h - dy, : w - dx], a[dy:, dx:]
    return a[: h - dy, -dx:], a[dy:, : w + dx]


def brisque(grey: np.ndarray, mask: np.ndarray | None) -> list[float]:
    """The 36 MSCN numbers (2 scales x (GGD 2 + 4 products x AGGD 4)) of ``grey`` over ``mask``."""
    out: list[float] = []
    for _ in range(2):
        m = mscn(grey)
        mk = np.ones(m.shape, bool) if mask is None else mask
        out += ggd(m[mk])
        for dy, dx in _PAIRS:
            a, b = _shifted(m, dy, dx)
            ma, mb = _shifted(mk, dy, dx)
            out += aggd((a * b)[ma & mb])
        grey = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
        if mask is not None:
            size = (grey.shape[1], grey.shape[0])
            mask = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    return out


def _analyse(a: np.ndarray, fy: np.ndarray, fx: np.ndarray) -> np.ndarray:
    return cv2.sepFilter2D(a, cv2.CV_32F, fx, fy, borderType=cv2.BORDER_REFLECT)[::2, ::2]


def wavelet(a: np.ndarray, levels: int) -> list[dict[str, np.ndarray]]:
    """``levels`` levels of H / V / D subbands (finest first)."""
    out = []
    for _ in range(levels):
        out.append({"H": _analyse(a, _HI, _LO), "V": _analyse(a, _LO, _HI), "D": _analyse(a, _HI, _HI)})
        a = _analyse(a, _LO, _LO)
    return out


def _moments(x: np.ndarray) -> list[float]:
    m, v = float(x.mean()), float(x.var())
    if v <= 1e-12:
        return [m, v, 0.0, 3.0]
    z = (x - m) / math.sqrt(v)
    return [m, v, float((z**3).mean()), float((z**4).mean())]


def lyu_farid(rgb: np.ndarray, mask: np.ndarray | None, levels: int = 3) -> list[float]:
    """The 216 wavelet numbers of ``rgb`` (uint8) over ``mask`` (see the module text)."""
    pyr = [wavelet(rgb[:, :, c].astype(np.float32), levels + 1) for c in range(3)]
    out: list[float] = []
    for lv in range(levels):
        for o in ("H", "V", "D"):
            for c in range(3):
                band = pyr[c][lv][o]
                h, w = band.shape
                mk = np.ones(band.shape, bool)
                if mask is not None:
                    mk = cv2.resize(mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
                out += _moments(band[mk]) if mk.sum() > 20 else [0.0, 0.0, 0.0, 3.0]
                ab = np.abs(band)
                parent = cv2.resize(np.abs(pyr[c][lv + 1][o]), (w, h), interpolation=cv2.INTER_NEAREST)
                pad = np.pad(ab, 1, mode="reflect")
                cols = [pad[1:-1, :-2], pad[1:-1, 2:], pad[:-2, 1:-1], pad[2:, 1:-1], parent]
                cols += [np.abs(pyr[c][lv][q]) for q in ("H", "V", "D") if q != o]
                cols += [np.abs(pyr[k][lv][o]) for k in range(3) if k != c]
                sel = mk & (ab > 1e-3)
                if sel.sum() < 30:
                    out += [0.0, 0.0, 0.0, 3.0]
                    continue
                q = np.stack([col[sel] for col in cols], 1).astype(np.float64)
                y = ab[sel].astype(np.float64)
                wts = np.linalg.lstsq(q, y, rcond=None)[0]
                out += _moments(np.log2(y) - np.log2(np.maximum(np.abs(q @ wts), 1e-3)))
    return out


def names() -> tuple[list[str], list[str]]:
    """Names of the ``brisque`` and ``lyu_farid`` numbers, in order."""
    bn: list[str] = []
    for s in range(2):
        bn += [f"s{s}_a", f"s{s}_v"]
        for d in ("h", "v", "d1", "d2"):
            bn += [f"s{s}{d}_a", f"s{s}{d}_eta", f"s{s}{d}_l", f"s{s}{d}_r"]
    lf: list[str] = []
    for lv in range(3):
        for o in "HVD":
            for c in "rgb":
                lf += [f"L{lv}{o}{c}_{m}" for m in ("m", "v", "s", "k")]
                lf += [f"E{lv}{o}{c}_{m}" for m in ("m", "v", "s", "k")]
    return bn, lf
