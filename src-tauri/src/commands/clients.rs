//! Client commands: status of every supported MCP client (library), install/uninstall through the
//! sidecar (`gateway-core client install --client ID --json`) so the entry written launches the bundled
//! gateway-core binary.

use gateway_core::clients::{self, ClientStatus, Context};
use serde_json::Value;
use tauri::{AppHandle, State};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;
use crate::sidecar;

/// The install context the sidecar would use: its own (canonical) path as the binary.
fn context(paths: &AppPaths) -> Result<Context, IpcError> {
    let mut ctx = Context::without_key(&paths.config)?;
    ctx.gateway_binary = std::fs::canonicalize(&paths.sidecar).unwrap_or(paths.sidecar.clone());
    // Without a readable config the key cannot be compared; status still reports presence.
    ctx.gateway_key = clients::entry::first_gateway_key(&paths.config).ok();
    Ok(ctx)
}

/// Every supported client: detected, installed, up to date or stale (and why).
#[tauri::command]
pub async fn clients_status(paths: State<'_, AppPaths>) -> Result<Vec<ClientStatus>, IpcError> {
    let paths = paths.inner().clone();
    blocking(move || {
        let ctx = context(&paths)?;
        Ok(clients::CLIENTS
            .iter()
            .map(|c| clients::status(c, &ctx))
            .collect())
    })
    .await
}

/// `install` or `uninstall` by the sidecar; returns its change report.
pub async fn change(
    app: &AppHandle,
    paths: &AppPaths,
    action: &str,
    client: &str,
) -> Result<Value, IpcError> {
    // Refuse unknown ids before spawning anything.
    clients::lookup(client)?;
    let out = sidecar::run(
        app,
        &paths.config,
        &["client", action, "--client", client, "--json"],
    )
    .await?;
    sidecar::json_result(&out)
}

/// Add the gateway to `client` (or bring a stale entry up to date).
#[tauri::command]
pub async fn client_install(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
) -> Result<Value, IpcError> {
    change(&app, &paths, "install", &client).await
}

/// Remove the gateway's entry from `client`.
#[tauri::command]
pub async fn client_uninstall(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
) -> Result<Value, IpcError> {
    change(&app, &paths, "uninstall", &client).await
}
