"""Shared helpers of the release scripts: the app's name and version, and the naming of release assets."""

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
TAURI_CONF = ROOT / "src-tauri" / "tauri.conf.json"

# What each bundle kind leaves in target/<triple>/release/bundle/<kind>/ that a release ships.
SHIPPED_SUFFIXES = (
    ".deb", ".rpm", ".AppImage", ".AppImage.sig",
    ".msi", ".msi.sig", "-setup.exe", "-setup.exe.sig",
    ".dmg", ".app.tar.gz", ".app.tar.gz.sig",
)


def app_version(conf_path=TAURI_CONF):
    """The version in tauri.conf.json (what the installers and the updater compare)."""
    return json.loads(pathlib.Path(conf_path).read_text(encoding="utf-8"))["version"]


def product_name(conf_path=TAURI_CONF):
    return json.loads(pathlib.Path(conf_path).read_text(encoding="utf-8"))["productName"]


def asset_name(file_name, version, triple):
    """The release asset name of a bundle file: no spaces (GitHub turns them into dots, which would break
    the URLs in latest.json), and the macOS updater archive, which Tauri names without version or arch,
    gets both."""
    name = re.sub(r"\s+", "-", file_name)
    for suffix in (".app.tar.gz.sig", ".app.tar.gz"):
        if name.endswith(suffix) and f"_{version}_" not in name:
            stem = name[: -len(suffix)]
            return f"{stem}_{version}_{arch_label(triple)}{suffix}"
    return name


def arch_label(triple):
    """Tauri's architecture word in file names for a target triple."""
    if triple.startswith("universal-"):
        return "universal"
    if triple.startswith("aarch64"):
        return "aarch64" if "apple" in triple else "arm64"
    if triple.startswith("x86_64"):
        return "x64"
    return triple.split("-", 1)[0]
