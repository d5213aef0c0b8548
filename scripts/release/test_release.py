"""Tests of the release scripts on bundle layouts named exactly as `tauri build` 2.x names its outputs.

    python3 -m unittest discover -s scripts/release -v
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

import check_version
import collect
import common
import release_config
import updater_manifest

HERE = pathlib.Path(__file__).resolve().parent
PRODUCT = "Enkrypt Secure MCP Gateway"

# What `tauri build --bundles …` leaves under target/<triple>/release/bundle with updater artifacts on.
BUNDLES = {
    "universal-apple-darwin": [
        f"macos/{PRODUCT}.app/Contents/MacOS/enkrypt-desktop",
        f"macos/{PRODUCT}.app.tar.gz",
        f"macos/{PRODUCT}.app.tar.gz.sig",
        f"dmg/{PRODUCT}_0.1.0_universal.dmg",
    ],
    "x86_64-pc-windows-msvc": [
        f"nsis/{PRODUCT}_0.1.0_x64-setup.exe",
        f"nsis/{PRODUCT}_0.1.0_x64-setup.exe.sig",
        f"msi/{PRODUCT}_0.1.0_x64_en-US.msi",
        f"msi/{PRODUCT}_0.1.0_x64_en-US.msi.sig",
    ],
    "aarch64-pc-windows-msvc": [
        f"nsis/{PRODUCT}_0.1.0_arm64-setup.exe",
        f"nsis/{PRODUCT}_0.1.0_arm64-setup.exe.sig",
    ],
    "x86_64-unknown-linux-gnu": [
        f"deb/{PRODUCT}_0.1.0_amd64.deb",
        f"deb/{PRODUCT}_0.1.0_amd64/data/usr/bin/enkrypt-desktop",
        f"appimage/{PRODUCT}_0.1.0_amd64.AppImage",
        f"appimage/{PRODUCT}_0.1.0_amd64.AppImage.sig",
    ],
}


def build_tree(root, triple, files):
    bundle = root / "target" / triple / "release" / "bundle"
    for rel in files:
        path = bundle / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content = f"signature of {path.name}" if rel.endswith(".sig") else f"bytes of {path.name}"
        path.write_text(content, encoding="utf-8")
    return bundle


class CollectAndFeed(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def collect_all(self):
        dist = self.root / "dist"
        for triple, files in BUNDLES.items():
            bundle = build_tree(self.root, triple, files)
            # As in the workflow: one artifact folder per triple, downloaded as dist/installers-<triple>.
            collect.collect(bundle, dist / f"installers-{triple}", triple, "0.1.0")
        return dist

    def test_collect_ships_installers_and_signatures_under_names_without_spaces(self):
        dist = self.collect_all()
        names = sorted(p.name for p in dist.rglob("*") if p.is_file())
        self.assertEqual(names, sorted([
            "Enkrypt-Secure-MCP-Gateway_0.1.0_universal.app.tar.gz",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_universal.app.tar.gz.sig",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_universal.dmg",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_x64-setup.exe",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_x64-setup.exe.sig",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_x64_en-US.msi",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_x64_en-US.msi.sig",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_arm64-setup.exe",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_arm64-setup.exe.sig",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_amd64.deb",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_amd64.AppImage",
            "Enkrypt-Secure-MCP-Gateway_0.1.0_amd64.AppImage.sig",
        ]))

    def test_feed_has_every_platform_with_its_signature_and_url(self):
        dist = self.collect_all()
        feed = updater_manifest.manifest(dist, "v0.1.0", "enkryptai/gw", "notes", "2026-12-07T00:00:00Z")
        self.assertEqual(feed["version"], "0.1.0")
        self.assertEqual(sorted(feed["platforms"]), [
            "darwin-aarch64", "darwin-x86_64", "linux-x86_64", "windows-aarch64", "windows-x86_64"])
        base = "https://github.com/enkryptai/gw/releases/download/v0.1.0/"
        win = feed["platforms"]["windows-x86_64"]
        # NSIS is preferred over the .msi for the same platform.
        self.assertEqual(win["url"], base + "Enkrypt-Secure-MCP-Gateway_0.1.0_x64-setup.exe")
        self.assertEqual(win["signature"], f"signature of {PRODUCT}_0.1.0_x64-setup.exe.sig")
        mac = base + "Enkrypt-Secure-MCP-Gateway_0.1.0_universal.app.tar.gz"
        self.assertEqual(feed["platforms"]["darwin-aarch64"]["url"], mac)
        self.assertEqual(feed["platforms"]["darwin-x86_64"]["url"], mac)
        self.assertEqual(feed["platforms"]["linux-x86_64"]["url"],
                         base + "Enkrypt-Secure-MCP-Gateway_0.1.0_amd64.AppImage")
        # Every URL names a file that is actually in the release.
        shipped = {p.name for p in dist.rglob("*") if p.is_file()}
        for entry in feed["platforms"].values():
            self.assertIn(entry["url"].rsplit("/", 1)[1], shipped)

    def test_no_signatures_means_no_feed(self):
        triple = "x86_64-unknown-linux-gnu"
        unsigned = [f for f in BUNDLES[triple] if not f.endswith(".sig")]
        collect.collect(build_tree(self.root, triple, unsigned), self.root / "dist", triple, "0.1.0")
        out = self.root / "latest.json"
        rc = updater_manifest.main(["--dist", str(self.root / "dist"), "--tag", "v0.1.0",
                                    "--repository", "o/n", "--out", str(out)])
        self.assertEqual(rc, 0)
        self.assertFalse(out.exists())

    def test_the_cli_writes_a_feed_file(self):
        dist = self.collect_all()
        out = self.root / "latest.json"
        subprocess.run([sys.executable, str(HERE / "updater_manifest.py"), "--dist", str(dist),
                        "--tag", "v0.1.0", "--repository", "o/n", "--out", str(out)], check=True)
        feed = json.loads(out.read_text(encoding="utf-8"))
        self.assertIn("pub_date", feed)
        self.assertEqual(len(feed["platforms"]), 5)


class ReleaseConfig(unittest.TestCase):
    def test_updater_stays_off_without_a_signing_key(self):
        config = release_config.overlay("o/n", updater=False, thumbprint=None)
        self.assertEqual(config, {"bundle": {"createUpdaterArtifacts": False}})

    def test_updater_on_points_at_the_latest_release(self):
        config = release_config.overlay("o/n", updater=True, thumbprint="AB" * 20)
        self.assertTrue(config["bundle"]["createUpdaterArtifacts"])
        self.assertEqual(config["plugins"]["updater"]["endpoints"],
                         ["https://github.com/o/n/releases/latest/download/latest.json"])
        self.assertEqual(config["bundle"]["windows"]["certificateThumbprint"], "AB" * 20)

    def test_bad_inputs_are_refused(self):
        with self.assertRaises(ValueError):
            release_config.overlay("o/n; rm -rf /", updater=True, thumbprint=None)
        with self.assertRaises(ValueError):
            release_config.overlay("o/n", updater=False, thumbprint="not-hex")

    def test_committed_config_keeps_the_updater_off(self):
        conf = json.loads(common.TAURI_CONF.read_text(encoding="utf-8"))
        self.assertFalse(conf["bundle"].get("createUpdaterArtifacts", False))
        updater = conf["plugins"]["updater"]
        self.assertEqual(updater["endpoints"], [])
        self.assertTrue(updater["pubkey"], "the updater public key is committed")


class TauriSchema(unittest.TestCase):
    """The committed config, and the committed config with each release overlay merged in, validate against
    the JSON Schema of the pinned Tauri CLI (node_modules/@tauri-apps/cli/config.schema.json). `make
    test-workflows` sets ENKRYPT_TAURI_SCHEMA and runs this with jsonschema installed."""

    def setUp(self):
        schema = os.environ.get("ENKRYPT_TAURI_SCHEMA")
        if not schema:
            self.skipTest("ENKRYPT_TAURI_SCHEMA unset (run through `make test-workflows`)")
        import jsonschema  # only in the .cache/workflow-lint venv

        self.validator = jsonschema.Draft7Validator(json.loads(pathlib.Path(schema).read_text("utf-8")))

    def assert_valid(self, config):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in self.validator.iter_errors(config)]
        self.assertEqual(errors, [])

    def test_committed_config(self):
        self.assert_valid(json.loads(common.TAURI_CONF.read_text(encoding="utf-8")))

    def test_config_with_each_release_overlay(self):
        for updater in (False, True):
            for thumbprint in (None, "0123456789abcdef0123456789ABCDEF01234567"):
                config = json.loads(common.TAURI_CONF.read_text(encoding="utf-8"))
                merge(config, release_config.overlay("o/n", updater, thumbprint))
                self.assert_valid(config)

    def test_the_schema_catches_a_bad_value(self):
        config = json.loads(common.TAURI_CONF.read_text(encoding="utf-8"))
        config["bundle"]["windows"] = {"digestAlgorithm": 7}
        self.assertTrue(list(self.validator.iter_errors(config)))


def merge(base, overlay):
    """JSON merge-patch, as `tauri build --config` applies an overlay."""
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value


class Version(unittest.TestCase):
    def test_tag_must_match_both_versions(self):
        self.assertIsNone(check_version.check("v1.2.3", "1.2.3", "1.2.3"))
        self.assertIn("does not start with v", check_version.check("1.2.3", "1.2.3", "1.2.3"))
        self.assertIn("tauri.conf.json", check_version.check("v1.2.4", "1.2.3", "1.2.4"))
        self.assertIn("Cargo.toml", check_version.check("v1.2.3", "1.2.3", "1.2.2"))

    def test_the_committed_versions_agree(self):
        tag = "v" + common.app_version()
        self.assertEqual(check_version.main([tag]), 0)


if __name__ == "__main__":
    unittest.main()
