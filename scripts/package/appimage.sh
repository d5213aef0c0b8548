#!/usr/bin/env bash
# Builds the desktop app's .AppImage from the .deb `make package` just built, with our own runtime
# (packaging/appimage-runtime: extracts once into ~/.cache/enkrypt-appimage/, no FUSE) instead of
# Tauri's bundler, which downloads linuxdeploy and the official runtime from GitHub.
#   scripts/package/appimage.sh <file.deb> <appimage-runtime> <appimage-pack> <output dir>
# The AppDir holds exactly the .deb's files (usr/bin/enkrypt-desktop, usr/bin/gateway-core next to it
# where the sidecar lookup wants it, the .desktop file and icons), plus the .desktop file and icon at
# its root, .DirIcon and AppRun (a shell script: the app, or gateway-core for `--gateway-core`). It bundles no shared library: every library
# the binaries link must come from WebKitGTK 4.1's own dependency closure (checked here with ldd), so
# the host requirement is the same as the .deb's Depends: libwebkit2gtk-4.1-0, libgtk-3-0 and
# libayatana-appindicator3-1 (the tray, dlopen()ed). Output: <output dir>/<the .deb's name>.AppImage.
set -euo pipefail
deb="$(realpath "${1:?usage: appimage.sh <file.deb> <appimage-runtime> <appimage-pack> <output dir>}")"
runtime="$(realpath "${2:?missing the runtime}")"
pack="$(realpath "${3:?missing appimage-pack}")"
out_dir="${4:?missing the output dir}"
bin=enkrypt-desktop
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
appdir="$work/AppDir"

dpkg-deb -x "$deb" "$appdir"
for f in "usr/bin/$bin" usr/bin/gateway-core; do
  [ -x "$appdir/$f" ] || { echo "appimage: $f missing from $deb" >&2; exit 1; }
done
desktop="usr/share/applications/$bin.desktop"
[ -f "$appdir/$desktop" ] || { echo "appimage: $desktop missing from $deb" >&2; exit 1; }
cp "$appdir/$desktop" "$appdir/$bin.desktop"
icon_name="$(sed -n '/^Icon=/{s///p;q}' "$appdir/$desktop")"
icon=""
for size in 256x256@2 256x256 128x128 32x32; do
  candidate="$appdir/usr/share/icons/hicolor/$size/apps/$icon_name.png"
  if [ -f "$candidate" ]; then icon="$candidate"; break; fi
done
[ -n "$icon" ] || { echo "appimage: no icon $icon_name.png in $deb" >&2; exit 1; }
cp "$icon" "$appdir/$icon_name.png"
ln -s "$icon_name.png" "$appdir/.DirIcon"
# AppRun: `--gateway-core ARGS…` (what MCP client entries written from the AppImage run) goes straight to
# the bundled gateway-core, about 100 ms sooner than through the app binary, which loads WebKitGTK first;
# the app handles the flag itself as well, for Tauri's own AppImage (release.yml), whose AppRun is the app.
# The folder comes from $0, never from an inherited $APPDIR (that may be another AppImage's).
cat > "$appdir/AppRun" <<APPRUN
#!/bin/sh
here="\$(dirname "\$(readlink -f "\$0")")"
if [ "\${1:-}" = --gateway-core ]; then
  shift
  exec "\$here/usr/bin/gateway-core" "\$@"
fi
exec "\$here/usr/bin/$bin" "\$@"
APPRUN
chmod 755 "$appdir/AppRun"

# The libraries the host must have: WebKitGTK 4.1 and everything it loads (glibc included).
# No early `exit` in awk: it would close the pipe on ldconfig, whose SIGPIPE fails the script under
# pipefail (exit 141, seen in CI when ldconfig's cache is large).
webkit="$(ldconfig -p | awk '$1 == "libwebkit2gtk-4.1.so.0" && !found { print $NF; found = 1 }')"
[ -n "$webkit" ] || { echo "appimage: libwebkit2gtk-4.1.so.0 not found (apt-get install libwebkit2gtk-4.1-dev)" >&2; exit 1; }
{ echo libwebkit2gtk-4.1.so.0; ldd "$webkit" | awk '{ print $1 }' | sed 's#.*/##'; } | sort -u > "$work/host-libs"
outside=""
for f in "$appdir"/usr/bin/*; do
  while read -r lib; do
    grep -qxF "$lib" "$work/host-libs" || outside+=" $(basename "$f"):$lib"
  done < <(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
if [ -n "$outside" ]; then
  echo "appimage: linked libraries outside WebKitGTK 4.1's closure, which this AppImage does not bundle:$outside" >&2
  exit 1
fi

mkdir -p "$appdir/usr/share/doc/$bin"
cat > "$appdir/usr/share/doc/$bin/README.AppImage" <<'DOC'
Enkrypt Secure MCP Gateway as an AppImage

Host requirements (not bundled): WebKitGTK 4.1 and GTK 3 (Debian/Ubuntu: libwebkit2gtk-4.1-0,
libgtk-3-0), and libayatana-appindicator3-1 for the tray icon. No FUSE is needed.

The runtime in front of this image is Enkrypt's own (packaging/appimage-runtime), not the official
one: on the first start it extracts the image into $XDG_CACHE_HOME/enkrypt-appimage/<fingerprint>/
(default ~/.cache/enkrypt-appimage/) and later starts run from there. Each new version gets a new
folder; old ones are not removed automatically (delete the folder to free space). No update
information (zsync) and no embedded signature.

MCP client entries written by this app run the .AppImage file itself with --gateway-core first, so
they survive updates as long as the .AppImage keeps its path.
DOC

mkdir -p "$out_dir"
out="$(realpath "$out_dir")/$(basename "${deb%.deb}").AppImage"
"$pack" --runtime "$runtime" --appdir "$appdir" --output "$out"
ls -l "$out"
