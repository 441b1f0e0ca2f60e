"""AccessKey credentials: in the OS keyring, or in the environment — nowhere else.

Keyring layout (service ``facecurator``), one item per value so no single item
exceeds the small size limits of some backends and each can be inspected with
the platform's own tools::

    <profile>:access_key_id
    <profile>:access_key_secret
    <profile>:security_token        (only when an STS token was stored)

On Linux this is the Secret Service (GNOME Keyring, KeePassXC, KWallet), e.g.
``secret-tool lookup service facecurator username default:access_key_secret``.

``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` /
``ALIBABA_CLOUD_SECURITY_TOKEN`` override the keyring for every profile when set.

Every secret that passes through here is registered with
:mod:`facecurator.cloud.redact`, so it is masked in logs and error text from
then on. Nothing in this module puts a secret into an exception message.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from facecurator.cloud import redact
from facecurator.cloud.names import validate_name
from facecurator.errors import ConfigError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger("facecurator.cloud.credentials")

KEYRING_SERVICE: Final = "facecurator"
ENV_ACCESS_KEY_ID: Final = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET: Final = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_SECURITY_TOKEN: Final = "ALIBABA_CLOUD_SECURITY_TOKEN"

FIELD_ID: Final = "access_key_id"
FIELD_SECRET: Final = "access_key_secret"
FIELD_TOKEN: Final = "security_token"
_FIELDS: Final = (FIELD_ID, FIELD_SECRET, FIELD_TOKEN)


def mask(secret: str, *, visible: int = 4) -> str:
    """``LTAI5tAbCdEfGh12abcd`` -> ``LTAI****abcd``; anything shorter than 3×``visible`` -> ``****``.

    For identifiers such as the AccessKey ID. Secrets and tokens are shown as
    :data:`redact.MASK` (``****``) only — never partially.
    """
    if not secret or len(secret) < 3 * visible:
        return redact.MASK
    return f"{secret[:visible]}{redact.MASK}{secret[-visible:]}"


@dataclass(frozen=True)
class Credentials:
    """An AccessKey pair (plus optional STS token) and where it was found (``env`` or ``keyring``).

    ``repr()`` and ``str()`` never show the secret or the token.
    """

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    source: str = field(default="keyring", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.access_key_id, str) or not self.access_key_id.strip():
            raise ConfigError("the AccessKey ID is empty")
        if any(ch.isspace() or not ch.isprintable() for ch in self.access_key_id):
            raise ConfigError("the AccessKey ID contains spaces or control characters")
        if not isinstance(self.access_key_secret, str) or not self.access_key_secret:
            raise ConfigError("the AccessKey secret is empty")
        if any(ch in "\r\n\0" for ch in self.access_key_secret):
            raise ConfigError("the AccessKey secret contains a line break or NUL character")
        if self.security_token is not None and (
            not self.security_token or any(ch in "\r\n\0" for ch in self.security_token)
        ):
            raise ConfigError("the STS security token is empty or contains a line break")
        redact.register_secret(self.access_key_secret)
        redact.register_secret(self.security_token)

    def __repr__(self) -> str:
        token = redact.MASK if self.security_token else None
        return (
            f"Credentials(access_key_id={mask(self.access_key_id)!r}, access_key_secret={redact.MASK!r}, "
            f"security_token={token!r}, source={self.source!r})"
        )

    __str__ = __repr__

    @property
    def masked_id(self) -> str:
        return mask(self.access_key_id)


# -- keyring access -----------------------------------------------------------------


def _no_backend_message(detail: str = "") -> str:
    if sys.platform.startswith("linux"):
        hint = (
            "install and start a Secret Service in your session (e.g. `apt install gnome-keyring` and log in "
            "to a desktop, or KeePassXC with Secret Service integration)"
        )
    elif sys.platform == "darwin":
        hint = "make sure the login Keychain is available"
    elif sys.platform == "win32":
        hint = "make sure Windows Credential Manager is available"
    else:
        hint = "install a keyring backend supported by the Python 'keyring' package"
    detail = f" ({detail})" if detail else ""
    return (
        f"no usable OS keyring{detail}: {hint}, or set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} "
        "in the environment instead"
    )


def keyring_backend() -> KeyringBackend:
    """The OS keyring backend, or :class:`ConfigError` when none is usable.

    "Unusable" is keyring's ``fail`` backend, the ``null`` backend (which would
    silently drop secrets) and a chainer with nothing to chain.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:  # pragma: no cover - keyring is a hard dependency
        raise ConfigError(_no_backend_message("the Python package 'keyring' is not installed")) from None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a broken keyring configuration of any kind
        raise ConfigError(_no_backend_message(redact.redact_exception(exc))) from None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        raise ConfigError(_no_backend_message(f"backend {type(backend).__module__}"))
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        raise ConfigError(_no_backend_message("no backend to chain"))
    return backend


def keyring_description() -> str:
    """Human name of the keyring in use (for ``credentials show``), or the reason there is none."""
    try:
        backend = keyring_backend()
    except ConfigError as exc:
        return str(exc)
    name = getattr(backend, "name", None) or type(backend).__name__
    return f"{name} ({type(backend).__module__})"


def _username(profile: str, item: str) -> str:
    return f"{profile}:{item}"


def _keyring_error(action: str, profile: str, exc: BaseException) -> ConfigError:
    from keyring.errors import KeyringLocked

    if isinstance(exc, KeyringLocked):
        return ConfigError(
            f"the OS keyring is locked: unlock it and retry ({action} credentials of profile {profile})"
        )
    reason = redact.redact_exception(exc)
    return ConfigError(
        f"cannot {action} credentials of profile {profile} in the OS keyring: {reason} (is the keyring "
        f"unlocked, with a default collection? or set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET})"
    )


def _get(backend: KeyringBackend, profile: str, item: str) -> str | None:
    try:
        return backend.get_password(KEYRING_SERVICE, _username(profile, item))
    except Exception as exc:  # noqa: BLE001 - every backend raises its own types
        raise _keyring_error("read", profile, exc) from None


def _delete(backend: KeyringBackend, profile: str, item: str) -> bool:
    from keyring.errors import PasswordDeleteError

    username = _username(profile, item)
    try:
        if backend.get_password(KEYRING_SERVICE, username) is None:
            return False
        backend.delete_password(KEYRING_SERVICE, username)
    except PasswordDeleteError:
        return False
    except Exception as exc:  # noqa: BLE001
        raise _keyring_error("delete", profile, exc) from None
    return True


def _env_credentials() -> Credentials | None:
    key_id = os.environ.get(ENV_ACCESS_KEY_ID, "").strip()
    secret = os.environ.get(ENV_ACCESS_KEY_SECRET, "").strip()
    token = os.environ.get(ENV_SECURITY_TOKEN, "").strip() or None
    redact.register_secret(secret)
    redact.register_secret(token)
    if not key_id and not secret:
        return None
    if not key_id:
        raise ConfigError(f"{ENV_ACCESS_KEY_SECRET} is set but {ENV_ACCESS_KEY_ID} is not")
    if not secret:
        raise ConfigError(f"{ENV_ACCESS_KEY_ID} is set but {ENV_ACCESS_KEY_SECRET} is not")
    return Credentials(key_id, secret, token, source="env")


def env_overrides() -> bool:
    """True when the ``ALIBABA_CLOUD_*`` variables are set and take precedence over the keyring."""
    return bool(
        os.environ.get(ENV_ACCESS_KEY_ID, "").strip() or os.environ.get(ENV_ACCESS_KEY_SECRET, "").strip()
    )


def keyring_credentials(profile: str) -> Credentials | None:
    """The credentials stored in the keyring for ``profile`` (ignoring the environment), or None."""
    validate_name(profile)
    backend = keyring_backend()
    secret = _get(backend, profile, FIELD_SECRET)
    redact.register_secret(secret)
    token = _get(backend, profile, FIELD_TOKEN)
    redact.register_secret(token)
    key_id = _get(backend, profile, FIELD_ID)
    if key_id is None and secret is None:
        return None
    if key_id is None or secret is None:
        missing = "AccessKey ID" if key_id is None else "AccessKey secret"
        raise ConfigError(
            f"incomplete credentials for profile {profile}: the keyring lacks the {missing}; "
            f"run `facecurator credentials set --profile {profile}` again"
        )
    return Credentials(key_id, secret, token or None, source="keyring")


def resolve_credentials(profile: str) -> Credentials:
    """The credentials to use for ``profile``: the environment first, then the keyring.

    Raises:
        ConfigError: none found, incomplete, or (with no environment variables) no usable keyring.
    """
    validate_name(profile)
    from_env = _env_credentials()
    if from_env is not None:
        return from_env
    creds = keyring_credentials(profile)
    if creds is None:
        raise ConfigError(
            f"no credentials for profile {profile}: run `facecurator credentials set --profile {profile}` "
            f"(or set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET})"
        )
    return creds


def has_credentials(profile: str) -> bool:
    """True when :func:`resolve_credentials` would succeed (environment or keyring)."""
    try:
        resolve_credentials(profile)
    except ConfigError:
        return False
    return True


def store_credentials(profile: str, creds: Credentials) -> None:
    """Save ``creds`` for ``profile`` in the OS keyring, replacing what was there.

    The secret is written first and the ID last, so an interrupted update never
    pairs a new ID with an old secret unnoticed (a missing half is reported as
    incomplete). A stale STS token is removed when ``creds`` has none.
    """
    validate_name(profile)
    backend = keyring_backend()
    redact.register_secret(creds.access_key_secret)
    redact.register_secret(creds.security_token)
    try:
        backend.set_password(KEYRING_SERVICE, _username(profile, FIELD_SECRET), creds.access_key_secret)
        if creds.security_token:
            backend.set_password(KEYRING_SERVICE, _username(profile, FIELD_TOKEN), creds.security_token)
        backend.set_password(KEYRING_SERVICE, _username(profile, FIELD_ID), creds.access_key_id)
    except Exception as exc:  # noqa: BLE001 - every backend raises its own types
        raise _keyring_error("store", profile, exc) from None
    if not creds.security_token:
        _delete(backend, profile, FIELD_TOKEN)
    log.info(
        "stored credentials %s for profile %s in %s",
        mask(creds.access_key_id),
        profile,
        type(backend).__module__,
    )


def delete_credentials(profile: str, *, missing_ok: bool = True) -> bool:
    """Remove every keyring item of ``profile``; returns whether anything was removed.

    Raises:
        ConfigError: no usable keyring, or nothing stored and ``missing_ok`` is False.
    """
    validate_name(profile)
    backend = keyring_backend()
    removed = [_delete(backend, profile, item) for item in _FIELDS]
    if not any(removed) and not missing_ok:
        raise ConfigError(f"no credentials stored for profile {profile}")
    return any(removed)
