//! The in-app updater, off unless a release turns it on.
//!
//! Two switches, both needed: the `updater` cargo feature compiles `tauri-plugin-updater` in (release
//! builds pass `--features updater`), and the config must list an endpoint. The committed
//! `tauri.conf.json` lists none; `scripts/release/release_config.py` adds the GitHub release feed only
//! when the release can sign updates. So a local build, `make package` and a release without a signing
//! key never contact an update server. When on, the app checks once at start-up, logs the result and
//! emits [`UPDATE_EVENT`] to the window; installing is left to the user.

/// Event emitted to the webview when a newer version is published: `{ "version", "current" }`.
pub const UPDATE_EVENT: &str = "update-available";

/// Whether `plugins.updater.endpoints` in the app config is a non-empty list.
pub fn configured(config: &tauri::Config) -> bool {
    config
        .plugins
        .0
        .get("updater")
        .and_then(|u| u.get("endpoints"))
        .and_then(|e| e.as_array())
        .is_some_and(|e| !e.is_empty())
}

/// Whether this build checks for updates: compiled in and configured.
pub fn active(config: &tauri::Config) -> bool {
    cfg!(feature = "updater") && configured(config)
}

/// Registers the updater plugin (only called when [`active`]).
#[cfg(feature = "updater")]
pub fn plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R, tauri_plugin_updater::Config> {
    tauri_plugin_updater::Builder::new().build()
}

/// Checks the feed once, off the main thread; never fails the app.
#[cfg(feature = "updater")]
pub fn check_in_background(app: tauri::AppHandle) {
    use tauri::Emitter;
    use tauri_plugin_updater::UpdaterExt;
    tauri::async_runtime::spawn(async move {
        let updater = match app.updater() {
            Ok(updater) => updater,
            Err(error) => {
                tracing::warn!(%error, "updater unavailable");
                return;
            }
        };
        match updater.check().await {
            Ok(Some(update)) => {
                tracing::info!(version = %update.version, current = %update.current_version, "update available");
                let payload = serde_json::json!({
                    "version": update.version,
                    "current": update.current_version,
                });
                if let Err(error) = app.emit(UPDATE_EVENT, payload) {
                    tracing::warn!(%error, "cannot announce the update to the window");
                }
            }
            Ok(None) => tracing::info!("no update available"),
            Err(error) => tracing::warn!(%error, "update check failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(plugins: serde_json::Value) -> tauri::Config {
        let mut config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        config["plugins"] = plugins;
        serde_json::from_value(config).expect("a valid tauri config")
    }

    #[test]
    fn the_committed_config_keeps_the_updater_off() {
        let config: tauri::Config =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        assert!(!configured(&config));
        assert!(!active(&config));
    }

    #[test]
    fn an_endpoint_turns_it_on_only_with_the_feature() {
        let on = config_with(serde_json::json!({"updater": {
            "pubkey": "k", "endpoints": ["https://example.invalid/latest.json"]}}));
        assert!(configured(&on));
        assert_eq!(active(&on), cfg!(feature = "updater"));
        let empty = config_with(serde_json::json!({"updater": {"pubkey": "k", "endpoints": []}}));
        assert!(!configured(&empty));
        assert!(!configured(&config_with(serde_json::json!({}))));
    }
}
