#!/usr/bin/env python3
"""Fails unless a release tag (v1.2.3) names the version of the app (tauri.conf.json) and of the Rust
workspace (Cargo.toml): the updater compares these, so a mismatch would ship a never-ending update.

    scripts/release/check_version.py v1.2.3
"""

import sys
import tomllib

import common


def check(tag, conf_version, cargo_version):
    wanted = tag[1:] if tag.startswith("v") else None
    if wanted is None:
        return f"tag {tag!r} does not start with v"
    if wanted != conf_version:
        return f"tag {tag} but src-tauri/tauri.conf.json has version {conf_version}"
    if wanted != cargo_version:
        return f"tag {tag} but Cargo.toml [workspace.package] has version {cargo_version}"
    return None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    cargo = tomllib.loads((common.ROOT / "Cargo.toml").read_text(encoding="utf-8"))
    problem = check(argv[0], common.app_version(), cargo["workspace"]["package"]["version"])
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    print(f"version {argv[0]} matches the app and the workspace")
    return 0


if __name__ == "__main__":
    sys.exit(main())
