#!/usr/bin/env python3
"""Prints the Tauri config overlay a release build passes with `tauri build --config <file>`.

The committed src-tauri/tauri.conf.json keeps the updater off: no endpoints, no updater artifacts. A
release turns it on only when it can sign updates (--updater, i.e. TAURI_SIGNING_PRIVATE_KEY is set):
then the app checks https://github.com/<repository>/releases/latest/download/latest.json and the
bundler writes the signed update archives. A Windows certificate thumbprint, when given, makes the
bundler sign the .exe/.msi with signtool (SHA-256, RFC 3161 timestamp).

    scripts/release/release_config.py --repository owner/name [--updater] [--windows-thumbprint HEX]
"""

import argparse
import json
import re
import sys

TIMESTAMP_URL = "http://timestamp.digicert.com"


def overlay(repository, updater, thumbprint):
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise ValueError(f"not an owner/name repository: {repository!r}")
    config = {"bundle": {"createUpdaterArtifacts": bool(updater)}}
    if updater:
        feed = f"https://github.com/{repository}/releases/latest/download/latest.json"
        config["plugins"] = {"updater": {"endpoints": [feed]}}
    if thumbprint:
        if not re.fullmatch(r"[0-9A-Fa-f]{40}", thumbprint):
            raise ValueError("the Windows certificate thumbprint is not 40 hex digits")
        config["bundle"]["windows"] = {
            "certificateThumbprint": thumbprint,
            "digestAlgorithm": "sha256",
            "timestampUrl": TIMESTAMP_URL,
        }
    return config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--updater", action="store_true")
    parser.add_argument("--windows-thumbprint")
    args = parser.parse_args(argv)
    try:
        config = overlay(args.repository, args.updater, args.windows_thumbprint)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(config, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
