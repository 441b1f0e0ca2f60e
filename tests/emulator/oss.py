"""OSS: V1/V4-signed path-style or virtual-host requests; ListBuckets,
ListObjectsV2, Get/Head/Put/DeleteObject, DeleteMultipleObjects and the
``x-oss-process`` image/faces (billable) and image/info."""

from __future__ import annotations

import base64
import bisect
import email.utils
import hashlib
import hmac
import json
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from emulator.faces import _faces_for, _image_size
from emulator.http_base import HandlerBase, _iso, _Reply, _request_id, _xml
from emulator.model import EmulatedBucket, KeyInfo, StoredObject
from emulator.signatures import oss_v1_signature, oss_v4_signature


class OssHandler(HandlerBase):
    """The OSS half of the handler."""

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

    def _oss_key(self, ak: str) -> KeyInfo:
        """The AccessKey ``ak``, or the InvalidAccessKeyId error (V1 and V4 alike)."""
        info = self.emulator.keys.get(ak)
        if info is None:
            raise self._oss_error(
                403,
                "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.",
                OSSAccessKeyId=ak,
            )
        return info

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
            info = self._oss_key(ak)
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
            info = self._oss_key(ak)
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
