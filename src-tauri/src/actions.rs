//! What the window's commands and the tray menu both do, in one place: edit the config, change a client
//! by the sidecar (with the chosen gateway), turn guardrails or "Start at login" on and off, and say that
//! something changed. [`crate::commands`] and [`crate::tray`] both call this module; it calls neither of
//! them: the tray learns about changes from [`STATE_CHANGED_EVENT`], which it listens to.

use std::path::Path;

use gateway_core::config::edit::ConfigView;
use gateway_core::config::{ConfigDocument, ConfigEdit, Diagnostic};
use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;
use crate::settings::ChosenGateway;
use crate::sidecar;

/// Event emitted to the webview after the config file was changed by the app (UI or tray).
pub const CONFIG_CHANGED_EVENT: &str = "config-changed";
/// Event emitted when a tray action finished, with a one-line summary for the UI to show.
pub const TRAY_ACTION_EVENT: &str = "tray-action";
/// Event (app-internal) after anything the tray shows may have changed: the tray re-reads its state.
pub const STATE_CHANGED_EVENT: &str = "state-changed";

/// Something the tray shows may have changed (pins, autostart, the chosen gateway, the config).
pub fn state_changed(app: &AppHandle) {
    if let Err(error) = app.emit(STATE_CHANGED_EVENT, ()) {
        tracing::warn!(%error, "could not emit state-changed");
    }
}

/// Tells the webview and the tray that the config changed.
pub fn announce_change(app: &AppHandle) {
    if let Err(error) = app.emit(CONFIG_CHANGED_EVENT, ()) {
        tracing::warn!(%error, "could not emit config-changed");
    }
    state_changed(app);
}

/// Opens the config at `config`, applies `edit`, validates and saves it (with a backup).
pub fn apply_edit(config: &Path, edit: ConfigEdit) -> Result<ConfigView, IpcError> {
    let mut doc = ConfigDocument::open(config)?;
    doc.apply(edit)?;
    doc.save()?;
    Ok(doc.view())
}

/// What applying `edit` would be judged: every finding of the resulting config (nothing is written).
pub fn check_edit(config: &Path, edit: ConfigEdit) -> Result<Vec<Diagnostic>, IpcError> {
    let mut doc = ConfigDocument::open(config)?;
    doc.apply(edit)?;
    Ok(doc.validate())
}

/// Flips the master guardrails switch; returns the new state.
pub async fn toggle_guardrails(app: &AppHandle) -> Result<bool, IpcError> {
    let config = app.state::<AppPaths>().config.clone();
    let enabled = blocking(move || {
        let current = ConfigDocument::open(&config)
            .map(|d| d.view().guardrails_enabled)
            .unwrap_or(false);
        apply_edit(
            &config,
            ConfigEdit::SetGuardrailsEnabled { enabled: !current },
        )
        .map(|view| view.guardrails_enabled)
    })
    .await?;
    announce_change(app);
    Ok(enabled)
}

/// Whether the app starts at login (read from the entry itself).
pub async fn autostart_enabled() -> Result<bool, IpcError> {
    blocking(crate::autostart::is_enabled).await
}

/// Turns "Start at login" on or off; returns the state read back from the entry.
pub async fn set_autostart(app: &AppHandle, enabled: bool) -> Result<bool, IpcError> {
    let now = blocking(move || crate::autostart::set(enabled)).await?;
    state_changed(app);
    Ok(now)
}

/// `explicit`, else the gateway the user chose (when the config still has it), else `None` (the
/// config's first).
pub async fn resolve_gateway(
    app: &AppHandle,
    paths: &AppPaths,
    explicit: Option<String>,
) -> Result<Option<String>, IpcError> {
    let app = app.clone();
    let config = paths.config.clone();
    blocking(move || Ok(app.state::<ChosenGateway>().resolve(&config, explicit))).await
}

/// `gateway-core client <args…> --json` by the sidecar; its JSON report.
pub async fn run_client(
    app: &AppHandle,
    paths: &AppPaths,
    args: Vec<String>,
) -> Result<Value, IpcError> {
    let mut full = vec!["client".to_owned()];
    full.extend(args);
    full.push("--json".to_owned());
    let refs: Vec<&str> = full.iter().map(String::as_str).collect();
    let out = sidecar::run(app, &paths.config, &refs).await?;
    sidecar::json_result(&out)
}

/// `--gateway ID`, or nothing.
pub fn gateway_args(gateway: Option<String>) -> Vec<String> {
    gateway
        .map(|g| vec!["--gateway".to_owned(), g])
        .unwrap_or_default()
}

/// `install` (with `gateway`, default the chosen one) or `uninstall` by the sidecar; its change report.
pub async fn change_client(
    app: &AppHandle,
    paths: &AppPaths,
    action: &str,
    client: &str,
    gateway: Option<String>,
) -> Result<Value, IpcError> {
    // Refuse unknown ids before spawning anything.
    gateway_core::clients::lookup(client)?;
    let mut args = vec![action.to_owned(), "--client".to_owned(), client.to_owned()];
    if action == "install" {
        args.extend(gateway_args(resolve_gateway(app, paths, gateway).await?));
    }
    let report = run_client(app, paths, args).await?;
    state_changed(app);
    Ok(report)
}

#[cfg(test)]
mod tests {
    /// No import circle between the tray and the commands: both use this module, which uses neither,
    /// and the tray does not use the commands (the commands may ask the tray whether it exists).
    #[test]
    fn the_tray_and_the_commands_meet_only_here() {
        // The code before its tests, without comments.
        let code = |text: &'static str| -> String {
            let before_tests = text.split("#[cfg(test)]").next().unwrap_or(text);
            before_tests
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let actions = code(include_str!("actions.rs"));
        let tray = code(include_str!("tray.rs"));
        assert!(!actions.contains("crate::tray") && !actions.contains("crate::commands"));
        assert!(!tray.contains("crate::commands") && !tray.contains("commands::"));
    }
}
