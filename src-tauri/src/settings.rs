//! The app's own settings, persisted by the app: today the gateway the user chose in a multi-gateway
//! config. They live in `enkrypt_desktop_settings.json` next to the gateway config (gateway ids belong
//! to that file, so another config never inherits a choice). Written whole to a temporary file and
//! renamed, so a crash leaves the old or the new file. The Servers, Guardrails, Apps and Home pages,
//! client installs and imports, client status and the tray all use [`ChosenGateway::resolve`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// File name of the settings, in the gateway config's folder.
pub const FILE_NAME: &str = "enkrypt_desktop_settings.json";

/// What is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSettings {
    /// The gateway id the user chose; `None`: the config's first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

/// Why settings could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot save the app settings to {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The settings file that belongs to the gateway config at `config`.
pub fn path_for(config: &Path) -> PathBuf {
    config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(FILE_NAME)
}

/// Reads the settings at `path`; a missing or unreadable file gives the defaults (logged).
pub fn load(path: &Path) -> AppSettings {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            tracing::warn!(path = %path.display(), %error, "app settings unreadable; using defaults");
            AppSettings::default()
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => AppSettings::default(),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "app settings unreadable; using defaults");
            AppSettings::default()
        }
    }
}

/// Writes `settings` to `path` atomically (temporary file in the same folder, then rename).
pub fn save(path: &Path, settings: &AppSettings) -> Result<(), SettingsError> {
    let io = |source| SettingsError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut bytes = serde_json::to_vec_pretty(settings).map_err(|e| io(e.into()))?;
    bytes.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// The chosen gateway, as Tauri state: loaded at start-up, saved on every change.
#[derive(Debug)]
pub struct ChosenGateway {
    path: PathBuf,
    current: Mutex<Option<String>>,
}

impl ChosenGateway {
    /// The choice stored for the gateway config at `config`.
    pub fn load_for(config: &Path) -> Self {
        let path = path_for(config);
        let current = load(&path).gateway;
        tracing::info!(settings = %path.display(), gateway = ?current, "chosen gateway");
        Self {
            path,
            current: Mutex::new(current),
        }
    }

    /// The stored choice (may name a gateway the config no longer has; see [`Self::resolve`]).
    pub fn get(&self) -> Option<String> {
        self.current.lock().ok().and_then(|g| g.clone())
    }

    /// `explicit` when given, else the stored choice when the config at `config` still has that
    /// gateway, else `None` (gateway-core then takes the config's first).
    pub fn resolve(&self, config: &Path, explicit: Option<String>) -> Option<String> {
        if explicit.is_some() {
            return explicit;
        }
        let stored = self.get()?;
        let ids = gateway_core::config::ConfigDocument::open(config)
            .map(|d| {
                d.view()
                    .gateways
                    .into_iter()
                    .map(|g| g.id)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        ids.contains(&stored).then_some(stored)
    }

    /// Stores `gateway` as the choice (and saves it).
    pub fn set(&self, gateway: Option<String>) -> Result<(), SettingsError> {
        save(
            &self.path,
            &AppSettings {
                gateway: gateway.clone(),
            },
        )?;
        if let Ok(mut slot) = self.current.lock() {
            *slot = gateway;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_survives_a_restart_and_sits_next_to_the_config() {
        let dir = tempfile::tempdir().expect("test setup");
        let config = dir.path().join("enkrypt_mcp_config.json");
        let chosen = ChosenGateway::load_for(&config);
        assert_eq!(chosen.get(), None);
        chosen.set(Some("second".into())).expect("test setup");
        assert!(dir.path().join(FILE_NAME).is_file());
        assert_eq!(
            ChosenGateway::load_for(&config).get(),
            Some("second".into())
        );
        chosen.set(None).expect("test setup");
        assert_eq!(ChosenGateway::load_for(&config).get(), None);
    }

    #[test]
    fn an_unreadable_file_gives_the_defaults() {
        let dir = tempfile::tempdir().expect("test setup");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, b"{not json").expect("test setup");
        assert_eq!(load(&path), AppSettings::default());
    }
}
