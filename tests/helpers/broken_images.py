"""Broken image files as an operator meets them, made from a real photo, with the words Pillow
(and the codecs under it) says about each when the file is decoded."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

#: file name -> the words of Pillow's own that the stored reason holds for that file.
PILLOW_WORDS = {
    "cut_in_half.jpg": "image file is truncated (",  # "... (N bytes not processed)"
    "cut_in_half.png": "image file is truncated)",
    "garbage_in_scan.jpg": "broken data stream when reading image file",
    "cut_in_half.webp": "could not create decoder object",
    "garbage_in_strip.tif": "decoder error -2",
}


def _encoded(photo: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    photo.save(out, kind, **options)
    return out.getvalue()


def write_broken_images(photo_path: Path, folder: Path) -> list[Path]:
    """Write the files of :data:`PILLOW_WORDS` into ``folder`` (each broken the way its name says)."""
    photo = Image.open(photo_path).convert("RGB").resize((160, 160))
    jpeg = _encoded(photo, "JPEG", quality=90)
    scan = jpeg.index(b"\xff\xda")  # start of scan: the entropy-coded data follows
    garbage = bytearray(jpeg)
    garbage[scan + 100 : scan + 400] = bytes(range(256))  # stray markers mid-scan, 44 bytes lost
    png = _encoded(photo, "PNG")
    webp = _encoded(photo, "WEBP")
    tiff = bytearray(_encoded(photo, "TIFF", compression="tiff_deflate"))
    tiff[len(tiff) // 4 : len(tiff) // 4 + 16] = b"\xab" * 16  # inside the deflated strip
    files = {
        "cut_in_half.jpg": jpeg[: len(jpeg) // 2],
        "cut_in_half.png": png[: len(png) // 2],
        "garbage_in_scan.jpg": bytes(garbage),
        "cut_in_half.webp": webp[: len(webp) // 2],
        "garbage_in_strip.tif": bytes(tiff),
    }
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths
