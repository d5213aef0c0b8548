#!/usr/bin/env bash
# Renames the launcher entry inside a Tauri-built .deb from "<productName>.desktop" (Tauri 2.12 names it
# after the product name, spaces included) to "<binary>.desktop" (enkrypt-desktop.desktop: no spaces, the
# same stem as the binary and the icon), fixes DEBIAN/md5sums, and rebuilds the .deb in place.
# Needs dpkg-deb and fakeroot-free root or --root-owner-group (dpkg >= 1.19). A .deb already fixed is left as is.
#   scripts/package/deb-desktop-name.sh <file.deb> [binary name, default enkrypt-desktop]
set -euo pipefail
deb="$(realpath "${1:?usage: deb-desktop-name.sh <file.deb> [binary]}")"
bin="${2:-enkrypt-desktop}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$deb" "$work/root"
apps="$work/root/usr/share/applications"
want="$apps/$bin.desktop"
mapfile -t found < <(find "$apps" -maxdepth 1 -name '*.desktop' ! -path "$want")
if [ "${#found[@]}" = 0 ]; then
  [ -f "$want" ] || { echo "error: no .desktop file in $deb" >&2; exit 1; }
  echo "deb-desktop-name: $deb already has usr/share/applications/$bin.desktop"
  exit 0
fi
[ "${#found[@]}" = 1 ] || { echo "error: several .desktop files in $deb: ${found[*]}" >&2; exit 1; }
old="${found[0]#"$work/root/"}"
mv "${found[0]}" "$want"
new="usr/share/applications/$bin.desktop"
if [ -f "$work/root/DEBIAN/md5sums" ]; then
  awk -v old="$old" -v new="$new" '{ sum=$1; $1=""; path=substr($0, 2); if (path == old) path = new; print sum "  " path }' \
    "$work/root/DEBIAN/md5sums" > "$work/md5sums"
  mv "$work/md5sums" "$work/root/DEBIAN/md5sums"
fi
dpkg-deb --root-owner-group -Zxz --build "$work/root" "$work/out.deb" >/dev/null
mv -f "$work/out.deb" "$deb"
echo "deb-desktop-name: $old -> $new in $deb"
