#!/usr/bin/env bash
# End-to-end test of "Sign in" in the real desktop app window (Xvfb + tauri-driver + WebKitWebDriver):
# a config whose gateway has oauth-mcp-server (a protected MCP server with its own authorization server)
# as a remote upstream; the test clicks "Sign in", the browser the app launches is a script (a fake
# `xdg-open` first on PATH) that GETs the authorization URL (the test AS approves at once) and follows
# the redirect to the app's loopback port; the state turns to "Signed in as …", the home page's
# "needs attention" line goes away, and the real gateway-core then calls a tool of that server with the
# token from the keychain. Run it inside tests/keychain/with-keyring.sh, as `make test-e2e` does:
#   APP_BIN=… GATEWAY_CORE=… OAUTH_MCP_SERVER=… tests/keychain/with-keyring.sh bash tests/desktop/e2e-oauth.sh
set -euo pipefail
: "${APP_BIN:?set APP_BIN to the built enkrypt-desktop binary}"
: "${GATEWAY_CORE:?set GATEWAY_CORE to the built gateway-core binary}"
: "${OAUTH_MCP_SERVER:?set OAUTH_MCP_SERVER to the built oauth-mcp-server binary}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
export E2E_ARTIFACTS="$root/ui/test-artifacts"
mkdir -p "$E2E_ARTIFACTS"
case "$HOME" in /tmp/*|"${TMPDIR:-/tmp}"/*) ;; *) echo "e2e-oauth: refusing to run with a real HOME ($HOME)" >&2; exit 2 ;; esac
for tool in xvfb-run tauri-driver WebKitWebDriver node curl; do
  command -v "$tool" >/dev/null || { echo "e2e-oauth: $tool not found (make deps-app)" >&2; exit 127; }
done
# The system browser, as far as the app can tell: `xdg-open URL` (what the shell plugin's opener runs on
# Linux) records that it was asked, then does what a user's browser does with the test AS: GET the
# authorization URL and follow its redirect to the app's loopback port. The redirect carries a one-time
# code, so only the authorization URL's host is recorded, never the URL the AS sends back.
fakebin="$HOME/e2e-browser-bin"
mkdir -p "$fakebin"
cat >"$fakebin/xdg-open" <<'SH'
#!/usr/bin/env bash
url="$1"
echo "opened ${url%%\?*}" >>"$HOME/e2e-browser.log"
# A user who closes the tab without signing in: the test creates this file to check "Cancel".
[ -e "$HOME/e2e-browser-stall" ] && exit 0
page="$(curl -sS -L --max-time 30 "$url" 2>>"$HOME/e2e-browser.log")"
case "$page" in *"Signed in"*) echo "redirect page: signed in" >>"$HOME/e2e-browser.log" ;;
  *) echo "redirect page: unexpected" >>"$HOME/e2e-browser.log" ;; esac
SH
chmod +x "$fakebin/xdg-open"
export PATH="$fakebin:$PATH" BROWSER="$fakebin/xdg-open"
port="${E2E_PORT:-$((20000 + RANDOM % 20000))}"
export E2E_PORT="$port" APP_BIN GATEWAY_CORE OAUTH_MCP_SERVER
export ENKRYPT_DESKTOP_LOG="${ENKRYPT_DESKTOP_LOG:-info}"
cd "$root/ui"
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  tauri-driver --port "$E2E_PORT" --native-port "$((E2E_PORT + 1))" >"$E2E_ARTIFACTS/tauri-driver-oauth.log" 2>&1 &
  drv=$!
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null && break; sleep 0.1; done
  set +e
  node e2e/tauri-oauth-e2e.mjs
  rc=$?
  kill "$drv" 2>/dev/null
  wait "$drv" 2>/dev/null
  exit "$rc"'
