"""OssSource through the real oss2 SDK against the loopback emulator."""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import socket

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
)

from facecurator.errors import SourceAuthError, SourceError
from facecurator.sources import open_source
from facecurator.sources.oss import OssSource, group_of, list_buckets, parse_oss_uri


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_parse_and_group() -> None:
    assert parse_oss_uri("oss://my-bucket/a/b/") == ("my-bucket", "a/b/")
    assert parse_oss_uri("oss://my-bucket") == ("my-bucket", "")
    assert group_of("b", "people/alice/1.jpg") == "alice"
    assert group_of("b", "1.jpg") == "b"
    with pytest.raises(Exception, match="invalid bucket name"):
        parse_oss_uri("oss://Bad_Bucket/x")


def test_lists_10000_keys_lazily(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    n = 10_500
    keys = [f"people/p{i % 50:03d}/img{i:05d}.jpg" for i in range(n)]
    cloud_emulator.put_many(BUCKET, keys, b"not really a jpeg")
    cloud_emulator.put_object(BUCKET, "people/", b"")  # a console "folder" marker: not an image
    cloud_emulator.put_object(BUCKET, "other/x.jpg", b"outside the prefix")

    source = open_source(f"oss://{BUCKET}/people/", profile=cloud_profile)
    assert isinstance(source, OssSource)
    images = source.iter_images()
    first = next(images)
    # The first image arrives after exactly one page was listed, not the whole bucket.
    assert cloud_emulator.count(action="ListObjectsV2") == 1
    assert first.uri == f"oss://{BUCKET}/{min(keys)}"
    rest = list(images)
    listed = [first, *rest]
    assert len(listed) == n
    assert [r.uri for r in listed] == [f"oss://{BUCKET}/{k}" for k in sorted(keys)]
    assert cloud_emulator.count(action="ListObjectsV2") == -(-n // 1000)  # ceil: 1000 keys per page
    sample = listed[1234]
    key = sorted(keys)[1234]
    assert sample.name == key.removeprefix("people/")
    assert sample.group == key.split("/")[1]
    assert sample.etag == cloud_emulator.get_object(BUCKET, key).etag
    assert sample.quick_identity == f"etag:{sample.etag}"
    assert sample.size == len(b"not really a jpeg")
    assert sample.mtime_ns > 0


def test_browse_prefixes_page_by_page(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    for i in range(45):
        cloud_emulator.put_object(BUCKET, f"people/person{i:02d}/a.jpg", b"x")
        cloud_emulator.put_object(BUCKET, f"people/person{i:02d}/deep/b.jpg", b"x")
    cloud_emulator.put_object(BUCKET, "people/loose.jpg", b"x")
    source = OssSource(f"oss://{BUCKET}/people/", cloud_profile)

    page = source.list_page("people/", None, max_keys=20)
    # "loose.jpg" sorts before "person00/": one page holds 20 entries of both kinds.
    assert [o.name for o in page.objects] == ["loose.jpg"]
    assert page.prefixes == [f"people/person{i:02d}/" for i in range(19)]
    assert page.next_token
    seen = list(page.prefixes)
    objects = list(page.objects)
    token = page.next_token
    while token:
        page = source.list_page("people/", token, max_keys=20)
        assert len(page.prefixes) + len(page.objects) <= 20
        seen += page.prefixes
        objects += page.objects
        token = page.next_token
    assert seen == [f"people/person{i:02d}/" for i in range(45)]
    assert [o.name for o in objects] == ["loose.jpg"]
    assert list(source.list_prefixes("people/person07/")) == ["people/person07/deep/"]
    top = source.list_page("", None)
    assert top.prefixes == ["people/"]


def test_read_bytes_and_head(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    data = make_test_image(seed=3)
    etag = cloud_emulator.put_object(BUCKET, "a/b c+d.jpg", data)  # space and plus survive signing
    source = OssSource(f"oss://{BUCKET}/a/", cloud_profile)
    (ref,) = list(source.iter_images())
    assert ref.name == "b c+d.jpg" and ref.group == "a"
    assert source.read_bytes(ref) == data
    assert source.head(ref).etag == etag


def test_read_object_by_catalog_uri(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    from facecurator.sources import read_image_bytes

    data = make_test_image(seed=11)
    cloud_emulator.put_object(BUCKET, "x/y.jpg", data)
    for _ in range(3):
        assert read_image_bytes(f"oss://{BUCKET}/x/y.jpg", profile=cloud_profile) == data
    with pytest.raises(SourceError, match="NoSuchKey"):
        read_image_bytes(f"oss://{BUCKET}/x/none.jpg", profile=cloud_profile)


def test_list_buckets(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    cloud_emulator.create_bucket("another-bucket")
    cloud_emulator.create_bucket(BUCKET)
    names = [b.name for b in list_buckets(cloud_profile)]
    assert BUCKET in names and "another-bucket" in names


def test_errors_name_the_bucket_and_the_cause(
    cloud_emulator: CloudEmulator, cloud_profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud_emulator.put_object(BUCKET, "a/1.jpg", b"x")
    with pytest.raises(SourceError, match=r"oss://no-such-bucket/.*NoSuchBucket"):
        list(OssSource("oss://no-such-bucket/", cloud_profile).iter_images())
    source = OssSource(f"oss://{BUCKET}/", cloud_profile)
    with pytest.raises(
        SourceError, match=rf"oss://{BUCKET}/a/missing.jpg: OSS GetObject failed: HTTP 404 NoSuchKey"
    ):
        source.read_bytes(f"oss://{BUCKET}/a/missing.jpg")

    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret-1234")
    with pytest.raises(SourceAuthError, match=r"SignatureDoesNotMatch.*wrong secret") as info:
        list(OssSource(f"oss://{BUCKET}/", cloud_profile).iter_images())
    assert "not-the-secret-1234" not in str(info.value)

    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-unknown-key")
    with pytest.raises(SourceAuthError, match="InvalidAccessKeyId"):
        list(OssSource(f"oss://{BUCKET}/", cloud_profile).iter_images())

    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
    cloud_emulator.deny(ACCESS_KEY_ID, "oss")
    with pytest.raises(SourceAuthError, match="AccessDenied"):
        source.read_bytes(f"oss://{BUCKET}/a/1.jpg")


def test_network_unreachable_is_retried_then_reported(cloud_profile: str) -> None:
    from facecurator.cloud.profiles import load_profile, save_profile

    dead = f"http://127.0.0.1:{_free_port()}"
    profile = load_profile(cloud_profile)
    save_profile(type(profile)(**{**profile.__dict__, "oss_endpoint": dead}))
    with pytest.raises(SourceError, match=r"failed after 4 attempts: network unreachable"):
        list(OssSource(f"oss://{BUCKET}/", cloud_profile).iter_images())


def test_transient_faults_are_retried(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    cloud_emulator.put_many(BUCKET, [f"k/{i:04d}.jpg" for i in range(2500)], b"x")
    cloud_emulator.set_faults(error_rate=0.3, throttle_rate=0.1, all_requests=True, seed=7)
    refs = list(OssSource(f"oss://{BUCKET}/k/", cloud_profile, page_size=500).iter_images())
    assert len(refs) == 2500
    assert (
        cloud_emulator.count(action="ListObjectsV2", status=500)
        + cloud_emulator.count(action="ListObjectsV2", status=503)
        > 0
    )


def test_emulator_verifies_v1_and_v4_signatures(cloud_emulator: CloudEmulator) -> None:
    import oss2

    cloud_emulator.put_object(BUCKET, "k.jpg", b"abc")
    for auth in (oss2.Auth(ACCESS_KEY_ID, ACCESS_KEY_SECRET), oss2.AuthV4(ACCESS_KEY_ID, ACCESS_KEY_SECRET)):
        bucket = oss2.Bucket(auth, cloud_emulator.url, BUCKET, region=cloud_emulator.region)
        assert bucket.get_object("k.jpg").read() == b"abc"
    for auth in (oss2.Auth(ACCESS_KEY_ID, "wrong"), oss2.AuthV4(ACCESS_KEY_ID, "wrong")):
        bucket = oss2.Bucket(auth, cloud_emulator.url, BUCKET, region=cloud_emulator.region)
        with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
            bucket.get_object("k.jpg")
    wrong_region = oss2.Bucket(
        oss2.AuthV4(ACCESS_KEY_ID, ACCESS_KEY_SECRET), cloud_emulator.url, BUCKET, region="us-east-1"
    )
    with pytest.raises(oss2.exceptions.ServerError):
        wrong_region.get_object("k.jpg")
    anonymous = oss2.Bucket(oss2.AnonymousAuth(), cloud_emulator.url, BUCKET)
    with pytest.raises(oss2.exceptions.AccessDenied):
        anonymous.get_object("k.jpg")
