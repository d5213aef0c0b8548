#!/usr/bin/env bash
# Runs the .AppImage `make package` built, as a user would, without FUSE and without installing it:
#   1. the file: an ELF with the AppImage type-2 magic `AI\x02` at byte 8 (`file`, readelf, od);
#      `--appimage-version` answers; `--appimage-offset` is where the ELF ends and a SquashFS starts;
#   2. `--appimage-extract` yields the AppDir (AppRun, which hands `--gateway-core` to gateway-core, both
#      binaries, .desktop without spaces, icon),
#      and `--appimage-extract '*.desktop'` only the .desktop files;
#   3. in a throwaway HOME: `<AppImage> --gateway-core --version` extracts once into
#      ~/.cache/enkrypt-appimage/<fingerprint>/ (timed), a second start reuses it (timed; a marker
#      dropped in the folder survives, no partial folder is left); three starts racing on an empty
#      cache all succeed and leave one folder;
#   4. `--gateway-core init` + `client install --client cursor`: the Cursor entry runs the AppImage
#      itself with `--gateway-core` first, and that entry, started as Cursor would, answers an MCP
#      `initialize` over stdio;
#   5. the app starts from the AppImage under Xvfb, runs from the cache folder and maps its window;
#   6. a truncated copy of the AppImage fails instead of running.
# Needs xvfb-run, xwininfo, file, readelf, python3 (make deps-app). Root is not needed.
#   tests/package/appimage-run.sh path/to/app.AppImage
set -euo pipefail

image="$(realpath "${1:?usage: appimage-run.sh <file.AppImage>}")"
for tool in xvfb-run xwininfo file readelf od python3; do
  command -v "$tool" >/dev/null || { echo "appimage-run: $tool is missing" >&2; exit 2; }
done
work="$(mktemp -d)"
cleanup() {
  if [ -f "$work/app.pid" ]; then kill "$(cat "$work/app.pid")" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() { echo "FAIL - $*" >&2; exit 1; }
now() { date +%s.%N; }
ms() { python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$2"; }

# ---- 1. The file -----------------------------------------------------------------------------------
kind="$(file -b "$image")"
grep -q '^ELF 64-bit LSB' <<<"$kind" || fail "file(1) says: $kind"
readelf -h "$image" > "$work/elf-header" || fail "readelf cannot read $image"
magic="$(od -An -c -j8 -N3 "$image" | tr -d ' ')"
[ "$magic" = 'AI002' ] || fail "no AppImage type-2 magic at byte 8 (found '$magic')"
ok "ELF with the AppImage type-2 magic AI\\x02 at byte 8 ($(du -h "$image" | cut -f1))"

run_clean() { env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 "$@"; }
home="$work/home"
mkdir -p "$home"
version="$(run_clean "$image" --appimage-version)" || fail "--appimage-version"
grep -q 'appimage-runtime' <<<"$version" || fail "--appimage-version printed '$version'"
ok "--appimage-version: $version"
offset="$(run_clean "$image" --appimage-offset)" || fail "--appimage-offset"
elf_end="$(python3 - "$image" <<'PY'
import struct, sys
h = open(sys.argv[1], 'rb').read(64)
shoff, = struct.unpack_from('<Q', h, 0x28)
shentsize, shnum = struct.unpack_from('<HH', h, 0x3A)
print(shoff + shentsize * shnum)
PY
)"
[ "$offset" = "$elf_end" ] || fail "--appimage-offset says $offset, the ELF ends at $elf_end"
sqmagic="$(od -An -c -j"$offset" -N4 "$image" | tr -d ' ')"
[ "$sqmagic" = hsqs ] || fail "no SquashFS superblock at offset $offset (found '$sqmagic')"
ok "--appimage-offset $offset: the end of the ELF, where the SquashFS image starts"
[ -z "$(ls -A "$home")" ] || fail "--appimage-version/--appimage-offset wrote into HOME: $(ls -A "$home")"

# ---- 2. --appimage-extract -------------------------------------------------------------------------
mkdir "$work/x"
(cd "$work/x" && run_clean "$image" --appimage-extract >/dev/null 2>&1) || fail "--appimage-extract"
root="$work/x/squashfs-root"
{ [ -x "$root/AppRun" ] && [ "$(head -1 "$root/AppRun")" = '#!/bin/sh' ]; } || fail "AppRun is not an executable sh script"
got="$("$root/AppRun" --gateway-core --version)" || fail "squashfs-root/AppRun --gateway-core --version"
[ "$got" = "$(run_clean "$root/usr/bin/gateway-core" --version)" ] || fail "AppRun --gateway-core printed '$got'"
# The app hands the flag over itself too (Tauri's own AppImage, whose AppRun is the app binary).
got="$(run_clean "$root/usr/bin/enkrypt-desktop" --gateway-core --version)" || fail "enkrypt-desktop --gateway-core --version"
[ "$got" = "$(run_clean "$root/usr/bin/gateway-core" --version)" ] || fail "enkrypt-desktop --gateway-core printed '$got'"
for f in usr/bin/enkrypt-desktop usr/bin/gateway-core; do
  { [ -x "$root/$f" ] && [ -f "$root/$f" ]; } || fail "$f missing or not executable in the extracted AppDir"
done
desktops="$(cd "$root" && find . -name '*.desktop' | sort | tr '\n' ' ')"
[ "$desktops" = "./enkrypt-desktop.desktop ./usr/share/applications/enkrypt-desktop.desktop " ] \
  || fail "unexpected .desktop files: $desktops"
grep -q '^Icon=enkrypt-desktop$' "$root/enkrypt-desktop.desktop" || fail "the .desktop file names another icon"
{ [ -f "$root/enkrypt-desktop.png" ] && [ "$(readlink "$root/.DirIcon")" = enkrypt-desktop.png ]; } \
  || fail "no icon (enkrypt-desktop.png, .DirIcon) at the AppDir root"
if ldd "$root/usr/bin/enkrypt-desktop" | grep -c 'not found' >/dev/null; then
  fail "libraries missing on this host: $(ldd "$root/usr/bin/enkrypt-desktop" | grep 'not found' | tr -s ' \n' ' ')"
fi
ok "--appimage-extract: squashfs-root/ with AppRun and the app both handing --gateway-core over, usr/bin/{enkrypt-desktop,gateway-core}, .desktop, icon"
mkdir "$work/y"
(cd "$work/y" && run_clean "$image" --appimage-extract '*.desktop' >/dev/null 2>&1) || fail "--appimage-extract '*.desktop'"
files="$(cd "$work/y/squashfs-root" && find . ! -type d | sort | tr '\n' ' ')"
[ "$files" = "./enkrypt-desktop.desktop ./usr/share/applications/enkrypt-desktop.desktop " ] \
  || fail "--appimage-extract '*.desktop' extracted: $files"
ok "--appimage-extract '*.desktop': only the .desktop files"

# ---- 3. Extract once, then reuse -------------------------------------------------------------------
cache="$home/.cache/enkrypt-appimage"
deb_version="$(sed -n '/^version = "\(.*\)"/{s//\1/p;q}' "$(dirname "$0")/../../Cargo.toml")"
t0="$(now)"
got="$(run_clean "$image" --gateway-core --version)" || fail "<AppImage> --gateway-core --version"
t1="$(now)"
grep -q "$deb_version" <<<"$got" || fail "--gateway-core --version printed '$got', expected $deb_version"
mapfile -t dirs < <(find "$cache" -mindepth 1 -maxdepth 1)
[ "${#dirs[@]}" = 1 ] || fail "expected one folder in $cache, found: ${dirs[*]:-none}"
appdir="${dirs[0]}"
[ -x "$appdir/usr/bin/gateway-core" ] || fail "$appdir holds no usr/bin/gateway-core"
first_ms="$(ms "$t0" "$t1")"
ok "first start: extracted into ${appdir#"$home"/} in ${first_ms} ms; --gateway-core --version: $got"
touch "$appdir/.marker-from-test"
inode_before="$(stat -c %i "$appdir/usr/bin/gateway-core")"
t0="$(now)"
run_clean "$image" --gateway-core --version >/dev/null || fail "second start"
t1="$(now)"
[ -f "$appdir/.marker-from-test" ] || fail "the second start replaced the extracted folder"
[ "$(stat -c %i "$appdir/usr/bin/gateway-core")" = "$inode_before" ] || fail "the second start extracted again"
[ "$(find "$cache" -mindepth 1 -maxdepth 1 | wc -l)" = 1 ] || fail "the second start left another folder"
second_ms="$(ms "$t0" "$t1")"
ok "second start: reused the extraction (no new files) in ${second_ms} ms"

race_home="$work/race"
mkdir -p "$race_home"
pids=()
for i in 1 2 3; do
  env -i PATH=/usr/bin:/bin HOME="$race_home" LANG=C.UTF-8 "$image" --gateway-core --version > "$work/race-$i.out" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do
  wait "${pids[$i]}" || fail "racing start $((i + 1)) failed: $(cat "$work/race-$((i + 1)).out")"
done
left="$(find "$race_home/.cache/enkrypt-appimage" -mindepth 1 -maxdepth 1 -printf '%f ')"
{ [ "$(wc -w <<<"$left")" = 1 ] && [ "${left#.partial}" = "$left" ]; } || fail "after three racing starts the cache holds: $left"
ok "three racing first starts all ran; the cache holds one folder ($left) and no partial extraction"

# ---- 4. Client entries run the AppImage -------------------------------------------------------------
run_clean "$image" --gateway-core init > "$work/init.log" 2>&1 || { cat "$work/init.log" >&2; fail "--gateway-core init"; }
config="$home/.enkrypt/enkrypt_mcp_config.json"
[ -f "$config" ] || fail "--gateway-core init wrote no $config"
run_clean "$image" --gateway-core client install --client cursor > "$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "--gateway-core client install --client cursor"; }
python3 - "$home/.cursor/mcp.json" "$image" "$config" <<'PY' || fail "the Cursor entry does not run the AppImage"
import json, sys
entry = json.load(open(sys.argv[1]))["mcpServers"]["Enkrypt Secure MCP Gateway"]
want = {"command": sys.argv[2], "args": ["--gateway-core", "--config", sys.argv[3]]}
got = {k: entry.get(k) for k in want}
if got != want:
    sys.exit(f"entry {got}, expected {want}")
PY
ok "client install --client cursor: command = the AppImage, args = [--gateway-core, --config, …]"
answer="$(cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 python3 - "$home/.cursor/mcp.json" <<'PY'
import json, os, subprocess, sys
entry = json.load(open(sys.argv[1]))["mcpServers"]["Enkrypt Secure MCP Gateway"]
env = dict(os.environ, **entry.get("env", {}))
proc = subprocess.Popen([entry["command"], *entry["args"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, env=env, text=True)
init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
        "capabilities": {}, "clientInfo": {"name": "appimage-test", "version": "1"}}}
proc.stdin.write(json.dumps(init) + "\n"); proc.stdin.flush()
line = proc.stdout.readline()
proc.stdin.close(); proc.wait(timeout=20)
print(json.loads(line)["result"]["serverInfo"]["name"])
PY
)" || fail "the Cursor entry (the AppImage with --gateway-core) did not answer initialize"
[ -n "$answer" ] || fail "the Cursor entry answered initialize without a server name"
ok "the Cursor entry, started as Cursor would, answers MCP initialize: serverInfo.name = $answer"

# ---- 5. The app's window ---------------------------------------------------------------------------
title="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["app"]["windows"][0]["title"])' \
  "$(dirname "$0")/../../src-tauri/tauri.conf.json")"
cat > "$work/run-app.sh" <<'APP'
#!/usr/bin/env bash
# Inside xvfb-run: start the AppImage, wait for its window, report where the app runs from.
set -u
windows() { xwininfo -root -tree 2>/dev/null | grep -cF "\"$TITLE\"" || true; }
"$IMAGE" > "$WORK/app.log" 2>&1 &
pid=$!
echo "$pid" > "$WORK/app.pid"
for _ in $(seq 60); do
  [ "$(windows)" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || { echo "the app exited early" >&2; exit 1; }
  sleep 0.5
done
[ "$(windows)" -ge 1 ] || { echo "no window titled $TITLE" >&2; kill "$pid"; exit 1; }
echo "WINDOW:$(xwininfo -root -tree | grep -F "\"$TITLE\"" | sed -n 1p)"
echo "EXE:$(readlink "/proc/$pid/exe")"
tr '\0' '\n' < "/proc/$pid/environ" | sed -n 's/^\(APPIMAGE\|APPDIR\)=/ENV:&/p'
kill "$pid"; wait "$pid" 2>/dev/null; exit 0
APP
output="$(cd "$home" && env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 WORK="$work" TITLE="$title" \
  IMAGE="$image" ENKRYPT_CONFIG_PATH="$config" xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/run-app.sh" \
  2>"$work/run-app.err")" || { cat "$work/run-app.err" >&2; tail -20 "$work/app.log" >&2;
  fail "the app from the AppImage: $(tail -1 "$work/run-app.err")"; }
rm -f "$work/app.pid"
exe="$(sed -n 's/^EXE://p' <<<"$output")"
[ "$exe" = "$(realpath "$appdir")/usr/bin/enkrypt-desktop" ] || fail "the app runs from $exe, not from the cache $appdir"
grep -qxF "ENV:APPIMAGE=$image" <<<"$output" || fail "the app's APPIMAGE is not $image: $output"
grep -qxF "ENV:APPDIR=$(realpath "$appdir")" <<<"$output" || fail "the app's APPDIR is not $appdir: $output"
window="$(sed -n 's/^WINDOW: *//p' <<<"$output")"
# The window class must match the .desktop file's StartupWMClass, or shells show a second, generic icon.
wm_class="$(sed -n 's/^StartupWMClass=//p' "$root/enkrypt-desktop.desktop")"
grep -qiF "(\"$wm_class\"" <<<"$window" || fail "window class is not $wm_class: $window"
ok "the app starts from the AppImage (exe ${exe#"$home"/}, APPIMAGE and APPDIR set), window: $window"

# ---- 6. A broken AppImage fails ---------------------------------------------------------------------
head -c "$((offset + 4096))" "$image" > "$work/broken.AppImage"
chmod +x "$work/broken.AppImage"
broken_home="$work/broken-home"
mkdir -p "$broken_home"
if env -i PATH=/usr/bin:/bin HOME="$broken_home" "$work/broken.AppImage" --gateway-core --version > "$work/broken.log" 2>&1; then
  fail "a truncated AppImage ran: $(cat "$work/broken.log")"
fi
[ -z "$(find "$broken_home/.cache/enkrypt-appimage" -mindepth 1 -maxdepth 1 2>/dev/null)" ] \
  || fail "a truncated AppImage left files in the cache"
ok "a truncated AppImage fails ($(head -1 "$work/broken.log")) and leaves nothing in the cache"

echo "$passed passed, 0 failed (first start ${first_ms} ms, second ${second_ms} ms)"
