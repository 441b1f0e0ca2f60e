"""Tell apart why a cloud call failed, and make the cheap call behind ``credentials test``.

:func:`classify_cloud_error` is a pure function over the exceptions the SDKs
really raise (oss2's ``OssError`` family, darabonba / Tea-OpenAPI
``ClientException`` / ``ServerException`` / ``ThrottlingException``, Tea's
``TeaException`` / ``UnretryableException``, and the requests / urllib3 / socket
errors they wrap). It answers with one of :class:`CloudErrorKind` and a one-line,
secret-free message that says what to do.
"""

from __future__ import annotations

import errno
import re
import socket
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from facecurator.cloud import redact

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from facecurator.cloud.credentials import Credentials
    from facecurator.cloud.profiles import Profile, Service


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
    return _Facts(code, status, message, endpoint_hint, chain)


def _host_from(chain: Sequence[BaseException]) -> str:
    for item in chain:
        text = str(item)
        match = re.search(r"Failed to resolve '([^']+)'", text) or re.search(
            r"host='([^']+)', port=(\d+)", text
        )
        if match:
            return ":".join(match.groups())
    return ""


def _network_kind(chain: Sequence[BaseException]) -> CloudErrorInfo | None:
    """Transport failures (no HTTP answer at all), most specific first."""
    try:
        import requests.exceptions as rex
        import urllib3.exceptions as uex
    except ImportError:  # pragma: no cover - both come with the SDKs
        rex = uex = None  # type: ignore[assignment]
    host = _host_from(chain)
    where = f" {host}" if host else ""
    names = {type(item).__name__ for item in chain}
    text = " | ".join(str(item) for item in chain)

    if (rex and any(isinstance(i, rex.ProxyError) for i in chain)) or (
        uex and any(isinstance(i, uex.ProxyError) for i in chain)
    ):
        return CloudErrorInfo(
            CloudErrorKind.NETWORK,
            "the proxy could not be used: check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY for this endpoint)",
        )
    if (
        any(isinstance(i, socket.gaierror) for i in chain)
        or "NameResolutionError" in names
        or "Name or service not known" in text
        or "nodename nor servname" in text
        or "getaddrinfo failed" in text
        or "Temporary failure in name resolution" in text
    ):
        return CloudErrorInfo(
            CloudErrorKind.WRONG_ENDPOINT,
            f"cannot resolve the host{where}: check the profile's region and endpoint (or your DNS)",
        )
    if any(isinstance(i, ConnectionRefusedError) for i in chain) or "Connection refused" in text:
        return CloudErrorInfo(
            CloudErrorKind.WRONG_ENDPOINT,
            f"connection refused by{where or ' the endpoint'}: check the endpoint's host and port",
        )
    timeouts: tuple[type[BaseException], ...] = (TimeoutError, socket.timeout)
    if rex:
        timeouts += (rex.Timeout,)
    if uex:
        timeouts += (uex.TimeoutError,)
    if any(isinstance(i, timeouts) for i in chain) or "timed out" in text.lower():
        return CloudErrorInfo(
            CloudErrorKind.NETWORK,
            f"timed out connecting to{where or ' the endpoint'}: the network or a firewall/proxy blocks it "
            "(set HTTPS_PROXY if you need a proxy)",
        )
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN)
    if any(isinstance(i, OSError) and i.errno in unreachable for i in chain) or (
        "Network is unreachable" in text or "No route to host" in text
    ):
        return CloudErrorInfo(CloudErrorKind.NETWORK, f"network unreachable{where}: check your connection")
    if (rex and any(isinstance(i, rex.SSLError) for i in chain)) or "SSLError" in names:
        return CloudErrorInfo(
            CloudErrorKind.NETWORK,
            f"TLS handshake with{where or ' the endpoint'} failed: a proxy intercepting HTTPS, or an "
            "endpoint that does not speak https (use http:// in the profile for a plain-HTTP test endpoint)",
        )
    if any(isinstance(i, (ConnectionError, OSError)) for i in chain) or (
        rex and any(isinstance(i, rex.ConnectionError) for i in chain)
    ):
        first = next((i for i in reversed(chain) if isinstance(i, OSError)), chain[-1])
        return CloudErrorInfo(
            CloudErrorKind.NETWORK,
            f"connection to{where or ' the endpoint'} failed: {redact.redact_exception(first)}",
        )
    return None


def classify_cloud_error(exc: BaseException) -> CloudErrorInfo:
    """Why a call to OSS, IMM or Content Moderation failed, as (kind, one-line message)."""
    facts = _facts(exc)
    code, status = facts.code, facts.status
    said = f" ({code})" if code else (f" (HTTP {status})" if status else "")
    detail = f": {redact.redact(facts.message)}" if facts.message else ""

    def starts(prefixes: Sequence[str]) -> bool:
        return any(code == p or code.startswith(p + ".") or code.startswith(p) for p in prefixes)

    if code:
        if starts(_TOKEN_PREFIXES):
            return CloudErrorInfo(
                CloudErrorKind.WRONG_KEY,
                f"the STS security token is invalid or expired{said}: store a fresh token with "
                "`facecurator credentials set`",
            )
        if starts(_WRONG_KEY_PREFIXES):
            state = "disabled" if "Inactive" in code or "Disabled" in code else "not recognised"
            return CloudErrorInfo(
                CloudErrorKind.WRONG_KEY,
                f"the AccessKey ID is {state}{said}: check the ID, or whether the key was disabled",
            )
        if code in _SIGNATURE_CODES or code.startswith("SignatureDoesNotMatch"):
            return CloudErrorInfo(
                CloudErrorKind.SIGNATURE_MISMATCH,
                f"the AccessKey secret is wrong{said}: the service computed a different signature; re-enter "
                "it with `facecurator credentials set`",
            )
        if starts(_CLOCK_CODES):
            return CloudErrorInfo(
                CloudErrorKind.CLOCK_SKEW,
                f"this computer's clock is too far off{said}: sync it (NTP) and retry",
            )
        if code == "AccessDenied" and (
            facts.endpoint_hint or "must be addressed using the specified endpoint" in facts.message
        ):
            hint = f" (the bucket lives at {facts.endpoint_hint})" if facts.endpoint_hint else ""
            return CloudErrorInfo(
                CloudErrorKind.WRONG_ENDPOINT,
                f"the bucket is in another region{hint}: set the profile's --region or --oss-endpoint",
            )
        if starts(_PERMISSION_PREFIXES):
            return CloudErrorInfo(
                CloudErrorKind.NO_PERMISSION,
                f"the AccessKey has no permission for this call{said}{detail}: grant the RAM user a policy "
                "for this service",
            )
        if code == "NoSuchBucket":
            return CloudErrorInfo(
                CloudErrorKind.WRONG_ENDPOINT,
                f"the bucket does not exist at this endpoint{said}: check the bucket name and the profile's "
                "region",
            )
        if starts(_ENDPOINT_CODES):
            return CloudErrorInfo(
                CloudErrorKind.WRONG_ENDPOINT,
                f"the endpoint does not serve this region or API{said}{detail}: check the profile's region "
                "and endpoint",
            )
        if starts(_THROTTLE_PREFIXES):
            return CloudErrorInfo(
                CloudErrorKind.THROTTLED, f"the service is throttling requests{said}: retry later"
            )
    if status is not None:
        if status == 429:
            return CloudErrorInfo(
                CloudErrorKind.THROTTLED, f"the service is throttling requests{said}: retry later"
            )
        if status in (301, 307, 308):
            return CloudErrorInfo(
                CloudErrorKind.WRONG_ENDPOINT,
                f"the endpoint redirects elsewhere{said}: check the profile's region and endpoint",
            )
        if status == 404 and not code:
            return CloudErrorInfo(
                CloudErrorKind.WRONG_ENDPOINT,
                "the endpoint answered 404 Not Found: it is not the endpoint of this service; check the "
                "profile's endpoint",
            )
        if status in (401, 403) and not code:
            return CloudErrorInfo(
                CloudErrorKind.NO_PERMISSION, f"the request was refused (HTTP {status}){detail}"
            )
        if status == 503 and "SlowDown" in facts.message:
            return CloudErrorInfo(
                CloudErrorKind.THROTTLED, f"the service is throttling requests{said}: retry later"
            )
        if status >= 500:
            return CloudErrorInfo(
                CloudErrorKind.SERVER_ERROR,
                f"the service failed (HTTP {status}{', ' + code if code else ''}){detail}: retry later",
            )
    network = _network_kind(facts.chain)
    if network is not None:
        return network
    if code or status:
        return CloudErrorInfo(CloudErrorKind.UNKNOWN, f"the call failed{said}{detail}")
    return CloudErrorInfo(CloudErrorKind.UNKNOWN, f"the call failed: {redact.redact_exception(exc)}")


# -- the cheap real call behind `credentials test` ------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one service check."""

    service: str
    endpoint: str
    ok: bool
    kind: CloudErrorKind | None
    message: str
    elapsed: float

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "endpoint": self.endpoint,
            "ok": self.ok,
            "kind": self.kind.value if self.kind else None,
            "message": self.message,
            "elapsed": round(self.elapsed, 3),
        }


def _timeouts(timeout: float) -> Any:
    from facecurator.cloud.clients import Timeouts

    return Timeouts(connect=timeout, read=timeout)


def _oss_check(profile: Profile, creds: Credentials, timeout: float) -> str:
    from facecurator.cloud import clients

    if profile.bucket:
        # Listing is what the app needs on a gallery bucket; it also proves the region.
        bucket = clients.oss_bucket(profile, profile.bucket, creds, timeouts=_timeouts(timeout))
        bucket.list_objects_v2(max_keys=1)
        return f"bucket {profile.bucket} listable"
    result = clients.oss_service(profile, creds, timeouts=_timeouts(timeout)).list_buckets(max_keys=1)
    owner = getattr(getattr(result, "owner", None), "id", "") or ""
    return "ListBuckets accepted" + (f" (owner {owner})" if owner else "")


def _runtime(timeout: float) -> Any:
    from darabonba.runtime import RuntimeOptions

    millis = int(timeout * 1000)
    return RuntimeOptions(autoretry=False, max_attempts=0, connect_timeout=millis, read_timeout=millis)


def _imm_check(profile: Profile, creds: Credentials, timeout: float) -> str:
    from alibabacloud_imm20200930 import models

    from facecurator.cloud import clients

    client = clients.imm_client(profile, creds, timeouts=_timeouts(timeout))
    if profile.imm_project:
        request = models.GetProjectRequest(project_name=profile.imm_project)
        client.get_project_with_options(request, _runtime(timeout))
        return f"IMM project {profile.imm_project} readable"
    client.list_projects_with_options(models.ListProjectsRequest(max_results=1), _runtime(timeout))
    return "ListProjects accepted"


def _green_check(profile: Profile, creds: Credentials, timeout: float) -> str:
    from facecurator.cloud import clients

    client = clients.green_client(profile, creds, timeouts=_timeouts(timeout))
    response = client.describe_upload_token_with_options(_runtime(timeout))
    body = getattr(response, "body", None)
    code = getattr(body, "code", None)
    if code not in (None, 200, "200"):
        # Content Moderation answers HTTP 200 with its own Code (seeds: 403 = QPS limit,
        # 408 = no permission / not activated / overdue payment).
        from alibabacloud_tea_openapi.exceptions import ClientException

        named = {"403": "Throttling.Moderation", "408": "Forbidden.Moderation"}.get(str(code))
        message = f"Moderation Code {code}: {getattr(body, 'msg', '') or ''}".strip()
        raise ClientException(code=named or f"Moderation.{code}", message=message)
    return "DescribeUploadToken accepted"


_CHECKS: Final = {"oss": _oss_check, "imm": _imm_check, "green": _green_check}


def check_service(
    profile: Profile, creds: Credentials, service: Service, *, timeout: float = 10.0
) -> CheckResult:
    """Make one cheap, read-only call to ``service`` with ``creds``; never raises for cloud failures."""
    endpoint = profile.endpoint_for(service)
    started = time.monotonic()
    try:
        summary = _CHECKS[service](profile, creds, timeout)
    except Exception as exc:  # noqa: BLE001 - every SDK failure is classified, none escapes
        kind, message = classify_cloud_error(exc)
        return CheckResult(service, endpoint, False, kind, redact.redact(message), time.monotonic() - started)
    return CheckResult(service, endpoint, True, None, redact.redact(summary), time.monotonic() - started)
