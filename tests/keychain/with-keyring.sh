#!/usr/bin/env bash
# Run a command against a real, throwaway OS keychain: a private D-Bus session bus (dbus-run-session) with
# an unlocked gnome-keyring Secret Service whose keyrings live in a temporary HOME/XDG tree. The user's
# own keyring, session bus and home directory are never touched; everything is deleted on exit.
#
#   tests/keychain/with-keyring.sh cargo test --workspace
#
# Needs: dbus-run-session (apt: dbus) and gnome-keyring-daemon (apt: gnome-keyring); `make deps-keychain`
# installs them. Exit status: the command's, or 127 when a tool is missing.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool not found; install dbus and gnome-keyring (make deps-keychain, or" \
      "sudo apt-get install dbus dbus-x11 gnome-keyring libsecret-tools)" >&2
    exit 127
  fi
done

scratch="$(mktemp -d "${TMPDIR:-/tmp}/enkrypt-keyring.XXXXXX")"
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/runtime"
chmod 700 "$scratch" "$scratch/runtime"

# Keep the toolchain where it is while HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$scratch/home"
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
# No desktop session: never let a prompt or a display get involved.
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DBUS_SESSION_BUS_ADDRESS

# Inside the private bus: start the daemon with a throwaway password (the "login" keyring is created and
# unlocked with it), wait until it owns org.freedesktop.secrets, run the command, then stop the daemon.
# Not `exec`: the EXIT trap must still remove the scratch tree afterwards.
# shellcheck disable=SC2016
dbus-run-session -- bash -euo pipefail -c '
  printf "%s" "enkrypt-test-keyring" |
    gnome-keyring-daemon --unlock --components=secrets >"$XDG_RUNTIME_DIR/keyring.env"
  for _ in $(seq 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
       grep -q "boolean true"; then
      break
    fi
    sleep 0.05
  done
  echo "with-keyring: throwaway Secret Service on $DBUS_SESSION_BUS_ADDRESS" >&2
  set +e
  "$@"
  status=$?
  set -e
  daemon=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
    sed -n "s/^ *uint32 //p")
  if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; fi
  exit "$status"
' with-keyring "$@"
