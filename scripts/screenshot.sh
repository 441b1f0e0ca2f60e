#!/usr/bin/env bash
# Start the real desktop app under Xvfb on a folder (default ../shared/corpus),
# wait until thumbnails and an image with face boxes are shown, and save PNGs.
#
#   scripts/screenshot.sh [FOLDER] [--out gallery.png] [--triage-out triage.png] [--image people/obama/obama.jpg]
#
# Needs: xvfb (xvfb-run), and the X libraries Qt's xcb plugin loads:
#   apt-get install -y xvfb libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0
# Then LOOK at the PNGs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-$repo/.venv/bin/python}"
[ -x "$python" ] || python=python3
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "screenshot.sh: xvfb-run not found (apt-get install -y xvfb)" >&2
    exit 2
fi
export QT_QPA_PLATFORM=xcb
exec xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" "$python" "$here/screenshot.py" "$@"
