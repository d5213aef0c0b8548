#!/usr/bin/env python3
"""Writes the Tauri updater feed (latest.json) for a release from the collected, signed update bundles.

Each `<asset>.sig` next to an `<asset>` becomes one platform entry: the signature text and the asset's
download URL on the GitHub release. Platform keys are the updater plugin's `<os>-<arch>`:
darwin-aarch64 / darwin-x86_64 (the universal .app.tar.gz serves both), windows-x86_64 / windows-aarch64
(the NSIS installer, else the .msi), linux-x86_64 / linux-aarch64 (the AppImage). Without any .sig (no
TAURI_SIGNING_PRIVATE_KEY at build time) no feed is written: the updater could not verify anything.

    scripts/release/updater_manifest.py --dist dist --tag v1.2.3 --repository owner/name --out dist/latest.json
"""

import argparse
import datetime
import json
import pathlib
import sys
import urllib.parse


def platforms_of(asset):
    """The updater platform keys an update bundle serves, and its preference (lower wins)."""
    if asset.endswith(".app.tar.gz"):
        if "_universal" in asset:
            return ["darwin-aarch64", "darwin-x86_64"], 0
        if "_aarch64" in asset:
            return ["darwin-aarch64"], 0
        if "_x64" in asset:
            return ["darwin-x86_64"], 0
    if asset.endswith("-setup.exe") or asset.endswith(".msi"):
        rank = 0 if asset.endswith("-setup.exe") else 1
        if "_arm64" in asset:
            return ["windows-aarch64"], rank
        if "_x64" in asset:
            return ["windows-x86_64"], rank
    if asset.endswith(".AppImage"):
        if "_amd64" in asset:
            return ["linux-x86_64"], 0
        if "_aarch64" in asset:
            return ["linux-aarch64"], 0
    return [], 0


def manifest(dist, tag, repository, notes, pub_date):
    platforms = {}
    ranks = {}
    for sig in sorted(pathlib.Path(dist).rglob("*.sig")):
        asset = sig.name[: -len(".sig")]
        if not sig.with_name(asset).is_file():
            raise SystemExit(f"error: {sig} has no {asset} next to it")
        keys, rank = platforms_of(asset)
        url = (f"https://github.com/{repository}/releases/download/"
               f"{urllib.parse.quote(tag)}/{urllib.parse.quote(asset)}")
        for key in keys:
            if key in ranks and ranks[key] <= rank:
                continue
            ranks[key] = rank
            platforms[key] = {"signature": sig.read_text(encoding="utf-8").strip(), "url": url}
    if not platforms:
        return None
    return {
        "version": tag[1:] if tag.startswith("v") else tag,
        "notes": notes,
        "pub_date": pub_date,
        "platforms": dict(sorted(platforms.items())),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", required=True, type=pathlib.Path)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--repository", required=True, help="owner/name on GitHub")
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--notes", default="")
    parser.add_argument("--pub-date", help="RFC 3339 (default: now, UTC)")
    args = parser.parse_args(argv)
    pub_date = args.pub_date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    notes = args.notes or f"Enkrypt Secure MCP Gateway {args.tag}"
    feed = manifest(args.dist, args.tag, args.repository, notes, pub_date)
    if feed is None:
        print("no .sig files (TAURI_SIGNING_PRIVATE_KEY unset at build time): no updater feed written",
              file=sys.stderr)
        return 0
    args.out.write_text(json.dumps(feed, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
