#!/usr/bin/env python3
"""Copies the shippable files of a `tauri build` (installers, updater archives, their .sig files) from
target/<triple>/release/bundle into one folder, under the release asset names of common.asset_name.

    scripts/release/collect.py --bundle-dir target/<triple>/release/bundle --out dist/<triple> [--triple T]
"""

import argparse
import pathlib
import shutil
import sys

import common


def collect(bundle_dir, out, triple, version):
    out.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(bundle_dir.rglob("*")):
        # `.app` bundles are directories (shipped inside the .dmg and the .app.tar.gz).
        if not path.is_file() or not path.name.endswith(common.SHIPPED_SUFFIXES):
            continue
        dest = out / common.asset_name(path.name, version, triple)
        shutil.copy2(path, dest)
        copied.append(dest)
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle-dir", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--triple", help="target triple (default: the --out folder's name)")
    args = parser.parse_args(argv)
    triple = args.triple or args.out.name
    copied = collect(args.bundle_dir, args.out, triple, common.app_version())
    if not copied:
        print(f"error: nothing to ship under {args.bundle_dir}", file=sys.stderr)
        return 1
    for dest in copied:
        print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
