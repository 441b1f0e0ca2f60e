"""Factories for the official Alibaba Cloud SDK clients, configured from a profile.

Their failures are classified by :mod:`facecurator.cloud.sdk_errors` (one
classifier for ``credentials test`` and for the retries of every call).

* OSS: ``oss2.Bucket`` / ``oss2.Service`` signed with V4 (``oss2.AuthV4``, or
  ``oss2.StsAuth(..., auth_version=v4)`` with an STS token) and the profile's
  region. oss2 addresses buckets virtual-host style (``bucket.host``) except
  when the endpoint is an IP address or ``localhost``: then it switches to
  path style (``host/bucket/key``) on its own, which is what lets the
  ``http://127.0.0.1:PORT`` test emulator (or a private gateway by IP) work.
* IMM 2020-09-30 and Content Moderation 2022-03-02: the Tea clients, whose
  ``Config`` takes host and protocol apart (``http://`` endpoints work); they
  sign with ACS3-HMAC-SHA256.

Proxies follow :func:`facecurator.cloud.proxy.proxy_for` in all three SDKs.
oss2 gets an explicit ``proxies=`` mapping. The Tea clients are the subtle
case: they ignore ``NO_PROXY`` and, when their ``Config`` has no proxy, fall
back to ``HTTPS_PROXY``/``HTTP_PROXY`` from the environment on their own. So
when ``proxy_for`` says "direct", the Tea config carries ``no_proxy=<host>`` and
:func:`_install_tea_no_proxy` makes the SDK's HTTP adapter honour that key
(the SDK passes it through to requests, which would otherwise ignore it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

from facecurator.cloud.proxy import proxy_for

if TYPE_CHECKING:
    from facecurator.cloud.credentials import Credentials
    from facecurator.cloud.profiles import Profile
    from facecurator.errors import FacecuratorError

T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and for a response."""

    connect: float = 10.0
    read: float = 60.0


DEFAULT_TIMEOUTS: Final = Timeouts()


def resolve(profile: Profile | str | None) -> Profile:
    """A :class:`Profile` from a profile object, a name, or None (the default profile)."""
    from facecurator.cloud.profiles import Profile, load_profile

    if isinstance(profile, Profile):
        return profile
    return load_profile(profile)


def credentials_for(profile: Profile, credentials: Credentials | None = None) -> Credentials:
    """``credentials`` if given, else the profile's (environment first, then the keyring)."""
    if credentials is not None:
        return credentials
    from facecurator.cloud.credentials import resolve_credentials

    return resolve_credentials(profile.name)


# --------------------------------------------------------------------------- OSS


def oss_auth(credentials: Credentials) -> Any:
    """V4 signing for an AccessKey pair, or STS (also V4) when it carries a token."""
    import oss2

    if credentials.security_token:
        return oss2.StsAuth(
            credentials.access_key_id,
            credentials.access_key_secret,
            credentials.security_token,
            auth_version=oss2.AUTH_VERSION_4,
        )
    return oss2.AuthV4(credentials.access_key_id, credentials.access_key_secret)


def oss_proxies(endpoint: str) -> dict[str, str]:
    """The ``proxies=`` mapping for oss2 (requests): the proxy, or an explicit bypass."""
    proxy = proxy_for(endpoint)
    if proxy:
        return {"http": proxy, "https": proxy}
    # requests merges the environment's proxies unless the URL is excluded by
    # no_proxy; naming the endpoint host here makes "direct" explicit.
    return {"no_proxy": urlsplit(endpoint).hostname or ""}


def oss_bucket(
    profile: Profile,
    bucket: str,
    credentials: Credentials | None = None,
    *,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    auth: Any = None,
    endpoint: str | None = None,
    region: str | None = None,
) -> Any:
    """An ``oss2.Bucket`` for ``bucket`` in the profile's region and OSS endpoint.

    ``auth``/``endpoint``/``region`` override the profile's (e.g. the STS upload
    bucket of Content Moderation).
    """
    import oss2

    endpoint = endpoint or profile.endpoint_for("oss")
    if auth is None:
        auth = oss_auth(credentials_for(profile, credentials))
    return oss2.Bucket(
        auth,
        endpoint,
        bucket,
        connect_timeout=(timeouts.connect, timeouts.read),
        proxies=oss_proxies(endpoint),
        region=region or profile.region,
        enable_crc=True,
    )


def oss_service(
    profile: Profile, credentials: Credentials | None = None, *, timeouts: Timeouts = DEFAULT_TIMEOUTS
) -> Any:
    """An ``oss2.Service`` (ListBuckets) for the profile."""
    import oss2

    endpoint = profile.endpoint_for("oss")
    return oss2.Service(
        oss_auth(credentials_for(profile, credentials)),
        endpoint,
        connect_timeout=(timeouts.connect, timeouts.read),
        proxies=oss_proxies(endpoint),
        region=profile.region,
    )


# --------------------------------------------------------------------------- Tea (IMM, Green)

_tea_patch_lock = threading.Lock()
_tea_patched = False


def _install_tea_no_proxy() -> None:
    """Make the Tea SDK's requests adapter honour the ``no_proxy`` it is handed.

    The SDK builds ``proxies = {"https": config-or-env proxy, "no_proxy": ...}``
    and calls ``HTTPAdapter.send`` directly, which looks the proxy up by scheme
    only. We wrap the adapters the SDK creates (``DaraCore.get_adapter``) so a
    request whose host is listed in ``no_proxy`` goes direct. Idempotent.
    """
    global _tea_patched
    with _tea_patch_lock:
        if _tea_patched:
            return
        from darabonba.core import DaraCore

        original = DaraCore.get_adapter

        def get_adapter(prefix: str, tls_min_version: Any = None, pool_size: Any = None) -> Any:
            adapter = original(prefix, tls_min_version, pool_size=pool_size)
            send = adapter.send

            def send_honouring_no_proxy(request: Any, **kwargs: Any) -> Any:
                proxies = kwargs.get("proxies") or {}
                no_proxy = proxies.get("no_proxy")
                if no_proxy:
                    host = (urlsplit(request.url).hostname or "").lower()
                    if host in {h.strip().lower() for h in str(no_proxy).split(",")}:
                        kwargs["proxies"] = {}
                return send(request, **kwargs)

            adapter.send = send_honouring_no_proxy
            return adapter

        DaraCore.get_adapter = staticmethod(get_adapter)
        _tea_patched = True


def tea_config(
    profile: Profile,
    service: str,
    credentials: Credentials | None = None,
    *,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> Any:
    """The ``alibabacloud_tea_openapi`` Config for ``service`` (``imm`` or ``green``)."""
    from alibabacloud_tea_openapi.utils_models import Config

    _install_tea_no_proxy()
    creds = credentials_for(profile, credentials)
    endpoint = profile.endpoint_for(service)  # type: ignore[arg-type]
    parts = urlsplit(endpoint)
    config = Config(
        access_key_id=creds.access_key_id,
        access_key_secret=creds.access_key_secret,
        security_token=creds.security_token or None,
        endpoint=parts.netloc,
        protocol=parts.scheme.upper(),
        region_id=profile.region,
        connect_timeout=int(timeouts.connect * 1000),
        read_timeout=int(timeouts.read * 1000),
    )
    proxy = proxy_for(endpoint)
    if proxy:
        config.http_proxy = proxy
        config.https_proxy = proxy
    else:
        config.no_proxy = parts.hostname or ""
    return config


def imm_client(
    profile: Profile, credentials: Credentials | None = None, *, timeouts: Timeouts = DEFAULT_TIMEOUTS
) -> Any:
    """``alibabacloud_imm20200930.client.Client`` for the profile's IMM endpoint."""
    from alibabacloud_imm20200930.client import Client

    return Client(tea_config(profile, "imm", credentials, timeouts=timeouts))


def green_client(
    profile: Profile, credentials: Credentials | None = None, *, timeouts: Timeouts = DEFAULT_TIMEOUTS
) -> Any:
    """``alibabacloud_green20220302.client.Client`` for the profile's Moderation endpoint."""
    from alibabacloud_green20220302.client import Client

    return Client(tea_config(profile, "green", credentials, timeouts=timeouts))


# --------------------------------------------------------------------------- calls


def call_oss(
    profile: Profile,
    call: Callable[[], T],
    *,
    subject: str,
    what: str,
    error_type: type[FacecuratorError],
    auth_error_type: type[FacecuratorError] | None = None,
) -> T:
    """One OSS call under the profile's shared OSS rate limiter, with bounded retries;
    a final failure raises ``error_type`` (``auth_error_type`` for refused credentials)."""
    from facecurator.cloud.ratelimit import call_with_retries, limiter_for
    from facecurator.cloud.sdk_errors import retry_failure

    endpoint = profile.endpoint_for("oss")
    return call_with_retries(
        call,
        subject=subject,
        what=what,
        classify=lambda exc: retry_failure(exc, endpoint),
        limiter=limiter_for("oss", profile.name, profile.qps),
        error_type=error_type,
        auth_error_type=auth_error_type,
    )
