#!/usr/bin/env bash
# Start the real desktop app under Xvfb on a folder (default ../shared/corpus),
# wait until thumbnails and an image with face boxes are shown, and save PNGs.
#
#   scripts/screenshot.sh [FOLDER] [--out gallery.png] [--triage-out triage.png] [--image people/obama/obama.jpg] [--rules enrollment-strict]
#                         [--size 1024x768|1600x1000|2560x1440] [--lang en|zh_CN] [--states-dir DIR]
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
# The X screen: 1600x1000, or as large as --size WxH when that is larger (e.g. 2560x1440).
screen="1600x1000"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --size) size="${args[i + 1]:-}" ;;
        --size=*) size="${args[i]#--size=}" ;;
        *) continue ;;
    esac
    w="${size%x*}"; h="${size#*x}"
    if [ "$w" -gt 1600 ] || [ "$h" -gt 1000 ]; then screen="$(( w > 1600 ? w : 1600 ))x$(( h > 1000 ? h : 1000 ))"; fi
done
exec xvfb-run -a -s "-screen 0 ${screen}x24 -nolisten tcp" "$python" "$here/screenshot.py" "$@"
