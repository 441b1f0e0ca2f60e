"""Which file names are images the app reads (by extension), without importing Pillow.

A folder's listing and the scan's queue sort names with it; the window's start imports
them, and Pillow (~10 ms of CPU, imported by :mod:`facecurator.domain.images`) is only
needed once an image is decoded (a thumbnail, a scan), which happens on workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

SUPPORTED_EXTENSIONS: Final = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".heic", ".heif"}
)


def is_supported_name(name: str) -> bool:
    return Path(name).suffix.lower() in SUPPORTED_EXTENSIONS
