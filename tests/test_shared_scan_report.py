"""A machine's share of a shared scan reports in constant memory (issue 17, item 3): counts
and the last few failures, no id per image; every failure is told as it happens and kept
in the catalog (``facecurator status --failures``), so none is lost however long the scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from emulator import make_test_image

from facecurator.cli.main import main as cli_main
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.claims import failures, status

N_GOOD = 12
N_BAD = 9


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "gallery"
    root.mkdir()
    for i in range(N_GOOD):
        (root / f"good{i:02d}.jpg").write_bytes(make_test_image(96, 72, seed=i))
    for i in range(N_BAD):
        (root / f"bad{i:02d}.jpg").write_bytes(b"not a jpeg at all " * (i + 1))
    return root


def test_the_report_keeps_counts_and_the_last_failures_and_the_catalog_keeps_all(
    pg_url: str, folder: Path
) -> None:
    from facecurator.detect.local import LocalDetector
    from facecurator.services.shared_scan import scan_shared
    from facecurator.sources.local import LocalFolderSource

    told: list[str] = []
    with Catalog(pg_url) as catalog:
        report = scan_shared(
            LocalFolderSource(folder), LocalDetector(), catalog, jobs=1, recent_errors=3,
            on_image=lambda outcome: told.append(outcome.ref.uri) if outcome.error else None,
        )  # fmt: skip
        kept = list(failures(catalog))
        jobs, _ = status(catalog)
    assert (report.total, report.ok, report.failed) == (N_GOOD + N_BAD, N_GOOD, N_BAD)
    assert len(report.errors) == 3 and report.image_ids == []  # bounded: nothing per image
    assert {uri for uri, _ in report.errors} <= set(told)
    assert len(told) == N_BAD  # every failure was told as it happened
    assert sorted(uri for _, uri, _ in kept) == sorted(told)  # ... and is kept in the catalog
    assert all("bad" in uri and reason for _, uri, reason in kept)
    assert [(j.total, j.left, j.failed) for j in jobs] == [(N_GOOD + N_BAD, 0, N_BAD)]


def test_a_fixed_image_is_no_longer_a_failure_after_the_next_pass(pg_url: str, folder: Path) -> None:
    from facecurator.detect.local import LocalDetector
    from facecurator.services.shared_scan import scan_shared
    from facecurator.sources.local import LocalFolderSource

    with Catalog(pg_url) as catalog:
        scan_shared(LocalFolderSource(folder), LocalDetector(), catalog, jobs=1)
        (folder / "bad00.jpg").write_bytes(make_test_image(80, 60, seed=77))
        again = scan_shared(LocalFolderSource(folder), LocalDetector(), catalog, jobs=1)
        kept = {uri for _, uri, _ in failures(catalog)}
    assert again.failed == N_BAD - 1
    assert len(kept) == N_BAD - 1 and not any(uri.endswith("bad00.jpg") for uri in kept)


def test_the_cli_prints_each_failure_and_status_lists_them_from_the_catalog(
    pg_url: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(["scan", str(folder), "--catalog", pg_url, "--jobs", "1", "--no-identities"])
    out, err = capsys.readouterr()
    assert code == 1  # some images failed
    assert sum(line.startswith("error: ") for line in err.splitlines()) == N_BAD
    assert f"{N_GOOD + N_BAD} images handled by this machine" in out
    assert cli_main(["status", "--failures", "--json", "--catalog", pg_url]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(Path(r["source"]).name for r in rows) == [f"bad{i:02d}.jpg" for i in range(N_BAD)]
    # JSON: the source's images streamed from the catalog, the summary counted on the way
    assert cli_main(["scan", str(folder), "--catalog", pg_url, "--jobs", "1", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data["images"]) == N_GOOD + N_BAD and data["summary"]["errors"] == N_BAD
    assert data["scan"]["failed"] == N_BAD and data["scan"]["shared"] is True
