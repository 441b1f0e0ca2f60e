"""The cheap real call behind ``credentials test``, classified like every other cloud call.

Why a call failed is told by the one SDK-error classifier,
:mod:`facecurator.cloud.sdk_errors` (re-exported here: :class:`CloudErrorKind`,
:func:`classify_cloud_error`); the detectors and sources retry by the same one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from facecurator.cloud import redact
from facecurator.cloud.sdk_errors import CLOUD, CloudErrorInfo, CloudErrorKind, classify_cloud_error

if TYPE_CHECKING:
    from facecurator.cloud.credentials import Credentials
    from facecurator.cloud.profiles import Profile, Service

__all__ = ["CheckResult", "CloudErrorInfo", "CloudErrorKind", "check_service", "classify_cloud_error"]


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
        return CLOUD.text("check.bucket", bucket=profile.bucket)
    result = clients.oss_service(profile, creds, timeouts=_timeouts(timeout)).list_buckets(max_keys=1)
    owner = getattr(getattr(result, "owner", None), "id", "") or ""
    return CLOUD.text("check.buckets_owner", owner=owner) if owner else CLOUD.text("check.buckets")


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
        return CLOUD.text("check.project", project=profile.imm_project)
    client.list_projects_with_options(models.ListProjectsRequest(max_results=1), _runtime(timeout))
    return CLOUD.text("check.projects")


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
    return CLOUD.text("check.upload_token")


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
