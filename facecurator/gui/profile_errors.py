"""The cloud profiles' error templates (:mod:`facecurator.cloud.profile_messages`) marked for translation.

:mod:`facecurator.gui.core_errors` renders them (context ``CoreMessages``); a test checks this list
matches ``PROFILE_MESSAGES``.
"""

from __future__ import annotations

from typing import Final

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: Every template of ``facecurator.cloud.profile_messages.PROFILE_MESSAGES``.
_PROFILE_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "invalid profile name {name}: use letters, digits, '_', '.', '-' (at most 64, "
        "starting with a letter or digit)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "profile {name} ({setting})"),
    QT_TRANSLATE_NOOP("CoreMessages", "endpoint"),
    QT_TRANSLATE_NOOP("CoreMessages", "profile {name}: {setting} must be a string, not {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "profile {name}: invalid region {value} (e.g. cn-hangzhou)"),
    QT_TRANSLATE_NOOP("CoreMessages", "profile {name}: invalid bucket name {value}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "profile {name}: the catalog URL holds a password; remove it and store it with "
        "`facecurator catalog password URL` (the OS keyring) or in ~/.pgpass",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "profile {name}: empty IMM project name"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: empty endpoint"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: endpoint {value} contains whitespace"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: endpoint {value} must use https:// or http://"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: endpoint {value} has no host"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: endpoint {value} must not contain a user name or password"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: endpoint {value} must be scheme://host[:port] without a path"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: endpoint {value} has an invalid port"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what} must be a table of NAME = number"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: invalid service name {key}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: {key} must be a number, not {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: {key} must be a finite number > 0, not {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{what}: {key} must be a finite number >= 0, not {value}"),
    QT_TRANSLATE_NOOP("CoreMessages", "unknown cloud service {service} (one of {services})"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: [profiles.{name}] must be a table"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: profile {name} has a key {key} that looks like a secret; secrets belong "
        "in the OS keyring: remove it and run `facecurator credentials set --profile {name}`",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: profile {name}: unknown setting {key} (known: {known})"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: profile {name}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read {path}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: not valid TOML: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: schema_version {version} was written by a newer facecurator"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "{path}: key {key} looks like a secret; secrets belong in the OS keyring"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: unknown top-level key {key}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: 'profiles' must be a table"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot write {path}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "refusing to write a profile that contains a credential secret"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "no profile named {name} (existing: {existing}); create it with `facecurator profile set {bare}`",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "no profile named {name} (existing: {existing})"),
    QT_TRANSLATE_NOOP("CoreMessages", "none"),
)
PROFILE_TEMPLATES: Final = frozenset(_PROFILE_TEMPLATES)
