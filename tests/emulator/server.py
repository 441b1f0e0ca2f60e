"""The emulator itself: the loopback server's lifecycle, its objects, keys, fault
plan and QPS caps, and what tests observe (calls, billing, expected faces)."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from http.server import ThreadingHTTPServer
from typing import Any

from emulator.faces import DEFAULT_SIZE, _eyes_closed, _faces_for, _image_size
from emulator.handler import _Handler
from emulator.model import (
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    IMM_PROJECT,
    REGION,
    Call,
    EmulatedBucket,
    Faults,
    KeyInfo,
    StoredObject,
)


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
