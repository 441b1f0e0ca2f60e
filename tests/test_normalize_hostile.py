"""Hostile provider payloads: each gives a clear malformed-result or provider error."""

from __future__ import annotations

import math
from typing import Any

import pytest
from helpers.seed_samples import sample

from facecurator.domain.normalize import (
    ProviderError,
    normalize,
)
from facecurator.errors import (
    FacecuratorError,
    MalformedResultError,
)

# ------------------------------------------------------------------- hostile payloads

_OSS = "oss-faces.json"


def _oss(**changes: Any) -> dict:
    data = sample(_OSS)
    data["Figures"][0].update(changes)
    return data


def _edit(fixture: str, path: tuple, value: Any) -> dict:
    data = sample(fixture)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


HOSTILE: list[tuple[str, Any, type[FacecuratorError], str]] = [
    (
        "top-level list",
        [{"Figures": []}],
        MalformedResultError,
        "unrecognised result shape: expected a JSON object",
    ),
    ("top-level number", 12345, MalformedResultError, "got a number"),
    ("null", None, MalformedResultError, "got null"),
    (
        "unknown object",
        {"foo": 1, "bar": 2},
        MalformedResultError,
        "unrecognised result shape: object with bar, foo",
    ),
    (
        "Figures not a list",
        {"Figures": {"a": 1}},
        MalformedResultError,
        "Figures must be a list, got an object",
    ),
    (
        "face is a string",
        {"Figures": ["face"]},
        MalformedResultError,
        "Figures[0] must be an object, got a string",
    ),
    ("missing Boundary", _oss(Boundary=None), MalformedResultError, "Figures[0].Boundary is missing"),
    (
        "Boundary is a list",
        _oss(Boundary=[1, 2, 3, 4]),
        MalformedResultError,
        "Figures[0].Boundary must be an object",
    ),
    (
        "non-numeric Left",
        _edit(_OSS, ("Figures", 0, "Boundary", "Left"), "abc"),
        MalformedResultError,
        "Figures[0].Boundary.Left is not a number: 'abc'",
    ),
    (
        "NaN Width",
        _edit(_OSS, ("Figures", 0, "Boundary", "Width"), math.nan),
        MalformedResultError,
        "Figures[0].Boundary.Width is not finite",
    ),
    (
        "missing Height",
        _edit(_OSS, ("Figures", 0, "Boundary", "Height"), None),
        MalformedResultError,
        "Figures[0].Boundary.Height is missing",
    ),
    (
        "empty box",
        _edit(_OSS, ("Figures", 0, "Boundary", "Width"), 0),
        MalformedResultError,
        "Figures[0].Boundary has an empty box",
    ),
    (
        "bool confidence",
        _oss(FigureConfidence=True),
        MalformedResultError,
        "Figures[0].FigureConfidence is not a number",
    ),
    ("sharpness above 1", _oss(Sharpness=1.5), MalformedResultError, "Figures[0].Sharpness 1.5 is above 1"),
    ("negative age", _oss(Age=-3), MalformedResultError, "Figures[0].Age -3 is below 0"),
    (
        "numeric enum",
        _oss(Glasses=5),
        MalformedResultError,
        "Figures[0].Glasses must be a string, got a number",
    ),
    (
        "infinite yaw",
        _edit(_OSS, ("Figures", 0, "HeadPose", "Yaw"), math.inf),
        MalformedResultError,
        "Figures[0].HeadPose.Yaw is not finite",
    ),
    (
        "HeadPose a string",
        _oss(HeadPose="frontal"),
        MalformedResultError,
        "Figures[0].HeadPose must be an object",
    ),
    (
        "legacy without FaceBoundary",
        _edit("imm-detectface-legacy.json", ("Faces", 0, "FaceAttributes", "FaceBoundary"), None),
        MalformedResultError,
        "Faces[0].FaceAttributes.FaceBoundary is missing",
    ),
    (
        "green-1.0 location.w text",
        _edit("green-1.0.json", ("faces", 0, "location", "w"), "wide"),
        MalformedResultError,
        "faces[0].location.w is not a number: 'wide'",
    ),
    (
        "green-1.0 extras.width text",
        _edit("green-1.0.json", ("extras", "width"), "328px"),
        MalformedResultError,
        "extras.width is not a number",
    ),
    (
        "green-1.0 blur off its 0-20 scale",
        _edit("green-1.0.json", ("faces", 0, "quality", "blur"), 64.4),
        MalformedResultError,
        "faces[0].quality.blur 64.4 is above 20",
    ),
    (
        "green-1.0 qualified a string",
        _edit("green-1.0.json", ("faces", 0, "qualified"), "no"),
        MalformedResultError,
        "faces[0].qualified must be true or false",
    ),
    (
        "green-2.0 without Data",
        {"Code": 200, "Msg": "success", "RequestId": "r"},
        MalformedResultError,
        "green-2.0 result: Data is missing",
    ),
    (
        "green-2.0 negative blur",
        _edit("green-2.0-standard.json", ("Data", "Ext", "FaceData", 0, "Quality", "Blur"), -1),
        MalformedResultError,
        "Data.Ext.FaceData[0].Quality.Blur -1 is below 0",
    ),
    (
        "green-2.0 Result of strings",
        _edit("green-2.0-pro.json", ("Data", "Result"), ["face_eyesClosed"]),
        MalformedResultError,
        "Data.Result[0] must be an object",
    ),
    (
        "green-2.0 Location a list",
        _edit("green-2.0-pro.json", ("Data", "Ext", "FaceData", 0, "Location"), [550, 251, 98, 98]),
        MalformedResultError,
        "Data.Ext.FaceData[0].Location must be an object, got a list",
    ),
    ("green-2.0 throttled", {"Code": 403, "Msg": "too many"}, ProviderError, "Code 403 (QPS limit exceeded"),
    ("green-1.0 code 400", {"code": 400, "msg": "bad url"}, ProviderError, "code 400 (BAD_REQUEST): bad url"),
    (
        "green-1.0 code not a number",
        {"code": "OK?", "msg": "x", "faces": []},
        MalformedResultError,
        "code is not",
    ),
    (
        "IMM error document",
        {"RequestId": "r", "HostId": "imm.aliyuncs.com", "Code": "ResourceNotFound", "Message": "no project"},
        ProviderError,
        "provider error ResourceNotFound: no project",
    ),
    ("empty text", "", MalformedResultError, "result is empty"),
    ("whitespace text", " \n\t ", MalformedResultError, "result is empty"),
    (
        "HTML error page",
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        MalformedResultError,
        "result is an HTML page (502 Bad Gateway), not JSON",
    ),
    (
        "OSS XML error",
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        "<Message>The specified key does not exist.</Message><RequestId>5C3D</RequestId></Error>",
        ProviderError,
        "provider error NoSuchKey: The specified key does not exist. [RequestId 5C3D]",
    ),
    (
        "truncated JSON",
        '{"Figures": [{"Boundary": {"Left": 280,',
        MalformedResultError,
        "result is not valid JSON",
    ),
    ("NaN literal", '{"Figures": [], "x": NaN}', MalformedResultError, "NaN is not a JSON number"),
    ("not UTF-8", b'{"Figures": []}\xff\xfe\x80', MalformedResultError, "not UTF-8 text"),
    ("nested too deeply", "[" * 200_000 + "]" * 200_000, MalformedResultError, "nested too deeply"),
    ("envelope with bad status", {"statusCode": 404, "body": "{}"}, ProviderError, "HTTP status 404"),
]


@pytest.mark.parametrize(
    ("payload", "error", "message"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_payloads_give_clear_errors(payload: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        normalize(payload)
    assert type(info.value) is error  # never a KeyError/TypeError, never a bare DetectorError
    assert message in str(info.value)
    assert "\n" not in str(info.value)  # one-line messages


def test_hostile_table_is_large_enough() -> None:
    assert len(HOSTILE) >= 12
    assert {h[2] for h in HOSTILE} == {MalformedResultError, ProviderError}
