//! Secrets in the OS keychain: the [`Keychain`] store, `${keyring:NAME}` resolution for config loading
//! ([`KeychainSource`]; [`load_config`] and `ConfigDocument::save`/`validate` use it by default,
//! `defaults.rs`), and moving plaintext secrets out of a config ([`migrate()`]).
//!
//! Backends come from the `keyring` crate: the Secret Service over D-Bus on Linux (GNOME Keyring,
//! KWallet, KeePassXC), Keychain Services on macOS, Credential Manager on Windows. Every secret lives
//! under service [`SERVICE`] with the secret's name as the user. Names are `[A-Za-z0-9_.-]{1,128}`
//! ([`is_valid_name`]). Values are held in memory only as long as needed, never logged, never written to
//! a file by this module.
//!
//! Not here: the `${…}` syntax (`config::refs`), the CLI wording (`cli::secret`), and deciding which
//! config values are secrets beyond migration's heuristics (`shape`).

mod defaults;
mod error;
mod keychain;
pub mod migrate;
mod name;
pub mod shape;
pub(crate) mod spans;

use std::collections::HashMap;
use std::sync::Mutex;

pub use defaults::load_config;
pub use error::SecretError;
pub use keychain::{INDEX_USER, Keychain, SERVICE};
pub use migrate::{MigrateError, MigrationReport, MovedSecret, SecretStore, migrate};
pub use name::{MAX_NAME_LEN, is_valid_name, sanitize_name, validate_name};

use crate::config::SecretSource;
use crate::secret::Sensitive;

/// One look-up's outcome, remembered per name: the value (or its absence), or why it could not be read.
type Answer = Result<Option<Sensitive<String>>, String>;

/// Resolves `${keyring:NAME}` config references from the OS keychain.
///
/// Look-ups block (a D-Bus call each on Linux): in async code load the config inside `spawn_blocking`.
/// Each name is asked once per source; the answer (value or failure) is reused for repeated references,
/// so a locked keychain costs one round trip per name, not per occurrence.
#[derive(Debug, Default)]
pub struct KeychainSource {
    keychain: Keychain,
    answers: Mutex<HashMap<String, Answer>>,
}

impl KeychainSource {
    /// A source reading `keychain` (the gateway's own is [`KeychainSource::default`]).
    pub fn new(keychain: Keychain) -> Self {
        Self {
            keychain,
            answers: Mutex::default(),
        }
    }

    fn ask(&self, name: &str) -> Answer {
        if !is_valid_name(name) {
            return Err(
                "not a valid keychain entry name (use letters, digits, `_`, `.` or `-`)".to_owned(),
            );
        }
        match self.keychain.get(name) {
            Ok(value) => Ok(value.map(Sensitive::new)),
            Err(error) => {
                tracing::debug!(name, code = error.code(), "keychain look-up failed");
                Err(if error.is_keychain_unusable() {
                    // `config::refs` appends `: ${keyring:NAME}`, so the sentence ends on the reference.
                    format!("{}. {}; cannot resolve", error.short_reason(), error.hint())
                } else {
                    error.to_string()
                })
            }
        }
    }
}

impl SecretSource for KeychainSource {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        let mut answers = match self.answers.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let answer = answers
            .entry(name.to_owned())
            .or_insert_with(|| self.ask(name));
        answer
            .clone()
            .map(|value| value.map(|v| v.expose().clone()))
    }
}
