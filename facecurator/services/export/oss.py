"""Export to ``oss://BUCKET/PREFIX``: upload a finished staging tree.

OSS has no atomic rename of a prefix, so the order gives the guarantee a
reader needs: every crop and side file is uploaded first, then
``manifest.csv``, then ``manifest.json`` last. A reader that starts from the
manifest (as every consumer of an export should) never sees a manifest that
points to a missing file. Objects of a *previous* export under the prefix that
the new tree does not contain are deleted only after the new manifest is in
place. A prefix that holds objects but no ``manifest.json`` is not an export
and is refused, so nobody's data is deleted by mistake.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from facecurator.cloud.clients import DEFAULT_TIMEOUTS, Timeouts
from facecurator.errors import ConfigError, ExportError, SourceError
from facecurator.services.export.messages import export_text
from facecurator.services.export.model import MANIFEST_CSV, MANIFEST_JSON
from facecurator.services.export.staging import Publisher

if TYPE_CHECKING:
    from facecurator.cloud.credentials import Credentials
    from facecurator.cloud.profiles import Profile

T = TypeVar("T")

#: Uploaded last, in this order.
LAST: Final = (MANIFEST_CSV, MANIFEST_JSON)


class OssPublisher(Publisher):
    """Publishes an export's staging tree under an OSS prefix (see the module docstring).

    Args:
        profile: a Profile, a profile name or None (the default profile).
        workers: parallel uploads.
    """

    def __init__(
        self,
        profile: Profile | str | None = None,
        *,
        credentials: Credentials | None = None,
        workers: int = 4,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        from facecurator.cloud.clients import resolve

        self.profile = resolve(profile)
        self._credentials = credentials
        self.workers = max(1, int(workers))
        self.timeouts = timeouts

    # -- helpers --------------------------------------------------------------------------

    def _split(self, dest: str) -> tuple[str, str]:
        from facecurator.sources.oss import parse_oss_uri

        try:
            bucket, prefix = parse_oss_uri(dest)
        except ConfigError as exc:
            raise ExportError(str(exc)) from None
        prefix = prefix.strip("/")
        return bucket, f"{prefix}/" if prefix else ""

    def _bucket(self, bucket: str) -> Any:
        from facecurator.cloud.clients import credentials_for, oss_bucket

        try:
            creds = credentials_for(self.profile, self._credentials)
        except ConfigError as exc:
            raise ExportError(f"oss://{bucket}/: {exc}") from None
        self._credentials = creds
        return oss_bucket(self.profile, bucket, creds, timeouts=self.timeouts)

    def _call(self, call: Callable[[], T], *, subject: str, what: str) -> T:
        from facecurator.cloud.clients import call_oss

        return call_oss(self.profile, call, subject=subject, what=what, error_type=ExportError)

    def _existing_keys(self, bucket: Any, prefix: str, where: str) -> list[str]:
        keys: list[str] = []
        token = ""
        while True:
            result = self._call(
                lambda t=token: bucket.list_objects_v2(prefix=prefix, continuation_token=t, max_keys=1000),  # type: ignore[misc]
                subject=where,
                what="OSS ListObjectsV2",
            )
            keys.extend(o.key for o in result.object_list)
            if not result.is_truncated:
                return keys
            token = result.next_continuation_token

    # -- Publisher ------------------------------------------------------------------------

    def manifest_location(self, dest: str) -> str:
        return dest.rstrip("/") + "/" + MANIFEST_JSON

    def check(self, dest: str) -> list[str]:
        """Refuse a prefix that has objects but is not a facecurator export (before any work)."""
        bucket_name, prefix = self._split(dest)
        if not prefix:
            raise ExportError(export_text("export.oss_whole_bucket", path=dest))
        bucket = self._bucket(bucket_name)
        where = f"oss://{bucket_name}/{prefix}"
        page = self._call(
            lambda: bucket.list_objects_v2(prefix=prefix, max_keys=2), subject=where, what="OSS ListObjectsV2"
        )
        if not page.object_list:
            return []
        manifest_key = prefix + MANIFEST_JSON
        exists = self._call(lambda: bucket.object_exists(manifest_key), subject=where, what="OSS HeadObject")
        if not exists:
            raise ExportError(export_text("export.oss_foreign", path=where, manifest=MANIFEST_JSON))
        return [f"{where}: replaced a previous export"]

    def publish(self, staging_dir: Path, dest: str) -> None:
        """Upload ``staging_dir`` under the prefix: files, then manifest.csv, then manifest.json."""
        bucket_name, prefix = self._split(dest)
        bucket = self._bucket(bucket_name)
        where = f"oss://{bucket_name}/{prefix}"
        files = sorted(p for p in staging_dir.rglob("*") if p.is_file())
        if not any(p.relative_to(staging_dir).as_posix() == MANIFEST_JSON for p in files):
            raise ExportError(export_text("export.oss_no_manifest", path=where, manifest=MANIFEST_JSON))
        rel = {p: p.relative_to(staging_dir).as_posix() for p in files}
        body = [p for p in files if rel[p] not in LAST]
        last = sorted((p for p in files if rel[p] in LAST), key=lambda p: LAST.index(rel[p]))

        previous = self._existing_keys(bucket, prefix, where)

        def upload(path: Path) -> str:
            key = prefix + rel[path]
            data = path.read_bytes()
            digest = hashlib.md5(data).hexdigest().upper()  # the OSS ETag, not a security use
            result = self._call(
                lambda: bucket.put_object(key, data),
                subject=f"oss://{bucket_name}/{key}",
                what="OSS PutObject",
            )
            etag = (getattr(result, "etag", "") or "").strip('"').upper()
            if etag and etag != digest:
                raise ExportError(
                    export_text(
                        "export.oss_corrupted", path=f"oss://{bucket_name}/{key}", etag=etag, md5=digest
                    )
                )
            return key

        try:
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="oss-export") as pool:
                uploaded = set(pool.map(upload, body))
            for path in last:  # sequentially, manifest.json very last
                uploaded.add(upload(path))
        except OSError as exc:
            raise ExportError(
                export_text("export.oss_read_staged", path=where, detail=exc.strerror or exc)
            ) from None
        except SourceError as exc:  # pragma: no cover - defensive: sources' errors are not expected here
            raise ExportError(str(exc)) from None

        stale = [k for k in previous if k not in uploaded]
        for start in range(0, len(stale), 1000):
            chunk = stale[start : start + 1000]
            self._call(
                lambda c=chunk: bucket.batch_delete_objects(c),  # type: ignore[misc]
                subject=where,
                what="OSS DeleteMultipleObjects (stale files of the previous export)",
            )
