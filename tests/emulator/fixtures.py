"""The pytest fixtures (a started emulator, a profile pointing at it) and the
small real test images whose emulated faces depend on a seed."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator

import pytest

from emulator.model import ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET
from emulator.server import CloudEmulator


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
