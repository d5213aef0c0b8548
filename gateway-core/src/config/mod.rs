//! Config files: locating, loading (1.x and 2.x layouts), `${env:…}` references, validation with JSON
//! paths and line numbers.
//!
//! Entry points: [`resolve_path`] picks the file, [`load_with`]/[`load_str`] turn it into a [`GatewayConfig`]
//! or a [`ConfigError`] whose [`Diagnostic`]s the CLI (`check-config`) and the desktop UI show alike.
//! Inside: `load` (layout detection and the top-level sections), `common` and `server` (the two section
//! shapes), `reader` (typed reads that collect diagnostics), `locate` (JSON paths → lines), `refs`
//! (`${env:…}`/`${keyring:…}`), `path` (which file, `~`), `edit` (typed edits and atomic saves, for the
//! desktop app), `schema` (the JSON Schema and TypeScript types generated from the Rust types). This
//! module does not watch the file for changes, and never names the OS keychain: loading and saving
//! receive their `${keyring:…}` source ([`RefSources`]); `crate::secrets` wraps them with the
//! keychain (`secrets::load_config`, `ConfigDocument::save`/`validate`).
//!
//! Secrets: gateway keys appear masked in JSON paths; resolved reference values, API keys, env values
//! and headers never appear in a diagnostic and sit in [`crate::secret::Sensitive`] in the model.

mod common;
pub mod detectors;
pub mod edit;
mod load;
pub mod locate;
pub mod model;
pub mod path;
mod reader;
pub mod refs;
pub mod schema;
mod server;
pub mod shapes;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use edit::{ConfigDocument, ConfigEdit, EditError};
pub use locate::{JsonPath, LineIndex, Segment};
pub use model::*;
pub use path::{default_audit_log_path, expand_home, resolve_path};
pub use refs::{NoKeyring, ProcessEnv, RefSources, SecretSource, resolve_refs};

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file does not exist.
    #[error(
        "config file not found: {} (copy example_enkrypt_mcp_config.json there, or pass --config PATH)",
        path.display()
    )]
    NotFound { path: PathBuf },
    /// The file exists but could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not a valid config; `diagnostics` holds every error and warning.
    #[error("{}", render_invalid(path, diagnostics))]
    Invalid {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
}

impl ConfigError {
    /// The located findings (errors and warnings) of an invalid file; empty for the other variants.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid { diagnostics, .. } => diagnostics,
            ConfigError::NotFound { .. } | ConfigError::Io { .. } => &[],
        }
    }

    /// A stable code for front ends to branch on (STYLE.md §3).
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::NotFound { .. } => "config_not_found",
            ConfigError::Io { .. } => "config_unreadable",
            ConfigError::Invalid { .. } => "config_invalid",
        }
    }
}

/// Read, parse, resolve references in with `sources` (`${env:…}`, `${keyring:…}`), and validate the
/// config file at `path`. The OS keychain is the usual `keyring` source:
/// `crate::secrets::load_config` passes it.
pub fn load_with(path: &Path, sources: &RefSources<'_>) -> Result<GatewayConfig, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ConfigError::NotFound {
            path: path.to_path_buf(),
        },
        _ => ConfigError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => load_str_with(path, &text, sources),
        Err(e) => {
            let valid = e
                .as_bytes()
                .get(..e.utf8_error().valid_up_to())
                .unwrap_or_default();
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                diagnostics: vec![Diagnostic {
                    severity: Severity::Error,
                    location: Location {
                        json_path: JsonPath::root().to_string(),
                        line: Some(line),
                    },
                    message: "the file is not valid UTF-8".into(),
                }],
            })
        }
    }
}

/// [`load`] from text already read; `path` is used in messages and for relative paths in the config.
/// Keychain references are not resolved (tests, previews): use [`load_str_with`] for that.
pub fn load_str(path: &Path, text: &str) -> Result<GatewayConfig, ConfigError> {
    load_str_with(path, text, &RefSources::process())
}

/// [`load_str`] with explicit reference sources.
pub fn load_str_with(
    path: &Path,
    text: &str,
    sources: &RefSources<'_>,
) -> Result<GatewayConfig, ConfigError> {
    load::load_text(path, text, sources).map_err(|diagnostics| ConfigError::Invalid {
        path: path.to_path_buf(),
        diagnostics,
    })
}

/// One diagnostic as a line: `<file>:<line>: <json path>: <message>` (`warning: ` before the message of
/// a warning; no `:<line>` when unknown).
pub fn format_diagnostic(path: &Path, d: &Diagnostic) -> String {
    let line = d.location.line.map(|l| format!(":{l}")).unwrap_or_default();
    let severity = match d.severity {
        Severity::Error => "",
        Severity::Warning => "warning: ",
    };
    format!(
        "{}{line}: {}: {severity}{}",
        path.display(),
        d.location.json_path,
        d.message
    )
}

fn render_invalid(path: &Path, diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let plural = if errors == 1 { "" } else { "s" };
    let mut out = format!(
        "invalid config file {} ({errors} error{plural}):",
        path.display()
    );
    // Errors first (in line order), then warnings.
    for wanted in [Severity::Error, Severity::Warning] {
        for d in diagnostics.iter().filter(|d| d.severity == wanted) {
            let _ = write!(out, "\n{}", format_diagnostic(path, d));
        }
    }
    out
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod load_tests;

#[cfg(test)]
#[path = "diagnostics_tests.rs"]
mod diagnostics_tests;

#[cfg(test)]
#[path = "locate_tests.rs"]
mod locate_tests;

#[cfg(test)]
#[path = "refs_tests.rs"]
mod refs_tests;
