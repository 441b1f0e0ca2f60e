"""A folder holding every kind of bad entry a local scan must report (issue 20, item 8)."""

from __future__ import annotations

import os
from pathlib import Path


def make_image(path: Path, seed: int = 0, size: tuple[int, int] = (64, 48)) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, (seed % 256, (seed * 7) % 256, (seed * 13) % 256))
    img.save(path)


def bad_folder(root: Path) -> dict[str, str]:
    """A folder with one good image and every bad entry; returns {name: expected reason}."""
    make_image(root / "good.png")
    os.mkfifo(root / "a.jpg")
    (root / "loop.jpg").symlink_to("loop.jpg")
    (root / "gone.jpg").symlink_to("nowhere.jpg")
    (root / "person").mkdir()
    make_image(root / "person" / "p.png", seed=3)
    (root / "person" / "back").symlink_to("..")
    return {
        "a.jpg": "named pipe",
        "loop.jpg": "symbolic link loop",
        "gone.jpg": "dangling symbolic link",
        "person/back": "symbolic link loop",
    }
