"""OSS source: ``oss://BUCKET/PREFIX``, listed lazily page by page.

A bucket of a million objects opens at once: :meth:`OssSource.iter_images`
asks OSS for one page (ListObjectsV2, up to 1 000 keys) at a time and yields
it before asking for the next; :meth:`OssSource.list_page` gives the GUI one
folder-like page (delimiter ``/``) with its continuation token. The ETag is
the image identity; the subject (group) is the last prefix segment above the
object.

Every failure becomes a :class:`~facecurator.errors.SourceError` naming the
bucket/key, or :class:`~facecurator.errors.SourceAuthError` when the
credentials are refused (InvalidAccessKeyId, SignatureDoesNotMatch,
AccessDenied, STS token problems); transient ones (5xx, 503 SlowDown,
timeouts, connection errors) are retried first with jittered back-off.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from facecurator.cloud.clients import DEFAULT_TIMEOUTS, Timeouts
from facecurator.domain.protocols import ImageRef, content_identity
from facecurator.errors import ConfigError, SourceAuthError, SourceError
from facecurator.sources.messages import source_text

if TYPE_CHECKING:
    from facecurator.cloud.credentials import Credentials
    from facecurator.cloud.profiles import Profile

T = TypeVar("T")

SCHEME: Final = "oss://"
#: OSS's maximum page size for ListObjectsV2.
MAX_PAGE: Final = 1000
_BUCKET_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def parse_oss_uri(text: str) -> tuple[str, str]:
    """``oss://bucket/some/prefix`` -> ``("bucket", "some/prefix")``.

    Raises:
        ConfigError: not an ``oss://`` string, or an invalid bucket name.
    """
    if not text.startswith(SCHEME):
        raise ConfigError(source_text("source.not_oss", path=text))
    bucket, _, key = text[len(SCHEME) :].partition("/")
    if not _BUCKET_RE.match(bucket):
        raise ConfigError(source_text("source.bad_bucket", path=text, bucket=repr(bucket)))
    return bucket, key


def group_of(bucket: str, key: str) -> str:
    """The person an object belongs to: the last prefix segment above it (else the bucket)."""
    parent = key.rpartition("/")[0]
    return parent.rpartition("/")[2] if parent else bucket


class OssPage(NamedTuple):
    """One page of a delimiter listing: sub-prefixes ("folders"), objects, next token."""

    prefixes: list[str]
    objects: list[ImageRef]
    next_token: str | None


@dataclass(frozen=True)
class BucketInfo:
    name: str
    region: str | None


class OssSource:
    """The objects below ``oss://BUCKET/PREFIX``.

    Args:
        text: ``oss://BUCKET`` or ``oss://BUCKET/PREFIX`` (a prefix not ending in
            ``/`` matches like OSS does: ``oss://b/2024`` includes ``2024-05/x.jpg``).
        profile: a Profile, a profile name or None (the default profile).
        credentials: explicit credentials (default: the profile's).
        page_size: keys per ListObjectsV2 request (at most 1 000).
    """

    kind: Final = "oss"

    def __init__(
        self,
        text: str,
        profile: Profile | str | None = None,
        *,
        credentials: Credentials | None = None,
        page_size: int = MAX_PAGE,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        from facecurator.cloud.clients import resolve

        self.bucket_name, self.prefix = parse_oss_uri(text)
        self.root = f"{SCHEME}{self.bucket_name}/{self.prefix}"
        self.profile = resolve(profile)
        self._credentials = credentials
        self.page_size = max(1, min(MAX_PAGE, int(page_size)))
        self.timeouts = timeouts
        self._local = threading.local()
        #: names are relative to the prefix's "folder" (up to its last '/')
        self._name_base = self.prefix.rpartition("/")[0] + "/" if "/" in self.prefix else ""

    # -- clients --------------------------------------------------------------------------

    def _bucket(self) -> Any:
        """One oss2.Bucket per thread (its HTTP session is not shared across threads)."""
        bucket = getattr(self._local, "bucket", None)
        if bucket is None:
            from facecurator.cloud.clients import credentials_for, oss_bucket

            try:
                creds = credentials_for(self.profile, self._credentials)
            except ConfigError as exc:
                raise SourceAuthError(f"{self.root}: {exc}") from None
            self._credentials = creds
            bucket = self._local.bucket = oss_bucket(
                self.profile, self.bucket_name, creds, timeouts=self.timeouts
            )
        return bucket

    def _call(self, call: Callable[[], T], *, subject: str, what: str) -> T:
        from facecurator.cloud.clients import call_oss

        return call_oss(
            self.profile,
            call,
            subject=subject,
            what=what,
            error_type=SourceError,
            auth_error_type=SourceAuthError,
        )

    # -- listing --------------------------------------------------------------------------

    def _ref(self, key: str, size: int, last_modified: int, etag: str | None) -> ImageRef:
        name = key[len(self._name_base) :] if key.startswith(self._name_base) else key
        return ImageRef(
            uri=f"{SCHEME}{self.bucket_name}/{key}",
            name=name,
            group=group_of(self.bucket_name, key),
            size=int(size),
            mtime_ns=int(last_modified) * 1_000_000_000,
            etag=etag.strip('"') if etag else None,
        )

    def list_page(
        self,
        prefix: str | None = None,
        continuation_token: str | None = None,
        *,
        delimiter: str = "/",
        max_keys: int | None = None,
    ) -> OssPage:
        """One ListObjectsV2 page below ``prefix`` (default: the source's prefix).

        With ``delimiter="/"`` (the default) keys below a deeper ``/`` are rolled
        up into ``prefixes`` — browsing folders. Pass the returned
        ``next_token`` back to get the next page; it is None on the last one.
        Folder-marker objects (keys ending in ``/``) are not returned as objects.
        """
        prefix = self.prefix if prefix is None else prefix
        where = f"{SCHEME}{self.bucket_name}/{prefix}"
        result = self._call(
            lambda: self._bucket().list_objects_v2(
                prefix=prefix,
                delimiter=delimiter,
                continuation_token=continuation_token or "",
                max_keys=max_keys or self.page_size,
            ),
            subject=where,
            what="OSS ListObjectsV2",
        )
        objects = [
            self._ref(o.key, o.size, o.last_modified, o.etag)
            for o in result.object_list
            if not o.key.endswith("/")
        ]
        token = result.next_continuation_token if result.is_truncated else None
        return OssPage(list(result.prefix_list), objects, token or None)

    def iter_images(self) -> Iterator[ImageRef]:
        """Every object below the prefix, recursively, in key order; one page at a time."""
        token: str | None = None
        while True:
            page = self.list_page(self.prefix, token, delimiter="")
            yield from page.objects
            token = page.next_token
            if token is None:
                return

    def list_prefixes(self, prefix: str | None = None) -> Iterator[str]:
        """The sub-"folders" directly below ``prefix`` (delimiter ``/``), page by page."""
        token: str | None = None
        while True:
            page = self.list_page(prefix, token)
            yield from page.prefixes
            token = page.next_token
            if token is None:
                return

    # -- reading --------------------------------------------------------------------------

    def _key_of(self, ref: ImageRef | str) -> str:
        uri = ref.uri if isinstance(ref, ImageRef) else ref
        bucket, key = parse_oss_uri(uri)
        if bucket != self.bucket_name:
            raise SourceError(source_text("source.other_bucket", path=uri, bucket=self.bucket_name))
        return key

    def read_bytes(self, ref: ImageRef | str) -> bytes:
        """The object's content (GetObject)."""
        key = self._key_of(ref)
        uri = f"{SCHEME}{self.bucket_name}/{key}"
        return self._call(lambda: self._bucket().get_object(key).read(), subject=uri, what="OSS GetObject")

    def identity(self, ref: ImageRef, data: bytes) -> str:
        """The object's ETag; the content's hash when the listing gave none."""
        return ref.quick_identity or content_identity(ref, data)

    def head(self, ref: ImageRef | str) -> ImageRef:
        """A fresh ImageRef of one object (HeadObject): size, mtime, ETag."""
        key = self._key_of(ref)
        uri = f"{SCHEME}{self.bucket_name}/{key}"
        meta = self._call(lambda: self._bucket().head_object(key), subject=uri, what="OSS HeadObject")
        return self._ref(key, meta.content_length, meta.last_modified, meta.etag)


_readers: dict[tuple[str, str, str], OssSource] = {}
_readers_lock = threading.Lock()


def read_object(uri: str, *, profile: Profile | str | None = None) -> bytes:
    """The bytes of ``oss://bucket/key`` (for thumbnails and exports of catalog images).

    One reader per (profile, endpoint, bucket) is kept, so repeated reads reuse
    its connections instead of opening a new session per image.
    """
    from facecurator.cloud.clients import resolve

    bucket, _key = parse_oss_uri(uri)
    prof = resolve(profile)
    cache_key = (prof.name, prof.endpoint_for("oss"), bucket)
    with _readers_lock:
        reader = _readers.get(cache_key)
        if reader is None or reader.profile != prof:
            reader = _readers[cache_key] = OssSource(f"{SCHEME}{bucket}/", prof)
    return reader.read_bytes(uri)


def forget_readers() -> None:
    """Drop the cached readers of :func:`read_object` (after credentials or a profile changed)."""
    with _readers_lock:
        _readers.clear()


def list_buckets(
    profile: Profile | str | None = None, *, credentials: Credentials | None = None
) -> list[BucketInfo]:
    """The profile's buckets (ListBuckets), for the GUI's source chooser."""
    from facecurator.cloud.clients import credentials_for, oss_service, resolve
    from facecurator.cloud.ratelimit import call_with_retries
    from facecurator.cloud.sdk_errors import retry_failure

    prof = resolve(profile)
    try:
        creds = credentials_for(prof, credentials)
    except ConfigError as exc:
        raise SourceAuthError(f"profile {prof.name}: {exc}") from None
    service = oss_service(prof, creds)
    endpoint = prof.endpoint_for("oss")
    buckets: list[BucketInfo] = []
    marker = ""
    while True:
        result = call_with_retries(
            lambda m=marker: service.list_buckets(marker=m, max_keys=1000),  # type: ignore[misc]
            subject=endpoint,
            what="OSS ListBuckets",
            classify=lambda exc: retry_failure(exc, endpoint),
            error_type=SourceError,
            auth_error_type=SourceAuthError,
        )
        for b in result.buckets:
            region = (
                getattr(b, "region", None) or (getattr(b, "location", "") or "").removeprefix("oss-") or None
            )
            buckets.append(BucketInfo(b.name, region))
        if not result.is_truncated:
            return buckets
        marker = result.next_marker
