"""A listed folder's order comes from the catalog (stored natural keys, SQL), never from a sort
of the whole listing on the GUI thread: what stalled the event loop ~100 ms at 10 000 photos."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog

from facecurator.domain.filters import natural_key
from facecurator.domain.protocols import ImageRef
from facecurator.gui import gallery
from facecurator.services.catalog import queries as q


def test_a_listed_folder_is_ordered_in_sql_not_sorted_on_the_gui_thread(
    qtbot, make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "g"
    root.mkdir()
    seed_catalog(tmp_path / "c.sqlite3", root, 12, 1)
    window = make_window(tmp_path / "c.sqlite3")
    store, model = window.store, window.gallery_model
    with store.force_sync():
        window.open_source(str(root), scan=False)
    assert model.rowCount() == 12

    gui_thread = threading.get_ident()
    on_gui: list[tuple[str, int]] = []  # (what, how many images' names) read on the GUI thread

    def spy(name: str, real, count):
        def wrapper(*args, **kwargs):
            if threading.get_ident() == gui_thread:
                on_gui.append((name, count(*args)))
            return real(*args, **kwargs)

        return wrapper

    # A scan lists a new sub-folder of many more images than are inserted one by one.
    many = gallery.INSERT_ONE_BY_ONE + 300
    refs = [
        ImageRef(uri=f"{root}/new/x{i}.jpg", name=f"new/x{i}.jpg", group="new", size=1, mtime_ns=i)
        for i in range(many)
    ]
    listed = store.catalog.record_listed(refs, source_root=str(root))
    with monkeypatch.context() as spies:
        spies.setattr(q, "image_names", spy("image_names", q.image_names, lambda _c, ids: len(ids)))
        spies.setattr(q, "order_keys", spy("order_keys", q.order_keys, lambda _c, _s, ids: len(ids)))
        store.add_listed(str(root), listed)
        # and one more image before that list is read back: placed after it, not lost
        late = ImageRef(uri=f"{root}/new/x5a.jpg", name="new/x5a.jpg", group="new", size=1, mtime_ns=1)
        store.add_listed(str(root), store.catalog.record_listed([late], source_root=str(root)))
        many += 1
        qtbot.waitUntil(lambda: model.rowCount() == 12 + many, timeout=30_000)
    names = [store.image(i).row.name for i in model.ids()]
    assert names == sorted(names, key=natural_key)  # x2 before x10: natural, from SQL
    assert names.index("new/x2.jpg") < names.index("new/x10.jpg")
    assert names.index("new/x5a.jpg") == names.index("new/x5.jpg") + 1
    # The GUI thread read no name of the listing to order it (SQL did, on the query worker):
    # only the late image's key and the few rows its binary search probed (log2 of ~500).
    assert sum(n for _what, n in on_gui) <= 12, on_gui

    # A few more (one by one): each takes its natural place, read by stored keys.
    more = [
        ImageRef(uri=f"{root}/new/x{i}b.jpg", name=f"new/x{i}b.jpg", group="new", size=1, mtime_ns=1)
        for i in (3, 40)
    ]
    store.add_listed(str(root), store.catalog.record_listed(more, source_root=str(root)))
    qtbot.waitUntil(lambda: model.rowCount() == 14 + many, timeout=30_000)
    names = [store.image(i).row.name for i in model.ids()]
    assert names == sorted(names, key=natural_key)
    assert names.index("new/x3b.jpg") == names.index("new/x3.jpg") + 1
