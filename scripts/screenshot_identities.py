"""Screenshots of the Identities dock on a gallery with a wrong photo, a near-identical copy
and the same folder name in two sources (issue 14), in the real app under Xvfb.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_identities.py \\
        [--lang en|zh_CN] [--out identities.png]

The gallery is built from ../shared/corpus in a temporary folder, scanned with embeddings
(before the window opens), then the window opens it, the dock shows the folder with the
outlier, the outlier is compared side by side with a photo of the folder, and the screen
is saved. Then LOOK at the PNG.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from screenshot import grab, settle, wait_until  # noqa: E402


def build_gallery(corpus: Path, root: Path) -> Path:
    people = corpus / "people"
    gallery = root / "gallery"
    (gallery / "obama").mkdir(parents=True)
    (gallery / "kit").mkdir()
    for f in sorted((people / "obama").glob("*")):
        shutil.copy(f, gallery / "obama" / f.name)
    shutil.copy(people / "deepface_p03" / "img13.jpg", gallery / "obama" / "zz_wrong.jpg")
    for f in sorted((people / "kit_harington").glob("*")):
        shutil.copy(f, gallery / "kit" / f.name)
    shutil.copy(corpus / "multi" / "obama_and_biden.jpg", gallery / "obama" / "with_biden.jpg")
    return gallery


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", type=Path, default=Path("screenshot-identities.png"))
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="facecurator-identities-shot-"))
    for kind in ("DATA", "CONFIG", "CACHE"):
        os.environ[f"FACECURATOR_{kind}_DIR"] = str(scratch / kind.lower())
    gallery = build_gallery(args.corpus, scratch)

    from facecurator.detect.embed import FaceEmbedder
    from facecurator.detect.local import LocalDetector
    from facecurator.services.catalog import Catalog
    from facecurator.services.jobs import scan
    from facecurator.sources.local import LocalFolderSource

    catalog_path = scratch / "catalog.sqlite3"
    with Catalog(catalog_path) as catalog:
        report = scan(LocalFolderSource(gallery), LocalDetector(), catalog, jobs=2, embedder=FaceEmbedder())
    print(f"scanned {report.ok} images, embedded {report.embedded}")

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from facecurator.gui.i18n import install_translator
    from facecurator.gui.identities import open_identities
    from facecurator.gui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    install_translator(app, args.lang)
    window = MainWindow(Catalog(catalog_path), auto_scan=False)
    window.resize(1600, 1000)
    window.move(0, 0)
    window.show()
    try:
        if not window.open_source(str(gallery), scan=False):
            print("screenshot: the app could not open the gallery", file=sys.stderr)
            return 1
        wait_until(app, lambda: not window.store.busy, 120, "loading the catalog")
        dock = open_identities(window)
        panel = dock.panel
        wait_until(app, lambda: panel._found is not None and panel.persons.rowCount() > 0, 60, "the checks")
        window.resizeDocks([dock], [620], Qt.Orientation.Vertical)
        wait_until(app, lambda: panel.strip.count() > 0, 30, "the strip")
        ids = [int(panel.strip.item(i).data(0x0100)) for i in range(panel.strip.count())]
        wait_until(app, lambda: all(i in panel._crops for i in ids), 60, "the face crops")
        panel.strip.setCurrentRow(0)
        panel._add_to_compare(panel.strip.item(0))
        panel._add_to_compare(panel.strip.item(panel.strip.count() - 1))
        settle(app, 0.8)
        grab(app, window, args.out)
    except TimeoutError as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        grab(app, window, args.out.with_name(args.out.stem + "-timeout.png"))
        return 1
    finally:
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
