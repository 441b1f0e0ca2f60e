"""The three request signatures the emulator verifies, recomputed from the documented
canonical forms: OSS V1 (HMAC-SHA1), OSS V4 (OSS4-HMAC-SHA256) and ACS3-HMAC-SHA256."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

_OSS_V1_SUBRESOURCES = frozenset(
    {
        "acl", "uploadId", "uploads", "partNumber", "group", "link", "delete", "website", "location",
        "objectInfo", "objectMeta", "response-content-type", "response-content-language",
        "response-expires", "response-cache-control", "response-content-disposition",
        "response-content-encoding", "logging", "cors", "lifecycle", "restore", "qos", "referer",
        "stat", "bucketInfo", "append", "position", "security-token", "live", "comp", "status",
        "vod", "startTime", "endTime", "x-oss-process", "symlink", "callback", "callback-var",
        "tagging", "encryption", "versions", "versioning", "versionId", "policy", "requestPayment",
        "x-oss-traffic-limit", "continuation-token", "x-oss-request-payer", "sequential",
        "inventory", "inventoryId", "worm", "wormId", "wormExtend", "replication", "metaQuery",
        "regionList", "x-oss-async-process", "style", "styleName",
    }
)  # fmt: skip


def _v4_encode(text: str, keep_slash: bool) -> str:
    safe = "-_.~" + ("/" if keep_slash else "")
    return quote(text, safe=safe)


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def oss_v1_signature(
    secret: str, method: str, headers: dict[str, str], resource: str, params: list[tuple[str, str]]
) -> str:
    """OSS signature V1 (HMAC-SHA1), from the documented string-to-sign."""
    lower = {k.lower(): v for k, v in headers.items()}
    oss_headers = sorted((k, v.strip()) for k, v in lower.items() if k.startswith("x-oss-"))
    sub = sorted((k, v) for k, v in params if k in _OSS_V1_SUBRESOURCES)
    if sub:
        resource += "?" + "&".join(f"{k}={v}" if v else k for k, v in sub)
    string_to_sign = "\n".join(
        [
            method,
            lower.get("content-md5", ""),
            lower.get("content-type", ""),
            lower.get("x-oss-date") or lower.get("date", ""),
            "".join(f"{k}:{v}\n" for k, v in oss_headers) + resource,
        ]
    )
    digest = hmac.new(secret.encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def oss_v4_signature(
    secret: str,
    method: str,
    headers: dict[str, str],
    canonical_uri: str,
    params: list[tuple[str, str]],
    scope: str,
    additional: list[str],
) -> str:
    """OSS signature V4 (OSS4-HMAC-SHA256), from the documented canonical request."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    query = sorted((_v4_encode(k, False), _v4_encode(v, False)) for k, v in params)
    canonical_query = "&".join(f"{k}={v}" if v else k for k, v in query)
    signed = sorted(
        (k, v)
        for k, v in lower.items()
        if k.startswith("x-oss-") or k in ("content-type", "content-md5") or k in additional
    )
    canonical_request = "\n".join(
        [
            method,
            _v4_encode(canonical_uri, True),
            canonical_query,
            "".join(f"{k}:{v}\n" for k, v in signed),
            ";".join(sorted(additional)),
            lower.get("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
        ]
    )
    date_time = lower.get("x-oss-date", "")
    string_to_sign = "\n".join(
        ["OSS4-HMAC-SHA256", date_time, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    day, region, product, terminal = scope.split("/")
    key = _hmac256(("aliyun_v4" + secret).encode(), day)
    key = _hmac256(key, region)
    key = _hmac256(key, product)
    key = _hmac256(key, terminal)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def acs3_signature(
    secret: str,
    method: str,
    path: str,
    params: list[tuple[str, str]],
    headers: dict[str, list[str]],
    signed_headers: list[str],
    payload_hash: str,
) -> str:
    """ACS3-HMAC-SHA256 (the V3 signature of Alibaba Cloud OpenAPI)."""
    query = sorted((k, quote(v, safe="~")) for k, v in params)
    canonical_query = "&".join(f"{k}={v}" for k, v in query)
    canonical_headers = "".join(
        f"{name}:{','.join(sorted(v.strip() for v in headers.get(name, [])))}\n" for name in signed_headers
    )
    canonical_request = "\n".join(
        [method, path or "/", canonical_query, canonical_headers, ";".join(signed_headers), payload_hash]
    )
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return hmac.new(secret.encode(), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


# --- HTTP handler ---------------------------------------------------------------------------
