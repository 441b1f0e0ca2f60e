"""Normalization across every shape: the seed fixtures themselves, shape detection, enum
spelling and unknown values, raw kept untouched, contract JSON round trips, zero faces,
forced shapes, clamping; loading result files (lenient JSON, errors naming the file)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from helpers.seed_samples import FIXTURE_SOURCES, FIXTURES, SEEDS, sample, sample_text

from facecurator.domain.face import Face
from facecurator.domain.normalize import (
    SHAPES,
    NormalizedResult,
    ProviderError,
    detect_shape,
    load_result_file,
    load_result_text,
    normalize,
)
from facecurator.errors import (
    ConfigError,
    MalformedResultError,
    SourceError,
)

# ------------------------------------------------------------------ the fixtures themselves


def test_fixtures_are_verbatim_copies_of_the_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not available at {SEEDS} (../shared exists only on our machines)")
    for fixture, (seed, _shape) in FIXTURE_SOURCES.items():
        seed_text = (SEEDS / seed).read_text(encoding="utf-8")
        assert sample_text(fixture) in seed_text, f"{fixture} is not a verbatim excerpt of {seed}"


def test_every_shape_has_a_fixture() -> None:
    assert {shape for _seed, shape in FIXTURE_SOURCES.values()} == set(SHAPES)


@pytest.mark.parametrize(("fixture", "expected"), [(k, v[1]) for k, v in FIXTURE_SOURCES.items()])
def test_detect_shape_on_every_seed_sample(fixture: str, expected: str) -> None:
    assert detect_shape(sample(fixture)) == expected
    # text and bytes are parsed on the way in
    assert detect_shape(sample_text(fixture)) == expected
    assert detect_shape((FIXTURES / fixture).read_bytes()) == expected


# --------------------------------------------------------------------- cross-cutting rules


@pytest.mark.parametrize("spelling", ["none", "NONE", "None", " nOnE "])
def test_enums_are_case_insensitive(spelling: str) -> None:
    data = sample("oss-faces.json")
    data["Figures"][0].update(Glasses=spelling, Mask=spelling, Hat=spelling, Beard=spelling)
    [face] = normalize(data).faces
    assert (face.glasses, face.mask, face.hat, face.beard) == ("none", False, False, False)


def test_unknown_enum_values_become_not_measured_and_are_reported() -> None:
    data = sample("oss-faces.json")
    data["Figures"][0].update(Glasses="monocle", Gender="", Hat="helmet")
    result = normalize(data)
    [face] = result.faces
    assert (face.glasses, face.gender, face.hat) == (None, None, None)
    assert face.mask is False  # the rest still maps
    assert result.extra["unrecognised"] == [
        "Figures[0].Glasses=monocle",
        "Figures[0].Hat=helmet",
        "Figures[0].Gender=",
    ]


@pytest.mark.parametrize("fixture", sorted(FIXTURE_SOURCES))
def test_raw_is_the_providers_face_object_untouched(fixture: str) -> None:
    data = sample(fixture)
    pristine = copy.deepcopy(data)
    result = normalize(data)
    assert data == pristine  # normalising never mutates the payload
    provider_faces = {
        "oss-faces": lambda d: d["Figures"],
        "imm": lambda d: d["Faces"],
        "imm-detectface-legacy": lambda d: d["Faces"],
        "green-1.0": lambda d: d["faces"],
        "green-2.0": lambda d: d["Data"]["Ext"]["FaceData"],
    }[result.shape]
    assert [f.raw for f in result.faces] == provider_faces(pristine)
    provider_faces(data)[0]["injected"] = True  # raw is a copy: later edits of the payload do not leak in
    assert "injected" not in (result.faces[0].raw or {})


@pytest.mark.parametrize("fixture", sorted(FIXTURE_SOURCES))
def test_round_trip_through_contract_json(fixture: str) -> None:
    result = normalize(sample(fixture))
    json.dumps(result.extra)  # extra is JSON-serialisable (stored in the catalog)
    for face in result.faces:
        text = json.dumps(face.to_json(), allow_nan=False)
        again = Face.from_json(json.loads(text))
        assert again == face
        assert again.raw == face.raw


def test_zero_faces_everywhere() -> None:
    assert normalize({"RequestId": "r", "Figures": []}).faces == []
    assert normalize({"RequestId": "r", "Faces": []}) == NormalizedResult(
        [], "imm", extra={"request_id": "r"}
    )
    empty_legacy = {"Faces": [], "ImageUri": "oss://b/k", "success": True, "httpStatusCode": 200}
    assert normalize(empty_legacy).shape == "imm-detectface-legacy"


def test_forced_shape_and_unknown_shape_name() -> None:
    assert normalize(sample("imm.json"), shape="imm").shape == "imm"
    with pytest.raises(MalformedResultError, match=r"imm result: Faces is missing"):
        normalize(sample("green-2.0-standard.json"), shape="imm")
    with pytest.raises(ConfigError, match="unknown result shape 'rekognition'"):
        normalize(sample("imm.json"), shape="rekognition")


def test_values_are_clamped_only_within_float_noise() -> None:
    data = sample("oss-faces.json")
    data["Figures"][0]["Sharpness"] = 1.0000000001  # float32 round-off
    assert normalize(data).faces[0].sharpness == 1.0


# ----------------------------------------------------------------------------- loading


def test_lenient_parse_keeps_commas_inside_strings_and_strips_bom() -> None:
    text = '\ufeff{"a": "x,}", "b": [1, 2, ], "c": {"d": ",]",},}'
    assert load_result_text(text) == {"a": "x,}", "b": [1, 2], "c": {"d": ",]"}}
    assert load_result_text(b"\xef\xbb\xbf" + b'{"Figures": []}') == {"Figures": []}
    assert load_result_text('{"Figures": []}'.encode("utf-16")) == {"Figures": []}


@pytest.mark.parametrize("text", ["[,]", '{"a": 1,,}', '{,"a": 1}', '{"a": 1 "b": 2}'])
def test_lenient_parse_still_refuses_real_syntax_errors(text: str) -> None:
    with pytest.raises(MalformedResultError, match="result is not valid JSON"):
        load_result_text(text)


def test_load_result_file_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(MalformedResultError, match=r"empty\.json: result is empty"):
        load_result_file(empty)
    with pytest.raises(SourceError, match=r"missing\.json: cannot read result file"):
        load_result_file(tmp_path / "missing.json")
    with pytest.raises(SourceError, match="cannot read result file"):
        load_result_file(tmp_path)  # a directory
    xml = tmp_path / "error.json"
    xml.write_text("<Error><Code>AccessDenied</Code><Message>no</Message></Error>", encoding="utf-8")
    with pytest.raises(ProviderError, match=r"error\.json: provider error AccessDenied") as info:
        load_result_file(xml)
    assert info.value.code == "AccessDenied"
    monkeypatch.setattr("facecurator.domain.normalize.loading.MAX_RESULT_BYTES", 100)
    with pytest.raises(MalformedResultError, match="too large"):
        load_result_file(FIXTURES / "imm.json")


def test_import_a_stored_legacy_file_end_to_end(tmp_path: Path) -> None:
    stored = tmp_path / "person.json"
    stored.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "imm-detectface-legacy.json").read_bytes())
    result = normalize(load_result_file(stored))
    assert result.shape == "imm-detectface-legacy"
    assert result.faces[0].box.w == 894
