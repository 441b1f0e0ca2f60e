"""A damaged catalog in the app: the error dialog names it and restores the last good backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog
from helpers.damage import garbage_index_page

from facecurator.errors import CatalogDamagedError
from facecurator.gui.catalog_repair import CatalogRepairDialog
from facecurator.services.catalog import Catalog


def _damaged(tmp_path: Path, *, with_backup: bool) -> tuple[Path, CatalogDamagedError]:
    path = tmp_path / "catalog.sqlite3"
    seed_catalog(path, "/virtual", n_images=3000, faces_per_image=1, varied=False)
    with Catalog(path) as catalog:
        if with_backup:
            catalog.prepare_bulk_change()  # the verified backup a bulk change takes
        faces = [row.id for row in catalog.faces()][:10]
        catalog.decide(faces, "accepted", reason="after the backup")
    garbage_index_page(path)
    with pytest.raises(CatalogDamagedError) as caught:
        Catalog(path)
    return path, caught.value


def test_the_dialog_restores_the_backup_and_the_decisions_made_since(qtbot, tmp_path: Path) -> None:
    path, error = _damaged(tmp_path, with_backup=True)
    dialog = CatalogRepairDialog(error, path)
    qtbot.addWidget(dialog)
    assert str(path) in dialog.summary.text()
    assert "damaged" in dialog.details.toPlainText()
    assert dialog.restore_button.isEnabled()
    assert "0 decisions" in dialog.backup_label.text()
    dialog.restore_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.report is not None and dialog.report.reapplied == 10
    assert "10" in dialog.result_text()
    with Catalog(path) as catalog:
        assert catalog.face_counts()["accepted"] == 10
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_without_a_backup_the_dialog_only_quits(qtbot, tmp_path: Path) -> None:
    path, error = _damaged(tmp_path, with_backup=False)
    dialog = CatalogRepairDialog(error, path)
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert "no backup" in dialog.backup_label.text()
    dialog.quit_button.click()
    assert dialog.result() == dialog.DialogCode.Rejected
