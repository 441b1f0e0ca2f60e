"""The JPEG grid of a DCT-scaled JPEG with a side that is not a multiple of the factor
(docs/local-detector-dct-grid.md).

Pillow's draft decodes a 1001 px side at 1/2 to ceil(1001 / 2) = 501 px, so the decode
scale reads 1001 / 501 = 1.998, not 2; the blocks still lie exactly on 4 px (the DCT
scaling works block by block). The decoder reports the factor it applied
(``DecodedImage.dct_factor``) and ``compression`` folds at 8 / factor.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from helpers.compression import compression_of
from PIL import Image

from facecurator.detect.quality import detail
from facecurator.domain.images import decode_image

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.csv").exists(), reason="../shared/corpus (the shared test photos) is not present"
)
#: a 1536 x 1152 JPEG portrait, the face near the middle
PORTRAIT = "people/deepface_p01/img2.jpg"


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _noise(w: int, h: int) -> Image.Image:
    rgb = (np.random.default_rng(5).random((h, w, 3)) * 255).astype(np.uint8)
    return Image.fromarray(rgb)


# --------------------------------------------------------------------------- decoding


def test_the_decoder_reports_the_dct_factor_it_applied_to_an_odd_side() -> None:
    # 1001 x 1152: the long side halves exactly, the width does not (501 px)
    decoded = decode_image(_jpeg(_noise(1001, 1152), 90), max_side=576)
    assert decoded.image.size == (501, 576)
    assert decoded.scale == pytest.approx(1001 / 501) and decoded.scale != 2.0
    assert decoded.dct_factor == 2
    # at 1/4: 327 x 650 from 1307 x 2600
    quarter = decode_image(_jpeg(_noise(1307, 2600), 90), max_side=650)
    assert quarter.image.size == (327, 650) and quarter.dct_factor == 4


@pytest.mark.parametrize(
    ("size", "factor"),
    [
        ((910, 1137), 2),  # obama.jpg: 1137 // 569 = 1 asked draft for no reduction at all
        ((2047, 1500), 2),  # 2047 // 1024 = 1
        ((1922, 2883), 4),  # chris_hemsworth.jpeg: 2883 // 721 = 3 -> 1/2, then a resize
        ((5106, 3404), 8),  # Mask18.jpg: 5106 // 639 = 7 -> 1/4, then a resize
        ((1453, 1004), 2),  # the odd side is the long one here (the width)
    ],
)
def test_a_side_not_a_multiple_of_the_factor_still_decodes_through_the_dct(
    size: tuple[int, int], factor: int
) -> None:
    # the local detector's request: the largest DCT size ceil(side / factor) that fits 1024 px
    from facecurator.detect.local import _header

    data = _jpeg(_noise(*size), 90)
    max_side, _ = _header(data, 1024)
    assert max_side == -(-max(size) // factor)
    decoded = decode_image(data, max_side=max_side)
    # the decoder's own output: ceil(side / factor) on both sides, no resize after it
    assert decoded.dct_factor == factor
    assert decoded.image.size == (-(-size[0] // factor), -(-size[1] // factor))
    # the pixels are the DCT-scaled decode itself (Pillow's reduce on load, bit for bit)
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (size[0] // factor, size[1] // factor))
        assert np.array_equal(np.asarray(decoded.image), np.asarray(img.convert("RGB")))


def test_no_dct_factor_when_the_pixels_are_not_the_decoders_own() -> None:
    # a JPEG not reduced: factor 1
    assert decode_image(_jpeg(_noise(800, 600), 90), max_side=1024).dct_factor == 1
    assert decode_image(_jpeg(_noise(800, 600), 90)).dct_factor == 1
    # resized after the decoder (1/2 of 2047 px is 1024 px, more than 1000): none
    resized = decode_image(_jpeg(_noise(2047, 1500), 90), max_side=1000)
    assert max(resized.image.size) == 1000 and resized.dct_factor is None
    # not a JPEG: none
    buf = io.BytesIO()
    _noise(300, 200).save(buf, format="PNG")
    assert decode_image(buf.getvalue()).dct_factor is None


# --------------------------------------------------------------------------- a real face


def _compression(data: bytes) -> tuple[float | None, str, dict[str, float], bool | None]:
    return compression_of(data, "t.jpg")


@needs_corpus
def test_an_odd_width_jpeg_decoded_at_half_has_its_blocking_measured() -> None:
    with Image.open(CORPUS / PORTRAIT) as img:
        crop = img.convert("RGB").crop((300, 0, 1301, 1152))  # 1001 x 1152: decoded 501 x 576
    heavy = _jpeg(crop, 5)
    decoded = decode_image(heavy, max_side=576)
    assert decoded.dct_factor == 2 and decoded.scale != 2.0
    value, reason, details, compressed = _compression(heavy)
    # was null ("the JPEG grid is not visible at decode scale 1/1.998"): measured at 4 px now
    assert value is not None, reason
    assert details.get("grid") == 4.0 and "native" not in details
    assert value >= detail.COMPRESSION_MAX and compressed is True, (value, reason)
    # the same crop at quality 95: measured, and no blocking found
    value, reason, details, compressed = _compression(_jpeg(crop, 95))
    assert value is not None and details.get("grid") == 4.0, reason
    assert value < detail.COMPRESSION_MAX and compressed is False, (value, reason)
