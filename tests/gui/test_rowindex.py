"""RowIndex: the dict (short lists) and NumPy (long lists) indexes answer alike."""

from __future__ import annotations

import pytest

from facecurator.gui import rowindex
from facecurator.gui.rowindex import RowIndex


@pytest.mark.parametrize("dict_max", [rowindex.DICT_MAX, 0], ids=["dict", "numpy"])
def test_rows_of_ids_in_either_index(monkeypatch: pytest.MonkeyPatch, dict_max: int) -> None:
    monkeypatch.setattr(rowindex, "DICT_MAX", dict_max)
    monkeypatch.setattr(rowindex, "DICT_MAX_WITHOUT_NUMPY", dict_max)  # "numpy": NumPy whatever is imported
    ids = [50, 7, 900, 3, 12]
    index = RowIndex(ids)
    assert [index.get(i) for i in ids] == [0, 1, 2, 3, 4]
    assert index.get(8) is None and index.get(8, -1) == -1 and 8 not in index
    assert index[900] == 2
    with pytest.raises(KeyError):
        index[1]
    many = [*range(100, 0, -1), 4000]
    assert index.known(many) == [50, 12, 7, 3]  # vectorised path (64+ keys), in the order given
    assert index.known([3, 4, 50]) == [3, 50]
    ids.append(77)  # a row appended after the index was built
    index[77] = 5
    assert index.get(77) == 5 and index.known([77, 78] * 40) == [77] * 40


def test_a_short_list_is_indexed_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder's first listed screenful is indexed on the GUI thread: no NumPy import there."""
    import builtins

    real_import = builtins.__import__

    def no_numpy(name: str, *args: object, **kwargs: object) -> object:
        if name == "numpy":
            raise AssertionError("NumPy imported for a short list")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    index = RowIndex(list(range(256, 0, -1)))
    assert index.get(1) == 255 and index.known(list(range(300))) == list(range(1, 257))


def test_a_gallery_listing_is_indexed_without_importing_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """While NumPy is not imported, a list of up to DICT_MAX_WITHOUT_NUMPY ids (a 100 000-image
    gallery's listing) is indexed by a dict: the gallery shows without waiting for NumPy."""
    import sys

    from facecurator.gui import rowindex

    monkeypatch.setitem(sys.modules, "numpy", None)  # not imported (importing it now raises)
    ids = list(range(rowindex.DICT_MAX_WITHOUT_NUMPY, 0, -1))
    index = RowIndex(ids).built()
    assert index.get(ids[0]) == 0 and index.get(1) == len(ids) - 1 and index.get(0) is None
    assert index.known([5, -1, 7] * 30) == [5, 7] * 30


def test_a_compact_id_array_and_a_long_list_index_alike(monkeypatch) -> None:
    """RowIndex over an ``array('q')`` (the store's face lists) or over a list converted a
    chunk at a time finds every row."""
    from array import array

    monkeypatch.setattr(rowindex, "DICT_MAX", 10)
    monkeypatch.setattr(rowindex, "CONVERT_CHUNK", 7)
    ids = [(i * 7919) % 100_003 for i in range(1000)]
    for seq in (ids, array("q", ids)):
        index = rowindex.RowIndex(seq).built()
        assert [index.get(i) for i in ids] == list(range(1000))
        assert index.get(-5) is None and index.known([ids[3], -1, ids[999]]) == [ids[3], ids[999]]
