"""Shared fixtures. Corpus tests skip with a clear reason when ../shared is absent."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("FACECURATOR_CORPUS", REPO.parent / "shared" / "corpus"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@dataclass(frozen=True)
class CorpusEntry:
    path: Path
    rel: str
    expected_faces: int
    certain: bool  # False when the manifest marks the count with '?'
    notes: str


def _load_manifest() -> list[CorpusEntry]:
    entries = []
    with (CORPUS / "MANIFEST.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            notes = row["notes"]
            count = row["expected_faces"]
            entries.append(
                CorpusEntry(
                    path=CORPUS / row["file"],
                    rel=row["file"],
                    expected_faces=int(count),
                    certain=f"({count}?" not in notes and f"{count}?)" not in notes and "(1?" not in notes,
                    notes=notes,
                )
            )
    return entries


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "MANIFEST.csv").is_file():
        pytest.skip(f"corpus not available at {CORPUS} (../shared exists only on our machines)")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_manifest(corpus_dir: Path) -> list[CorpusEntry]:
    return _load_manifest()


@pytest.fixture(scope="session")
def astronaut_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real, public-domain face from a registry package (works without ../shared)."""
    from PIL import Image
    from skimage import data

    path = tmp_path_factory.mktemp("astronaut") / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return path


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's catalog, presets or caches."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("FACECURATOR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("FACECURATOR_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("FACECURATOR_CACHE_DIR", str(base / "cache"))
