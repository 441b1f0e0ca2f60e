"""A loopback emulator of Alibaba Cloud OSS, IMM and Content Moderation 2.0.

One threaded ``http.server`` on ``127.0.0.1`` answers all three services, so a
profile whose OSS, IMM and Green endpoints are ``http://127.0.0.1:PORT`` drives
the *real* SDKs (oss2 and the Tea-based IMM/Green clients) through our code.

What it does, like the real services:

* **OSS** (path-style ``/bucket/key``, which oss2 uses for IP endpoints, or
  virtual-host ``bucket.host``): ListBuckets, ListObjectsV2 (prefix, delimiter,
  continuation-token, start-after, max-keys, ``encoding-type=url``), GetObject,
  GetObject with ``x-oss-process=image/faces`` (billable, IMM face shape) and
  ``image/info``, HeadObject, PutObject; error XML with the real codes
  (NoSuchBucket, NoSuchKey, AccessDenied, InvalidAccessKeyId,
  SignatureDoesNotMatch, InvalidSecurityToken, SlowDown, InternalError).
  Signatures V1 (``OSS ak:sig``) and V4 (``OSS4-HMAC-SHA256``) are verified.
* **IMM 2020-09-30** ``DetectImageFaces`` and **Green 2022-03-02**
  ``ImageModeration`` / ``DescribeUploadToken``: the Tea SDKs sign with
  ACS3-HMAC-SHA256 (``Authorization: ACS3-HMAC-SHA256 Credential=..,
  SignedHeaders=..,Signature=..`` over the canonical request, RPC parameters in
  the query or a form body); the emulator recomputes the signature and the
  ``x-acs-content-sha256`` payload hash and checks STS tokens
  (``x-acs-security-token``). Errors are the gateway's JSON
  (``InvalidAccessKeyId.NotFound``, ``SignatureDoesNotMatch``,
  ``InvalidSecurityToken.*``, ``Forbidden.RAM``, ``Throttling.User``); Moderation
  business errors are HTTP 200 with their own ``Code`` (403 QPS, 404, 407, 408).
* Faces are derived deterministically from each object's **content** (MD5), so
  results differ per image and repeat for the same bytes; boxes lie inside the
  real image size (read with Pillow). Objects whose key contains ``noface``
  have no face. :meth:`CloudEmulator.expected_faces` gives the ground truth.
* **Faults** (:class:`Faults`): throttling, 5xx, added latency and hangs
  (client timeouts) at given rates with a seeded RNG; per-service QPS caps.
* **Billing**: :attr:`CloudEmulator.billable` counts successful billable calls
  per detector name (``oss-faces``, ``imm``, ``green``, ``green-pro``).

Use the ``cloud_emulator`` fixture (a started emulator) and ``cloud_profile``
(profile ``test`` pointing at it, credentials in the environment).
"""

from __future__ import annotations

import base64
import bisect
import calendar
import datetime as dt
import email.utils
import hashlib
import hmac
import io
import json
import random
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape

import pytest

ACCESS_KEY_ID = "LTAI5tEmulatorTestKey"
ACCESS_KEY_SECRET = "emulator-secret-0123456789abcdef"
REGION = "cn-hangzhou"
IMM_PROJECT = "test-project"
BUCKET = "test-bucket"

IMM_VERSION = "2020-09-30"
GREEN_VERSION = "2022-03-02"
GREEN_SERVICES = {"faceDetect_global": "green", "faceDetect_pro_global": "green-pro"}

# --- seed response shapes (copied from ../shared/seeds so tests run without it; held to the
# seeds by tests/test_emulator_seeds.py when ../shared is present) ------------------------

#: One face of IMM DetectImageFaces (seeds: imm-detect-image-faces); OSS image/faces
#: returns the same objects under "Figures" (seeds: oss-image-faces).
SEED_IMM_FACE: dict[str, Any] = {
    "Beard": "none",
    "MaskConfidence": 0.724,
    "Gender": "male",
    "Boundary": {"Left": 138, "Top": 102, "Height": 19, "Width": 17},
    "BeardConfidence": 0.801,
    "FigureId": "b6525b63-cb12-4fab-a9f4-9c7de08b80c3",
    "Mouth": "close",
    "Emotion": "none",
    "Age": 36,
    "MouthConfidence": 0.984,
    "FigureType": "face",
    "GenderConfidence": 0.999,
    "HeadPose": {"Pitch": -9.386, "Roll": -3.478, "Yaw": 14.624},
    "Mask": "none",
    "EmotionConfidence": 0.998,
    "HatConfidence": 0.794,
    "GlassesConfidence": 0.999,
    "Sharpness": 0.025,
    "FigureClusterId": "figure-cluster-id-unavailable",
    "FaceQuality": 0.3,
    "Attractive": 0.002,
    "AgeSD": 8,
    "Glasses": "none",
    "FigureConfidence": 0.998,
    "Hat": "none",
}

#: One FaceData of Moderation 2.0 faceDetect_global (seeds: green-2.0-facedetect-global).
SEED_GREEN_FACE: dict[str, Any] = {
    "Age": 24,
    "Bang": {"Confidence": 100.0, "Value": "None"},
    "Gender": {"Confidence": 95.72, "Value": "Male"},
    "Glasses": "None",
    "Hairstyle": {"Confidence": 98.23, "Value": "Short"},
    "Hat": {"Confidence": 99.99, "Value": "None"},
    "Location": {"H": 98, "W": 98, "X": 550, "Y": 251},
    "Mask": {"Confidence": 99.99, "Value": "None"},
    "Mustache": {"Confidence": 99.58, "Value": "None"},
    "Quality": {"Blur": 13.72, "Integrity": 100.0, "Pitch": 5.84, "Roll": 3.66, "Yaw": 21.22},
    "Smile": 82.49,
}

GREEN_RESULT_NONE: dict[str, Any] = {
    "Confidence": None,
    "Description": "No risk detected",
    "Label": "nonLabel",
}
GREEN_RESULT_EYES_CLOSED: dict[str, Any] = {
    "Label": "face_eyesClosed",
    "Description": "The person in the image has closed eyes",
    "Confidence": 91.0,
}

#: Default image size when an object is not an image Pillow can size (the services
#: answer "cannot decode" for those; this is only used for ``expected_faces``).
DEFAULT_SIZE = (640, 480)


# --- configuration --------------------------------------------------------------------------


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


class _Reply(Exception):
    """Raised inside a handler to send a finished response."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str], code: str = "") -> None:
        super().__init__(code)
        self.status = status
        self.body = body
        self.headers = headers
        self.code = code


# --- the emulator --------------------------------------------------------------------------


class CloudEmulator:
    """OSS + IMM + Content Moderation 2.0 on one loopback port.

    Args:
        access_key_id / access_key_secret: the one long-term AccessKey accepted
            (more with :meth:`add_key`).
        region: the region of every bucket (V4 signatures must use it).
        imm_project: the only IMM project that exists.
    """

    def __init__(
        self,
        *,
        access_key_id: str = ACCESS_KEY_ID,
        access_key_secret: str = ACCESS_KEY_SECRET,
        region: str = REGION,
        imm_project: str = IMM_PROJECT,
    ) -> None:
        self.region = region
        self.imm_project = imm_project
        self.keys: dict[str, KeyInfo] = {access_key_id: KeyInfo(access_key_secret)}
        self.buckets: dict[str, EmulatedBucket] = {}
        self.faults = Faults()
        #: per-service QPS caps ("oss", "imm", "green", "green-pro"): beyond them, throttling
        self.qps_caps: dict[str, float] = {}
        #: lifetime of the STS credentials DescribeUploadToken hands out
        self.upload_token_ttl = 3600.0
        self.calls: list[Call] = []
        self.billable: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._rng = random.Random(0)
        self._windows: dict[str, deque[float]] = {}
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.upload_bucket = f"green-upload-{region}"
        self.create_bucket(self.upload_bucket)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> CloudEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="cloud-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> CloudEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` — the endpoint of all three services."""
        return f"http://{self.host}"

    # -- data -------------------------------------------------------------------------------

    def create_bucket(self, name: str, region: str | None = None) -> EmulatedBucket:
        with self._lock:
            bucket = self.buckets.get(name)
            if bucket is None:
                bucket = self.buckets[name] = EmulatedBucket(name, region or self.region)
            return bucket

    def put_object(self, bucket: str, key: str, data: bytes, *, content_type: str = "image/jpeg") -> str:
        """Store an object (bucket created on demand); returns its ETag (without quotes)."""
        etag = hashlib.md5(data).hexdigest().upper()
        with self._lock:
            self.create_bucket(bucket).put(key, StoredObject(data, etag, time.time(), content_type))
        return etag

    def put_many(self, bucket: str, keys: Iterable[str], data: bytes) -> int:
        """Store many objects sharing one body (fast: for listing tests)."""
        etag = hashlib.md5(data).hexdigest().upper()
        now = time.time()
        count = 0
        with self._lock:
            b = self.create_bucket(bucket)
            for key in keys:
                b.objects[key] = StoredObject(data, etag, now)
                count += 1
            b._sorted = None
        return count

    def get_object(self, bucket: str, key: str) -> StoredObject | None:
        with self._lock:
            b = self.buckets.get(bucket)
            return None if b is None else b.objects.get(key)

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        """Every object under a prefix (for asserting uploads)."""
        with self._lock:
            b = self.buckets.get(bucket)
            if b is None:
                return {}
            return {k: o.data for k, o in b.objects.items() if k.startswith(prefix)}

    # -- credentials ------------------------------------------------------------------------

    def add_key(
        self,
        access_key_id: str,
        secret: str,
        *,
        security_token: str | None = None,
        ttl: float | None = None,
        services: Iterable[str] = ("oss", "imm", "green"),
    ) -> None:
        """Accept another AccessKey (STS when ``security_token`` is given)."""
        with self._lock:
            self.keys[access_key_id] = KeyInfo(
                secret,
                security_token,
                None if ttl is None else time.time() + ttl,
                frozenset(services),
            )

    def deny(self, access_key_id: str, service: str) -> None:
        """Make calls of ``service`` with this key fail with the permission error."""
        with self._lock:
            info = self.keys[access_key_id]
            info.services = info.services - {service}

    # -- observation ------------------------------------------------------------------------

    def set_faults(self, **kwargs: Any) -> Faults:
        """Replace the fault plan (keyword arguments of :class:`Faults`) and reseed."""
        with self._lock:
            if "services" in kwargs:
                kwargs["services"] = frozenset(kwargs["services"])
            self.faults = Faults(**kwargs)
            self._rng = random.Random(self.faults.seed)
            return self.faults

    def count(
        self, *, service: str | None = None, action: str | None = None, status: int | None = None
    ) -> int:
        with self._lock:
            return sum(
                1
                for c in self.calls
                if (service is None or c.service == service)
                and (action is None or c.action == action)
                and (status is None or c.status == status)
            )

    def calls_of(self, action: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.action == action]

    def total_billable(self) -> int:
        with self._lock:
            return sum(self.billable.values())

    def reset_counters(self) -> None:
        with self._lock:
            self.calls.clear()
            self.billable.clear()

    # -- faces ------------------------------------------------------------------------------

    def expected_faces(self, bucket: str, key: str, *, shape: str = "imm") -> list[dict[str, Any]]:
        """The raw faces the emulator returns for an object (``imm`` or ``green``)."""
        obj = self.get_object(bucket, key)
        if obj is None:
            raise KeyError(f"{bucket}/{key}")
        size = _image_size(obj.data) or DEFAULT_SIZE
        return _faces_for(obj, key, size, shape)

    def expected_eyes_closed(self, bucket: str, key: str) -> bool:
        """Whether faceDetect_pro_global labels this object ``face_eyesClosed`` (when it has faces)."""
        obj = self.get_object(bucket, key)
        if obj is None:
            raise KeyError(f"{bucket}/{key}")
        return _eyes_closed(obj)

    def image_size(self, bucket: str, key: str) -> tuple[int, int] | None:
        obj = self.get_object(bucket, key)
        return None if obj is None else _image_size(obj.data)

    # -- internals used by the handler -------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            if call.billable:
                self.billable[call.billed_as] += 1

    def _draw_fault(self, service: str, billable: bool) -> str | None:
        with self._lock:
            f = self.faults
            if service not in f.services or not (billable or f.all_requests):
                return None
            roll = self._rng.random()
            if roll < f.throttle_rate:
                return "throttle"
            roll -= f.throttle_rate
            if roll < f.error_rate:
                return "error"
            roll -= f.error_rate
            if roll < f.timeout_rate:
                return "timeout"
            return None

    def _latency(self, service: str, billable: bool) -> float:
        with self._lock:
            f = self.faults
            if service in f.services and (billable or f.all_requests):
                return f.latency
            return 0.0

    def _over_cap(self, service: str) -> bool:
        """Sliding one-second window per service: True when this call exceeds the cap."""
        with self._lock:
            cap = self.qps_caps.get(service)
            if not cap:
                return False
            now = time.monotonic()
            window = self._windows.setdefault(service, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= cap:
                return True
            window.append(now)
            return False

    def _hang(self, seconds: float) -> None:
        self._stopping.wait(seconds)


# --- face generation ------------------------------------------------------------------------


def _image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _face_seed(obj: StoredObject) -> int:
    return int(hashlib.sha256(obj.data).hexdigest()[:12], 16)


def _faces_for(obj: StoredObject, key: str, size: tuple[int, int], shape: str) -> list[dict[str, Any]]:
    if "noface" in key:
        return []
    rng = random.Random(_face_seed(obj))
    width, height = size
    count = 1 + rng.randrange(3)
    faces = []
    for i in range(count):
        side = max(8, int(min(width, height) * rng.uniform(0.12, 0.3)))
        left = rng.randrange(0, max(1, width - side))
        top = rng.randrange(0, max(1, height - side))
        pitch, yaw, roll = (round(rng.uniform(-40, 40), 3) for _ in range(3))
        age = rng.randrange(6, 70)
        male = rng.random() < 0.5
        if shape == "imm":
            face = json.loads(json.dumps(SEED_IMM_FACE))
            face.update(
                {
                    "Boundary": {"Left": left, "Top": top, "Width": side, "Height": side},
                    "HeadPose": {"Pitch": pitch, "Yaw": yaw, "Roll": roll},
                    "Age": age,
                    "Gender": "male" if male else "female",
                    "FigureId": str(uuid.UUID(int=rng.getrandbits(128))),
                    "FigureConfidence": round(rng.uniform(0.8, 1.0), 3),
                    "Sharpness": round(rng.uniform(0.0, 1.0), 3),
                    "FaceQuality": round(rng.uniform(0.0, 1.0), 3),
                    "Mask": "mask" if i == 1 else "none",
                    "Glasses": ("none", "glasses", "sunglasses")[rng.randrange(3)],
                }
            )
        else:
            face = json.loads(json.dumps(SEED_GREEN_FACE))
            face.update(
                {
                    "Location": {"X": left, "Y": top, "W": side, "H": side},
                    "Quality": {
                        "Blur": round(rng.uniform(0, 60), 2),
                        "Integrity": round(rng.uniform(60, 100), 1),
                        "Pitch": pitch,
                        "Yaw": yaw,
                        "Roll": roll,
                    },
                    "Age": age,
                    "Gender": {"Confidence": 95.0, "Value": "Male" if male else "Female"},
                    "Glasses": ("None", "Common", "Sunglass")[rng.randrange(3)],
                    "Mask": {"Confidence": 99.0, "Value": "Wear" if i == 1 else "None"},
                }
            )
        faces.append(face)
    return faces


def _eyes_closed(obj: StoredObject) -> bool:
    return _face_seed(obj) % 2 == 1


# --- signatures -----------------------------------------------------------------------------

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


def _request_id() -> str:
    return uuid.uuid4().hex[:24].upper()


def _xml(root: str, inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{inner}</{root}>'.encode()


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class _Handler(BaseHTTPRequestHandler):
    emulator: CloudEmulator
    protocol_version = "HTTP/1.1"
    server_version = "AliyunOSS"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    # one entry point for every verb
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        self.raw_path = split.path
        self.params = parse_qsl(split.query, keep_blank_values=True)
        self.query = dict(self.params)
        self.call_target = ""
        self.billable = False
        self.target_service = ""
        service = "oss"
        action = self.command
        try:
            if self.headers.get("x-acs-action"):
                version = self.headers.get("x-acs-version", "")
                service = {IMM_VERSION: "imm", GREEN_VERSION: "green"}.get(version, "unknown")
                action = self.headers["x-acs-action"]
                self.action = action
                self._openapi(service, action)
            else:
                self.action = action
                self._oss()
        except _Reply as reply:
            call = Call(
                service=service,
                action=self.action,
                target=self.call_target,
                status=reply.status,
                code=reply.code,
                billable=self.billable and reply.status == 200 and reply.code in ("", "200"),
                at=time.time(),
                billed_as=self.target_service if self.billable else "",
            )
            # Recorded before answering: a client that saw the answer sees the count.
            self.emulator._record(call)
            self._send(reply.status, reply.body, reply.headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _faults(self, service: str, billable: bool) -> str | None:
        emu = self.emulator
        latency = emu._latency(service, billable)
        if latency:
            emu._hang(latency)
        fault = emu._draw_fault(service, billable)
        if fault == "timeout":
            emu._hang(emu.faults.hang)
            return "error"  # if the client is still listening, it gets a 5xx
        if fault is None and billable and emu._over_cap(self.target_service or service):
            return "throttle"
        return fault

    # -- OSS ------------------------------------------------------------------------------------

    def _oss_error(self, status: int, code: str, message: str, **extra: str) -> _Reply:
        rid = _request_id()
        inner = f"<Code>{code}</Code><Message>{escape(message)}</Message><RequestId>{rid}</RequestId>"
        inner += f"<HostId>{escape(self.headers.get('Host', ''))}</HostId>"
        inner += "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
        headers = {"Content-Type": "application/xml", "x-oss-request-id": rid}
        return _Reply(status, _xml("Error", inner), headers, code)

    def _oss_target(self) -> tuple[str, str]:
        """(bucket, key) from a path-style or virtual-host request."""
        host = (self.headers.get("Host") or "").split(":")[0]
        path = unquote(self.raw_path)
        labels = host.split(".")
        is_ip = all(p.isdigit() for p in labels) or host == "localhost"
        if not is_ip and len(labels) > 1 and labels[0] in self.emulator.buckets:
            return labels[0], path[1:]
        bucket, _, key = path[1:].partition("/")
        return bucket, key

    def _oss_auth(self, bucket: str, key: str) -> None:
        emu = self.emulator
        auth = self.headers.get("Authorization")
        if not auth:
            raise self._oss_error(
                403, "AccessDenied", "You have no right to access this object because of bucket acl."
            )
        headers = {k: v for k, v in self.headers.items()}
        if auth.startswith("OSS4-HMAC-SHA256 "):
            fields = dict(part.strip().split("=", 1) for part in auth[len("OSS4-HMAC-SHA256 ") :].split(","))
            credential = fields.get("Credential", "")
            ak, _, scope = credential.partition("/")
            additional = [h for h in fields.get("AdditionalHeaders", "").split(";") if h]
            info = emu.keys.get(ak)
            if info is None:
                raise self._oss_error(
                    403,
                    "InvalidAccessKeyId",
                    "The OSS Access Key Id you provided does not exist in our records.",
                    OSSAccessKeyId=ak,
                )
            scope_parts = scope.split("/")
            if len(scope_parts) != 4 or scope_parts[2] != "oss" or scope_parts[3] != "aliyun_v4_request":
                raise self._oss_error(400, "InvalidArgument", f"Invalid credential scope: {scope}")
            b = emu.buckets.get(bucket)
            region = b.region if b is not None else emu.region
            if scope_parts[1] != region:
                raise self._oss_error(
                    403,
                    "SignatureDoesNotMatch",
                    f"Invalid signing region in Authorization header: {scope_parts[1]} "
                    f"(bucket region is {region}).",
                )
            uri = f"/{bucket}/{key}" if bucket else "/"
            expected = oss_v4_signature(
                info.secret, self.command, headers, uri, self.params, scope, additional
            )
            given = fields.get("Signature", "")
        elif auth.startswith("OSS "):
            ak, _, given = auth[4:].rpartition(":")
            info = emu.keys.get(ak)
            if info is None:
                raise self._oss_error(
                    403,
                    "InvalidAccessKeyId",
                    "The OSS Access Key Id you provided does not exist in our records.",
                    OSSAccessKeyId=ak,
                )
            resource = f"/{bucket}/{key}" if bucket else "/"
            expected = oss_v1_signature(info.secret, self.command, headers, resource, self.params)
        else:
            raise self._oss_error(400, "InvalidArgument", "Authorization header is invalid.")
        if not hmac.compare_digest(expected, given):
            raise self._oss_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
                OSSAccessKeyId=ak,
            )
        self._check_token(info, self.headers.get("x-oss-security-token"), oss=True)
        if "oss" not in info.services:
            raise self._oss_error(
                403,
                "AccessDenied",
                "You are not authorized to do this action. You should be authorized by RAM.",
            )

    def _check_token(self, info: KeyInfo, token: str | None, *, oss: bool) -> None:
        if info.security_token is None:
            return
        if token != info.security_token:
            if oss:
                raise self._oss_error(
                    403, "InvalidSecurityToken", "The security token you provided is invalid."
                )
            raise self._acs_error(
                400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey."
            )
        if info.expires_at is not None and time.time() > info.expires_at:
            if oss:
                raise self._oss_error(
                    403, "SecurityTokenExpired", "The security token you provided has expired."
                )
            raise self._acs_error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")

    def _oss(self) -> None:
        emu = self.emulator
        bucket_name, key = self._oss_target()
        method = self.command
        process = self.query.get("x-oss-process", "")
        billable = method == "GET" and process == "image/faces"
        self.billable = billable
        self.target_service = "oss-faces"
        self.call_target = f"{bucket_name}/{key}" if key else bucket_name
        if not bucket_name:
            self.action = "ListBuckets"
        elif not key:
            self.action = "ListObjectsV2" if method == "GET" else f"{method}Bucket"
        else:
            self.action = {
                "GET": "GetObject",
                "HEAD": "HeadObject",
                "PUT": "PutObject",
                "DELETE": "DeleteObject",
            }.get(method, method)
            if process:
                self.action = "ImageProcess:" + process
        self._oss_auth(bucket_name, key)
        fault = self._faults("oss", billable)
        if fault == "throttle":
            raise self._oss_error(503, "SlowDown", "Please reduce your request rate.")
        if fault == "error":
            raise self._oss_error(500, "InternalError", "We encountered an internal error. Please try again.")
        if not bucket_name:
            self._list_buckets()
        with emu._lock:
            bucket = emu.buckets.get(bucket_name)
        if bucket is None:
            raise self._oss_error(
                404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=bucket_name
            )
        if not key:
            if method == "POST" and "delete" in self.query:
                self._delete_multiple(bucket)
            if method != "GET":
                raise self._oss_error(
                    405, "MethodNotAllowed", "The specified method is not allowed against this resource."
                )
            self._list_objects(bucket)
        if method == "DELETE":
            with emu._lock:
                if bucket.objects.pop(key, None) is not None:
                    bucket._sorted = None
            raise _Reply(204, b"", {"x-oss-request-id": _request_id()})
        if method == "PUT":
            etag = emu.put_object(
                bucket_name,
                key,
                self.body,
                content_type=self.headers.get("Content-Type", "application/octet-stream"),
            )
            raise _Reply(200, b"", {"ETag": f'"{etag}"', "x-oss-request-id": _request_id()})
        with emu._lock:
            obj = bucket.objects.get(key)
        if obj is None:
            raise self._oss_error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        if process:
            self._process(obj, key, process)
        headers = {
            "Content-Type": obj.content_type,
            "ETag": f'"{obj.etag}"',
            "Last-Modified": email.utils.formatdate(obj.last_modified, usegmt=True),
            "x-oss-request-id": _request_id(),
            "x-oss-object-type": "Normal",
            "x-oss-storage-class": "Standard",
        }
        if method == "HEAD":
            headers["Content-Length"] = str(obj.size)
            raise _Reply(200, b"", headers)
        raise _Reply(200, obj.data, headers)

    def _process(self, obj: StoredObject, key: str, process: str) -> None:
        size = _image_size(obj.data)
        if size is None:
            raise self._oss_error(
                400, "BadRequest", "The image format is not supported or the image is broken."
            )
        rid = _request_id()
        headers = {
            "Content-Type": "application/json;charset=utf-8",
            "x-oss-request-id": rid,
            "ETag": f'"{obj.etag}"',
        }
        if process == "image/info":
            info = {
                "FileSize": {"value": str(obj.size)},
                "Format": {"value": "jpg" if obj.data[:2] == b"\xff\xd8" else "png"},
                "ImageHeight": {"value": str(size[1])},
                "ImageWidth": {"value": str(size[0])},
            }
            raise _Reply(200, json.dumps(info).encode(), headers)
        if process == "image/faces":
            body = {"RequestId": rid, "Figures": _faces_for(obj, key, size, "imm")}
            raise _Reply(200, json.dumps(body).encode(), headers)
        raise self._oss_error(400, "InvalidArgument", f"Unsupported process: {process}")

    def _delete_multiple(self, bucket: EmulatedBucket) -> None:
        from xml.etree import ElementTree

        md5 = base64.b64encode(hashlib.md5(self.body).digest()).decode()
        if self.headers.get("Content-MD5") != md5:
            raise self._oss_error(400, "InvalidDigest", "The Content-MD5 you specified is not valid.")
        root = ElementTree.fromstring(self.body)
        url = self.query.get("encoding-type") == "url"
        keys = [node.text or "" for node in root.iter("Key")]
        with self.emulator._lock:
            for k in keys:
                bucket.objects.pop(k, None)
            bucket._sorted = None
        inner = "".join(
            f"<Deleted><Key>{escape(quote(k, safe='/') if url else k)}</Key></Deleted>" for k in keys
        )
        if url:
            inner += "<EncodingType>url</EncodingType>"
        self.action = "DeleteMultipleObjects"
        raise _Reply(
            200,
            _xml("DeleteResult", inner),
            {"Content-Type": "application/xml", "x-oss-request-id": _request_id()},
        )

    def _list_buckets(self) -> None:
        emu = self.emulator
        with emu._lock:
            names = sorted(emu.buckets)
            regions = {n: emu.buckets[n].region for n in names}
        items = "".join(
            f"<Bucket><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><ExtranetEndpoint>oss-{regions[n]}.aliyuncs.com</ExtranetEndpoint>"
            f"<IntranetEndpoint>oss-{regions[n]}-internal.aliyuncs.com</IntranetEndpoint><Location>oss-{regions[n]}</Location>"
            f"<Name>{escape(n)}</Name><Region>{regions[n]}</Region><StorageClass>Standard</StorageClass></Bucket>"
            for n in names
        )
        inner = f"<Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><Buckets>{items}</Buckets>"
        raise _Reply(
            200,
            _xml("ListAllMyBucketsResult", inner),
            {"Content-Type": "application/xml", "x-oss-request-id": _request_id()},
        )

    def _list_objects(self, bucket: EmulatedBucket) -> None:
        q = self.query
        if q.get("list-type") != "2":
            raise self._oss_error(400, "InvalidArgument", "Only ListObjectsV2 is emulated (list-type=2).")
        prefix = q.get("prefix", "")
        delimiter = q.get("delimiter", "")
        try:
            max_keys = int(q.get("max-keys") or 100)
        except ValueError:
            raise self._oss_error(400, "InvalidArgument", "max-keys is not a number.") from None
        if not 0 < max_keys <= 1000:
            raise self._oss_error(400, "InvalidArgument", "max-keys must be between 1 and 1000.")
        url = q.get("encoding-type") == "url"
        start = prefix
        token = q.get("continuation-token")
        exclusive = False
        if token:
            try:
                start = base64.urlsafe_b64decode(token.encode()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise self._oss_error(
                    400, "InvalidArgument", "The continuation token provided is incorrect."
                ) from None
        elif q.get("start-after"):
            start = max(start, q["start-after"])
            exclusive = True
        with self.emulator._lock:
            keys = bucket.keys()
            objects = bucket.objects
            pos = bisect.bisect_right(keys, start) if exclusive else bisect.bisect_left(keys, start)
            contents: list[tuple[str, StoredObject]] = []
            prefixes: list[str] = []
            next_start: str | None = None
            while pos < len(keys):
                k = keys[pos]
                if not k.startswith(prefix):
                    break
                if len(contents) + len(prefixes) >= max_keys:
                    next_start = k
                    break
                if delimiter:
                    cut = k.find(delimiter, len(prefix))
                    if cut >= 0:
                        common = k[: cut + len(delimiter)]
                        prefixes.append(common)
                        pos = bisect.bisect_left(keys, common + "\U0010ffff")
                        continue
                contents.append((k, objects[k]))
                pos += 1

        def enc(text: str) -> str:
            return escape(quote(text, safe="/") if url else text)

        parts = [
            f"<Name>{escape(bucket.name)}</Name><Prefix>{enc(prefix)}</Prefix><MaxKeys>{max_keys}</MaxKeys>",
            f"<Delimiter>{enc(delimiter)}</Delimiter>",
        ]
        if url:
            parts.append("<EncodingType>url</EncodingType>")
        if token:
            parts.append(f"<ContinuationToken>{escape(token)}</ContinuationToken>")
        if next_start is not None:
            nxt = base64.urlsafe_b64encode(next_start.encode("utf-8")).decode()
            parts.append(
                f"<IsTruncated>true</IsTruncated><NextContinuationToken>{enc(nxt)}</NextContinuationToken>"
            )
        else:
            parts.append("<IsTruncated>false</IsTruncated>")
        for k, o in contents:
            parts.append(
                f"<Contents><Key>{enc(k)}</Key><LastModified>{_iso(o.last_modified)}</LastModified>"
                f'<ETag>"{o.etag}"</ETag><Type>Normal</Type><Size>{o.size}</Size><StorageClass>Standard</StorageClass></Contents>'
            )
        parts.extend(f"<CommonPrefixes><Prefix>{enc(p)}</Prefix></CommonPrefixes>" for p in prefixes)
        parts.append(f"<KeyCount>{len(contents) + len(prefixes)}</KeyCount>")
        raise _Reply(
            200,
            _xml("ListBucketResult", "".join(parts)),
            {"Content-Type": "application/xml", "x-oss-request-id": _request_id()},
        )

    # -- OpenAPI (IMM, Green) ----------------------------------------------------------------------

    def _acs_error(self, status: int, code: str, message: str) -> _Reply:
        rid = _request_id()
        body = {
            "RequestId": rid,
            "HostId": self.headers.get("Host", ""),
            "Code": code,
            "Message": message,
            "Recommend": "https://api.aliyun.com/troubleshoot",
        }
        return _Reply(
            status, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"}, code
        )

    def _acs_auth(self, service: str) -> None:
        emu = self.emulator
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            raise self._acs_error(
                400, "MissingAuthorization", "Authorization (ACS3-HMAC-SHA256) is mandatory for this action."
            )
        fields = dict(
            part.strip().split("=", 1) for part in auth[len("ACS3-HMAC-SHA256 ") :].split(",") if "=" in part
        )
        ak = fields.get("Credential", "")
        info = emu.keys.get(ak)
        if info is None:
            raise self._acs_error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        payload_hash = hashlib.sha256(self.body).hexdigest()
        if self.headers.get("x-acs-content-sha256") != payload_hash:
            raise self._acs_error(
                400,
                "InvalidParameter.ContentSHA256",
                "The x-acs-content-sha256 header does not match the body.",
            )
        signed = [h for h in fields.get("SignedHeaders", "").split(";") if h]
        if "host" not in signed or "x-acs-date" not in signed:
            raise self._acs_error(
                400, "IncompleteSignature", "The host and x-acs-date headers must be signed."
            )
        values: dict[str, list[str]] = {}
        for k, v in self.headers.items():
            values.setdefault(k.lower(), []).append(v)
        expected = acs3_signature(
            info.secret, self.command, self.raw_path, self.params, values, signed, payload_hash
        )
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            raise self._acs_error(
                400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
            )
        try:
            signed_at = calendar.timegm(
                time.strptime(self.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ")
            )
        except ValueError:
            raise self._acs_error(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            ) from None
        if abs(signed_at - time.time()) > 900:
            raise self._acs_error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        self._check_token(info, self.headers.get("x-acs-security-token"), oss=False)
        if service not in info.services:
            if service == "green":
                raise self._green(408, "You do not have the required permissions.")
            raise self._acs_error(
                403,
                "Forbidden.RAM",
                "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
            )

    def _openapi(self, service: str, action: str) -> None:
        if service == "unknown":
            raise self._acs_error(
                400,
                "InvalidVersion",
                f"Specified parameter Version is not valid: {self.headers.get('x-acs-version')}",
            )
        form = dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)) if self.body else {}
        args = {**self.query, **form}
        if service == "imm" and action == "DetectImageFaces":
            self.billable = True
            self.target_service = "imm"
            self.call_target = args.get("SourceURI", "")
            self._acs_auth(service)
            self._imm_detect(args)
        if service == "green" and action == "ImageModeration":
            self.billable = True
            self.target_service = GREEN_SERVICES.get(args.get("Service", ""), "green")
            self._acs_auth(service)
            self._green_moderate(args)
        if service == "green" and action == "DescribeUploadToken":
            self._acs_auth(service)
            self._green_upload_token()
        if service == "imm" and action in ("ListProjects", "GetProject"):
            self._acs_auth(service)
            self._imm_projects(action, args)
        self._acs_auth(service)
        raise self._acs_error(
            404,
            "InvalidAction.NotFound",
            f"Specified api is not found, please check your url and method: {action}",
        )

    def _lookup_oss_uri(self, uri: str) -> tuple[str, str, StoredObject | None]:
        if not uri.startswith("oss://"):
            raise self._acs_error(
                400, "InvalidParameter.SourceURI", f"Specified parameter SourceURI is not valid: {uri}"
            )
        bucket, _, key = uri[len("oss://") :].partition("/")
        return bucket, key, self.emulator.get_object(bucket, key)

    def _imm_detect(self, args: dict[str, str]) -> None:
        if args.get("ProjectName") != self.emulator.imm_project:
            # IMM's documented common errors are HTTP 400 (developer-reference/error-handling-1).
            raise self._acs_error(400, "ResourceNotFound", "The specified resource Project is not found.")
        fault = self._faults("imm", True)
        if fault == "throttle":
            raise self._acs_error(400, "Throttling.User", "Request was denied due to user flow control.")
        if fault == "error":
            raise self._acs_error(
                503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."
            )
        _bucket, key, obj = self._lookup_oss_uri(args.get("SourceURI", ""))
        if obj is None:
            raise self._acs_error(400, "ResourceNotFound", "The specified resource File is not found.")
        size = _image_size(obj.data)
        if size is None:
            raise self._acs_error(400, "InvalidArgument", "Failed to decode the image: unsupported format.")
        body = {"RequestId": _request_id(), "Faces": _faces_for(obj, key, size, "imm")}
        raise _Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"})

    def _imm_project(self) -> dict[str, Any]:
        """The one project, in the shape of the SDK's ``Project`` model (ListProjects / GetProject)."""
        created = _iso(time.time() - 86400)
        return {
            "ProjectName": self.emulator.imm_project,
            "Description": "facecurator test project",
            "ServiceRole": "AliyunIMMDefaultRole",
            "TemplateId": "",
            "EngineConcurrency": 10,
            "ProjectQueriesPerSecond": 100,
            "DatasetCount": 0,
            "FileCount": 0,
            "TotalFileSize": 0,
            "CreateTime": created,
            "UpdateTime": created,
        }

    def _imm_projects(self, action: str, args: dict[str, str]) -> None:
        """IMM ListProjects / GetProject: the cheap, free calls behind ``credentials test``."""
        body: dict[str, Any] = {"RequestId": _request_id()}
        if action == "GetProject":
            if args.get("ProjectName") != self.emulator.imm_project:
                raise self._acs_error(400, "ResourceNotFound", "The specified resource Project is not found.")
            body["Project"] = self._imm_project()
        else:
            prefix = args.get("Prefix", "")
            projects = [self._imm_project()] if self.emulator.imm_project.startswith(prefix) else []
            body.update({"NextToken": "", "Projects": projects})
        raise _Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"})

    def _green(self, code: int, msg: str, data: dict[str, Any] | None = None) -> _Reply:
        body: dict[str, Any] = {"Code": code, "Msg": msg, "RequestId": _request_id()}
        if data is not None:
            body["Data"] = data
        return _Reply(
            200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"}, str(code)
        )

    def _green_moderate(self, args: dict[str, str]) -> None:
        service = args.get("Service", "")
        if service not in GREEN_SERVICES:
            raise self._green(401, f"The request parameter is invalid: Service {service!r}.")
        try:
            params = json.loads(args.get("ServiceParameters") or "{}")
        except json.JSONDecodeError:
            raise self._green(
                401, "The request parameter is invalid: ServiceParameters is not JSON."
            ) from None
        bucket, key = params.get("ossBucketName"), params.get("ossObjectName")
        if not bucket or not key:
            raise self._green(400, "Not all request parameters are configured: ossBucketName/ossObjectName.")
        self.call_target = f"{bucket}/{key}"
        fault = self._faults("green", True)
        if fault == "throttle":
            raise self._green(403, "Request denied: the QPS of requests exceeds the upper limit.")
        if fault == "error":
            if self.emulator._rng.random() < 0.5:
                raise self._acs_error(
                    503,
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                )
            raise self._green(500, "A system exception occurs.")
        emu = self.emulator
        stored = emu.buckets.get(bucket)
        region = params.get("ossRegionId")
        if stored is not None and bucket != emu.upload_bucket and region != stored.region:
            raise self._green(
                404,
                f"The specified image failed to be downloaded: bucket {bucket} is not in region {region}.",
            )
        obj = emu.get_object(bucket, key)
        if obj is None:
            raise self._green(404, "The specified image failed to be downloaded.")
        size = _image_size(obj.data)
        if size is None:
            raise self._green(407, "The format of the specified image is not supported.")
        faces = _faces_for(obj, key, size, "green")
        pro = service == "faceDetect_pro_global"
        result = [GREEN_RESULT_EYES_CLOSED if (pro and faces and _eyes_closed(obj)) else GREEN_RESULT_NONE]
        data = {
            "DataId": params.get("dataId", ""),
            "Ext": {"FaceData": faces},
            "Result": result,
            "RiskLevel": "high" if result[0]["Label"] != "nonLabel" else "none",
        }
        raise self._green(200, "success", data)

    def _green_upload_token(self) -> None:
        emu = self.emulator
        ak = "STS.NV" + uuid.uuid4().hex[:20]
        secret = uuid.uuid4().hex
        token = "CAIS" + base64.b64encode(uuid.uuid4().bytes * 4).decode()
        emu.add_key(ak, secret, security_token=token, ttl=emu.upload_token_ttl, services=("oss",))
        data = {
            "AccessKeyId": ak,
            "AccessKeySecret": secret,
            "SecurityToken": token,
            "BucketName": emu.upload_bucket,
            "FileNamePrefix": f"upload/{uuid.uuid4().hex[:8]}/",
            "Expiration": int(time.time() + emu.upload_token_ttl),
            "OssInternetEndPoint": emu.host,
            "OssInternalEndPoint": emu.host,
        }
        raise self._green(200, "success", data)


# --- pytest fixtures --------------------------------------------------------------------------


@pytest.fixture
def cloud_emulator() -> Iterator[CloudEmulator]:
    """A started emulator (one per test), stopped afterwards."""
    emulator = CloudEmulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


#: Generous caps so functional tests are fast; the QPS tests set their own.
TEST_QPS: dict[str, float] = {
    "green": 200.0,
    "green-pro": 200.0,
    "imm": 200.0,
    "oss-faces": 200.0,
    "oss": 1000.0,
}
PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


def make_test_image(width: int = 320, height: int = 240, seed: int = 0, fmt: str = "JPEG") -> bytes:
    """A small real image whose content (hence emulated faces) depends on ``seed``."""
    from PIL import Image

    rng = random.Random(seed)
    img = Image.new("RGB", (width, height), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    img.putpixel((rng.randrange(width), rng.randrange(height)), (255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def use_emulator_profile(
    emulator: CloudEmulator,
    monkeypatch: pytest.MonkeyPatch,
    *,
    name: str = "test",
    qps: dict[str, float] | None = None,
    access_key_id: str = ACCESS_KEY_ID,
    access_key_secret: str = ACCESS_KEY_SECRET,
) -> str:
    """Save profile ``name`` pointing every service at the emulator and put the
    credentials in the environment (``ALIBABA_CLOUD_*``); proxies are cleared.
    Returns the profile name."""
    from facecurator.cloud.profiles import Profile, save_profile
    from facecurator.cloud.ratelimit import reset_limiters
    from facecurator.detect.cloud import _UploadTokenCache

    save_profile(
        Profile(
            name,
            region=emulator.region,
            oss_endpoint=emulator.url,
            imm_endpoint=emulator.url,
            green_endpoint=emulator.url,
            imm_project=emulator.imm_project,
            bucket=BUCKET,
            qps=dict(TEST_QPS if qps is None else qps),
        )
    )
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", access_key_secret)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    reset_limiters()
    _UploadTokenCache.clear()
    return name


@pytest.fixture
def cloud_profile(cloud_emulator: CloudEmulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """Profile ``test`` -> the emulator (all three endpoints ``http://127.0.0.1:PORT``,
    IMM project ``test-project``, bucket ``test-bucket``, fast QPS caps), with the
    emulator's AccessKey in ``ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET``."""
    return use_emulator_profile(cloud_emulator, monkeypatch)
