"""Cloud profiles: endpoints, the TOML file, validation, and the `profile` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from helpers.memory_keyring import MemoryKeyring

from facecurator import paths
from facecurator.cli.main import main
from facecurator.cloud import credentials, redact
from facecurator.cloud.profiles import (
    DEFAULT_PROFILE,
    Profile,
    delete_profile,
    list_profiles,
    load_profile,
    profiles_path,
    save_profile,
)
from facecurator.errors import ConfigError


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    monkeypatch.setattr(credentials, "keyring_backend", lambda: backend)
    for name in (
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    return backend


# -- endpoints ----------------------------------------------------------------------


def test_public_endpoints_follow_the_region() -> None:
    profile = Profile("p", region="ap-southeast-1")
    assert profile.endpoint_for("oss") == "https://oss-ap-southeast-1.aliyuncs.com"
    assert profile.endpoint_for("imm") == "https://imm.ap-southeast-1.aliyuncs.com"
    assert profile.endpoint_for("green") == "https://green-cip.ap-southeast-1.aliyuncs.com"
    assert Profile("q").endpoint_for("oss") == "https://oss-cn-hangzhou.aliyuncs.com"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:9000/", "http://127.0.0.1:9000"),
        ("HTTP://LocalHost:8080", "http://localhost:8080"),
        ("oss-cn-shanghai-internal.aliyuncs.com", "https://oss-cn-shanghai-internal.aliyuncs.com"),
        ("https://[::1]:9443", "https://[::1]:9443"),
    ],
)
def test_endpoint_overrides_are_normalised(given: str, expected: str) -> None:
    profile = Profile("p", oss_endpoint=given, imm_endpoint=given, green_endpoint=given)
    assert {profile.endpoint_for(s) for s in ("oss", "imm", "green")} == {expected}


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://example.com",
        "https://example.com/some/path",
        "https://user:pw@example.com",
        "exa mple.com",
        "http://",
    ],
)
def test_bad_endpoints_are_config_errors(bad: str) -> None:
    with pytest.raises(ConfigError, match="endpoint"):
        Profile("p", imm_endpoint=bad)


def test_invalid_names_regions_numbers_are_refused() -> None:
    for name in ("", "a:b", "-x", "a/b", "x" * 65):
        with pytest.raises(ConfigError, match="profile name"):
            Profile(name)
    with pytest.raises(ConfigError, match="region"):
        Profile("p", region="Hangzhou")
    with pytest.raises(ConfigError, match="bucket"):
        Profile("p", bucket="Bad_Bucket")
    for qps in ({"green": 0}, {"green": -1}, {"green": "fast"}, {"green": True}, {"green": float("inf")}):
        with pytest.raises(ConfigError, match="qps"):
            Profile("p", qps=qps)
    with pytest.raises(ConfigError, match="prices"):
        Profile("p", prices={"faceDetect_global": -0.1})
    assert Profile("p", prices={"faceDetect_global": 0}).prices == {"faceDetect_global": 0.0}


# -- the file -----------------------------------------------------------------------


def test_save_load_round_trip_and_file_shape() -> None:
    profile = Profile(
        "prod",
        region="cn-shanghai",
        oss_endpoint="http://127.0.0.1:9000/",
        imm_project="gallery",
        bucket="my-gallery",
        qps={"green": 5, "imm": 20.5},
        prices={"faceDetect_global": 0.6},
    )
    path = save_profile(profile)
    assert path == paths.config_dir() / "profiles.toml"
    assert load_profile("prod") == profile
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    assert document["profiles"]["prod"]["oss_endpoint"] == "http://127.0.0.1:9000"
    assert document["profiles"]["prod"]["qps"] == {"green": 5.0, "imm": 20.5}
    assert "green_endpoint" not in document["profiles"]["prod"]  # unset values are omitted
    save_profile(Profile("alpha"))
    assert list_profiles() == ["alpha", "prod"]
    # Atomic write: no temporary files are left beside the file.
    assert sorted(p.name for p in path.parent.iterdir()) == ["profiles.toml"]


def test_default_profile_and_environment_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_profile() == Profile(DEFAULT_PROFILE)  # nothing saved: defaults
    assert not profiles_path().exists()
    save_profile(Profile("work", region="cn-beijing"))
    monkeypatch.setenv("FACECURATOR_PROFILE", "work")
    assert load_profile().region == "cn-beijing"
    monkeypatch.setenv("FACECURATOR_PROFILE", "gone")
    with pytest.raises(ConfigError, match=r"no profile named 'gone' \(existing: work\)"):
        load_profile()


def test_a_secret_in_the_file_is_refused_without_echoing_it() -> None:
    path = profiles_path()
    secret = "Wq3rTy7uIoP0aSdFgHjKl1ZxCvBnM2"
    path.write_text(
        f'schema_version = 1\n[profiles.default]\nregion = "cn-hangzhou"\naccess_key_secret = "{secret}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_profile()
    assert "looks like a secret" in str(info.value)
    assert "credentials set" in str(info.value)
    assert secret not in str(info.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("schema_version = 99\n", "newer facecurator"),
        ("[profiles.default]\nregoin = 'cn-hangzhou'\n", "unknown setting 'regoin'"),
        ("password = 'x'\n", "looks like a secret"),
        ("[profiles.default\n", "not valid TOML"),
        ("[profiles.default]\nregion = 5\n", "region"),
    ],
)
def test_broken_files_are_config_errors(text: str, reason: str) -> None:
    profiles_path().write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=reason):
        load_profile()


def test_a_known_secret_is_never_written_to_the_file() -> None:
    secret = "ThisIsAKnownSecretValue-42"
    redact.register_secret(secret)
    try:
        with pytest.raises(ConfigError, match="contains a credential secret"):
            save_profile(Profile("p", imm_project=secret))
    finally:
        redact.forget_secrets()
    assert not profiles_path().exists()


def test_delete_profile_removes_settings_and_keyring_items(memory_keyring: MemoryKeyring) -> None:
    save_profile(Profile("temp"))
    save_profile(Profile("keep"))
    credentials.store_credentials(
        "temp", credentials.Credentials("LTAI5tDeleteMe0001", "secret-of-temp-profile")
    )
    credentials.store_credentials(
        "keep", credentials.Credentials("LTAI5tKeepMe000002", "secret-of-keep-profile")
    )
    delete_profile("temp")
    assert list_profiles() == ["keep"]
    assert not any(user.startswith("temp:") for _service, user in memory_keyring.items)
    assert credentials.resolve_credentials("keep").access_key_id == "LTAI5tKeepMe000002"
    with pytest.raises(ConfigError, match=r"no profile named 'temp' \(existing: keep\)"):
        delete_profile("temp")


# -- the `profile` commands (in-process, as the CLI dispatches them) -------------------


def test_profile_commands(memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]) -> None:
    command = (
        "profile set lab --region cn-shenzhen --oss-endpoint http://127.0.0.1:9/ --bucket faces-lab "
        "--qps green=5 --qps imm=10 --price faceDetect_global=0.6"
    )
    assert main(command.split()) == 0
    assert "created profile lab" in capsys.readouterr().out
    # Only the options given change; an empty value clears a setting or a cap.
    assert main(["profile", "set", "lab", "--bucket", "", "--qps", "imm=", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bucket"] is None
    assert data["qps"] == {"green": 5.0}
    assert data["region"] == "cn-shenzhen"
    assert data["endpoints"]["oss"] == "http://127.0.0.1:9"
    assert data["endpoints"]["imm"] == "https://imm.cn-shenzhen.aliyuncs.com"

    assert main(["profile", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in listing["profiles"]] == ["lab"]

    assert main(["profile", "show", "lab", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["saved"] is True
    assert shown["credentials"]["configured"] is False
    assert "credentials set --profile lab" in shown["credentials"]["error"]

    assert main(["profile", "show", "lab"]) == 0
    text = capsys.readouterr().out
    assert "http://127.0.0.1:9" in text and "(default)" in text

    assert main(["profile", "set", "lab", "--qps", "green"]) == 2  # not SERVICE=N
    assert "--qps expects SERVICE=NUMBER" in capsys.readouterr().err
    assert main(["profile", "set", "lab", "--imm-endpoint", "ftp://x"]) == 2
    assert main(["profile", "show", "nope"]) == 2
    assert "no profile named 'nope'" in capsys.readouterr().err

    assert main(["profile", "delete", "lab"]) == 0
    assert main(["profile", "list"]) == 0
    assert "no saved profiles" in capsys.readouterr().out


def test_profile_without_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["profile"])
    assert info.value.code == 2


def test_profiles_file_lives_in_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACECURATOR_CONFIG_DIR", str(tmp_path / "elsewhere"))
    save_profile(Profile("x"))
    assert (tmp_path / "elsewhere" / "profiles.toml").is_file()


def test_delete_profile_without_a_keyring_still_deletes_the_settings(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_keyring() -> None:
        raise ConfigError("no usable OS keyring (test)")

    monkeypatch.setattr(credentials, "keyring_backend", no_keyring)
    save_profile(Profile("orphan"))
    with caplog.at_level("WARNING", logger="facecurator.cloud.profiles"):
        delete_profile("orphan")
    assert list_profiles() == []
    assert "keyring entries could not be checked" in caplog.text
    with pytest.raises(ConfigError, match="no usable OS keyring"):
        delete_profile("orphan")  # nothing left to delete and no keyring to look in
