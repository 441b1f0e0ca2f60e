"""What every command shares: the contract's exit statuses, the JSON printer and
the desktop hooks (the CLI never imports the GUI; :mod:`facecurator.launcher` hands
them in)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
#: Ctrl-C (128 + SIGINT), as shells report it
EXIT_INTERRUPTED = 130


def print_json(data: Any) -> None:
    """One JSON document on stdout (UTF-8 kept readable), flushed."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class Desktop:
    """The desktop app as the CLI sees it.

    Attributes:
        open_app: ``open_app(source, catalog) -> exit status`` runs the app.
        check_qt: the self-test's Qt check (a one-line detail; raises when Qt cannot start).
    """

    open_app: Callable[[str | None, str | None], int]
    check_qt: Callable[[], str]


def no_desktop() -> str:
    raise RuntimeError("the desktop app is not part of this entry point (run the `facecurator` command)")


CATALOG_HELP = (
    "catalog: a SQLite file, or a team's postgresql://user@host/db (password from the keyring or "
    "~/.pgpass, never here); default: the profile's catalog, else the per-user data dir"
)


def catalog_target(args: Any) -> str | None:
    """Where a command's catalog is: ``--catalog``, else the profile's ``catalog`` setting
    (``--profile`` or ``$FACECURATOR_PROFILE``), else None (the per-user default file)."""
    if getattr(args, "catalog", None):
        return str(args.catalog)
    import os

    from facecurator.cloud.profiles import PROFILE_ENV, load_profile, profile_exists

    name = getattr(args, "profile", None) or os.environ.get(PROFILE_ENV, "").strip() or None
    if name is None or not profile_exists(name):
        if name is not None and getattr(args, "profile", None):
            load_profile(name)  # a named profile that does not exist: its error
        return None
    return load_profile(name).catalog
