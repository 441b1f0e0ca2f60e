"""Profile names: one rule, shared by the settings file and the keyring entries."""

from __future__ import annotations

import re
from typing import Final

from facecurator.cloud.profile_messages import profile_text
from facecurator.errors import ConfigError

_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def validate_name(name: str) -> str:
    """A profile name: letters, digits, ``_ . -``; at most 64 characters."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigError(profile_text("name.invalid", name=repr(name)))
    return name
