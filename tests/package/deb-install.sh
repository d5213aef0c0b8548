#!/usr/bin/env bash
# Installs the desktop app's .deb for real and checks what a user gets, then removes it:
#   1. the package: .desktop file names without spaces, every shared library the binaries load comes from a
#      package the .deb depends on (directly or through its dependencies);
#   2. installed: /usr/bin/gateway-core --version; `gateway-core client install --client cursor` in a
#      throwaway HOME writes /usr/bin/gateway-core as the entry's command;
#   3. the installed app starts under Xvfb and maps its window (found with xwininfo); launched again, it
#      hands over to the running instance and exits (single instance, in a private D-Bus session);
#   4. purged: every file the package installed is gone, nothing unowned is left under /usr /etc /opt,
#      and the user's own files (the client config, the gateway config) are still there.
# Needs root (dpkg/apt) and a Debian/Ubuntu system with xvfb-run and xwininfo (make deps-app).
#   tests/package/deb-install.sh path/to/app.deb
set -euo pipefail

deb="$(realpath "${1:?usage: deb-install.sh <file.deb>}")"
[ "$(id -u)" = 0 ] || { echo "deb-install: must run as root (it installs and removes a package)" >&2; exit 2; }
for tool in dpkg-deb apt-get apt-cache xvfb-run xwininfo ldd; do
  command -v "$tool" >/dev/null || { echo "deb-install: $tool is missing" >&2; exit 2; }
done

work="$(mktemp -d)"
pkg="$(dpkg-deb -f "$deb" Package)"
version="$(dpkg-deb -f "$deb" Version)"
cleanup() {
  if [ -f "$work/app.pid" ]; then kill "$(cat "$work/app.pid")" 2>/dev/null || true; fi
  if dpkg -s "$pkg" >/dev/null 2>&1; then dpkg --purge "$pkg" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() { echo "FAIL - $*" >&2; exit 1; }

if dpkg -s "$pkg" >/dev/null 2>&1; then
  fail "$pkg is already installed on this system: remove it first (dpkg --purge $pkg)"
fi

# ---- 1. The package itself -------------------------------------------------------------------------
# `dpkg-deb -c`: mode owner size date time path; the path may hold spaces, so cut after the 5th field.
dpkg-deb -c "$deb" | sed -E 's/^([^ ]+ +){5}//; s#^\./##' > "$work/contents"
desktop_files="$(grep -E '^usr/share/applications/.*\.desktop$' "$work/contents" || true)"
[ -n "$desktop_files" ] || fail "no .desktop file in the package"
if grep -q ' ' <<<"$desktop_files"; then fail ".desktop file name with a space: $desktop_files"; fi
ok "desktop file: $desktop_files"
for f in usr/bin/enkrypt-desktop usr/bin/gateway-core; do
  grep -qx "$f" "$work/contents" || fail "$f missing from the package"
done
ok "binaries: /usr/bin/enkrypt-desktop, /usr/bin/gateway-core"

depends="$(dpkg-deb -f "$deb" Depends)"
[ -n "$depends" ] || fail "the package declares no dependencies"
# Package names in Depends (alternatives and version constraints dropped), then their closure.
mapfile -t direct < <(tr ',|' '\n' <<<"$depends" | sed 's/(.*)//; s/:any//; s/ //g' | grep -v '^$' | sort -u)
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
  --no-enhances "${direct[@]}" 2>/dev/null | sed -n 's/^\([^ <][^ ]*\)$/\1/p; s/^ *\(Pre\)\{0,1\}Depends: \([^<][^ ]*\)$/\2/p' \
  | sed 's/:.*//' | sort -u > "$work/closure"
printf '%s\n' "${direct[@]}" >> "$work/closure"
mkdir "$work/extract"
dpkg-deb -x "$deb" "$work/extract"
missing=""
for bin in "$work"/extract/usr/bin/*; do
  while read -r lib; do
    owner="$(dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "${lib#/usr}" 2>/dev/null || true)"
    owner="${owner%%:*}"
    [ -n "$owner" ] || { missing+=" $lib(no package)"; continue; }
    grep -qx "$owner" "$work/closure" || missing+=" $lib($owner)"
  done < <(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p')
  if ldd "$bin" | grep -c 'not found' >/dev/null; then fail "$(basename "$bin"): $(ldd "$bin" | grep 'not found')"; fi
done
[ -z "$missing" ] || fail "libraries loaded but not provided by the declared dependencies:$missing (Depends: $depends)"
ok "every loaded library comes from the declared dependencies ($depends)"
# The tray library is dlopen()ed, so ldd cannot see it: it must be declared all the same.
grep -q 'libayatana-appindicator3-1' <<<"$depends" || fail "Depends lacks libayatana-appindicator3-1 (the tray)"
ok "the tray's dlopen()ed libayatana-appindicator3-1 is declared"

# ---- 2. Installed ----------------------------------------------------------------------------------
snapshot() { find /usr /etc /opt -xdev \( -type f -o -type l \) 2>/dev/null | sort; }
snapshot > "$work/before"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" > "$work/apt.log" 2>&1 \
  || { cat "$work/apt.log" >&2; fail "apt-get install $deb"; }
dpkg -L "$pkg" > "$work/installed-files"
ok "installed $pkg $version"

got="$(/usr/bin/gateway-core --version)"
grep -q "${version%%-*}" <<<"$got" || fail "gateway-core --version printed '$got', package version is $version"
ok "/usr/bin/gateway-core --version: $got"

home="$work/home"
mkdir -p "$home"
run_as_user() { env -i PATH=/usr/bin:/bin HOME="$home" XDG_CONFIG_HOME= LANG=C.UTF-8 "$@"; }
run_as_user /usr/bin/gateway-core init > "$work/init.log" 2>&1 || { cat "$work/init.log" >&2; fail "gateway-core init"; }
config="$home/.enkrypt/enkrypt_mcp_config.json"
[ -f "$config" ] || fail "gateway-core init wrote no $config"
run_as_user /usr/bin/gateway-core client install --client cursor > "$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "gateway-core client install --client cursor"; }
cursor="$home/.cursor/mcp.json"
command="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mcpServers"]["Enkrypt Secure MCP Gateway"]["command"])' "$cursor")"
[ "$command" = /usr/bin/gateway-core ] || fail "the Cursor entry's command is '$command', not /usr/bin/gateway-core"
ok "client install --client cursor: command = $command"

# ---- 3. The installed app opens its window ---------------------------------------------------------
title="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app"]["windows"][0]["title"])' \
  "$(dirname "$0")/../../src-tauri/tauri.conf.json")"
cat > "$work/run-app.sh" <<'APP'
#!/usr/bin/env bash
# Inside xvfb-run (and a private D-Bus session when available): start the installed app, wait for its
# window; then launch it again, which must hand over to the first instance and exit, leaving one window.
set -u
windows() { xwininfo -root -tree 2>/dev/null | grep -cF "\"$TITLE\"" || true; }
/usr/bin/enkrypt-desktop > "$WORK/app.log" 2>&1 &
pid=$!
echo "$pid" > "$WORK/app.pid"
for _ in $(seq 60); do
  [ "$(windows)" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || { echo "the app exited early" >&2; exit 1; }
  sleep 0.5
done
[ "$(windows)" -ge 1 ] || { echo "no window titled $TITLE" >&2; kill "$pid"; exit 1; }
echo "WINDOW:$(xwininfo -root -tree | grep -F "\"$TITLE\"" | sed -n 1p)"
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  before="$(windows)"
  timeout 20 /usr/bin/enkrypt-desktop > "$WORK/second.log" 2>&1
  rc=$?
  sleep 1
  if [ "$rc" != 0 ]; then echo "second launch exited $rc (expected 0: handed over)" >&2; kill "$pid"; exit 1; fi
  kill -0 "$pid" 2>/dev/null || { echo "the first instance died on the second launch" >&2; exit 1; }
  [ "$(windows)" = "$before" ] || { echo "$(windows) windows titled $TITLE after the second launch, $before before" >&2; kill "$pid"; exit 1; }
  grep -q "launched again" "$WORK/app.log" || { echo "the first instance was not told" >&2; kill "$pid"; exit 1; }
  echo "SINGLE:single-instance: a second launch handed over to the running app and exited 0"
else
  echo "SINGLE:single-instance: SKIP (no D-Bus session: dbus-run-session missing)"
fi
kill "$pid"; wait "$pid" 2>/dev/null; exit 0
APP
with_bus=()
command -v dbus-run-session >/dev/null && with_bus=(dbus-run-session --)
output="$(cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 WORK="$work" TITLE="$title" \
  ENKRYPT_CONFIG_PATH="$config" "${with_bus[@]}" xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/run-app.sh" \
  2>"$work/run-app.err")" || { cat "$work/run-app.err" >&2; tail -20 "$work/app.log" >&2;
  fail "the installed app: $(tail -1 "$work/run-app.err")"; }
window="$(sed -n 's/^WINDOW: *//p' <<<"$output")"
ok "installed app window: $window"
ok "$(sed -n 's/^SINGLE://p' <<<"$output")"

# ---- 4. Removed ------------------------------------------------------------------------------------
cp "$cursor" "$work/cursor-before.json"
dpkg --purge "$pkg" > "$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge $pkg"; }
dpkg -s "$pkg" >/dev/null 2>&1 && fail "$pkg still installed after purge"
left=""
while read -r f; do
  [ -f "$f" ] || [ -L "$f" ] && left+=" $f"
done < "$work/installed-files"
[ -z "$left" ] || fail "files of $pkg left after purge:$left"
# Anything new under /usr /etc /opt that no package owns (caches rebuilt by triggers are owned or regenerated).
snapshot > "$work/after"
unowned=""
while read -r f; do
  case "$f" in
    */icon-theme.cache|*/mimeinfo.cache|*/gschemas.compiled|*/__pycache__/*) continue ;;
  esac
  dpkg -S "$f" >/dev/null 2>&1 || unowned+=" $f"
done < <(comm -13 "$work/before" "$work/after")
[ -z "$unowned" ] || fail "left behind by $pkg:$unowned"
ok "purged: no file of the package and nothing unowned left under /usr /etc /opt"
cmp -s "$cursor" "$work/cursor-before.json" || fail "the user's Cursor config changed on removal"
[ -f "$config" ] || fail "the user's gateway config is gone after removal"
ok "the user's files stay: $cursor, $config"

echo "$passed passed, 0 failed"
