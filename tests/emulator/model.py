"""The emulator's accounts, buckets, fault plan and call log: plain data, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

ACCESS_KEY_ID = "LTAI5tEmulatorTestKey"
ACCESS_KEY_SECRET = "emulator-secret-0123456789abcdef"
REGION = "cn-hangzhou"
IMM_PROJECT = "test-project"
BUCKET = "test-bucket"

IMM_VERSION = "2020-09-30"
GREEN_VERSION = "2022-03-02"
GREEN_SERVICES = {"faceDetect_global": "green", "faceDetect_pro_global": "green-pro"}


@dataclass
class Faults:
    """Fault injection, applied to requests of ``services`` (by default only the
    billable detection calls; set ``all_requests`` to hit every request, listings,
    reads and uploads included).

    Attributes:
        throttle_rate: fraction answered with the service's throttling response
            (OSS 503 SlowDown, IMM 400 Throttling.User, Green HTTP 200 Code 403).
        error_rate: fraction answered with a server error (OSS 500 InternalError,
            IMM 503 ServiceUnavailable, Green HTTP 503 or HTTP 200 Code 500).
        timeout_rate: fraction that hang ``hang`` seconds before answering (the
            client times out).
        latency: seconds added to every affected request.
        seed: seed of the RNG that draws the faults (reproducible runs).
    """

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    latency: float = 0.0
    hang: float = 3.0
    services: frozenset[str] = frozenset({"oss", "imm", "green"})
    all_requests: bool = False
    seed: int = 0


@dataclass
class KeyInfo:
    """One AccessKey the emulator accepts."""

    secret: str
    security_token: str | None = None
    expires_at: float | None = None
    #: services this key may call ("oss", "imm", "green"); others get the permission error
    services: frozenset[str] = frozenset({"oss", "imm", "green"})


@dataclass
class StoredObject:
    data: bytes
    etag: str
    last_modified: float
    content_type: str = "application/octet-stream"

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class EmulatedBucket:
    name: str
    region: str
    objects: dict[str, StoredObject] = field(default_factory=dict)
    _sorted: list[str] | None = None

    def keys(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.objects)
        return self._sorted

    def put(self, key: str, obj: StoredObject) -> None:
        if key not in self.objects:
            self._sorted = None
        self.objects[key] = obj


@dataclass(frozen=True)
class Call:
    """One request the emulator answered."""

    service: str  # oss | imm | green
    action: str  # e.g. GetObject, ListObjectsV2, DetectImageFaces, ImageModeration
    target: str  # bucket/key, SourceURI or ossBucketName/ossObjectName ('' when none)
    status: int  # HTTP status
    code: str  # error code or business Code ('' / '200' on success)
    billable: bool
    at: float
    #: the billing bucket: oss-faces, imm, green or green-pro ('' when not billable)
    billed_as: str = ""
