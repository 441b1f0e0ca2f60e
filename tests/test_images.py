"""Decoding real and deliberately broken files: every failure is a one-line reason."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facecurator.domain.images import MAX_IMAGE_PIXELS, decode_image, is_supported_name, rgb_array
from facecurator.errors import ImageError


def _jpeg(img: Image.Image, **save: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **save)
    return buf.getvalue()


def _marked(width: int = 400, height: int = 200) -> Image.Image:
    """White image with a red block in its top-left quarter: orientation is checkable."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    img.paste((255, 0, 0), (0, 0, width // 4, height // 4))
    return img


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int) -> None:
    upright = _marked()
    # Store pixels so that applying `orientation` gives back the upright image.
    inverse = {
        1: None,
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_90,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_270,
    }[orientation]
    stored = upright.transpose(inverse) if inverse is not None else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    decoded = decode_image(_jpeg(stored, exif=exif, quality=95))
    assert decoded.image.size == (400, 200)
    assert (decoded.full_width, decoded.full_height) == (400, 200)
    pixels = np.asarray(decoded.image)
    assert pixels[10, 10, 0] > 200 and pixels[10, 10, 1] < 60, "red block must be top-left when upright"
    assert pixels[190, 390].min() > 200


def test_draft_mode_reduces_and_keeps_the_full_size() -> None:
    data = _jpeg(_marked(4000, 3000), quality=85)
    decoded = decode_image(data, max_side=1000)
    assert max(decoded.image.size) <= 1000
    assert (decoded.full_width, decoded.full_height) == (4000, 3000)
    assert decoded.scale == pytest.approx(4.0, rel=0.01)


def test_modes_become_rgb() -> None:
    cmyk = Image.new("CMYK", (64, 48), (0, 255, 255, 0))  # red in CMYK
    assert decode_image(_jpeg(cmyk)).image.mode == "RGB"
    grey = io.BytesIO()
    Image.new("L", (64, 48), 128).save(grey, "PNG")
    assert decode_image(grey.getvalue()).image.getpixel((1, 1)) == (128, 128, 128)
    rgba = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 32, 48))
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    decoded = decode_image(buf.getvalue()).image
    assert decoded.getpixel((5, 5)) == (0, 0, 255)
    assert decoded.getpixel((60, 5)) == (255, 255, 255), "transparent pixels are composited on white"
    buf16 = io.BytesIO()
    Image.fromarray(np.full((8, 8), 40000, dtype=np.uint16)).save(buf16, "PNG")
    assert decode_image(buf16.getvalue()).image.mode == "RGB"


def test_gif_first_frame_and_webp_bmp_tiff() -> None:
    frames = [Image.new("RGB", (32, 32), color) for color in ((255, 0, 0), (0, 255, 0))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    assert decode_image(gif.getvalue()).image.getpixel((3, 3))[0] > 200
    for fmt in ("WEBP", "BMP", "TIFF"):
        buf = io.BytesIO()
        _marked(64, 32).save(buf, fmt)
        assert decode_image(buf.getvalue()).image.size == (64, 32), fmt


def test_heic_decodes(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    heif = pillow_heif.from_pillow(_marked(128, 64))
    path = tmp_path / "photo.heic"
    heif.save(path, quality=90)
    decoded = decode_image(path)
    assert decoded.image.size == (128, 64)
    assert is_supported_name("x.HEIC")


def test_broken_inputs_give_one_line_reasons(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match=r"empty\.jpg: empty file"):
        decode_image(empty)
    with pytest.raises(ImageError, match="not an image"):
        decode_image(b"hello, I am text", name="notes.jpg")
    truncated = _jpeg(_marked(800, 600), quality=90)
    with pytest.raises(ImageError, match="truncated"):
        decode_image(truncated[: len(truncated) // 2], name="half.jpg")
    with pytest.raises(ImageError, match="cannot read file"):
        decode_image(tmp_path / "missing.jpg")


def test_decompression_bomb_is_refused_before_allocating() -> None:
    # A PNG header claiming 50000 x 50000 RGB with a tiny IDAT.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")
    with pytest.raises(ImageError, match="decompression bomb"):
        decode_image(png, name="bomb.png")
    assert MAX_IMAGE_PIXELS < 50000 * 50000


@pytest.mark.corpus
def test_corpus_formats(corpus_dir: Path) -> None:
    sideways = decode_image(corpus_dir / "formats" / "exif_orientation6.jpg")
    assert sideways.image.height > sideways.image.width, "EXIF 6 must display portrait"
    for name in ("cmyk.jpg", "grayscale_L_two_people.png", "alpha_transparent_children.png", "einstein.webp"):
        assert decode_image(corpus_dir / "formats" / name).image.mode == "RGB", name
    for name in ("empty.jpg", "text_not_image.jpg", "bomb_50000x50000.png", "truncated_half.jpg"):
        with pytest.raises(ImageError) as info:
            decode_image(corpus_dir / "bad" / name)
        assert name in str(info.value) and "\n" not in str(info.value)
    chinese = decode_image(corpus_dir / "bad" / "人脸 照片 测试 01.jpg", max_side=512)
    assert max(chinese.image.size) <= 512


@pytest.mark.parametrize("size", [(1, 1), (3, 7), (1001, 13), (640, 480), (1000, 750)])
def test_rgb_array_is_numpys_view_of_the_pixels(size: tuple[int, int]) -> None:
    """The detectors' pixels: byte for byte ``np.asarray(img)`` (packed in one piece
    instead of 64 KB pieces), read-only and contiguous like it; other modes as numpy reads them."""
    width, height = size
    pixels = np.random.default_rng(width * height).integers(0, 256, (height, width, 3), dtype=np.uint8)
    img = Image.fromarray(pixels)
    expected = np.asarray(img, dtype=np.uint8)
    got = rgb_array(img)
    assert got.shape == expected.shape == (height, width, 3)
    assert got.dtype == np.uint8 and got.flags.c_contiguous
    assert got.flags.writeable == expected.flags.writeable
    assert got.tobytes() == expected.tobytes() == pixels.tobytes()
    grey = img.convert("L")
    assert np.array_equal(rgb_array(grey), np.asarray(grey))


def test_rgb_array_of_a_drafted_jpeg() -> None:
    buf = io.BytesIO()
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (600, 900, 3), dtype=np.uint8)).save(buf, "JPEG", quality=90)
    decoded = decode_image(buf.getvalue(), max_side=450)
    assert decoded.image.size == (450, 300) and decoded.dct_factor == 2
    assert rgb_array(decoded.image).tobytes() == np.asarray(decoded.image).tobytes()
