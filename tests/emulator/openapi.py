"""The OpenAPI gateway in front of IMM and Green: ACS3-HMAC-SHA256 signatures,
payload hash, timestamps, STS tokens and RAM permissions, then routing to the action."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from urllib.parse import parse_qsl

from emulator.green import GreenHandler
from emulator.imm import ImmHandler
from emulator.model import GREEN_SERVICES
from emulator.signatures import acs3_signature


class OpenApiHandler(ImmHandler, GreenHandler):
    """Authenticates an OpenAPI request and hands it to the IMM or Green action."""

    def _acs_auth(self, service: str) -> None:
        emu = self.emulator
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            raise self._acs_error(
                400, "MissingAuthorization", "Authorization (ACS3-HMAC-SHA256) is mandatory for this action."
            )
        fields = dict(
            part.strip().split("=", 1) for part in auth[len("ACS3-HMAC-SHA256 ") :].split(",") if "=" in part
        )
        ak = fields.get("Credential", "")
        info = emu.keys.get(ak)
        if info is None:
            raise self._acs_error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        payload_hash = hashlib.sha256(self.body).hexdigest()
        if self.headers.get("x-acs-content-sha256") != payload_hash:
            raise self._acs_error(
                400,
                "InvalidParameter.ContentSHA256",
                "The x-acs-content-sha256 header does not match the body.",
            )
        signed = [h for h in fields.get("SignedHeaders", "").split(";") if h]
        if "host" not in signed or "x-acs-date" not in signed:
            raise self._acs_error(
                400, "IncompleteSignature", "The host and x-acs-date headers must be signed."
            )
        values: dict[str, list[str]] = {}
        for k, v in self.headers.items():
            values.setdefault(k.lower(), []).append(v)
        expected = acs3_signature(
            info.secret, self.command, self.raw_path, self.params, values, signed, payload_hash
        )
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            raise self._acs_error(
                400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
            )
        try:
            signed_at = calendar.timegm(
                time.strptime(self.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ")
            )
        except ValueError:
            raise self._acs_error(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            ) from None
        if abs(signed_at - time.time()) > 900:
            raise self._acs_error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        self._check_token(info, self.headers.get("x-acs-security-token"), oss=False)
        if service not in info.services:
            if service == "green":
                raise self._green(408, "You do not have the required permissions.")
            raise self._acs_error(
                403,
                "Forbidden.RAM",
                "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
            )

    def _openapi(self, service: str, action: str) -> None:
        if service == "unknown":
            raise self._acs_error(
                400,
                "InvalidVersion",
                f"Specified parameter Version is not valid: {self.headers.get('x-acs-version')}",
            )
        form = dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)) if self.body else {}
        args = {**self.query, **form}
        if service == "imm" and action == "DetectImageFaces":
            self.billable = True
            self.target_service = "imm"
            self.call_target = args.get("SourceURI", "")
            self._acs_auth(service)
            self._imm_detect(args)
        if service == "green" and action == "ImageModeration":
            self.billable = True
            self.target_service = GREEN_SERVICES.get(args.get("Service", ""), "green")
            self._acs_auth(service)
            self._green_moderate(args)
        if service == "green" and action == "DescribeUploadToken":
            self._acs_auth(service)
            self._green_upload_token()
        if service == "imm" and action in ("ListProjects", "GetProject"):
            self._acs_auth(service)
            self._imm_projects(action, args)
        self._acs_auth(service)
        raise self._acs_error(
            404,
            "InvalidAction.NotFound",
            f"Specified api is not found, please check your url and method: {action}",
        )
