"""Cloud detectors: OSS ``image/faces``, IMM ``DetectImageFaces`` and Content
Moderation 2.0 ``ImageModeration`` (``faceDetect_global`` / ``faceDetect_pro_global``).

Each satisfies :class:`facecurator.domain.protocols.Detector`; a worker thread gets
its own instance through :meth:`clone` (own SDK clients), while the rate
limiter of a service and the Moderation upload token are shared by all of
them. Every call goes through :func:`facecurator.cloud.ratelimit.call_with_retries`:
throttling lowers the shared rate, transient failures are retried with jitter,
and the final failure is one :class:`~facecurator.errors.DetectorError` naming
the image and the call (``DetectorAuthError`` when the credentials are refused).

Business errors are never mistaken for "no face": Moderation answers HTTP 200
with its own ``Code``, which :func:`facecurator.domain.normalize.normalize`
turns into a ``ProviderError`` (403 = throttled and retried, others reported).

``DetectionResult.paid_calls`` counts the billable calls that succeeded (one
per detected image; failed or throttled calls are not billed by the
providers). Image size comes from OSS ``image/info`` for OSS objects (cheap,
not a detection call, made *beside* the paid call so its round trip adds no
latency) or from the image header for local files; ``None`` if that fails.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar

from facecurator.cloud.clients import DEFAULT_TIMEOUTS, Timeouts
from facecurator.cloud.ratelimit import DEFAULT_POLICY, RetryPolicy
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.errors import ConfigError, DetectorAuthError, DetectorError

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11

    from facecurator.cloud.credentials import Credentials
    from facecurator.cloud.profiles import Profile

log = logging.getLogger("facecurator.detect.cloud")

T = TypeVar("T")

GREEN_SERVICE: Final = "faceDetect_global"
GREEN_PRO_SERVICE: Final = "faceDetect_pro_global"
#: Refresh the Moderation upload token this long before it expires.
UPLOAD_TOKEN_MARGIN: Final = 120.0


def _split_oss(uri: str) -> tuple[str, str] | None:
    if not uri.startswith("oss://"):
        return None
    bucket, _, key = uri[len("oss://") :].partition("/")
    return (bucket, key) if bucket and key else None


_side_pool: ThreadPoolExecutor | None = None
_side_pool_lock = threading.Lock()


def _side_calls() -> ThreadPoolExecutor:
    """Threads for the unbilled calls made beside a paid one (OSS ``image/info``)."""
    global _side_pool
    with _side_pool_lock:
        if _side_pool is None:
            from facecurator.cloud.concurrency import MAX_IN_FLIGHT

            _side_pool = ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT, thread_name_prefix="fc-cloud-side")
        return _side_pool


def _size_from_bytes(data: bytes) -> tuple[int | None, int | None]:
    """Upright width/height from the image header (EXIF orientation applied), or Nones."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            try:
                orientation = img.getexif().get(0x0112, 1)
            except Exception:  # noqa: BLE001 - broken EXIF: keep the stored size
                orientation = 1
    except Exception:  # noqa: BLE001 - any undecodable header: size unknown
        return None, None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height


class _CloudDetector:
    """Shared plumbing: profile, credentials, per-thread clients, retries."""

    name: ClassVar[str]
    needs_bytes: ClassVar[bool] = False
    #: every call costs money: front ends estimate and confirm first
    paid: ClassVar[bool] = True
    #: the service whose limiter paces the billable call
    limit_service: ClassVar[str]

    def __init__(
        self,
        profile: Profile | str | None = None,
        *,
        credentials: Credentials | None = None,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_POLICY,
        measure_size: bool = True,
    ) -> None:
        from facecurator.cloud.clients import credentials_for, resolve

        self.profile = resolve(profile)
        try:
            self.credentials = credentials_for(self.profile, credentials)
        except ConfigError as exc:
            raise ConfigError(f"{self.name} detector: {exc}") from None
        self.timeouts = timeouts
        self.retry = retry
        self.measure_size = measure_size
        self._buckets: dict[str, Any] = {}

    @property
    def registry_name(self) -> str:
        """The name :func:`facecurator.detect.registry.make_detector` knows it by (and the
        price table, :func:`facecurator.cloud.cost.estimate`): ``green-pro`` for the pro edition."""
        return self.name

    @property
    def rate_cap(self) -> float:
        """Billable calls per second the service allows (this profile's cap): the scan
        sizes the calls in flight from it and the measured latency, not from the CPUs."""
        from facecurator.cloud.ratelimit import limiter_for

        return limiter_for(self.limit_service, self.profile.name, self.profile.qps).max_rate

    # -- Detector protocol ----------------------------------------------------------------

    @property
    def settings_key(self) -> str:
        return json.dumps(self._settings(), sort_keys=True, separators=(",", ":"))

    def _settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def clone(self) -> Self:
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._buckets = {}
        twin._reset_clients()
        return twin

    def _reset_clients(self) -> None:
        """Drop per-instance SDK clients (a clone builds its own)."""

    def close(self) -> None:
        self._buckets.clear()
        self._reset_clients()

    # -- helpers --------------------------------------------------------------------------

    def _oss_bucket(self, bucket: str) -> Any:
        client = self._buckets.get(bucket)
        if client is None:
            from facecurator.cloud.clients import oss_bucket

            client = self._buckets[bucket] = oss_bucket(
                self.profile, bucket, self.credentials, timeouts=self.timeouts
            )
        return client

    def _retry(
        self,
        call: Callable[[], T],
        *,
        subject: str,
        what: str,
        classify: Callable[[BaseException], Any],
        limit: str | None,
    ) -> T:
        from facecurator.cloud.ratelimit import call_with_retries, limiter_for

        limiter = limiter_for(limit, self.profile.name, self.profile.qps) if limit else None
        return call_with_retries(
            call,
            subject=subject,
            what=what,
            classify=classify,
            limiter=limiter,
            policy=self.retry,
            error_type=DetectorError,
            auth_error_type=DetectorAuthError,
        )

    def _classify_oss(self, exc: BaseException) -> Any:
        from facecurator.cloud.sdk_errors import retry_failure

        return retry_failure(exc, self.profile.endpoint_for("oss"))

    def _require_oss(self, ref: ImageRef) -> tuple[str, str]:
        parts = _split_oss(ref.uri)
        if parts is None:
            raise DetectorError(f"{ref.uri}: the {self.name} detector works on OSS images (oss://...) only")
        return parts

    def _oss_image_size_beside(
        self, ref: ImageRef, bucket: str, key: str
    ) -> Callable[[], tuple[int | None, int | None]]:
        """Start ``image/info`` on a side thread (it runs while the paid call is on the
        wire); returns the function that waits for its answer. The ``oss2.Bucket`` is
        shared with that thread (its session is a thread-safe connection pool)."""
        if not self.measure_size:
            return lambda: (None, None)
        self._oss_bucket(bucket)  # built here, never by two threads at once
        return _side_calls().submit(self._oss_image_size, ref, bucket, key).result

    def _oss_image_size(self, ref: ImageRef, bucket: str, key: str) -> tuple[int | None, int | None]:
        """Width/height from OSS ``x-oss-process=image/info`` (None when it fails)."""
        if not self.measure_size:
            return None, None
        try:
            body = self._retry(
                lambda: self._oss_bucket(bucket).get_object(key, process="image/info").read(),
                subject=ref.uri,
                what="OSS image/info",
                classify=self._classify_oss,
                limit="oss",
            )
            info = json.loads(body)
            return int(info["ImageWidth"]["value"]), int(info["ImageHeight"]["value"])
        except DetectorAuthError:
            raise
        except (DetectorError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s: image size unknown: %s", ref.uri, exc)
            return None, None

    @staticmethod
    def _normalized(payload: Any, shape: str, pro: bool | None = None) -> tuple[Any, Any]:
        """(payload, NormalizedResult). Called inside the retried call, so a business
        error (``ProviderError``) is retried or reported like any failed call, naming the image."""
        from facecurator.domain.normalize import normalize

        return payload, normalize(payload, shape=shape, pro=pro)

    def _result(
        self,
        answer: tuple[Any, Any],
        *,
        size: tuple[int | None, int | None],
        extra: dict[str, Any] | None = None,
    ) -> DetectionResult:
        payload, normalized = answer
        width = normalized.width if normalized.width is not None else size[0]
        height = normalized.height if normalized.height is not None else size[1]
        merged = dict(normalized.extra)
        merged.update(extra or {})
        return DetectionResult(
            faces=normalized.faces, width=width, height=height, raw=payload, paid_calls=1, extra=merged
        )


# --------------------------------------------------------------------------- oss-faces


class OssFacesDetector(_CloudDetector):
    """OSS ``GetObject`` with ``x-oss-process=image/faces`` (V4 signed). OSS images only."""

    name: ClassVar[str] = "oss-faces"
    limit_service: ClassVar[str] = "oss-faces"

    def _settings(self) -> dict[str, Any]:
        return {"service": "oss", "process": "image/faces"}

    def detect(self, ref: ImageRef, data: bytes | None = None) -> DetectionResult:
        bucket, key = self._require_oss(ref)
        client = self._oss_bucket(bucket)  # built before the rate limiter hands out a slot
        size = self._oss_image_size_beside(ref, bucket, key)

        def call() -> Any:
            body = client.get_object(key, process="image/faces").read()
            try:
                payload = json.loads(body)
            except ValueError as exc:
                raise DetectorError(f"the answer is not JSON: {exc}") from None
            return self._normalized(payload, "oss-faces")

        answer = self._retry(
            call,
            subject=ref.uri,
            what="OSS image/faces",
            classify=self._classify_oss,
            limit=self.limit_service,
        )
        return self._result(answer, size=size())


# --------------------------------------------------------------------------- imm


class ImmDetector(_CloudDetector):
    """IMM ``DetectImageFaces(ProjectName, SourceURI=oss://bucket/key)``. OSS images only."""

    name: ClassVar[str] = "imm"
    limit_service: ClassVar[str] = "imm"

    def __init__(
        self, profile: Profile | str | None = None, *, project: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(profile, **kwargs)
        self.project = project or self.profile.imm_project
        if not self.project:
            raise ConfigError(
                f"the imm detector needs an IMM project: facecurator profile set {self.profile.name} "
                "--imm-project NAME"
            )
        self._client: Any = None

    def _reset_clients(self) -> None:
        self._client = None

    def _settings(self) -> dict[str, Any]:
        return {
            "service": "imm",
            "action": "DetectImageFaces",
            "project": self.project,
            "region": self.profile.region,
        }

    def _imm(self) -> Any:
        if self._client is None:
            from facecurator.cloud.clients import imm_client

            self._client = imm_client(self.profile, self.credentials, timeouts=self.timeouts)
        return self._client

    def detect(self, ref: ImageRef, data: bytes | None = None) -> DetectionResult:
        from alibabacloud_imm20200930 import models

        from facecurator.cloud.sdk_errors import retry_failure

        bucket, key = self._require_oss(ref)
        endpoint = self.profile.endpoint_for("imm")
        client = self._imm()  # built before the rate limiter hands out a slot
        size = self._oss_image_size_beside(ref, bucket, key)

        def call() -> Any:
            request = models.DetectImageFacesRequest(project_name=self.project, source_uri=ref.uri)
            return self._normalized(client.detect_image_faces(request).body.to_map(), "imm")

        answer = self._retry(
            call,
            subject=ref.uri,
            what="IMM DetectImageFaces",
            classify=lambda exc: retry_failure(exc, endpoint),
            limit=self.limit_service,
        )
        return self._result(answer, size=size())


# --------------------------------------------------------------------------- green


class _UploadToken:
    """A DescribeUploadToken answer: STS credentials for Moderation's own upload bucket."""

    def __init__(self, data: Any, scheme: str) -> None:
        self.access_key_id: str = data.access_key_id
        self.access_key_secret: str = data.access_key_secret
        self.security_token: str = data.security_token
        self.bucket: str = data.bucket_name
        self.prefix: str = data.file_name_prefix or ""
        self.expiration: float = float(data.expiration or 0)
        endpoint = data.oss_internet_end_point or ""
        self.endpoint = endpoint if "://" in endpoint else f"{scheme}://{endpoint}"
        from facecurator.cloud import redact

        redact.register_secret(self.access_key_secret)
        redact.register_secret(self.security_token)

    def fresh(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) < self.expiration - UPLOAD_TOKEN_MARGIN


class _UploadTokenCache:
    """One upload token per (profile, endpoint, key id), shared by all threads until it nearly expires."""

    _tokens: ClassVar[dict[tuple[str, str, str], _UploadToken]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()
    #: wall-clock seconds (the token's expiration is a Unix time); tests inject their own
    clock: ClassVar[Callable[[], float]] = time.time

    @classmethod
    def get(cls, key: tuple[str, str, str], fetch: Callable[[], _UploadToken]) -> _UploadToken:
        with cls._lock:  # one fetch at a time: threads waiting here reuse the new token
            token = cls._tokens.get(key)
            if token is None or not token.fresh(cls.clock()):
                token = cls._tokens[key] = fetch()
            return token

    @classmethod
    def invalidate(cls, key: tuple[str, str, str], token: _UploadToken) -> None:
        with cls._lock:
            if cls._tokens.get(key) is token:
                del cls._tokens[key]

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls._tokens.clear()


class GreenDetector(_CloudDetector):
    """Content Moderation 2.0 ``ImageModeration`` with ``faceDetect_global`` or, with
    ``pro=True``, ``faceDetect_pro_global`` (adds the eyes-closed / exaggerated labels).

    OSS images are named by ``ossBucketName/ossObjectName/ossRegionId`` (the
    bucket must be authorised for Moderation); local images are uploaded first
    to Moderation's own bucket with the STS token of ``DescribeUploadToken``
    (kept there 30 minutes by the service) and then named the same way.
    ``needs_bytes`` is False: local files are read here when no bytes are given.
    """

    name: ClassVar[str] = "green"

    def __init__(self, profile: Profile | str | None = None, *, pro: bool = False, **kwargs: Any) -> None:
        super().__init__(profile, **kwargs)
        self.pro = bool(pro)
        self._client: Any = None
        #: the upload bucket's client, built once per upload token
        self._upload_client: tuple[_UploadToken, Any] | None = None

    @property
    def service(self) -> str:
        return GREEN_PRO_SERVICE if self.pro else GREEN_SERVICE

    @property
    def limit_service(self) -> str:  # type: ignore[override]
        return "green-pro" if self.pro else "green"

    @property
    def registry_name(self) -> str:
        return "green-pro" if self.pro else "green"

    def _reset_clients(self) -> None:
        self._client = None
        self._upload_client = None

    def _settings(self) -> dict[str, Any]:
        return {"service": "green", "edition": self.service}

    def _green(self) -> Any:
        if self._client is None:
            from facecurator.cloud.clients import green_client

            self._client = green_client(self.profile, self.credentials, timeouts=self.timeouts)
        return self._client

    def _classify_green(self, exc: BaseException) -> Any:
        from facecurator.cloud.sdk_errors import retry_failure

        return retry_failure(exc, self.profile.endpoint_for("green"))

    # -- upload of local images ------------------------------------------------------------

    def _token_key(self) -> tuple[str, str, str]:
        return (self.profile.name, self.profile.endpoint_for("green"), self.credentials.access_key_id)

    def _fetch_token(self, subject: str) -> _UploadToken:
        scheme = self.profile.endpoint_for("green").split("://", 1)[0]

        def call() -> _UploadToken:
            from facecurator.domain.normalize import ProviderError

            body = self._green().describe_upload_token().body
            if body.code != 200 or body.data is None:
                raise ProviderError(
                    f"Moderation DescribeUploadToken: Code {body.code}: {body.msg}",
                    shape="green-2.0",
                    code=body.code,
                    request_id=body.request_id,
                    retryable=body.code in (403, 500),
                    throttled=body.code == 403,
                )
            return _UploadToken(body.data, scheme)

        return self._retry(
            call,
            subject=subject,
            what="Moderation DescribeUploadToken",
            classify=self._classify_green,
            limit=None,
        )

    def _upload(self, ref: ImageRef, data: bytes) -> tuple[str, str]:
        """Put a local image into Moderation's upload bucket; returns (bucket, object name)."""
        import oss2

        from facecurator.cloud.clients import oss_bucket

        key = self._token_key()
        suffix = PurePosixPath(Path(ref.uri).name).suffix.lower()[:8] or ".jpg"
        for attempt in (1, 2):
            token = _UploadTokenCache.get(key, lambda: self._fetch_token(ref.uri))
            object_name = f"{token.prefix}{uuid.uuid4().hex}{suffix}"
            if self._upload_client is not None and self._upload_client[0] is token:
                bucket = self._upload_client[1]  # one client (and connection) per token
            else:
                auth = oss2.StsAuth(token.access_key_id, token.access_key_secret, token.security_token)
                bucket = oss_bucket(
                    self.profile, token.bucket, auth=auth, endpoint=token.endpoint, timeouts=self.timeouts
                )
                self._upload_client = (token, bucket)
            try:
                self._retry(
                    lambda b=bucket, n=object_name: b.put_object(n, data),  # type: ignore[misc]
                    subject=ref.uri,
                    what="Moderation upload (OSS PutObject)",
                    classify=self._classify_oss,
                    limit="oss",
                )
            except DetectorAuthError:
                # The cached STS token was revoked or expired early: fetch a new one once.
                _UploadTokenCache.invalidate(key, token)
                if attempt == 2:
                    raise
                continue
            return token.bucket, object_name
        raise AssertionError("unreachable")  # pragma: no cover

    # -- detection ----------------------------------------------------------------------------

    def detect(self, ref: ImageRef, data: bytes | None = None) -> DetectionResult:
        oss = _split_oss(ref.uri)
        extra: dict[str, Any] = {}
        if oss is not None:
            bucket, key = oss
            params = {"ossBucketName": bucket, "ossObjectName": key, "ossRegionId": self.profile.region}
            size = self._oss_image_size_beside(ref, bucket, key)
        else:
            if data is None:
                from facecurator.domain.files import read_regular_file

                data = read_regular_file(ref.uri, DetectorError)
            measured = _size_from_bytes(data) if self.measure_size else (None, None)
            size = lambda: measured  # noqa: E731
            bucket, key = self._upload(ref, data)
            params = {"ossBucketName": bucket, "ossObjectName": key}
            extra["uploaded_as"] = f"oss://{bucket}/{key}"
        params["dataId"] = uuid.uuid4().hex
        service_parameters = json.dumps(params)
        from alibabacloud_green20220302 import models

        client = self._green()  # built before the rate limiter hands out a slot

        def call() -> Any:
            request = models.ImageModerationRequest(
                service=self.service, service_parameters=service_parameters
            )
            # normalize() raises for business Codes: 403 is retried as throttling, others reported
            return self._normalized(client.image_moderation(request).body.to_map(), "green-2.0", self.pro)

        answer = self._retry(
            call,
            subject=ref.uri,
            what=f"Moderation ImageModeration ({self.service})",
            classify=self._classify_green,
            limit=self.limit_service,
        )
        extra["service"] = self.service
        return self._result(answer, size=size(), extra=extra)
