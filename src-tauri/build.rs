//! Tauri's build step: embeds tauri.conf.json and the capabilities, and copies the `gateway-core`
//! sidecar (`binaries/gateway-core-<target triple>`, made by `scripts/build-sidecar.sh`) next to the
//! app binary.

fn main() {
    tauri_build::build()
}
