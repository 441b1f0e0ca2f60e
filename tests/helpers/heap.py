"""A test process's heap made like the app's for event-loop timing tests.

The app freezes what its start built (``gc.freeze()`` in ``run_gui``), so a full
collection triggered while a big source opens walks only what was made since. A test
process instead carries every earlier test's objects: a full collection over them,
triggered on any thread while the window opens 100 000 faces, stalls the event loop by
100-200 ms that the app would not have. :func:`app_like_heap` collects and freezes them
as the app's start does, and thaws them afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def app_like_heap() -> Iterator[None]:
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
