"""``facecurator self-test`` as an operator runs it after installing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

EXPECTED_CHECKS = ["version", "resources", "detector", "embeddings", "heif", "qt", "keyring", "catalog"]


def _self_test(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "facecurator", "self-test", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
    )


def test_self_test_checks_the_installation() -> None:
    proc = _self_test("--json")
    data = json.loads(proc.stdout)
    checks = {check["name"]: check for check in data["checks"]}
    assert list(checks) == EXPECTED_CHECKS
    for name in ("version", "resources", "detector", "embeddings", "heif", "qt", "catalog"):
        assert checks[name]["ok"], checks[name]
    assert "1 face" in checks["detector"]["detail"]
    assert "5-point predictor + ResNet" in checks["embeddings"]["detail"]
    in_secret_service = bool(os.environ.get("FACECURATOR_KEYRING_SESSION_ROOT"))
    if in_secret_service:
        assert checks["keyring"]["ok"], checks["keyring"]
        assert proc.returncode == 0 and data["ok"] is True
    else:
        assert proc.returncode == (0 if checks["keyring"]["ok"] else 1)


def test_a_missing_keyring_is_a_warning_while_no_cloud_profile_needs_it(tmp_path) -> None:
    proc = _self_test(
        env={
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "FACECURATOR_CONFIG_DIR": str(tmp_path / "config"),
        }
    )
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.strip().splitlines()
    keyring_line = next(line for line in lines if " keyring:" in line)
    assert keyring_line.startswith("WARN") and "no cloud profile needs it" in keyring_line
    assert all(line.startswith("PASS") for line in lines if " keyring:" not in line)


def test_self_test_fails_with_a_line_per_check_when_the_keyring_is_missing(tmp_path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "profiles.toml").write_text('[profiles.prod]\nregion = "cn-hangzhou"\n', encoding="utf-8")
    proc = _self_test(
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "FACECURATOR_CONFIG_DIR": str(config)}
    )
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(EXPECTED_CHECKS)
    keyring_line = next(line for line in lines if " keyring:" in line)
    assert keyring_line.startswith("FAIL") and "ALIBABA_CLOUD_" in keyring_line
    assert all(line.startswith("PASS") for line in lines if " keyring:" not in line)
