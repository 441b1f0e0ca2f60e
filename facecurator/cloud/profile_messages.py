"""The cloud profiles' user-visible errors (``profiles.toml``, a profile's fields, its name):
English templates by message id (one owner; the GUI shows them translated through
:mod:`facecurator.gui.core_errors`)."""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.messages import Messages

PROFILE_MESSAGES: Final = {
    "name.invalid": (
        "invalid profile name {name}: use letters, digits, '_', '.', '-' (at most 64, starting with a "
        "letter or digit)"
    ),
    # which setting a problem is about ({what} below)
    "what.setting": "profile {name} ({setting})",
    "what.endpoint": "endpoint",
    "field.not_text": "profile {name}: {setting} must be a string, not {value}",
    "field.region": "profile {name}: invalid region {value} (e.g. cn-hangzhou)",
    "field.bucket": "profile {name}: invalid bucket name {value}",
    "field.catalog_password": (
        "profile {name}: the catalog URL holds a password; remove it and store it with "
        "`facecurator catalog password URL` (the OS keyring) or in ~/.pgpass"
    ),
    "field.empty_project": "profile {name}: empty IMM project name",
    "endpoint.empty": "{what}: empty endpoint",
    "endpoint.space": "{what}: endpoint {value} contains whitespace",
    "endpoint.scheme": "{what}: endpoint {value} must use https:// or http://",
    "endpoint.no_host": "{what}: endpoint {value} has no host",
    "endpoint.user": "{what}: endpoint {value} must not contain a user name or password",
    "endpoint.path": "{what}: endpoint {value} must be scheme://host[:port] without a path",
    "endpoint.port": "{what}: endpoint {value} has an invalid port",
    "numbers.table": "{what} must be a table of NAME = number",
    "numbers.key": "{what}: invalid service name {key}",
    "numbers.not_number": "{what}: {key} must be a number, not {value}",
    "numbers.positive": "{what}: {key} must be a finite number > 0, not {value}",
    "numbers.not_negative": "{what}: {key} must be a finite number >= 0, not {value}",
    "service.unknown": "unknown cloud service {service} (one of {services})",
    "table.not_table": "{path}: [profiles.{name}] must be a table",
    "table.secret_key": (
        "{path}: profile {name} has a key {key} that looks like a secret; secrets belong in the OS "
        "keyring: remove it and run `facecurator credentials set --profile {name}`"
    ),
    "table.unknown_key": "{path}: profile {name}: unknown setting {key} (known: {known})",
    "table.bad_value": "{path}: profile {name}: {detail}",
    "file.unreadable": "cannot read {path}: {detail}",
    "file.invalid_toml": "{path}: not valid TOML: {detail}",
    "file.newer": "{path}: schema_version {version} was written by a newer facecurator",
    "file.secret_key": "{path}: key {key} looks like a secret; secrets belong in the OS keyring",
    "file.unknown_key": "{path}: unknown top-level key {key}",
    "file.profiles_table": "{path}: 'profiles' must be a table",
    "file.unwritable": "cannot write {path}: {detail}",
    "save.secret": "refusing to write a profile that contains a credential secret",
    "profile.none_create": (
        "no profile named {name} (existing: {existing}); create it with `facecurator profile set {bare}`"
    ),
    "profile.none": "no profile named {name} (existing: {existing})",
    "profile.no_others": "none",
}
#: Params that hold another message (or an operating system's text).
NESTED_PARAMS: Final = frozenset({"what", "detail", "existing"})
PROFILES: Final = Messages(PROFILE_MESSAGES)


def profile_text(message_id: str, **params: Any) -> str:
    """The English text of the profile message ``message_id`` with ``params``."""
    return PROFILES.text(message_id, **params)
