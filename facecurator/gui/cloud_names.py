"""Qt-free helpers the source chooser, the OSS browser and the profiles dialog share."""

from __future__ import annotations

import logging
import os

from facecurator.errors import FacecuratorError

log = logging.getLogger("facecurator.gui.oss")


def oss_source_text(bucket: str, prefix: str) -> str:
    bucket = bucket.strip().strip("/")
    prefix = prefix.strip().lstrip("/")
    return f"oss://{bucket}/{prefix}" if prefix else f"oss://{bucket}/"


def profile_names() -> list[str]:
    """Saved profiles plus ``default`` (which works unsaved with the public endpoints)."""
    from facecurator.cloud.profiles import DEFAULT_PROFILE, list_profiles

    try:
        names = list_profiles()
    except FacecuratorError as exc:
        log.warning("cannot list cloud profiles: %s", exc)
        names = []
    return names if DEFAULT_PROFILE in names else [DEFAULT_PROFILE, *names]


def default_profile_name() -> str:
    from facecurator.cloud.profiles import DEFAULT_PROFILE, PROFILE_ENV

    return os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
