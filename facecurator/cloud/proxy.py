"""One proxy policy for every cloud client.

oss2 (requests) reads the proxy environment itself, but the Tea-based IMM and
Content Moderation clients take a proxy only from their ``Config`` and ignore
``NO_PROXY`` entirely. So the clients never decide on their own: each is given
``proxy_for(endpoint)`` explicitly, and a host excluded by ``NO_PROXY`` goes
direct in all three.

Rules (the common curl / requests / Go conventions):

- ``https://`` URLs use ``https_proxy`` / ``HTTPS_PROXY``, ``http://`` URLs use
  ``http_proxy`` / ``HTTP_PROXY``; ``all_proxy`` / ``ALL_PROXY`` is the fallback for
  both. The lower-case name wins when both spellings are set. A value without a
  scheme (``proxy:3128``) means ``http://proxy:3128``.
- ``no_proxy`` / ``NO_PROXY`` is a comma (or space) separated list; an entry matches
  when it is ``*``; equals the host; is a domain the host is in (``example.com``,
  ``.example.com`` and ``*.example.com`` all match ``example.com`` and
  ``oss.example.com``); is an IP address or CIDR range containing a literal IP
  host (``127.0.0.0/8``, ``::1``); an entry with ``:port`` matches that port only.
  Host names are never resolved to test them against IP ranges.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

from facecurator.errors import ConfigError

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _env(names: tuple[str, ...], environ: Mapping[str, str]) -> str | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def proxy_for(url: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy URL to use for ``url``, or None to connect directly.

    Args:
        url: the endpoint or request URL (``https://`` or ``http://``; a bare host means https).
        environ: the environment to read (default ``os.environ``).

    Raises:
        ConfigError: the URL has an unsupported scheme.
    """
    env = os.environ if environ is None else environ
    scheme, host, port = _split(url)
    if scheme == "https":
        proxy = _env(("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"), env)
    else:
        proxy = _env(("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"), env)
    if proxy is None:
        return None
    no_proxy = _env(("no_proxy", "NO_PROXY"), env)
    if no_proxy and bypasses_proxy(host, port, no_proxy):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def bypasses_proxy(host: str, port: int, no_proxy: str) -> bool:
    """True when ``host:port`` matches an entry of the ``NO_PROXY`` list ``no_proxy``."""
    host = host.lower().rstrip(".")
    host_ip = _parse_ip(host)
    for raw in no_proxy.replace(" ", ",").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        entry_host, entry_port = _split_entry(entry)
        if entry_port is not None and entry_port != port:
            continue
        if host_ip is not None:
            if _ip_matches(host_ip, entry_host):
                return True
            continue
        domain = entry_host.removeprefix("*").removeprefix(".").rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def _split(url: str) -> tuple[str, str, int]:
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ConfigError(f"unsupported URL scheme {parts.scheme!r} in {url!r} (use https:// or http://)")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise ConfigError(f"invalid port in {url!r}") from exc
    return scheme, parts.hostname or "", port


def _split_entry(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port``, bare IPv6 or CIDR -> (host, port or None)."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _ip_matches(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, entry: str) -> bool:
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return ip.version == network.version and ip in network
