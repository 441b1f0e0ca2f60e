#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a real, unlocked
# gnome-keyring Secret Service, so the keyring tests exercise the same backend
# a Linux desktop uses.
#
#   bash .ci/keyring-session.sh python -m pytest
#
# A throwaway HOME / XDG_* tree is used so the developer's own keyring is never
# read or written. The command's exit status is returned. Needs (Debian/Ubuntu):
#   apt-get install -y gnome-keyring dbus libsecret-tools   (dbus-x11 is not needed)
# Inside the command FACECURATOR_REQUIRE_SECRET_SERVICE=1 is exported, so the
# keyring tests fail (instead of skipping) when the Secret Service is unusable.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: '$tool' not found: apt-get install -y gnome-keyring dbus libsecret-tools" >&2
    exit 2
  fi
done

session_root="$(mktemp -d "${TMPDIR:-/tmp}/facecurator-keyring.XXXXXX")"
trap 'rm -rf "$session_root"' EXIT
mkdir -p "$session_root/home" "$session_root/data" "$session_root/config" \
         "$session_root/cache" "$session_root/runtime"
chmod 700 "$session_root/runtime"

export FACECURATOR_KEYRING_SESSION_ROOT="$session_root"
export FACECURATOR_REQUIRE_SECRET_SERVICE="${FACECURATOR_REQUIRE_SECRET_SERVICE:-1}"

# The inner script gets the command as "$@", so arguments with spaces survive.
inner='
set -euo pipefail
root="$FACECURATOR_KEYRING_SESSION_ROOT"
export HOME="$root/home" XDG_DATA_HOME="$root/data" XDG_CONFIG_HOME="$root/config" \
       XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/runtime"
# A random, throwaway password for the fresh login keyring; --unlock creates it.
# The daemon runs in the foreground as our child, so we know its id and stop
# exactly it afterwards (a forked daemon would outlive the private bus).
head -c 24 /dev/urandom | od -An -tx1 | tr -d " \n" \
  | gnome-keyring-daemon --foreground --unlock --components=secrets >"$root/daemon.log" 2>&1 &
keyring_pid=$!
ready=0
for _ in $(seq 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
       | grep -q "boolean true"; then ready=1; break; fi
  if ! kill -0 "$keyring_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "keyring-session: gnome-keyring-daemon did not start:" >&2
  cat "$root/daemon.log" >&2
  kill "$keyring_pid" 2>/dev/null || true
  exit 2
fi
status=0
"$@" || status=$?
kill "$keyring_pid" 2>/dev/null || true
wait "$keyring_pid" 2>/dev/null || true
exit "$status"
'
# The daemon leaves when the private bus closes at the end of dbus-run-session.
status=0
dbus-run-session -- bash -c "$inner" keyring-session "$@" || status=$?
exit "$status"
