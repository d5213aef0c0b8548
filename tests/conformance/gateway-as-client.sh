#!/usr/bin/env bash
# gateway-core as the CLIENT for the MCP conformance suite's client mode (auth scenarios):
#
#   tests/conformance/gateway-as-client.sh <url>
#
# The suite starts its own authorization server and MCP server, appends the MCP URL, and passes scenario
# data in MCP_CONFORMANCE_SCENARIO / MCP_CONFORMANCE_CONTEXT (JSON; `client_id`/`client_secret` for
# pre-registration). This script puts the URL into a throwaway gateway config as the upstream `remote`
# (a pre-registered client goes to `oauth.client_id`, its secret as an ${env:…} reference), signs in
# with `gateway-core auth login remote --no-browser` — completing the browser step itself by following
# the printed authorization URL with curl to the loopback redirect — then runs a real MCP session through
# gateway-core over stdio (initialize, tools/list, tools/call). When the call answers "sign-in needed"
# (e.g. a 403 insufficient_scope asking for more scopes), it signs in once more and retries once.
#
# Needs a reachable OS keychain (run.sh runs the suite inside tests/keychain/with-keyring.sh). The
# gateway-core binary: $GATEWAY_CORE, else bin/gateway-core at the repo root.
set -euo pipefail
url="${1:?usage: gateway-as-client.sh <url>}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gateway="${GATEWAY_CORE:-$root/bin/gateway-core}"
scenario="${MCP_CONFORMANCE_SCENARIO:-unknown}"
scratch="$(mktemp -d)"
login_pid=""
cleanup() {
  [ -n "$login_pid" ] && kill "$login_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
log() { echo "gateway-as-client[$scenario]: $*" >&2; }

# Pre-registered client from the scenario's context (no tokens are ever in the config).
context="${MCP_CONFORMANCE_CONTEXT:-}"
[ -n "$context" ] || context="{}"
client_id="$(node -e 'const c=JSON.parse(process.argv[1]||"{}");process.stdout.write(c.client_id||"")' "$context")"
export CONFORMANCE_CLIENT_SECRET
CONFORMANCE_CLIENT_SECRET="$(node -e 'const c=JSON.parse(process.argv[1]||"{}");process.stdout.write(c.client_secret||"")' "$context")"
# The client ID metadata document URL the suite expects (SEP-991); used only where the server supports it.
oauth='{"client_metadata_url": "https://conformance-test.local/client-metadata.json"}'
if [ -n "$client_id" ]; then
  if [ -n "$CONFORMANCE_CLIENT_SECRET" ]; then
    oauth="{\"client_id\": \"$client_id\", \"client_secret\": \"\${env:CONFORMANCE_CLIENT_SECRET}\"}"
  else
    oauth="{\"client_id\": \"$client_id\"}"
  fi
fi

export ENKRYPT_GATEWAY_KEY="conformance-client-key-$RANDOM$RANDOM$RANDOM"
cat >"$scratch/config.json" <<JSON
{
  "common_mcp_gateway_config": {
    "enkrypt_guardrails_enabled": false,
    "enkrypt_guardrails_provider": "local",
    "tool_name_prefix": "when_needed",
    "enkrypt_audit_log_path": "$scratch/audit.jsonl"
  },
  "gateways": {
    "$ENKRYPT_GATEWAY_KEY": {
      "id": "conformance-client-$RANDOM",
      "mcp_config": [{
        "server_name": "remote",
        "description": "the conformance suite's MCP server",
        "config": {"url": "$url", "oauth": $oauth}
      }]
    }
  }
}
JSON

# sign_in: auth login --no-browser; the first stdout line is the authorization URL, which curl follows
# (the suite's authorization server redirects at once) to the loopback redirect.
sign_in() {
  local out="$scratch/login.out"
  : >"$out"
  "$gateway" auth login remote --config "$scratch/config.json" --no-browser --timeout 60 >"$out" &
  login_pid=$!
  local auth_url=""
  for _ in $(seq 1 300); do
    auth_url="$(head -n 1 "$out")"
    [ -n "$auth_url" ] && break
    kill -0 "$login_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$auth_url" ]; then
    wait "$login_pid" || true
    login_pid=""
    log "auth login printed no authorization URL"
    return 1
  fi
  curl -sS -L --max-redirs 10 -o /dev/null "$auth_url" || log "the browser step (curl) failed"
  local status=0
  wait "$login_pid" || status=$?
  login_pid=""
  return "$status"
}

sign_in || { log "sign-in failed"; exit 1; }
status=0
node "$here/mcp-session.mjs" "$gateway" "$scratch/config.json" || status=$?
if [ "$status" -eq 3 ]; then
  log "the server asks for a new sign-in (e.g. more scopes); signing in again"
  sign_in || { log "second sign-in failed"; exit 1; }
  status=0
  node "$here/mcp-session.mjs" "$gateway" "$scratch/config.json" || status=$?
fi
exit "$status"
