"""Credentials: masking, environment override, keyring logic, redaction, and the `credentials` commands.

The real OS keyring (Secret Service) is exercised in test_keyring_secret_service.py;
here the keyring logic runs against an in-process backend, and the "no keyring"
paths against keyring's own fail/null backends.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from helpers.memory_keyring import MemoryKeyring

from facecurator.cli.main import main
from facecurator.cloud import credentials, redact
from facecurator.cloud.credentials import Credentials, mask, resolve_credentials, store_credentials
from facecurator.errors import ConfigError

ENV_NAMES = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN")
KEY_ID = "LTAI5tKq8PzR3mN7xYwVabcd"
SECRET = "kT9vQ2sX7mL4pR8wZ3nB6yH1cF5dG0"
TOKEN = "CAIS" + "x" * 300


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> None:
    yield
    redact.forget_secrets()


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    monkeypatch.setattr(credentials, "keyring_backend", lambda: backend)
    return backend


# -- the value object ---------------------------------------------------------------


def test_repr_and_str_never_show_the_secret_or_token() -> None:
    creds = Credentials(KEY_ID, SECRET, TOKEN, source="env")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert SECRET not in text
        assert TOKEN not in text
        assert "LTAI****abcd" in text
    assert creds.masked_id == "LTAI****abcd"


def test_mask() -> None:
    assert mask(KEY_ID) == "LTAI****abcd"
    assert mask("short") == "****"
    assert mask("") == "****"


@pytest.mark.parametrize(
    ("key_id", "secret", "token", "reason"),
    [
        ("", SECRET, None, "ID is empty"),
        ("LTAI 5t", SECRET, None, "spaces"),
        (KEY_ID, "", None, "secret is empty"),
        (KEY_ID, "abc\ndef", None, "line break"),
        (KEY_ID, SECRET, "", "token"),
    ],
)
def test_invalid_credentials_are_refused_without_echo(
    key_id: str, secret: str, token: str | None, reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason) as info:
        Credentials(key_id, secret, token)
    if secret:
        assert secret not in str(info.value)


# -- resolution ---------------------------------------------------------------------


def test_store_resolve_delete(memory_keyring: MemoryKeyring) -> None:
    store_credentials("default", Credentials(KEY_ID, SECRET, TOKEN))
    assert memory_keyring.items[("facecurator", "default:access_key_id")] == KEY_ID
    assert memory_keyring.items[("facecurator", "default:access_key_secret")] == SECRET
    assert memory_keyring.items[("facecurator", "default:security_token")] == TOKEN
    creds = resolve_credentials("default")
    assert (creds.access_key_id, creds.access_key_secret, creds.security_token) == (KEY_ID, SECRET, TOKEN)
    assert creds.source == "keyring"
    assert credentials.has_credentials("default")
    # Re-storing without a token removes the stale one.
    store_credentials("default", Credentials(KEY_ID, SECRET))
    assert ("facecurator", "default:security_token") not in memory_keyring.items
    assert resolve_credentials("default").security_token is None
    # Profiles are independent.
    with pytest.raises(
        ConfigError, match="no credentials for profile other: run `facecurator credentials set"
    ):
        resolve_credentials("other")
    assert credentials.delete_credentials("default") is True
    assert memory_keyring.items == {}
    assert credentials.delete_credentials("default") is False
    with pytest.raises(ConfigError, match="no credentials stored"):
        credentials.delete_credentials("default", missing_ok=False)
    assert not credentials.has_credentials("default")


def test_environment_overrides_the_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_credentials("default", Credentials(KEY_ID, SECRET))
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tFromEnvironment01")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "environment-secret-value-0001")
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "environment-token-value-0001")
    creds = resolve_credentials("default")
    assert creds.source == "env"
    assert creds.access_key_id == "LTAI5tFromEnvironment01"
    assert creds.security_token == "environment-token-value-0001"
    # ... for every profile, even one without keyring entries.
    assert resolve_credentials("any-profile").source == "env"
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    with pytest.raises(
        ConfigError, match="ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    ):
        resolve_credentials("default")


def test_environment_works_without_any_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_keyring() -> None:
        raise AssertionError("the keyring must not be consulted when the environment provides credentials")

    monkeypatch.setattr(credentials, "keyring_backend", no_keyring)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    assert resolve_credentials("default").source == "env"


def test_incomplete_keyring_entries_are_reported(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("facecurator", "default:access_key_id", KEY_ID)
    with pytest.raises(
        ConfigError,
        match="incomplete credentials for profile default: the keyring lacks the AccessKey secret",
    ):
        resolve_credentials("default")


@pytest.mark.parametrize("backend", ["keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"])
def test_unusable_keyring_backends_are_config_errors(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.core import load_keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(load_keyring(backend))
    try:
        for call in (
            lambda: resolve_credentials("default"),
            lambda: store_credentials("default", Credentials(KEY_ID, SECRET)),
            lambda: credentials.delete_credentials("default"),
        ):
            with pytest.raises(ConfigError) as info:
                call()
            message = str(info.value)
            assert "no usable OS keyring" in message
            assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in message
            if sys.platform.startswith("linux"):
                assert "gnome-keyring" in message
    finally:
        keyring.set_keyring(previous)


def test_keyring_failures_become_config_errors_without_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.errors import KeyringLocked, PasswordSetError

    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise PasswordSetError(f"backend refused {password}")  # a careless backend quoting the value

        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("collection is locked")

    monkeypatch.setattr(credentials, "keyring_backend", Broken)
    with pytest.raises(ConfigError) as info:
        store_credentials("default", Credentials(KEY_ID, SECRET))
    assert SECRET not in str(info.value)
    assert "cannot store credentials of profile default" in str(info.value)
    with pytest.raises(ConfigError, match="keyring is locked"):
        resolve_credentials("default")


# -- redaction ----------------------------------------------------------------------


def test_redact_masks_registered_secrets_and_signed_fragments() -> None:
    redact.register_secret(SECRET)
    redact.register_secret("short")  # too short to register: would garble ordinary text
    text = (
        f"secret={SECRET} url=https://b.oss.example.com/k?OSSAccessKeyId=LTAI&Signature=abc%2Fdef&x=1 "
        "Authorization: OSS4-HMAC-SHA256 Credential=LTAI/2024, SecurityToken=CAISsecret short"
    )
    masked = redact.redact(text)
    assert SECRET not in masked
    assert "abc%2Fdef" not in masked and "CAISsecret" not in masked
    assert "OSS4-HMAC-SHA256 Credential" not in masked
    assert "short" in masked and "x=1" in masked


def test_redacting_filter_covers_message_args_and_traceback() -> None:
    redact.register_secret(SECRET)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(redact.RedactingFilter())
    logger = logging.getLogger("facecurator.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling with %s", SECRET)
        try:
            raise RuntimeError(f"SDK said: bad secret {SECRET}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    assert SECRET not in output
    assert "calling with ****" in output
    assert "RuntimeError: SDK said: bad secret ****" in output


def test_install_masks_every_logger_and_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    original = logging.getLogRecordFactory()
    monkeypatch.setattr(redact, "_installed", False)
    try:
        redact.install()
        redact.install()
        redact.register_secret(SECRET)
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        third_party = logging.getLogger("urllib3.test-redaction")
        third_party.addHandler(handler)
        third_party.propagate = False
        try:
            third_party.warning("header %s", {"x-secret": SECRET})
        finally:
            third_party.removeHandler(handler)
        assert SECRET not in stream.getvalue()
        assert "****" in stream.getvalue()
    finally:
        logging.setLogRecordFactory(original)


def test_redact_exception_is_one_line() -> None:
    redact.register_secret(SECRET)
    text = redact.redact_exception(ValueError(f"first line {SECRET}\nsecond line"))
    assert text == "ValueError: first line ****"


# -- the `credentials` commands (in-process, with the keyring logic above) -----------


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_credentials_set_show_delete(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, f"{SECRET}\n{TOKEN}\n")
    assert main(["credentials", "set", "--profile", "lab", "--access-key-id", KEY_ID, "--secret-stdin"]) == 0
    out = capsys.readouterr()
    assert "stored AccessKey LTAI****abcd for profile lab" in out.out
    assert "created profile lab" in out.err  # a named profile is created with defaults
    assert memory_keyring.items[("facecurator", "lab:access_key_secret")] == SECRET
    assert memory_keyring.items[("facecurator", "lab:security_token")] == TOKEN

    assert main(["credentials", "show", "--profile", "lab", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "profile": "lab",
        "source": "keyring",
        "access_key_id": "LTAI****abcd",
        "access_key_secret": "****",
        "security_token": True,
        "keyring": shown["keyring"],
    }
    assert main(["credentials", "show", "--profile", "lab"]) == 0
    text = capsys.readouterr().out
    assert SECRET not in text and TOKEN not in text and "LTAI****abcd" in text

    monkeypatch.setenv("FACECURATOR_PROFILE", "lab")
    assert main(["credentials", "delete"]) == 0
    assert "deleted the AccessKey of profile lab" in capsys.readouterr().out
    assert memory_keyring.items == {}
    assert main(["credentials", "show"]) == 2
    assert "no credentials for profile lab" in capsys.readouterr().err


def test_the_secret_is_never_an_argument(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    for option in ("--secret", "--access-key-secret", "--secret-stdin=x", "--security-token"):
        with pytest.raises(SystemExit) as info:
            main(["credentials", "set", "--access-key-id", KEY_ID, option, SECRET])
        assert info.value.code == 2
    assert memory_keyring.items == {}


def test_credentials_set_refuses_to_prompt_without_a_terminal(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "")
    assert main(["credentials", "set", "--access-key-id", KEY_ID]) == 2
    assert "--secret-stdin" in capsys.readouterr().err
    assert main(["credentials", "set", "--secret-stdin"]) == 2
    assert "--access-key-id" in capsys.readouterr().err
    _stdin(monkeypatch, "\n")
    assert main(["credentials", "set", "--access-key-id", KEY_ID, "--secret-stdin"]) == 2
    assert "standard input is empty" in capsys.readouterr().err
    assert memory_keyring.items == {}


def test_forced_fail_backend_via_environment_in_a_subprocess() -> None:
    """What an operator without any keyring sees: exit 2 and what to do."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["PYTHONWARNINGS"] = "ignore"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "facecurator",
            "credentials",
            "set",
            "--access-key-id",
            KEY_ID,
            "--secret-stdin",
        ],
        input=SECRET + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "no usable OS keyring" in proc.stderr
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
