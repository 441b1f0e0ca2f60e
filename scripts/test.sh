#!/usr/bin/env bash
# Run the whole test suite: installs what it needs into ./.venv, starts a throwaway
# Secret Service (gnome-keyring under dbus-run-session) when available, and
# treats pytest's "no tests collected" (exit 5) as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

# dlib + face_recognition_models: the identity checks' embedding models (added later: old venvs lack them);
# pandas + pycocotools: the readers the export formats are checked with
if ! .venv/bin/python -c "import facecurator, pytest, pytestqt, skimage, dlib, pandas, pycocotools, psycopg, \
importlib.util as u; assert u.find_spec('face_recognition_models')" >/dev/null 2>&1; then
  bash scripts/install.sh --test || exit 1
fi

# gnome-keyring without secret-tool: two Secret Service tests read items back with it.
# Install it when we may (root + apt-get); otherwise those tests skip, saying why.
if command -v gnome-keyring-daemon >/dev/null 2>&1 && ! command -v secret-tool >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "note: installing libsecret-tools (secret-tool) for the Secret Service tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libsecret-tools >/dev/null \
      || echo "note: could not install libsecret-tools: the secret-tool checks will skip" >&2
  else
    echo "note: secret-tool missing (apt-get install libsecret-tools): its checks will skip" >&2
  fi
fi

export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
cmd=(.venv/bin/python -m pytest "$@")
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1 \
   && [ -f .ci/keyring-session.sh ]; then
  bash .ci/keyring-session.sh "${cmd[@]}"
else
  echo "note: no dbus-run-session/gnome-keyring: Secret Service tests will skip" >&2
  "${cmd[@]}"
fi
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit 5): treating as a failure" >&2
  exit 1
fi
exit "$status"
