//! Client commands: status of every supported MCP client (library, with what the app knows about
//! imports), and every change through the sidecar (`gateway-core client install|uninstall|import|restore
//! --json`) so the entries written launch the bundled gateway-core binary. Also the protection snapshot
//! the home page shows ([`crate::status::Summary`], the same one the tray uses).

use serde_json::Value;
use tauri::{AppHandle, Manager, State};

use crate::actions::{change_client, gateway_args, resolve_gateway, run_client};
use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;
use crate::settings::ChosenGateway;
use crate::status::{ClientProtection, Summary, client_statuses};

/// Every supported client: detected, installed, up to date or stale (and why, judged against the
/// chosen gateway's key), servers it still runs directly, whether its key is in plain text, and its
/// newest import record.
#[tauri::command]
pub async fn clients_status(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
) -> Result<Vec<ClientProtection>, IpcError> {
    let paths = paths.inner().clone();
    let gateway = resolve_gateway(&app, &paths, gateway).await?;
    blocking(move || {
        Ok(client_statuses(
            &paths.config,
            &paths.sidecar,
            gateway.as_deref(),
        ))
    })
    .await
}

/// How protected the user is (the chosen gateway, or `gateway`): the home page's data.
#[tauri::command]
pub async fn protection_status(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
) -> Result<Summary, IpcError> {
    let paths = paths.inner().clone();
    let gateway = resolve_gateway(&app, &paths, gateway).await?;
    blocking(move || {
        Ok(Summary::collect(
            &paths.config,
            &paths.sidecar,
            gateway.as_deref(),
        ))
    })
    .await
}

/// The gateway the pages, installs, imports, client status and the tray work on: the stored choice
/// when the config still has it, else `None` (the config's first).
#[tauri::command]
pub async fn gateway_chosen(
    app: AppHandle,
    paths: State<'_, AppPaths>,
) -> Result<Option<String>, IpcError> {
    let paths = paths.inner().clone();
    resolve_gateway(&app, &paths, None).await
}

/// Chooses the gateway (saved in the app settings; it outlives a restart) and returns it.
#[tauri::command]
pub async fn gateway_choose(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
) -> Result<Option<String>, IpcError> {
    let paths = paths.inner().clone();
    let handle = app.clone();
    let config = paths.config.clone();
    let chosen = blocking(move || {
        let store = handle.state::<ChosenGateway>();
        if let Some(id) = &gateway {
            let view = gateway_core::config::ConfigDocument::open(&config)?.view();
            if !view.gateways.iter().any(|g| &g.id == id) {
                return Err(IpcError::new(
                    "gateway_not_found",
                    format!("the config has no gateway {id}"),
                ));
            }
        }
        store
            .set(gateway)
            .map_err(|e| IpcError::new("settings_failed", e.to_string()))?;
        Ok(store.resolve(&config, None))
    })
    .await?;
    tracing::info!(gateway = ?chosen, "gateway chosen");
    crate::actions::state_changed(&app);
    Ok(chosen)
}

/// Add the gateway to `client` (or bring a stale entry up to date), with the key of `gateway` (default:
/// the chosen one).
#[tauri::command]
pub async fn client_install(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
    gateway: Option<String>,
) -> Result<Value, IpcError> {
    change_client(&app, &paths, "install", &client, gateway).await
}

/// Remove the gateway's entry from `client`.
#[tauri::command]
pub async fn client_uninstall(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    client: String,
) -> Result<Value, IpcError> {
    change_client(&app, &paths, "uninstall", &client, None).await
}

/// Move the servers of `client` (or of every client with a file, when `None`) behind `gateway` (default:
/// the chosen one), and
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
    args.extend(gateway_args(resolve_gateway(&app, &paths, gateway).await?));
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
