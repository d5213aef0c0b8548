//! Client commands: status of every supported MCP client (library, with what the app knows about
//! imports), and every change through the sidecar (`gateway-core client install|uninstall|import|restore
//! --json`) so the entries written launch the bundled gateway-core binary. Also the protection snapshot
//! the home page shows ([`crate::status::Summary`], the same one the tray uses).

use serde_json::Value;
use tauri::{AppHandle, State};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;
use crate::sidecar;
use crate::status::{ChosenGateway, ClientProtection, Summary, client_statuses};

/// Every supported client: detected, installed, up to date or stale (and why), servers it still runs
/// directly, whether its key is in plain text, and its newest import record.
#[tauri::command]
pub async fn clients_status(paths: State<'_, AppPaths>) -> Result<Vec<ClientProtection>, IpcError> {
    let paths = paths.inner().clone();
    blocking(move || Ok(client_statuses(&paths.config, &paths.sidecar))).await
}

/// How protected the user is (the chosen gateway, or `gateway`): the home page's data.
#[tauri::command]
pub async fn protection_status(
    paths: State<'_, AppPaths>,
    chosen: State<'_, ChosenGateway>,
    gateway: Option<String>,
) -> Result<Summary, IpcError> {
    let paths = paths.inner().clone();
    let gateway = gateway.or_else(|| chosen.get());
    blocking(move || {
        Ok(Summary::collect(
            &paths.config,
            &paths.sidecar,
            gateway.as_deref(),
        ))
    })
    .await
}

/// Remembers the gateway picked in the window (tray and home page describe it).
#[tauri::command]
pub async fn gateway_choose(
    app: AppHandle,
    chosen: State<'_, ChosenGateway>,
    gateway: Option<String>,
) -> Result<(), IpcError> {
    if let Ok(mut slot) = chosen.0.lock() {
        *slot = gateway;
    }
    crate::tray::refresh(&app);
    Ok(())
}

/// `gateway-core client <args…> --json` by the sidecar; its JSON report.
async fn run_client(
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

fn gateway_args(gateway: Option<String>) -> Vec<String> {
    gateway
        .map(|g| vec!["--gateway".to_owned(), g])
        .unwrap_or_default()
}

/// `install` or `uninstall` by the sidecar; returns its change report.
pub async fn change(
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
        args.extend(gateway_args(gateway));
    }
    run_client(app, paths, args).await
}

/// Add the gateway to `client` (or bring a stale entry up to date), with the key of `gateway`.
#[tauri::command]
pub async fn client_install(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
    gateway: Option<String>,
) -> Result<Value, IpcError> {
    change(&app, &paths, "install", &client, gateway).await
}

/// Remove the gateway's entry from `client`.
#[tauri::command]
pub async fn client_uninstall(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
) -> Result<Value, IpcError> {
    change(&app, &paths, "uninstall", &client, None).await
}

/// Move the servers of `client` (or of every client with a file, when `None`) behind `gateway`, and
/// leave the client with the gateway entry; `dry_run` only reports what would change.
#[tauri::command]
pub async fn client_import(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: Option<String>,
    dry_run: bool,
    gateway: Option<String>,
) -> Result<Value, IpcError> {
    let mut args = vec!["import".to_owned()];
    match client {
        Some(id) => {
            gateway_core::clients::lookup(&id)?;
            args.extend(["--client".to_owned(), id]);
        }
        None => args.push("--all".to_owned()),
    }
    if dry_run {
        args.push("--dry-run".to_owned());
    }
    args.extend(gateway_args(gateway));
    let report = run_client(&app, &paths, args).await?;
    if !dry_run {
        super::config::announce_change(&app);
    }
    Ok(report)
}

/// Put `client`'s file back as it was before its import; `remove_servers` also takes the servers the
/// import added out of the gateway; `force` restores over later changes (keeping them as a backup).
#[tauri::command]
pub async fn client_restore(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
    remove_servers: bool,
    force: bool,
) -> Result<Value, IpcError> {
    gateway_core::clients::lookup(&client)?;
    let mut args = vec![
        "restore".to_owned(),
        "--client".to_owned(),
        client,
        if remove_servers {
            "--remove-servers"
        } else {
            "--keep-servers"
        }
        .to_owned(),
    ];
    if force {
        args.push("--force".to_owned());
    }
    let report = run_client(&app, &paths, args).await?;
    super::config::announce_change(&app);
    Ok(report)
}
