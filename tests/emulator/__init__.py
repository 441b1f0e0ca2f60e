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

Modules: :mod:`emulator.server` (:class:`CloudEmulator`), :mod:`emulator.handler`
(dispatch) over :mod:`emulator.oss`, :mod:`emulator.openapi` (ACS3 gateway),
:mod:`emulator.imm` and :mod:`emulator.green`, sharing :mod:`emulator.http_base`;
:mod:`emulator.signatures`, :mod:`emulator.faces`, :mod:`emulator.model` and
:mod:`emulator.fixtures`. Everything is importable from ``emulator`` itself.
"""

from __future__ import annotations

from emulator.faces import (
    DEFAULT_SIZE,
    GREEN_RESULT_EYES_CLOSED,
    GREEN_RESULT_NONE,
    SEED_GREEN_FACE,
    SEED_IMM_FACE,
)
from emulator.fixtures import (
    PROXY_VARIABLES,
    TEST_QPS,
    cloud_emulator,
    cloud_profile,
    make_test_image,
    use_emulator_profile,
)
from emulator.model import (
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    BUCKET,
    GREEN_SERVICES,
    GREEN_VERSION,
    IMM_PROJECT,
    IMM_VERSION,
    REGION,
    Call,
    EmulatedBucket,
    Faults,
    KeyInfo,
    StoredObject,
)
from emulator.server import CloudEmulator
from emulator.signatures import acs3_signature, oss_v1_signature, oss_v4_signature

__all__ = [
    "ACCESS_KEY_ID",
    "ACCESS_KEY_SECRET",
    "BUCKET",
    "DEFAULT_SIZE",
    "GREEN_RESULT_EYES_CLOSED",
    "GREEN_RESULT_NONE",
    "GREEN_SERVICES",
    "GREEN_VERSION",
    "IMM_PROJECT",
    "IMM_VERSION",
    "PROXY_VARIABLES",
    "REGION",
    "SEED_GREEN_FACE",
    "SEED_IMM_FACE",
    "TEST_QPS",
    "Call",
    "CloudEmulator",
    "EmulatedBucket",
    "Faults",
    "KeyInfo",
    "StoredObject",
    "acs3_signature",
    "cloud_emulator",
    "cloud_profile",
    "make_test_image",
    "oss_v1_signature",
    "oss_v4_signature",
    "use_emulator_profile",
]
