//! Where things are for this app instance: the gateway config, the `gateway-core` sidecar next to the
//! app binary, and the audit log the config points at.
//!
//! The config path follows gateway-core's precedence (`--config PATH` on the app's command line, then
//! `ENKRYPT_CONFIG_PATH`, then `~/.enkrypt/enkrypt_mcp_config.json`). The audit log path is read from the
//! config each time it is needed, so an edit that moves it is picked up. Nothing here writes a file.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Name of the bundled sidecar for `tauri-plugin-shell` (Tauri strips the target triple when it copies
/// `externalBin`; the naming rules are [`gateway_core::platform::sidecar`]).
pub const SIDECAR_NAME: &str = gateway_core::platform::sidecar::BASE_NAME;

/// Paths fixed at start-up, managed as Tauri state.
#[derive(Debug, Clone, Serialize)]
pub struct AppPaths {
    /// The gateway config file the app edits (may not exist yet: first run).
    pub config: PathBuf,
    /// The sidecar binary (what client entries launch).
    pub sidecar: PathBuf,
}

impl AppPaths {
    /// Paths for this process: `--config` from `args` (the app's command line), else gateway-core's
    /// default resolution; the sidecar next to the running executable.
    pub fn from_process(args: &[String]) -> Self {
        let cli = config_arg(args).map(PathBuf::from);
        let config = gateway_core::config::resolve_path(cli.as_deref());
        let config = std::path::absolute(&config).unwrap_or(config);
        Self {
            config,
            sidecar: sidecar_path(),
        }
    }

    /// The audit log the gateways of this config write: `enkrypt_audit_log_path`, else the default.
    /// A config that cannot be loaded (missing, invalid, locked keychain) falls back to the default.
    pub fn audit_log(&self) -> PathBuf {
        audit_log_of(&self.config)
    }
}

/// `enkrypt_audit_log_path` of the config at `config`, else `~/.enkrypt/logs/audit.jsonl`.
pub fn audit_log_of(config: &Path) -> PathBuf {
    gateway_core::secrets::load_config(config)
        .ok()
        .and_then(|c| c.common.audit_log_path)
        .unwrap_or_else(gateway_core::config::default_audit_log_path)
}

/// The value of `--config PATH` / `--config=PATH` in `args`, if present.
fn config_arg(args: &[String]) -> Option<&str> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--config" {
            return iter.next().map(String::as_str);
        }
        if let Some(value) = arg.strip_prefix("--config=") {
            return Some(value);
        }
    }
    None
}

/// `gateway-core` in the folder of the running executable, where Tauri puts `externalBin` files in dev
/// builds, in bundles and in installed packages alike.
pub fn sidecar_path() -> PathBuf {
    let name =
        gateway_core::platform::sidecar::installed_file_name(gateway_core::platform::Os::current());
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Runs the bundled gateway-core with `args` in place of this process (on Unix it replaces it, so the
/// MCP client talks to gateway-core over the same stdin/stdout); never returns.
pub fn exec_sidecar(args: &[std::ffi::OsString]) -> ! {
    let sidecar = sidecar_path();
    let mut command = std::process::Command::new(&sidecar);
    command.args(args);
    #[cfg(unix)]
    let error = std::os::unix::process::CommandExt::exec(&mut command);
    #[cfg(not(unix))]
    let error = match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    };
    eprintln!("enkrypt-desktop: cannot run {}: {error}", sidecar.display());
    std::process::exit(127);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn config_flag_in_both_spellings() {
        assert_eq!(
            config_arg(&args(&["app", "--config", "/a.json"])),
            Some("/a.json")
        );
        assert_eq!(
            config_arg(&args(&["app", "--config=/b.json"])),
            Some("/b.json")
        );
        assert_eq!(config_arg(&args(&["app", "--hidden"])), None);
    }

    #[test]
    fn audit_log_from_config_or_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("c.json");
        std::fs::write(
            &config,
            r#"{"common_mcp_gateway_config": {"enkrypt_audit_log_path": "logs/a.jsonl"},
                "gateways": {"k-0123456789abcdef0123": {"id": "g", "mcp_config": []}}}"#,
        )
        .expect("write");
        assert_eq!(audit_log_of(&config), dir.path().join("logs/a.jsonl"));
        assert_eq!(
            audit_log_of(&dir.path().join("missing.json")),
            gateway_core::config::default_audit_log_path()
        );
    }
}
