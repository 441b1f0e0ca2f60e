"""The one request handler: every verb goes through :meth:`_Handler._dispatch`,
which sends OpenAPI requests (``x-acs-action``) to IMM/Green and the rest to OSS,
and records each answered call."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit

from emulator.http_base import _Reply
from emulator.model import GREEN_VERSION, IMM_VERSION, Call
from emulator.openapi import OpenApiHandler
from emulator.oss import OssHandler


class _Handler(OssHandler, OpenApiHandler):
    """All three services behind one port; :meth:`CloudEmulator.start` subclasses it to bind itself."""

    # one entry point for every verb
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        self.raw_path = split.path
        self.params = parse_qsl(split.query, keep_blank_values=True)
        self.query = dict(self.params)
        self.call_target = ""
        self.billable = False
        self.target_service = ""
        service = "oss"
        action = self.command
        try:
            if self.headers.get("x-acs-action"):
                version = self.headers.get("x-acs-version", "")
                service = {IMM_VERSION: "imm", GREEN_VERSION: "green"}.get(version, "unknown")
                action = self.headers["x-acs-action"]
                self.action = action
                self._openapi(service, action)
            else:
                self.action = action
                self._oss()
        except _Reply as reply:
            call = Call(
                service=service,
                action=self.action,
                target=self.call_target,
                status=reply.status,
                code=reply.code,
                billable=self.billable and reply.status == 200 and reply.code in ("", "200"),
                at=time.time(),
                billed_as=self.target_service if self.billable else "",
            )
            # Recorded before answering: a client that saw the answer sees the count.
            self.emulator._record(call)
            self._send(reply.status, reply.body, reply.headers)
