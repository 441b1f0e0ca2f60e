"""Why a cloud call failed: classification of the SDKs' real exceptions, by hand and end to end.

The end-to-end cases drive the real oss2 / IMM / Content Moderation clients
against a scripted HTTP server on 127.0.0.1 that answers with the services'
documented error shapes, so the SDKs' own error parsing is part of the test.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from facecurator.cloud.credentials import Credentials
from facecurator.cloud.diagnose import CloudErrorKind, check_service, classify_cloud_error
from facecurator.cloud.profiles import Profile
from facecurator.cloud.proxy import bypasses_proxy, proxy_for

KEY_ID = "LTAI5tKq8PzR3mN7xYwVabcd"
SECRET = "kT9vQ2sX7mL4pR8wZ3nB6yH1cF5dG0"


# -- classification of hand-made SDK exceptions ---------------------------------------


def _oss_server_error(status: int, code: str, message: str = "", **details: str) -> Exception:
    import oss2.exceptions as oe

    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    klass = oe._OSS_ERROR_TO_EXCEPTION.get((status, code), oe.ServerError)
    return klass(status, {"x-oss-request-id": "5C3D"}, body, {"Code": code, "Message": message, **details})


def _tea_client_error(status: int, code: str, message: str = "") -> Exception:
    from alibabacloud_tea_openapi.exceptions import ClientException

    return ClientException(
        status_code=status,
        code=code,
        message=f"code: {status}, {message} request id: 1A2B",
        data={"Code": code, "Message": message},
    )


def _requests_error(kind: str) -> Exception:
    """What requests raises, with the urllib3/socket causes chained as in a real failure."""
    import requests.exceptions as rex
    import urllib3.exceptions as uex

    if kind == "dns":
        root: Exception = socket.gaierror(-2, "Name or service not known")
        cause: Exception = uex.NameResolutionError("imm.xx-nowhere-1.aliyuncs.com", None, root)  # type: ignore[arg-type]
        error: Exception = rex.ConnectionError(uex.MaxRetryError(None, "/", cause))  # type: ignore[arg-type]
    elif kind == "refused":
        root = ConnectionRefusedError(111, "Connection refused")
        error = rex.ConnectionError(f"HTTPConnectionPool(host='127.0.0.1', port=9): {root}")
    elif kind == "timeout":
        root = TimeoutError("timed out")
        error = rex.ConnectTimeout(f"HTTPSConnectionPool(host='oss.example.com', port=443): {root}")
    elif kind == "proxy":
        root = OSError("Tunnel connection failed: 403 Forbidden")
        error = rex.ProxyError(uex.ProxyError("Unable to connect to proxy", root))
    elif kind == "unreachable":
        root = OSError(101, "Network is unreachable")
        error = rex.ConnectionError(f"HTTPSConnectionPool(host='oss.example.com', port=443): {root}")
    else:  # pragma: no cover
        raise AssertionError(kind)
    error.__cause__ = root
    return error


def _oss_request_error(kind: str) -> Exception:
    import oss2.exceptions as oe

    return oe.RequestError(_requests_error(kind))


def _tea_unretryable(kind: str) -> Exception:
    from Tea.exceptions import UnretryableException
    from Tea.request import TeaRequest

    return UnretryableException(TeaRequest(), _requests_error(kind))


def _tea_legacy(code: str, status: int) -> Exception:
    from Tea.exceptions import TeaException

    return TeaException({"code": code, "message": "legacy Tea error", "data": {"statusCode": status}})


@pytest.mark.parametrize(
    ("make", "kind", "words"),
    [
        (
            lambda: _oss_server_error(403, "InvalidAccessKeyId"),
            CloudErrorKind.WRONG_KEY,
            "AccessKey ID is not recognised",
        ),
        (
            lambda: _tea_client_error(404, "InvalidAccessKeyId.NotFound"),
            CloudErrorKind.WRONG_KEY,
            "not recognised",
        ),
        (
            lambda: _tea_client_error(400, "InvalidAccessKeyId.Inactive"),
            CloudErrorKind.WRONG_KEY,
            "is disabled",
        ),
        (lambda: _tea_legacy("InvalidAccessKeyId.NotFound", 404), CloudErrorKind.WRONG_KEY, "not recognised"),
        (
            lambda: _oss_server_error(403, "SecurityTokenExpired"),
            CloudErrorKind.WRONG_KEY,
            "STS security token",
        ),
        (lambda: _tea_client_error(400, "InvalidSecurityToken.Expired"), CloudErrorKind.WRONG_KEY, "STS"),
        (
            lambda: _oss_server_error(403, "SignatureDoesNotMatch", "The request signature we calculated..."),
            CloudErrorKind.SIGNATURE_MISMATCH,
            "the AccessKey secret is wrong",
        ),
        (
            lambda: _tea_client_error(400, "SignatureDoesNotMatch"),
            CloudErrorKind.SIGNATURE_MISMATCH,
            "secret is wrong",
        ),
        (
            lambda: _oss_server_error(403, "AccessDenied", "You have no right"),
            CloudErrorKind.NO_PERMISSION,
            "no permission",
        ),
        (
            lambda: _tea_client_error(403, "Forbidden.RAM", "User not authorized"),
            CloudErrorKind.NO_PERMISSION,
            "RAM",
        ),
        (
            lambda: _tea_client_error(403, "Forbidden.NoPermission"),
            CloudErrorKind.NO_PERMISSION,
            "no permission",
        ),
        (
            lambda: _oss_server_error(
                403,
                "AccessDenied",
                "The bucket you are attempting to access must be addressed using the specified endpoint.",
                Endpoint="oss-cn-beijing.aliyuncs.com",
            ),
            CloudErrorKind.WRONG_ENDPOINT,
            "oss-cn-beijing.aliyuncs.com",
        ),
        (
            lambda: _oss_server_error(404, "NoSuchBucket"),
            CloudErrorKind.WRONG_ENDPOINT,
            "bucket does not exist",
        ),
        (lambda: _oss_server_error(404, ""), CloudErrorKind.WRONG_ENDPOINT, "404"),
        (lambda: _tea_client_error(400, "InvalidRegionId"), CloudErrorKind.WRONG_ENDPOINT, "region"),
        (lambda: _oss_server_error(403, "RequestTimeTooSkewed"), CloudErrorKind.CLOCK_SKEW, "clock"),
        (lambda: _tea_client_error(400, "Throttling.User"), CloudErrorKind.THROTTLED, "throttling"),
        (
            lambda: _oss_server_error(503, "ServiceUnavailable", "SlowDown please"),
            CloudErrorKind.THROTTLED,
            "throttling",
        ),
        (lambda: _oss_server_error(500, "InternalError"), CloudErrorKind.SERVER_ERROR, "HTTP 500"),
        (lambda: _oss_request_error("dns"), CloudErrorKind.WRONG_ENDPOINT, "cannot resolve the host"),
        (lambda: _tea_unretryable("dns"), CloudErrorKind.WRONG_ENDPOINT, "imm.xx-nowhere-1.aliyuncs.com"),
        (
            lambda: _oss_request_error("refused"),
            CloudErrorKind.WRONG_ENDPOINT,
            "connection refused by 127.0.0.1:9",
        ),
        (lambda: _tea_unretryable("timeout"), CloudErrorKind.NETWORK, "timed out"),
        (lambda: _oss_request_error("proxy"), CloudErrorKind.NETWORK, "HTTPS_PROXY"),
        (lambda: _tea_unretryable("unreachable"), CloudErrorKind.NETWORK, "network unreachable"),
    ],
)
def test_classify_real_sdk_exceptions(make, kind: CloudErrorKind, words: str) -> None:  # type: ignore[no-untyped-def]
    info = classify_cloud_error(make())
    assert info.kind is kind, info
    assert words in info.message
    assert "\n" not in info.message


@pytest.mark.parametrize(
    ("make", "kind", "auth", "words"),
    [
        (
            lambda: _oss_server_error(403, "InvalidAccessKeyId"),
            "fatal",
            True,
            "HTTP 403 InvalidAccessKeyId: the AccessKey ID is not known",
        ),
        (lambda: _oss_server_error(403, "SecurityTokenExpired"), "fatal", True, "STS security token"),
        (lambda: _tea_client_error(400, "SignatureDoesNotMatch"), "fatal", True, "(wrong secret?)"),
        (
            lambda: _tea_client_error(403, "Forbidden.RAM", "User not authorized"),
            "fatal",
            True,
            "no permission",
        ),
        (lambda: _oss_server_error(503, "ServiceUnavailable"), "throttled", False, "HTTP 503"),
        (lambda: _tea_client_error(400, "Throttling.User"), "throttled", False, "HTTP 400 Throttling.User"),
        (lambda: _oss_server_error(500, "InternalError"), "transient", False, "HTTP 500 InternalError"),
        (lambda: _oss_request_error("dns"), "transient", False, "host name not found"),
        (lambda: _tea_unretryable("timeout"), "transient", False, "timed out"),
        (lambda: _tea_unretryable("unreachable"), "transient", False, "network unreachable"),
        (lambda: _oss_request_error("proxy"), "fatal", False, "cannot reach the proxy"),
        (
            lambda: _oss_server_error(403, "RequestTimeTooSkewed"),
            "fatal",
            False,
            "HTTP 403 RequestTimeTooSkewed",
        ),
        (
            lambda: _tea_client_error(400, "InvalidArgument", "Failed to decode the image"),
            "fatal",
            False,
            "HTTP 400 InvalidArgument: Failed to decode the image",
        ),
    ],
)
def test_the_retry_loop_reads_the_same_diagnosis(make, kind: str, auth: bool, words: str) -> None:  # type: ignore[no-untyped-def]
    """Detectors and sources retry by the classifier ``credentials test`` uses (one owner)."""
    from facecurator.cloud.sdk_errors import retry_failure

    failure = retry_failure(make())
    assert (failure.kind, failure.auth) == (kind, auth), failure
    assert words in failure.reason and "\n" not in failure.reason, failure


def test_classification_never_echoes_a_registered_secret() -> None:
    from facecurator.cloud import redact

    redact.register_secret(SECRET)
    try:
        info = classify_cloud_error(_tea_client_error(403, "Forbidden.RAM", f"echo {SECRET}"))
        assert SECRET not in info.message
        info = classify_cloud_error(RuntimeError(f"odd failure {SECRET}"))
        assert info.kind is CloudErrorKind.UNKNOWN and SECRET not in info.message
    finally:
        redact.forget_secrets()


# -- proxies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "no_proxy", "bypass"),
    [
        ("https://oss-cn-hangzhou.aliyuncs.com", "aliyuncs.com", True),
        ("https://oss-cn-hangzhou.aliyuncs.com", ".aliyuncs.com", True),
        ("https://oss-cn-hangzhou.aliyuncs.com", "*.aliyuncs.com", True),
        ("https://aliyuncs.com", ".aliyuncs.com", True),
        ("https://evilaliyuncs.com", "aliyuncs.com", False),
        ("https://imm.cn-hangzhou.aliyuncs.com", "oss-cn-hangzhou.aliyuncs.com", False),
        ("http://127.0.0.1:9000", "127.0.0.0/8", True),
        ("http://10.1.2.3", "10.0.0.0/8, 192.168.0.0/16", True),
        ("http://172.16.0.1", "10.0.0.0/8", False),
        ("http://[::1]:9000", "::1", True),
        ("http://[fd00::5]", "fd00::/8", True),
        ("http://localhost:9000", "localhost:9000", True),
        ("http://localhost:9001", "localhost:9000", False),
        ("https://example.com", "example.com:443", True),
        ("https://anything.example", "*", True),
        ("https://Example.COM.", "example.com", True),
        ("https://example.com", " , ", False),
        ("https://10.0.0.1.example.com", "10.0.0.0/8", False),
    ],
)
def test_no_proxy_matching(url: str, no_proxy: str, bypass: bool) -> None:
    env = {"HTTPS_PROXY": "http://proxy:3128", "HTTP_PROXY": "http://proxy:3128", "NO_PROXY": no_proxy}
    assert (proxy_for(url, environ=env) is None) is bypass


def test_proxy_selection_by_scheme_and_spelling() -> None:
    env = {"HTTPS_PROXY": "secure-proxy:3128", "http_proxy": "http://plain-proxy:8080"}
    assert proxy_for("https://oss-cn-hangzhou.aliyuncs.com", environ=env) == "http://secure-proxy:3128"
    assert proxy_for("http://127.0.0.1:9000", environ=env) == "http://plain-proxy:8080"
    assert (
        proxy_for("oss-cn-hangzhou.aliyuncs.com", environ=env) == "http://secure-proxy:3128"
    )  # bare host: https
    assert (
        proxy_for("https://x", environ={"https_proxy": "http://lower", "HTTPS_PROXY": "http://upper"})
        == "http://lower"
    )
    assert proxy_for("https://x", environ={"ALL_PROXY": "socks5://s:1080"}) == "socks5://s:1080"
    assert proxy_for("https://x", environ={}) is None
    assert proxy_for("https://x", environ={"no_proxy": "x", "HTTPS_PROXY": "http://p"}) is None
    assert bypasses_proxy("x", 443, "x") is True


# -- end to end: the real SDKs against a scripted local server -------------------------


class _Script:
    """What the local server answers: (status, content type, body, delay seconds)."""

    def __init__(self) -> None:
        self.status = 200
        self.content_type = "application/xml"
        self.body = b""
        self.delay = 0.0
        self.requests: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, _Script]]:
    script = _Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            script.requests.append(f"{self.command} {self.path}")
            if script.delay:
                time.sleep(script.delay)
            self.send_response(script.status)
            self.send_header("Content-Type", script.content_type)
            self.send_header("Content-Length", str(len(script.body)))
            self.send_header("x-oss-request-id", "5C3D0000")
            self.end_headers()
            self.wfile.write(script.body)

        do_GET = do_POST = do_PUT = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def creds() -> Credentials:
    return Credentials(KEY_ID, SECRET)


def _oss_error(script: _Script, status: int, code: str, message: str = "", extra: str = "") -> None:
    script.status = status
    script.content_type = "application/xml"
    script.body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>5C3D</RequestId><HostId>h</HostId>{extra}</Error>"
    ).encode()


def _acs_error(script: _Script, status: int, code: str, message: str = "") -> None:
    script.status = status
    script.content_type = "application/json"
    script.body = json.dumps({"RequestId": "1A2B", "Code": code, "Message": message}).encode()


@pytest.mark.parametrize(
    ("status", "code", "extra", "kind"),
    [
        (403, "InvalidAccessKeyId", "", CloudErrorKind.WRONG_KEY),
        (403, "SignatureDoesNotMatch", "<StringToSign>x</StringToSign>", CloudErrorKind.SIGNATURE_MISMATCH),
        (403, "AccessDenied", "", CloudErrorKind.NO_PERMISSION),
        (
            403,
            "AccessDenied",
            "<Endpoint>oss-cn-beijing.aliyuncs.com</Endpoint>",
            CloudErrorKind.WRONG_ENDPOINT,
        ),
        (404, "NoSuchBucket", "", CloudErrorKind.WRONG_ENDPOINT),
    ],
)
def test_oss_check_against_scripted_errors(server, creds, status, code, extra, kind) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    _oss_error(script, status, code, "scripted", extra)
    result = check_service(Profile("t", oss_endpoint=url, bucket="gallery"), creds, "oss", timeout=5)
    assert not result.ok
    assert result.kind is kind, result
    assert script.requests and script.requests[0].startswith("GET /gallery/?list-type=2")


def test_oss_check_success_lists_buckets(server, creds) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    script.body = (
        b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>1234567</ID>'
        b"<DisplayName>1234567</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>"
    )
    result = check_service(Profile("t", oss_endpoint=url), creds, "oss", timeout=5)
    assert result.ok, result
    assert "ListBuckets accepted (owner 1234567)" in result.message
    assert script.requests[0].startswith("GET /?")


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (404, "InvalidAccessKeyId.NotFound", CloudErrorKind.WRONG_KEY),
        (400, "SignatureDoesNotMatch", CloudErrorKind.SIGNATURE_MISMATCH),
        (403, "Forbidden.RAM", CloudErrorKind.NO_PERMISSION),
        (404, "InvalidRegionId", CloudErrorKind.WRONG_ENDPOINT),
        (500, "InternalError", CloudErrorKind.SERVER_ERROR),
    ],
)
def test_imm_check_against_scripted_errors(server, creds, status, code, kind) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    _acs_error(script, status, code, "scripted")
    result = check_service(Profile("t", imm_endpoint=url), creds, "imm", timeout=5)
    assert not result.ok
    assert result.kind is kind, result
    assert len(script.requests) == 1  # one cheap call, no retries


@pytest.mark.parametrize(
    ("code", "kind"), [(408, CloudErrorKind.NO_PERMISSION), (403, CloudErrorKind.THROTTLED)]
)
def test_green_business_codes_in_http_200(server, creds, code, kind) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    script.content_type = "application/json"
    script.body = json.dumps({"Code": code, "Msg": "scripted", "RequestId": "1A2B"}).encode()
    result = check_service(Profile("t", green_endpoint=url), creds, "green", timeout=5)
    assert not result.ok
    assert result.kind is kind, result


def test_green_success(server, creds) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    script.content_type = "application/json"
    script.body = json.dumps(
        {"Code": 200, "Msg": "OK", "RequestId": "1A2B", "Data": {"BucketName": "b", "AccessKeyId": "STS.x"}}
    ).encode()
    result = check_service(Profile("t", green_endpoint=url), creds, "green", timeout=5)
    assert result.ok, result


def test_transport_failures(server, creds) -> None:  # type: ignore[no-untyped-def]
    url, script = server
    refused = check_service(Profile("t", oss_endpoint="http://127.0.0.1:9"), creds, "oss", timeout=2)
    assert refused.kind is CloudErrorKind.WRONG_ENDPOINT and "refused" in refused.message
    dns = check_service(
        Profile("t", imm_endpoint="https://imm.no-such-host.invalid"), creds, "imm", timeout=2
    )
    assert dns.kind is CloudErrorKind.WRONG_ENDPOINT and "cannot resolve" in dns.message
    script.delay = 2.0
    _acs_error(script, 200, "")
    slow = check_service(Profile("t", imm_endpoint=url), creds, "imm", timeout=0.5)
    assert slow.kind is CloudErrorKind.NETWORK and "timed out" in slow.message, slow
    assert slow.elapsed < 1.9


def test_all_three_sdks_honour_no_proxy(server, creds, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A dead proxy in HTTP_PROXY: NO_PROXY=127.0.0.1 must make every client go direct."""
    url, script = server
    _acs_error(script, 403, "Forbidden.RAM")
    profile = Profile("t", oss_endpoint=url, imm_endpoint=url, green_endpoint=url)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.0/8")
    for service in ("oss", "imm", "green"):
        result = check_service(profile, creds, service, timeout=3)
        assert result.kind is not CloudErrorKind.NETWORK, (service, result)
    assert len(script.requests) == 3  # each reached the server directly
    monkeypatch.delenv("NO_PROXY")
    for service in ("oss", "imm", "green"):
        result = check_service(profile, creds, service, timeout=3)
        assert result.kind is CloudErrorKind.NETWORK and "proxy" in result.message, (service, result)
    assert len(script.requests) == 3  # none got past the dead proxy


# -- end to end: `facecurator credentials test` against the loopback cloud emulator ---------


@pytest.fixture
def emulated(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The SDK engineer's emulator (signature-verifying OSS / IMM / Green) with profile ``test``."""
    emulator_module = pytest.importorskip("emulator", reason="tests/emulator is not available")
    emulator = emulator_module.CloudEmulator().start()
    try:
        emulator.create_bucket(emulator_module.BUCKET)
        name = emulator_module.use_emulator_profile(emulator, monkeypatch)
        yield emulator_module, emulator, name
    finally:
        emulator.stop()


def _cli_test(monkeypatch, capsys, name: str, key_id: str, secret: str, *services: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    from facecurator.cli.main import main

    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
    args = ["credentials", "test", "--profile", name, "--json", "--timeout", "5"]
    for service in services:
        args += ["--service", service]
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def test_credentials_test_against_the_emulator(emulated, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    module, emulator, name = emulated
    good_id, good_secret = module.ACCESS_KEY_ID, module.ACCESS_KEY_SECRET

    code, data = _cli_test(monkeypatch, capsys, name, good_id, good_secret, "oss", "green")
    assert code == 0, data
    assert [r["ok"] for r in data["results"]] == [True, True]
    assert data["results"][0]["message"] == f"bucket {module.BUCKET} listable"
    assert data["source"] == "env" and data["access_key_id"] == good_id[:4] + "****" + good_id[-4:]

    def kinds(key_id: str, secret: str) -> list[str]:
        code, data = _cli_test(monkeypatch, capsys, name, key_id, secret, "all")
        assert code == 1
        return [r["kind"] for r in data["results"]]

    assert kinds("LTAI5tUnknownKeyId0000", good_secret) == ["wrong-key"] * 3
    assert kinds(good_id, "not-the-right-secret-at-all") == ["signature-mismatch"] * 3
    emulator.add_key("LTAI5tNoPermission0001", "limited-secret-0123456789", services=())
    assert kinds("LTAI5tNoPermission0001", "limited-secret-0123456789") == ["no-permission"] * 3


def test_credentials_test_text_output_is_one_line_per_service(emulated, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from facecurator.cli.main import main

    module, _emulator, name = emulated
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", module.ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-right-secret-at-all")
    assert main(["credentials", "test", "--profile", name, "--service", "oss", "--service", "imm"]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("FAIL") and "the AccessKey secret is wrong" in line for line in lines)
    assert "not-the-right-secret-at-all" not in "\n".join(lines)


def test_a_valid_key_passes_all_three_services(emulated, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """IMM is checked with GetProject (profile has a project) and ListProjects (it has none)."""
    from facecurator.cloud.profiles import load_profile, save_profile

    module, emulator, name = emulated
    code, data = _cli_test(monkeypatch, capsys, name, module.ACCESS_KEY_ID, module.ACCESS_KEY_SECRET, "all")
    assert code == 0, data
    assert [(r["service"], r["ok"]) for r in data["results"]] == [
        ("oss", True),
        ("imm", True),
        ("green", True),
    ]
    assert data["results"][1]["message"] == f"IMM project {module.IMM_PROJECT} readable"
    assert emulator.count(service="imm", action="GetProject", status=200) == 1

    from dataclasses import replace

    save_profile(replace(load_profile(name), imm_project=None))
    code, data = _cli_test(monkeypatch, capsys, name, module.ACCESS_KEY_ID, module.ACCESS_KEY_SECRET, "imm")
    assert code == 0, data
    assert data["results"][0]["message"] == "ListProjects accepted"
    assert emulator.count(service="imm", action="ListProjects", status=200) == 1
    assert emulator.total_billable() == 0  # the checks are free calls


def test_a_missing_imm_project_is_reported_not_passed(emulated, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from facecurator.cloud.profiles import load_profile, save_profile

    module, _emulator, name = emulated
    save_profile(replace(load_profile(name), imm_project="no-such-project"))
    code, data = _cli_test(monkeypatch, capsys, name, module.ACCESS_KEY_ID, module.ACCESS_KEY_SECRET, "imm")
    assert code == 1 and data["results"][0]["ok"] is False, data
