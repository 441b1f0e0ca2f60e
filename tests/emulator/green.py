"""Content Moderation 2.0 (Green 2022-03-02): ImageModeration (billable) and
DescribeUploadToken; business errors are HTTP 200 with their own ``Code``."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from emulator.faces import GREEN_RESULT_EYES_CLOSED, GREEN_RESULT_NONE, _eyes_closed, _faces_for, _image_size
from emulator.http_base import HandlerBase, _Reply, _request_id
from emulator.model import GREEN_SERVICES


class GreenHandler(HandlerBase):
    """The Moderation 2.0 actions (called once the ACS3 signature is checked)."""

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
