"""A derived exposure variant the first ones do not make: a washed-out photo (issue 18).

``overexposed`` and ``bright`` clip 40-70 % of the face white, which the clipped share
catches. The first outside check (docs/local-detector-outside.md) found a face rendered
at +1.5 EV that qualified: very light all over, its black point lifted, yet under a
fifth of it clipped. A veil of light does the same to a photo: flare from a bright
source in or near the frame, haze, a faded print, or a raw file rendered too bright with
a soft shoulder. Nothing dark is left, on the face or around it:

=========  =============================================================  =============
variant    what is done                                                   label set to 1
=========  =============================================================  =============
washed     a uniform veil in linear light over the whole crop:            overexposed
           lin' = f + (1 - f) x lin with f = 0.33-0.50 (black becomes
           sRGB 155-188, white stays white; nothing new is clipped)
=========  =============================================================  =============

The label is beyond doubt at that veil: the pupils, brows and hair are light grey. The
eye states stay readable but are left "cannot tell" like the other exposure variants';
so are blur, compression and upscaling. Measure and bounds: docs/local-detector-washed.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from benchmarks.truthset.variants import _HIDDEN_EYES, Points, Variant, _centre, _to_linear, _to_srgb

if TYPE_CHECKING:
    from PIL import Image

#: The veil's share of white, in linear light (low, high).
VEIL: Final = (0.33, 0.50)


def veiled(img: Image.Image, veil: float) -> Image.Image:
    """``img`` under a uniform veil of ``veil`` (0..1) of white, in linear light."""
    from PIL import Image as PILImage

    lin = _to_linear(np.asarray(img.convert("RGB"), dtype=np.float64))
    return PILImage.fromarray(_to_srgb(veil + (1.0 - veil) * lin))


def washed(
    img: Image.Image, pts: Points, rng: np.random.Generator
) -> tuple[Image.Image, tuple[float, float]]:
    """A washed-out photo: a veil of ``VEIL`` of white over the whole crop."""
    return veiled(img, float(rng.uniform(*VEIL))), _centre(pts)


#: The exposure variants added after ``variants.py``'s (``derive.VARIANTS`` lists them).
EXPOSURE_VARIANTS: Final = (
    Variant(
        "washed",
        ".png",
        {"overexposed": True, **_HIDDEN_EYES, "blurred": None, "upscaled": None, "compressed": None},
        washed,
    ),
)
