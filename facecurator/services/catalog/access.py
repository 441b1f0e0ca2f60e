"""What the catalog's mixins use of :class:`~facecurator.services.catalog.database.Catalog`.

:class:`Catalog` is written in parts (the detection cache, settings and counters,
...), each a mixin over this surface: the file, a read and a write context
(the connection, errors named after the file, one commit per write).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from facecurator.services.catalog.dialect import Dialect


class CatalogAccess:
    """The connection surface every catalog part uses; :class:`Catalog` implements it."""

    path: Path
    dialect: Dialect

    def _reading(self, what: str) -> contextlib.AbstractContextManager[Any]:
        """The connection (a dialect.Connection) for reads; database errors become
        ``CatalogError("<path>: cannot read <what>")``."""
        raise NotImplementedError  # Catalog's

    def _write(self, what: str, *, exclusive: bool = True) -> contextlib.AbstractContextManager[Any]:
        """A write transaction (committed on exit, rolled back on an error)."""
        raise NotImplementedError  # Catalog's
