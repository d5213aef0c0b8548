//! Running the gateway: start-up and shutdown shared by both front ends, so the command line only
//! parses arguments and turns a [`RunError`] into an exit status.
//!
//! [`run_stdio`] serves one MCP client over a pair of pipes (what Claude Desktop, Cursor… launch);
//! [`run_http`] serves streamable HTTP on a listener the caller bound. Both follow the same steps:
//! load the config (log level, warnings), open the audit log and the tool cache, watch the file for
//! hot reload, serve until the `shutdown` future completes or the client goes away, then stop every
//! upstream and flush the audit log.

mod http;
mod stdio;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use http::run_http;
pub use stdio::run_stdio;

use crate::audit::{AuditLog, AuditOptions};
use crate::cache::ToolCache;
use crate::config::{self, ConfigError, GatewayConfig};

/// Why the gateway could not serve.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config file cannot be used (each problem with its JSON path and line).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The presented gateway key selects no gateway, or could not be read from the keychain.
    #[error("{0}")]
    Auth(String),
}

/// What both front ends start from: the config and the bytes it was read from (so hot reload can
/// tell an unchanged file), the audit log and the tool cache.
struct Started {
    path: PathBuf,
    initial_text: Option<Vec<u8>>,
    config: GatewayConfig,
    audit: AuditLog,
    cache: Arc<dyn ToolCache>,
}

impl Started {
    /// Loads `path` (on the blocking pool: `${keyring:…}` references are keychain calls), applies its
    /// log level and logs its warnings, then opens the audit log and the cache.
    async fn load(path: &Path) -> Result<Self, RunError> {
        let initial_text = tokio::fs::read(path).await.ok();
        let config = load_config(path).await?;
        crate::logging::apply_config_level(&config.common.log_level);
        for warning in &config.warnings {
            tracing::warn!(path = %warning.location.json_path, line = ?warning.location.line, "{}", warning.message);
        }
        let audit = open_audit(&config);
        let cache = crate::cache::for_config(&config.common);
        Ok(Self {
            path: path.to_path_buf(),
            initial_text,
            config,
            audit,
            cache,
        })
    }
}

/// [`config::load`] on the blocking pool.
pub async fn load_config(path: &Path) -> Result<GatewayConfig, ConfigError> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || crate::secrets::load_config(&owned))
        .await
        .unwrap_or_else(|error| {
            Err(ConfigError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(error.to_string()),
            })
        })
}

/// The audit log the config names (or the default path); a log that cannot be opened is disabled
/// with a warning rather than stopping the gateway.
pub fn open_audit(config: &GatewayConfig) -> AuditLog {
    let path = config
        .common
        .audit_log_path
        .clone()
        .unwrap_or_else(crate::audit::default_path);
    match AuditLog::open(&path, AuditOptions::default()) {
        Ok(log) => log,
        Err(error) => {
            tracing::warn!(%error, "audit log disabled");
            AuditLog::disabled()
        }
    }
}

/// Writes out what is buffered in the audit log (bounded), off the runtime.
async fn flush_audit(audit: AuditLog) {
    let _ = tokio::task::spawn_blocking(move || audit.flush_and_close(Duration::from_millis(500)))
        .await;
}

/// The gateway key presented by the client's environment (`ENKRYPT_GATEWAY_KEY`, else the reference's
/// `ENKRYPT_APIKEY`), with a `${keyring:NAME}` reference (what `client install` writes when a keychain
/// is usable) resolved from the OS keychain.
pub async fn key_from_env() -> Result<Option<String>, RunError> {
    let raw = std::env::var("ENKRYPT_GATEWAY_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .or_else(|| std::env::var("ENKRYPT_APIKEY").ok());
    match raw {
        Some(value) if value.contains("${keyring:") || value.contains("${env:") => {
            tokio::task::spawn_blocking(move || resolve_key_reference(&value))
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
                .map(Some)
                .map_err(RunError::Auth)
        }
        other => Ok(other),
    }
}

/// Resolves the references in a presented key (blocking: the keychain may be a D-Bus call).
fn resolve_key_reference(value: &str) -> Result<String, String> {
    let keychain = crate::secrets::KeychainSource::default();
    let sources = config::RefSources {
        env: &config::ProcessEnv,
        keyring: &keychain,
    };
    config::refs::resolve_str(value, &sources).map_err(|problems| {
        format!(
            "ENKRYPT_GATEWAY_KEY refers to the OS keychain ({value}), which did not give the key: {}. \
             Re-run `gateway-core client install` (or \"Add to …\" in the app) to write a fresh entry",
            problems.join("; ")
        )
    })
}
