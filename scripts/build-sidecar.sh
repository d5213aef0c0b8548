#!/usr/bin/env bash
# Build gateway-core (release) and place it where Tauri's `bundle.externalBin` expects the sidecar:
# src-tauri/binaries/gateway-core-<target triple>[.exe] (never committed). The naming rule is
# gateway_core::platform::sidecar::file_name; a Rust test runs `--print-name` against it for every triple.
#   scripts/build-sidecar.sh                              # host triple (from `rustc -vV`)
#   scripts/build-sidecar.sh --target aarch64-pc-windows-msvc   # cross target (rustup target add first)
#   scripts/build-sidecar.sh --target universal-apple-darwin    # macOS: both arches, joined with lipo
#   scripts/build-sidecar.sh --print-name <triple>        # print the file name only; builds nothing
set -euo pipefail
cd "$(dirname "$0")/.."
cargo="${CARGO:-cargo}"

# The sidecar file name for a target triple: Windows targets end in .exe.
name_for() {
  case "$1" in
    *-windows-*) echo "gateway-core-$1.exe" ;;
    *) echo "gateway-core-$1" ;;
  esac
}

target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --print-name) [ $# -ge 2 ] || { echo "error: --print-name needs a triple" >&2; exit 2; }
                  name_for "$2"; exit 0 ;;
    --target) [ $# -ge 2 ] || { echo "error: --target needs a triple" >&2; exit 2; }
              target="$2"; shift 2 ;;
    *) echo "error: unknown argument $1" >&2; exit 2 ;;
  esac
done

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
mkdir -p src-tauri/binaries

# Copies $1 to src-tauri/binaries/<name for $2> through a temp name: a running app keeps its old copy.
place() {
  local dest
  dest="src-tauri/binaries/$(name_for "$2")"
  cp -f "$1" "$dest.tmp"
  chmod +x "$dest.tmp"
  mv -f "$dest.tmp" "$dest"
  echo "sidecar: $dest"
}

if [ -z "$target" ]; then
  triple="$(rustc -vV | sed -n 's/^host: //p')"
  [ -n "$triple" ] || { echo "error: cannot read the host target triple from 'rustc -vV'" >&2; exit 1; }
  # The same package set as `make build`: cargo unifies features per build, so building gateway-core
  # alone would compile it (release, LTO) a second time with other features.
  "$cargo" build --release -p gateway-core -p test_mcps
  exe=""
  case "$triple" in *-windows-*) exe=".exe" ;; esac
  place "$target_dir/release/gateway-core$exe" "$triple"
elif [ "$target" = universal-apple-darwin ]; then
  for arch in aarch64-apple-darwin x86_64-apple-darwin; do
    "$cargo" build --release -p gateway-core --target "$arch"
  done
  lipo -create -output "$target_dir/gateway-core-universal" \
    "$target_dir/aarch64-apple-darwin/release/gateway-core" \
    "$target_dir/x86_64-apple-darwin/release/gateway-core"
  place "$target_dir/gateway-core-universal" "$target"
else
  "$cargo" build --release -p gateway-core --target "$target"
  exe=""
  case "$target" in *-windows-*) exe=".exe" ;; esac
  place "$target_dir/$target/release/gateway-core$exe" "$target"
fi
