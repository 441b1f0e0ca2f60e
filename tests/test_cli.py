"""The command line as an operator uses it: real files, real detector, subprocesses."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.catalogs import seed_catalog

from facecurator import __version__

BROKEN = {"bad/empty.jpg", "bad/text_not_image.jpg", "bad/bomb_50000x50000.png", "bad/truncated_half.jpg"}


def run_cli(*args: str, check: int | None = 0, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "facecurator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        **kwargs,
    )
    if check is not None:
        assert proc.returncode == check, (
            f"exit {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
        )
    return proc


@pytest.fixture(scope="module")
def corpus_scan(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One real scan of the whole corpus (first run: everything detected)."""
    catalog = tmp_path_factory.mktemp("corpus-scan") / "catalog.sqlite3"
    started = time.monotonic()
    proc = run_cli("scan", str(corpus_dir), "--json", "--catalog", str(catalog), check=1)
    elapsed = time.monotonic() - started
    data = json.loads(proc.stdout)
    return {"catalog": catalog, "data": data, "elapsed": elapsed, "stderr": proc.stderr}


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.stdout.strip() == f"facecurator {__version__}"


def test_usage_error_exits_2(tmp_path: Path) -> None:
    proc = run_cli("scan", check=2)
    assert "usage" in proc.stderr
    proc = run_cli("scan", str(tmp_path / "missing"), "--catalog", str(tmp_path / "c.db"), check=2)
    assert "no such file or folder" in proc.stderr
    proc = run_cli(
        "scan", str(tmp_path), "--rules", "no-such-preset", "--catalog", str(tmp_path / "c.db"), check=2
    )
    assert "no-such-preset" in proc.stderr


def test_scan_astronaut_json_shape(astronaut_png: Path, tmp_path: Path) -> None:
    folder = tmp_path / "gallery" / "eileen"
    folder.mkdir(parents=True)
    (folder / "astronaut.png").write_bytes(astronaut_png.read_bytes())
    catalog = tmp_path / "catalog.sqlite3"
    data = json.loads(run_cli("scan", str(tmp_path / "gallery"), "--json", "--catalog", str(catalog)).stdout)
    assert data["catalog"] == str(catalog)
    assert data["rules"] == "moderation-2.0"
    (image,) = data["images"]
    assert image["status"] == "ok" and image["error"] is None
    assert image["detector"] == "local"
    assert (image["width"], image["height"]) == (512, 512)
    assert image["group"] == "eileen"
    (face,) = image["faces"]
    box = face["box"]
    assert 150 < box["x"] + box["w"] / 2 < 300 and 50 < box["y"] + box["h"] / 2 < 250
    assert face["blur"]["scale"] == "local-0-100"
    assert face["qualified"] is True, face["reasons"]
    assert face["decision"] == "pending"
    assert data["summary"] == {
        "images": 1,
        "errors": 0,
        "faces": 1,
        "qualified": 1,
        "accepted": 0,
        "rejected": 0,
        "pending": 1,
    }


def test_scan_one_photo_file(astronaut_png: Path, tmp_path: Path) -> None:
    """`facecurator scan photo.jpg`: the photo alone; the rest of its folder is left alone."""
    folder = tmp_path / "eileen"
    folder.mkdir()
    photo = folder / "astronaut.png"
    photo.write_bytes(astronaut_png.read_bytes())
    (folder / "other.png").write_bytes(astronaut_png.read_bytes())
    catalog = tmp_path / "catalog.sqlite3"
    data = json.loads(run_cli("scan", str(photo), "--json", "--catalog", str(catalog)).stdout)
    (image,) = data["images"]
    assert image["status"] == "ok" and image["group"] == "eileen" and len(image["faces"]) == 1
    assert data["summary"]["images"] == 1
    report = json.loads(
        run_cli("report", "--json", "--source", str(photo), "--catalog", str(catalog)).stdout
    )
    assert [i["source"] for i in report["images"]] == [str(photo.resolve())]


@pytest.mark.corpus
def test_corpus_face_counts_and_errors(corpus_scan: dict, corpus_manifest: list) -> None:
    images = {Path(img["source"]).as_posix(): img for img in corpus_scan["data"]["images"]}
    by_rel = {}
    for entry in corpus_manifest:
        key = entry.path.resolve().as_posix()
        assert key in images, f"{entry.rel} missing from the scan output"
        by_rel[entry.rel] = images[key]
    for rel in BROKEN:
        assert by_rel[rel]["status"] == "error", rel
        assert by_rel[rel]["error"] and rel.split("/")[-1] in by_rel[rel]["error"]
    certain = [e for e in corpus_manifest if e.certain and e.rel not in BROKEN]
    matches = [e.rel for e in certain if len(by_rel[e.rel]["faces"]) == e.expected_faces]
    misses = {e.rel: (e.expected_faces, len(by_rel[e.rel]["faces"])) for e in certain if e.rel not in matches}
    assert len(matches) / len(certain) >= 0.90, (
        f"face count matches {len(matches)}/{len(certain)}; misses {misses}"
    )
    assert "Traceback" not in corpus_scan["stderr"]
    assert corpus_scan["data"]["summary"]["errors"] == len(BROKEN)


@pytest.mark.corpus
def test_second_scan_is_cached_and_10x_faster(corpus_scan: dict, corpus_dir: Path) -> None:
    started = time.monotonic()
    proc = run_cli("scan", str(corpus_dir), "--json", "--catalog", str(corpus_scan["catalog"]), check=1)
    second = time.monotonic() - started
    data = json.loads(proc.stdout)
    ok_images = [i for i in data["images"] if i["status"] == "ok"]
    assert data["scan"]["detected"] == 0, "a re-scan of an unchanged folder must detect nothing again"
    assert data["scan"]["cached"] == len(ok_images)
    # Same faces as the first scan.
    first = {i["source"]: len(i["faces"]) for i in corpus_scan["data"]["images"]}
    assert {i["source"]: len(i["faces"]) for i in data["images"]} == first
    # The scan itself (listing, cache checks, catalog) against the first scan's; the
    # interpreter's start-up is the same fixed cost for both and is reported, not compared.
    first_scan, second_scan = corpus_scan["data"]["scan"]["elapsed_s"], data["scan"]["elapsed_s"]
    assert first_scan / max(second_scan, 1e-3) >= 10, (first_scan, second_scan)
    assert second < corpus_scan["elapsed"], (corpus_scan["elapsed"], second)


@pytest.mark.corpus
def test_report_decide_export_flow(corpus_scan: dict, tmp_path: Path) -> None:
    catalog = str(corpus_scan["catalog"])
    report = json.loads(run_cli("report", "--json", "--catalog", catalog).stdout)
    qualified = report["summary"]["qualified"]
    assert qualified > 10
    decided = json.loads(run_cli("decide", "--accept-qualified", "--json", "--catalog", catalog).stdout)
    assert decided["faces"] == qualified
    again = json.loads(run_cli("decide", "--accept-qualified", "--json", "--catalog", catalog).stdout)
    assert again["faces"] == 0
    dest = tmp_path / "enrollment"
    out = json.loads(run_cli("export", str(dest), "--json", "--catalog", catalog).stdout)
    assert out["exported"] == qualified
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    for entry in manifest["faces"]:
        crop = dest / entry["file"]
        assert crop.resolve().is_relative_to(dest.resolve())
        assert hashlib.sha256(crop.read_bytes()).hexdigest() == entry["sha256"]
    groups = {Path(e["file"]).parts[1] for e in manifest["faces"]}
    assert "obama" in groups and "deepface_p03" in groups
    csv_text = (dest / "manifest.csv").read_text(encoding="utf-8")
    assert len(csv_text.strip().splitlines()) == qualified + 1
    undone = json.loads(run_cli("decide", "--undo", "--json", "--catalog", catalog).stdout)
    assert len(undone["undone"]) == qualified
    report = json.loads(run_cli("report", "--json", "--catalog", catalog).stdout)
    assert report["summary"]["accepted"] == 0


def test_report_csv_and_rules_switch(astronaut_png: Path, tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "a.png").write_bytes(astronaut_png.read_bytes())
    catalog = str(tmp_path / "c.db")
    run_cli("scan", str(folder), "--catalog", catalog)
    csv_out = run_cli("report", "--csv", "--catalog", catalog).stdout.splitlines()
    assert csv_out[0].startswith("source,status")
    assert len(csv_out) == 2
    # The strict preset needs a 112 px face: the astronaut's is larger, so it stays qualified,
    # but a custom rule with an impossible size makes it unqualified without a new detection.
    rules = tmp_path / "huge.toml"
    rules.write_text(
        'name = "huge"\nunknown = "fail"\nschema_version = 1\n'
        '[[conditions]]\nkind = "min_face_size"\nmin_px = 5000\n',
        encoding="utf-8",
    )
    data = json.loads(run_cli("report", "--json", "--rules", str(rules), "--catalog", catalog).stdout)
    assert data["rules"] == "huge"
    assert data["summary"]["qualified"] == 0
    assert data["images"][0]["faces"][0]["reasons"]


@pytest.mark.slow
def test_sigkill_during_decide_loses_no_reported_decision(tmp_path: Path) -> None:
    catalog = tmp_path / "big.sqlite3"
    seed_catalog(catalog, "/virtual", n_images=3000, faces_per_image=4, varied=False)
    reported = 0
    with subprocess.Popen(
        [sys.executable, "-m", "facecurator", "decide", "--accept-qualified", "--catalog", str(catalog)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("accepted "):
                reported = int(line.split()[1].split("/")[0])
                if reported >= 2000:
                    break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, (
        "decide finished before it could be killed: make the catalog bigger"
    )
    assert reported >= 2000
    with sqlite3.connect(catalog) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        assert "decisions" in tables
    from facecurator.services.catalog import Catalog

    with Catalog(catalog) as reopened:
        counts = reopened.face_counts()
    assert counts["accepted"] >= reported
    assert counts["accepted"] + counts["pending"] == 12000


def test_import_results_from_seed_samples(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "seeds"
    files = sorted(fixtures.glob("*.json"))
    if not files:
        pytest.skip("seed fixtures not present")
    catalog = str(tmp_path / "c.db")
    out = json.loads(run_cli("import-results", *map(str, files), "--json", "--catalog", catalog).stdout)
    assert out["failed"] == 0
    assert all(item["faces"] >= 1 for item in out["imported"])
    broken = tmp_path / "broken.json"
    broken.write_text("<html>502 Bad Gateway</html>", encoding="utf-8")
    proc = run_cli("import-results", str(broken), "--catalog", catalog, check=1)
    assert "broken.json" in proc.stderr and "Traceback" not in proc.stderr
    report = json.loads(run_cli("report", "--json", "--catalog", catalog).stdout)
    assert report["summary"]["faces"] == sum(item["faces"] for item in out["imported"])


def test_core_imports_without_qt() -> None:
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'):\n"
        "        raise ImportError('Qt is banned from the core: ' + name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        "import facecurator.services.catalog, facecurator.domain.rules, facecurator.services.review\n"
        "import facecurator.services.jobs, facecurator.services.export, facecurator.domain.normalize\n"
        "import facecurator.services.importer, facecurator.sources, facecurator.sources.local\n"
        "import facecurator.detect.local, facecurator.cli.commands\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_bare_source_and_no_arguments_open_the_desktop_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from facecurator.cli import commands
    from facecurator.cli.main import main

    opened: list[tuple[str | None, str | None]] = []
    monkeypatch.setattr(commands, "cmd_gui", lambda args: opened.append((args.source, args.catalog)) or 0)
    assert main([]) == 0
    assert main(["/photos/2026"]) == 0
    assert main(["gui", "/photos", "--catalog", "c.db"]) == 0
    assert opened == [(None, None), ("/photos/2026", None), ("/photos", "c.db")]


def test_the_launcher_hands_the_desktop_app_to_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from facecurator import launcher

    opened: list[tuple[str | None, str | None]] = []
    monkeypatch.setattr(launcher, "open_app", lambda source, catalog: opened.append((source, catalog)) or 0)
    assert launcher.main(["/photos/2026"]) == 0
    assert launcher.main(["gui", "--catalog", "c.db"]) == 0
    assert opened == [("/photos/2026", None), (None, "c.db")]


def test_the_cli_alone_cannot_open_the_app(capsys: pytest.CaptureFixture[str]) -> None:
    from facecurator.cli.main import main

    assert main(["gui", "/photos"]) == 2  # a usage error, and no Qt imported
    assert "facecurator: the desktop app opens from the `facecurator` command" in capsys.readouterr().err
