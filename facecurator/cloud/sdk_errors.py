"""One classifier of cloud SDK errors: what went wrong, what to do, and whether to retry.

:func:`diagnose` is a pure function over the exceptions the SDKs really raise
(oss2's ``OssError`` family, darabonba / Tea-OpenAPI ``ClientException`` /
``ServerException`` / ``ThrottlingException``, Tea's ``TeaException`` /
``UnretryableException``, and the requests / urllib3 / socket errors they wrap).
It answers with one of :class:`CloudErrorKind` and a one-line, secret-free
message that says what to do. Both of its users read it from here:
``credentials test`` (:func:`classify_cloud_error`, in :mod:`facecurator.cloud.diagnose`)
and the detectors and sources, whose retry loop asks :func:`retry_failure`.
"""

from __future__ import annotations

import errno
import re
import socket
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from facecurator.cloud import redact
from facecurator.domain.messages import Messages

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from facecurator.cloud.ratelimit import Failure


#: English templates of every message this classifier (and the retry loop) gives, by id: a
#: front end parses a message back (:data:`CLOUD`) and shows it in the user's language.
#: ``said`` (" (CODE)" / " (HTTP 403)"), ``where``, ``detail`` (": <the service's own words>"),
#: ``code``, ``host`` are data; params in :data:`NESTED_PARAMS` hold another message.
CLOUD_MESSAGES: Final = {
    "net.proxy": (
        "the proxy could not be used: check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY for this endpoint)"
    ),
    "net.dns": "cannot resolve the host{where}: check the profile's region and endpoint (or your DNS)",
    "net.refused_host": "connection refused by {host}: check the endpoint's host and port",
    "net.refused": "connection refused by the endpoint: check the endpoint's host and port",
    "net.timeout_host": (
        "timed out connecting to {host}: the network or a firewall/proxy blocks it "
        "(set HTTPS_PROXY if you need a proxy)"
    ),
    "net.timeout": (
        "timed out connecting to the endpoint: the network or a firewall/proxy blocks it "
        "(set HTTPS_PROXY if you need a proxy)"
    ),
    "net.unreachable": "network unreachable{where}: check your connection",
    "net.tls_host": (
        "TLS handshake with {host} failed: a proxy intercepting HTTPS, or an endpoint that does not speak "
        "https (use http:// in the profile for a plain-HTTP test endpoint)"
    ),
    "net.tls": (
        "TLS handshake with the endpoint failed: a proxy intercepting HTTPS, or an endpoint that does not "
        "speak https (use http:// in the profile for a plain-HTTP test endpoint)"
    ),
    "net.connection_host": "connection to {host} failed: {error}",
    "net.connection": "connection to the endpoint failed: {error}",
    "answer.token": (
        "the STS security token is invalid or expired{said}: store a fresh token with "
        "`facecurator credentials set`"
    ),
    "answer.key_disabled": (
        "the AccessKey ID is disabled{said}: check the ID, or whether the key was disabled"
    ),
    "answer.key_unknown": (
        "the AccessKey ID is not recognised{said}: check the ID, or whether the key was disabled"
    ),
    "answer.signature": (
        "the AccessKey secret is wrong{said}: the service computed a different signature; re-enter it with "
        "`facecurator credentials set`"
    ),
    "answer.clock": "this computer's clock is too far off{said}: sync it (NTP) and retry",
    "answer.region_at": (
        "the bucket is in another region (the bucket lives at {endpoint}): set the profile's --region or "
        "--oss-endpoint"
    ),
    "answer.region": "the bucket is in another region: set the profile's --region or --oss-endpoint",
    "answer.permission": (
        "the AccessKey has no permission for this call{said}{detail}: grant the RAM user a policy for this "
        "service"
    ),
    "answer.no_bucket": (
        "the bucket does not exist at this endpoint{said}: check the bucket name and the profile's region"
    ),
    "answer.endpoint": (
        "the endpoint does not serve this region or API{said}{detail}: check the profile's region "
        "and endpoint"
    ),
    "answer.throttled": "the service is throttling requests{said}: retry later",
    "answer.redirect": "the endpoint redirects elsewhere{said}: check the profile's region and endpoint",
    "answer.not_found": (
        "the endpoint answered 404 Not Found: it is not the endpoint of this service; check the profile's "
        "endpoint"
    ),
    "answer.refused": "the request was refused (HTTP {status}){detail}",
    "answer.server": "the service failed (HTTP {status}{code}){detail}: retry later",
    "answer.failed": "the call failed{said}{detail}",
    "call.failed": "the call failed: {error}",
    # the retry loop's reasons, and the error that ends a call
    "retry.proxy": "cannot reach the proxy{where} (check HTTPS_PROXY / NO_PROXY)",
    "retry.timeout": "timed out",
    "retry.dns": "endpoint host name not found (wrong region or endpoint?)",
    "retry.unreachable": "network unreachable: {error}",
    "retry.key": "{head}: the AccessKey ID is not known (wrong key ID?)",
    "retry.secret": "{head}: the AccessKey secret does not match the key ID (wrong secret?)",
    "retry.permission": "{head}: no permission (the key is not authorised for this call)",
    "retry.token": "{head}: the STS security token is invalid or expired",
    "call.gave_up": "{subject}: {call} failed after {attempts} attempts: {reason}",
    "call.gave_up_once": "{subject}: {call} failed after 1 attempt: {reason}",
    "call.refused": "{subject}: {call} failed: {reason}",
    # the operator cancelled (a scan, a cloud batch) while a call waited
    "call.cancelled": "{subject}: cancelled",
    "call.cancelled_waiting": "cancelled while waiting for the rate limit",
    # what a good ``credentials test`` call proved
    "check.bucket": "bucket {bucket} listable",
    "check.buckets": "ListBuckets accepted",
    "check.buckets_owner": "ListBuckets accepted (owner {owner})",
    "check.project": "IMM project {project} readable",
    "check.projects": "ListProjects accepted",
    "check.upload_token": "DescribeUploadToken accepted",
}
#: Params holding another message (translated in turn).
NESTED_PARAMS: Final = frozenset({"error", "reason"})
CLOUD: Final = Messages(CLOUD_MESSAGES)
_say = CLOUD.text


class CloudErrorKind(str, Enum):
    WRONG_KEY = "wrong-key"
    SIGNATURE_MISMATCH = "signature-mismatch"
    NO_PERMISSION = "no-permission"
    WRONG_ENDPOINT = "wrong-endpoint"
    NETWORK = "network"
    CLOCK_SKEW = "clock-skew"
    THROTTLED = "throttled"
    SERVER_ERROR = "server-error"
    UNKNOWN = "unknown"


class CloudErrorInfo(NamedTuple):
    kind: CloudErrorKind
    message: str


@dataclass(frozen=True)
class _Facts:
    """What could be learned from an exception chain."""

    code: str
    status: int | None
    message: str
    endpoint_hint: str  # OSS's <Endpoint> detail on a region mismatch
    chain: tuple[BaseException, ...]
    oss: bool  # raised by oss2 (OSS answers 503 only to slow clients down)


_WRONG_KEY_PREFIXES: Final = ("InvalidAccessKeyId", "InvalidAccessKey", "AccessKeyId.NotFound")
_TOKEN_PREFIXES: Final = ("InvalidSecurityToken", "SecurityTokenExpired", "InvalidSecurityTokenId")
_SIGNATURE_CODES: Final = ("SignatureDoesNotMatch", "IncompleteSignature", "InvalidSignature")
_CLOCK_CODES: Final = ("RequestTimeTooSkewed", "InvalidTimeStamp", "RequestExpired")
_PERMISSION_PREFIXES: Final = (
    "AccessDenied",
    "Forbidden",
    "NoPermission",
    "Unauthorized",
    "UserDisable",
    "InvalidAuthorization",
    "NotActivated",
    "ServiceNotActivated",
    "ServiceNotOpen",
)
_ENDPOINT_CODES: Final = (
    "InvalidRegionId",
    "InvalidRegion",
    "PermanentRedirect",
    "InvalidAction.NotFound",
    "InvalidApi.NotFound",
    "InvalidProduct.NotFound",
    "InvalidVersion",
    "EndpointNotFound",
)
_THROTTLE_PREFIXES: Final = ("Throttling", "SlowDown", "QpsLimitExceeded", "TooManyRequests", "ServiceBusy")


def _children(exc: BaseException) -> Iterator[BaseException]:
    for attr in ("inner_exception", "exception", "reason", "__cause__", "__context__"):
        child = getattr(exc, attr, None)
        if isinstance(child, BaseException):
            yield child
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, BaseException):
            yield arg


def _walk(exc: BaseException) -> tuple[BaseException, ...]:
    seen: list[BaseException] = []
    stack = [exc]
    while stack and len(seen) < 32:
        current = stack.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        stack.extend(_children(current))
    return tuple(seen)


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text in ("None", "none", "null") else text


def _facts(exc: BaseException) -> _Facts:
    chain = _walk(exc)
    code = ""
    status: int | None = None
    message = ""
    endpoint_hint = ""
    for item in chain:
        item_code = _text(getattr(item, "code", None))
        if not code and item_code and not item_code.isdigit():
            code = item_code
        for attr in ("status_code", "statusCode", "status"):
            value = getattr(item, attr, None)
            if status is None and isinstance(value, int) and not isinstance(value, bool) and value > 0:
                status = value
        data = getattr(item, "data", None)
        if isinstance(data, dict):
            if status is None and isinstance(data.get("statusCode"), int):
                status = data["statusCode"]
            if not code:
                code = _text(data.get("Code") or data.get("code"))
                if code.isdigit():
                    code = ""
        if not message:
            message = _text(getattr(item, "message", None))
        details = getattr(item, "details", None)
        if isinstance(details, dict) and not endpoint_hint:
            endpoint_hint = _text(details.get("Endpoint"))
    # darabonba prefixes "code: 403, " and appends " request id: ..."; keep the human part.
    message = re.sub(r"^code: \d+, ", "", message)
    message = re.sub(r"\s*request id: \S*$", "", message)
    oss = any(type(item).__module__.startswith("oss2") for item in chain)
    return _Facts(code, status, message, endpoint_hint, chain, oss)


def _host_from(chain: Sequence[BaseException]) -> str:
    for item in chain:
        text = str(item)
        match = re.search(r"Failed to resolve '([^']+)'", text) or re.search(
            r"host='([^']+)', port=(\d+)", text
        )
        if match:
            return ":".join(match.groups())
    return ""


def _network_kind(chain: Sequence[BaseException]) -> tuple[str, CloudErrorInfo] | None:
    """Transport failures (no HTTP answer at all), most specific first, tagged with what failed:
    ``proxy``, ``dns``, ``refused``, ``timeout``, ``unreachable``, ``tls`` or ``connection``."""
    try:
        import requests.exceptions as rex
        import urllib3.exceptions as uex
    except ImportError:  # pragma: no cover - both come with the SDKs
        rex = uex = None  # type: ignore[assignment]
    host = _host_from(chain)
    where = f" {host}" if host else ""

    def said(message_id: str, **params: Any) -> str:  # "<id>_host" names the host when known
        return _say(f"{message_id}_host", host=host, **params) if host else _say(message_id, **params)

    names = {type(item).__name__ for item in chain}
    text = " | ".join(str(item) for item in chain)

    if (rex and any(isinstance(i, rex.ProxyError) for i in chain)) or (
        uex and any(isinstance(i, uex.ProxyError) for i in chain)
    ):
        return "proxy", CloudErrorInfo(CloudErrorKind.NETWORK, _say("net.proxy"))
    if (
        any(isinstance(i, socket.gaierror) for i in chain)
        or "NameResolutionError" in names
        or "Name or service not known" in text
        or "nodename nor servname" in text
        or "getaddrinfo failed" in text
        or "Temporary failure in name resolution" in text
    ):
        return "dns", CloudErrorInfo(CloudErrorKind.WRONG_ENDPOINT, _say("net.dns", where=where))
    if any(isinstance(i, ConnectionRefusedError) for i in chain) or "Connection refused" in text:
        return "refused", CloudErrorInfo(CloudErrorKind.WRONG_ENDPOINT, said("net.refused"))
    timeouts: tuple[type[BaseException], ...] = (TimeoutError, socket.timeout)
    if rex:
        timeouts += (rex.Timeout,)
    if uex:
        timeouts += (uex.TimeoutError,)
    if any(isinstance(i, timeouts) for i in chain) or "timed out" in text.lower():
        return "timeout", CloudErrorInfo(CloudErrorKind.NETWORK, said("net.timeout"))
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN)
    if any(isinstance(i, OSError) and i.errno in unreachable for i in chain) or (
        "Network is unreachable" in text or "No route to host" in text
    ):
        return "unreachable", CloudErrorInfo(CloudErrorKind.NETWORK, _say("net.unreachable", where=where))
    if (rex and any(isinstance(i, rex.SSLError) for i in chain)) or "SSLError" in names:
        return "tls", CloudErrorInfo(CloudErrorKind.NETWORK, said("net.tls"))
    if any(isinstance(i, (ConnectionError, OSError)) for i in chain) or (
        rex and any(isinstance(i, rex.ConnectionError) for i in chain)
    ):
        first = next((i for i in reversed(chain) if isinstance(i, OSError)), chain[-1])
        return "connection", CloudErrorInfo(
            CloudErrorKind.NETWORK, said("net.connection", error=redact.redact_exception(first))
        )
    return None


def _answered(facts: _Facts) -> CloudErrorInfo | None:
    """The kind of an error the service answered with (its code, else its HTTP status); None if none."""
    code, status = facts.code, facts.status
    said = f" ({code})" if code else (f" (HTTP {status})" if status else "")
    detail = f": {redact.redact(facts.message)}" if facts.message else ""

    def starts(prefixes: Sequence[str]) -> bool:
        return any(code == p or code.startswith(p + ".") or code.startswith(p) for p in prefixes)

    if code:
        if starts(_TOKEN_PREFIXES):
            return CloudErrorInfo(CloudErrorKind.WRONG_KEY, _say("answer.token", said=said))
        if starts(_WRONG_KEY_PREFIXES):
            disabled = "Inactive" in code or "Disabled" in code
            return CloudErrorInfo(
                CloudErrorKind.WRONG_KEY,
                _say("answer.key_disabled" if disabled else "answer.key_unknown", said=said),
            )
        if code in _SIGNATURE_CODES or code.startswith("SignatureDoesNotMatch"):
            return CloudErrorInfo(CloudErrorKind.SIGNATURE_MISMATCH, _say("answer.signature", said=said))
        if starts(_CLOCK_CODES):
            return CloudErrorInfo(CloudErrorKind.CLOCK_SKEW, _say("answer.clock", said=said))
        if code == "AccessDenied" and (
            facts.endpoint_hint or "must be addressed using the specified endpoint" in facts.message
        ):
            region = (
                _say("answer.region_at", endpoint=facts.endpoint_hint)
                if facts.endpoint_hint
                else _say("answer.region")
            )
            return CloudErrorInfo(CloudErrorKind.WRONG_ENDPOINT, region)
        if starts(_PERMISSION_PREFIXES):
            return CloudErrorInfo(
                CloudErrorKind.NO_PERMISSION, _say("answer.permission", said=said, detail=detail)
            )
        if code == "NoSuchBucket":
            return CloudErrorInfo(CloudErrorKind.WRONG_ENDPOINT, _say("answer.no_bucket", said=said))
        if starts(_ENDPOINT_CODES):
            return CloudErrorInfo(
                CloudErrorKind.WRONG_ENDPOINT, _say("answer.endpoint", said=said, detail=detail)
            )
        if starts(_THROTTLE_PREFIXES) or any(type(i).__name__ == "ThrottlingException" for i in facts.chain):
            return CloudErrorInfo(CloudErrorKind.THROTTLED, _say("answer.throttled", said=said))
    if status is not None:
        if status == 429:
            return CloudErrorInfo(CloudErrorKind.THROTTLED, _say("answer.throttled", said=said))
        if status in (301, 307, 308):
            return CloudErrorInfo(CloudErrorKind.WRONG_ENDPOINT, _say("answer.redirect", said=said))
        if status == 404 and not code:
            return CloudErrorInfo(CloudErrorKind.WRONG_ENDPOINT, _say("answer.not_found"))
        if status in (401, 403) and not code:
            return CloudErrorInfo(
                CloudErrorKind.NO_PERMISSION, _say("answer.refused", status=status, detail=detail)
            )
        if status == 503 and ("SlowDown" in facts.message or facts.oss):  # OSS sends 503 to slow clients down
            return CloudErrorInfo(CloudErrorKind.THROTTLED, _say("answer.throttled", said=said))
        if status >= 500:
            shown_code = f", {code}" if code else ""
            return CloudErrorInfo(
                CloudErrorKind.SERVER_ERROR,
                _say("answer.server", status=status, code=shown_code, detail=detail),
            )
    if code or status:
        return CloudErrorInfo(CloudErrorKind.UNKNOWN, _say("answer.failed", said=said, detail=detail))
    return None


@dataclass(frozen=True)
class Diagnosis:
    """Why one cloud call failed: the kind and the operator's one line, with the facts behind them."""

    kind: CloudErrorKind
    message: str  # what to do, secret-free (as ``credentials test`` says it)
    code: str  # the service's error code ("" if none)
    status: int | None  # the HTTP status, when the service answered
    detail: str  # the service's own message, "" if none
    transport: str | None  # no answer came back: proxy, dns, refused, timeout, unreachable, tls, connection


def diagnose(exc: BaseException) -> Diagnosis:
    """Classify an exception the SDKs (or the transport under them) raised."""
    facts = _facts(exc)
    transport: str | None = None
    info = _answered(facts)
    if info is None:
        network = _network_kind(facts.chain)
        if network is not None:
            transport, info = network
        else:
            info = CloudErrorInfo(
                CloudErrorKind.UNKNOWN, _say("call.failed", error=redact.redact_exception(exc))
            )
    return Diagnosis(info.kind, info.message, facts.code, facts.status, facts.message, transport)


def classify_cloud_error(exc: BaseException) -> CloudErrorInfo:
    """Why a call to OSS, IMM or Content Moderation failed, as (kind, one-line message)."""
    diagnosis = diagnose(exc)
    return CloudErrorInfo(diagnosis.kind, diagnosis.message)


# -- the same diagnosis, as the retry loop needs it ---------------------------------------------

#: Refused credentials: every call would fail the same way, so a run stops at the first one.
AUTH_KINDS: Final = frozenset(
    {CloudErrorKind.WRONG_KEY, CloudErrorKind.SIGNATURE_MISMATCH, CloudErrorKind.NO_PERMISSION}
)
# The short words an error chain carries for refused credentials ("HTTP <status> <code>: <words>").
_AUTH_WORDS: Final = {
    CloudErrorKind.WRONG_KEY: "retry.key",
    CloudErrorKind.SIGNATURE_MISMATCH: "retry.secret",
    CloudErrorKind.NO_PERMISSION: "retry.permission",
}


def _short(text: object, limit: int = 160) -> str:
    line = redact.redact(" ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 1] + "…"


def retry_failure(exc: BaseException, endpoint: str | None = None) -> Failure:
    """How :func:`~facecurator.cloud.ratelimit.call_with_retries` handles one failed attempt.

    The kind comes from :func:`diagnose`: throttling is ``throttled``; server
    errors, timeouts and connection failures are ``transient``; refused
    credentials are ``fatal`` with ``auth=True``; the rest (and an unusable
    proxy) is ``fatal``. The reason is one secret-free line: ``HTTP <status>
    <code>: <what it means>`` when the service answered.

    Args:
        endpoint: the endpoint called, to name the proxy it goes through.
    """
    from facecurator.cloud.proxy import proxy_for
    from facecurator.cloud.ratelimit import Failure
    from facecurator.domain.normalize import ProviderError
    from facecurator.errors import FacecuratorError

    if isinstance(exc, ProviderError):
        # "green ImageModeration failed: Code 407 (...)" -> "Code 407 (...)": the caller names the call.
        reason = re.sub(r"^[\w .()/-]*? failed: ", "", str(exc), count=1)
        if exc.throttled:
            return Failure("throttled", reason)
        if exc.retryable:
            return Failure("transient", reason)
        return Failure("fatal", reason, auth=exc.refused)
    if isinstance(exc, FacecuratorError):
        return Failure("fatal", str(exc))
    diagnosis = diagnose(exc)
    kind = diagnosis.kind
    if diagnosis.transport == "proxy":
        proxy = proxy_for(endpoint) if endpoint else None
        where = f" {proxy}" if proxy else ""
        return Failure("fatal", _say("retry.proxy", where=where))
    if diagnosis.transport == "timeout":
        return Failure("transient", _say("retry.timeout"))
    if diagnosis.transport == "dns":
        return Failure("transient", _say("retry.dns"))
    if diagnosis.transport is not None:
        inner = next((i for i in reversed(_walk(exc)) if isinstance(i, OSError)), exc)
        return Failure("transient", _say("retry.unreachable", error=_short(inner, 120)))
    if not (diagnosis.code or diagnosis.status):
        return Failure("fatal", f"{type(exc).__name__}: {_short(exc)}")
    head = f"HTTP {diagnosis.status} {diagnosis.code}".strip() if diagnosis.status else diagnosis.code
    if kind is CloudErrorKind.THROTTLED:
        return Failure("throttled", head)
    if kind is CloudErrorKind.SERVER_ERROR:
        return Failure("transient", head)
    if kind in AUTH_KINDS:
        token = diagnosis.code.startswith(_TOKEN_PREFIXES)
        return Failure("fatal", _say("retry.token" if token else _AUTH_WORDS[kind], head=head), auth=True)
    return Failure("fatal", f"{head}: {_short(diagnosis.detail)}" if diagnosis.detail else head)
