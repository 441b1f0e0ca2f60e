"""Shared fixtures. Corpus tests skip with a clear reason when ../shared is absent."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# -- PostgreSQL: one throwaway cluster per session, a fresh database per test ---------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """The session's PostgreSQL cluster (tests/helpers/pgcluster.py); skips without server binaries
    (fails instead under FACECURATOR_REQUIRE_POSTGRES=1, as CI sets)."""
    from helpers.pgcluster import REQUIRE_ENV, Cluster, find_bindir

    bindir = find_bindir()
    try:
        import psycopg  # noqa: F401 - a dependency; an old venv may lack it
    except ImportError:
        if os.environ.get(REQUIRE_ENV):
            raise
        pytest.skip("the Python package psycopg is not installed (pip install -e .)")
    if bindir is None:
        reason = (
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found: install Debian's postgresql "
            "package or set FACECURATOR_PG_BIN"
        )
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but {reason}")
        pytest.skip(reason)
    cluster = Cluster(bindir)
    try:
        from facecurator.services.catalog import Catalog

        Catalog(cluster.url(cluster.template)).close()  # migrated once; each test copies it
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Any) -> str:
    """A fresh, migrated PostgreSQL catalog database of its own (its URL, no password)."""
    return str(pg_cluster.new_database())


@pytest.fixture
def own_cluster(pg_cluster: Any) -> Iterator[Any]:
    """A cluster of the test's own, to stop and start again (a server restart), its template
    migrated (the session's cluster is shared)."""
    from helpers.pgcluster import Cluster

    from facecurator.services.catalog import Catalog

    cluster = Cluster(pg_cluster.bindir)
    try:
        Catalog(cluster.url(cluster.template)).close()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a catalog test opens its catalog: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "catalog.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def cat(catalog_target: str) -> Iterator[Any]:
    """A fresh catalog, once on SQLite and once on PostgreSQL (conftest's catalog_target)."""
    from facecurator.services.catalog import Catalog

    with Catalog(catalog_target) as catalog:
        yield catalog
