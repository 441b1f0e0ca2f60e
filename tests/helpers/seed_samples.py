"""The seed documents' sample provider responses the normalize tests read.

The fixtures in ``tests/fixtures/seeds/`` are the seeds' sample responses
copied byte for byte (the legacy ``imm/detectface`` one keeps its trailing
commas); ``test_fixtures_are_verbatim_copies_of_the_seeds`` proves it when
``../shared/seeds`` is present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facecurator.domain.normalize import (
    load_result_file,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "seeds"
SEEDS = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "seeds"

#: fixture file -> (seed document it was copied from, expected shape)
FIXTURE_SOURCES = {
    "oss-faces.json": ("oss-image-faces.zh-Hant.txt", "oss-faces"),
    "imm.json": ("imm-detect-image-faces.en.txt", "imm"),
    "imm-detectface-legacy.json": ("oss-imm-detectface-legacy.zh-Hans.txt", "imm-detectface-legacy"),
    "green-1.0.json": ("green-1.0-face-detect.en.txt", "green-1.0"),
    "green-2.0-standard.json": ("green-2.0-facedetect-global.en.txt", "green-2.0"),
    "green-2.0-pro.json": ("green-2.0-facedetect-global.en.txt", "green-2.0"),
}


def sample(name: str) -> Any:
    return load_result_file(FIXTURES / name)


def sample_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")
