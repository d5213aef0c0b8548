#!/usr/bin/env bash
# End-to-end test of the real desktop app window: Xvfb + tauri-driver + WebKitWebDriver drive the built
# app (APP_BIN) in a throwaway HOME; then the real gateway-core runs on the config the app wrote, with a
# real MCP client call. Run it inside tests/keychain/with-keyring.sh (temporary HOME + unlocked
# gnome-keyring on a private D-Bus session), as `make test-e2e` does:
#   APP_BIN=… TEST_MCP_SERVER=… tests/keychain/with-keyring.sh bash tests/desktop/e2e.sh
# Screenshots and the driver log go to ui/test-artifacts/.
set -euo pipefail
: "${APP_BIN:?set APP_BIN to the built enkrypt-desktop binary}"
: "${TEST_MCP_SERVER:?set TEST_MCP_SERVER to the built test-mcp-server binary}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
export E2E_ARTIFACTS="$root/ui/test-artifacts"
mkdir -p "$E2E_ARTIFACTS"
case "$HOME" in /tmp/*|"${TMPDIR:-/tmp}"/*) ;; *) echo "e2e: refusing to run with a real HOME ($HOME)" >&2; exit 2 ;; esac
for tool in xvfb-run tauri-driver WebKitWebDriver node; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool not found (make deps-app)" >&2; exit 127; }
done
# Several engineers/CI jobs may share the machine: pick free-looking ports instead of the default 4444.
port="${E2E_PORT:-$((20000 + RANDOM % 20000))}"
export E2E_PORT="$port" APP_BIN TEST_MCP_SERVER
export ENKRYPT_DESKTOP_LOG="${ENKRYPT_DESKTOP_LOG:-info}"
# First-run setup adds the echo server when test-mcp-server sits next to the app (as in a dev build
# after `cargo test`); put it there so the run is the same either way.
cp -f "$TEST_MCP_SERVER" "$(dirname "$APP_BIN")/test-mcp-server"
cd "$root/ui"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  tauri-driver --port "$E2E_PORT" --native-port "$((E2E_PORT + 1))" >"$E2E_ARTIFACTS/tauri-driver.log" 2>&1 &
  drv=$!
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null && break; sleep 0.1; done
  set +e
  node e2e/tauri-e2e.mjs
  rc=$?
  kill "$drv" 2>/dev/null
  wait "$drv" 2>/dev/null
  exit "$rc"'
