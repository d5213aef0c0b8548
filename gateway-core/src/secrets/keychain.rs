//! [`Keychain`]: named secrets in the OS credential store, plus the list of their names.
//!
//! Every secret is one generic-password item: service [`SERVICE`], user = the secret's name. The
//! `keyring` crate cannot enumerate items portably, so the names (never the values) are also kept as a
//! sorted JSON list in an item of their own, user [`INDEX_USER`]. Updates of that list are serialised
//! across processes with an advisory lock file (`~/.enkrypt/.keychain-index.lock`), so two concurrent
//! `secret set` runs cannot drop each other's name.
//!
//! All methods block (D-Bus round trips on Linux, a prompt on some platforms): async code calls them
//! through [`Keychain::spawn`] or `tokio::task::spawn_blocking`. Nothing here logs a value.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::error::SecretError;
use super::name::validate_name;
use crate::files::AdvisoryLock;

/// The keychain service every gateway secret is stored under (DESIGN.md).
pub const SERVICE: &str = "enkrypt-secure-mcp-gateway";

/// The keychain user of the item holding the list of secret names (reserved: names may not start `__`).
pub const INDEX_USER: &str = "__index__";

/// The OS keychain, scoped to one service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new()
    }
}

impl Keychain {
    /// The gateway's keychain (service [`SERVICE`]).
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// A keychain under another service name (tests, probes). The gateway itself always uses [`SERVICE`].
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The service name items are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Store `value` under `name`, replacing any previous value, and add `name` to the list.
    pub fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        validate_name(name)?;
        if value.is_empty() {
            return Err(SecretError::EmptyValue {
                name: name.to_owned(),
            });
        }
        self.entry(name)?
            .set_password(value)
            .map_err(|e| SecretError::from_keyring(e, name))?;
        tracing::debug!(service = %self.service, name, "keychain entry stored");
        self.update_index(|names| {
            names.insert(name.to_owned());
        })
    }

    /// The value stored under `name`; `Ok(None)` when there is no such entry.
    pub fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        validate_name(name)?;
        self.read(name)
    }

    /// Remove `name` and drop it from the list. Returns whether an entry existed.
    pub fn delete(&self, name: &str) -> Result<bool, SecretError> {
        validate_name(name)?;
        let existed = match self.entry(name)?.delete_credential() {
            Ok(()) => true,
            Err(keyring::Error::NoEntry) => false,
            Err(e) => return Err(SecretError::from_keyring(e, name)),
        };
        tracing::debug!(service = %self.service, name, existed, "keychain entry deleted");
        // Also drops a name whose item was removed behind our back (e.g. with `secret-tool`).
        self.update_index(|names| {
            names.remove(name);
        })?;
        Ok(existed)
    }

    /// The names of the stored secrets, sorted. Never returns values.
    pub fn list(&self) -> Result<Vec<String>, SecretError> {
        Ok(self.read_index()?.into_iter().collect())
    }

    /// Check that the keychain can be used at all (reads the list of names).
    pub fn probe(&self) -> Result<(), SecretError> {
        self.read_index().map(|_| ())
    }

    /// Run blocking keychain work off the async runtime. `name` labels a failed task in the error (may
    /// be empty).
    pub async fn spawn<T, F>(&self, name: &str, work: F) -> Result<T, SecretError>
    where
        T: Send + 'static,
        F: FnOnce(Keychain) -> Result<T, SecretError> + Send + 'static,
    {
        let keychain = self.clone();
        tokio::task::spawn_blocking(move || work(keychain))
            .await
            .map_err(|e| SecretError::Task {
                name: name.to_owned(),
                detail: e.to_string(),
            })?
    }

    fn entry(&self, user: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, user).map_err(|e| SecretError::from_keyring(e, user))
    }

    fn read(&self, user: &str) -> Result<Option<String>, SecretError> {
        match self.entry(user)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::from_keyring(e, user)),
        }
    }

    fn read_index(&self) -> Result<BTreeSet<String>, SecretError> {
        let Some(text) = self.read(INDEX_USER)? else {
            return Ok(BTreeSet::new());
        };
        serde_json::from_str::<BTreeSet<String>>(&text).map_err(|_| SecretError::IndexCorrupt {
            service: self.service.clone(),
        })
    }

    /// Read-modify-write the list of names under the cross-process lock.
    fn update_index(&self, change: impl FnOnce(&mut BTreeSet<String>)) -> Result<(), SecretError> {
        let _lock = AdvisoryLock::acquire(&lock_path(), "keychain index");
        let mut names = match self.read_index() {
            Ok(names) => names,
            Err(SecretError::IndexCorrupt { .. }) => {
                // The values are intact; only the listing is lost. Start it again rather than
                // refusing every `set` until someone repairs the item by hand.
                tracing::warn!(service = %self.service, "keychain name list was damaged; rebuilding it");
                BTreeSet::new()
            }
            Err(e) => return Err(e),
        };
        let before = names.clone();
        change(&mut names);
        if names == before {
            return Ok(());
        }
        let entry = self.entry(INDEX_USER)?;
        if names.is_empty() {
            return match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(SecretError::from_keyring(e, INDEX_USER)),
            };
        }
        let text = serde_json::to_string(&names).map_err(|e| SecretError::Platform {
            name: INDEX_USER.to_owned(),
            detail: e.to_string(),
        })?;
        entry
            .set_password(&text)
            .map_err(|e| SecretError::from_keyring(e, INDEX_USER))
    }
}

fn lock_path() -> PathBuf {
    crate::config::path::home_dir()
        .map(|home| home.join(".enkrypt"))
        .unwrap_or_else(std::env::temp_dir)
        .join(".keychain-index.lock")
}
