"""``--where`` on report, decide and export, driven as a user types it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.bad_entries import make_image
from helpers.catalogs import seed_catalog

from facecurator.cli.main import main


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    seed_catalog(path, tmp_path / "photos", 40, 2)
    return path


def _report(capsys: pytest.CaptureFixture[str], catalog: Path, *where: str) -> dict:
    args = ["report", "--catalog", str(catalog), "--json"]
    for text in where:
        args += ["--where", text]
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def _faces(report: dict) -> list[dict]:
    return [face for image in report["images"] for face in image["faces"]]


def test_report_where_selects_faces_and_repeats_as_and(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    everything = _faces(_report(capsys, catalog))
    turned = _faces(_report(capsys, catalog, "yaw>20"))
    assert turned and len(turned) < len(everything)
    assert all(abs(face["pose"]["yaw"]) > 20 for face in turned)
    assert len(turned) == sum(1 for face in everything if abs(face["pose"]["yaw"]) > 20)
    both = _report(capsys, catalog, "yaw>20", "failed:blur or blur<10")
    assert all(abs(f["pose"]["yaw"]) > 20 for f in _faces(both))
    assert both["summary"]["faces"] == len(_faces(both)) < len(turned)
    person = _report(capsys, catalog, "person=p3")
    assert {image["source"].split("/")[-2] for image in person["images"]} == {"p3"}


def test_decide_where_decides_only_matching_faces(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["decide", "--catalog", str(catalog), "--reject-unqualified", "--where", "person~p1 and yaw>30"])
        == 0
    )
    capsys.readouterr()
    rejected = _faces(_report(capsys, catalog, "decision=rejected"))
    assert rejected
    for face in rejected:
        assert abs(face["pose"]["yaw"]) > 30 and not face["qualified"]
    names = {
        image["source"].split("/")[-2] for image in _report(capsys, catalog, "decision=rejected")["images"]
    }
    assert all(name.startswith("p1") for name in names)


def test_export_where(catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decide", "--catalog", str(catalog), "--accept-qualified"]) == 0
    capsys.readouterr()
    accepted = _report(capsys, catalog, "decision=accepted")
    person = accepted["images"][0]["source"].split("/")[-2]
    accepted_one = _faces(_report(capsys, catalog, f"decision=accepted person={person}"))
    assert 0 < len(accepted_one) < len(_faces(accepted))
    for image in accepted["images"]:  # the seeded catalog's photos, as files
        make_image(Path(image["source"]), size=(640, 480))
    dest = tmp_path / "out"
    assert (
        main(["export", str(dest), "--catalog", str(catalog), "--json", "--where", f"person={person}"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["exported"] == len(accepted_one) and not result["failed"]
    assert {p.name for p in (dest / "faces").iterdir()} == {person}


def test_bad_where_is_a_usage_error_naming_the_position(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--catalog", str(catalog), "--where", "yaw>20 and failed:no_hats"]) == 2
    err = capsys.readouterr().err
    assert "at character 19" in err and "no condition 'no_hats'" in err and "no_sunglasses" in err
    assert main(["decide", "--catalog", str(catalog), "--accept-qualified", "--where", "yaw >> 3"]) == 2
    assert "at character 6" in capsys.readouterr().err
