//! App-level commands: where things are ([`app_info`]), first-run config creation by gateway-core's
//! `setup` ([`setup_init`]), and "Start at login" ([`crate::autostart`]).

use gateway_core::setup::{self, InitOptions};
use schemars::JsonSchema;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;

/// What the UI needs to know about this installation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The gateway config the app edits.
    pub config_path: String,
    /// Whether it exists (false: show first-run setup).
    pub config_exists: bool,
    /// The audit log the live view follows.
    pub audit_log_path: String,
    /// The bundled gateway-core binary.
    pub sidecar_path: String,
    /// Whether that binary is there.
    pub sidecar_present: bool,
    /// Whether a tray icon could be created (closing the window then hides it).
    pub tray_available: bool,
}

/// Paths and first-run state.
#[tauri::command]
pub async fn app_info(app: AppHandle, paths: State<'_, AppPaths>) -> Result<AppInfo, IpcError> {
    let paths = paths.inner().clone();
    let tray_available = crate::tray::is_available(&app);
    let version = app.package_info().version.to_string();
    blocking(move || {
        Ok(AppInfo {
            version,
            config_path: paths.config.display().to_string(),
            config_exists: paths.config.exists(),
            audit_log_path: paths.audit_log().display().to_string(),
            sidecar_path: paths.sidecar.display().to_string(),
            sidecar_present: paths.sidecar.is_file(),
            tray_available,
        })
    })
    .await
}

/// What first-run setup created (the key only masked).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InitSummary {
    pub config_path: String,
    pub gateway_id: String,
    pub gateway_key_masked: String,
    pub audit_log_path: String,
    pub echo_server: Option<String>,
}

/// Create the gateway config (never overwrites an existing one).
#[tauri::command]
pub async fn setup_init(
    app: AppHandle,
    paths: State<'_, AppPaths>,
) -> Result<InitSummary, IpcError> {
    let config = paths.config.clone();
    let summary = blocking(move || {
        let outcome = setup::init_config(&config, &InitOptions::detect())?;
        Ok(InitSummary {
            config_path: outcome.path.display().to_string(),
            gateway_id: outcome.gateway_id,
            gateway_key_masked: outcome.gateway_key.masked(),
            audit_log_path: outcome.audit_log_path.display().to_string(),
            echo_server: outcome.echo_server.map(|p| p.display().to_string()),
        })
    })
    .await?;
    super::config::announce_change(&app);
    Ok(summary)
}

/// Whether the app starts at login (read from the autostart entry itself).
#[tauri::command]
pub async fn autostart_get() -> Result<bool, IpcError> {
    crate::actions::autostart_enabled().await
}

/// Turn "Start at login" on or off; returns the state read back from the entry.
#[tauri::command]
pub async fn autostart_set(app: AppHandle, enabled: bool) -> Result<bool, IpcError> {
    crate::actions::set_autostart(&app, enabled).await
}
