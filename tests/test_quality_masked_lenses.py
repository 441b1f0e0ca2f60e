"""Issue 18, local-v51: two lens readings for sunglasses that ``moderation-2.0`` let through.

- A masked face: the lens rules that compare the eye areas with the cheeks do not run on it
  (its cheeks are the mask), so dark lenses whose eyes keep their contrast were read "no
  sunglasses" (the tune face ``with_mask/1268.png``). ``lens.dark_bands_over_mask`` reads the
  band under both eyes far darker than the mask below it and both eye areas dimmed.
- One lens edge far stronger than a bare dimmed eye area's, the other a weaker step
  (``lens.ONE_STRONG_EDGE_MIN``: the tune ``brown_lens`` of ``without_mask/458.jpg``).

The detector test paints grey filter lenses (the truth set's ``brown_lens`` geometry) over the
corpus's masked selfie (docs/local-detector-sunglasses.md, section 9).
"""

# ruff: noqa: F811 - the fifth round's detector fixture is imported, then requested as an argument
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from test_quality_fifth_round import _readings, detect_one, detector, png  # noqa: F401
from test_quality_lens_edge import _filter_lenses
from test_quality_lens_top import BOTTOM, SKIN, SKIN_REF, _crop, _regions

from facecurator.detect.local import LocalDetector
from facecurator.detect.quality import lens
from facecurator.detect.quality.eyes import EyeReading
from facecurator.domain.face import Face


def _eye(**numbers: float) -> EyeReading:
    return EyeReading(visible=1.0, open=1.0, reason="", **numbers)


def test_the_bands_over_a_mask_need_both_eyes_dark_and_dimmed() -> None:
    lens_bottom = _eye(lens_l=0.15, median=0.27, bright=0.5, contrast=0.5)
    assert lens.dark_bands_over_mask(lens_bottom, lens_bottom)
    # bare eyes over a pale mask: the band darker than the mask, but not that dark
    bare = _eye(lens_l=0.48, median=0.35, bright=0.54, contrast=0.6)
    assert not lens.dark_bands_over_mask(bare, bare)
    # one eye only, or eye areas as light as the skin reference
    assert not lens.dark_bands_over_mask(lens_bottom, bare)
    assert not lens.dark_bands_over_mask(lens_bottom, _eye(lens_l=0.15, median=0.9, bright=1.0))
    unread = EyeReading(visible=None, open=None, reason="turned")
    assert not lens.dark_bands_over_mask(lens_bottom, unread)


def test_one_strong_edge_and_a_weaker_one_are_sunglasses() -> None:
    # lit upper lids: the gradient rule (dark tops) does not read them
    regions = _regions(_crop(top=SKIN, bottom=BOTTOM))
    assert lens.lenses_from_edges(regions, SKIN_REF, (0.20, 0.58)) == (True, None)
    edged, tops = lens.lenses_from_edges(regions, SKIN_REF, (0.20, 0.45))
    assert edged is False and tops is not None  # under the bound: the tops decide, and they are lit
    # the weaker edge must still be a step (a lens over one eye is no pair of sunglasses)
    assert lens.lenses_from_edges(regions, SKIN_REF, (0.10, 0.90)) == (False, None)


def test_the_bounds() -> None:
    assert lens.MASKED_BAND_L_MAX <= 0.478 * 0.8 + 1e-9  # the tune masked bare faces' least, - 20 %
    assert lens.ONE_STRONG_EDGE_MIN >= 0.446 * 1.2 - 1e-9  # the tune gated faces' largest, + 20 %
    assert lens.TOP_EDGE_MIN < lens.LENS_EDGE_MIN < lens.ONE_STRONG_EDGE_MIN


@pytest.fixture(scope="module")
def masked(corpus_dir: Path, detector: LocalDetector) -> tuple[Image.Image, Face]:
    data = (corpus_dir / "occlusion/mask_white_selfie.png").read_bytes()
    return Image.open(io.BytesIO(data)).convert("RGB"), detect_one(detector, data, "mask_white_selfie")


def test_dark_filter_lenses_over_a_masked_face_are_sunglasses(
    masked: tuple[Image.Image, Face],
    detector: LocalDetector,
) -> None:
    img, bare = masked
    # the bare masked face: its bands are darker than the white mask, not as dark as a lens's
    assert bare.mask is True and bare.glasses != "sunglasses" and bare.sunglasses is not True
    assert min(e.lens_l for e in _readings(bare)) > lens.MASKED_BAND_L_MAX
    # grey filter lenses (15 % transmission) keep the eyes' contrast: only the new rule reads them
    worn = detect_one(detector, png(_filter_lenses(img, bare, 0.15)), "mask_white_selfie_lenses")
    assert worn.mask is True
    assert lens.dark_bands_over_mask(*_readings(worn))
    assert worn.glasses == "sunglasses", worn.raw["quality"]["eyes"]
