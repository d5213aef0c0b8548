//! Quarantine commands over gateway-core's [`PinStore`]: list pinned tools (with diffs of changed
//! definitions) and approve or deny one. Gateways re-read the pin file on its next change.

use gateway_core::guardrails::pins::{Pin, PinStatus, PinStore};
use tauri::{AppHandle, State};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;

/// Every pinned tool of every gateway of the config.
#[tauri::command]
pub async fn tools_list(paths: State<'_, AppPaths>) -> Result<Vec<Pin>, IpcError> {
    let config = paths.config.clone();
    blocking(move || Ok(PinStore::for_config(&config).list(None)?)).await
}

/// Approve (`approve = true`) or deny a pinned tool.
#[tauri::command]
pub async fn tool_decide(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    gateway_id: String,
    server: String,
    tool: String,
    approve: bool,
) -> Result<Pin, IpcError> {
    let config = paths.config.clone();
    let status = if approve {
        PinStatus::Approved
    } else {
        PinStatus::Denied
    };
    let pin = blocking(move || {
        Ok(PinStore::for_config(&config).set_status(&gateway_id, &server, &tool, status)?)
    })
    .await?;
    crate::actions::state_changed(&app);
    Ok(pin)
}
