"""Render resources/icons/facecurator.svg to the PNG and .ico files the app and bundles use.

    python packaging/make_icons.py          # PNGs 16..256 and facecurator.ico
    python packaging/make_icons.py --icns   # also facecurator.icns (for a macOS build)

The SVG is the source; the PNGs and the .ico are committed (about 60 KB) so
neither the app nor a bundle build needs this script. The .icns (about 250 KB)
is made on demand, before a macOS build. Uses QtSvg (PySide6-Essentials) for the PNGs
and Pillow for the Windows .ico and the macOS .icns.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICON_DIR / "facecurator.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_pngs() -> list[Path]:
    """``facecurator-<size>.png`` for every size in :data:`PNG_SIZES`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - keeps Qt alive
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    written = []
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = ICON_DIR / f"facecurator-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"cannot write {path}")
        written.append(path)
    return written


def write_ico() -> Path:
    """``facecurator.ico``: the Windows executable's and window's icon."""
    from PIL import Image

    largest = Image.open(ICON_DIR / "facecurator-256.png").convert("RGBA")
    ico = ICON_DIR / "facecurator.ico"
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    return ico


def write_icns() -> Path:
    """``facecurator.icns``: the macOS .app icon (Pillow fills the sizes above 256 by scaling)."""
    from PIL import Image

    icns = ICON_DIR / "facecurator.icns"
    Image.open(ICON_DIR / "facecurator-256.png").convert("RGBA").save(icns, format="ICNS")
    return icns


def main(argv: list[str]) -> int:
    written = [*render_pngs(), write_ico()]
    if "--icns" in argv:
        written.append(write_icns())
    for path in written:
        print(f"{path.relative_to(ICON_DIR.parent.parent)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
