//! The OS keychain as the default `${keyring:…}` source of config loading and editing.
//!
//! `config` never names the keychain: it receives its reference sources (`load_with`,
//! `ConfigDocument::validate_with`/`save_with`). The functions here pass this process's environment
//! and the OS keychain, which is what every front end wants outside tests. They block on the
//! keychain when the file has keychain references: call them from a blocking thread in async code.

use std::path::Path;

use super::KeychainSource;
use crate::config::edit::{ConfigDocument, EditError};
use crate::config::{ConfigError, Diagnostic, GatewayConfig, ProcessEnv, RefSources};
use crate::files::WriteOutcome;

/// Reads, parses, resolves references in (`${env:…}` from the process, `${keyring:…}` from the OS
/// keychain) and validates the config file at `path`.
pub fn load_config(path: &Path) -> Result<GatewayConfig, ConfigError> {
    let keychain = KeychainSource::default();
    crate::config::load_with(
        path,
        &RefSources {
            env: &ProcessEnv,
            keyring: &keychain,
        },
    )
}

impl ConfigDocument {
    /// Every error and warning `check-config` would report for the current content, references
    /// resolved from this process's environment and the OS keychain.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let keychain = KeychainSource::default();
        self.validate_with(&RefSources {
            env: &ProcessEnv,
            keyring: &keychain,
        })
    }

    /// Validates (environment and OS keychain), then writes the file atomically with a timestamped
    /// backup of the previous version ([`ConfigDocument::save_with`]).
    pub fn save(&mut self) -> Result<WriteOutcome, EditError> {
        let keychain = KeychainSource::default();
        self.save_with(&RefSources {
            env: &ProcessEnv,
            keyring: &keychain,
        })
    }
}
