"""The cloud emulator answers in the seeds' shapes (issue 20, item 5).

``tests/emulator`` builds its answers from hand copies of the seed documents'
samples (``SEED_IMM_FACE``, ``SEED_GREEN_FACE``, the Moderation results). These
tests hold them to ``../shared/seeds``, as ``test_normalize`` holds the
normaliser fixtures: each copied object is found verbatim in its seed, and every
answer the emulator sends has the seed sample response's fields, no more, no less.
"""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import emulator
import pytest
from emulator import BUCKET, CloudEmulator, cloud_emulator, cloud_profile, make_test_image  # noqa: F401

from facecurator.detect.registry import make_detector
from facecurator.sources.oss import OssSource

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
IMM_SEED = "imm-detect-image-faces.en.txt"
GREEN_SEED = "green-2.0-facedetect-global.en.txt"
OSS_SEED = "oss-image-faces.zh-Hant.txt"


def _seed(name: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not available at {SEEDS} (../shared exists only on our machines)")
    return (SEEDS / name).read_text(encoding="utf-8")


def _json_objects(text: str) -> list[dict[str, Any]]:
    """Every JSON object (nested ones included) of the samples in a seed document."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    start = text.find("{")
    while start >= 0:
        try:
            obj, _ = decoder.raw_decode(text, start)
        except ValueError:
            obj = None
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                found.append(item)
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        start = text.find("{", start + 1)
    return found


def _paths(value: Any, prefix: str = "", *, skip_none: bool = False) -> set[str]:
    """Key paths of a JSON value ("/Data/Result[]/Label"); list items merged. With
    ``skip_none``, keys whose value is None are left out (an SDK's ``to_map`` adds
    every field its model declares, as None or empty when the answer did not have it)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if skip_none and item in (None, [], {}):
                continue
            out.add(f"{prefix}/{key}")
            out |= _paths(item, f"{prefix}/{key}", skip_none=skip_none)
    elif isinstance(value, list):
        for item in value:
            out |= _paths(item, f"{prefix}[]", skip_none=skip_none)
    return out


@pytest.mark.parametrize(
    ("constant", "seed"),
    [("SEED_IMM_FACE", IMM_SEED), ("SEED_GREEN_FACE", GREEN_SEED), ("GREEN_RESULT_NONE", GREEN_SEED)],
)
def test_copied_samples_are_verbatim_seed_objects(constant: str, seed: str) -> None:
    assert getattr(emulator, constant) in _json_objects(_seed(seed)), f"{constant} is not an object of {seed}"


def test_the_eyes_closed_result_is_a_documented_label_in_the_result_shape() -> None:
    text = _seed(GREEN_SEED)
    closed = emulator.GREEN_RESULT_EYES_CLOSED
    assert f"{closed['Label']}: {closed['Description']}" in text
    results = [o for o in _json_objects(text) if o.get("Label") == "nonLabel"]
    assert results and all(set(closed) == set(o) for o in results)


def _seed_response(seed: str) -> dict[str, Any]:
    responses = [o for o in _json_objects(_seed(seed)) if "RequestId" in o]
    return max(responses, key=lambda o: len(_paths(o)))


@pytest.mark.parametrize(
    ("detector", "seed"),
    [("imm", IMM_SEED), ("oss-faces", OSS_SEED), ("green", GREEN_SEED), ("green-pro", GREEN_SEED)],
)
def test_emulator_answers_have_the_seed_response_fields(
    detector: str, seed: str, cloud_emulator: CloudEmulator, cloud_profile: str
) -> None:
    want = _paths(_seed_response(seed), skip_none=True)
    cloud_emulator.put_object(BUCKET, "people/a.jpg", make_test_image(640, 480, seed=3))
    (ref,) = OssSource(f"oss://{BUCKET}/people/", cloud_profile).iter_images()
    raw = make_detector(detector, profile=cloud_profile).detect(ref, None).raw
    got = _paths(raw, skip_none=True)
    assert got - want == set(), f"the emulator sends fields the {seed} sample does not have"
    assert want - got == set(), f"the emulator omits fields of the {seed} sample"
