//! File names of the `gateway-core` sidecar that ships inside the desktop app.
//!
//! Tauri's `bundle.externalBin` takes `binaries/gateway-core` and, at build time, wants the file
//! `binaries/gateway-core-<target triple>` (plus `.exe` on Windows; for a universal macOS build the triple
//! is `universal-apple-darwin` and the file is a `lipo` of both architectures). In the installed app it
//! sits next to the app binary with the triple stripped. `scripts/build-sidecar.sh --print-name` applies
//! the same rule; a test checks both agree for every release triple.

use super::Os;

/// The sidecar's name without triple or extension.
pub const BASE_NAME: &str = "gateway-core";

/// The target triples the release pipeline builds (`.github/workflows/release.yml`), plus the single-arch
/// macOS and Linux arm64 triples a local build may use.
pub const RELEASE_TRIPLES: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "universal-apple-darwin",
];

/// A target triple this module cannot place on an OS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown target triple {0:?}: expected <arch>-<vendor>-<os>[-<env>] for macOS, Windows or Linux"
)]
pub struct UnknownTriple(pub String);

/// The OS a target triple builds for.
pub fn os_of_triple(triple: &str) -> Result<Os, UnknownTriple> {
    let parts: Vec<&str> = triple.split('-').collect();
    let valid = parts.len() >= 3 && parts.iter().all(|p| !p.is_empty());
    match () {
        _ if valid && triple.ends_with("-apple-darwin") => Ok(Os::MacOs),
        _ if valid && parts.get(2) == Some(&"windows") => Ok(Os::Windows),
        _ if valid && parts.get(2) == Some(&"linux") => Ok(Os::Linux),
        _ => Err(UnknownTriple(triple.to_owned())),
    }
}

/// The executable suffix of `os`.
pub fn exe_suffix(os: Os) -> &'static str {
    match os {
        Os::Windows => ".exe",
        Os::MacOs | Os::Linux => "",
    }
}

/// The file `bundle.externalBin` needs for `triple`: `src-tauri/binaries/<this>`.
pub fn bundled_file_name(triple: &str) -> Result<String, UnknownTriple> {
    let os = os_of_triple(triple)?;
    Ok(format!("{BASE_NAME}-{triple}{}", exe_suffix(os)))
}

/// The sidecar's file name in the installed app (next to the app binary).
pub fn installed_file_name(os: Os) -> String {
    format!("{BASE_NAME}{}", exe_suffix(os))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_names_per_triple() {
        let want = [
            (
                "x86_64-unknown-linux-gnu",
                "gateway-core-x86_64-unknown-linux-gnu",
            ),
            (
                "aarch64-unknown-linux-gnu",
                "gateway-core-aarch64-unknown-linux-gnu",
            ),
            (
                "x86_64-pc-windows-msvc",
                "gateway-core-x86_64-pc-windows-msvc.exe",
            ),
            (
                "aarch64-pc-windows-msvc",
                "gateway-core-aarch64-pc-windows-msvc.exe",
            ),
            ("x86_64-apple-darwin", "gateway-core-x86_64-apple-darwin"),
            ("aarch64-apple-darwin", "gateway-core-aarch64-apple-darwin"),
            (
                "universal-apple-darwin",
                "gateway-core-universal-apple-darwin",
            ),
        ];
        for (triple, name) in want {
            assert_eq!(bundled_file_name(triple).as_deref(), Ok(name), "{triple}");
        }
        assert_eq!(want.len(), RELEASE_TRIPLES.len());
    }

    #[test]
    fn installed_names_drop_the_triple() {
        assert_eq!(installed_file_name(Os::Windows), "gateway-core.exe");
        assert_eq!(installed_file_name(Os::MacOs), "gateway-core");
        assert_eq!(installed_file_name(Os::Linux), "gateway-core");
    }

    #[test]
    fn unknown_triples_are_refused() {
        for bad in [
            "",
            "gateway",
            "x86_64-unknown-freebsd",
            "wasm32-unknown-unknown",
            "a--linux",
        ] {
            assert!(bundled_file_name(bad).is_err(), "{bad}");
        }
    }

    /// The shell script that builds the sidecar names it the same way, for every release triple.
    #[cfg(unix)]
    #[test]
    fn build_sidecar_script_agrees() {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/build-sidecar.sh");
        for triple in RELEASE_TRIPLES {
            let out = std::process::Command::new("bash")
                .arg(&script)
                .args(["--print-name", triple])
                .output()
                .expect("run build-sidecar.sh");
            assert!(out.status.success(), "{triple}: {out:?}");
            let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            assert_eq!(Ok(printed), bundled_file_name(triple), "{triple}");
        }
    }
}
