"""Cloud detectors end to end: our code -> the real SDKs -> loopback HTTP -> the emulator."""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
    use_emulator_profile,
)

from facecurator.cloud.clients import Timeouts
from facecurator.cloud.ratelimit import RetryPolicy, limiter_for
from facecurator.detect.registry import DETECTOR_NAMES, detector_supports, make_detector
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.errors import ConfigError, DetectorAuthError, DetectorError
from facecurator.sources.oss import OssSource

FAST_RETRY = RetryPolicy(max_attempts=4, max_throttled_attempts=12, base_delay=0.02, max_delay=0.2)
CLOUD = ["oss-faces", "imm", "green", "green-pro"]
BILLED_AS = {"oss-faces": "oss-faces", "imm": "imm", "green": "green", "green-pro": "green-pro"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _put_images(emulator: CloudEmulator, count: int, prefix: str = "people") -> list[str]:
    keys = []
    for i in range(count):
        key = f"{prefix}/person{i % 3}/img{i:03d}.jpg"
        emulator.put_object(BUCKET, key, make_test_image(320 + 8 * i, 240, seed=i))
        keys.append(key)
    return keys


def _refs(profile: str, prefix: str = "people/") -> list[ImageRef]:
    return list(OssSource(f"oss://{BUCKET}/{prefix}", profile).iter_images())


def _assert_matches_emulator(emulator: CloudEmulator, name: str, key: str, result: DetectionResult) -> None:
    shape = "green" if name.startswith("green") else "imm"
    expected = emulator.expected_faces(BUCKET, key, shape=shape)
    boxes = [(f.box.x, f.box.y, f.box.w, f.box.h) for f in result.faces]
    if shape == "imm":
        want = [
            (e["Boundary"]["Left"], e["Boundary"]["Top"], e["Boundary"]["Width"], e["Boundary"]["Height"])
            for e in expected
        ]
        poses = [(e["HeadPose"]["Pitch"], e["HeadPose"]["Yaw"], e["HeadPose"]["Roll"]) for e in expected]
    else:
        want = [
            (e["Location"]["X"], e["Location"]["Y"], e["Location"]["W"], e["Location"]["H"]) for e in expected
        ]
        poses = [(e["Quality"]["Pitch"], e["Quality"]["Yaw"], e["Quality"]["Roll"]) for e in expected]
    assert boxes == want
    assert [(f.pose.pitch, f.pose.yaw, f.pose.roll) for f in result.faces] == poses
    assert (result.width, result.height) == emulator.image_size(BUCKET, key)


@pytest.mark.parametrize("name", CLOUD)
def test_detector_end_to_end_on_oss(name: str, cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    keys = _put_images(cloud_emulator, 4)
    cloud_emulator.put_object(BUCKET, "people/nobody/noface.jpg", make_test_image(seed=99))
    detector = make_detector(name, profile=cloud_profile, source_kind="oss", retry=FAST_RETRY)
    results = {}
    for ref in _refs(cloud_profile):
        results[ref.uri.split("/", 3)[3]] = detector.detect(ref, None)
    assert set(results) == {*keys, "people/nobody/noface.jpg"}
    for key in keys:
        _assert_matches_emulator(cloud_emulator, name, key, results[key])
        assert results[key].paid_calls == 1
        assert results[key].faces, "the emulator gives every image but 'noface' at least one face"
    assert results["people/nobody/noface.jpg"].faces == []
    # Different images give different faces (not a canned answer).
    assert len({tuple((f.box.x, f.box.y) for f in r.faces) for r in results.values()}) >= 4
    assert cloud_emulator.billable[BILLED_AS[name]] == 5, (
        cloud_emulator.billable,
        [(c.action, c.code, c.billed_as) for c in cloud_emulator.calls],
    )
    assert cloud_emulator.total_billable() == 5
    assert sum(r.paid_calls for r in results.values()) == 5


def test_settings_keys_and_attributes(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    keys = _put_images(cloud_emulator, 12)
    settings = {name: make_detector(name, profile=cloud_profile).settings_key for name in CLOUD}
    assert len(set(settings.values())) == 4
    assert "test-project" in settings["imm"] and "faceDetect_pro_global" in settings["green-pro"]
    pro = make_detector("green-pro", profile=cloud_profile)
    standard = make_detector("green", profile=cloud_profile)
    single = 0
    for ref, key in zip(_refs(cloud_profile), sorted(keys), strict=True):
        result = pro.detect(ref, None)
        raw = cloud_emulator.expected_faces(BUCKET, key, shape="green")
        face = result.faces[0]
        assert (
            face.blur is not None
            and face.blur.scale == "0-100"
            and face.blur.value == raw[0]["Quality"]["Blur"]
        )
        assert face.integrity == raw[0]["Quality"]["Integrity"]
        if len(result.faces) == 1:  # the image-level label is attributed to a single face only
            single += 1
            assert face.eyes_closed is cloud_emulator.expected_eyes_closed(BUCKET, key)
            assert (
                standard.detect(ref, None).faces[0].eyes_closed is None
            )  # not measured by the standard edition
    assert single >= 2
    (first,) = [r for r in _refs(cloud_profile) if r.uri.endswith(sorted(keys)[0])]
    imm = make_detector("imm", profile=cloud_profile).detect(first, None).faces[0]
    assert imm.sharpness is not None and imm.quality is not None and imm.blur is None


def test_cost_of_a_detector_object(cloud_profile: str) -> None:
    from facecurator.cloud.cost import estimate

    pro = make_detector("green-pro", profile=cloud_profile)
    assert pro.name == "green" and pro.registry_name == "green-pro" and pro.paid
    assert estimate(pro, 100).total == pytest.approx(0.12)
    assert estimate(make_detector("green", profile=cloud_profile), 100).total == pytest.approx(0.06)
    assert not estimate(make_detector("imm", profile=cloud_profile), 100).price_known  # no documented price


def test_tea_config_takes_its_proxy_from_proxy_for(
    cloud_profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facecurator.cloud.clients import oss_proxies, tea_config
    from facecurator.cloud.profiles import Profile

    https = Profile(
        "https-test", green_endpoint="https://green.example.test", oss_endpoint="https://oss.example.test"
    )
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    config = tea_config(https, "green")
    assert (config.https_proxy, config.http_proxy, config.no_proxy) == ("http://proxy.corp:3128",) * 2 + (
        None,
    )
    assert config.protocol == "HTTPS" and config.endpoint == "green.example.test"
    assert oss_proxies("https://oss.example.test") == {
        "http": "http://proxy.corp:3128",
        "https": "http://proxy.corp:3128",
    }
    monkeypatch.setenv("NO_PROXY", ".example.test")
    config = tea_config(https, "green")
    assert config.https_proxy is None and config.no_proxy == "green.example.test"
    assert oss_proxies("https://oss.example.test") == {"no_proxy": "oss.example.test"}


def test_green_uploads_local_images_with_a_shared_sts_token(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, astronaut_png: Path
) -> None:
    files = [astronaut_png]
    for i in range(5):
        path = tmp_path / f"person{i % 2}" / f"img{i}.jpg"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(make_test_image(300, 200 + i, seed=100 + i))
        files.append(path)
    detector = make_detector("green", profile=cloud_profile, source_kind="local", retry=FAST_RETRY)
    assert detector.needs_bytes is False

    def run(path: Path) -> DetectionResult:
        twin = detector.clone()
        ref = ImageRef(
            uri=str(path), name=path.name, group=path.parent.name, size=path.stat().st_size, mtime_ns=0
        )
        return twin.detect(ref, path.read_bytes() if path.suffix == ".png" else None)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, files))
    assert cloud_emulator.count(action="DescribeUploadToken") == 1  # cached, shared by threads
    uploads = cloud_emulator.calls_of("PutObject")
    assert len(uploads) == len(files) and all(c.status == 200 for c in uploads)
    for path, result in zip(files, results, strict=True):
        bucket, key = result.extra["uploaded_as"].removeprefix("oss://").split("/", 1)
        assert bucket == cloud_emulator.upload_bucket
        assert cloud_emulator.get_object(bucket, key).data == path.read_bytes()
        expected = cloud_emulator.expected_faces(bucket, key, shape="green")
        assert [f.raw for f in result.faces] == expected
        assert (result.width, result.height) == cloud_emulator.image_size(bucket, key)
        assert result.paid_calls == 1
    assert cloud_emulator.billable["green"] == len(files)


def test_upload_token_is_refreshed_before_it_expires(
    cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facecurator.detect.cloud import UPLOAD_TOKEN_MARGIN, _UploadTokenCache

    now = [time.time()]
    monkeypatch.setattr(_UploadTokenCache, "clock", staticmethod(lambda: now[0]))
    cloud_emulator.upload_token_ttl = UPLOAD_TOKEN_MARGIN + 60.0
    path = tmp_path / "a.jpg"
    path.write_bytes(make_test_image(seed=5))
    ref = ImageRef(uri=str(path), name="a.jpg", group="x", size=1, mtime_ns=0)
    detector = make_detector("green", profile=cloud_profile, retry=FAST_RETRY)
    detector.detect(ref, None)
    now[0] += 55.0  # still more than the margin before it expires: reused
    detector.detect(ref, None)
    assert cloud_emulator.count(action="DescribeUploadToken") == 1
    now[0] += 10.0  # within the margin of its expiration (the STS credentials still work): renewed
    detector.detect(ref, None)
    assert cloud_emulator.count(action="DescribeUploadToken") == 2


def test_business_errors_are_errors_not_empty_results(
    cloud_emulator: CloudEmulator, cloud_profile: str
) -> None:
    cloud_emulator.put_object(BUCKET, "bad/not-an-image.jpg", b"this is text, not a JPEG")
    (ref,) = _refs(cloud_profile, "bad/")
    messages = {}
    for name in CLOUD:
        with pytest.raises(DetectorError) as info:
            make_detector(name, profile=cloud_profile, retry=FAST_RETRY).detect(ref, None)
        messages[name] = str(info.value)
        assert str(info.value).startswith(f"oss://{BUCKET}/bad/not-an-image.jpg: ")
    assert "407" in messages["green"] and "format" in messages["green"]
    assert "HTTP 400 InvalidArgument: Failed to decode the image" in messages["imm"]
    assert "image/faces" in messages["oss-faces"]
    missing = ImageRef(
        uri=f"oss://{BUCKET}/bad/missing.jpg", name="missing.jpg", group="bad", size=0, mtime_ns=0
    )
    with pytest.raises(DetectorError, match="404"):
        make_detector("green", profile=cloud_profile, retry=FAST_RETRY).detect(missing, None)
    assert cloud_emulator.total_billable() == 0


@pytest.mark.parametrize("name", CLOUD)
def test_wrong_secret_is_a_clear_auth_error(
    name: str, cloud_emulator: CloudEmulator, cloud_profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put_images(cloud_emulator, 1)
    (ref,) = _refs(cloud_profile)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "definitely-wrong-secret")
    detector = make_detector(name, profile=cloud_profile, retry=FAST_RETRY)
    with pytest.raises(DetectorAuthError) as info:
        detector.detect(ref, None)
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text
    assert "SignatureDoesNotMatch" in text and "wrong secret" in text
    assert "definitely-wrong-secret" not in text
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-nobody")
    with pytest.raises(DetectorAuthError, match="InvalidAccessKeyId"):
        make_detector(name, profile=cloud_profile, retry=FAST_RETRY).detect(ref, None)
    assert cloud_emulator.total_billable() == 0


def test_sts_credentials_and_permissions(
    cloud_emulator: CloudEmulator, cloud_profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put_images(cloud_emulator, 1)
    (ref,) = _refs(cloud_profile)
    cloud_emulator.add_key("STS.test", "sts-secret-abcdef", security_token="token-good-123456", ttl=600)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.test")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sts-secret-abcdef")
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "token-good-123456")
    for name in CLOUD:
        assert make_detector(name, profile=cloud_profile).detect(ref, None).faces
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "token-forged-999999")
    for name in CLOUD:
        with pytest.raises(DetectorAuthError, match="InvalidSecurityToken"):
            make_detector(name, profile=cloud_profile).detect(ref, None)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN")
    cloud_emulator.deny(ACCESS_KEY_ID, "imm")
    with pytest.raises(DetectorAuthError, match=r"Forbidden\.RAM.*no permission"):
        make_detector("imm", profile=cloud_profile).detect(ref, None)


def test_twenty_percent_faults_every_image_ends_detected_or_failed(
    cloud_emulator: CloudEmulator, cloud_profile: str
) -> None:
    keys = _put_images(cloud_emulator, 40)
    refs = _refs(cloud_profile)
    # A hung call outlasts the read time-out; an answered one must never come near it, even
    # on a loaded 2-core machine: a billed answer later than the time-out is retried and paid
    # twice (README "Rate limits and faults"), which is what the billing assertion catches.
    cloud_emulator.set_faults(error_rate=0.10, throttle_rate=0.05, timeout_rate=0.05, hang=4.0, seed=42)
    policy = RetryPolicy(max_attempts=3, max_throttled_attempts=6, base_delay=0.02, max_delay=0.1)
    outcomes: dict[str, str] = {}
    for name in ("imm", "green"):
        detector = make_detector(
            name, profile=cloud_profile, retry=policy, timeouts=Timeouts(connect=2, read=2.0)
        )

        def run(ref: ImageRef, d=detector) -> tuple[str, str]:
            try:
                result = d.clone().detect(ref, None)
            except DetectorError as exc:
                return ref.uri, f"error: {exc}"
            return ref.uri, f"ok: {len(result.faces)} faces, {result.paid_calls} paid"

        with ThreadPoolExecutor(8) as pool:
            done = dict(pool.map(run, refs))
        assert set(done) == {r.uri for r in refs}  # nothing lost
        ok = [u for u, o in done.items() if o.startswith("ok")]
        failed = {u: o for u, o in done.items() if o.startswith("error")}
        assert len(ok) >= 30, failed  # retries rescue most images
        for uri, outcome in failed.items():
            assert outcome.startswith(f"error: {uri}: ") and "failed after" in outcome
        action = "DetectImageFaces" if name == "imm" else "ImageModeration"
        attempts = cloud_emulator.count(action=action)
        assert attempts <= len(refs) * policy.max_throttled_attempts  # bounded
        assert attempts > len(refs)  # faults did happen and were retried
        assert cloud_emulator.billable[name] == len(ok)  # one paid call per detected image
        outcomes.update({f"{name}:{u}": o for u, o in done.items()})
    assert len(outcomes) == 2 * len(keys)


def test_throttling_lowers_the_rate_and_every_image_succeeds(
    cloud_emulator: CloudEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = use_emulator_profile(cloud_emulator, monkeypatch, qps={"green": 40.0, "oss": 1000.0})
    cloud_emulator.qps_caps["green"] = 15  # the service's real limit is lower than configured
    _put_images(cloud_emulator, 24)
    refs = _refs(profile)
    detector = make_detector("green", profile=profile, retry=FAST_RETRY, measure_size=False)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda r: detector.clone().detect(r, None), refs))
    assert len(results) == 24 and all(r.paid_calls == 1 for r in results)
    limiter = limiter_for("green", profile)
    assert limiter.throttled_count > 0
    throttled = [c for c in cloud_emulator.calls_of("ImageModeration") if c.code == "403"]
    assert throttled, "the emulator's cap must have been hit"
    assert cloud_emulator.billable["green"] == 24
    # Adaptive back-off keeps the waste bounded: fewer refusals than images.
    assert len(throttled) < 24


def test_documented_qps_defaults() -> None:
    from facecurator.cloud.ratelimit import DEFAULT_QPS, reset_limiters

    reset_limiters()
    assert DEFAULT_QPS["green"] == 10 and DEFAULT_QPS["green-pro"] == 5
    assert limiter_for("green", "some-profile").max_rate == 10
    assert limiter_for("green-pro", "some-profile").max_rate == 5
    assert limiter_for("imm", "some-profile", {"imm": 3.0}).max_rate == 3.0
    reset_limiters()


def _set_proxies(monkeypatch: pytest.MonkeyPatch, proxy: str, no_proxy: str | None) -> None:
    for var in ("HTTPS_PROXY", "HTTP_PROXY"):
        monkeypatch.setenv(var, proxy)
    if no_proxy is None:
        monkeypatch.delenv("NO_PROXY", raising=False)
    else:
        monkeypatch.setenv("NO_PROXY", no_proxy)


def test_no_proxy_is_honoured_by_every_sdk(
    cloud_emulator: CloudEmulator, cloud_profile: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _put_images(cloud_emulator, 1)
    (ref,) = _refs(cloud_profile)
    local = tmp_path / "local.jpg"
    local.write_bytes(make_test_image(seed=8))
    local_ref = ImageRef(uri=str(local), name="local.jpg", group="x", size=1, mtime_ns=0)
    dead_proxy = f"http://127.0.0.1:{_free_port()}"

    _set_proxies(monkeypatch, dead_proxy, "localhost,127.0.0.1")
    for name in CLOUD:  # oss2 and both Tea clients go direct
        assert make_detector(name, profile=cloud_profile).detect(ref, None).faces
    assert make_detector("green", profile=cloud_profile).detect(local_ref, None).faces  # STS upload too
    assert len(list(OssSource(f"oss://{BUCKET}/", cloud_profile).iter_images())) == 1

    _set_proxies(monkeypatch, dead_proxy, None)
    for name in CLOUD:
        started = time.monotonic()
        with pytest.raises(DetectorError, match=f"cannot reach the proxy {dead_proxy}"):
            make_detector(name, profile=cloud_profile).detect(ref, None)
        assert time.monotonic() - started < 3.0  # fails fast: a dead proxy is not retried


def test_registry_contract_table(cloud_profile: str) -> None:
    assert DETECTOR_NAMES == ("local", "oss-faces", "imm", "green", "green-pro")
    assert detector_supports("local", "local") and detector_supports("local", "oss")
    assert detector_supports("green", "local") and detector_supports("green-pro", "oss")
    for name in ("oss-faces", "imm"):
        assert detector_supports(name, "oss") and not detector_supports(name, "local")
        with pytest.raises(ConfigError, match=f"the {name} detector cannot work on a local folder"):
            make_detector(name, profile=cloud_profile, source_kind="local")
    with pytest.raises(ConfigError, match="unknown detector"):
        make_detector("rekognition")
    detector = make_detector("imm", profile=cloud_profile)
    local_ref = ImageRef(uri="/tmp/a.jpg", name="a.jpg", group="tmp", size=1, mtime_ns=0)
    with pytest.raises(DetectorError, match="OSS images"):
        detector.detect(local_ref, b"")


def test_imm_needs_a_project(cloud_emulator: CloudEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from facecurator.cloud.profiles import Profile, save_profile

    use_emulator_profile(cloud_emulator, monkeypatch)
    save_profile(Profile("noproject", oss_endpoint=cloud_emulator.url, imm_endpoint=cloud_emulator.url))
    with pytest.raises(ConfigError, match="--imm-project"):
        make_detector("imm", profile="noproject")
    wrong = make_detector("imm", profile="noproject", project="other-project", retry=FAST_RETRY)
    cloud_emulator.put_object(BUCKET, "a/1.jpg", make_test_image())
    ref = ImageRef(uri=f"oss://{BUCKET}/a/1.jpg", name="1.jpg", group="a", size=1, mtime_ns=0)
    with pytest.raises(
        DetectorError,
        match=r"IMM DetectImageFaces failed: HTTP 400 ResourceNotFound: The specified resource Project",
    ):
        wrong.detect(ref, None)


def test_missing_credentials_is_a_config_error(
    cloud_emulator: CloudEmulator, cloud_profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    monkeypatch.setattr(keyring, "get_keyring", lambda: FailKeyring())
    with pytest.raises(ConfigError, match="imm detector"):
        make_detector("imm", profile=cloud_profile)


def test_oss_faces_raw_payload_is_kept(cloud_emulator: CloudEmulator, cloud_profile: str) -> None:
    (key,) = _put_images(cloud_emulator, 1)
    (ref,) = _refs(cloud_profile)
    result = make_detector("oss-faces", profile=cloud_profile).detect(ref, None)
    assert result.raw["Figures"] == cloud_emulator.expected_faces(BUCKET, key)
    json.dumps(result.raw)  # storable as is
