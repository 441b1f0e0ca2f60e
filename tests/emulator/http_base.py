"""What every service's handler shares: the finished reply, request ids and
timestamps, sending, fault injection and the OSS / OpenAPI error bodies (STS token
checks answer in either)."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from emulator.model import KeyInfo
    from emulator.server import CloudEmulator


class _Reply(Exception):
    """Raised inside a handler to send a finished response."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str], code: str = "") -> None:
        super().__init__(code)
        self.status = status
        self.body = body
        self.headers = headers
        self.code = code


def _request_id() -> str:
    return uuid.uuid4().hex[:24].upper()


def _xml(root: str, inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{inner}</{root}>'.encode()


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class HandlerBase(BaseHTTPRequestHandler):
    """The request state :meth:`emulator.handler._Handler._dispatch` sets, and the
    helpers every service uses."""

    emulator: CloudEmulator
    protocol_version = "HTTP/1.1"
    server_version = "AliyunOSS"

    # set per request by _dispatch
    body: bytes
    raw_path: str
    params: list[tuple[str, str]]
    query: dict[str, str]
    call_target: str
    billable: bool
    target_service: str
    action: str

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _faults(self, service: str, billable: bool) -> str | None:
        emu = self.emulator
        latency = emu._latency(service, billable)
        if latency:
            emu._hang(latency)
        fault = emu._draw_fault(service, billable)
        if fault == "timeout":
            emu._hang(emu.faults.hang)
            return "error"  # if the client is still listening, it gets a 5xx
        if fault is None and billable and emu._over_cap(self.target_service or service):
            return "throttle"
        return fault

    def _oss_error(self, status: int, code: str, message: str, **extra: str) -> _Reply:
        rid = _request_id()
        inner = f"<Code>{code}</Code><Message>{escape(message)}</Message><RequestId>{rid}</RequestId>"
        inner += f"<HostId>{escape(self.headers.get('Host', ''))}</HostId>"
        inner += "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
        headers = {"Content-Type": "application/xml", "x-oss-request-id": rid}
        return _Reply(status, _xml("Error", inner), headers, code)

    def _acs_error(self, status: int, code: str, message: str) -> _Reply:
        rid = _request_id()
        body = {
            "RequestId": rid,
            "HostId": self.headers.get("Host", ""),
            "Code": code,
            "Message": message,
            "Recommend": "https://api.aliyun.com/troubleshoot",
        }
        return _Reply(
            status, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"}, code
        )

    def _check_token(self, info: KeyInfo, token: str | None, *, oss: bool) -> None:
        if info.security_token is None:
            return
        if token != info.security_token:
            if oss:
                raise self._oss_error(
                    403, "InvalidSecurityToken", "The security token you provided is invalid."
                )
            raise self._acs_error(
                400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken mismatch with the AccessKey."
            )
        if info.expires_at is not None and time.time() > info.expires_at:
            if oss:
                raise self._oss_error(
                    403, "SecurityTokenExpired", "The security token you provided has expired."
                )
            raise self._acs_error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
