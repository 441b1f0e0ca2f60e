"""Where things live: user data/config/cache directories and bundled resources.

Resources (rule presets, icons, translations) are read through
:func:`resource_path` only, so development checkouts, installed wheels and the
PyInstaller bundle share one code path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

APP_NAME: Final = "facecurator"

#: Environment overrides (tests and portable installs).
ENV_DATA_DIR: Final = "FACECURATOR_DATA_DIR"
ENV_CONFIG_DIR: Final = "FACECURATOR_CONFIG_DIR"
ENV_CACHE_DIR: Final = "FACECURATOR_CACHE_DIR"


def _user_dir(env: str, kind: str) -> Path:
    override = os.environ.get(env)
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(getattr(platformdirs, f"user_{kind}_dir")(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    return _user_dir(ENV_DATA_DIR, "data")


def config_dir() -> Path:
    return _user_dir(ENV_CONFIG_DIR, "config")


def cache_dir() -> Path:
    return _user_dir(ENV_CACHE_DIR, "cache")


def default_catalog_path() -> Path:
    return data_dir() / "catalog.sqlite3"


def resources_dir() -> Path:
    """The ``resources/`` tree: beside the package in a checkout or wheel, or in the bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "facecurator" / "resources"
    package = Path(__file__).resolve().parent
    installed = package / "resources"  # wheel: mapped in as facecurator.resources
    return installed if installed.is_dir() else package.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
