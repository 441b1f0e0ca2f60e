"""A Find-bar filter whose ``assigned:`` term SQL can only answer with the verdicts stored
(``assigned:me or failed:no_sunglasses``), typed while they are not: the grids' rebuild
used to raise its FilterError; the Find bar now says why the filter is not applied
(en + zh_CN), and once the verdicts are stored the filter applies and the message goes."""

from __future__ import annotations

from pathlib import Path

from facecurator.services import browse
from facecurator.services.catalog import Catalog

EXPRESSION = "assigned:me or failed:no_sunglasses"



def test_a_filter_sql_cannot_answer_yet_is_shown_in_the_find_bar(
    qtbot, opened_window, catalog_path: Path, ui_language: str
) -> None:
    window = opened_window
    bar = window.filter_bar
    with Catalog(catalog_path) as other:  # as before the verdicts of the rule set are stored
        other._db.execute("DELETE FROM verdicts")
        other._db.commit()
    shown = window.gallery_model.rowCount()
    bar.edit.setText(EXPRESSION)
    bar.apply()  # raised FilterError from the grid's rebuild before
    assert not bar.error_label.isHidden()
    text = bar.error_label.text()
    if ui_language == "en":
        assert text.startswith("Filter not applied:") and "'assigned:me'" in text, text
    else:
        assert "assigned:me" in text and "Filter not applied" not in text and "筛选" in text, text
    assert window.gallery_model.rowCount() == shown  # not applied: the grid shows what it showed
    # once the verdicts are stored, the filter applies and the message goes
    with Catalog(catalog_path) as other:
        assert browse.fill_verdicts(other, window.store.ruleset)
    bar.apply(force=True)
    assert bar.error_label.isHidden()
    mine_or_sunglasses = window.gallery_model.rowCount()
    assert mine_or_sunglasses < shown  # applied: only images with a face in sunglasses (none is mine)
