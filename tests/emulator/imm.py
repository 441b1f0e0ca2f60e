"""IMM 2020-09-30: DetectImageFaces (billable) and the free ListProjects / GetProject."""

from __future__ import annotations

import json
import time
from typing import Any

from emulator.faces import _faces_for, _image_size
from emulator.http_base import HandlerBase, _iso, _Reply, _request_id
from emulator.model import StoredObject


class ImmHandler(HandlerBase):
    """The IMM actions (called once the ACS3 signature is checked)."""

    def _lookup_oss_uri(self, uri: str) -> tuple[str, str, StoredObject | None]:
        if not uri.startswith("oss://"):
            raise self._acs_error(
                400, "InvalidParameter.SourceURI", f"Specified parameter SourceURI is not valid: {uri}"
            )
        bucket, _, key = uri[len("oss://") :].partition("/")
        return bucket, key, self.emulator.get_object(bucket, key)

    def _imm_detect(self, args: dict[str, str]) -> None:
        if args.get("ProjectName") != self.emulator.imm_project:
            # IMM's documented common errors are HTTP 400 (developer-reference/error-handling-1).
            raise self._acs_error(400, "ResourceNotFound", "The specified resource Project is not found.")
        fault = self._faults("imm", True)
        if fault == "throttle":
            raise self._acs_error(400, "Throttling.User", "Request was denied due to user flow control.")
        if fault == "error":
            raise self._acs_error(
                503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."
            )
        _bucket, key, obj = self._lookup_oss_uri(args.get("SourceURI", ""))
        if obj is None:
            raise self._acs_error(400, "ResourceNotFound", "The specified resource File is not found.")
        size = _image_size(obj.data)
        if size is None:
            raise self._acs_error(400, "InvalidArgument", "Failed to decode the image: unsupported format.")
        body = {"RequestId": _request_id(), "Faces": _faces_for(obj, key, size, "imm")}
        raise _Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"})

    def _imm_project(self) -> dict[str, Any]:
        """The one project, in the shape of the SDK's ``Project`` model (ListProjects / GetProject)."""
        created = _iso(time.time() - 86400)
        return {
            "ProjectName": self.emulator.imm_project,
            "Description": "facecurator test project",
            "ServiceRole": "AliyunIMMDefaultRole",
            "TemplateId": "",
            "EngineConcurrency": 10,
            "ProjectQueriesPerSecond": 100,
            "DatasetCount": 0,
            "FileCount": 0,
            "TotalFileSize": 0,
            "CreateTime": created,
            "UpdateTime": created,
        }

    def _imm_projects(self, action: str, args: dict[str, str]) -> None:
        """IMM ListProjects / GetProject: the cheap, free calls behind ``credentials test``."""
        body: dict[str, Any] = {"RequestId": _request_id()}
        if action == "GetProject":
            if args.get("ProjectName") != self.emulator.imm_project:
                raise self._acs_error(400, "ResourceNotFound", "The specified resource Project is not found.")
            body["Project"] = self._imm_project()
        else:
            prefix = args.get("Prefix", "")
            projects = [self._imm_project()] if self.emulator.imm_project.startswith(prefix) else []
            body.update({"NextToken": "", "Projects": projects})
        raise _Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json;charset=utf-8"})
