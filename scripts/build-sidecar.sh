#!/usr/bin/env bash
# Build gateway-core (release) and place it where Tauri's `bundle.externalBin` expects the sidecar:
# src-tauri/binaries/gateway-core-<target triple>, the triple taken from `rustc -vV` (never committed).
#   scripts/build-sidecar.sh            # uses $CARGO_TARGET_DIR (default ./target)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo="${CARGO:-cargo}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
[ -n "$triple" ] || { echo "error: cannot read the host target triple from 'rustc -vV'" >&2; exit 1; }
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
# The same package set as `make build`: cargo unifies features per build, so building gateway-core alone
# would compile it (release, LTO) a second time with other features.
"$cargo" build --release -p gateway-core -p test_mcps
exe=""
case "$triple" in *windows*) exe=".exe" ;; esac
mkdir -p src-tauri/binaries
dest="src-tauri/binaries/gateway-core-$triple$exe"
# cp to a temp name then rename: a running app keeps its old copy intact.
cp -f "$target_dir/release/gateway-core$exe" "$dest.tmp"
chmod +x "$dest.tmp"
mv -f "$dest.tmp" "$dest"
echo "sidecar: $dest"
