"""Named cloud profiles: the non-secret half of an Alibaba Cloud account setup.

A profile says *where* to talk to (region, per-service endpoint overrides, the
default bucket and IMM project) and *how fast / at what price* (QPS caps and
prices per 1 000 calls). The secret half lives in the OS keyring
(:mod:`facecurator.cloud.credentials`), keyed by the profile name.

File: ``paths.config_dir() / "profiles.toml"``::

    schema_version = 1

    [profiles.default]
    region = "cn-hangzhou"
    bucket = "my-gallery"

    [profiles.test]
    region = "cn-shanghai"
    oss_endpoint = "http://127.0.0.1:9000"
    qps = { green = 5.0 }
    prices = { faceDetect_global = 0.6 }

The file is rewritten atomically and never holds a secret: keys that look like
credentials are refused both when reading and when writing.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from facecurator import paths
from facecurator.cloud import credentials
from facecurator.cloud.names import validate_name
from facecurator.cloud.profile_messages import profile_text as _text
from facecurator.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

log = logging.getLogger("facecurator.cloud.profiles")

Service = Literal["oss", "imm", "green"]

DEFAULT_PROFILE: Final = "default"
DEFAULT_REGION: Final = "cn-hangzhou"
SCHEMA_VERSION: Final = 1
PROFILE_ENV: Final = "FACECURATOR_PROFILE"
FILE_NAME: Final = "profiles.toml"

SERVICES: Final[tuple[Service, ...]] = ("oss", "imm", "green")

#: Public endpoints per service; ``{region}`` is the profile's region.
_DEFAULT_HOSTS: Final[dict[str, str]] = {
    "oss": "oss-{region}.aliyuncs.com",
    "imm": "imm.{region}.aliyuncs.com",
    "green": "green-cip.{region}.aliyuncs.com",
}

_REGION_RE: Final = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
_KEY_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_BUCKET_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_URL_PASSWORD: Final = re.compile(r"://[^/?#@:]*:[^/?#@]*@")
_SECRET_WORDS: Final = re.compile(r"(?i)(secret|password|passwd|token|credential|access_?key|^ak$|^sk$)")


@dataclass(frozen=True)
class Profile:
    """Non-secret settings of one account / environment.

    ``qps`` caps requests per second per service (keys as used by the cloud
    clients, e.g. ``oss``, ``imm``, ``green``, ``green-pro``); ``prices`` are USD per
    1 000 calls per billable service (e.g. ``faceDetect_global``,
    ``faceDetect_pro_global``, ``imm``). Unset entries mean "use the documented default".
    """

    name: str
    region: str = DEFAULT_REGION
    oss_endpoint: str | None = None
    imm_endpoint: str | None = None
    green_endpoint: str | None = None
    imm_project: str | None = None
    bucket: str | None = None
    qps: dict[str, float] = field(default_factory=dict)
    prices: dict[str, float] = field(default_factory=dict)
    #: The team's shared catalog (``postgresql://user@host/db``, never with a password) or a file.
    catalog: str | None = None

    def __post_init__(self) -> None:
        validate_name(self.name)
        for attr in (
            "region", "oss_endpoint", "imm_endpoint", "green_endpoint", "imm_project", "bucket", "catalog",
        ):  # fmt: skip
            value = getattr(self, attr)
            if value is not None and not isinstance(value, str):
                raise ConfigError(_text("field.not_text", name=self.name, setting=attr, value=repr(value)))
        if not _REGION_RE.match(self.region):
            raise ConfigError(_text("field.region", name=self.name, value=repr(self.region)))
        for service in SERVICES:
            attr = f"{service}_endpoint"
            value = getattr(self, attr)
            if value is not None:
                what = _text("what.setting", name=self.name, setting=attr)
                object.__setattr__(self, attr, normalize_endpoint(value, what=what))
        if self.bucket is not None and not _BUCKET_RE.match(self.bucket):
            raise ConfigError(_text("field.bucket", name=self.name, value=repr(self.bucket)))
        if self.catalog is not None and _URL_PASSWORD.search(self.catalog):
            raise ConfigError(_text("field.catalog_password", name=self.name))
        if self.imm_project is not None and not self.imm_project.strip():
            raise ConfigError(_text("field.empty_project", name=self.name))
        qps_what = _text("what.setting", name=self.name, setting="qps")
        object.__setattr__(self, "qps", _numbers(self.qps, qps_what, positive=True))
        prices_what = _text("what.setting", name=self.name, setting="prices")
        object.__setattr__(self, "prices", _numbers(self.prices, prices_what, positive=False))

    def endpoint_for(self, service: Service) -> str:
        """The base URL for ``service``: the profile's override or the region's public endpoint.

        Always a URL with a scheme and without a trailing slash, e.g.
        ``https://oss-cn-hangzhou.aliyuncs.com`` or ``http://127.0.0.1:9000``.
        Tea clients want host and protocol apart: ``urllib.parse.urlsplit()`` it.
        """
        if service not in _DEFAULT_HOSTS:
            raise ConfigError(_text("service.unknown", service=repr(service), services=", ".join(SERVICES)))
        override = getattr(self, f"{service}_endpoint")
        if override:
            return str(override)
        return "https://" + _DEFAULT_HOSTS[service].format(region=self.region)

    def to_table(self) -> dict[str, Any]:
        """The TOML table of this profile (unset values omitted)."""
        table: dict[str, Any] = {}
        for item in fields(self):
            if item.name == "name":
                continue
            value = getattr(self, item.name)
            if value is None or value == {}:
                continue
            table[item.name] = dict(value) if isinstance(value, dict) else value
        return table

    @classmethod
    def from_table(cls, name: str, table: dict[str, Any], *, where: str = FILE_NAME) -> Profile:
        if not isinstance(table, dict):
            raise ConfigError(_text("table.not_table", path=where, name=name))
        known = {item.name for item in fields(cls)} - {"name"}
        for key in table:
            if _SECRET_WORDS.search(key):
                raise ConfigError(_text("table.secret_key", path=where, name=name, key=repr(key)))
            if key not in known:
                known_text = ", ".join(sorted(known))
                raise ConfigError(
                    _text("table.unknown_key", path=where, name=name, key=repr(key), known=known_text)
                )
        try:
            return cls(name=name, **table)
        except TypeError as exc:
            raise ConfigError(_text("table.bad_value", path=where, name=name, detail=exc)) from None


def normalize_endpoint(value: str, *, what: str = _text("what.endpoint")) -> str:
    """``host[:port]`` or ``http(s)://host[:port]`` -> ``scheme://host[:port]`` (https by default)."""
    text = str(value).strip()
    if not text:
        raise ConfigError(_text("endpoint.empty", what=what))
    if any(ch.isspace() for ch in text):
        raise ConfigError(_text("endpoint.space", what=what, value=repr(value)))
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigError(_text("endpoint.scheme", what=what, value=repr(value)))
    if not parts.hostname:
        raise ConfigError(_text("endpoint.no_host", what=what, value=repr(value)))
    if parts.username or parts.password:
        raise ConfigError(_text("endpoint.user", what=what, value=repr(value)))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(_text("endpoint.path", what=what, value=repr(value)))
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ConfigError(_text("endpoint.port", what=what, value=repr(value))) from None
    return f"{scheme}://{parts.netloc.lower()}"


def _numbers(values: Any, what: str, *, positive: bool) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(_text("numbers.table", what=what))
    result: dict[str, float] = {}
    for key, raw in values.items():
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ConfigError(_text("numbers.key", what=what, key=repr(key)))
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ConfigError(_text("numbers.not_number", what=what, key=key, value=repr(raw)))
        number = float(raw)
        if not math.isfinite(number) or number < 0 or (positive and number == 0):
            message_id = "numbers.positive" if positive else "numbers.not_negative"
            raise ConfigError(_text(message_id, what=what, key=key, value=repr(raw)))
        result[key] = number
    return result


def profiles_path() -> Path:
    return paths.config_dir() / FILE_NAME


def _read_all() -> dict[str, Profile]:
    path = profiles_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(_text("file.unreadable", path=path, detail=exc.strerror or exc)) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_text("file.invalid_toml", path=path, detail=exc)) from None
    version = document.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ConfigError(_text("file.newer", path=path, version=repr(version)))
    for key in document:
        if key not in ("schema_version", "profiles"):
            if _SECRET_WORDS.search(key):
                raise ConfigError(_text("file.secret_key", path=path, key=repr(key)))
            raise ConfigError(_text("file.unknown_key", path=path, key=repr(key)))
    tables = document.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(_text("file.profiles_table", path=path))
    return {
        name: Profile.from_table(validate_name(name), table, where=str(path))
        for name, table in tables.items()
    }


def _write_all(profiles: dict[str, Profile]) -> Path:
    import tomli_w

    from facecurator.cloud import redact

    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "profiles": {name: profiles[name].to_table() for name in sorted(profiles)},
    }
    text = "# facecurator cloud profiles. No secrets here: they live in the OS keyring.\n"
    text += tomli_w.dumps(document)
    if redact.contains_secret(text):
        # A known secret pasted into a setting (e.g. as a bucket or project name).
        raise ConfigError(_text("save.secret"))
    path = profiles_path()
    fd, tmp_name = tempfile.mkstemp(prefix=".profiles-", suffix=".toml.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp_name).replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            Path(tmp_name).unlink()
        raise ConfigError(_text("file.unwritable", path=path, detail=exc.strerror or exc)) from None
    return path


def list_profiles() -> list[str]:
    """Names of the saved profiles, sorted."""
    return sorted(_read_all())


def load_profile(name: str | None = None) -> Profile:
    """The profile ``name`` (default: ``$FACECURATOR_PROFILE`` or ``default``).

    An unsaved ``default`` profile is ``Profile("default")`` (region cn-hangzhou,
    public endpoints); any other missing name is a :class:`ConfigError`.
    """
    if name is None:
        name = os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
    validate_name(name)
    profiles = _read_all()
    if name in profiles:
        return profiles[name]
    if name == DEFAULT_PROFILE:
        return Profile(DEFAULT_PROFILE)
    existing = ", ".join(sorted(profiles)) or _text("profile.no_others")
    raise ConfigError(_text("profile.none_create", name=repr(name), existing=existing, bare=name))


def save_profile(profile: Profile) -> Path:
    """Add or replace ``profile`` in ``profiles.toml`` (atomically); returns the file path."""
    profiles = _read_all()
    profiles[profile.name] = profile
    return _write_all(profiles)


def update_profile(name: str, **changes: Any) -> Profile:
    """Load ``name`` (or start from defaults), apply ``changes`` and save it; returns the result."""
    profiles = _read_all()
    base = profiles.get(validate_name(name)) or Profile(name)
    updated = replace(base, **changes)
    profiles[name] = updated
    _write_all(profiles)
    return updated


def profile_exists(name: str) -> bool:
    return name in _read_all()


def delete_profile(name: str) -> None:
    """Remove ``name`` from ``profiles.toml`` and delete its keyring entries.

    Raises:
        ConfigError: there is neither such a profile nor stored credentials for it.
    """
    validate_name(name)
    profiles = _read_all()
    had_profile = profiles.pop(name, None) is not None
    if had_profile:
        _write_all(profiles)
    try:
        had_credentials = credentials.delete_credentials(name, missing_ok=True)
    except ConfigError as exc:
        if not had_profile:
            raise
        # The settings are gone; say plainly that the keyring could not be cleaned.
        log.warning("profile %s deleted, but its keyring entries could not be checked: %s", name, exc)
        had_credentials = False
    if not had_profile and not had_credentials:
        existing = ", ".join(sorted(profiles)) or _text("profile.no_others")
        raise ConfigError(_text("profile.none", name=repr(name), existing=existing))
