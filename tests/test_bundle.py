"""The PyInstaller bundle (packaging/): it starts, detects, self-tests and opens its window.

``test_bundle_smoke`` runs ``packaging/smoke_test.sh`` against ``dist/facecurator/``:

* ``FACECURATOR_BUNDLE_SMOKE=1``: builds the bundle first from a clean virtual
  environment (about 2 minutes on 2 cores; ``FACECURATOR_BUNDLE_REUSE_VENV=1``
  reuses ``build/bundle-venv``: under a minute), then tests it;
* otherwise, when ``dist/facecurator/`` exists and is newer than the sources,
  tests it as is (about 10 seconds);
* otherwise skips, saying why.

``test_bundle_cloud_detectors`` drives the bundled executable against the
loopback cloud emulator (tests/emulator): the real oss2 and Tea SDKs frozen in
the bundle, every cloud detector, and the local detector on an OSS source. It
runs when a current bundle exists (after the smoke test built one, too).

The other tests here are fast and always run: the app icon files, and the
bundle's mediapipe runtime hook (the face solutions import without matplotlib).
"""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    BUCKET,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
)

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "dist" / "facecurator"
EXECUTABLE = BUNDLE / "facecurator"
BUILD_INFO = BUNDLE / "BUILD-INFO.txt"
SMOKE_SCRIPT = REPO / "packaging" / "smoke_test.sh"
MEDIAPIPE_RTHOOK = REPO / "packaging" / "hooks" / "rthooks" / "pyi_rth_facecurator_mediapipe.py"
ICONS = REPO / "resources" / "icons"
SMOKE_TOOLS = ("xvfb-run", "xdotool", "dbus-run-session", "gnome-keyring-daemon")
#: What the bundle is built from: a bundle older than any of these is stale.
BUNDLE_INPUTS = (
    "facecurator",
    "resources",
    "pyproject.toml",
    "packaging/facecurator.spec",
    "packaging/launcher.py",
    "packaging/hooks",
    "packaging/licenses",
)


def _stale_source(since: float) -> Path | None:
    for name in BUNDLE_INPUTS:
        root = REPO / name
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.suffix in (".pyc", ".qm") or not path.is_file():
                continue
            if path.stat().st_mtime > since:
                return path
    return None


def _require_current_bundle() -> None:
    """Skip unless dist/facecurator/ exists and is newer than everything it is built from."""
    if not BUILD_INFO.is_file():
        pytest.skip("no bundle in dist/facecurator/ (FACECURATOR_BUNDLE_SMOKE=1 builds one, ~2 min)")
    changed = _stale_source(BUILD_INFO.stat().st_mtime)
    if changed is not None:
        pytest.skip(
            f"dist/facecurator/ is older than {changed.relative_to(REPO)}: "
            "rebuild with packaging/build.sh or run with FACECURATOR_BUNDLE_SMOKE=1"
        )


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_bundle_smoke() -> None:
    """Build (or reuse) the bundle; --version, self-test, scan --json (1 face), GUI window under Xvfb."""
    build = os.environ.get("FACECURATOR_BUNDLE_SMOKE") == "1"
    missing = [tool for tool in SMOKE_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"missing {', '.join(missing)} (apt-get install xvfb xauth xdotool gnome-keyring dbus)"
        if build:
            pytest.fail(f"FACECURATOR_BUNDLE_SMOKE=1 but {message}")
        pytest.skip(message)
    args = ["bash", str(SMOKE_SCRIPT)]
    if build:
        args.append("--build")
        if os.environ.get("FACECURATOR_BUNDLE_REUSE_VENV") == "1":
            args.append("--reuse-venv")
    else:
        _require_current_bundle()
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}
    completed = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    report = completed.stdout
    if completed.returncode:
        report += "\n--- stderr ---\n" + completed.stderr[-4000:]
    print(report)  # the timings, visible with pytest -s or on failure
    assert completed.returncode == 0, report
    for check in ("version", "self-test", "scan --json: 1 face", "gui: window"):
        assert f"PASS  {check}" in completed.stdout, report
    assert "FAIL" not in completed.stdout, report


@pytest.mark.slow
@pytest.mark.parametrize("detector", ["imm", "oss-faces", "green", "green-pro", "local"])
def test_bundle_cloud_detectors(
    detector: str, cloud_emulator: CloudEmulator, cloud_profile: str, tmp_path: Path
) -> None:
    """The bundled ``facecurator scan oss://…`` finds what the emulator serves, with each detector."""
    _require_current_bundle()
    keys = [f"gallery/person{i}/photo{i}.jpg" for i in range(2)]
    for i, key in enumerate(keys):
        cloud_emulator.put_object(BUCKET, key, make_test_image(640, 480, seed=i))
    astronaut = REPO / "resources" / "selftest" / "astronaut.jpg"
    cloud_emulator.put_object(BUCKET, "gallery/person2/astronaut.jpg", astronaut.read_bytes())
    catalog = tmp_path / "catalog.sqlite3"
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}
    args = [str(EXECUTABLE), "scan", f"oss://{BUCKET}/gallery/", "--detector", detector]
    args += ["--profile", cloud_profile, "--json", "--yes", "--catalog", str(catalog)]
    completed = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    data = json.loads(completed.stdout)
    by_source = {image["source"]: image for image in data["images"]}
    assert data["summary"]["errors"] == 0, data["summary"]
    if detector == "local":  # real detection on the downloaded photo; the synthetic images have no face
        assert len(by_source[f"oss://{BUCKET}/gallery/person2/astronaut.jpg"]["faces"]) == 1
        assert cloud_emulator.total_billable() == 0
        return
    shape = "green" if detector.startswith("green") else "imm"
    for key in [*keys, "gallery/person2/astronaut.jpg"]:
        expected = cloud_emulator.expected_faces(BUCKET, key, shape=shape)
        assert len(by_source[f"oss://{BUCKET}/{key}"]["faces"]) == len(expected), key
    assert cloud_emulator.total_billable() == 3
    assert data["scan"]["paid_calls"] == 3


def test_mediapipe_rthook_imports_face_solutions_without_matplotlib() -> None:
    """The bundle's runtime hook: face solutions import and build while matplotlib cannot be imported."""
    script = f"""
import importlib.abc, sys

class NoMatplotlib(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("matplotlib", "jax", "jaxlib", "scipy", "sounddevice"):
            raise ModuleNotFoundError(f"excluded from the bundle: {{name}}", name=name)
        return None

sys.meta_path.insert(0, NoMatplotlib())
exec(compile(open({str(MEDIAPIPE_RTHOOK)!r}).read(), "rthook", "exec"))
from mediapipe.python.solutions import face_detection, face_mesh
import mediapipe
detector = face_detection.FaceDetection(model_selection=1)
detector.close()
assert mediapipe.solutions.face_mesh is face_mesh
try:
    import mediapipe.python.solutions.drawing_utils
except ModuleNotFoundError as exc:
    print("drawing_utils:", exc)
else:
    raise SystemExit("drawing_utils imported although matplotlib is excluded")
print("loaded:", sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"))
"""
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "drawing_utils: excluded from the bundle: matplotlib" in completed.stdout
    assert "loaded: []" in completed.stdout


def test_app_icon_files() -> None:
    """The committed icons are what packaging/make_icons.py renders: square PNGs 16..256 and a .ico."""
    from PIL import Image

    assert (ICONS / "facecurator.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    for size in (16, 24, 32, 48, 64, 128, 256):
        with Image.open(ICONS / f"facecurator-{size}.png") as image:
            assert image.format == "PNG"
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            alpha = image.getchannel("A")
            assert alpha.getpixel((0, 0)) == 0, "corners are transparent (rounded icon)"
            assert alpha.getpixel((size // 2, size // 2)) == 255
    with Image.open(ICONS / "facecurator.ico") as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
