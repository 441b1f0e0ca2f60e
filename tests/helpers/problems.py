"""What the operator reads about failed images: the Problems dock's rows and a gallery tooltip."""

from __future__ import annotations

from pathlib import Path


def problem_texts(qtbot, catalog_path: Path, folder: Path) -> list[str]:
    """Open ``folder`` (already scanned into ``catalog_path``) in a real window, without a new
    scan; the Problems dock's rows and the gallery tooltip of every failed image."""
    from facecurator.gui.main_window import MainWindow
    from facecurator.services.catalog import Catalog

    catalog = Catalog(catalog_path)
    window = MainWindow(catalog, auto_scan=False)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.open_source(str(folder), scan=False)
        assert window.store.wait_until_idle()
        texts = [window.problems.list.item(r).text() for r in range(window.problems.list.count())]
        failed = [i for i in window.store.image_ids() if window.store.image(i).row.status == "error"]
        texts += [window.gallery_model._tooltip(image_id) for image_id in failed]
        return texts
    finally:
        window.shutdown()
        window.close()
        catalog.close()
